/*
 * The I/O APIC (one, as the MP table describes it): redirection entries for
 * the ISA IRQs, physical destination mode, the destination taken from the
 * IRQ's affinity mask.
 */

#include "asm/apic.h"
#include "asm/i8259.h"
#include "asm/io_apic.h"
#include "asm/irq.h"
#include "asm/mpspec.h"
#include "asm/pci_irq.h"
#include "asm/processor.h"
#include "asm/smp.h"
#include "kernel.h"
#include "spinlock.h"

static DEFINE_SPINLOCK(ioapic_lock);

static volatile u32 *ioapic_base(void)
{
	return (volatile u32 *)mp_ioapics[0].address;
}

static u32 io_apic_read(unsigned int reg)
{
	volatile u32 *base = ioapic_base();

	base[0] = reg;
	return base[4];
}

static void io_apic_write(unsigned int reg, u32 value)
{
	volatile u32 *base = ioapic_base();

	base[0] = reg;
	base[4] = value;
}

/* Writes an entry masked first, the destination, then the low word (which may unmask it). */
static void ioapic_write_entry(unsigned int pin, u32 low, u32 high)
{
	unsigned long flags = spin_lock_irqsave(&ioapic_lock);

	io_apic_write(IO_APIC_REDTBL(pin), IO_APIC_MASKED);
	io_apic_write(IO_APIC_REDTBL(pin) + 1, high);
	io_apic_write(IO_APIC_REDTBL(pin), low);
	spin_unlock_irqrestore(&ioapic_lock, flags);
}

static void ioapic_modify_low(unsigned int pin, u32 clear, u32 set)
{
	unsigned long flags = spin_lock_irqsave(&ioapic_lock);
	u32 low = io_apic_read(IO_APIC_REDTBL(pin));

	io_apic_write(IO_APIC_REDTBL(pin), (low & ~clear) | set);
	spin_unlock_irqrestore(&ioapic_lock, flags);
}

void io_apic_mask_all(void)
{
	unsigned int pin;

	for (pin = 0; pin < mp_ioapics[0].nr_pins; pin++)
		ioapic_write_entry(pin, IO_APIC_MASKED, 0);
}

void io_apic_init(void)
{
	u32 version = io_apic_read(IO_APIC_REG_VERSION);

	mp_ioapics[0].nr_pins = ((version >> 16) & 0xff) + 1;
	/* The firmware picks the I/O APIC's ID (SeaBIOS: 0; others: the number of CPUs). */
	printk("IOAPIC[0]: address %#lx, GSI 0-%u\n", mp_ioapics[0].address,
	       mp_ioapics[0].nr_pins - 1);
	printk(MACHINE_DEPENDENT "IOAPIC[0]: apic_id %u, version %#x\n", mp_ioapics[0].apicid,
	       version & 0xff);
	io_apic_mask_all();
}

int mp_find_isa_irq_pin(unsigned int irq)
{
	unsigned int i;

	for (i = 0; i < mp_irq_entries; i++) {
		const struct mpc_intsrc *src = &mp_irqs[i];

		if (src->irqtype == mp_INT && (int)src->srcbus == mp_isa_bus && src->srcbusirq == irq &&
		    (src->dstapic == mp_ioapics[0].apicid || src->dstapic == 0xff))
			return src->dstirq;
	}
	return -1;
}

static const struct mpc_intsrc *find_isa_irq_entry(unsigned int irq)
{
	unsigned int i;

	for (i = 0; i < mp_irq_entries; i++) {
		const struct mpc_intsrc *src = &mp_irqs[i];

		if (src->irqtype == mp_INT && (int)src->srcbus == mp_isa_bus && src->srcbusirq == irq)
			return src;
	}
	return NULL;
}

static u32 irq_dest_apicid(const struct irq_desc *desc)
{
	unsigned int cpu;

	for_each_cpu(cpu, &desc->affinity) {
		if (cpu_online(cpu))
			return cpu_to_apicid[cpu];
	}
	return boot_cpu_apicid;
}

static u32 entry_low(const struct irq_desc *desc, bool masked, bool active_low)
{
	return desc->vector | (desc->level ? IO_APIC_LEVEL : 0) |
	       (active_low ? IO_APIC_POLARITY_LOW : 0) | (masked ? IO_APIC_MASKED : 0);
}

static bool pin_active_low[24];

int irq_set_affinity(unsigned int irq, const cpumask_t *mask)
{
	struct irq_desc *desc = &irq_desc[irq];
	unsigned int cpu;
	bool any = false;

	for_each_cpu(cpu, mask)
		any |= cpu_online(cpu);
	if (!any)
		return -1;
	desc->affinity = *mask;
	if (desc->chip == &ioapic_chip) {
		unsigned long flags = spin_lock_irqsave(&ioapic_lock);

		io_apic_write(IO_APIC_REDTBL(desc->hwirq) + 1, SET_APIC_DEST_FIELD(irq_dest_apicid(desc)));
		spin_unlock_irqrestore(&ioapic_lock, flags);
	}
	return 0;
}

void setup_IO_APIC(void)
{
	u32 pins_used = 0;
	unsigned int irq;

	for (irq = 0; irq < NR_LEGACY_IRQS; irq++) {
		const struct mpc_intsrc *src = find_isa_irq_entry(irq);
		struct irq_desc *desc = &irq_desc[irq];
		unsigned int pin;
		bool level, active_low;

		if (!src || src->dstirq >= mp_ioapics[0].nr_pins)
			continue;
		pin = src->dstirq;
		/* Two ISA IRQs on one pin (IRQ0 and the cascade IRQ2 on pin 2): the first wins. */
		if (pins_used & (1U << pin))
			continue;
		pins_used |= 1U << pin;
		/* ISA: active high and edge unless the entry says otherwise. */
		level = (src->irqflag & MP_IRQTRIG_MASK) == MP_IRQTRIG_LEVEL;
		active_low = (src->irqflag & MP_IRQPOL_MASK) == MP_IRQPOL_ACTIVE_LOW;
		pin_active_low[pin] = active_low;

		disable_8259A_irq(irq);
		irq_set_chip(irq, &ioapic_chip, pin, ISA_IRQ_VECTOR(irq), level);
		ioapic_write_entry(pin, entry_low(desc, !desc->handler, active_low),
				   SET_APIC_DEST_FIELD(irq_dest_apicid(desc)));
	}
}

int io_apic_setup_pci_irq(const struct pci_intx_route *route)
{
	unsigned int pin = route->ioapic_pin;
	struct irq_desc *desc;

	/* Pins 0-15 belong to the ISA IRQs; NR_IRQS bounds the pins that have a descriptor. */
	if (!nr_ioapics || !mp_ioapics[0].nr_pins || pin < NR_LEGACY_IRQS || pin >= NR_IRQS ||
	    pin >= mp_ioapics[0].nr_pins)
		return -1;
	desc = &irq_desc[pin];
	if (desc->chip == &ioapic_chip)
		return pin; /* already routed (a shared line) */
	pin_active_low[pin] = route->active_low;
	irq_set_chip(pin, &ioapic_chip, pin, ISA_IRQ_VECTOR(pin), route->level);
	ioapic_write_entry(pin, entry_low(desc, true, route->active_low),
			   SET_APIC_DEST_FIELD(irq_dest_apicid(desc)));
	return pin;
}

static void ioapic_mask(struct irq_desc *desc)
{
	ioapic_modify_low(desc->hwirq, 0, IO_APIC_MASKED);
}

static void ioapic_unmask(struct irq_desc *desc)
{
	ioapic_modify_low(desc->hwirq, IO_APIC_MASKED, 0);
}

/* Edge: the local APIC EOI. Level: the same EOI, which the local APIC broadcasts to the I/O APIC. */
static void ioapic_eoi(struct irq_desc *desc)
{
	apic_eoi();
}

const struct irq_chip ioapic_chip = {
	.name = "IO-APIC",
	.mask = ioapic_mask,
	.unmask = ioapic_unmask,
	.eoi = ioapic_eoi,
};
