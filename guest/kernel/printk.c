/*
 * printk: format into a buffer and write it to the console (COM1). A
 * console lock keeps the lines of different CPUs apart. A CPU that cannot
 * get the lock for a very long time (its holder died in an oops) prints
 * anyway.
 */

#include "kernel.h"
#include "serial.h"
#include "spinlock.h"

#define PRINTK_BUF_SIZE 512
#define CONSOLE_LOCK_TRIES 100000000UL

static DEFINE_SPINLOCK(console_lock);

int vprintk(const char *fmt, va_list args)
{
	char buf[PRINTK_BUF_SIZE];
	unsigned long flags, tries = 0;
	bool locked;
	int len;

	len = vsnprintf(buf, sizeof(buf), fmt, args);
	if (len > (int)sizeof(buf) - 1)
		len = sizeof(buf) - 1;

	flags = local_irq_save();
	while (!(locked = spin_trylock(&console_lock)) && ++tries < CONSOLE_LOCK_TRIES)
		cpu_relax();
	serial_write(buf, len);
	if (locked)
		spin_unlock(&console_lock);
	local_irq_restore(flags);
	return len;
}

int printk(const char *fmt, ...)
{
	va_list args;
	int len;

	va_start(args, fmt);
	len = vprintk(fmt, args);
	va_end(args);
	return len;
}
