/*
 * kernel_main: called by arch/x86/head.S in long mode, on the boot stack,
 * with the multiboot magic and the physical address of the multiboot
 * information.
 */

#include "asm/cpu.h"
#include "asm/traps.h"
#include "e820.h"
#include "kernel.h"
#include "mm.h"
#include "serial.h"
#include "setup.h"
#include "workload.h"

void kernel_main(u32 magic, u32 mbi_phys) __noreturn;

void kernel_main(u32 magic, u32 mbi_phys)
{
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

	if (boot_options.workload_kib)
		run_workload(boot_options.workload_kib);

	if (boot_options.fault >= 0) {
		printk("Raising an exception: fault=%s\n", fault_name(boot_options.fault));
		trigger_exception(boot_options.fault);
	}

	kernel_exit(boot_options.exit_status);
}
