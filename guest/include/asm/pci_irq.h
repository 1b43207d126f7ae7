#ifndef _GUEST_ASM_PCI_IRQ_H
#define _GUEST_ASM_PCI_IRQ_H

/*
 * PCI INTx routing: the MP table's interrupt entries for PCI buses
 * (arch/x86/mpparse.c) and the I/O APIC pins they name (arch/x86/io_apic.c).
 * An INTx interrupt is IRQ number = I/O APIC pin (16-23 on a PC), as Linux
 * numbers GSIs.
 */

#include "../types.h"

struct pci_intx_route {
	unsigned int ioapic_pin;
	bool level;
	bool active_low;
};

/*
 * Looks up PCI bus `bus`, device `dev`, interrupt pin `pin` (1 = INTA#) in the
 * MP table; false if the table has no entry (no PCI bus entry, or an ACPI
 * MADT, which has no PCI routing without AML).
 */
bool mp_find_pci_irq(unsigned int bus, unsigned int dev, unsigned int pin,
		     struct pci_intx_route *route);
/* Number of PCI interrupt entries found in the MP table. */
unsigned int mp_nr_pci_irq_entries(void);

/*
 * Programs the I/O APIC pin for a PCI interrupt (vector 0x30 + pin, trigger
 * and polarity from route, destination CPU 0, masked until request_irq()).
 * Returns the IRQ number, or -1 if the I/O APIC is not in use or the pin does
 * not exist.
 */
int io_apic_setup_pci_irq(const struct pci_intx_route *route);

#endif /* _GUEST_ASM_PCI_IRQ_H */
