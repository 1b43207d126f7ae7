#ifndef _GUEST_LKMM_KERNEL_H
#define _GUEST_LKMM_KERNEL_H

/*
 * What an LKMM C litmus test's thread bodies see (smpsim includes this at
 * the top of every translated test): the guest's own primitives, plus the
 * ordering variants Linux derives from them when an architecture does not
 * provide its own (include/linux/atomic/atomic-arch-fallback.h): an
 * _acquire, _release or _relaxed form falls back to the fully ordered
 * operation, as on x86, and atomic_read_acquire/atomic_set_release are
 * smp_load_acquire/smp_store_release of the counter.
 */

#include "atomic.h"
#include "barrier.h"
#include "compiler.h"
#include "lkmm_harness.h"
#include "rcupdate.h"
#include "spinlock.h"
#include "types.h"

typedef long intptr_t;
typedef unsigned long uintptr_t;

/* herd's C is untyped: xchg() or cmpxchg() on an atomic_t acts on its counter (smpsim wraps the pointer). */
#define __lkmm_ptr(p) _Generic((p), atomic_t *: &((atomic_t *)(p))->counter, default: (p))

#define xchg_relaxed(p, v) xchg(p, v)
#define xchg_acquire(p, v) xchg(p, v)
#define xchg_release(p, v) xchg(p, v)
#define cmpxchg_relaxed(p, o, n) cmpxchg(p, o, n)
#define cmpxchg_acquire(p, o, n) cmpxchg(p, o, n)
#define cmpxchg_release(p, o, n) cmpxchg(p, o, n)

#define atomic_read_acquire(v) smp_load_acquire(&(v)->counter)
#define atomic_set_release(v, i) smp_store_release(&(v)->counter, (i))

#define atomic_fetch_inc(v) atomic_fetch_add(1, (v))
#define atomic_fetch_dec(v) atomic_fetch_sub(1, (v))

#define atomic_add_return_relaxed atomic_add_return
#define atomic_add_return_acquire atomic_add_return
#define atomic_add_return_release atomic_add_return
#define atomic_sub_return_relaxed atomic_sub_return
#define atomic_sub_return_acquire atomic_sub_return
#define atomic_sub_return_release atomic_sub_return
#define atomic_inc_return_relaxed atomic_inc_return
#define atomic_inc_return_acquire atomic_inc_return
#define atomic_inc_return_release atomic_inc_return
#define atomic_dec_return_relaxed atomic_dec_return
#define atomic_dec_return_acquire atomic_dec_return
#define atomic_dec_return_release atomic_dec_return
#define atomic_fetch_add_relaxed atomic_fetch_add
#define atomic_fetch_add_acquire atomic_fetch_add
#define atomic_fetch_add_release atomic_fetch_add
#define atomic_fetch_sub_relaxed atomic_fetch_sub
#define atomic_fetch_sub_acquire atomic_fetch_sub
#define atomic_fetch_sub_release atomic_fetch_sub
#define atomic_fetch_inc_relaxed atomic_fetch_inc
#define atomic_fetch_inc_acquire atomic_fetch_inc
#define atomic_fetch_inc_release atomic_fetch_inc
#define atomic_fetch_dec_relaxed atomic_fetch_dec
#define atomic_fetch_dec_acquire atomic_fetch_dec
#define atomic_fetch_dec_release atomic_fetch_dec
#define atomic_xchg_relaxed atomic_xchg
#define atomic_xchg_acquire atomic_xchg
#define atomic_xchg_release atomic_xchg
#define atomic_cmpxchg_relaxed atomic_cmpxchg
#define atomic_cmpxchg_acquire atomic_cmpxchg
#define atomic_cmpxchg_release atomic_cmpxchg
#define atomic_add_negative_relaxed atomic_add_negative
#define atomic_add_negative_acquire atomic_add_negative
#define atomic_add_negative_release atomic_add_negative

#endif /* _GUEST_LKMM_KERNEL_H */
