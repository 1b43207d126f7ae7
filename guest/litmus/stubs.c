/*
 * What the guest's kernel/rcu.c needs from the rest of the kernel, for the
 * LKMM litmus harness: per-CPU bookkeeping (arch/x86/smpboot.c), the online
 * mask (mpparse.c), the softirq plumbing that runs RCU callbacks
 * (kernel/softirq.c, reduced to running the pending handlers) and panic().
 * RCU itself is the guest's own kernel/rcu.c, unchanged.
 */

#include "asm/percpu.h"
#include "asm/processor.h"
#include "asm/timer.h"
#include "cpumask.h"
#include "interrupt.h"
#include "kernel.h"
#include "preempt.h"

void __noreturn lkmm_panic(const char *msg);

DEFINE_PER_CPU(unsigned long, this_cpu_off);
DEFINE_PER_CPU(unsigned int, cpu_number);
DEFINE_PER_CPU(unsigned int, __preempt_count);
DEFINE_PER_CPU(unsigned int, softirq_pending);
unsigned long __per_cpu_offset[NR_CPUS];
cpumask_t cpu_online_mask;
unsigned int nr_cpu_ids;
/* synchronize_rcu() spins for tsc_per_jiffy / 100 before it halts: never halt, no tick comes. */
u64 tsc_per_jiffy = ~0ULL;

static void (*softirq_action[NR_SOFTIRQS])(void);

void open_softirq(unsigned int nr, void (*action)(void))
{
	softirq_action[nr] = action;
}

void raise_softirq_irqoff(unsigned int nr)
{
	__asm__ __volatile__("orl %1, %%gs:%0" : "+m"(softirq_pending) : "ri"(1U << nr) : "cc");
}

void raise_softirq(unsigned int nr)
{
	unsigned long flags = local_irq_save();

	raise_softirq_irqoff(nr);
	local_irq_restore(flags);
}

void do_softirq(void)
{
	unsigned long flags;
	unsigned int pending, nr;

	if (in_interrupt())
		return;
	flags = local_irq_save();
	pending = local_softirq_pending();
	if (pending) {
		this_cpu_write(softirq_pending, 0);
		preempt_count_add(SOFTIRQ_OFFSET);
		local_irq_enable();
		for (nr = 0; nr < NR_SOFTIRQS; nr++)
			if ((pending & (1U << nr)) && softirq_action[nr])
				softirq_action[nr]();
		local_irq_disable();
		preempt_count_sub(SOFTIRQ_OFFSET);
	}
	local_irq_restore(flags);
}

void local_bh_enable(void)
{
	preempt_count_sub(SOFTIRQ_DISABLE_OFFSET);
	if (!in_interrupt() && local_softirq_pending() && !irqs_disabled())
		do_softirq();
}

void panic(const char *fmt, ...)
{
	lkmm_panic(fmt);
}
