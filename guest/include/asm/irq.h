#ifndef _GUEST_ASM_IRQ_H
#define _GUEST_ASM_IRQ_H

/*
 * Interrupt descriptors. An IRQ is an interrupt line of a controller (ISA
 * IRQ n of the 8259A pair, or the I/O APIC pin that carries it); it owns one
 * IDT vector (vector_irq[]) and has one handler. The local APIC's own
 * interrupts (timer, IPIs, error, spurious) are "system vectors" with a
 * handler per vector and per-CPU counters in irq_stat.
 */

#include "../cpumask.h"
#include "../types.h"
#include "irq_vectors.h"
#include "percpu.h"
#include "ptrace.h"

#define NR_IRQS 24

typedef void (*irq_handler_t)(unsigned int irq, void *dev_id);
typedef void (*system_vector_handler_t)(struct pt_regs *regs);

struct irq_desc;

struct irq_chip {
	const char *name;
	void (*mask)(struct irq_desc *desc);
	void (*unmask)(struct irq_desc *desc);
	/* Before the handler: false if the interrupt turns out to be spurious (nothing to do, no EOI). */
	bool (*ack)(struct irq_desc *desc);
	/* After the handler: end of interrupt. */
	void (*eoi)(struct irq_desc *desc);
};

struct irq_desc {
	unsigned int irq;
	const struct irq_chip *chip;
	unsigned int hwirq; /* 8259A line or I/O APIC pin */
	unsigned int vector;
	bool level;
	irq_handler_t handler;
	void *dev_id;
	const char *name;
	cpumask_t affinity;
};

extern struct irq_desc irq_desc[NR_IRQS];
/* Which IRQ owns an IDT vector, or -1. Every CPU uses the same vectors. */
extern int vector_irq[NR_VECTORS];

/* Per-CPU interrupt statistics, as Linux's irq_cpustat_t. */
typedef struct {
	unsigned int apic_timer_irqs;
	unsigned int irq_spurious_count;
	unsigned int irq_resched_count;
	unsigned int irq_call_count;
	unsigned int irq_tlb_count;
	unsigned int irq_stop_count;
	unsigned int nmi_count;
	unsigned int irq_unexpected_count;
} irq_cpustat_t;

DECLARE_PER_CPU(irq_cpustat_t, irq_stat);
DECLARE_PER_CPU(unsigned int[NR_IRQS], kstat_irqs);
/* Spurious 8259A interrupts and local APIC errors, all CPUs. */
extern unsigned int irq_err_count;

/* IDT gates for vectors 0x20-0xff, the 8259A chip for IRQ 0-15. */
void init_IRQ(void);
int request_irq(unsigned int irq, irq_handler_t handler, const char *name, void *dev_id);
void free_irq(unsigned int irq);
/* Moves irq to another controller, pin and vector (8259A -> I/O APIC). */
void irq_set_chip(unsigned int irq, const struct irq_chip *chip, unsigned int hwirq,
		  unsigned int vector, bool level);
void set_system_vector(unsigned int vector, system_vector_handler_t handler);
void enable_irq(unsigned int irq);
void disable_irq(unsigned int irq);
/* Called by the entry stubs with the vector in regs->vector. */
void do_IRQ(struct pt_regs *regs);
/* The /proc/interrupts table. */
void show_interrupts(void);

#endif /* _GUEST_ASM_IRQ_H */
