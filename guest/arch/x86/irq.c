/*
 * The interrupt core: IRQ descriptors, the vector -> IRQ table, the system
 * vectors of the local APIC, the C dispatcher do_IRQ() that every external
 * vector reaches through entry.S, and the /proc/interrupts view.
 */

#include "asm/apic.h"
#include "asm/i8259.h"
#include "asm/irq.h"
#include "asm/irq_alloc.h"
#include "asm/percpu.h"
#include "asm/processor.h"
#include "asm/traps.h"
#include "cpumask.h"
#include "kernel.h"
#include "preempt.h"
#include "spinlock.h"
#include "string.h"

struct irq_desc irq_desc[NR_IRQS];
/* MSI and MSI-X interrupts: IRQ NR_IRQS + i. */
static struct irq_desc dyn_irq_desc[NR_DYN_IRQS];
static bool dyn_irq_used[NR_DYN_IRQS];
static bool device_vector_used[LAST_DEVICE_VECTOR + 1];
static DEFINE_SPINLOCK(irq_alloc_lock);
int vector_irq[NR_VECTORS];
static system_vector_handler_t system_vectors[NR_VECTORS];

DEFINE_PER_CPU(irq_cpustat_t, irq_stat);
DEFINE_PER_CPU(unsigned int[NR_IRQS], kstat_irqs);
static DEFINE_PER_CPU(unsigned int[NR_DYN_IRQS], kstat_dyn_irqs);
unsigned int irq_err_count;

struct irq_desc *irq_to_desc(unsigned int irq)
{
	if (irq < NR_IRQS)
		return &irq_desc[irq];
	if (irq < NR_IRQS_ALL)
		return &dyn_irq_desc[irq - NR_IRQS];
	return NULL;
}

int irq_alloc_desc(void)
{
	unsigned long flags = spin_lock_irqsave(&irq_alloc_lock);
	int irq = -1;
	unsigned int i;

	for (i = 0; i < NR_DYN_IRQS; i++) {
		if (!dyn_irq_used[i]) {
			struct irq_desc *desc = &dyn_irq_desc[i];

			dyn_irq_used[i] = true;
			memset(desc, 0, sizeof(*desc));
			desc->irq = NR_IRQS + i;
			desc->affinity = cpumask_of(0);
			irq = desc->irq;
			break;
		}
	}
	spin_unlock_irqrestore(&irq_alloc_lock, flags);
	return irq;
}

void irq_free_desc(unsigned int irq)
{
	if (irq < NR_IRQS || irq >= NR_IRQS_ALL)
		return;
	irq_set_chip(irq, NULL, 0, 0, false);
	irq_to_desc(irq)->handler = NULL; /* a later show_interrupts() must skip it */
	WRITE_ONCE(dyn_irq_used[irq - NR_IRQS], false);
}

int assign_irq_vector(void)
{
	unsigned long flags = spin_lock_irqsave(&irq_alloc_lock);
	int vector = -1;
	unsigned int v;

	for (v = FIRST_DEVICE_VECTOR; v <= LAST_DEVICE_VECTOR; v++) {
		if (!device_vector_used[v] && vector_irq[v] < 0) {
			device_vector_used[v] = true;
			vector = v;
			break;
		}
	}
	spin_unlock_irqrestore(&irq_alloc_lock, flags);
	return vector;
}

void free_irq_vector(unsigned int vector)
{
	if (vector >= FIRST_DEVICE_VECTOR && vector <= LAST_DEVICE_VECTOR)
		WRITE_ONCE(device_vector_used[vector], false);
}

unsigned int kstat_irqs_cpu(unsigned int irq, unsigned int cpu)
{
	if (irq < NR_IRQS)
		return per_cpu(kstat_irqs, cpu)[irq];
	if (irq < NR_IRQS_ALL)
		return per_cpu(kstat_dyn_irqs, cpu)[irq - NR_IRQS];
	return 0;
}

void irq_set_chip(unsigned int irq, const struct irq_chip *chip, unsigned int hwirq,
		  unsigned int vector, bool level)
{
	struct irq_desc *desc = irq_to_desc(irq);
	unsigned long flags = local_irq_save();

	if (desc->vector && vector_irq[desc->vector] == (int)irq)
		vector_irq[desc->vector] = -1;
	desc->chip = chip;
	desc->hwirq = hwirq;
	desc->vector = vector;
	desc->level = level;
	if (vector)
		vector_irq[vector] = irq;
	local_irq_restore(flags);
}

void init_IRQ(void)
{
	unsigned int i;

	for (i = 0; i < NR_VECTORS; i++)
		vector_irq[i] = -1;
	for (i = 0; i < NR_IRQS; i++) {
		irq_desc[i].irq = i;
		irq_desc[i].affinity = cpumask_of(0);
	}
	/* The ISA IRQs start on the 8259A pair. */
	for (i = 0; i < NR_LEGACY_IRQS; i++)
		irq_set_chip(i, &i8259A_chip, i, ISA_IRQ_VECTOR(i), false);
	idt_setup_irq_gates();
}

void set_system_vector(unsigned int vector, system_vector_handler_t handler)
{
	system_vectors[vector] = handler;
}

void enable_irq(unsigned int irq)
{
	struct irq_desc *desc = irq_to_desc(irq);

	if (desc->chip && desc->chip->unmask)
		desc->chip->unmask(desc);
}

void disable_irq(unsigned int irq)
{
	struct irq_desc *desc = irq_to_desc(irq);

	if (desc->chip && desc->chip->mask)
		desc->chip->mask(desc);
}

int request_irq(unsigned int irq, irq_handler_t handler, const char *name, void *dev_id)
{
	struct irq_desc *desc;

	desc = irq_to_desc(irq);
	if (!desc || !handler)
		return -1;
	if (desc->handler || !desc->chip)
		return -1;
	desc->dev_id = dev_id;
	desc->name = name;
	barrier();
	desc->handler = handler;
	enable_irq(irq);
	return 0;
}

void free_irq(unsigned int irq)
{
	struct irq_desc *desc = irq_to_desc(irq);

	if (!desc)
		return;

	disable_irq(irq);
	desc->handler = NULL;
	desc->name = NULL;
	desc->dev_id = NULL;
}

static void handle_irq(struct irq_desc *desc)
{
	if (desc->chip->ack && !desc->chip->ack(desc))
		return; /* spurious: counted by the chip, no EOI */
	if (desc->irq < NR_IRQS)
		this_cpu_inc(kstat_irqs[desc->irq]);
	else
		this_cpu_inc(kstat_dyn_irqs[desc->irq - NR_IRQS]);
	if (desc->handler)
		desc->handler(desc->irq, desc->dev_id);
	else
		this_cpu_inc(irq_stat.irq_unexpected_count);
	if (desc->chip->eoi)
		desc->chip->eoi(desc);
}

void do_IRQ(struct pt_regs *regs)
{
	unsigned int vector = regs->vector & 0xff;
	system_vector_handler_t sysvec = system_vectors[vector];
	int irq;

	irq_enter();
	if (sysvec) {
		sysvec(regs);
		irq_exit();
		return;
	}
	irq = vector_irq[vector];
	if (irq >= 0) {
		handle_irq(irq_to_desc(irq));
		irq_exit();
		return;
	}
	this_cpu_inc(irq_stat.irq_unexpected_count);
	printk(MACHINE_DEPENDENT "do_IRQ: %u.%u No irq handler for vector\n", smp_processor_id(),
	       vector);
	if (lapic_enabled)
		apic_eoi();
	irq_exit();
}

/*
 * /proc/interrupts. The header and the row names depend only on the
 * configuration; the counts depend on timing, so every row is a "~ " line.
 */
static int print_cpu_counts(char *buf, size_t size, unsigned int (*get)(unsigned int cpu, const void *arg),
			    const void *arg)
{
	unsigned int cpu;
	int len = 0;

	for_each_online_cpu(cpu)
		len += snprintf(buf + len, size - len, " %10u", get(cpu, arg));
	return len;
}

static unsigned int get_irq_count(unsigned int cpu, const void *arg)
{
	const struct irq_desc *desc = arg;

	return kstat_irqs_cpu(desc->irq, cpu);
}

static unsigned int get_stat(unsigned int cpu, const void *arg)
{
	size_t offset = (size_t)arg;

	return *(const unsigned int *)((const char *)per_cpu_ptr(&irq_stat, cpu) + offset);
}

static void show_stat_row(const char *tag, size_t offset, const char *what)
{
	char buf[512];
	int len;

	len = snprintf(buf, sizeof(buf), "%s%4s:", MACHINE_DEPENDENT, tag);
	len += print_cpu_counts(buf + len, sizeof(buf) - len, get_stat, (const void *)offset);
	printk("%s   %s\n", buf, what);
}

void show_interrupts(void)
{
	char buf[512];
	unsigned int cpu, irq;
	int len;

	len = snprintf(buf, sizeof(buf), "       ");
	for_each_online_cpu(cpu) {
		char name[16];

		snprintf(name, sizeof(name), "CPU%u", cpu);
		len += snprintf(buf + len, sizeof(buf) - len, " %10s", name);
	}
	printk("%s\n", buf);

	for (irq = 0; irq < NR_IRQS_ALL; irq++) {
		const struct irq_desc *desc = irq_to_desc(irq);

		if (!desc->handler)
			continue;
		len = snprintf(buf, sizeof(buf), "%s%4u:", MACHINE_DEPENDENT, irq);
		len += print_cpu_counts(buf + len, sizeof(buf) - len, get_irq_count, desc);
		printk("%s   %-8s %2u-%-5s  %s\n", buf, desc->chip->name, desc->hwirq,
		       desc->level ? "level" : "edge", desc->name);
	}
	show_stat_row("NMI", offsetof(irq_cpustat_t, nmi_count), "Non-maskable interrupts");
	show_stat_row("LOC", offsetof(irq_cpustat_t, apic_timer_irqs), "Local timer interrupts");
	show_stat_row("SPU", offsetof(irq_cpustat_t, irq_spurious_count), "Spurious interrupts");
	show_stat_row("RES", offsetof(irq_cpustat_t, irq_resched_count), "Rescheduling interrupts");
	show_stat_row("CAL", offsetof(irq_cpustat_t, irq_call_count), "Function call interrupts");
	show_stat_row("TLB", offsetof(irq_cpustat_t, irq_tlb_count), "TLB shootdowns");
	show_stat_row("STP", offsetof(irq_cpustat_t, irq_stop_count), "Stop interrupts");
	show_stat_row("UNX", offsetof(irq_cpustat_t, irq_unexpected_count), "Unexpected interrupts");
	printk(MACHINE_DEPENDENT " ERR: %10u\n", irq_err_count);
}
