#ifndef _GUEST_ASM_APIC_H
#define _GUEST_ASM_APIC_H

#include "../types.h"
#include "apicdef.h"

extern unsigned long mp_lapic_addr;
extern bool lapic_enabled;
/* Timer input clock ticks (after the divide-by-16) per jiffy, from calibrate_APIC_clock(). */
extern unsigned int lapic_timer_period;

static inline u32 apic_read(u32 reg)
{
	return *(volatile u32 *)(mp_lapic_addr + reg);
}

static inline void apic_write(u32 reg, u32 value)
{
	*(volatile u32 *)(mp_lapic_addr + reg) = value;
}

static inline void apic_eoi(void)
{
	apic_write(APIC_EOI, 0);
}

static inline unsigned int read_apic_id(void)
{
	return GET_APIC_ID(apic_read(APIC_ID));
}

/*
 * Programs this CPU's local APIC: software enable with the spurious vector,
 * TPR 0, flat logical destination, LINT0 (ExtINT) open only if
 * virtual_wire, LINT1 NMI on the boot CPU only, error vector.
 */
void setup_local_APIC(bool virtual_wire);
/* Masks the LVT entries and software-disables this CPU's local APIC. */
void disable_local_APIC(void);
/* Measures lapic_timer_period (and the TSC rate) against the running tick. */
void calibrate_APIC_clock(void);
/* Starts this CPU's periodic local APIC timer at HZ. */
void setup_APIC_timer(void);
void stop_APIC_timer(void);
/* Sends an IPI: ICR low word (vector, mode, shorthand) to APIC ID dest. */
void apic_icr_write(u32 low, u32 dest);
/* Waits until the ICR is idle; false after a timeout. */
bool apic_wait_icr_idle(void);
void apic_intr_init(void);

#endif /* _GUEST_ASM_APIC_H */
