/*
 * The softirq side of the preempt count and the softirq core: the vector
 * of handlers, the per-CPU pending mask, irq_exit(), local_bh_enable() and
 * the idle loop's deferred run.
 */

#include "interrupt.h"
#include "asm/processor.h"
#include "asm/smpsim.h"
#include "bitops.h"
#include "kernel.h"
#include "preempt.h"

DEFINE_PER_CPU(unsigned int, __preempt_count);
DEFINE_PER_CPU(unsigned int, softirq_pending);
DEFINE_PER_CPU(unsigned int[NR_SOFTIRQS], softirq_count_per_vec);
DEFINE_PER_CPU(unsigned int, softirq_deferred);
/* Set when __do_softirq() left work behind: the idle loop picks it up. */
static DEFINE_PER_CPU(unsigned int, softirq_defer_to_idle);

static struct softirq_action softirq_vec[NR_SOFTIRQS];

static const char *const softirq_names[NR_SOFTIRQS] = {
	[HI_SOFTIRQ] = "HI",	       [TIMER_SOFTIRQ] = "TIMER", [NET_TX_SOFTIRQ] = "NET_TX",
	[NET_RX_SOFTIRQ] = "NET_RX", [RCU_SOFTIRQ] = "RCU",
};

const char *softirq_name(unsigned int nr)
{
	return nr < NR_SOFTIRQS ? softirq_names[nr] : "?";
}

void open_softirq(unsigned int nr, void (*action)(void))
{
	softirq_vec[nr].action = action;
}

/* Only this CPU changes its mask, with one %gs-relative instruction. */
static inline void or_softirq_pending(unsigned int bits)
{
	__asm__ __volatile__("orl %1, %%gs:%0" : "+m"(softirq_pending) : "ri"(bits) : "cc");
}

void raise_softirq_irqoff(unsigned int nr)
{
	or_softirq_pending(1U << nr);
	/*
	 * Outside interrupts nobody runs it on the way out: the next irq_exit(),
	 * local_bh_enable() or idle-loop pass will.
	 */
}

void raise_softirq(unsigned int nr)
{
	unsigned long flags = local_irq_save();

	raise_softirq_irqoff(nr);
	local_irq_restore(flags);
}

/* Interrupts off on entry and on return; on while the handlers run. */
static void __do_softirq(void)
{
	unsigned int restart = MAX_SOFTIRQ_RESTART;
	unsigned int pending = local_softirq_pending();
	unsigned int cpu = smp_processor_id();

	preempt_count_add(SOFTIRQ_OFFSET);
	smpsim_region_begin(cpu, SMPSIM_REGION_SOFTIRQ);
	for (;;) {
		this_cpu_write(softirq_pending, 0);
		local_irq_enable();
		while (pending) {
			unsigned int nr = __ffs(pending);

			pending &= ~(1U << nr);
			this_cpu_inc(softirq_count_per_vec[nr]);
			if (softirq_vec[nr].action) {
				smpsim_region_begin(cpu, SMPSIM_REGION_SOFTIRQ_VEC + nr);
				softirq_vec[nr].action();
				smpsim_region_end(cpu, SMPSIM_REGION_SOFTIRQ_VEC + nr);
			}
		}
		local_irq_disable();
		pending = local_softirq_pending();
		if (!pending)
			break;
		if (!--restart) {
			/* Too much at once: the rest waits for the idle loop (ksoftirqd's job). */
			this_cpu_inc(softirq_deferred);
			this_cpu_write(softirq_defer_to_idle, 1);
			break;
		}
	}
	smpsim_region_end(cpu, SMPSIM_REGION_SOFTIRQ);
	preempt_count_sub(SOFTIRQ_OFFSET);
}

void do_softirq(void)
{
	unsigned long flags;

	if (in_interrupt())
		return;
	flags = local_irq_save();
	if (local_softirq_pending())
		__do_softirq();
	local_irq_restore(flags);
}

void run_idle_softirqs(void)
{
	this_cpu_write(softirq_defer_to_idle, 0);
	if (local_softirq_pending() && !in_interrupt())
		__do_softirq();
}

/* Leaving a hardware interrupt handler (interrupts off). */
void irq_exit(void)
{
	preempt_count_sub(HARDIRQ_OFFSET);
	/* Not nested in another handler, in softirqs or in a bh-disabled section. */
	if (!in_interrupt() && local_softirq_pending())
		__do_softirq();
}

void local_bh_enable(void)
{
	preempt_count_sub(SOFTIRQ_DISABLE_OFFSET);
	/* With interrupts off the caller must not get them enabled under its feet: left for later. */
	if (!in_interrupt() && local_softirq_pending() && !irqs_disabled()) {
		unsigned long flags = local_irq_save();

		if (local_softirq_pending())
			__do_softirq();
		local_irq_restore(flags);
	}
}
