/*
 * Classic RCU for a non-preemptible kernel: quiescent states, grace-period
 * detection, call_rcu() callbacks batched per CPU, synchronize_rcu().
 *
 * Grace periods are numbered: rcu_state.gp_started is the last one
 * started, rcu_state.gp_completed the last one over (equal: none running).
 * Starting one fills qsmask with the online CPUs; each CPU, once it has
 * noticed the new number and then passed through a quiescent state, clears
 * its bit; the one that clears the last bit ends the grace period and, if
 * more callbacks wait, starts the next.
 *
 * Callbacks of each CPU sit in three lists: "next" (queued, no grace
 * period assigned), "wait" (need grace period wait_gp to end) and "done"
 * (ready, run by RCU_SOFTIRQ). All per-CPU state is changed by its CPU with
 * interrupts off.
 */

#include "asm/percpu.h"
#include "asm/processor.h"
#include "asm/smpsim.h"
#include "asm/timer.h"
#include "cpumask.h"
#include "interrupt.h"
#include "kernel.h"
#include "rcupdate.h"
#include "smp.h"
#include "spinlock.h"

static struct {
	spinlock_t lock;
	unsigned long gp_started;
	unsigned long gp_completed;
	bool gp_wanted; /* callbacks wait for a grace period after gp_started */
	cpumask_t qsmask;
} rcu_state = { .lock = __SPIN_LOCK_UNLOCKED };

struct rcu_cblist {
	struct rcu_head *head, *tail;
};

struct rcu_data {
	unsigned long gp_seen; /* the grace period this CPU last noticed */
	bool qs_pending;       /* it still owes a quiescent state for gp_seen */
	bool passed_qs;	       /* it passed through one since it noticed gp_seen */
	struct rcu_cblist next, wait, done;
	unsigned long wait_gp;
};

static DEFINE_PER_CPU(struct rcu_data, rcu_data);

static void cblist_append(struct rcu_cblist *to, struct rcu_cblist *from)
{
	if (!from->head)
		return;
	if (to->tail)
		to->tail->next = from->head;
	else
		to->head = from->head;
	to->tail = from->tail;
	from->head = from->tail = NULL;
}

unsigned long rcu_gp_completed(void)
{
	return smp_load_acquire(&rcu_state.gp_completed);
}

const unsigned long *rcu_gp_started_ptr(void)
{
	return &rcu_state.gp_started;
}

/* rcu_state.lock held. */
static void rcu_start_gp(void)
{
	if (!rcu_state.gp_wanted || rcu_state.gp_started != rcu_state.gp_completed)
		return;
	rcu_state.gp_wanted = false;
	rcu_state.qsmask = cpu_online_mask;
	/* Whoever sees the new number also sees the mask. */
	smp_store_release(&rcu_state.gp_started, rcu_state.gp_started + 1);
	smpsim_marker(SMPSIM_RCU_GP_START, rcu_state.gp_started);
}

/* A new grace period? Then a quiescent state is owed, counted from now on. */
static void rcu_check_new_gp(struct rcu_data *rdp)
{
	unsigned long gp = smp_load_acquire(&rcu_state.gp_started);

	if (rdp->gp_seen == gp)
		return;
	rdp->gp_seen = gp;
	rdp->passed_qs = false;
	rdp->qs_pending = gp != READ_ONCE(rcu_state.gp_completed);
	/* The readers before this point are over before the QS that is reported later. */
	smp_mb();
}

static void rcu_report_qs(struct rcu_data *rdp)
{
	unsigned int cpu = smp_processor_id();

	if (!rdp->qs_pending || !rdp->passed_qs)
		return;
	rdp->qs_pending = false;
	/* This CPU's earlier read-side sections end before the report. */
	smp_mb();
	spin_lock(&rcu_state.lock);
	if (rdp->gp_seen == rcu_state.gp_started &&
	    rcu_state.gp_started != rcu_state.gp_completed &&
	    cpumask_test_cpu(cpu, &rcu_state.qsmask)) {
		cpumask_clear_cpu(cpu, &rcu_state.qsmask);
		if (!rcu_state.qsmask.bits) {
			smp_store_release(&rcu_state.gp_completed, rcu_state.gp_started);
			smpsim_marker(SMPSIM_RCU_GP_END, rcu_state.gp_started);
			rcu_start_gp();
		}
	}
	spin_unlock(&rcu_state.lock);
}

/* Moves callbacks along: wait -> done when their grace period is over, next -> wait. */
static void rcu_advance_cbs(struct rcu_data *rdp)
{
	if (rdp->wait.head && (long)(rcu_gp_completed() - rdp->wait_gp) >= 0)
		cblist_append(&rdp->done, &rdp->wait);
	if (!rdp->wait.head && rdp->next.head) {
		spin_lock(&rcu_state.lock);
		/* A grace period that starts after now: the one after the current (if any). */
		rdp->wait_gp = rcu_state.gp_started + 1;
		rcu_state.gp_wanted = true;
		rcu_start_gp();
		spin_unlock(&rcu_state.lock);
		cblist_append(&rdp->wait, &rdp->next);
	}
}

/* Interrupts off. */
static void rcu_process(struct rcu_data *rdp)
{
	rcu_check_new_gp(rdp);
	rcu_report_qs(rdp);
	rcu_advance_cbs(rdp);
}

static bool rcu_work_pending(struct rcu_data *rdp)
{
	return rdp->qs_pending || rdp->next.head || rdp->wait.head || rdp->done.head ||
	       rdp->gp_seen != READ_ONCE(rcu_state.gp_started);
}

static void rcu_softirq(void)
{
	struct rcu_data *rdp = this_cpu_ptr(&rcu_data);
	struct rcu_head *head;
	unsigned long flags = local_irq_save();

	rcu_process(rdp);
	head = rdp->done.head;
	rdp->done.head = rdp->done.tail = NULL;
	local_irq_restore(flags);

	while (head) {
		struct rcu_head *next = head->next;

		head->func(head);
		head = next;
	}
}

void rcu_sched_clock_irq(bool qs)
{
	struct rcu_data *rdp = this_cpu_ptr(&rcu_data);

	if (qs)
		rdp->passed_qs = true;
	if (rcu_work_pending(rdp))
		raise_softirq_irqoff(RCU_SOFTIRQ);
}

void rcu_idle_qs(void)
{
	struct rcu_data *rdp = this_cpu_ptr(&rcu_data);

	rcu_check_new_gp(rdp);
	rdp->passed_qs = true;
	rcu_report_qs(rdp);
	/*
	 * Only when the softirq has something to do: new callbacks that can start
	 * waiting (nothing waits yet), waiting ones whose grace period is over, done
	 * ones. New callbacks behind a wait in progress stay until it ends: raising
	 * the softirq for them would make the idle loop spin instead of halting until
	 * the other CPUs' quiescent states.
	 */
	if ((rdp->next.head && !rdp->wait.head) || rdp->done.head ||
	    (rdp->wait.head && (long)(rcu_gp_completed() - rdp->wait_gp) >= 0))
		raise_softirq_irqoff(RCU_SOFTIRQ);
}

void rcu_all_qs(void)
{
	unsigned long flags;

	if (preempt_count())
		return;
	flags = local_irq_save();
	rcu_idle_qs();
	local_irq_restore(flags);
}

void call_rcu(struct rcu_head *head, rcu_callback_t func)
{
	struct rcu_data *rdp;
	unsigned long flags;

	head->func = func;
	head->next = NULL;
	flags = local_irq_save();
	rdp = this_cpu_ptr(&rcu_data);
	if (rdp->next.tail)
		rdp->next.tail->next = head;
	else
		rdp->next.head = head;
	rdp->next.tail = head;
	local_irq_restore(flags);
}

struct rcu_synchronize {
	struct rcu_head head;
	int done;
};

static void wakeme_after_rcu(struct rcu_head *head)
{
	struct rcu_synchronize *rs = container_of(head, struct rcu_synchronize, head);

	smp_store_release(&rs->done, 1);
}

void synchronize_rcu(void)
{
	struct rcu_synchronize rs = { .done = 0 };
	u64 start = rdtsc(), spin = tsc_per_jiffy / 100; /* 100 us, then sleep between ticks */

	if (irqs_disabled() || in_interrupt() || (preempt_count() & PREEMPT_MASK))
		panic("synchronize_rcu() on CPU%u from atomic context (preempt count %#x)",
		      smp_processor_id(), preempt_count());
	call_rcu(&rs.head, wakeme_after_rcu);
	for (;;) {
		/* The caller holds no RCU reference: a quiescent state, at each pass. */
		local_irq_disable();
		rcu_idle_qs();
		if (local_softirq_pending()) {
			local_irq_enable();
			do_softirq();
		}
		local_irq_disable();
		if (smp_load_acquire(&rs.done))
			break;
		if (rdtsc() - start < spin) {
			/* The others may report soon (idle-loop passes, rcu_all_qs()). */
			local_irq_enable();
			cpu_relax();
			continue;
		}
		safe_halt(); /* until the next tick or IPI */
	}
	local_irq_enable();
}

void rcu_init(void)
{
	open_softirq(RCU_SOFTIRQ, rcu_softirq);
}
