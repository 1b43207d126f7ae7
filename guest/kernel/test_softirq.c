/*
 * Softirqs: raised and run on the right CPU, in softirq context, chained.
 */

#include "interrupt.h"
#include "kernel.h"
#include "selftest.h"
#include "smp.h"
#include "spinlock.h"

#define SOFTIRQ_CHAIN 25 /* rounds the re-raising handler asks for */

static DEFINE_PER_CPU(unsigned int, softirq_hits);
static DEFINE_PER_CPU(unsigned int, softirq_bad_context);
static DEFINE_PER_CPU(unsigned int, softirq_chain_runs);

static void test_softirq_action(void)
{
	/* Serving softirqs, interrupts on, not in hard-irq context. */
	if (!in_serving_softirq() || irqs_disabled() || in_hardirq())
		this_cpu_inc(softirq_bad_context);
	this_cpu_inc(softirq_hits);
}

/* Raises itself again until SOFTIRQ_CHAIN runs: more than one __do_softirq() allows. */
static void test_softirq_chain(void)
{
	this_cpu_inc(softirq_chain_runs);
	if (this_cpu_read(softirq_chain_runs) < SOFTIRQ_CHAIN)
		raise_softirq(NET_TX_SOFTIRQ);
}

static atomic_t softirq_bad;

static void softirq_worker(void *arg)
{
	unsigned int deferred = this_cpu_read(softirq_deferred);

	/* Raised with bottom halves off: nothing runs until local_bh_enable(). */
	local_bh_disable();
	raise_softirq(NET_RX_SOFTIRQ);
	spin_delay(2000);
	if (this_cpu_read(softirq_hits) != 0)
		atomic_inc(&softirq_bad);
	local_bh_enable();
	if (this_cpu_read(softirq_hits) != 1 || this_cpu_read(softirq_bad_context))
		atomic_inc(&softirq_bad);

	/* A chain longer than the restart limit: the rest is deferred (idle loop or next irq_exit).
	 */
	local_bh_disable();
	raise_softirq(NET_TX_SOFTIRQ);
	local_bh_enable();
	if (this_cpu_read(softirq_chain_runs) < MAX_SOFTIRQ_RESTART ||
	    this_cpu_read(softirq_deferred) == deferred)
		atomic_inc(&softirq_bad);
}

static void test_softirq(void)
{
	unsigned int cpu, missing = 0;
	u64 start;

	for_each_online_cpu(cpu)
	{
		per_cpu(softirq_hits, cpu) = 0;
		per_cpu(softirq_bad_context, cpu) = 0;
		per_cpu(softirq_chain_runs, cpu) = 0;
	}
	atomic_set(&softirq_bad, 0);
	open_softirq(NET_RX_SOFTIRQ, test_softirq_action);
	open_softirq(NET_TX_SOFTIRQ, test_softirq_chain);
	run_on_each_cpu(softirq_worker, NULL);
	/* The deferred rounds: up to 1 s. */
	start = rdtsc();
	for (;;) {
		missing = 0;
		for_each_online_cpu(cpu) missing +=
			READ_ONCE(per_cpu(softirq_chain_runs, cpu)) != SOFTIRQ_CHAIN;
		if (!missing || rdtsc() - start > ms_to_tsc(1000))
			break;
		safe_halt();
	}
	for_each_online_cpu(cpu)
	{
		if (per_cpu(softirq_hits, cpu) != 1 || per_cpu(softirq_bad_context, cpu))
			atomic_inc(&softirq_bad);
		printk(MACHINE_DEPENDENT "softirq: CPU%u ran NET_RX %u times, NET_TX %u times, "
					 "deferred to the idle loop %u times\n",
		       cpu, per_cpu(softirq_hits, cpu), per_cpu(softirq_chain_runs, cpu),
		       per_cpu(softirq_deferred, cpu));
	}
	open_softirq(NET_RX_SOFTIRQ, NULL);
	open_softirq(NET_TX_SOFTIRQ, NULL);
	selftest_report("softirq", !atomic_read(&softirq_bad) && !missing,
			"%d bad checks, %u CPUs did not finish the deferred chain",
			atomic_read(&softirq_bad), missing);
}

DEFINE_SELFTEST(selftest_softirq, "softirq", test_softirq, 0);
