/*
 * kernel_main: called by arch/x86/head.S in long mode, on the boot stack,
 * with the multiboot magic and the physical address of the multiboot
 * information.
 */

#include "asm/apic.h"
#include "asm/cpu.h"
#include "asm/i8259.h"
#include "asm/io.h"
#include "asm/io_apic.h"
#include "asm/irq.h"
#include "asm/mpspec.h"
#include "asm/percpu.h"
#include "asm/processor.h"
#include "asm/smp.h"
#include "asm/timer.h"
#include "asm/tlbflush.h"
#include "asm/traps.h"
#include "e820.h"
#include "kernel.h"
#include "mm.h"
#include "netdevice.h"
#include "pci.h"
#include "rcupdate.h"
#include "selftest.h"
#include "serial.h"
#include "setup.h"
#include "timer.h"
#include "workload.h"

#define X86_FEATURE_APIC 9 /* CPUID.1:EDX */

void kernel_main(u32 magic, u32 mbi_phys) __noreturn;

/* How the interrupts are delivered once boot is over. */
static enum {
	IRQ_MODE_PIC,	     /* 8259A + PIT tick, one CPU */
	IRQ_MODE_VIRT_WIRE,  /* 8259A through LINT0 ("noapic"), local APIC ticks */
	IRQ_MODE_SYMMETRIC,  /* I/O APIC, local APIC ticks */
} irq_mode = IRQ_MODE_PIC;

static void cascade_action(unsigned int irq, void *dev_id)
{
}

/* 8259A mode: the PIT on IRQ0 ticks at HZ; see that it does. */
static void time_init(void)
{
	init_8259A();
	request_irq(PIC_CASCADE_IR, cascade_action, "cascade", NULL);
	setup_pit_timer();
	setup_default_timer_irq();
	local_irq_enable();
	if (!wait_for_ticks(3))
		panic("Timer: no PIT interrupt through the 8259A");
	printk("Timer: PIT at %d Hz, 8259A IRQ0 works\n", HZ);
}

/* The tick moves from the PIT to the local APIC timer of each CPU. */
static void switch_to_lapic_tick(void)
{
	unsigned long start;
	u64 tsc;

	calibrate_APIC_clock();
	local_irq_disable();
	setup_APIC_timer();
	disable_irq(0);
	pit_stop();
	local_irq_enable();

	start = jiffies;
	tsc = rdtsc();
	while (jiffies - start < 3 && rdtsc() - tsc < 2 * HZ * tsc_per_jiffy)
		safe_halt();
	if (jiffies - start < 3)
		panic("APIC timer: no local timer interrupts");
	printk("APIC timer: per-CPU ticks at %d Hz, PIT stopped\n", HZ);
}

/* irqaffinity=IRQ:CPU: point the interrupt's I/O APIC entry at that CPU. */
static void apply_irq_affinity_options(void)
{
	unsigned int irq;

	for (irq = 0; irq < ARRAY_SIZE(boot_options.irq_affinity); irq++) {
		int cpu = boot_options.irq_affinity[irq];
		cpumask_t mask;

		if (cpu < 0)
			continue;
		mask = cpumask_of(cpu);
		if (cpu >= NR_CPUS || !cpu_online(cpu) || irq_set_affinity(irq, &mask))
			printk("IRQ %u: cannot send it to CPU %d (not online)\n", irq, cpu);
		else
			printk("IRQ %u affinity: CPU %d\n", irq, cpu);
	}
}

static void apic_init(void)
{
	bool has_apic = cpu_has(&boot_cpu_data, CPUID_1_EDX, X86_FEATURE_APIC);

	if (!smp_found_config || !has_apic) {
		printk("APIC: not used, staying in 8259A mode\n");
		return;
	}
	if (boot_options.noapic || !nr_ioapics) {
		/* Virtual wire: the 8259A keeps IRQ0, through the boot CPU's LINT0. */
		printk("IO-APIC: not used (%s), 8259A through LINT0\n",
		       boot_options.noapic ? "noapic" : "none in the MP table");
		local_irq_disable();
		setup_local_APIC(true);
		local_irq_enable();
		if (!wait_for_ticks(3))
			panic("Timer: no PIT interrupt through LINT0");
		irq_mode = IRQ_MODE_VIRT_WIRE;
	} else {
		printk("Switching to symmetric I/O mode\n");
		local_irq_disable();
		mask_8259A();
		free_irq(PIC_CASCADE_IR);
		setup_local_APIC(false);
		io_apic_init();
		setup_IO_APIC();
		local_irq_enable();
		if (irq_desc[0].chip != &ioapic_chip || !wait_for_ticks(3))
			panic("IO-APIC + timer doesn't work!");
		printk("IO-APIC: timer IRQ0 through pin %u, vector %#x works\n", irq_desc[0].hwirq,
		       irq_desc[0].vector);
		irq_mode = IRQ_MODE_SYMMETRIC;
	}
	if (read_apic_id() != boot_cpu_apicid)
		printk("APIC: boot CPU has APIC ID %u, the MP table says %u\n", read_apic_id(),
		       boot_cpu_apicid);
	switch_to_lapic_tick();
}

/*
 * PCI and the network: the bus scan, the receive path, the NIC driver. MSI
 * needs the local APIC; PCI INTx goes through the I/O APIC only (with
 * "noapic" or in 8259A mode a device has no INTx).
 */
static void net_init(void)
{
	pci_init(irq_mode != IRQ_MODE_PIC, irq_mode == IRQ_MODE_SYMMETRIC);
	net_dev_init();
	igb_init_module();
}

/* The end: timer summary, /proc/interrupts, the other CPUs stopped, timers off. */
/*
 * badmmio: a read and a write where no device of smpsim's PC decodes (QEMU has
 * its HPET there). On a PC that is a master abort: the read returns all ones.
 */
static void poke_unmapped_mmio(void)
{
	volatile u32 *reg = phys_to_virt(0xfed00000);
	u32 value = *reg;

	*reg = 0x12345678;
	printk("badmmio: read 0x%x from 0xfed00000\n", value);
}

static void __noreturn shutdown(unsigned int status)
{
	unsigned int n = num_online_cpus();

	/* Devices stop interrupting and DMAing before the CPUs that serve them stop. */
	pci_shutdown_devices();
	if (net_options.replay || net_options.procnet) {
		if (!net_wait_idle())
			printk(MACHINE_DEPENDENT "net: NAPI still busy after 1 s\n");
		net_show_views();
	}

	if (irq_mode != IRQ_MODE_PIC) {
		if (smp_wait_local_ticks())
			printk("smp: local timer interrupts on all %u CPU%s\n", n, n > 1 ? "s" : "");
		else
			printk("smp: some CPU took no local timer interrupt\n");
	}
	show_interrupts();
	if (n > 1)
		printk("smp: stopped %u of %u other CPUs\n", smp_send_stop(), n - 1);
	local_irq_disable();
	if (lapic_enabled)
		stop_APIC_timer();
	if (irq_mode == IRQ_MODE_SYMMETRIC)
		io_apic_mask_all();
	else
		mask_8259A();
	if (irq_mode == IRQ_MODE_PIC)
		pit_stop();
	kernel_exit(status);
}

void kernel_main(u32 magic, u32 mbi_phys)
{
	wrmsr(MSR_GS_BASE, 0);
	serial_init();
	printk("smpsim guest kernel version " GUEST_VERSION " (x86-64, multiboot v1)\n");
	trap_init();

	multiboot_setup(magic, mbi_phys);
	printk("Command line: %s\n", boot_command_line);
	if (boot_loader_name)
		printk(MACHINE_DEPENDENT "Boot loader: %s, image %s\n", boot_loader_name,
		       boot_image);
	parse_boot_options(boot_command_line);
	if (boot_options.mbinfo)
		multiboot_dump();

	printk("BIOS-provided physical RAM map:\n");
	e820_print_map("BIOS-e820");

	page_alloc_init();
	mem_print_summary();
	page_alloc_selftest();

	cpu_identify(&boot_cpu_data);
	cpu_print_info(&boot_cpu_data);

	find_and_parse_smp_config();
	setup_per_cpu_areas();
	kmap_window_init();
	init_IRQ();
	init_timers();
	rcu_init();
	apic_intr_init();
	time_init();
	apic_init();
	if (irq_mode != IRQ_MODE_PIC) {
		smp_init();
		smp_ipi_selftest();
	} else {
		cpumask_set_cpu(0, &cpu_online_mask);
		printk("smp: Brought up 1 node, 1 CPU\n");
	}

	apply_irq_affinity_options();
	if (boot_options.procint)
		show_interrupts();
	if (boot_options.selftest)
		run_selftests();

	/* After the self-tests: their softirq test takes NET_RX over while it runs. */
	net_init();
	if (net_options.procnet)
		net_show_views();

	if (boot_options.workload_kib)
		run_workload(boot_options.workload_kib);

	if (net_options.replay)
		net_wait_replay_end();

	if (boot_options.fault == TRIGGER_STRAY_INIT && lapic_enabled) {
		printk("Sending INIT to every CPU: fault=init\n");
		local_irq_disable();
		apic_icr_write(APIC_DEST_ALLINC | APIC_INT_ASSERT | APIC_DM_INIT, 0);
		halt_forever();
	}
	if (boot_options.bad_mmio)
		poke_unmapped_mmio();

	if (boot_options.fault >= 0) {
		printk("Raising an exception: fault=%s\n", fault_name(boot_options.fault));
		trigger_exception(boot_options.fault);
	}

	shutdown(boot_options.exit_status);
}
