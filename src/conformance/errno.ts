/**
 * errno names of the `.ops` output, with their Linux numbers (include/uapi/asm-generic/errno*.h,
 * the values of x86-64 and arm64). The oracle prints exactly these names; a number that is not
 * here prints as `ERRNO<n>`.
 */

/** errno numbers by name. */
export const ERRNO = {
  EPERM: 1,
  ENOENT: 2,
  ESRCH: 3,
  EINTR: 4,
  EIO: 5,
  ENXIO: 6,
  E2BIG: 7,
  EBADF: 9,
  EAGAIN: 11,
  ENOMEM: 12,
  EACCES: 13,
  EFAULT: 14,
  EBUSY: 16,
  EEXIST: 17,
  ENODEV: 19,
  ENOTDIR: 20,
  EISDIR: 21,
  EINVAL: 22,
  ENFILE: 23,
  EMFILE: 24,
  EFBIG: 27,
  ENOSPC: 28,
  ESPIPE: 29,
  EROFS: 30,
  EPIPE: 32,
  ERANGE: 34,
  ENOSYS: 38,
  ELOOP: 40,
  ENOTSOCK: 88,
  EOPNOTSUPP: 95,
  ECONNRESET: 104,
  ENOTCONN: 107,
  ESHUTDOWN: 108,
  ETIMEDOUT: 110,
} as const;

/** An errno name the language prints. */
export type ErrnoName = keyof typeof ERRNO;

const BY_NUMBER: ReadonlyMap<number, ErrnoName> = new Map(
  (Object.keys(ERRNO) as ErrnoName[]).map((name) => [ERRNO[name], name]),
);

/** The printed name of an errno number (`ERRNO<n>` when it has none here). */
export function errnoName(errno: number): string {
  return BY_NUMBER.get(errno) ?? `ERRNO${errno}`;
}

/** True when `s` is one of the names in {@link ERRNO}. */
export function isErrnoName(s: string): s is ErrnoName {
  return Object.hasOwn(ERRNO, s);
}
