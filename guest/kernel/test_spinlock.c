/*
 * Spinlock torture (after locktorture): every CPU increments a counter under
 * one lock; selftest=nolock runs it without the lock and counts the lost updates.
 */

#include "kernel.h"
#include "selftest.h"
#include "setup.h"
#include "smp.h"
#include "spinlock.h"

/* Iteration counts: small, the whole suite runs on an interpreter. */
#define SPIN_LOOPS 3000

static DEFINE_SPINLOCK(torture_lock);
static unsigned long torture_counter;
static unsigned int torture_holder;
static atomic_t torture_overlaps;
static bool torture_nolock;

static void spinlock_worker(void *arg)
{
	unsigned int cpu = smp_processor_id();
	unsigned int i;

	selftest_rendezvous();
	for (i = 0; i < SPIN_LOOPS; i++) {
		unsigned long flags = 0, v;

		if (!torture_nolock) {
			if (i & 1)
				flags = spin_lock_irqsave(&torture_lock);
			else
				spin_lock(&torture_lock);
		}
		WRITE_ONCE(torture_holder, cpu);
		v = READ_ONCE(torture_counter);
		spin_delay(4);
		WRITE_ONCE(torture_counter, v + 1);
		if (READ_ONCE(torture_holder) != cpu)
			atomic_inc(&torture_overlaps);
		if (!torture_nolock) {
			if (i & 1)
				spin_unlock_irqrestore(&torture_lock, flags);
			else
				spin_unlock(&torture_lock);
		}
	}
}

static const char *spinlock_checks(void)
{
	DEFINE_SPINLOCK(lock);
	unsigned long flags;
	unsigned int count = preempt_count();

	if (spin_is_locked(&lock) || !spin_trylock(&lock) || !spin_is_locked(&lock))
		return "trylock of a free lock";
	if (spin_trylock(&lock))
		return "trylock of a held lock succeeded";
	spin_unlock(&lock);
	if (spin_is_locked(&lock))
		return "unlock";
	if (irqs_disabled())
		return "called with interrupts off";
	flags = spin_lock_irqsave(&lock);
	if (!irqs_disabled())
		return "spin_lock_irqsave left interrupts on";
	spin_unlock_irqrestore(&lock, flags);
	if (irqs_disabled())
		return "spin_unlock_irqrestore left interrupts off";
	spin_lock_irq(&lock);
	if (!irqs_disabled())
		return "spin_lock_irq left interrupts on";
	spin_unlock_irq(&lock);
	if (in_softirq() || in_interrupt())
		return "in_softirq/in_interrupt in process context";
	spin_lock_bh(&lock);
	if (!in_softirq() || in_serving_softirq() ||
	    preempt_count() != count + SOFTIRQ_DISABLE_OFFSET)
		return "spin_lock_bh did not disable softirqs";
	spin_unlock_bh(&lock);
	if (preempt_count() != count)
		return "spin_unlock_bh did not restore the preempt count";
	return NULL;
}

/* Returns the number of increments lost. */
static unsigned long spinlock_torture(bool nolock)
{
	torture_nolock = nolock;
	torture_counter = 0;
	atomic_set(&torture_overlaps, 0);
	spin_lock_init(&torture_lock);
	run_on_each_cpu(spinlock_worker, NULL);
	return (unsigned long)selftest_nr_cpus * SPIN_LOOPS - torture_counter;
}

static void test_spinlock(void)
{
	const char *bad = spinlock_checks();
	unsigned long want = (unsigned long)selftest_nr_cpus * SPIN_LOOPS;
	u64 start;
	unsigned long lost;

	if (bad) {
		selftest_report("spinlock", false, "%s", bad);
		return;
	}
	start = rdtsc();
	lost = spinlock_torture(false);
	printk(MACHINE_DEPENDENT "spinlock: %u CPUs x %u increments in %llu cycles\n",
	       selftest_nr_cpus, SPIN_LOOPS, rdtsc() - start);
	selftest_report("spinlock",
			!lost && !atomic_read(&torture_overlaps) && !spin_is_locked(&torture_lock),
			"counter %lu, expected %lu; %d overlapping critical sections",
			torture_counter, want, atomic_read(&torture_overlaps));
}

static void test_spinlock_nolock(void)
{
	unsigned long want = (unsigned long)selftest_nr_cpus * SPIN_LOOPS;
	unsigned long lost = spinlock_torture(true);

	printk("selftest spinlock-nolock: lost %lu of %lu increments\n", lost, want);
	printk(MACHINE_DEPENDENT "spinlock-nolock: %d overlapping critical sections\n",
	       atomic_read(&torture_overlaps));
}

DEFINE_SELFTEST(selftest_spinlock, "spinlock", test_spinlock, 0);
DEFINE_SELFTEST(selftest_spinlock_nolock, "spinlock-nolock", test_spinlock_nolock, SELFTEST_NOLOCK);
