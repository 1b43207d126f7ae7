/*
 * Timers on jiffies: a sorted list per CPU, run from TIMER_SOFTIRQ.
 */

#include "timer.h"
#include "asm/percpu.h"
#include "asm/processor.h"
#include "interrupt.h"
#include "kernel.h"
#include "rcupdate.h"
#include "smp.h"
#include "spinlock.h"

struct timer_base {
	spinlock_t lock;
	struct hlist_head pending; /* sorted by expires, earliest first */
	struct timer_list *running_timer;
};

/* Zeroed per-CPU data is an unlocked lock and an empty list. */
static DEFINE_PER_CPU(struct timer_base, timer_bases);

void timer_setup(struct timer_list *timer, void (*func)(struct timer_list *), unsigned int flags)
{
	INIT_HLIST_NODE(&timer->entry);
	timer->function = func;
	timer->flags = flags;
	timer->expires = 0;
	timer->cpu = smp_processor_id();
}

/* base->lock held. */
static void enqueue_timer(struct timer_base *base, struct timer_list *timer)
{
	struct timer_list *pos, *last = NULL;

	hlist_for_each_entry(pos, &base->pending, entry)
	{
		if (time_after(pos->expires, timer->expires))
			break;
		last = pos;
	}
	if (last)
		hlist_add_behind(&timer->entry, &last->entry);
	else
		hlist_add_head(&timer->entry, &base->pending);
}

/*
 * Locks the base the timer is on. A timer moves between bases only with
 * its old base locked, so after locking, check it is still there.
 */
static struct timer_base *lock_timer_base(struct timer_list *timer, unsigned long *flags)
{
	for (;;) {
		unsigned int cpu = READ_ONCE(timer->cpu);
		struct timer_base *base = per_cpu_ptr(&timer_bases, cpu);

		*flags = spin_lock_irqsave(&base->lock);
		if (READ_ONCE(timer->cpu) == cpu)
			return base;
		spin_unlock_irqrestore(&base->lock, *flags);
	}
}

static bool __mod_timer(struct timer_list *timer, unsigned long expires, unsigned int cpu)
{
	struct timer_base *base, *new_base = per_cpu_ptr(&timer_bases, cpu);
	unsigned long flags;
	bool was_pending;

	base = lock_timer_base(timer, &flags);
	was_pending = timer_pending(timer);
	if (was_pending)
		hlist_del_init(&timer->entry);
	if (base != new_base) {
		/* Its callback keeps running on the old base: don't move it meanwhile. */
		if (base->running_timer != timer) {
			WRITE_ONCE(timer->cpu, cpu);
			spin_unlock(&base->lock);
			base = new_base;
			spin_lock(&base->lock);
		}
	}
	timer->expires = expires;
	enqueue_timer(base, timer);
	spin_unlock_irqrestore(&base->lock, flags);
	return was_pending;
}

void add_timer(struct timer_list *timer)
{
	__mod_timer(timer, timer->expires, smp_processor_id());
}

void add_timer_on(struct timer_list *timer, unsigned int cpu)
{
	__mod_timer(timer, timer->expires, cpu);
}

bool mod_timer(struct timer_list *timer, unsigned long expires)
{
	return __mod_timer(timer, expires, smp_processor_id());
}

bool del_timer(struct timer_list *timer)
{
	struct timer_base *base;
	unsigned long flags;
	bool was_pending;

	base = lock_timer_base(timer, &flags);
	was_pending = timer_pending(timer);
	if (was_pending)
		hlist_del_init(&timer->entry);
	spin_unlock_irqrestore(&base->lock, flags);
	return was_pending;
}

bool del_timer_sync(struct timer_list *timer)
{
	for (;;) {
		struct timer_base *base;
		unsigned long flags;
		bool was_pending, running;

		base = lock_timer_base(timer, &flags);
		was_pending = timer_pending(timer);
		if (was_pending)
			hlist_del_init(&timer->entry);
		running = base->running_timer == timer;
		spin_unlock_irqrestore(&base->lock, flags);
		if (!running)
			return was_pending;
		cpu_relax();
	}
}

static void run_timer_softirq(void)
{
	struct timer_base *base = this_cpu_ptr(&timer_bases);

	spin_lock_irq(&base->lock);
	for (;;) {
		struct hlist_node *first = base->pending.first;
		struct timer_list *timer;
		void (*fn)(struct timer_list *);

		if (!first)
			break;
		timer = hlist_entry(first, struct timer_list, entry);
		if (time_before(jiffies, timer->expires))
			break;
		hlist_del_init(&timer->entry);
		fn = timer->function;
		base->running_timer = timer;
		spin_unlock_irq(&base->lock);
		fn(timer);
		spin_lock_irq(&base->lock);
		base->running_timer = NULL;
	}
	spin_unlock_irq(&base->lock);
}

void run_local_timers(void)
{
	struct timer_base *base = this_cpu_ptr(&timer_bases);
	struct hlist_node *first = READ_ONCE(base->pending.first);

	/* A racy peek: a timer queued meanwhile is seen at the next tick. */
	if (first && time_after_eq(jiffies, hlist_entry(first, struct timer_list, entry)->expires))
		raise_softirq_irqoff(TIMER_SOFTIRQ);
}

void init_timers(void)
{
	open_softirq(TIMER_SOFTIRQ, run_timer_softirq);
}

void update_process_times(bool qs)
{
	run_local_timers();
	rcu_sched_clock_irq(qs);
}
