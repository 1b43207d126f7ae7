/*
 * The LKMM litmus harness: the loop every CPU runs (see lkmm_harness.h).
 *
 * Per iteration: CPU 0 writes the initial values of this iteration's
 * variable set; the threads start together (a spin barrier, or a start
 * time on a clock all CPUs share, which CPU 0 publishes after the initial
 * values, so that no barrier is needed between the two); each runs its
 * thread body; a full barrier and an end barrier; CPU 0 reports. Spinning
 * CPUs give smpsim wait hints (lkmm_harness.h) so that it does not spend
 * its steps on them; the loops still re-read and re-check what they wait
 * for, so only the scheduling changes. The harness orders itself
 * only with smp_mb() and locked instructions, so a debug build that breaks
 * smp_rmb() or smp_store_release() (barrier.h) breaks the tests, not the
 * harness. While a CPU waits it passes through an RCU quiescent state, as
 * an idle CPU does, so synchronize_rcu() in a thread body ends once the
 * other threads have left their read-side critical sections.
 */

#include "asm/io.h"
#include "asm/percpu.h"
#include "asm/processor.h"
#include "atomic.h"
#include "barrier.h"
#include "cpumask.h"
#include "interrupt.h"
#include "lkmm_harness.h"
#include "rcupdate.h"

#define MSR_GS_BASE 0xc0000101
#define LKMM_STACK_SIZE 16384
#define LKMM_PERCPU_SIZE 4096

struct lkmm_control lkmm_control __section(".lkmm_control");

char lkmm_stacks[LKMM_MAX_THREADS][LKMM_STACK_SIZE] __aligned(64);
static char lkmm_percpu[LKMM_MAX_THREADS][LKMM_PERCPU_SIZE] __aligned(64);

struct lkmm_barrier {
	atomic_t count;
	unsigned int gen;
} __aligned(64);

static struct lkmm_barrier setup_barrier, init_barrier, start_barrier, end_barrier;
static u32 start_time __aligned(64);
static u64 start_gen __aligned(64);

extern char lkmm_stacks[LKMM_MAX_THREADS][LKMM_STACK_SIZE];
void lkmm_main(unsigned int cpu);

__asm__(".text\n"
	".globl lkmm_entry\n"
	"lkmm_entry:\n" /* %rdi = cpu */
	"	leaq lkmm_stacks(%rip), %rsp\n"
	"	movq %rdi, %rax\n"
	"	incq %rax\n"
	"	shlq $14, %rax\n" /* LKMM_STACK_SIZE */
	"	addq %rax, %rsp\n"
	"	call lkmm_main\n"
	"1:	cli\n"
	"	hlt\n"
	"	jmp 1b\n");

void __noreturn lkmm_panic(const char *msg)
{
	outl((u32)(unsigned long)msg, LKMM_PORT_PANIC);
	for (;;)
		__asm__ __volatile__("cli; hlt");
}

/* A 32-bit clock: compare times by their difference, so it may wrap. */
static u32 lkmm_timebase(void)
{
	return inl(LKMM_PORT_TIMEBASE);
}

/* A waiting CPU holds no RCU reference: a quiescent state, as in the idle loop. */
static void lkmm_wait_relax(void)
{
	if (lkmm_control.rcu) {
		rcu_all_qs();
		if (local_softirq_pending())
			do_softirq();
	}
	cpu_relax();
}

/*
 * Spinning while *addr still holds `seen`: smpsim parks the CPU until the
 * value in memory differs. With synchronize_rcu() in the test, the CPU has
 * just passed through a quiescent state (lkmm_wait_relax()) and owes the
 * next one only once another grace period starts: it wakes for that too.
 */
static void lkmm_wait_while_eq(const void *addr, u32 seen)
{
	if (lkmm_control.rcu) {
		const unsigned long *gp = rcu_gp_started_ptr();
		/* Read before the quiescent state: a grace period started after it wakes the CPU at once. */
		u32 gp_seen = (u32)READ_ONCE(*gp);

		lkmm_wait_relax();
		outl(gp_seen, LKMM_PORT_WAIT_VALUE);
		outl((u32)(unsigned long)gp, LKMM_PORT_WAIT_ALSO);
	}
	outl(seen, LKMM_PORT_WAIT_VALUE);
	outl((u32)(unsigned long)addr, LKMM_PORT_WAIT_WHILE_EQ);
}

/* Sense-reversing spin barrier; a full barrier on each side. */
static void lkmm_barrier_wait(struct lkmm_barrier *b, unsigned int n)
{
	unsigned int gen;

	smp_mb();
	gen = READ_ONCE(b->gen);
	if ((unsigned int)atomic_inc_return(&b->count) == n) {
		atomic_set(&b->count, 0);
		smp_mb();
		WRITE_ONCE(b->gen, gen + 1);
		smp_mb();
	} else {
		while (READ_ONCE(b->gen) == gen)
			lkmm_wait_while_eq(&b->gen, gen);
	}
	smp_mb();
}

/* This CPU's copy of the per-CPU section, as setup_per_cpu_areas() makes one. */
static void lkmm_setup_percpu(unsigned int cpu)
{
	unsigned long size = (unsigned long)(__per_cpu_end - __per_cpu_start);
	unsigned long off = (unsigned long)lkmm_percpu[cpu] - (unsigned long)__per_cpu_start;
	unsigned long i;

	if (size > LKMM_PERCPU_SIZE)
		lkmm_panic("per-CPU section larger than the harness's areas");
	for (i = 0; i < size; i++)
		lkmm_percpu[cpu][i] = __per_cpu_start[i];
	__per_cpu_offset[cpu] = off;
	per_cpu(this_cpu_off, cpu) = off;
	per_cpu(cpu_number, cpu) = cpu;
	wrmsr(MSR_GS_BASE, off);
}

static void lkmm_init_set(const struct lkmm_control *c, u64 set)
{
	const u64 *addr = (const u64 *)c->var_table + set * c->nvars;
	const u64 *init = (const u64 *)c->init_table + set * c->nvars;
	u64 v;

	for (v = 0; v < c->nvars; v++) {
		void *p = (void *)addr[v];

		switch (c->var_size[v]) {
		case 1: WRITE_ONCE(*(u8 *)p, (u8)init[v]); break;
		case 2: WRITE_ONCE(*(u16 *)p, (u16)init[v]); break;
		case 4: WRITE_ONCE(*(u32 *)p, (u32)init[v]); break;
		default: WRITE_ONCE(*(u64 *)p, init[v]); break;
		}
	}
}

/*
 * Before each start, every CPU reads a random subset of the iteration's
 * variables: their lines start shared, exclusive or absent in each cache,
 * as a real machine's would after earlier work (the x86 runner randomises
 * them the same way), so that store buffers waiting for ownership and
 * invalidate queues holding stale lines get their chance.
 */
static u64 lkmm_random(u64 *rnd)
{
	*rnd ^= *rnd << 13;
	*rnd ^= *rnd >> 7;
	*rnd ^= *rnd << 17;
	return *rnd;
}

static void lkmm_preload(const struct lkmm_control *c, void **vars, u64 *rnd)
{
	u64 v, bits = 0;

	/* One random number gives 64 coin flips. */
	for (v = 0; v < c->nvars; v++) {
		if (v % 64 == 0)
			bits = lkmm_random(rnd);
		if ((bits >> (v % 64)) & 1)
			(void)READ_ONCE(*(volatile u8 *)vars[v]);
	}
}

void lkmm_main(unsigned int cpu)
{
	struct lkmm_control *c = &lkmm_control;
	unsigned int n;
	u64 i, rnd;
	u32 start;

	if (c->magic != LKMM_MAGIC || c->nthreads != lkmm_nthreads || cpu >= lkmm_nthreads ||
	    c->nthreads > LKMM_MAX_THREADS || c->nsets == 0)
		lkmm_panic("control block does not match the test");
	n = (unsigned int)c->nthreads;
	rnd = (c->seed + 1) * 0x9e3779b97f4a7c15ULL + cpu * 0xbf58476d1ce4e5b9ULL;
	if (!rnd)
		rnd = 1;
	lkmm_setup_percpu(cpu);
	if (cpu == 0) {
		nr_cpu_ids = n;
		cpu_online_mask.bits = (n >= 64) ? ~0UL : (1UL << n) - 1;
		rcu_init();
	}
	/* synchronize_rcu() may panic from atomic context: interrupts on, as in process context. */
	local_irq_enable();
	lkmm_barrier_wait(&setup_barrier, n);

	for (i = 0; i < c->runs; i++) {
		u64 set = i % c->nsets;
		void **vars = (void **)((u64 *)c->var_table + set * c->nvars);

		if (c->sync == LKMM_SYNC_TIMEBASE) {
			/* The end barrier has passed: the set is free to initialise. */
			if (cpu == 0) {
				lkmm_init_set(c, set);
				WRITE_ONCE(start_time, lkmm_timebase() + (u32)c->timebase_delay);
				smp_mb();
				WRITE_ONCE(start_gen, i + 1);
			} else {
				u64 gen;

				while ((gen = READ_ONCE(start_gen)) != i + 1)
					lkmm_wait_while_eq(&start_gen, (u32)gen);
			}
			smp_mb();
			lkmm_preload(c, vars, &rnd);
			start = READ_ONCE(start_time);
			while ((s32)(lkmm_timebase() - start) < 0) {
				outl(start, LKMM_PORT_WAIT_UNTIL);
				cpu_relax();
			}
		} else {
			if (cpu == 0)
				lkmm_init_set(c, set);
			lkmm_barrier_wait(&init_barrier, n);
			lkmm_preload(c, vars, &rnd);
			lkmm_barrier_wait(&start_barrier, n);
		}
		outl(cpu, LKMM_PORT_BODY);
		lkmm_threads[cpu](vars, c->regs[cpu]);
		outl(cpu | 0x100, LKMM_PORT_BODY);
		lkmm_barrier_wait(&end_barrier, n);
		if (cpu == 0)
			outl((u32)i, LKMM_PORT_DONE);
	}
	local_irq_disable();
}
