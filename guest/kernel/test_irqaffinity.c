/*
 * IRQ affinity through the I/O APIC.
 */

#include "asm/io_apic.h"
#include "asm/irq.h"
#include "selftest.h"
#include "spinlock.h"

/*
 * IRQ affinity: IRQ0's I/O APIC entry (the PIT, idle since the local APIC
 * timers took over) is pointed at each CPU in turn; while the PIT runs, only
 * that CPU may count IRQ0. The affinity in force before the test comes back.
 */
static void test_irqaffinity(void)
{
	cpumask_t saved = irq_desc[0].affinity;
	unsigned int target, cpu, tried = 0, bad = 0;

	for_each_online_cpu(target)
	{
		unsigned int before[NR_CPUS];
		cpumask_t mask = cpumask_of(target);
		unsigned long start;

		for_each_online_cpu(cpu) before[cpu] = per_cpu(kstat_irqs, cpu)[0];
		tried++;
		if (irq_set_affinity(0, &mask)) {
			bad++;
			continue;
		}
		setup_pit_timer();
		enable_irq(0);
		start = jiffies;
		while (per_cpu(kstat_irqs, target)[0] - before[target] < 2 && jiffies - start < 50)
			safe_halt();
		disable_irq(0);
		pit_stop();
		/* Let an IRQ0 already on its way land before counting. */
		start = jiffies;
		while (jiffies - start < 2)
			safe_halt();
		for_each_online_cpu(cpu)
		{
			bool counted = per_cpu(kstat_irqs, cpu)[0] != before[cpu];

			if (counted != (cpu == target))
				bad++;
		}
	}
	irq_set_affinity(0, &saved);
	selftest_report("irqaffinity", !bad, "%u misdirected or missing IRQ0 counts over %u CPUs",
			bad, tried);
}

DEFINE_SELFTEST(selftest_irqaffinity, "irqaffinity", test_irqaffinity, 0);
