/*
 * The softirq side of the preempt count. Softirqs themselves come later:
 * local_bh_enable() is where pending ones will run once the count drops to
 * zero outside interrupts.
 */

#include "preempt.h"

DEFINE_PER_CPU(unsigned int, __preempt_count);

void local_bh_enable(void)
{
	preempt_count_sub(SOFTIRQ_DISABLE_OFFSET);
	/* Later: if (!in_interrupt() && local_softirq_pending()) do_softirq(); */
}
