#ifndef _GUEST_ATOMIC_H
#define _GUEST_ATOMIC_H

/*
 * atomic_t (int) and atomic64_t (s64), as Linux's API:
 *
 *   atomic_read/set                          plain once-accesses, no ordering
 *   atomic_add/sub/inc/dec/and/or/xor        lock-prefixed, no return value, unordered (on x86 they
 *                                            are full barriers anyway; use smp_mb__after_atomic())
 *   atomic_{add,sub,inc,dec}_return,         fully ordered (lock xadd, lock cmpxchg, xchg)
 *   atomic_fetch_*, atomic_cmpxchg, atomic_try_cmpxchg, atomic_xchg, atomic_*_and_test,
 *   atomic_add_negative, atomic_add_unless, atomic_inc_not_zero
 *
 * Also the generic xchg(ptr, v) and cmpxchg(ptr, old, new) for 1/2/4/8-byte objects.
 */

#include "barrier.h"
#include "compiler.h"
#include "types.h"

typedef struct {
	int counter;
} atomic_t;

typedef struct {
	s64 counter;
} atomic64_t;

#define ATOMIC_INIT(i)                                                                             \
	{                                                                                          \
		(i)                                                                                \
	}
#define ATOMIC64_INIT(i)                                                                           \
	{                                                                                          \
		(i)                                                                                \
	}

/* Generic exchange and compare-and-exchange (xchg and lock cmpxchg), fully ordered. */
#define xchg(ptr, v)                                                                               \
	({                                                                                         \
		__typeof__(*(ptr)) __x;                                                            \
		__atomic_pre_full_fence();                                                         \
		__x = __atomic_exchange_n((ptr), (v), __ATOMIC_SEQ_CST);                           \
		__atomic_post_full_fence();                                                        \
		__x;                                                                               \
	})

/* Returns the old value; the store happened if it equals old. */
#define cmpxchg(ptr, old, new)                                                                     \
	({                                                                                         \
		__typeof__(*(ptr)) __o = (old);                                                    \
		__atomic_pre_full_fence();                                                         \
		__atomic_compare_exchange_n((ptr), &__o, (new), false, __ATOMIC_SEQ_CST,           \
					    __ATOMIC_SEQ_CST);                                     \
		__atomic_post_full_fence();                                                        \
		__o;                                                                               \
	})

/* true if *ptr was *oldp and is now new; otherwise *oldp gets the current value. */
#define try_cmpxchg(ptr, oldp, new)                                                                \
	({                                                                                         \
		bool __ok;                                                                         \
		__atomic_pre_full_fence();                                                         \
		__ok = __atomic_compare_exchange_n((ptr), (oldp), (new), false, __ATOMIC_SEQ_CST,  \
						   __ATOMIC_SEQ_CST);                              \
		__atomic_post_full_fence();                                                        \
		__ok;                                                                              \
	})

/* A lock-prefixed read-modify-write with no result: atomic_add, atomic64_or, ... */
#define ATOMIC_LOCK_OP(pfx, atype, ctype, sfx, op)                                                 \
	static inline void pfx##_##op(ctype i, atype *v)                                           \
	{                                                                                          \
		__asm__ __volatile__("lock " #op sfx " %1, %0"                                     \
				     : "+m"(v->counter)                                            \
				     : "er"(i)                                                     \
				     : "memory", "cc");                                            \
	}

/*
 * The operations, generated for atomic_t (suffix "l", int) and atomic64_t
 * (suffix "q", s64).
 */
#define ATOMIC_OPS(pfx, atype, ctype, sfx)                                                         \
	static inline ctype pfx##_read(const atype *v)                                             \
	{                                                                                          \
		return READ_ONCE(v->counter);                                                      \
	}                                                                                          \
	static inline void pfx##_set(atype *v, ctype i)                                            \
	{                                                                                          \
		WRITE_ONCE(v->counter, i);                                                         \
	}                                                                                          \
	ATOMIC_LOCK_OP(pfx, atype, ctype, sfx, add)                                                \
	ATOMIC_LOCK_OP(pfx, atype, ctype, sfx, sub)                                                \
	static inline void pfx##_inc(atype *v)                                                     \
	{                                                                                          \
		pfx##_add(1, v);                                                                   \
	}                                                                                          \
	static inline void pfx##_dec(atype *v)                                                     \
	{                                                                                          \
		pfx##_sub(1, v);                                                                   \
	}                                                                                          \
	ATOMIC_LOCK_OP(pfx, atype, ctype, sfx, and)                                                \
	ATOMIC_LOCK_OP(pfx, atype, ctype, sfx, or)                                                 \
	ATOMIC_LOCK_OP(pfx, atype, ctype, sfx, xor)                                                \
	/* The old value. */                                                                       \
	static inline ctype pfx##_fetch_add(ctype i, atype *v)                                     \
	{                                                                                          \
		__atomic_pre_full_fence();                                                         \
		__asm__ __volatile__("lock xadd" sfx " %0, %1"                                     \
				     : "+r"(i), "+m"(v->counter)                                   \
				     :                                                             \
				     : "memory", "cc");                                            \
		__atomic_post_full_fence();                                                        \
		return i;                                                                          \
	}                                                                                          \
	static inline ctype pfx##_fetch_sub(ctype i, atype *v)                                     \
	{                                                                                          \
		return pfx##_fetch_add(-i, v);                                                     \
	}                                                                                          \
	static inline ctype pfx##_add_return(ctype i, atype *v)                                    \
	{                                                                                          \
		return i + pfx##_fetch_add(i, v);                                                  \
	}                                                                                          \
	static inline ctype pfx##_sub_return(ctype i, atype *v)                                    \
	{                                                                                          \
		return pfx##_add_return(-i, v);                                                    \
	}                                                                                          \
	static inline ctype pfx##_inc_return(atype *v)                                             \
	{                                                                                          \
		return pfx##_add_return(1, v);                                                     \
	}                                                                                          \
	static inline ctype pfx##_dec_return(atype *v)                                             \
	{                                                                                          \
		return pfx##_add_return(-1, v);                                                    \
	}                                                                                          \
	/* Returns the old value; v became new if that equals old. */                              \
	static inline ctype pfx##_cmpxchg(atype *v, ctype old, ctype new)                          \
	{                                                                                          \
		return cmpxchg(&v->counter, old, new);                                             \
	}                                                                                          \
	static inline bool pfx##_try_cmpxchg(atype *v, ctype *old, ctype new)                      \
	{                                                                                          \
		return try_cmpxchg(&v->counter, old, new);                                         \
	}                                                                                          \
	static inline ctype pfx##_xchg(atype *v, ctype new)                                        \
	{                                                                                          \
		return xchg(&v->counter, new);                                                     \
	}                                                                                          \
	/* true if the result is zero. */                                                          \
	static inline bool pfx##_sub_and_test(ctype i, atype *v)                                   \
	{                                                                                          \
		bool zero;                                                                         \
		__atomic_pre_full_fence();                                                         \
		__asm__ __volatile__("lock sub" sfx " %2, %0"                                      \
				     : "+m"(v->counter), "=@ccz"(zero)                             \
				     : "er"(i)                                                     \
				     : "memory");                                                  \
		__atomic_post_full_fence();                                                        \
		return zero;                                                                       \
	}                                                                                          \
	static inline bool pfx##_dec_and_test(atype *v)                                            \
	{                                                                                          \
		return pfx##_sub_and_test(1, v);                                                   \
	}                                                                                          \
	static inline bool pfx##_inc_and_test(atype *v)                                            \
	{                                                                                          \
		return pfx##_sub_and_test(-1, v);                                                  \
	}                                                                                          \
	/* true if the result is negative. */                                                      \
	static inline bool pfx##_add_negative(ctype i, atype *v)                                   \
	{                                                                                          \
		bool neg;                                                                          \
		__atomic_pre_full_fence();                                                         \
		__asm__ __volatile__("lock add" sfx " %2, %0"                                      \
				     : "+m"(v->counter), "=@ccs"(neg)                              \
				     : "er"(i)                                                     \
				     : "memory");                                                  \
		__atomic_post_full_fence();                                                        \
		return neg;                                                                        \
	}                                                                                          \
	/* Adds a to v unless v is u; true if it added. */                                         \
	static inline bool pfx##_add_unless(atype *v, ctype a, ctype u)                            \
	{                                                                                          \
		ctype c = pfx##_read(v);                                                           \
		do {                                                                               \
			if (c == u)                                                                \
				return false;                                                      \
		} while (!pfx##_try_cmpxchg(v, &c, c + a));                                        \
		return true;                                                                       \
	}                                                                                          \
	static inline bool pfx##_inc_not_zero(atype *v)                                            \
	{                                                                                          \
		return pfx##_add_unless(v, 1, 0);                                                  \
	}

ATOMIC_OPS(atomic, atomic_t, int, "l")
ATOMIC_OPS(atomic64, atomic64_t, s64, "q")

#undef ATOMIC_OPS
#undef ATOMIC_LOCK_OP

#endif /* _GUEST_ATOMIC_H */
