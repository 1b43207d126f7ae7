/*
 * Local APIC (xAPIC, memory mapped): per-CPU setup, the timer and its
 * calibration, IPIs, and the APIC's own interrupts (timer, error, spurious).
 */

#include "asm/apic.h"
#include "asm/irq.h"
#include "asm/percpu.h"
#include "asm/processor.h"
#include "asm/timer.h"
#include "kernel.h"

unsigned long mp_lapic_addr = APIC_DEFAULT_PHYS_BASE;
bool lapic_enabled;
unsigned int lapic_timer_period;

/* Jiffies the calibration measures over (Linux: LAPIC_CAL_LOOPS = HZ / 10). */
#define LAPIC_CAL_LOOPS (HZ / 10)
#define ICR_IDLE_POLLS 1000000

bool apic_wait_icr_idle(void)
{
	unsigned int polls;

	for (polls = 0; polls < ICR_IDLE_POLLS; polls++) {
		if (!(apic_read(APIC_ICR) & APIC_ICR_BUSY))
			return true;
		cpu_relax();
	}
	return false;
}

void apic_icr_write(u32 low, u32 dest)
{
	unsigned long flags = local_irq_save();

	apic_wait_icr_idle();
	apic_write(APIC_ICR2, SET_APIC_DEST_FIELD(dest));
	apic_write(APIC_ICR, low);
	local_irq_restore(flags);
}

void setup_local_APIC(bool virtual_wire)
{
	unsigned int cpu = smp_processor_id();
	unsigned int i, j, loops;
	u32 value;

	/* Flat logical destinations: one bit per CPU for the first eight. */
	apic_write(APIC_DFR, APIC_DFR_FLAT);
	apic_write(APIC_LDR, cpu < 8 ? SET_APIC_LOGICAL_ID(1U << cpu) : 0);
	apic_write(APIC_TASKPRI, 0);

	/* Software enable, spurious vector 0xff, no focus processor checking. */
	apic_write(APIC_SPIV, APIC_SPIV_APIC_ENABLED | SPURIOUS_APIC_VECTOR);

	/* Whatever the firmware left in service gets its EOI. */
	for (loops = 0; loops < 256; loops++) {
		bool any = false;

		for (i = 0; i < 8; i++) {
			value = apic_read(APIC_ISR + i * 0x10);
			for (j = 0; j < 32; j++) {
				if (value & (1U << j)) {
					apic_eoi();
					any = true;
				}
			}
		}
		if (!any)
			break;
	}

	/*
	 * LINT0 carries the 8259A's INTR (ExtINT): open on the boot CPU while
	 * the 8259A delivers interrupts, masked otherwise. LINT1 is the NMI
	 * input of the boot CPU.
	 */
	apic_write(APIC_LVT0, APIC_DM_EXTINT | (virtual_wire && cpu == 0 ? 0 : APIC_LVT_MASKED));
	apic_write(APIC_LVT1, APIC_DM_NMI | (cpu == 0 ? 0 : APIC_LVT_MASKED));
	apic_write(APIC_LVTT, APIC_LVT_MASKED | LOCAL_TIMER_VECTOR);

	apic_write(APIC_LVTERR, ERROR_APIC_VECTOR);
	apic_write(APIC_ESR, 0);
	apic_write(APIC_ESR, 0);
	lapic_enabled = true;
}

void disable_local_APIC(void)
{
	apic_write(APIC_LVTT, APIC_LVT_MASKED | LOCAL_TIMER_VECTOR);
	apic_write(APIC_LVT0, APIC_LVT_MASKED | APIC_DM_EXTINT);
	apic_write(APIC_LVT1, APIC_LVT_MASKED | APIC_DM_NMI);
	apic_write(APIC_LVTERR, APIC_LVT_MASKED | ERROR_APIC_VECTOR);
	apic_write(APIC_SPIV, apic_read(APIC_SPIV) & ~APIC_SPIV_APIC_ENABLED);
}

static void lapic_timer_start(u32 count, bool periodic, bool masked)
{
	apic_write(APIC_LVTT, LOCAL_TIMER_VECTOR | (periodic ? APIC_LVT_TIMER_PERIODIC : 0) |
				      (masked ? APIC_LVT_MASKED : 0));
	apic_write(APIC_TDCR, APIC_TDR_DIV_16);
	apic_write(APIC_TMICT, count);
}

void stop_APIC_timer(void)
{
	apic_write(APIC_LVTT, APIC_LVT_MASKED | LOCAL_TIMER_VECTOR);
	apic_write(APIC_TMICT, 0);
}

void setup_APIC_timer(void)
{
	lapic_timer_start(lapic_timer_period, true, false);
}

static void wait_for_next_jiffy(void)
{
	unsigned long now = jiffies;

	while (jiffies == now)
		safe_halt();
}

/*
 * The tick (PIT) is running: start the APIC timer counting down from
 * 0xffffffff, masked, and see how far it gets, and how far the TSC gets, in
 * LAPIC_CAL_LOOPS jiffies.
 */
void calibrate_APIC_clock(void)
{
	unsigned long flags = local_save_flags();
	u32 start_count, end_count;
	u64 start_tsc, end_tsc;
	unsigned long start;
	u64 bus_hz, tsc_khz;

	lapic_timer_start(0xffffffff, false, true);
	local_irq_enable();
	wait_for_next_jiffy();
	start = jiffies;
	start_count = apic_read(APIC_TMCCT);
	start_tsc = rdtsc();
	/* The TSC keeps counting in hlt (invariant TSC), so sleep between ticks. */
	while (jiffies - start < LAPIC_CAL_LOOPS)
		safe_halt();
	end_count = apic_read(APIC_TMCCT);
	end_tsc = rdtsc();
	local_irq_restore(flags);
	stop_APIC_timer();

	lapic_timer_period = (start_count - end_count) / LAPIC_CAL_LOOPS;
	tsc_per_jiffy = (end_tsc - start_tsc) / LAPIC_CAL_LOOPS;
	bus_hz = (u64)lapic_timer_period * 16 * HZ;
	tsc_khz = tsc_per_jiffy * HZ / 1000;
	printk(MACHINE_DEPENDENT "APIC timer: %u counts per jiffy at divide 16, bus clock %llu.%04llu MHz\n",
	       lapic_timer_period, bus_hz / 1000000, (bus_hz / 100) % 10000);
	printk(MACHINE_DEPENDENT "TSC: %llu.%03llu MHz\n", tsc_khz / 1000, tsc_khz % 1000);
	if (lapic_timer_period < 100)
		panic("APIC timer calibration failed: %u counts per jiffy", lapic_timer_period);
}

static void smp_apic_timer_interrupt(struct pt_regs *regs)
{
	apic_eoi();
	local_apic_timer_interrupt();
}

static void smp_spurious_interrupt(struct pt_regs *regs)
{
	/* Not in service: no EOI (SDM 10.9). */
	this_cpu_inc(irq_stat.irq_spurious_count);
}

static void smp_error_interrupt(struct pt_regs *regs)
{
	u32 esr;

	apic_write(APIC_ESR, 0);
	esr = apic_read(APIC_ESR);
	apic_eoi();
	__atomic_fetch_add(&irq_err_count, 1, __ATOMIC_RELAXED);
	printk(MACHINE_DEPENDENT "APIC error on CPU%u: %02x\n", smp_processor_id(), esr);
}

void apic_intr_init(void)
{
	set_system_vector(LOCAL_TIMER_VECTOR, smp_apic_timer_interrupt);
	set_system_vector(SPURIOUS_APIC_VECTOR, smp_spurious_interrupt);
	set_system_vector(ERROR_APIC_VECTOR, smp_error_interrupt);
}
