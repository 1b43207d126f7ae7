#ifndef _GUEST_SETUP_H
#define _GUEST_SETUP_H

#include "multiboot.h"
#include "types.h"

#define COMMAND_LINE_SIZE 512

/* Options parsed from the kernel command line (kernel/params.c). */
struct boot_options {
	unsigned int exit_status; /* exit=N */
	int fault;		  /* panic, fault=KIND: TRIGGER_* to raise at the end, or -1 */
	bool mbinfo;		  /* mbinfo: dump the raw multiboot information */
	unsigned long workload_kib; /* workload=KIB: run the CPU-bound workload */
	int irq_affinity[16]; /* irqaffinity=IRQ:CPU: the CPU an ISA IRQ is sent to, or -1 */
	bool halt;		    /* halt: end with cli; hlt instead of the exit port */
	bool acpi_off;		    /* acpi=off: CPUs and I/O APIC from the MP table, not the MADT */
	bool noapic;		    /* noapic: leave the I/O APIC alone, 8259A through LINT0 */
	bool selftest;		    /* selftest[=VARIANT,...]: run the SMP self-tests after bring-up */
	unsigned int selftest_variants; /* SELFTEST_* debug variants, also run */
	bool selftest_only;		/* selftest=only,...: the variants' tests alone */
	bool procint;		    /* procint: /proc/interrupts right after bring-up too */
	int reboot;		    /* reboot=cf9|kbd: REBOOT_* way to reset at the end */
	bool bad_mmio;		    /* badmmio: touch a physical address no device decodes */
};

/* reboot=: how machine_restart() resets the machine (as Linux's reboot= types). */
#define REBOOT_NONE 0
#define REBOOT_CF9 1 /* reboot=pci in Linux: the reset control register at port 0xcf9 */
#define REBOOT_KBD 2 /* the 8042 keyboard controller's pulse-reset command */

/* selftest=nolock: the spinlock torture once more without the lock (expect lost updates). */
#define SELFTEST_NOLOCK 0x1
/* selftest=noshootdown: the TLB test once more, unmapping without the IPIs (expect stale reads). */
#define SELFTEST_NOSHOOTDOWN 0x2
/* selftest=norcu: the RCU test once more, freeing without a grace period (expect poisoned reads). */
#define SELFTEST_NORCU 0x4
/* selftest=falseshare: two CPUs writing adjacent fields of one struct, then the padded struct. */
#define SELFTEST_FALSE_SHARING 0x8

extern struct boot_options boot_options;
/* The command line without its first word, the boot image path. */
extern char boot_command_line[COMMAND_LINE_SIZE];
extern char boot_image[COMMAND_LINE_SIZE];
/* NULL if the boot loader did not give its name. */
extern const char *boot_loader_name;

void parse_boot_options(const char *cmdline);
/* "de", "ud", "gp" or "pf" for a TRIGGER_* kind. */
const char *fault_name(int kind);

/* kernel/multiboot.c */
void multiboot_setup(u32 magic, u32 mbi_phys);
void multiboot_dump(void);

#endif /* _GUEST_SETUP_H */
