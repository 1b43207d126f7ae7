#ifndef _GUEST_RCUPDATE_H
#define _GUEST_RCUPDATE_H

/*
 * Classic RCU, quiescent-state based, for a kernel without preemption
 * (kernel/rcu.c).
 *
 * Readers: rcu_read_lock()/rcu_read_unlock() raise and drop the preempt
 * count, the _bh flavour disables bottom halves. A CPU passes through a
 * quiescent state when its tick interrupts code with a zero preempt count
 * (idle, or kernel code outside any read-side section), and at each pass of
 * its idle loop. A grace period ends when every CPU that was online at its
 * start has passed through one after the start.
 */

#include "barrier.h"
#include "compiler.h"
#include "preempt.h"
#include "types.h"

struct rcu_head {
	struct rcu_head *next;
	void (*func)(struct rcu_head *head);
};

typedef void (*rcu_callback_t)(struct rcu_head *head);

static inline void rcu_read_lock(void)
{
	preempt_disable();
}

static inline void rcu_read_unlock(void)
{
	preempt_enable();
}

static inline void rcu_read_lock_bh(void)
{
	local_bh_disable();
}

static inline void rcu_read_unlock_bh(void)
{
	local_bh_enable();
}

/* Publishes p: its initialisation is visible before the pointer. */
#define rcu_assign_pointer(p, v) smp_store_release(&(p), (v))
/* Initialising to NULL publishes nothing: no barrier. */
#define RCU_INIT_POINTER(p, v) WRITE_ONCE((p), (v))
/*
 * Loads through the result are ordered after it: the LKMM's address dependency, which READ_ONCE()
 * keeps on every build (its read barrier on the weak one, as in Linux since READ_ONCE() took over
 * smp_read_barrier_depends()). tests/litmus/lkmm/RCU-publish.litmus checks it on --model weak.
 */
#define rcu_dereference(p) READ_ONCE(p)
#define rcu_dereference_bh(p) rcu_dereference(p)
#define rcu_dereference_protected(p, c) (p)
#define rcu_access_pointer(p) READ_ONCE(p)

/* Waits for a full grace period; process context, interrupts on. */
void synchronize_rcu(void);
/* func(head) runs from RCU_SOFTIRQ on this CPU after a grace period. */
void call_rcu(struct rcu_head *head, rcu_callback_t func);

/* From the local tick (in hard-irq context): qs when the interrupted context was a QS. */
void rcu_sched_clock_irq(bool qs);
/*
 * A voluntary quiescent state from process context holding no RCU
 * reference (Linux's cond_resched() does this): no-op inside any
 * read-side, bh-disabled or interrupt context.
 */
void rcu_all_qs(void);
/* From the idle loop (a quiescent state), interrupts off. */
void rcu_idle_qs(void);
void rcu_init(void);

/* Grace periods completed since boot (for the self-tests). */
unsigned long rcu_gp_completed(void);
/*
 * Where the number of the last grace period started is kept: a CPU that has
 * reported its quiescent state owes no other until it changes (the LKMM
 * litmus harness parks waiting CPUs on it).
 */
const unsigned long *rcu_gp_started_ptr(void);

#endif /* _GUEST_RCUPDATE_H */
