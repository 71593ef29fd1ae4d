/**
 * Variant `mainline`'s model functions and its Variant object, gathered for the `mainline`
 * namespace of `eventpoll-sim/model` (see src/model.ts).
 */
export * from './callback.ts';
export * from './index.ts';
export * from './items.ts';
export * from './scan.ts';
export * from './wait.ts';
