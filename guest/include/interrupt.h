#ifndef _GUEST_INTERRUPT_H
#define _GUEST_INTERRUPT_H

/*
 * Softirqs (kernel/softirq.c): per-CPU bottom halves, raised in a per-CPU
 * pending mask and run, lowest number first, with interrupts on:
 *   - from irq_exit() when the interrupt did not nest in another one or in
 *     softirq/bh-disabled code,
 *   - from local_bh_enable() when the count drops to zero,
 *   - by the idle loop (what ksoftirqd does on Linux) when irq_exit() gave
 *     up after MAX_SOFTIRQ_RESTART rounds of newly raised ones.
 */

#include "asm/percpu.h"
#include "types.h"

enum { HI_SOFTIRQ = 0, TIMER_SOFTIRQ, NET_TX_SOFTIRQ, NET_RX_SOFTIRQ, RCU_SOFTIRQ, NR_SOFTIRQS };

/* Rounds __do_softirq() runs before it leaves the rest to the idle loop. */
#define MAX_SOFTIRQ_RESTART 10

struct softirq_action {
	void (*action)(void);
};

DECLARE_PER_CPU(unsigned int, softirq_pending);
/* Per CPU: how many times each softirq ran, and how often work went to the idle loop. */
DECLARE_PER_CPU(unsigned int[NR_SOFTIRQS], softirq_count_per_vec);
DECLARE_PER_CPU(unsigned int, softirq_deferred);

static inline unsigned int local_softirq_pending(void)
{
	return this_cpu_read(softirq_pending);
}

void open_softirq(unsigned int nr, void (*action)(void));
/* Interrupts off. */
void raise_softirq_irqoff(unsigned int nr);
void raise_softirq(unsigned int nr);
/* Runs the pending softirqs unless in interrupt (or bh-disabled) context. */
void do_softirq(void);
/* The idle loop's part (interrupts off on entry and on return). */
void run_idle_softirqs(void);
const char *softirq_name(unsigned int nr);

#endif /* _GUEST_INTERRUPT_H */
