#ifndef _GUEST_ASM_IO_APIC_H
#define _GUEST_ASM_IO_APIC_H

#include "../cpumask.h"
#include "../types.h"

#define IO_APIC_DEFAULT_PHYS_BASE 0xfec00000UL

#define IO_APIC_REG_ID 0x00
#define IO_APIC_REG_VERSION 0x01
#define IO_APIC_REDTBL(pin) (0x10 + 2 * (pin))

/* Redirection entry, low word. */
#define IO_APIC_DEST_LOGICAL (1 << 11)
#define IO_APIC_POLARITY_LOW (1 << 13)
#define IO_APIC_REMOTE_IRR (1 << 14)
#define IO_APIC_LEVEL (1 << 15)
#define IO_APIC_MASKED (1 << 16)

struct irq_chip;
extern const struct irq_chip ioapic_chip;

/* Reads the number of pins, masks them all, and prints the IOAPIC[0] line. */
void io_apic_init(void);
/*
 * Routes the ISA IRQs of the MP table to the I/O APIC (vector
 * ISA_IRQ_VECTOR(irq), destination the boot CPU, masked); an IRQ that has a
 * handler is unmasked.
 */
void setup_IO_APIC(void);
/* Points the redirection entry of irq at the first online CPU of mask. */
int irq_set_affinity(unsigned int irq, const cpumask_t *mask);
/* Masks every pin (shutdown). */
void io_apic_mask_all(void);
/* Pin of ISA IRQ irq according to the MP table, or -1. */
int mp_find_isa_irq_pin(unsigned int irq);

#endif /* _GUEST_ASM_IO_APIC_H */
