#ifndef _GUEST_CACHE_H
#define _GUEST_CACHE_H

/* As Linux's <linux/cache.h> on x86-64: 64-byte lines. */
#define L1_CACHE_SHIFT 6
#define L1_CACHE_BYTES (1 << L1_CACHE_SHIFT)
#define SMP_CACHE_BYTES L1_CACHE_BYTES

/* Starts an object (or a struct member) on a cache line of its own. */
#define ____cacheline_aligned __attribute__((__aligned__(SMP_CACHE_BYTES)))

#endif /* _GUEST_CACHE_H */
