/*
 * panic() and the ways out of the kernel: the exit port, then hlt.
 */

#include "asm/io.h"
#include "asm/processor.h"
#include "kernel.h"
#include "setup.h"

/*
 * Writes the status to the exit port. QEMU's isa-debug-exit (and smpsim's
 * exit port) stop the machine there; if nothing listens, the write returns
 * and this CPU halts with interrupts off.
 */
void machine_exit(unsigned int status)
{
	local_irq_disable();
	outl(status, EXIT_PORT);
	halt_forever();
}

/*
 * Resets the machine the way reboot= asks (arch/x86/kernel/reboot.c does the
 * same): QEMU reboots, smpsim stops with its "guest requested reset" status.
 * If nothing resets, this CPU halts.
 */
static void __noreturn machine_restart(int type)
{
	int i;

	local_irq_disable();
	if (type == REBOOT_CF9) {
		outb(0x02, 0xcf9); /* SYS_RST: a hard reset... */
		outb(0x06, 0xcf9); /* ...and RST_CPU, which starts it */
	} else {
		/* Wait until the 8042 takes a command, then pulse the reset line. */
		for (i = 0; i < 0x10000 && (inb(0x64) & 0x02); i++)
			cpu_relax();
		outb(0xfe, 0x64);
	}
	halt_forever();
}

void kernel_exit(unsigned int status)
{
	if (boot_options.reboot != REBOOT_NONE) {
		printk("Kernel finished, restarting system\n");
		machine_restart(boot_options.reboot);
	}
	if (boot_options.halt) {
		/* "halt": stop the way a machine without an exit device would. */
		printk("Kernel finished, halting\n");
		local_irq_disable();
		halt_forever();
	}
	printk("Kernel finished, exit status %u\n", status);
	machine_exit(status);
}

void panic(const char *fmt, ...)
{
	static bool in_panic;
	char buf[256];
	va_list args;

	local_irq_disable();
	if (in_panic)
		machine_exit(EXIT_STATUS_PANIC);
	in_panic = true;

	va_start(args, fmt);
	vsnprintf(buf, sizeof(buf), fmt, args);
	va_end(args);

	printk("Kernel panic - not syncing: %s\n", buf);
	printk("---[ end Kernel panic - not syncing: %s ]---\n", buf);
	machine_exit(EXIT_STATUS_PANIC);
}
