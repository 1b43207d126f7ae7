#ifndef _GUEST_BARRIER_H
#define _GUEST_BARRIER_H

/*
 * Memory barriers and once-only accesses.
 *
 *   barrier()            compiler barrier only
 *   mb()/rmb()/wmb()     mandatory barriers (also order device accesses): mfence, lfence, sfence
 *   smp_mb()             full barrier between CPUs: a locked add to the stack, which orders like
 *                        mfence for ordinary memory and is cheaper on most x86 parts
 *   smp_rmb()/smp_wmb()  load-load / store-store ordering between CPUs
 *   READ_ONCE/WRITE_ONCE one access of the whole scalar, neither torn, fused nor repeated
 *   smp_load_acquire()   load, then no later access moves before it
 *   smp_store_release()  no earlier access moves after it, then store
 *
 * Two flavours, chosen at build time (CMake option GUEST_WEAK_BARRIERS, CONFIG_WEAK_BARRIERS):
 *
 *   x86 (default)  TSO: loads are not reordered with loads, stores not with stores, so smp_rmb(),
 *                  smp_wmb(), acquire and release are compiler barriers, as in Linux on x86.
 *   weak           for a CPU that may commit stores out of order and serve loads from stale lines
 *                  (smpsim --model weak): smp_wmb() is sfence, smp_rmb() is lfence, release is
 *                  sfence + store, acquire is load + lfence, READ_ONCE() is load + smp_rmb()
 *                  (it orders the loads whose address it gives), and the value-returning
 *                  atomics (atomic.h, bitops.h) get an smp_mb() on each side.
 */

#include "compiler.h"
#include "types.h"

#ifndef CONFIG_WEAK_BARRIERS
#define CONFIG_WEAK_BARRIERS 0
#endif

#define mb() __asm__ __volatile__("mfence" : : : "memory")
#define rmb() __asm__ __volatile__("lfence" : : : "memory")
#define wmb() __asm__ __volatile__("sfence" : : : "memory")

/* A locked no-op on the stack: a full barrier that does not touch shared data. */
#define __smp_mb_locked() __asm__ __volatile__("lock addl $0, -4(%%rsp)" : : : "memory", "cc")

#if CONFIG_WEAK_BARRIERS
#define smp_mb() mb()
#define smp_rmb() rmb()
#define smp_wmb() wmb()
/* Full ordering around the value-returning atomic operations. */
#define __atomic_pre_full_fence() smp_mb()
#define __atomic_post_full_fence() smp_mb()
#else
#define smp_mb() __smp_mb_locked()
#define smp_rmb() barrier()
#define smp_wmb() barrier()
/* Locked instructions are full barriers on x86. */
#define __atomic_pre_full_fence() barrier()
#define __atomic_post_full_fence() barrier()
#endif

/* Around the non-value-returning atomics (atomic_inc(), set_bit(), ...) when they must order. */
#define smp_mb__before_atomic() __atomic_pre_full_fence()
#define smp_mb__after_atomic() __atomic_post_full_fence()

/* A control dependency (a loop waiting for a value) plus this orders later loads: acquire. */
#define smp_acquire__after_ctrl_dep() smp_rmb()

#define __scalar_type_ok(x) (sizeof(x) == 1 || sizeof(x) == 2 || sizeof(x) == 4 || sizeof(x) == 8)
#define compiletime_assert_rwonce(x)                                                               \
	_Static_assert(__scalar_type_ok(x), "READ_ONCE/WRITE_ONCE on a non-scalar")

/* The load alone, for the primitives below that put their own barrier after it. */
#define __READ_ONCE(x) (*(const volatile __typeof__(x) *)&(x))

#if CONFIG_WEAK_BARRIERS
/*
 * The LKMM orders a load whose address comes from a READ_ONCE() after that READ_ONCE(). The weak
 * CPU's invalidate queue could serve it from a stale line (as Alpha's caches could), so a read
 * barrier follows the load, as in Linux's READ_ONCE() on Alpha: one lfence per READ_ONCE().
 */
#define READ_ONCE(x)                                                                               \
	({                                                                                         \
		compiletime_assert_rwonce(x);                                                      \
		__auto_type __read_once_val = __READ_ONCE(x);                                      \
		smp_rmb();                                                                         \
		__read_once_val;                                                                   \
	})
#else
/* x86 never lets a load pass an older one, so dependent loads are ordered already. */
#define READ_ONCE(x)                                                                               \
	({                                                                                         \
		compiletime_assert_rwonce(x);                                                      \
		__READ_ONCE(x);                                                                    \
	})
#endif

#define WRITE_ONCE(x, val)                                                                         \
	do {                                                                                       \
		compiletime_assert_rwonce(x);                                                      \
		*(volatile __typeof__(x) *)&(x) = (val);                                           \
	} while (0)

#if CONFIG_WEAK_BARRIERS
#define smp_store_release(p, v)                                                                    \
	do {                                                                                       \
		smp_wmb();                                                                         \
		WRITE_ONCE(*(p), (v));                                                             \
	} while (0)

/* The acquire's smp_rmb() also serves as READ_ONCE()'s: one lfence. */
#define smp_load_acquire(p)                                                                        \
	({                                                                                         \
		compiletime_assert_rwonce(*(p));                                                   \
		__typeof__(*(p)) ___p1 = __READ_ONCE(*(p));                                        \
		smp_rmb();                                                                         \
		___p1;                                                                             \
	})
#else
#define smp_store_release(p, v)                                                                    \
	do {                                                                                       \
		barrier();                                                                         \
		WRITE_ONCE(*(p), (v));                                                             \
	} while (0)

#define smp_load_acquire(p)                                                                        \
	({                                                                                         \
		__typeof__(*(p)) ___p1 = READ_ONCE(*(p));                                          \
		barrier();                                                                         \
		___p1;                                                                             \
	})
#endif

/* Stores v, then a full barrier (Linux's smp_store_mb: xchg on x86). */
#define smp_store_mb(var, value)                                                                   \
	do {                                                                                       \
		WRITE_ONCE(var, value);                                                            \
		smp_mb();                                                                          \
	} while (0)

/*
 * Spins until cond (which reads VAL, a once-load of *ptr) holds; acquire ordering. The loads of the
 * loop need no barrier each: the one after the loop orders what follows.
 */
#define smp_cond_load_acquire(ptr, cond_expr)                                                      \
	({                                                                                         \
		__typeof__(*(ptr)) VAL;                                                            \
		compiletime_assert_rwonce(*(ptr));                                                 \
		for (;;) {                                                                         \
			VAL = __READ_ONCE(*(ptr));                                                 \
			if (cond_expr)                                                             \
				break;                                                             \
			__asm__ __volatile__("pause" : : : "memory");                              \
		}                                                                                  \
		smp_acquire__after_ctrl_dep();                                                     \
		VAL;                                                                               \
	})

/*
 * Deliberately broken builds, only for the LKMM litmus suite to show that it catches them (smpsim
 * litmus --guest-debug): smp_rmb() (and so acquire and READ_ONCE() on the weak build) as a compiler
 * barrier, or smp_store_release() as a plain once-store. The kernel is never built with them.
 */
#ifdef CONFIG_DEBUG_BROKEN_SMP_RMB
#undef smp_rmb
#define smp_rmb() barrier()
#endif
#ifdef CONFIG_DEBUG_BROKEN_SMP_STORE_RELEASE
#undef smp_store_release
#define smp_store_release(p, v) WRITE_ONCE(*(p), (v))
#endif

#endif /* _GUEST_BARRIER_H */
