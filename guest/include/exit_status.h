#ifndef _GUEST_EXIT_STATUS_H
#define _GUEST_EXIT_STATUS_H

/*
 * Statuses written to the exit port at 0xf4 (QEMU's isa-debug-exit then
 * exits with (status << 1) | 1). Usable from C and assembly.
 */
#define EXIT_PORT 0xf4

#define EXIT_STATUS_OK 0
#define EXIT_STATUS_PANIC 3	   /* panic() and fatal CPU exceptions */
#define EXIT_STATUS_BOOT_FAILURE 4 /* no multiboot magic or no long mode */

#endif /* _GUEST_EXIT_STATUS_H */
