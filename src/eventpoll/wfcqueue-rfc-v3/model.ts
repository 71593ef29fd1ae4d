/**
 * Variant `wfcqueue-rfc-v3`'s model functions and its Variant object, gathered
 * for the `wfcqueueRfcV3` namespace of `eventpoll-sim/model` (see src/model.ts).
 */
export * from './callback.ts';
export * from './index.ts';
export * from './items.ts';
export * from './send.ts';
export * from './wait.ts';
export * from './wakeup.ts';
