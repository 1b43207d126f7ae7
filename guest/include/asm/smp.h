#ifndef _GUEST_ASM_SMP_H
#define _GUEST_ASM_SMP_H

/* The AP start-up code runs at this physical address (the SIPI vector is its page number). */
#define TRAMPOLINE_BASE 0x8000

#ifndef __ASSEMBLER__
#include "../cpumask.h"
#include "../types.h"
#include "percpu.h"

/* Filled by the BSP for each AP before the INIT IPI; lives in the trampoline page. */
struct trampoline_header {
	u64 cr3;
	u64 stack;	  /* initial RSP */
	u64 gs_base;	  /* the AP's __per_cpu_offset */
	u16 gdt_limit;	  /* pseudo-descriptor for the 16/32-bit lgdtl */
	u32 gdt_base;
} __packed;

/* APIC ID of each possible CPU (index: logical CPU number). */
extern unsigned int cpu_to_apicid[NR_CPUS];
extern unsigned int boot_cpu_apicid;

/* Brings every present CPU online (INIT-SIPI-SIPI), prints the Linux lines. */
void smp_init(void);
/* Stops the other online CPUs; returns how many stopped. */
unsigned int smp_send_stop(void);
void smp_send_reschedule(unsigned int cpu);
/* arch/x86/trampoline.S: the code and data copied to TRAMPOLINE_BASE */
extern char trampoline_start[], trampoline_header[], trampoline_end[];
/* Sends a reschedule IPI to every other online CPU and waits for each to take it. */
void smp_ipi_selftest(void);
/* Waits until every online CPU has taken a local timer interrupt; false on timeout. */
bool smp_wait_local_ticks(void);
/* arch/x86/head.S */
extern char secondary_startup_64[];
void start_secondary(void);
#endif

#endif /* _GUEST_ASM_SMP_H */
