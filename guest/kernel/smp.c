/*
 * Cross-CPU function calls through per-CPU call queues and the
 * call-function IPI, and process-context work run by the idle loop.
 */

#include "asm/smp.h"
#include "asm/apic.h"
#include "asm/irq.h"
#include "asm/percpu.h"
#include "asm/processor.h"
#include "asm/timer.h"
#include "asm/traps.h"
#include "atomic.h"
#include "barrier.h"
#include "interrupt.h"
#include "kernel.h"
#include "rcupdate.h"
#include "smp.h"

/* Each CPU's queue of pending calls. */
static DEFINE_PER_CPU(struct llist_head, call_single_queue);
/* The csd of each CPU for its asynchronous single calls. */
static DEFINE_PER_CPU(call_single_data_t, csd_data);
/* The csds of each CPU for smp_call_function_many(): one per target. */
static DEFINE_PER_CPU(call_single_data_t[NR_CPUS], cfd_data);
/* Each CPU's queue of process-context work. */
static DEFINE_PER_CPU(struct llist_head, cpu_work_queue);

/*
 * Seconds a csd may stay locked (or a work item unfinished) before its
 * waiter complains, once, and asks the target CPU for its state by NMI.
 */
#define CSD_LOCK_TIMEOUT_S 1

static void csd_lock_wait(call_single_data_t *csd)
{
	u64 start = rdtsc();
	bool reported = false;

	while (READ_ONCE(csd->flags) & CSD_FLAG_LOCK) {
		cpu_relax();
		if (!reported && rdtsc() - start > CSD_LOCK_TIMEOUT_S * HZ * tsc_per_jiffy) {
			unsigned int dst = csd->dst;

			reported = true;
			printk("smp: CPU%u waits for CPU%u to run a function call for %u s: its "
			       "call queue is %s, %u call-function IPIs taken\n",
			       smp_processor_id(), dst, CSD_LOCK_TIMEOUT_S,
			       llist_empty(per_cpu_ptr(&call_single_queue, dst)) ? "empty"
										 : "not empty",
			       READ_ONCE(per_cpu(irq_stat, dst).irq_call_count));
			trigger_single_cpu_backtrace(dst);
		}
	}
	smp_acquire__after_ctrl_dep();
}

static void csd_lock(call_single_data_t *csd)
{
	csd_lock_wait(csd);
	csd->flags |= CSD_FLAG_LOCK;
	/* The lock is seen before the fields change (they are read by the old target until unlock).
	 */
	smp_wmb();
}

static void csd_unlock(call_single_data_t *csd)
{
	smp_store_release(&csd->flags, 0);
}

static void send_call_function_single_ipi(unsigned int cpu)
{
	apic_icr_write(APIC_DM_FIXED | CALL_FUNCTION_SINGLE_VECTOR, cpu_to_apicid[cpu]);
}

/* Adds csd to cpu's queue; an IPI only if the queue was empty (otherwise one is on its way). */
static void __smp_call_single_queue(unsigned int cpu, call_single_data_t *csd)
{
	csd->dst = cpu;
	if (llist_add(&csd->node, per_cpu_ptr(&call_single_queue, cpu)))
		send_call_function_single_ipi(cpu);
}

void flush_smp_call_function_queue(void)
{
	struct llist_node *entry = llist_del_all(this_cpu_ptr(&call_single_queue));

	entry = llist_reverse_order(entry);
	while (entry) {
		call_single_data_t *csd = container_of(entry, call_single_data_t, node);
		smp_call_func_t func = csd->func;
		void *info = csd->info;

		/* csd may be reused once unlocked: take next first. */
		entry = entry->next;
		if (csd->flags & CSD_TYPE_SYNC) {
			func(info);
			csd_unlock(csd);
		} else {
			csd_unlock(csd);
			func(info);
		}
	}
}

static void call_function_single_interrupt(struct pt_regs *regs)
{
	apic_eoi();
	this_cpu_inc(irq_stat.irq_call_count);
	flush_smp_call_function_queue();
}

void call_function_init(void)
{
	set_system_vector(CALL_FUNCTION_SINGLE_VECTOR, call_function_single_interrupt);
}

static void warn_irqs_disabled(const char *what)
{
	static int warned;

	if (!warned++)
		printk("WARNING: %s called with interrupts disabled on CPU%u\n", what,
		       smp_processor_id());
}

static void call_local(smp_call_func_t func, void *info)
{
	unsigned long flags = local_irq_save();

	func(info);
	local_irq_restore(flags);
}

int smp_call_function_single(unsigned int cpu, smp_call_func_t func, void *info, bool wait)
{
	call_single_data_t csd_stack = { .flags = CSD_FLAG_LOCK | CSD_TYPE_SYNC };
	call_single_data_t *csd = &csd_stack;

	if (cpu >= NR_CPUS || !cpu_online(cpu))
		return -1;
	if (cpu == smp_processor_id()) {
		call_local(func, info);
		return 0;
	}
	if (irqs_disabled())
		warn_irqs_disabled("smp_call_function_single");
	if (!wait) {
		csd = this_cpu_ptr(&csd_data);
		csd_lock(csd);
	}
	csd->func = func;
	csd->info = info;
	__smp_call_single_queue(cpu, csd);
	if (wait)
		csd_lock_wait(csd);
	return 0;
}

int smp_call_function_single_async(unsigned int cpu, call_single_data_t *csd)
{
	unsigned long flags;

	if (cpu >= NR_CPUS || !cpu_online(cpu))
		return -1;
	if (READ_ONCE(csd->flags) & CSD_FLAG_LOCK)
		return -2; /* still in flight */
	csd->flags = CSD_FLAG_LOCK;
	smp_wmb();
	if (cpu == smp_processor_id()) {
		flags = local_irq_save();
		csd_unlock(csd);
		csd->func(csd->info);
		local_irq_restore(flags);
		return 0;
	}
	__smp_call_single_queue(cpu, csd);
	return 0;
}

void smp_call_function_many(const cpumask_t *mask, smp_call_func_t func, void *info, bool wait)
{
	call_single_data_t *cfd = this_cpu_ptr(&cfd_data[0]);
	unsigned int this_cpu = smp_processor_id();
	unsigned int cpu;

	if (irqs_disabled())
		warn_irqs_disabled("smp_call_function_many");
	for_each_cpu(cpu, mask)
	{
		call_single_data_t *csd = &cfd[cpu];

		if (cpu == this_cpu || !cpu_online(cpu))
			continue;
		csd_lock(csd);
		if (wait)
			csd->flags |= CSD_TYPE_SYNC;
		csd->func = func;
		csd->info = info;
		__smp_call_single_queue(cpu, csd);
	}
	if (!wait)
		return;
	for_each_cpu(cpu, mask)
	{
		if (cpu != this_cpu)
			csd_lock_wait(&cfd[cpu]);
	}
}

void smp_call_function(smp_call_func_t func, void *info, bool wait)
{
	cpumask_t mask = cpu_online_mask;

	smp_call_function_many(&mask, func, info, wait);
}

void on_each_cpu_mask(const cpumask_t *mask, smp_call_func_t func, void *info, bool wait)
{
	smp_call_function_many(mask, func, info, wait);
	if (cpumask_test_cpu(smp_processor_id(), mask))
		call_local(func, info);
}

void on_each_cpu(smp_call_func_t func, void *info, bool wait)
{
	cpumask_t mask = cpu_online_mask;

	on_each_cpu_mask(&mask, func, info, wait);
}

/* Process-context work. */

void queue_cpu_work(unsigned int cpu, struct cpu_work *work)
{
	WRITE_ONCE(work->done, 0);
	work->cpu = cpu;
	/* A reschedule IPI wakes the CPU from hlt; it then finds the work in its idle loop. */
	if (llist_add(&work->node, per_cpu_ptr(&cpu_work_queue, cpu)))
		smp_send_reschedule(cpu);
}

void wait_cpu_work(struct cpu_work *work)
{
	u64 start = rdtsc();
	bool reported = false;

	while (!READ_ONCE(work->done)) {
		cpu_relax();
		if (!reported && rdtsc() - start > CSD_LOCK_TIMEOUT_S * HZ * tsc_per_jiffy) {
			reported = true;
			printk("smp: CPU%u waits for CPU%u to run a work item for %u s: its work "
			       "queue "
			       "is %s, %u reschedule IPIs taken\n",
			       smp_processor_id(), work->cpu, CSD_LOCK_TIMEOUT_S,
			       llist_empty(per_cpu_ptr(&cpu_work_queue, work->cpu)) ? "empty"
										    : "not empty",
			       READ_ONCE(per_cpu(irq_stat, work->cpu).irq_resched_count));
			trigger_single_cpu_backtrace(work->cpu);
		}
	}
	smp_acquire__after_ctrl_dep();
}

static void run_cpu_work(void)
{
	struct llist_node *entry =
		llist_reverse_order(llist_del_all(this_cpu_ptr(&cpu_work_queue)));

	while (entry) {
		struct cpu_work *work = container_of(entry, struct cpu_work, node);

		entry = entry->next;
		work->func(work->arg);
		smp_store_release(&work->done, 1);
	}
}

void smp_call_on_cpu(unsigned int cpu, void (*func)(void *arg), void *arg)
{
	struct cpu_work work = { .func = func, .arg = arg };

	if (cpu == smp_processor_id()) {
		func(arg);
		return;
	}
	queue_cpu_work(cpu, &work);
	wait_cpu_work(&work);
}

void run_on_each_cpu(void (*func)(void *arg), void *arg)
{
	struct cpu_work work[NR_CPUS];
	unsigned int cpu, self = smp_processor_id();

	for_each_online_cpu(cpu)
	{
		if (cpu == self)
			continue;
		work[cpu].func = func;
		work[cpu].arg = arg;
		queue_cpu_work(cpu, &work[cpu]);
	}
	func(arg);
	for_each_online_cpu(cpu)
	{
		if (cpu != self)
			wait_cpu_work(&work[cpu]);
	}
}

/*
 * One pass of the idle loop: run what is pending (softirqs, CPU work) or, if
 * nothing is, halt until the next interrupt. Also for code on the boot CPU
 * that waits for an event (kernel_main waiting for the end of a replay):
 * a bare safe_halt() there would leave deferred softirqs to the next tick.
 */
void cpu_idle_once(void)
{
	/* Checked with interrupts off: a kick that comes after the check wakes the hlt. */
	local_irq_disable();
	/* No RCU reference survives a pass of the idle loop. */
	rcu_idle_qs();
	/* Softirqs left over by irq_exit() (or raised here) run now: ksoftirqd's job. */
	if (local_softirq_pending()) {
		run_idle_softirqs();
		local_irq_enable();
		return;
	}
	if (!llist_empty(this_cpu_ptr(&cpu_work_queue))) {
		local_irq_enable();
		run_cpu_work();
		return;
	}
	safe_halt();
}

void cpu_idle_loop(void)
{
	for (;;)
		cpu_idle_once();
}
