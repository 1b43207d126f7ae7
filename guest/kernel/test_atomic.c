/*
 * Atomic operations and bit operations: each primitive checked on one CPU, then every CPU
 * hammering shared words at once.
 */

#include "atomic.h"
#include "bitops.h"
#include "selftest.h"
#include "smp.h"
#include "spinlock.h"

/* Iteration counts: small, the whole suite runs on an interpreter. */
#define ATOMIC_LOOPS 2000
#define BITLOCK_LOOPS 300

static atomic_t shared_atomic;
static atomic64_t shared_atomic64;
static atomic_t shared_cmpxchg;

static void atomic_worker(void *arg)
{
	unsigned int i;

	selftest_rendezvous();
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
	long want = (long)selftest_nr_cpus * ATOMIC_LOOPS;

	if (bad) {
		selftest_report("atomic", false, "%s", bad);
		return;
	}
	atomic_set(&shared_atomic, 0);
	atomic64_set(&shared_atomic64, 0);
	atomic_set(&shared_cmpxchg, 0);
	run_on_each_cpu(atomic_worker, NULL);
	selftest_report("atomic",
			atomic_read(&shared_atomic) == want &&
				atomic64_read(&shared_atomic64) == 3 * want &&
				atomic_read(&shared_cmpxchg) == want,
			"%u CPUs x %u: inc %d, add64 %lld, cmpxchg loop %d, expected %ld, %ld, %ld",
			selftest_nr_cpus, ATOMIC_LOOPS, atomic_read(&shared_atomic),
			atomic64_read(&shared_atomic64), atomic_read(&shared_cmpxchg), want,
			3 * want, want);
}

static unsigned long shared_bitmap[2];
static unsigned long bit_lock_word[2]; /* bit 70: in the second word */
static unsigned long bit_locked_counter;

static void bitops_worker(void *arg)
{
	unsigned int cpu = smp_processor_id();
	unsigned int i;

	selftest_rendezvous();
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
		selftest_report("bitops", false, "%s", bad);
		return;
	}
	shared_bitmap[0] = shared_bitmap[1] = 0;
	bit_lock_word[0] = bit_lock_word[1] = 0;
	bit_locked_counter = 0;
	run_on_each_cpu(bitops_worker, NULL);
	for_each_online_cpu(cpu) want_hi |= 1UL << cpu;
	selftest_report("bitops",
			!shared_bitmap[0] && shared_bitmap[1] == want_hi && !bit_lock_word[0] &&
				!bit_lock_word[1] &&
				bit_locked_counter ==
					(unsigned long)selftest_nr_cpus * BITLOCK_LOOPS,
			"bitmap %#lx %#lx (expected 0 %#lx), bit lock counter %lu of %lu",
			shared_bitmap[0], shared_bitmap[1], want_hi, bit_locked_counter,
			(unsigned long)selftest_nr_cpus * BITLOCK_LOOPS);
}

DEFINE_SELFTEST(selftest_atomic, "atomic", test_atomic, 0);
DEFINE_SELFTEST(selftest_bitops, "bitops", test_bitops, 0);
