/*
 * The tick: first the PIT (channel 0, mode 2, HZ) on IRQ0, then the local
 * APIC timer of each CPU. CPU 0 counts jiffies. Delays use the TSC,
 * calibrated against the tick in calibrate_APIC_clock().
 */

#include "asm/io.h"
#include "asm/irq.h"
#include "asm/percpu.h"
#include "asm/processor.h"
#include "asm/timer.h"
#include "kernel.h"
#include "preempt.h"
#include "timer.h"

volatile unsigned long jiffies;
u64 tsc_per_jiffy;

#define PIT_CMD_CH0_LOHI_MODE2 0x34
#define PIT_CMD_CH0_LOHI_MODE0 0x30
#define PIT_CMD_CH0_LATCH 0x00

void setup_pit_timer(void)
{
	unsigned long flags = local_irq_save();

	outb(PIT_CMD_CH0_LOHI_MODE2, PIT_MODE);
	outb(LATCH & 0xff, PIT_CH0);
	outb(LATCH >> 8, PIT_CH0);
	local_irq_restore(flags);
}

void pit_stop(void)
{
	unsigned long flags = local_irq_save();

	/* Mode 0 (interrupt on terminal count) with count 0: one edge after 65536 clocks, then none. */
	outb(PIT_CMD_CH0_LOHI_MODE0, PIT_MODE);
	outb(0, PIT_CH0);
	outb(0, PIT_CH0);
	local_irq_restore(flags);
}

unsigned int pit_read_count(void)
{
	unsigned long flags = local_irq_save();
	unsigned int lo, hi;

	outb(PIT_CMD_CH0_LATCH, PIT_MODE);
	lo = inb(PIT_CH0);
	hi = inb(PIT_CH0);
	local_irq_restore(flags);
	return (hi << 8) | lo;
}

bool wait_for_ticks(unsigned int nticks)
{
	unsigned long start = jiffies;
	unsigned int periods = 0, limit = 4 * nticks + 10;
	unsigned int prev = pit_read_count(), cur;

	while (jiffies - start < nticks) {
		cpu_relax();
		cur = pit_read_count();
		if (cur > prev && ++periods > limit)
			return false;
		prev = cur;
	}
	return true;
}

void udelay(unsigned long usecs)
{
	u64 start = rdtsc();
	u64 cycles = tsc_per_jiffy * usecs / (1000000 / HZ);

	if (!tsc_per_jiffy)
		cycles = (u64)usecs * 4000; /* uncalibrated: assume a 4 GHz TSC, too long is safe */
	while (rdtsc() - start < cycles)
		cpu_relax();
}

void mdelay(unsigned long msecs)
{
	while (msecs--)
		udelay(1000);
}

/*
 * Called by the tick handler: the interrupted code was in a quiescent state
 * when its preempt count was zero (idle, or kernel code outside any RCU
 * read-side, bh-disabled or interrupt context); the tick itself adds one
 * hard-irq level.
 */
static bool tick_interrupted_qs(void)
{
	return preempt_count() == HARDIRQ_OFFSET;
}

/* IRQ0 while the PIT is the tick. */
static void timer_interrupt(unsigned int irq, void *dev_id)
{
	jiffies++;
	update_process_times(tick_interrupted_qs());
}

void setup_default_timer_irq(void)
{
	if (request_irq(0, timer_interrupt, "timer", NULL))
		panic("Could not set up the timer interrupt");
}

void local_apic_timer_interrupt(void)
{
	this_cpu_inc(irq_stat.apic_timer_irqs);
	if (smp_processor_id() == 0)
		jiffies++;
	update_process_times(tick_interrupted_qs());
}
