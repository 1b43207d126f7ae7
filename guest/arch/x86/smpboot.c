/*
 * SMP: per-CPU areas, bringing the application processors up with
 * INIT-SIPI-SIPI through the real-mode trampoline, IPIs, and stopping the
 * other CPUs at shutdown.
 */

#include "asm/apic.h"
#include "asm/io.h"
#include "asm/irq.h"
#include "asm/percpu.h"
#include "asm/processor.h"
#include "asm/smp.h"
#include "asm/timer.h"
#include "asm/traps.h"
#include "cpumask.h"
#include "kernel.h"
#include "mm.h"
#include "smp.h"
#include "string.h"

#define THREAD_PAGES 4 /* 16 KiB stacks */

DEFINE_PER_CPU(unsigned long, this_cpu_off);
DEFINE_PER_CPU(unsigned int, cpu_number);
unsigned long __per_cpu_offset[NR_CPUS];

/* Set by an AP in start_secondary() once it runs its own code: "callin". */
static volatile unsigned int cpu_callin;

static void load_gs_base(unsigned long base)
{
	wrmsr(MSR_GS_BASE, base);
}

void setup_per_cpu_areas(void)
{
	unsigned long size = __per_cpu_end - __per_cpu_start;
	unsigned long pages = PFN_UP(size ? size : 1);
	unsigned int cpu;

	for_each_possible_cpu(cpu) {
		char *area = alloc_pages_contig(pages);

		if (!area)
			panic("No memory for the per-CPU area of CPU%u", cpu);
		memcpy(area, __per_cpu_start, size);
		__per_cpu_offset[cpu] = (unsigned long)area - (unsigned long)__per_cpu_start;
		per_cpu(this_cpu_off, cpu) = __per_cpu_offset[cpu];
		per_cpu(cpu_number, cpu) = cpu;
	}
	load_gs_base(__per_cpu_offset[0]);
	printk("percpu: %u CPUs, %lu bytes each\n", cpumask_weight(&cpu_possible_mask), size);
}

void smp_send_reschedule(unsigned int cpu)
{
	apic_icr_write(APIC_DM_FIXED | RESCHEDULE_VECTOR, cpu_to_apicid[cpu]);
}

static void smp_reschedule_interrupt(struct pt_regs *regs)
{
	apic_eoi();
	this_cpu_inc(irq_stat.irq_resched_count);
}

static void __noreturn stop_this_cpu(void)
{
	local_irq_disable();
	stop_APIC_timer();
	disable_local_APIC();
	cpumask_clear_cpu(smp_processor_id(), &cpu_online_mask);
	halt_forever();
}

static void smp_reboot_interrupt(struct pt_regs *regs)
{
	this_cpu_inc(irq_stat.irq_stop_count);
	apic_eoi();
	stop_this_cpu();
}

unsigned int smp_send_stop(void)
{
	unsigned int others = num_online_cpus() - 1;
	u64 start;

	if (!others)
		return 0;
	apic_icr_write(APIC_DEST_ALLBUT | APIC_DM_FIXED | REBOOT_VECTOR, 0);
	/* Wait up to one second for them to go offline. */
	start = rdtsc();
	while (num_online_cpus() > 1 && rdtsc() - start < tsc_per_jiffy * HZ)
		cpu_relax();
	return others - (num_online_cpus() - 1);
}

/* The AP, in long mode on its own stack with its GS base, but nothing else set up yet. */
void start_secondary(void)
{
	unsigned int cpu = smp_processor_id();

	load_idt();
	setup_local_APIC(false);
	setup_APIC_timer();
	__atomic_store_n(&cpu_callin, read_apic_id() + 1, __ATOMIC_RELEASE);
	cpumask_set_cpu(cpu, &cpu_online_mask);
	cpu_idle_loop();
}

static void smp_prepare_trampoline(void)
{
	unsigned long size = trampoline_end - trampoline_start;

	memcpy(phys_to_virt(TRAMPOLINE_BASE), trampoline_start, size);
}

static struct trampoline_header *trampoline_header_ptr(void)
{
	return phys_to_virt(TRAMPOLINE_BASE + (trampoline_header - trampoline_start));
}

/* 0 when the CPU came online, -1 when it did not answer. */
static int do_boot_cpu(unsigned int cpu)
{
	struct trampoline_header *th = trampoline_header_ptr();
	unsigned int apicid = cpu_to_apicid[cpu];
	char *stack = alloc_pages_contig(THREAD_PAGES);
	u32 start_eip = TRAMPOLINE_BASE >> 12;
	unsigned int i;
	u64 start;

	if (!stack)
		panic("No memory for the stack of CPU%u", cpu);
	th->cr3 = read_cr3();
	th->stack = (u64)(uintptr_t)(stack + THREAD_PAGES * PAGE_SIZE);
	th->gs_base = __per_cpu_offset[cpu];
	cpu_callin = 0;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);

	/* INIT (assert), 10 ms, then two STARTUP IPIs 200 us apart (SDM 8.4.4.1). */
	apic_write(APIC_ESR, 0);
	apic_icr_write(APIC_INT_ASSERT | APIC_DM_INIT, apicid);
	apic_wait_icr_idle();
	mdelay(10);
	for (i = 0; i < 2; i++) {
		apic_write(APIC_ESR, 0);
		apic_icr_write(APIC_DM_STARTUP | start_eip, apicid);
		udelay(200);
		apic_wait_icr_idle();
		if (__atomic_load_n(&cpu_callin, __ATOMIC_ACQUIRE))
			break;
	}

	/* Five seconds for the AP to run start_secondary() and go online. */
	start = rdtsc();
	while (!cpu_online(cpu) && rdtsc() - start < 5 * HZ * tsc_per_jiffy)
		cpu_relax();
	if (!cpu_online(cpu))
		return -1;
	if (cpu_callin != apicid + 1)
		printk("smpboot: CPU%u reports APIC ID %u, the MP table says %u\n", cpu,
		       cpu_callin - 1, apicid);
	return 0;
}

void smp_init(void)
{
	char line[256];
	unsigned int cpu, failed[NR_CPUS], nr_failed = 0, nodes = 1, n;
	int len;

	set_system_vector(RESCHEDULE_VECTOR, smp_reschedule_interrupt);
	set_system_vector(REBOOT_VECTOR, smp_reboot_interrupt);
	call_function_init();
	cpumask_set_cpu(0, &cpu_online_mask);

	printk("smp: Bringing up secondary CPUs ...\n");
	if (cpumask_weight(&cpu_present_mask) > 1 && lapic_enabled) {
		smp_prepare_trampoline();
		printk("x86: Booting SMP configuration:\n");
		len = snprintf(line, sizeof(line), ".... node  #0, CPUs:      ");
		for_each_present_cpu(cpu) {
			if (cpu == 0)
				continue;
			if (do_boot_cpu(cpu) == 0)
				len += snprintf(line + len, sizeof(line) - len, " #%u", cpu);
			else
				failed[nr_failed++] = cpu;
		}
		printk("%s\n", line);
		for (n = 0; n < nr_failed; n++)
			printk("smpboot: do_boot_cpu failed(-1) to wakeup CPU#%u\n", failed[n]);
	}
	n = num_online_cpus();
	printk("smp: Brought up %u node%s, %u CPU%s\n", nodes, nodes > 1 ? "s" : "", n,
	       n > 1 ? "s" : "");
}

void smp_ipi_selftest(void)
{
	unsigned int cpu, answered = 0, others = 0;

	for_each_online_cpu(cpu) {
		unsigned int before;
		u64 start;

		if (cpu == smp_processor_id())
			continue;
		others++;
		before = __atomic_load_n(&per_cpu(irq_stat, cpu).irq_resched_count, __ATOMIC_RELAXED);
		smp_send_reschedule(cpu);
		start = rdtsc();
		while (__atomic_load_n(&per_cpu(irq_stat, cpu).irq_resched_count, __ATOMIC_RELAXED) ==
			       before &&
		       rdtsc() - start < HZ * tsc_per_jiffy)
			cpu_relax();
		if (__atomic_load_n(&per_cpu(irq_stat, cpu).irq_resched_count, __ATOMIC_RELAXED) != before)
			answered++;
		else
			printk("smp: CPU%u did not take the reschedule IPI\n", cpu);
	}
	if (others)
		printk("smp: reschedule IPI taken by %u of %u other CPUs\n", answered, others);
}

bool smp_wait_local_ticks(void)
{
	unsigned int cpu;
	u64 start = rdtsc();

	for_each_online_cpu(cpu) {
		while (!__atomic_load_n(&per_cpu(irq_stat, cpu).apic_timer_irqs, __ATOMIC_RELAXED)) {
			if (rdtsc() - start > HZ * tsc_per_jiffy)
				return false;
			cpu_relax();
		}
	}
	return true;
}
