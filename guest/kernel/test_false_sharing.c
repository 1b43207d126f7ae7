/*
 * False sharing, as perf c2c finds it: CPU0 and CPU1 each increment their own
 * field of one struct. The fields share a cache line, so every store takes the
 * line from the other CPU (HITM) although no byte is shared; the c2c report
 * flags the line and names both fields. The padded variant puts each field on
 * a line of its own (____cacheline_aligned), and the line bouncing stops.
 *
 * Run with "selftest=falseshare" (after the other tests) or
 * "selftest=only,falseshare" (alone). The first test asks the simulator to
 * reset its cache-line statistics after initialising the shared struct
 * (SMPSIM_RESET_STATS): CPU0's writes of both fields before the race would
 * otherwise overlap CPU1's and hide the false sharing. Each CPU checks its own
 * field: CPU0 reading CPU1's field would be true sharing.
 */

#include "asm/percpu.h"
#include "asm/smpsim.h"
#include "atomic.h"
#include "barrier.h"
#include "cache.h"
#include "kernel.h"
#include "setup.h"
#include "selftest.h"
#include "smp.h"

#define FS_LOOPS 20000

/* Both counters in one line: false sharing. */
static struct fs_counters {
	unsigned long cpu0_count;
	unsigned long cpu1_count;
} fs_packed ____cacheline_aligned;

/* Each counter on its own line. */
static struct fs_padded_counters {
	unsigned long cpu0_count ____cacheline_aligned;
	unsigned long cpu1_count ____cacheline_aligned;
} fs_padded ____cacheline_aligned;

static atomic_t fs_good;

static void fs_hammer(unsigned long *mine)
{
	unsigned int i;

	for (i = 0; i < FS_LOOPS; i++)
		WRITE_ONCE(*mine, READ_ONCE(*mine) + 1);
	if (READ_ONCE(*mine) == FS_LOOPS)
		atomic_inc(&fs_good);
}

static void fs_packed_worker(void *arg)
{
	unsigned int cpu = smp_processor_id();

	selftest_rendezvous();
	if (cpu == 0)
		fs_hammer(&fs_packed.cpu0_count);
	else if (cpu == 1)
		fs_hammer(&fs_packed.cpu1_count);
}

static void fs_padded_worker(void *arg)
{
	unsigned int cpu = smp_processor_id();

	selftest_rendezvous();
	if (cpu == 0)
		fs_hammer(&fs_padded.cpu0_count);
	else if (cpu == 1)
		fs_hammer(&fs_padded.cpu1_count);
}

static void test_false_sharing(void)
{
	if (selftest_nr_cpus < 2) {
		selftest_report("false-sharing", false, "needs 2 CPUs, has %u", selftest_nr_cpus);
		return;
	}
	fs_packed.cpu0_count = 0;
	fs_packed.cpu1_count = 0;
	atomic_set(&fs_good, 0);
	smp_mb(); /* the initialising stores reach the cache before the reset */
	smpsim_reset_stats();
	run_on_each_cpu(fs_packed_worker, NULL);
	selftest_report("false-sharing", atomic_read(&fs_good) == 2,
			"%d of 2 CPUs found their count right", atomic_read(&fs_good));
}

static void test_false_sharing_padded(void)
{
	if (selftest_nr_cpus < 2) {
		selftest_report("false-sharing-padded", false, "needs 2 CPUs, has %u",
				selftest_nr_cpus);
		return;
	}
	fs_padded.cpu0_count = 0;
	fs_padded.cpu1_count = 0;
	atomic_set(&fs_good, 0);
	run_on_each_cpu(fs_padded_worker, NULL);
	selftest_report("false-sharing-padded", atomic_read(&fs_good) == 2,
			"%d of 2 CPUs found their count right", atomic_read(&fs_good));
}

DEFINE_SELFTEST(selftest_false_sharing, "false-sharing", test_false_sharing,
		SELFTEST_FALSE_SHARING);
DEFINE_SELFTEST(selftest_false_sharing_padded, "false-sharing-padded", test_false_sharing_padded,
		SELFTEST_FALSE_SHARING);
