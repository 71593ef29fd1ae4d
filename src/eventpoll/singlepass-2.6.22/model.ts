/**
 * Variant `singlepass-2.6.22`'s model functions and its Variant object, gathered
 * for the `singlepass2622` namespace of `eventpoll-sim/model` (see src/model.ts).
 */
export * from './callback.ts';
export * from './index.ts';
export * from './items.ts';
export * from './send.ts';
export * from './wait.ts';
