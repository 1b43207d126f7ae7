#ifndef _GUEST_MSI_H
#define _GUEST_MSI_H

/*
 * Message-signalled interrupts (drivers/pci/msi.c). A message is a memory
 * write of `data` to `address`: on x86, address 0xFEE00000 | APIC ID << 12
 * (physical destination mode, no redirection hint) and data = the vector
 * (fixed delivery, edge). Each MSI or MSI-X interrupt gets an IRQ number of
 * its own (from NR_IRQS up) and a vector of its own; request_irq() unmasks it.
 */

#include "types.h"

struct pci_dev;

struct msi_msg {
	u32 address_lo;
	u32 address_hi;
	u32 data;
};

/* Linux's struct msix_entry: the driver fills entry, pci_enable_msix_exact() fills vector (the
 * IRQ). */
struct msix_entry {
	unsigned int vector;
	u16 entry;
};

#define MSI_ADDR_BASE 0xfee00000U
#define MSI_ADDR_DEST_ID_SHIFT 12

void msi_compose_msg(unsigned int vector, unsigned int apicid, struct msi_msg *msg);

/*
 * Enables MSI-X with exactly nvec vectors (entries[i].entry = table index):
 * IRQs and vectors allocated, each table entry programmed (destination CPU 0)
 * and masked, MSI-X enabled, INTx disabled. 0 or a negative error.
 */
int pci_enable_msix_exact(struct pci_dev *dev, struct msix_entry *entries, int nvec);
void pci_disable_msix(struct pci_dev *dev);
/* One MSI vector: dev->irq becomes its IRQ. 0 or a negative error. */
int pci_enable_msi(struct pci_dev *dev);
void pci_disable_msi(struct pci_dev *dev);
/* Sends an MSI or MSI-X IRQ to cpu (rewrites its message); 0 or -1. */
int msi_set_affinity(unsigned int irq, unsigned int cpu);
/* false with "pci=nomsi", or before the local APIC is set up. */
bool pci_msi_enabled(void);

#endif /* _GUEST_MSI_H */
