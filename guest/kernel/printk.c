/*
 * printk: format into a buffer and write it to the console (COM1).
 * Single CPU for now; SMP will need a console lock here.
 */

#include "kernel.h"
#include "serial.h"

#define PRINTK_BUF_SIZE 512

int vprintk(const char *fmt, va_list args)
{
	char buf[PRINTK_BUF_SIZE];
	int len;

	len = vsnprintf(buf, sizeof(buf), fmt, args);
	if (len > (int)sizeof(buf) - 1)
		len = sizeof(buf) - 1;
	serial_write(buf, len);
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
