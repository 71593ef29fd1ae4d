/**
 * Variant `roundrobin-rfc`'s model functions and its Variant object, gathered
 * for the `roundrobinRfc` namespace of `eventpoll-sim/model` (see src/model.ts).
 */
export * from './index.ts';
export * from './policy.ts';
