/*
 * Seqlock: readers on every CPU never accept a torn snapshot of what one writer updates.
 */

#include "kernel.h"
#include "selftest.h"
#include "seqlock.h"
#include "smp.h"

/* Iteration counts: small, the whole suite runs on an interpreter. */
#define SEQ_WRITES 1500

static DEFINE_SEQLOCK(seq_lock);
static struct {
	unsigned long a;
	unsigned long b;
} seq_pair;
static unsigned int seq_writer_done;
static atomic_t seq_torn, seq_reads, seq_retries, seq_raw_torn, seq_final_bad;

static void seqlock_worker(void *arg)
{
	unsigned int i;

	selftest_rendezvous();
	if (smp_processor_id() == 0) {
		for (i = 1; i <= SEQ_WRITES; i++) {
			write_seqlock(&seq_lock);
			WRITE_ONCE(seq_pair.a, i);
			spin_delay(8);
			WRITE_ONCE(seq_pair.b, i);
			write_sequnlock(&seq_lock);
			spin_delay(8);
		}
		smp_store_release(&seq_writer_done, 1);
		return;
	}
	for (;;) {
		bool done = smp_load_acquire(&seq_writer_done);
		unsigned long a, b, ra, rb;
		unsigned int seq, tries = 0;

		/* Unprotected, to see that the test can tear at all. */
		ra = READ_ONCE(seq_pair.a);
		rb = READ_ONCE(seq_pair.b);
		if (ra != rb)
			atomic_inc(&seq_raw_torn);
		do {
			seq = read_seqbegin(&seq_lock);
			a = READ_ONCE(seq_pair.a);
			spin_delay(2);
			b = READ_ONCE(seq_pair.b);
			tries++;
		} while (read_seqretry(&seq_lock, seq));
		atomic_inc(&seq_reads);
		if (tries > 1)
			atomic_add(tries - 1, &seq_retries);
		if (a != b)
			atomic_inc(&seq_torn);
		if (done) {
			/* Read after the writer finished: must be the last pair. */
			if (a != SEQ_WRITES || b != SEQ_WRITES)
				atomic_inc(&seq_final_bad);
			break;
		}
	}
}

static void test_seqlock(void)
{
	seqlock_init(&seq_lock);
	seq_pair.a = seq_pair.b = 0;
	seq_writer_done = 0;
	atomic_set(&seq_torn, 0);
	atomic_set(&seq_reads, 0);
	atomic_set(&seq_retries, 0);
	atomic_set(&seq_raw_torn, 0);
	atomic_set(&seq_final_bad, 0);
	run_on_each_cpu(seqlock_worker, NULL);
	printk(MACHINE_DEPENDENT "seqlock: %u writes, %d reads on %u CPUs, %d retries, %d torn "
				 "pairs seen without the seqlock\n",
	       SEQ_WRITES, atomic_read(&seq_reads), selftest_nr_cpus - 1, atomic_read(&seq_retries),
	       atomic_read(&seq_raw_torn));
	selftest_report("seqlock",
			!atomic_read(&seq_torn) && !atomic_read(&seq_final_bad) &&
				!(READ_ONCE(seq_lock.seqcount.sequence) & 1),
			"%d torn pairs read under the seqlock, %d stale final reads",
			atomic_read(&seq_torn), atomic_read(&seq_final_bad));
}

DEFINE_SELFTEST(selftest_seqlock, "seqlock", test_seqlock, 0);
