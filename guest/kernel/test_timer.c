/*
 * Timers: per-CPU timer lists fire each timer once, on its CPU, not early.
 */

#include "kernel.h"
#include "selftest.h"
#include "smp.h"
#include "spinlock.h"
#include "string.h"
#include "timer.h"

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
	selftest_report("timer", !bad, "%s (%u CPUs)", why, bad);
}

DEFINE_SELFTEST(selftest_timer, "timer", test_timer, 0);
