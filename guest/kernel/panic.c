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

void kernel_exit(unsigned int status)
{
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
