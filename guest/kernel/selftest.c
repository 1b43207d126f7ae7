/*
 * SMP self-tests, run after bring-up with "selftest" on the command line.
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
#include "asm/extable.h"
#include "asm/io.h"
#include "asm/io_apic.h"
#include "asm/irq.h"
#include "asm/percpu.h"
#include "asm/processor.h"
#include "asm/timer.h"
#include "asm/tlbflush.h"
#include "asm/traps.h"
#include "atomic.h"
#include "barrier.h"
#include "bitops.h"
#include "kernel.h"
#include "mm.h"
#include "interrupt.h"
#include "poison.h"
#include "preempt.h"
#include "rculist.h"
#include "rwlock.h"
#include "seqlock.h"
#include "setup.h"
#include "smp.h"
#include "spinlock.h"
#include "string.h"
#include "timer.h"

/* Iteration counts: small, the whole suite runs on an interpreter. */
#define ATOMIC_LOOPS 2000
#define BITLOCK_LOOPS 300
#define SPIN_LOOPS 3000
#define SEQ_WRITES 1500
#define RW_ROUNDS 300
#define MP_ROUNDS 200

static unsigned int nr_cpus; /* online CPUs taking part */
static unsigned int nr_fail;

static __printf(3, 4) void report(const char *name, bool pass, const char *fmt, ...)
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

/* A few hundred cycles of nothing, to widen race windows. */
static void spin_delay(unsigned int n)
{
	while (n--)
		barrier();
}

static u64 ms_to_tsc(unsigned int ms)
{
	return tsc_per_jiffy * ms / (1000 / HZ);
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
	if ((unsigned int)atomic_inc_return(&r->arrived) == nr_cpus) {
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

/* ---- atomics ---- */

static atomic_t shared_atomic;
static atomic64_t shared_atomic64;
static atomic_t shared_cmpxchg;

static void atomic_worker(void *arg)
{
	unsigned int i;

	rendezvous(&start_line);
	for (i = 0; i < ATOMIC_LOOPS; i++) {
		int old;

		atomic_inc(&shared_atomic);
		atomic64_add(3, &shared_atomic64);
		old = atomic_read(&shared_cmpxchg);
		while (!atomic_try_cmpxchg(&shared_cmpxchg, &old, old + 1))
			;
	}
}

/* Returns NULL or the first check that failed. */
static const char *atomic_checks(void)
{
	atomic_t a = ATOMIC_INIT(5);
	atomic64_t b = ATOMIC64_INIT(0);
	int old;

	if (atomic_read(&a) != 5)
		return "atomic_read";
	atomic_add(10, &a);
	atomic_sub(3, &a);
	atomic_inc(&a);
	atomic_dec(&a);
	if (atomic_read(&a) != 12)
		return "add/sub/inc/dec";
	if (atomic_add_return(8, &a) != 20 || atomic_sub_return(20, &a) != 0)
		return "add_return/sub_return";
	if (atomic_fetch_add(7, &a) != 0 || atomic_fetch_sub(2, &a) != 7 || atomic_read(&a) != 5)
		return "fetch_add/fetch_sub";
	if (atomic_inc_return(&a) != 6 || atomic_dec_return(&a) != 5)
		return "inc_return/dec_return";
	if (atomic_cmpxchg(&a, 4, 9) != 5 || atomic_read(&a) != 5)
		return "cmpxchg that must fail";
	if (atomic_cmpxchg(&a, 5, 9) != 5 || atomic_read(&a) != 9)
		return "cmpxchg that must succeed";
	old = 8;
	if (atomic_try_cmpxchg(&a, &old, 1) || old != 9)
		return "try_cmpxchg that must fail";
	if (!atomic_try_cmpxchg(&a, &old, 1) || atomic_read(&a) != 1)
		return "try_cmpxchg that must succeed";
	if (atomic_xchg(&a, -1) != 1 || atomic_read(&a) != -1)
		return "xchg";
	if (!atomic_inc_and_test(&a) || atomic_inc_and_test(&a))
		return "inc_and_test";
	if (!atomic_dec_and_test(&a) || atomic_dec_and_test(&a))
		return "dec_and_test";
	if (!atomic_sub_and_test(-1, &a) || atomic_sub_and_test(1, &a))
		return "sub_and_test";
	if (!atomic_add_negative(-1, &a) || atomic_add_negative(3, &a))
		return "add_negative";
	atomic_set(&a, 0);
	if (atomic_inc_not_zero(&a) || !atomic_add_unless(&a, 2, 1) || !atomic_inc_not_zero(&a) ||
	    atomic_read(&a) != 3)
		return "add_unless/inc_not_zero";
	atomic_set(&a, 0x0f);
	atomic_and(0x3c, &a);
	atomic_or(0x100, &a);
	atomic_xor(0x101, &a);
	if (atomic_read(&a) != 0x0d)
		return "and/or/xor";
	atomic64_set(&b, 0x100000000LL);
	atomic64_add(0x7fffffff, &b);
	if (atomic64_add_return(1, &b) != 0x180000000LL)
		return "atomic64 add_return";
	if (atomic64_cmpxchg(&b, 0x180000000LL, -5) != 0x180000000LL ||
	    atomic64_xchg(&b, 7) != -5 || atomic64_dec_return(&b) != 6)
		return "atomic64 cmpxchg/xchg/dec_return";
	old = 0;
	if (xchg(&old, 42) != 0 || cmpxchg(&old, 42, 43) != 42 || old != 43)
		return "xchg()/cmpxchg()";
	return NULL;
}

static void test_atomic(void)
{
	const char *bad = atomic_checks();
	long want = (long)nr_cpus * ATOMIC_LOOPS;

	if (bad) {
		report("atomic", false, "%s", bad);
		return;
	}
	atomic_set(&shared_atomic, 0);
	atomic64_set(&shared_atomic64, 0);
	atomic_set(&shared_cmpxchg, 0);
	run_on_each_cpu(atomic_worker, NULL);
	report("atomic",
	       atomic_read(&shared_atomic) == want && atomic64_read(&shared_atomic64) == 3 * want &&
		       atomic_read(&shared_cmpxchg) == want,
	       "%u CPUs x %u: inc %d, add64 %lld, cmpxchg loop %d, expected %ld, %ld, %ld", nr_cpus,
	       ATOMIC_LOOPS, atomic_read(&shared_atomic), atomic64_read(&shared_atomic64),
	       atomic_read(&shared_cmpxchg), want, 3 * want, want);
}

/* ---- bitops ---- */

static unsigned long shared_bitmap[2];
static unsigned long bit_lock_word[2]; /* bit 70: in the second word */
static unsigned long bit_locked_counter;

static void bitops_worker(void *arg)
{
	unsigned int cpu = smp_processor_id();
	unsigned int i;

	rendezvous(&start_line);
	for (i = 0; i < 2 * ATOMIC_LOOPS; i++)
		change_bit(cpu, shared_bitmap); /* an even number of times: ends clear */
	set_bit(64 + cpu, shared_bitmap);
	for (i = 0; i < BITLOCK_LOOPS; i++) {
		while (test_and_set_bit_lock(70, bit_lock_word))
			cpu_relax();
		WRITE_ONCE(bit_locked_counter, READ_ONCE(bit_locked_counter) + 1);
		clear_bit_unlock(70, bit_lock_word);
	}
}

static const char *bitops_checks(void)
{
	unsigned long map[3] = { 0, 0, 0 };
	long nr = 130; /* in a register: the bit-string form addresses map[2] */

	set_bit(nr, map);
	if (map[0] || map[1] || map[2] != 1UL << 2)
		return "set_bit(130) did not set bit 2 of word 2";
	if (!test_bit(130, map) || test_bit(129, map))
		return "test_bit";
	if (test_and_set_bit(nr, map) != 1 || test_and_set_bit(65, map) != 0 || map[1] != 2)
		return "test_and_set_bit";
	clear_bit(nr, map);
	if (map[2])
		return "clear_bit(130)";
	if (test_and_clear_bit(65, map) != 1 || test_and_clear_bit(65, map) != 0 || map[1])
		return "test_and_clear_bit";
	change_bit(63, map);
	if (map[0] != 1UL << 63 || test_and_change_bit(63, map) != 1 || map[0])
		return "change_bit/test_and_change_bit";
	__set_bit(3, map);
	__set_bit(127, map);
	if (__test_and_set_bit(3, map) != 1 || __test_and_clear_bit(127, map) != 1 || map[1])
		return "__test_and_set_bit/__test_and_clear_bit";
	__change_bit(4, map);
	__clear_bit(3, map);
	if (map[0] != 0x10 || __test_and_change_bit(4, map) != 1 || map[0])
		return "__change_bit/__clear_bit";
	/* Negative offsets address bits below addr: bit -1 of map + 1 is bit 63 of map[0]. */
	set_bit(-1, map + 1);
	if (map[0] != 1UL << 63)
		return "set_bit(-1, map + 1)";
	clear_bit(-1, map + 1);
	map[1] = 0x8100;
	if (find_first_bit(map, 192) != 72 || find_next_bit(map, 192, 73) != 79 ||
	    find_next_bit(map, 192, 80) != 192 || find_next_zero_bit(map, 192, 72) != 73)
		return "find_first_bit/find_next_bit/find_next_zero_bit";
	if (__ffs(0x8100) != 8 || __fls(0x8100) != 15 || ffz(0xff) != 8 || fls(0) != 0 ||
	    fls(0x80000000U) != 32 || ffs(0) != 0 || ffs(0x10) != 5 || hweight_long(0xf0f0) != 8)
		return "__ffs/__fls/ffz/fls/ffs/hweight_long";
	return NULL;
}

static void test_bitops(void)
{
	const char *bad = bitops_checks();
	unsigned long want_hi = 0;
	unsigned int cpu;

	if (bad) {
		report("bitops", false, "%s", bad);
		return;
	}
	shared_bitmap[0] = shared_bitmap[1] = 0;
	bit_lock_word[0] = bit_lock_word[1] = 0;
	bit_locked_counter = 0;
	run_on_each_cpu(bitops_worker, NULL);
	for_each_online_cpu(cpu) want_hi |= 1UL << cpu;
	report("bitops",
	       !shared_bitmap[0] && shared_bitmap[1] == want_hi && !bit_lock_word[0] &&
		       !bit_lock_word[1] &&
		       bit_locked_counter == (unsigned long)nr_cpus * BITLOCK_LOOPS,
	       "bitmap %#lx %#lx (expected 0 %#lx), bit lock counter %lu of %lu", shared_bitmap[0],
	       shared_bitmap[1], want_hi, bit_locked_counter,
	       (unsigned long)nr_cpus * BITLOCK_LOOPS);
}

/* ---- spinlock ---- */

static DEFINE_SPINLOCK(torture_lock);
static unsigned long torture_counter;
static unsigned int torture_holder;
static atomic_t torture_overlaps;
static bool torture_nolock;

static void spinlock_worker(void *arg)
{
	unsigned int cpu = smp_processor_id();
	unsigned int i;

	rendezvous(&start_line);
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
	return (unsigned long)nr_cpus * SPIN_LOOPS - torture_counter;
}

static void test_spinlock(void)
{
	const char *bad = spinlock_checks();
	unsigned long want = (unsigned long)nr_cpus * SPIN_LOOPS;
	u64 start;
	unsigned long lost;

	if (bad) {
		report("spinlock", false, "%s", bad);
		return;
	}
	start = rdtsc();
	lost = spinlock_torture(false);
	printk(MACHINE_DEPENDENT "spinlock: %u CPUs x %u increments in %llu cycles\n", nr_cpus,
	       SPIN_LOOPS, rdtsc() - start);
	report("spinlock",
	       !lost && !atomic_read(&torture_overlaps) && !spin_is_locked(&torture_lock),
	       "counter %lu, expected %lu; %d overlapping critical sections", torture_counter, want,
	       atomic_read(&torture_overlaps));
}

static void test_spinlock_nolock(void)
{
	unsigned long want = (unsigned long)nr_cpus * SPIN_LOOPS;
	unsigned long lost = spinlock_torture(true);

	printk("selftest spinlock-nolock: lost %lu of %lu increments\n", lost, want);
	printk(MACHINE_DEPENDENT "spinlock-nolock: %d overlapping critical sections\n",
	       atomic_read(&torture_overlaps));
}

/* ---- seqlock ---- */

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

	rendezvous(&start_line);
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
	       SEQ_WRITES, atomic_read(&seq_reads), nr_cpus - 1, atomic_read(&seq_retries),
	       atomic_read(&seq_raw_torn));
	report("seqlock",
	       !atomic_read(&seq_torn) && !atomic_read(&seq_final_bad) &&
		       !(READ_ONCE(seq_lock.seqcount.sequence) & 1),
	       "%d torn pairs read under the seqlock, %d stale final reads", atomic_read(&seq_torn),
	       atomic_read(&seq_final_bad));
}

/* ---- rwlock ---- */

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
	int want = 2 * nr_cpus;
	u64 start;

	/* Phase 1: every CPU holds the read lock twice (nested), and waits inside for the others.
	 */
	rendezvous(&start_line);
	read_lock(&rw_lock);
	rw_note_max(atomic_inc_return(&rw_inside));
	read_lock_bh(&rw_lock);
	rw_note_max(atomic_inc_return(&rw_inside));
	start = rdtsc();
	while (atomic_read(&rw_inside) < want && rdtsc() - start < ms_to_tsc(1000))
		cpu_relax();
	if (atomic_read(&rw_inside) < want)
		WRITE_ONCE(rw_timeouts, 1);
	rendezvous(&start_line); /* nobody leaves before everyone has looked */
	atomic_dec(&rw_inside);
	read_unlock_bh(&rw_lock);
	atomic_dec(&rw_inside);
	read_unlock(&rw_lock);

	/* Phase 2: CPU 0 writes, the others read; nobody may see the other side inside. */
	rendezvous(&start_line);
	for (i = 1; i <= RW_ROUNDS; i++) {
		if (smp_processor_id() == 0 || nr_cpus == 1) {
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
		if (smp_processor_id() != 0 || nr_cpus == 1) {
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
	if (rw_timeouts || atomic_read(&rw_max_inside) != 2 * (int)nr_cpus)
		report("rwlock", false, "at most %d of %u readers inside at once",
		       atomic_read(&rw_max_inside), 2 * nr_cpus);
	else
		report("rwlock",
		       !atomic_read(&rw_violations) && !rwlock_readers(&rw_lock) &&
			       !rwlock_is_write_locked(&rw_lock),
		       "%d times a reader and a writer (or two writers) were inside together",
		       atomic_read(&rw_violations));
}

/* ---- IPIs ---- */

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

	rendezvous(&start_line);
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
	ipi_cycles[self] = nr_cpus > 1 ? cycles / (nr_cpus - 1) : 0;
}

static void test_ipi(void)
{
	unsigned int cpu, pairs = nr_cpus * (nr_cpus - 1);
	u64 cycles = 0;

	atomic_set(&ipi_pairs_ok, 0);
	atomic_set(&ipi_pairs_bad, 0);
	memset(ipi_async_hit, 0, sizeof(ipi_async_hit));
	run_on_each_cpu(ipi_worker, NULL);
	for_each_online_cpu(cpu) cycles += ipi_cycles[cpu];
	printk(MACHINE_DEPENDENT "ipi: %u ordered pairs, round trip %llu cycles on average\n",
	       pairs, nr_cpus ? cycles / nr_cpus : 0);
	report("ipi", atomic_read(&ipi_pairs_ok) == (int)pairs && !atomic_read(&ipi_pairs_bad),
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
	for (round = 0; round < 1000000 && atomic_read(&total) < 2 * (int)nr_cpus; round++)
		cpu_relax();
	smp_call_function(on_each_cpu_func, &total, true);
	for_each_online_cpu(cpu)
	{
		if (READ_ONCE(per_cpu(on_each_cpu_hits, cpu)) !=
		    (cpu == smp_processor_id() ? 2U : 3U))
			bad++;
	}
	report("on_each_cpu", !bad && atomic_read(&total) == 3 * (int)nr_cpus - 1,
	       "%u CPUs ran the function a wrong number of times, %d calls in all (expected %u)",
	       bad, atomic_read(&total), 3 * nr_cpus - 1);
}

/* ---- TLB shootdown ---- */

#define TLB_TEST_VADDR (KMAP_WINDOW_BASE + 7 * PAGE_SIZE)
#define TLB_PATTERN 0x5eed5eed00000000ULL
#define TLB_REUSED 0xdeadbeef0badf00dULL

struct tlb_probe {
	int err;
	u64 val;
	unsigned long fault_addr;
};

static struct tlb_probe tlb_probes[NR_CPUS];

static void tlb_probe_worker(void *arg)
{
	struct tlb_probe *p = &tlb_probes[smp_processor_id()];

	p->err = probe_read_u64((const volatile u64 *)TLB_TEST_VADDR, &p->val);
	p->fault_addr = p->err ? this_cpu_read(fixup_fault_addr) : 0;
}

/* Maps the test page, has every CPU read it; NULL or why not. */
static const char *tlb_map_and_read(u64 *page, u64 pattern)
{
	unsigned int cpu;

	WRITE_ONCE(page[0], pattern);
	if (!set_kmap_pte(TLB_TEST_VADDR, virt_to_phys(page)))
		return "set_kmap_pte failed";
	memset(tlb_probes, 0, sizeof(tlb_probes));
	run_on_each_cpu(tlb_probe_worker, NULL);
	for_each_online_cpu(cpu)
	{
		if (tlb_probes[cpu].err || tlb_probes[cpu].val != pattern)
			return "a CPU could not read the mapped page";
	}
	return NULL;
}

static void test_tlb(void)
{
	u64 *page = get_zeroed_page();
	unsigned int cpu, faulted = 0;
	const char *bad;

	if (!page) {
		report("tlb", false, "no memory");
		return;
	}
	bad = tlb_map_and_read(page, TLB_PATTERN + 1);
	if (bad) {
		report("tlb", false, "%s", bad);
		unmap_kmap_page(TLB_TEST_VADDR);
		free_page(page);
		return;
	}
	unmap_kmap_page(TLB_TEST_VADDR);
	/* The page is "reused": a stale translation would now show the new contents. */
	WRITE_ONCE(page[0], TLB_REUSED);
	memset(tlb_probes, 0, sizeof(tlb_probes));
	run_on_each_cpu(tlb_probe_worker, NULL);
	for_each_online_cpu(cpu)
	{
		if (tlb_probes[cpu].err == -EFAULT &&
		    tlb_probes[cpu].fault_addr == TLB_TEST_VADDR) {
			faulted++;
			continue;
		}
		if (!bad)
			bad = "";
		if (!tlb_probes[cpu].err)
			printk(MACHINE_DEPENDENT "tlb: CPU%u read %#llx after the unmap\n", cpu,
			       tlb_probes[cpu].val);
		else
			printk(MACHINE_DEPENDENT "tlb: CPU%u faulted at %#lx, not at %#lx\n", cpu,
			       tlb_probes[cpu].fault_addr, TLB_TEST_VADDR);
	}
	report("tlb", !bad, "%u of %u CPUs faulted on the unmapped page", faulted, nr_cpus);
	free_page(page);
}

static void test_tlb_noshootdown(void)
{
	u64 *page = get_zeroed_page();
	unsigned int cpu, self = smp_processor_id(), stale = 0;
	const char *bad;

	if (!page) {
		printk("selftest tlb-noshootdown: no memory\n");
		return;
	}
	bad = tlb_map_and_read(page, TLB_PATTERN + 2);
	if (bad) {
		printk("selftest tlb-noshootdown: %s\n", bad);
		unmap_kmap_page(TLB_TEST_VADDR);
		free_page(page);
		return;
	}
	/* Unmapped here only: the other CPUs keep whatever their TLBs hold. */
	clear_kmap_pte(TLB_TEST_VADDR);
	flush_tlb_one_local(TLB_TEST_VADDR);
	WRITE_ONCE(page[0], TLB_REUSED);
	memset(tlb_probes, 0, sizeof(tlb_probes));
	run_on_each_cpu(tlb_probe_worker, NULL);
	for_each_online_cpu(cpu)
	{
		if (!tlb_probes[cpu].err) {
			if (cpu != self)
				stale++;
			printk(MACHINE_DEPENDENT
			       "tlb-noshootdown: CPU%u read %#llx through a stale "
			       "TLB entry%s\n",
			       cpu, tlb_probes[cpu].val,
			       tlb_probes[cpu].val == TLB_REUSED ? " (the page's new contents)"
								 : "");
		} else {
			printk(MACHINE_DEPENDENT "tlb-noshootdown: CPU%u faulted at %#lx\n", cpu,
			       tlb_probes[cpu].fault_addr);
		}
	}
	printk("selftest tlb-noshootdown: %u of %u other CPUs read the unmapped page through a "
	       "stale "
	       "TLB entry\n",
	       stale, nr_cpus - 1);
	/* Clean up: now shoot the stale entries down. */
	flush_tlb_kernel_page(TLB_TEST_VADDR);
	free_page(page);
}

/* ---- message passing: data, smp_wmb, flag / flag, smp_rmb, data ---- */

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

	rendezvous(&start_line);
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
	report("mp", !atomic_read(&mp_bad), "%d of %u reads saw the flag but not the data",
	       atomic_read(&mp_bad), MP_ROUNDS * (nr_cpus - 1));
}

/* ---- softirqs ---- */

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

	/* A chain longer than the restart limit: the rest is deferred (idle loop or next irq_exit). */
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
	report("softirq", !atomic_read(&softirq_bad) && !missing,
	       "%d bad checks, %u CPUs did not finish the deferred chain", atomic_read(&softirq_bad),
	       missing);
}

/* ---- timers ---- */

#define TIMER_DELAY 3 /* jiffies */

struct test_timer {
	struct timer_list timer;
	unsigned long queued;
	unsigned long fired_at;
	unsigned int fired;
	unsigned int cpu_fired;
	bool in_softirq;
};

static struct test_timer test_timers[NR_CPUS][3];

static void test_timer_fn(struct timer_list *t)
{
	struct test_timer *tt = from_timer(tt, t, timer);

	tt->fired_at = jiffies;
	tt->cpu_fired = smp_processor_id();
	tt->in_softirq = in_serving_softirq() && !in_hardirq();
	smp_store_release(&tt->fired, tt->fired + 1);
}

static void timer_worker(void *arg)
{
	struct test_timer *tt = test_timers[smp_processor_id()];
	unsigned long now = jiffies;
	unsigned int i;

	for (i = 0; i < 3; i++) {
		memset(&tt[i], 0, sizeof(tt[i]));
		timer_setup(&tt[i].timer, test_timer_fn, 0);
		tt[i].queued = now;
	}
	/* 0: fires after TIMER_DELAY; 1: deleted before it fires; 2: moved later by mod_timer. */
	tt[0].timer.expires = now + TIMER_DELAY;
	add_timer(&tt[0].timer);
	tt[1].timer.expires = now + 2;
	add_timer(&tt[1].timer);
	tt[2].timer.expires = now + 1;
	add_timer(&tt[2].timer);
	mod_timer(&tt[2].timer, now + TIMER_DELAY + 1);
	if (!del_timer_sync(&tt[1].timer))
		tt[1].fired = 100; /* "was not pending": a failure */
}

static void test_timer(void)
{
	unsigned int cpu, bad = 0;
	const char *why = "";
	u64 start;

	run_on_each_cpu(timer_worker, NULL);
	start = rdtsc();
	for (;;) {
		unsigned int waiting = 0;

		for_each_online_cpu(cpu) waiting += !smp_load_acquire(&test_timers[cpu][0].fired) ||
						    !smp_load_acquire(&test_timers[cpu][2].fired);
		if (!waiting || rdtsc() - start > ms_to_tsc(1000))
			break;
		safe_halt();
	}
	/* A few more jiffies for a deleted timer that would fire anyway. */
	start = jiffies;
	while (jiffies - start < 3)
		safe_halt();
	for_each_online_cpu(cpu)
	{
		struct test_timer *tt = test_timers[cpu];

		if (tt[0].fired != 1 || tt[2].fired != 1) {
			why = "a timer did not fire exactly once";
		} else if (tt[1].fired) {
			why = "a deleted timer fired";
		} else if (tt[0].cpu_fired != cpu || tt[2].cpu_fired != cpu) {
			why = "a timer fired on another CPU";
		} else if (!tt[0].in_softirq || !tt[2].in_softirq) {
			why = "a timer ran outside TIMER_SOFTIRQ";
		} else if (time_before(tt[0].fired_at, tt[0].queued + TIMER_DELAY) ||
			   time_before(tt[2].fired_at, tt[2].queued + TIMER_DELAY + 1)) {
			why = "a timer fired early";
		} else {
			continue;
		}
		bad++;
		printk(MACHINE_DEPENDENT "timer: CPU%u: queued at %lu, fired %u/%u/%u times at %lu "
					 "and %lu\n",
		       cpu, tt[0].queued, tt[0].fired, tt[1].fired, tt[2].fired, tt[0].fired_at,
		       tt[2].fired_at);
	}
	report("timer", !bad, "%s (%u CPUs)", why, bad);
}

/* ---- RCU ---- */

#define RCU_LIST_LEN 8
#define RCU_POOL 64
#define RCU_PAYLOAD_WORDS 6
#define RCU_HASH 4
#define RCU_ROUNDS 24

struct rcu_elem {
	struct list_head list; /* first: a poisoned link is the element pointer itself */
	struct hlist_node hnode;
	u64 payload[RCU_PAYLOAD_WORDS];
	u64 key;
	struct rcu_head rcu;
};

static struct rcu_elem rcu_pool[RCU_POOL];
/* Free elements, oldest first: a freed element stays poisoned for a while before reuse. */
static struct rcu_elem *rcu_free_fifo[RCU_POOL];
static unsigned int rcu_free_head, rcu_free_count;
static DEFINE_SPINLOCK(rcu_pool_lock);
static unsigned int rcu_pool_corrupt; /* written after free */

static LIST_HEAD(rcu_list);
static struct hlist_head rcu_hash[RCU_HASH];
static atomic_t rcu_poisoned, rcu_reads, rcu_bad_payload;
static int rcu_writer_done;
static bool rcu_skip_gp;
static atomic_t rcu_cb_pending;

static void rcu_elem_free(struct rcu_elem *e)
{
	unsigned long flags;

	poison_object(e, sizeof(*e));
	flags = spin_lock_irqsave(&rcu_pool_lock);
	rcu_free_fifo[(rcu_free_head + rcu_free_count++) % RCU_POOL] = e;
	spin_unlock_irqrestore(&rcu_pool_lock, flags);
}

static struct rcu_elem *rcu_elem_alloc(u64 key)
{
	struct rcu_elem *e = NULL;
	unsigned long flags;
	unsigned int i;

	flags = spin_lock_irqsave(&rcu_pool_lock);
	if (rcu_free_count) {
		e = rcu_free_fifo[rcu_free_head];
		rcu_free_head = (rcu_free_head + 1) % RCU_POOL;
		rcu_free_count--;
	}
	spin_unlock_irqrestore(&rcu_pool_lock, flags);
	if (!e)
		return NULL;
	if (check_poison(e, sizeof(*e)))
		rcu_pool_corrupt++;
	e->key = key;
	for (i = 0; i < RCU_PAYLOAD_WORDS; i++)
		e->payload[i] = key * 0x100 + i;
	INIT_HLIST_NODE(&e->hnode);
	return e;
}

static void rcu_elem_free_cb(struct rcu_head *head)
{
	rcu_elem_free(container_of(head, struct rcu_elem, rcu));
	atomic_dec(&rcu_cb_pending);
}

/* Returns true if e is poisoned (counted). */
static bool rcu_check_elem(struct rcu_elem *e, u64 *key)
{
	unsigned int i;

	if (ptr_poisoned(e))
		return true;
	for (i = 0; i < RCU_PAYLOAD_WORDS; i++) {
		u64 w = READ_ONCE(e->payload[i]);

		if (word_poisoned(w))
			return true;
		if (i == 0)
			*key = w >> 8;
		else if (w != *key * 0x100 + i)
			atomic_inc(&rcu_bad_payload);
		spin_delay(20);
	}
	return false;
}

static void rcu_reader(void)
{
	unsigned int iter = 0, poisoned = 0;
	struct rcu_elem *e;
	u64 key;

	while (!smp_load_acquire(&rcu_writer_done)) {
		rcu_read_lock();
		list_for_each_entry_rcu(e, &rcu_list, list)
		{
			if (rcu_check_elem(e, &key)) {
				poisoned++;
				break;
			}
		}
		rcu_read_unlock();
		spin_delay(200);
		rcu_read_lock_bh();
		hlist_for_each_entry_rcu(e, &rcu_hash[iter % RCU_HASH], hnode)
		{
			if (ptr_poisoned(&e->hnode) || rcu_check_elem(e, &key)) {
				poisoned++;
				break;
			}
		}
		rcu_read_unlock_bh();
		/* Every other pass a voluntary quiescent state; otherwise the tick finds one. */
		if (iter++ & 1)
			rcu_all_qs();
		spin_delay(200);
	}
	atomic_add(poisoned, &rcu_poisoned);
	atomic_add(iter, &rcu_reads);
}

static void rcu_writer(void)
{
	unsigned int round;

	for (round = 0; round < RCU_ROUNDS; round++) {
		u64 key = round % RCU_LIST_LEN;
		struct rcu_elem *old, *e, *new = rcu_elem_alloc(key);

		if (!new)
			break;
		old = NULL;
		list_for_each_entry(e, &rcu_list, list)
		{
			if (e->key == key) {
				old = e;
				break;
			}
		}
		if (!old)
			break;
		/* list: replace in place; hash: delete, then add the new one at the head. */
		list_replace_rcu(&old->list, &new->list);
		hlist_del_rcu(&old->hnode);
		hlist_add_head_rcu(&new->hnode, &rcu_hash[key % RCU_HASH]);
		if (rcu_skip_gp) {
			rcu_elem_free(old);
		} else if (round & 1) {
			atomic_inc(&rcu_cb_pending);
			call_rcu(&old->rcu, rcu_elem_free_cb);
		} else {
			synchronize_rcu();
			rcu_elem_free(old);
		}
		/* Let the readers get going on the new list. */
		udelay(250);
	}
	smp_store_release(&rcu_writer_done, 1);
}

static void rcu_worker(void *arg)
{
	rendezvous(&start_line);
	if (smp_processor_id() == 0)
		rcu_writer();
	else
		rcu_reader();
}

static void rcu_setup(bool skip_gp)
{
	unsigned int i;

	INIT_LIST_HEAD(&rcu_list);
	for (i = 0; i < RCU_HASH; i++)
		INIT_HLIST_HEAD(&rcu_hash[i]);
	rcu_free_head = rcu_free_count = 0;
	rcu_pool_corrupt = 0;
	for (i = 0; i < RCU_POOL; i++)
		rcu_elem_free(&rcu_pool[i]);
	for (i = 0; i < RCU_LIST_LEN; i++) {
		struct rcu_elem *e = rcu_elem_alloc(i);

		list_add_tail_rcu(&e->list, &rcu_list);
		hlist_add_head_rcu(&e->hnode, &rcu_hash[i % RCU_HASH]);
	}
	atomic_set(&rcu_poisoned, 0);
	atomic_set(&rcu_reads, 0);
	atomic_set(&rcu_bad_payload, 0);
	atomic_set(&rcu_cb_pending, 0);
	rcu_writer_done = 0;
	rcu_skip_gp = skip_gp;
}

static void test_rcu(void)
{
	unsigned long gp = rcu_gp_completed();
	unsigned int ngp;

	rcu_setup(false);
	run_on_each_cpu(rcu_worker, NULL);
	/* The callbacks queued before it run before it returns (same CPU, in order). */
	synchronize_rcu();
	ngp = rcu_gp_completed() - gp;
	printk(MACHINE_DEPENDENT "rcu: %u grace periods, %d reader passes, %d poisoned\n", ngp,
	       atomic_read(&rcu_reads), atomic_read(&rcu_poisoned));
	if (atomic_read(&rcu_poisoned))
		report("rcu", false, "readers saw %d poisoned elements", atomic_read(&rcu_poisoned));
	else if (atomic_read(&rcu_bad_payload))
		report("rcu", false, "readers saw %d torn payloads", atomic_read(&rcu_bad_payload));
	else if (atomic_read(&rcu_cb_pending))
		report("rcu", false, "%d call_rcu callbacks did not run", atomic_read(&rcu_cb_pending));
	else if (rcu_pool_corrupt)
		report("rcu", false, "%u freed elements were written after free", rcu_pool_corrupt);
	else
		report("rcu", ngp >= RCU_ROUNDS / 2 + 1, "only %u grace periods", ngp);
}

static void test_rcu_norcu(void)
{
	rcu_setup(true);
	run_on_each_cpu(rcu_worker, NULL);
	printk("selftest rcu-norcu: readers saw %d poisoned elements\n",
	       atomic_read(&rcu_poisoned));
	printk(MACHINE_DEPENDENT "rcu-norcu: %d reader passes\n", atomic_read(&rcu_reads));
}

/*
 * IRQ affinity: IRQ0's I/O APIC entry (the PIT, idle since the local APIC
 * timers took over) is pointed at each CPU in turn; while the PIT runs, only
 * that CPU may count IRQ0. The affinity in force before the test comes back.
 */
static void test_irqaffinity(void)
{
	cpumask_t saved = irq_desc[0].affinity;
	unsigned int target, cpu, tried = 0, bad = 0;

	for_each_online_cpu(target) {
		unsigned int before[NR_CPUS];
		cpumask_t mask = cpumask_of(target);
		unsigned long start;

		for_each_online_cpu(cpu)
			before[cpu] = per_cpu(kstat_irqs, cpu)[0];
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
		for_each_online_cpu(cpu) {
			bool counted = per_cpu(kstat_irqs, cpu)[0] != before[cpu];

			if (counted != (cpu == target))
				bad++;
		}
	}
	irq_set_affinity(0, &saved);
	report("irqaffinity", !bad, "%u misdirected or missing IRQ0 counts over %u CPUs", bad, tried);
}

void run_selftests(void)
{
	u64 start = rdtsc();

	nr_cpus = num_online_cpus();
	nr_fail = 0;
	atomic_set(&start_line.arrived, 0);
	test_atomic();
	test_bitops();
	test_spinlock();
	if (boot_options.selftest_variants & SELFTEST_NOLOCK)
		test_spinlock_nolock();
	test_seqlock();
	test_rwlock();
	test_mp();
	test_ipi();
	test_on_each_cpu();
	test_tlb();
	test_irqaffinity();
	if (boot_options.selftest_variants & SELFTEST_NOSHOOTDOWN)
		test_tlb_noshootdown();
	test_softirq();
	test_timer();
	test_rcu();
	if (boot_options.selftest_variants & SELFTEST_NORCU)
		test_rcu_norcu();
	printk(MACHINE_DEPENDENT "selftest: %llu cycles on CPU%u\n", rdtsc() - start,
	       smp_processor_id());
	printk("selftests: %u failed\n", nr_fail);
}
