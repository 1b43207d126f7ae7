#ifndef _GUEST_ASM_IRQ_ALLOC_H
#define _GUEST_ASM_IRQ_ALLOC_H

/*
 * Interrupts beyond the fixed ones. IRQs 0..NR_IRQS-1 are the I/O APIC's pins
 * (0-15 the ISA IRQs, 16-23 PCI INTx); message-signalled interrupts get IRQ
 * numbers from NR_IRQS up (as Linux numbers MSIs after the GSIs), each with a
 * descriptor of its own and a device vector of its own.
 */

#include "irq.h"

#define NR_DYN_IRQS 40
#define NR_IRQS_ALL (NR_IRQS + NR_DYN_IRQS)

/* The descriptor of any IRQ, fixed or allocated; NULL if irq is out of range. */
struct irq_desc *irq_to_desc(unsigned int irq);
/* A free dynamic IRQ number, or -1. */
int irq_alloc_desc(void);
void irq_free_desc(unsigned int irq);
/* A free vector in FIRST_DEVICE_VECTOR..LAST_DEVICE_VECTOR, or -1; free_irq_vector gives it back.
 */
int assign_irq_vector(void);
void free_irq_vector(unsigned int vector);
/* Interrupts of irq taken by cpu so far. */
unsigned int kstat_irqs_cpu(unsigned int irq, unsigned int cpu);

#endif /* _GUEST_ASM_IRQ_ALLOC_H */
