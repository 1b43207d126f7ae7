/*
 * The 8259A pair: master at 0x20, slave at 0xA0 cascaded on the master's
 * IR2. IRQ n (0-15) raises vector ISA_IRQ_VECTOR(n). Edge triggered ISA
 * interrupts; fully nested mode, normal (not automatic) EOI.
 */

#include "asm/i8259.h"
#include "asm/io.h"
#include "asm/irq.h"
#include "asm/processor.h"
#include "kernel.h"
#include "spinlock.h"

#define ICW1_INIT 0x10 /* ICW1, with ... */
#define ICW1_ICW4 0x01 /* ... ICW4 needed; edge triggered, cascade, interval 8 */
#define ICW4_8086 0x01 /* 8086/88 mode, normal EOI, not buffered, not special fully nested */
#define OCW3_READ_IRR 0x0a
#define OCW3_READ_ISR 0x0b
#define OCW2_SPECIFIC_EOI 0x60

static DEFINE_SPINLOCK(i8259A_lock);
/* IMR of both chips: bit n = IRQ n masked. */
static unsigned int cached_irq_mask = 0xffff;

static void write_imr(void)
{
	outb(cached_irq_mask & 0xff, PIC_MASTER_IMR);
	outb(cached_irq_mask >> 8, PIC_SLAVE_IMR);
}

void disable_8259A_irq(unsigned int irq)
{
	unsigned long flags = spin_lock_irqsave(&i8259A_lock);

	cached_irq_mask |= 1U << irq;
	write_imr();
	spin_unlock_irqrestore(&i8259A_lock, flags);
}

void enable_8259A_irq(unsigned int irq)
{
	unsigned long flags = spin_lock_irqsave(&i8259A_lock);

	cached_irq_mask &= ~(1U << irq);
	write_imr();
	spin_unlock_irqrestore(&i8259A_lock, flags);
}

void mask_8259A(void)
{
	unsigned long flags = spin_lock_irqsave(&i8259A_lock);

	cached_irq_mask = 0xffff;
	write_imr();
	spin_unlock_irqrestore(&i8259A_lock, flags);
}

void init_8259A(void)
{
	unsigned long flags = spin_lock_irqsave(&i8259A_lock);

	outb(0xff, PIC_MASTER_IMR);
	outb(0xff, PIC_SLAVE_IMR);

	outb(ICW1_INIT | ICW1_ICW4, PIC_MASTER_CMD);
	outb(ISA_IRQ_VECTOR(0), PIC_MASTER_IMR);	 /* ICW2: IR0-7 -> 0x30-0x37 */
	outb(1U << PIC_CASCADE_IR, PIC_MASTER_IMR); /* ICW3: slave on IR2 */
	outb(ICW4_8086, PIC_MASTER_IMR);

	outb(ICW1_INIT | ICW1_ICW4, PIC_SLAVE_CMD);
	outb(ISA_IRQ_VECTOR(8), PIC_SLAVE_IMR); /* ICW2: IR0-7 -> 0x38-0x3f */
	outb(PIC_CASCADE_IR, PIC_SLAVE_IMR);	/* ICW3: slave ID 2 */
	outb(ICW4_8086, PIC_SLAVE_IMR);

	cached_irq_mask = 0xffff & ~(1U << PIC_CASCADE_IR);
	write_imr();
	spin_unlock_irqrestore(&i8259A_lock, flags);
}

static bool i8259A_irq_real(unsigned int irq)
{
	unsigned int value;

	if (irq < 8) {
		outb(OCW3_READ_ISR, PIC_MASTER_CMD);
		value = inb(PIC_MASTER_CMD) & (1U << irq);
		outb(OCW3_READ_IRR, PIC_MASTER_CMD);
	} else {
		outb(OCW3_READ_ISR, PIC_SLAVE_CMD);
		value = inb(PIC_SLAVE_CMD) & (1U << (irq - 8));
		outb(OCW3_READ_IRR, PIC_SLAVE_CMD);
	}
	return value != 0;
}

/*
 * IRQ7 and IRQ15 are what a chip reports when the request that made it
 * raise INTR went away before the acknowledge: the ISR bit is then clear.
 * Such a spurious interrupt gets no EOI from the chip that made it up; a
 * spurious IRQ15 did set the master's IR2, which gets its EOI.
 */
static bool i8259A_ack(struct irq_desc *desc)
{
	unsigned int irq = desc->hwirq;
	bool real = true;

	if ((irq & 7) == 7) {
		unsigned long flags = spin_lock_irqsave(&i8259A_lock);

		real = i8259A_irq_real(irq);
		if (!real && irq == 15)
			outb(OCW2_SPECIFIC_EOI + PIC_CASCADE_IR, PIC_MASTER_CMD);
		spin_unlock_irqrestore(&i8259A_lock, flags);
		if (!real) {
			__atomic_fetch_add(&irq_err_count, 1, __ATOMIC_RELAXED);
			printk(MACHINE_DEPENDENT "spurious 8259A interrupt: IRQ%u.\n", irq);
		}
	}
	return real;
}

static void i8259A_eoi(struct irq_desc *desc)
{
	unsigned int irq = desc->hwirq;
	unsigned long flags = spin_lock_irqsave(&i8259A_lock);

	if (irq >= 8) {
		outb(OCW2_SPECIFIC_EOI + (irq & 7), PIC_SLAVE_CMD);
		outb(OCW2_SPECIFIC_EOI + PIC_CASCADE_IR, PIC_MASTER_CMD);
	} else {
		outb(OCW2_SPECIFIC_EOI + irq, PIC_MASTER_CMD);
	}
	spin_unlock_irqrestore(&i8259A_lock, flags);
}

static void i8259A_mask(struct irq_desc *desc)
{
	disable_8259A_irq(desc->hwirq);
}

static void i8259A_unmask(struct irq_desc *desc)
{
	enable_8259A_irq(desc->hwirq);
}

const struct irq_chip i8259A_chip = {
	.name = "XT-PIC",
	.mask = i8259A_mask,
	.unmask = i8259A_unmask,
	.ack = i8259A_ack,
	.eoi = i8259A_eoi,
};
