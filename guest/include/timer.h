#ifndef _GUEST_TIMER_H
#define _GUEST_TIMER_H

/*
 * Timers on jiffies (kernel/timer.c): each CPU keeps its pending timers in
 * a list sorted by expiry; its local tick raises TIMER_SOFTIRQ once the
 * first one is due, and the softirq runs the expired ones on that CPU.
 */

#include "asm/timer.h"
#include "list.h"
#include "types.h"

struct timer_list {
	struct hlist_node entry; /* pprev == NULL: not pending */
	unsigned long expires;
	void (*function)(struct timer_list *timer);
	unsigned int flags;
	unsigned int cpu; /* the base it is (or was last) queued on */
};

#define time_after(a, b) ((long)((b) - (a)) < 0)
#define time_before(a, b) time_after(b, a)
#define time_after_eq(a, b) ((long)((a) - (b)) >= 0)
#define time_before_eq(a, b) time_after_eq(b, a)

#define from_timer(var, callback_timer, timer_fieldname)                                           \
	container_of(callback_timer, __typeof__(*var), timer_fieldname)

void timer_setup(struct timer_list *timer, void (*func)(struct timer_list *), unsigned int flags);

static inline bool timer_pending(const struct timer_list *timer)
{
	return !hlist_unhashed(&timer->entry);
}

/* Queues the timer on this CPU (it must not be pending). */
void add_timer(struct timer_list *timer);
void add_timer_on(struct timer_list *timer, unsigned int cpu);
/* (Re)queues the timer to expire at expires; true if it was pending. */
bool mod_timer(struct timer_list *timer, unsigned long expires);
/* Dequeues; true if it was pending. The callback may still be running elsewhere. */
bool del_timer(struct timer_list *timer);
/* del_timer(), then waits until the callback is not running on any CPU. */
bool del_timer_sync(struct timer_list *timer);

/* The local tick: raises TIMER_SOFTIRQ when a timer is due. */
void run_local_timers(void);
void init_timers(void);

/* The tick's work on each CPU (arch/x86/time.c calls it): timers, RCU. */
void update_process_times(bool qs);

#endif /* _GUEST_TIMER_H */
