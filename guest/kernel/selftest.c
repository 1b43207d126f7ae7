/*
 * SMP self-tests, run after bring-up with "selftest" on the command line: the
 * registry and the runner. The tests themselves are in kernel/test_*.c.
 *
 * Each test prints exactly one line, "selftest NAME: PASS" or
 * "selftest NAME: FAIL <why>", that depends only on the outcome; counts that
 * depend on the interleaving of the CPUs (retries, cycles, lost updates) go
 * on "~ " lines. The debug variants (selftest=nolock,noshootdown,norcu) run a test
 * with its protection removed and report what went wrong instead of PASS.
 *
 * The tests that need every CPU run a function on all of them at once
 * (run_on_each_cpu: the APs take it in their idle loop, with interrupts on),
 * and line the CPUs up with a rendezvous before the racy part.
 */

#include "selftest.h"
#include "asm/traps.h"
#include "kernel.h"
#include "setup.h"
#include "spinlock.h"

unsigned int selftest_nr_cpus;
static unsigned int nr_fail;

void selftest_report(const char *name, bool pass, const char *fmt, ...)
{
	char why[160];
	va_list args;

	if (pass) {
		printk("selftest %s: PASS\n", name);
		return;
	}
	va_start(args, fmt);
	vsnprintf(why, sizeof(why), fmt, args);
	va_end(args);
	printk("selftest %s: FAIL %s\n", name, why);
	nr_fail++;
}

/*
 * Reusable rendezvous: the last CPU to arrive starts a new generation. The
 * generation is read before arriving, so a fast CPU that reaches the next
 * rendezvous cannot be confused with the current one.
 */
struct rendezvous {
	atomic_t arrived;
	unsigned int generation;
	cpumask_t here; /* who has arrived in this generation, for the timeout report */
};

static void rendezvous(struct rendezvous *r)
{
	unsigned int gen = READ_ONCE(r->generation);
	unsigned int self = smp_processor_id(), cpu;
	u64 start;

	cpumask_set_cpu(self, &r->here);
	if ((unsigned int)atomic_inc_return(&r->arrived) == selftest_nr_cpus) {
		atomic_set(&r->arrived, 0);
		r->here.bits = 0;
		smp_store_release(&r->generation, gen + 1);
		return;
	}
	start = rdtsc();
	while (smp_load_acquire(&r->generation) == gen) {
		cpu_relax();
		if (start && rdtsc() - start > ms_to_tsc(1000) && self == cpumask_first(&r->here)) {
			start = 0; /* once */
			for_each_online_cpu(cpu)
			{
				if (cpumask_test_cpu(cpu, &r->here))
					continue;
				printk("selftest: CPU%u waits for CPU%u at a rendezvous for 1 s\n",
				       self, cpu);
				trigger_single_cpu_backtrace(cpu);
			}
		}
	}
}

static struct rendezvous start_line;

void selftest_rendezvous(void)
{
	rendezvous(&start_line);
}

/* In the order they run, which is the order of the transcript. */
static const struct selftest *const selftests[] = {
	&selftest_atomic,
	&selftest_bitops,
	&selftest_spinlock,
	&selftest_spinlock_nolock,
	&selftest_seqlock,
	&selftest_rwlock,
	&selftest_mp,
	&selftest_ipi,
	&selftest_on_each_cpu,
	&selftest_tlb,
	&selftest_irqaffinity,
	&selftest_tlb_noshootdown,
	&selftest_softirq,
	&selftest_timer,
	&selftest_rcu,
	&selftest_rcu_norcu,
	&selftest_skbuff,
	&selftest_ip_rcv,
	&selftest_ip_defrag,
	&selftest_ip_fragment,
	&selftest_nf_hooks,
	&selftest_ip_forward,
	&selftest_iptable_filter,
	&selftest_rps,
	&selftest_nf_ct_tcp,
	&selftest_nf_conntrack,
	&selftest_nf_ct_icmp,
	&selftest_nf_ct_early_drop,
	&selftest_nf_ct_gc,
	&selftest_nf_ct_rcu,
	&selftest_nf_ct_rcu_norcu,
	&selftest_nf_nat,
	/* Last: the first resets the simulator's cache-line statistics. */
	&selftest_false_sharing,
	&selftest_false_sharing_padded,
};

void run_selftests(void)
{
	u64 start = rdtsc();
	unsigned int i;

	selftest_nr_cpus = num_online_cpus();
	nr_fail = 0;
	atomic_set(&start_line.arrived, 0);
	for (i = 0; i < ARRAY_SIZE(selftests); i++) {
		const struct selftest *t = selftests[i];

		if (t->variant ? boot_options.selftest_variants & t->variant
			       : !boot_options.selftest_only)
			t->run();
	}
	printk(MACHINE_DEPENDENT "selftest: %llu cycles on CPU%u\n", rdtsc() - start,
	       smp_processor_id());
	printk("selftests: %u failed\n", nr_fail);
}
