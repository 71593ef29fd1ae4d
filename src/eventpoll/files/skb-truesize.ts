/**
 * The memory an AF_UNIX stream send charges to its socket: how unix_stream_sendmsg() cuts a
 * send into skbs, and each skb's `truesize` (include/linux/skbuff.h, net/core/skbuff.c,
 * net/unix/af_unix.c @ v6.18, x86-64).
 *
 * unix_stream_sendmsg() takes at most `(sk_sndbuf >> 1) - 64` and at most
 * SKB_MAX_HEAD(0) + UNIX_SKB_FRAGS_SZ bytes per skb; the part beyond one order-0 head goes
 * into page fragments (`data_len = min(size, PAGE_ALIGN(size - SKB_MAX_HEAD(0)))`), the rest
 * into the linear head. The head is kmalloc'ed with its skb_shared_info behind it
 * (kmalloc_reserve(): the small-head cache, else kmalloc_size_roundup()), and the truesize is
 * SKB_TRUESIZE(head room) plus every fragment page (alloc_skb_with_frags() charges whole
 * pages, `PAGE_SIZE << order`, so the fragments cost PAGE_ALIGN(data_len)).
 *
 * The constants are those of the host kernel (6.18.44, x86-64), checked against it with
 * ioctl(SIOCOUTQ), which reports sk_wmem_alloc_get() of a unix socket: for example a 1-byte
 * send charges 768, 193 bytes 1280, 3777 bytes 4864 and 65536 bytes 67072.
 */

/** PAGE_SIZE. */
export const PAGE_SIZE = 4096;
/** SKB_DATA_ALIGN(sizeof(struct skb_shared_info)), MAX_SKB_FRAGS = 17. */
const SHINFO = 320;
/** SKB_DATA_ALIGN(sizeof(struct sk_buff)). */
const SKBUFF = 256;
/** SKB_MAX_HEAD(0) = SKB_WITH_OVERHEAD(PAGE_SIZE): the linear room of an order-0 head. */
export const SKB_MAX_HEAD0 = PAGE_SIZE - SHINFO;
/** UNIX_SKB_FRAGS_SZ: PAGE_SIZE << get_order(32768). */
export const UNIX_SKB_FRAGS_SZ = 32768;
/**
 * The head size served by the small-head cache (SKB_SMALL_HEAD_CACHE_SIZE on the host's
 * configuration, measured: heads whose aligned data fits in 192 bytes cost 768).
 */
const SMALL_HEAD = 512;
/** The kmalloc size classes up to KMALLOC_MAX_CACHE_SIZE (two pages). */
const KMALLOC_SIZES = [8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192];

/** SKB_DATA_ALIGN(): round up to the cache line (64 bytes). */
function skbDataAlign(n: number): number {
  return (n + 63) & ~63;
}

/** PAGE_ALIGN(). */
function pageAlign(n: number): number {
  return Math.ceil(n / PAGE_SIZE) * PAGE_SIZE;
}

/** kmalloc_size_roundup(): the size of the object kmalloc really hands out. */
function kmallocSizeRoundup(n: number): number {
  for (const s of KMALLOC_SIZES) if (s >= n) return s;
  let pages = PAGE_SIZE;
  while (pages < n) pages *= 2;
  return pages;
}

/** The truesize of an skb head holding `linear` bytes (__alloc_skb + kmalloc_reserve). */
function headTruesize(linear: number): number {
  const obj = skbDataAlign(linear) + SHINFO;
  const size = obj <= SMALL_HEAD ? SMALL_HEAD : kmallocSizeRoundup(obj);
  // SKB_TRUESIZE(SKB_WITH_OVERHEAD(size)) = size - SHINFO + SKBUFF + SHINFO.
  return size + SKBUFF;
}

/** The most bytes unix_stream_sendmsg() puts in one skb for a socket's `sndbuf`. */
export function unix_skb_max(sndbuf: number): number {
  return Math.min((sndbuf >> 1) - 64, SKB_MAX_HEAD0 + UNIX_SKB_FRAGS_SZ);
}

/** The truesize charged for one skb carrying `size` bytes of a stream send. */
export function unix_skb_truesize(size: number): number {
  const frags = size > SKB_MAX_HEAD0 ? Math.min(size, pageAlign(size - SKB_MAX_HEAD0)) : 0;
  return headTruesize(size - frags) + pageAlign(frags);
}
