#ifndef _GUEST_SMP_H
#define _GUEST_SMP_H

/*
 * Cross-CPU function calls (kernel/smp.c), as Linux's:
 *
 *   smp_call_function_single(cpu, func, info, wait)
 *   smp_call_function_many(mask, func, info, wait)   the CPUs of mask but this one
 *   smp_call_function(func, info, wait)              every other online CPU
 *   on_each_cpu(func, info, wait)                    every online CPU, this one included
 *
 * func runs on the target CPU in its call-function interrupt (interrupts
 * off): it must be short and must not wait for other CPUs. With wait, the
 * caller returns once func has returned everywhere. The caller must have
 * interrupts on (two CPUs calling each other with interrupts off would wait
 * for each other forever); calls to this CPU only are made directly.
 *
 * Each CPU has a lock-less queue of call_single_data (csd) entries; a
 * sender adds its entry and sends CALL_FUNCTION_SINGLE_VECTOR if the queue
 * was empty. A csd is "locked" from the moment it is queued until its
 * function has been taken (async) or has returned (wait).
 *
 * Process-context work on another CPU (smp_call_on_cpu, queue_cpu_work):
 * the work item runs in that CPU's idle loop with interrupts on, where it
 * may wait, take locks and call other CPUs.
 */

#include "cpumask.h"
#include "llist.h"
#include "types.h"

typedef void (*smp_call_func_t)(void *info);

#define CSD_FLAG_LOCK 0x01
#define CSD_TYPE_SYNC 0x10

struct call_single_data {
	struct llist_node node;
	unsigned int flags;
	unsigned int dst; /* target CPU, for reports */
	smp_call_func_t func;
	void *info;
};
typedef struct call_single_data call_single_data_t;

/* Returns 0, or -1 if cpu is not online. */
int smp_call_function_single(unsigned int cpu, smp_call_func_t func, void *info, bool wait);
/* Queues csd (which must not be in flight: see csd_lock) for cpu, no wait. */
int smp_call_function_single_async(unsigned int cpu, call_single_data_t *csd);
void smp_call_function_many(const cpumask_t *mask, smp_call_func_t func, void *info, bool wait);
void smp_call_function(smp_call_func_t func, void *info, bool wait);
void on_each_cpu(smp_call_func_t func, void *info, bool wait);
void on_each_cpu_mask(const cpumask_t *mask, smp_call_func_t func, void *info, bool wait);

/* Installs the call-function vector (boot CPU, before the APs come up). */
void call_function_init(void);
/* Runs this CPU's queue: the call-function interrupt, and the idle loop. */
void flush_smp_call_function_queue(void);

/* A unit of process-context work for one CPU's idle loop. */
struct cpu_work {
	struct llist_node node;
	void (*func)(void *arg);
	void *arg;
	unsigned int cpu; /* where it runs */
	int done;	  /* set (release) when func has returned */
};

/* Queues work on cpu (kicking it out of hlt); cpu must be online and not this CPU. */
void queue_cpu_work(unsigned int cpu, struct cpu_work *work);
/* Waits for a queued work item to finish. */
void wait_cpu_work(struct cpu_work *work);
/* Runs func(arg) on cpu in process context and waits: directly if cpu is this CPU. */
void smp_call_on_cpu(unsigned int cpu, void (*func)(void *arg), void *arg);
/* Runs func(arg) on every online CPU at the same time (this one too), returns when all are done. */
void run_on_each_cpu(void (*func)(void *arg), void *arg);

/* The idle loop of the APs: run queued work, otherwise sti; hlt. */
void cpu_idle_loop(void) __noreturn;
/* One pass of it: run pending softirqs and CPU work, or halt until an interrupt. */
void cpu_idle_once(void);

#endif /* _GUEST_SMP_H */
