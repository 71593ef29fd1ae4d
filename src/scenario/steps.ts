/** Shorthands for writing scenario programs (the library's scenario tables use them). */

/** An epoll_wait step, with an optional expected result. */
export function W(set: string, maxevents: number, timeout: number,
  expect?: number | [number, number]) {
  return { op: 'epoll_wait' as const, set, maxevents, timeout,
    ...(expect !== undefined ? { expect } : {}) };
}
