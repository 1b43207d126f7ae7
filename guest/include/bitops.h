#ifndef _GUEST_BITOPS_H
#define _GUEST_BITOPS_H

/*
 * Bit operations on bitmaps of unsigned longs, bit nr of the bitmap at addr
 * being bit (nr % 64) of addr[nr / 64], as Linux's:
 *
 *   set_bit, clear_bit, change_bit            atomic (lock bts/btr/btc), unordered
 *   test_and_set_bit, test_and_clear_bit,     atomic and fully ordered; return the old bit
 *   test_and_change_bit
 *   clear_bit_unlock                          release: for a bit used as a lock
 *   __set_bit, __clear_bit, __change_bit,     not atomic: only for bitmaps nobody else writes
 *   __test_and_set_bit, ...
 *   test_bit                                  a plain read
 *   __ffs, ffz, __fls, fls, ffs, hweight_long, find_first_bit, find_next_bit
 *
 * The atomic ones use the bit-string form of bts/btr/btc (register bit
 * offset, memory operand), which addresses the whole bitmap, not one word.
 */

#include "barrier.h"
#include "compiler.h"
#include "types.h"

#define BITS_PER_LONG 64
#define BIT(nr) (1UL << (nr))
#define BIT_MASK(nr) (1UL << ((nr) % BITS_PER_LONG))
#define BIT_WORD(nr) ((nr) / BITS_PER_LONG)
#define BITS_TO_LONGS(n) (((n) + BITS_PER_LONG - 1) / BITS_PER_LONG)
#define DECLARE_BITMAP(name, bits) unsigned long name[BITS_TO_LONGS(bits)]

/*
 * set_bit/clear_bit/change_bit (lock bts/btr/btc, unordered) and their
 * test_and_ forms (fully ordered, returning the old bit). The whole bitmap
 * may change: a "memory" clobber keeps the compiler honest.
 */
#define BIT_LOCK_OPS(name, insn)                                                                   \
	static inline void name##_bit(long nr, volatile unsigned long *addr)                       \
	{                                                                                          \
		__asm__ __volatile__("lock " insn " %1, %0"                                        \
				     : "+m"(*addr)                                                 \
				     : "r"(nr)                                                     \
				     : "memory", "cc");                                            \
	}                                                                                          \
	static inline bool test_and_##name##_bit(long nr, volatile unsigned long *addr)            \
	{                                                                                          \
		bool old;                                                                          \
                                                                                                   \
		__atomic_pre_full_fence();                                                         \
		__asm__ __volatile__("lock " insn " %2, %0"                                        \
				     : "+m"(*addr), "=@ccc"(old)                                   \
				     : "r"(nr)                                                     \
				     : "memory");                                                  \
		__atomic_post_full_fence();                                                        \
		return old;                                                                        \
	}

BIT_LOCK_OPS(set, "btsq")
BIT_LOCK_OPS(clear, "btrq")
BIT_LOCK_OPS(change, "btcq")

#undef BIT_LOCK_OPS

/* Acquire: for a bit used as a lock (with clear_bit_unlock()). */
static inline bool test_and_set_bit_lock(long nr, volatile unsigned long *addr)
{
	return test_and_set_bit(nr, addr);
}

static inline void clear_bit_unlock(long nr, volatile unsigned long *addr)
{
	smp_mb__before_atomic();
	barrier();
	clear_bit(nr, addr);
}

static inline bool test_bit(long nr, const volatile unsigned long *addr)
{
	return (addr[BIT_WORD(nr)] >> (nr % BITS_PER_LONG)) & 1;
}

/* Non-atomic variants. */
static inline void __set_bit(long nr, volatile unsigned long *addr)
{
	addr[BIT_WORD(nr)] |= BIT_MASK(nr);
}

static inline void __clear_bit(long nr, volatile unsigned long *addr)
{
	addr[BIT_WORD(nr)] &= ~BIT_MASK(nr);
}

static inline void __change_bit(long nr, volatile unsigned long *addr)
{
	addr[BIT_WORD(nr)] ^= BIT_MASK(nr);
}

static inline bool __test_and_set_bit(long nr, volatile unsigned long *addr)
{
	bool old = test_bit(nr, addr);

	__set_bit(nr, addr);
	return old;
}

static inline bool __test_and_clear_bit(long nr, volatile unsigned long *addr)
{
	bool old = test_bit(nr, addr);

	__clear_bit(nr, addr);
	return old;
}

static inline bool __test_and_change_bit(long nr, volatile unsigned long *addr)
{
	bool old = test_bit(nr, addr);

	__change_bit(nr, addr);
	return old;
}

/* Index of the lowest set bit of a non-zero word (plain bsf: gcc's ctz may emit "rep bsf"). */
static inline unsigned int __ffs(unsigned long word)
{
	unsigned long bit;

	__asm__("bsfq %1, %0" : "=r"(bit) : "rm"(word));
	return bit;
}

/* Index of the highest set bit of a non-zero word. */
static inline unsigned int __fls(unsigned long word)
{
	unsigned long bit;

	__asm__("bsrq %1, %0" : "=r"(bit) : "rm"(word));
	return bit;
}

/* Index of the lowest clear bit of a word that is not all ones. */
static inline unsigned int ffz(unsigned long word)
{
	return __ffs(~word);
}

/* 1-based like the C library's: 0 for 0, else the lowest set bit + 1. */
static inline int ffs(int x)
{
	return x ? (int)__ffs((unsigned int)x) + 1 : 0;
}

/* 1-based index of the highest set bit, 0 for 0. */
static inline int fls(unsigned int x)
{
	return x ? (int)__fls(x) + 1 : 0;
}

static inline unsigned int hweight_long(unsigned long w)
{
	unsigned int n = 0;

	for (; w; w &= w - 1)
		n++;
	return n;
}

/* The first set bit at or after offset in a bitmap of size bits, or size. */
static inline unsigned long find_next_bit(const unsigned long *addr, unsigned long size,
					  unsigned long offset)
{
	unsigned long word;

	if (offset >= size)
		return size;
	word = addr[BIT_WORD(offset)] & (~0UL << (offset % BITS_PER_LONG));
	offset -= offset % BITS_PER_LONG;
	for (;;) {
		if (word) {
			offset += __ffs(word);
			return offset < size ? offset : size;
		}
		offset += BITS_PER_LONG;
		if (offset >= size)
			return size;
		word = addr[BIT_WORD(offset)];
	}
}

static inline unsigned long find_first_bit(const unsigned long *addr, unsigned long size)
{
	return find_next_bit(addr, size, 0);
}

/* The first clear bit at or after offset, or size. */
static inline unsigned long find_next_zero_bit(const unsigned long *addr, unsigned long size,
					       unsigned long offset)
{
	unsigned long word;

	if (offset >= size)
		return size;
	word = ~addr[BIT_WORD(offset)] & (~0UL << (offset % BITS_PER_LONG));
	offset -= offset % BITS_PER_LONG;
	for (;;) {
		if (word) {
			offset += __ffs(word);
			return offset < size ? offset : size;
		}
		offset += BITS_PER_LONG;
		if (offset >= size)
			return size;
		word = ~addr[BIT_WORD(offset)];
	}
}

#define for_each_set_bit(bit, addr, size)                                                          \
	for ((bit) = find_first_bit((addr), (size)); (bit) < (size);                               \
	     (bit) = find_next_bit((addr), (size), (bit) + 1))

#endif /* _GUEST_BITOPS_H */
