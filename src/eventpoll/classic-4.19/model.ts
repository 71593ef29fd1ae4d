/**
 * Variant `classic-4.19`'s model functions and its Variant object, gathered for the `classic419`
 * namespace of `eventpoll-sim/model` (see src/model.ts).
 */
export * from './callback.ts';
export * from './index.ts';
export * from './items.ts';
export * from './scan.ts';
export * from './wait.ts';
