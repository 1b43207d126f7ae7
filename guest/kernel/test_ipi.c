/*
 * IPIs: every CPU pings every other one, synchronously and not, and on_each_cpu().
 */

#include "kernel.h"
#include "selftest.h"
#include "smp.h"
#include "spinlock.h"
#include "string.h"

struct ipi_ping {
	unsigned int from;
	unsigned int ran_on;
	bool in_irq_context;
	bool irqs_off;
};

static atomic_t ipi_pairs_ok, ipi_pairs_bad;
static unsigned int ipi_bad_from = ~0U, ipi_bad_to = ~0U;
static unsigned long ipi_cycles[NR_CPUS];
static unsigned int ipi_async_hit[NR_CPUS][NR_CPUS];

static void ipi_ping_func(void *info)
{
	struct ipi_ping *ping = info;

	ping->ran_on = smp_processor_id();
	ping->in_irq_context = in_irq();
	ping->irqs_off = irqs_disabled();
}

static void ipi_async_func(void *info)
{
	unsigned int *hit = info;

	WRITE_ONCE(hit[smp_processor_id()], 1);
}

static void ipi_worker(void *arg)
{
	unsigned int self = smp_processor_id();
	unsigned int cpu;
	u64 cycles = 0;

	selftest_rendezvous();
	for_each_online_cpu(cpu)
	{
		struct ipi_ping ping = { .from = self, .ran_on = ~0U };
		u64 t0, t1;
		bool ok;

		if (cpu == self)
			continue;
		t0 = rdtsc();
		ok = smp_call_function_single(cpu, ipi_ping_func, &ping, true) == 0;
		t1 = rdtsc();
		cycles += t1 - t0;
		ok = ok && ping.ran_on == cpu && ping.in_irq_context && ping.irqs_off;
		if (!ok) {
			atomic_inc(&ipi_pairs_bad);
			WRITE_ONCE(ipi_bad_from, self);
			WRITE_ONCE(ipi_bad_to, cpu);
			continue;
		}
		/* The same pair without waiting: the callee raises a flag. */
		smp_call_function_single(cpu, ipi_async_func, ipi_async_hit[self], false);
		t0 = rdtsc();
		while (!READ_ONCE(ipi_async_hit[self][cpu]) && rdtsc() - t0 < ms_to_tsc(1000))
			cpu_relax();
		if (READ_ONCE(ipi_async_hit[self][cpu]))
			atomic_inc(&ipi_pairs_ok);
		else {
			atomic_inc(&ipi_pairs_bad);
			WRITE_ONCE(ipi_bad_from, self);
			WRITE_ONCE(ipi_bad_to, cpu);
		}
	}
	ipi_cycles[self] = selftest_nr_cpus > 1 ? cycles / (selftest_nr_cpus - 1) : 0;
}

static void test_ipi(void)
{
	unsigned int cpu, pairs = selftest_nr_cpus * (selftest_nr_cpus - 1);
	u64 cycles = 0;

	atomic_set(&ipi_pairs_ok, 0);
	atomic_set(&ipi_pairs_bad, 0);
	memset(ipi_async_hit, 0, sizeof(ipi_async_hit));
	run_on_each_cpu(ipi_worker, NULL);
	for_each_online_cpu(cpu) cycles += ipi_cycles[cpu];
	printk(MACHINE_DEPENDENT "ipi: %u ordered pairs, round trip %llu cycles on average\n",
	       pairs, selftest_nr_cpus ? cycles / selftest_nr_cpus : 0);
	selftest_report("ipi",
			atomic_read(&ipi_pairs_ok) == (int)pairs && !atomic_read(&ipi_pairs_bad),
			"%d of %u ordered pairs made the round trip (first failure CPU%u -> CPU%u)",
			atomic_read(&ipi_pairs_ok), pairs, ipi_bad_from, ipi_bad_to);
}

static DEFINE_PER_CPU(unsigned int, on_each_cpu_hits);

static void on_each_cpu_func(void *info)
{
	this_cpu_inc(on_each_cpu_hits);
	atomic_inc((atomic_t *)info);
}

static void test_on_each_cpu(void)
{
	atomic_t total = ATOMIC_INIT(0);
	unsigned int cpu, bad = 0, round;

	for_each_online_cpu(cpu) per_cpu(on_each_cpu_hits, cpu) = 0;
	/* Waiting, then not waiting (polled), then smp_call_function (the others only). */
	on_each_cpu(on_each_cpu_func, &total, true);
	on_each_cpu(on_each_cpu_func, &total, false);
	for (round = 0; round < 1000000 && atomic_read(&total) < 2 * (int)selftest_nr_cpus; round++)
		cpu_relax();
	smp_call_function(on_each_cpu_func, &total, true);
	for_each_online_cpu(cpu)
	{
		if (READ_ONCE(per_cpu(on_each_cpu_hits, cpu)) !=
		    (cpu == smp_processor_id() ? 2U : 3U))
			bad++;
	}
	selftest_report(
		"on_each_cpu", !bad && atomic_read(&total) == 3 * (int)selftest_nr_cpus - 1,
		"%u CPUs ran the function a wrong number of times, %d calls in all (expected %u)",
		bad, atomic_read(&total), 3 * selftest_nr_cpus - 1);
}

DEFINE_SELFTEST(selftest_ipi, "ipi", test_ipi, 0);
DEFINE_SELFTEST(selftest_on_each_cpu, "on_each_cpu", test_on_each_cpu, 0);
