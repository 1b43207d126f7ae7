/*
 * Message passing: data, smp_wmb, flag on one CPU; flag, smp_rmb, data on the
 * others.
 */

#include "selftest.h"
#include "smp.h"
#include "spinlock.h"
#include "string.h"

/* Iteration counts: small, the whole suite runs on an interpreter. */
#define MP_ROUNDS 200

/*
 * The data and the flag live on separate cache lines, as in McKenney's
 * "Memory Barriers: a Hardware View": the reordering needs the writer to own
 * the flag's line (so its store commits at once) while the data's
 * invalidation still waits in the readers' invalidate queues.
 */
static struct {
	unsigned long data;
} mp_data_line __aligned(64);
static struct {
	unsigned long flag;
	unsigned long owner; /* the writer stores here first to own the line */
} mp_flag_line __aligned(64);
#define mp_data (mp_data_line.data)
#define mp_flag (mp_flag_line.flag)
static unsigned long mp_ack[NR_CPUS];
static atomic_t mp_bad;
static unsigned long mp_sink;

static void mp_worker(void *arg)
{
	unsigned int self = smp_processor_id();
	unsigned long i, cpu;

	selftest_rendezvous();
	if (self == 0) {
		for (i = 1; i <= MP_ROUNDS; i++) {
			unsigned int j;

			/*
			 * Own the flag's line well before the data store, so
			 * that the readers' invalidation of the data line is
			 * queued behind (and applied after) that of the flag
			 * line: a reader that then misses on the flag sees the
			 * new flag while its data line is still stale, unless
			 * smp_rmb() drains its invalidate queue.
			 */
			WRITE_ONCE(mp_flag_line.owner, i);
			for (j = 0; j < 64; j++)
				cpu_relax();
			WRITE_ONCE(mp_data, i);
			smp_wmb();
			WRITE_ONCE(mp_flag, i);
			for_each_online_cpu(cpu)
			{
				if (cpu != self)
					while (READ_ONCE(mp_ack[cpu]) != i)
						cpu_relax();
			}
		}
		return;
	}
	for (i = 1; i <= MP_ROUNDS; i++) {
		unsigned long sink = 0;

		/* Keep reading the data too, so that its line stays in this CPU's cache. */
		while (READ_ONCE(mp_flag) != i)
			sink += READ_ONCE(mp_data);
		smp_rmb();
		if (READ_ONCE(mp_data) != i)
			atomic_inc(&mp_bad);
		WRITE_ONCE(mp_ack[self], i);
		WRITE_ONCE(mp_sink, sink);
	}
}

static void test_mp(void)
{
	mp_data = mp_flag = 0;
	memset(mp_ack, 0, sizeof(mp_ack));
	atomic_set(&mp_bad, 0);
	run_on_each_cpu(mp_worker, NULL);
	selftest_report("mp", !atomic_read(&mp_bad), "%d of %u reads saw the flag but not the data",
			atomic_read(&mp_bad), MP_ROUNDS * (selftest_nr_cpus - 1));
}

DEFINE_SELFTEST(selftest_mp, "mp", test_mp, 0);
