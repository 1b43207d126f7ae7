/*
 * Reader-writer lock: readers share it, writers exclude everyone.
 */

#include "kernel.h"
#include "rwlock.h"
#include "selftest.h"
#include "smp.h"

/* Iteration counts: small, the whole suite runs on an interpreter. */
#define RW_ROUNDS 300

static DEFINE_RWLOCK(rw_lock);
static atomic_t rw_inside, rw_max_inside, rw_writers_inside, rw_violations;
static unsigned int rw_timeouts;
static struct {
	unsigned long a;
	unsigned long b;
} rw_pair;

static void rw_note_max(int inside)
{
	int max = atomic_read(&rw_max_inside);

	while (inside > max && !atomic_try_cmpxchg(&rw_max_inside, &max, inside))
		;
}

static void rwlock_worker(void *arg)
{
	unsigned int i;
	int want = 2 * selftest_nr_cpus;
	u64 start;

	/* Phase 1: every CPU holds the read lock twice (nested), and waits inside for the others.
	 */
	selftest_rendezvous();
	read_lock(&rw_lock);
	rw_note_max(atomic_inc_return(&rw_inside));
	read_lock_bh(&rw_lock);
	rw_note_max(atomic_inc_return(&rw_inside));
	start = rdtsc();
	while (atomic_read(&rw_inside) < want && rdtsc() - start < ms_to_tsc(1000))
		cpu_relax();
	if (atomic_read(&rw_inside) < want)
		WRITE_ONCE(rw_timeouts, 1);
	selftest_rendezvous(); /* nobody leaves before everyone has looked */
	atomic_dec(&rw_inside);
	read_unlock_bh(&rw_lock);
	atomic_dec(&rw_inside);
	read_unlock(&rw_lock);

	/* Phase 2: CPU 0 writes, the others read; nobody may see the other side inside. */
	selftest_rendezvous();
	for (i = 1; i <= RW_ROUNDS; i++) {
		if (smp_processor_id() == 0 || selftest_nr_cpus == 1) {
			unsigned long flags = write_lock_irqsave(&rw_lock);

			atomic_inc(&rw_writers_inside);
			if (atomic_read(&rw_inside) || atomic_read(&rw_writers_inside) != 1)
				atomic_inc(&rw_violations);
			WRITE_ONCE(rw_pair.a, i);
			spin_delay(4);
			WRITE_ONCE(rw_pair.b, i);
			atomic_dec(&rw_writers_inside);
			write_unlock_irqrestore(&rw_lock, flags);
		}
		if (smp_processor_id() != 0 || selftest_nr_cpus == 1) {
			unsigned long flags = read_lock_irqsave(&rw_lock);

			atomic_inc(&rw_inside);
			if (atomic_read(&rw_writers_inside) ||
			    READ_ONCE(rw_pair.a) != READ_ONCE(rw_pair.b))
				atomic_inc(&rw_violations);
			spin_delay(4);
			atomic_dec(&rw_inside);
			read_unlock_irqrestore(&rw_lock, flags);
		}
	}
}

static void test_rwlock(void)
{
	rwlock_init(&rw_lock);
	atomic_set(&rw_inside, 0);
	atomic_set(&rw_max_inside, 0);
	atomic_set(&rw_writers_inside, 0);
	atomic_set(&rw_violations, 0);
	rw_timeouts = 0;
	rw_pair.a = rw_pair.b = 0;
	run_on_each_cpu(rwlock_worker, NULL);
	printk(MACHINE_DEPENDENT "rwlock: %d readers inside at once, %u write rounds\n",
	       atomic_read(&rw_max_inside), RW_ROUNDS);
	if (rw_timeouts || atomic_read(&rw_max_inside) != 2 * (int)selftest_nr_cpus)
		selftest_report("rwlock", false, "at most %d of %u readers inside at once",
				atomic_read(&rw_max_inside), 2 * selftest_nr_cpus);
	else
		selftest_report(
			"rwlock",
			!atomic_read(&rw_violations) && !rwlock_readers(&rw_lock) &&
				!rwlock_is_write_locked(&rw_lock),
			"%d times a reader and a writer (or two writers) were inside together",
			atomic_read(&rw_violations));
}

DEFINE_SELFTEST(selftest_rwlock, "rwlock", test_rwlock, 0);
