#ifndef _GUEST_ASM_IRQ_VECTORS_H
#define _GUEST_ASM_IRQ_VECTORS_H

/*
 * IDT vector layout (as on Linux x86-64):
 *
 *   0x00-0x1f  CPU exceptions
 *   0x20-0xff  external interrupts, each with an entry stub in entry.S
 *   0x30-0x3f  the 16 ISA IRQs (8259A mode: IRQ n -> 0x30 + n); the I/O APIC
 *              keeps that vector for an ISA IRQ and uses 0x30 + pin for the
 *              others (PCI INTx on pins 16-23: 0x40-0x47)
 *   0x50-0xdf  device vectors handed out one per MSI/MSI-X interrupt
 *              (assign_irq_vector(), include/asm/irq_alloc.h)
 *   0xec       local APIC timer
 *   0xf8       "stop this CPU" IPI (shutdown)
 *   0xfb       call-function IPI (smp_call_function*, TLB shootdown)
 *   0xfd       reschedule IPI
 *   0xfe       local APIC error
 *   0xff       local APIC spurious interrupt
 */

#define FIRST_EXTERNAL_VECTOR 0x20
#define NR_VECTORS 256
#define NR_EXTERNAL_VECTORS (NR_VECTORS - FIRST_EXTERNAL_VECTOR)

#define ISA_IRQ_VECTOR(irq) (0x30 + (irq))
#define NR_LEGACY_IRQS 16

/* Vectors for MSI and MSI-X interrupts: the same vector on every CPU. */
#define FIRST_DEVICE_VECTOR 0x50
#define LAST_DEVICE_VECTOR 0xdf

#define LOCAL_TIMER_VECTOR 0xec
#define REBOOT_VECTOR 0xf8
#define CALL_FUNCTION_SINGLE_VECTOR 0xfb
#define RESCHEDULE_VECTOR 0xfd
#define ERROR_APIC_VECTOR 0xfe
#define SPURIOUS_APIC_VECTOR 0xff

/* Size of each stub in irq_entries_start (entry.S). */
#define IRQ_STUB_SIZE 16

#endif /* _GUEST_ASM_IRQ_VECTORS_H */
