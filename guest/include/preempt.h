#ifndef _GUEST_PREEMPT_H
#define _GUEST_PREEMPT_H

/*
 * The per-CPU preempt count, laid out as Linux's:
 *
 *   bits  0- 7  preemption disable depth (nothing preempts this kernel yet; kept for the layout)
 *   bits  8-15  softirq: bit 8 while softirqs run, +2 per local_bh_disable()
 * (SOFTIRQ_DISABLE_OFFSET) bits 16-19  hard interrupt nesting (irq_enter/irq_exit in do_IRQ) bits
 * 20-23  NMI nesting
 *
 * Only the CPU itself changes its count, each time with one %gs-relative
 * instruction, so interrupts on the same CPU cannot tear it.
 */

#include "asm/percpu.h"
#include "barrier.h"
#include "compiler.h"

#define PREEMPT_BITS 8
#define SOFTIRQ_BITS 8
#define HARDIRQ_BITS 4
#define NMI_BITS 4

#define PREEMPT_SHIFT 0
#define SOFTIRQ_SHIFT (PREEMPT_SHIFT + PREEMPT_BITS)
#define HARDIRQ_SHIFT (SOFTIRQ_SHIFT + SOFTIRQ_BITS)
#define NMI_SHIFT (HARDIRQ_SHIFT + HARDIRQ_BITS)

#define __IRQ_MASK(x) ((1UL << (x)) - 1)
#define PREEMPT_MASK (__IRQ_MASK(PREEMPT_BITS) << PREEMPT_SHIFT)
#define SOFTIRQ_MASK (__IRQ_MASK(SOFTIRQ_BITS) << SOFTIRQ_SHIFT)
#define HARDIRQ_MASK (__IRQ_MASK(HARDIRQ_BITS) << HARDIRQ_SHIFT)
#define NMI_MASK (__IRQ_MASK(NMI_BITS) << NMI_SHIFT)

#define PREEMPT_OFFSET (1UL << PREEMPT_SHIFT)
#define SOFTIRQ_OFFSET (1UL << SOFTIRQ_SHIFT)
#define HARDIRQ_OFFSET (1UL << HARDIRQ_SHIFT)
#define NMI_OFFSET (1UL << NMI_SHIFT)
/* local_bh_disable() adds twice SOFTIRQ_OFFSET: bit 8 alone means "softirqs are running". */
#define SOFTIRQ_DISABLE_OFFSET (2 * SOFTIRQ_OFFSET)

DECLARE_PER_CPU(unsigned int, __preempt_count);

static inline unsigned int preempt_count(void)
{
	unsigned int count;

	__asm__ __volatile__("movl %%gs:%1, %0" : "=r"(count) : "m"(__preempt_count));
	return count;
}

static inline void __preempt_count_add(unsigned int val)
{
	__asm__ __volatile__("addl %1, %%gs:%0" : "+m"(__preempt_count) : "ri"(val) : "cc");
}

static inline void __preempt_count_sub(unsigned int val)
{
	__asm__ __volatile__("subl %1, %%gs:%0" : "+m"(__preempt_count) : "ri"(val) : "cc");
}

/* The compiler barriers keep the protected accesses inside. */
#define preempt_count_add(val)                                                                     \
	do {                                                                                       \
		__preempt_count_add(val);                                                          \
		barrier();                                                                         \
	} while (0)
#define preempt_count_sub(val)                                                                     \
	do {                                                                                       \
		barrier();                                                                         \
		__preempt_count_sub(val);                                                          \
	} while (0)

#define preempt_disable() preempt_count_add(PREEMPT_OFFSET)
#define preempt_enable() preempt_count_sub(PREEMPT_OFFSET)

#define hardirq_count() (preempt_count() & HARDIRQ_MASK)
#define softirq_count() (preempt_count() & SOFTIRQ_MASK)
#define irq_count() (preempt_count() & (HARDIRQ_MASK | SOFTIRQ_MASK | NMI_MASK))

#define in_nmi() (preempt_count() & NMI_MASK)
#define in_hardirq() (hardirq_count())
#define in_irq() in_hardirq()
/* Softirqs are running or disabled. */
#define in_softirq() (softirq_count())
/* Softirqs are running (not merely disabled). */
#define in_serving_softirq() (softirq_count() & SOFTIRQ_OFFSET)
#define in_interrupt() (irq_count())
#define in_task() (!(preempt_count() & (NMI_MASK | HARDIRQ_MASK | SOFTIRQ_OFFSET)))

/* Around every hardware interrupt handler (do_IRQ). */
#define irq_enter() preempt_count_add(HARDIRQ_OFFSET)
/*
 * Drops the hard-irq count and runs pending softirqs if that leaves no
 * interrupt context (kernel/softirq.c).
 */
void irq_exit(void);

/* Bottom halves: no softirq runs on this CPU between these (kernel/softirq.c). */
static inline void local_bh_disable(void)
{
	preempt_count_add(SOFTIRQ_DISABLE_OFFSET);
}

/* Runs pending softirqs when the count drops to zero outside interrupts, interrupts on. */
void local_bh_enable(void);

#endif /* _GUEST_PREEMPT_H */
