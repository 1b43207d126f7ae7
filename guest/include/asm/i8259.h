#ifndef _GUEST_ASM_I8259_H
#define _GUEST_ASM_I8259_H

#include "../types.h"

#define PIC_MASTER_CMD 0x20
#define PIC_MASTER_IMR 0x21
#define PIC_SLAVE_CMD 0xa0
#define PIC_SLAVE_IMR 0xa1
#define PIC_ELCR1 0x4d0
#define PIC_ELCR2 0x4d1
#define PIC_CASCADE_IR 2

struct irq_chip;
extern const struct irq_chip i8259A_chip;

/* ICW1-ICW4 for both chips: IRQ n at vector ISA_IRQ_VECTOR(n), all masked except the cascade. */
void init_8259A(void);
/* Masks every IRQ line of both chips (symmetric I/O mode). */
void mask_8259A(void);
void disable_8259A_irq(unsigned int irq);
void enable_8259A_irq(unsigned int irq);

#endif /* _GUEST_ASM_I8259_H */
