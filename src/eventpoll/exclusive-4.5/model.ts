/**
 * Variant `exclusive-4.5`'s model functions and its Variant object, gathered for the `exclusive45`
 * namespace of `eventpoll-sim/model` (see src/model.ts).
 */
export * from './callback.ts';
export * from './index.ts';
