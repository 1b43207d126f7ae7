#ifndef _GUEST_KERNEL_H
#define _GUEST_KERNEL_H

#include <stdarg.h>

#include "compiler.h"
#include "exit_status.h"
#include "types.h"

#define GUEST_VERSION "0.1"

#define ALIGN_UP(x, a) (((x) + ((a)-1)) & ~((__typeof__(x))(a)-1))
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a)-1))
#define min(a, b) ((a) < (b) ? (a) : (b))
#define max(a, b) ((a) > (b) ? (a) : (b))

/*
 * Console lines whose content depends on the machine (CPU model, features,
 * boot loader, timing) start with this marker, so that transcripts of two
 * different machines can be compared after filtering them out.
 */
#define MACHINE_DEPENDENT "~ "

/* lib/vsprintf.c */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list args);
int snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);
unsigned long long simple_strtoull(const char *cp, const char **endp, unsigned int base);

/* kernel/printk.c */
int printk(const char *fmt, ...) __printf(1, 2);
int vprintk(const char *fmt, va_list args);

/* kernel/panic.c */
void panic(const char *fmt, ...) __printf(1, 2) __noreturn;
void kernel_exit(unsigned int status) __noreturn;
void machine_exit(unsigned int status) __noreturn;

#endif /* _GUEST_KERNEL_H */
