/*
 * MSI and MSI-X (PCI Local Bus Specification 3.0, 6.8): each vector of a
 * device gets an IRQ number from the dynamic range and a device vector; its
 * message names the local APIC of the CPU it goes to (physical destination)
 * and carries the vector. The irq_chip masks a vector through the MSI-X
 * table's Vector Control word or the MSI capability's mask bits; the end of
 * interrupt is the local APIC's EOI (messages are edge-triggered).
 */

#include "msi.h"
#include "asm/apic.h"
#include "asm/irq.h"
#include "asm/irq_alloc.h"
#include "asm/smp.h"
#include "kernel.h"
#include "pci.h"

struct msi_irq_data {
	struct pci_dev *dev;
	unsigned int entry; /* MSI-X table index; 0 for MSI */
	bool msix;
};

static struct msi_irq_data msi_irq_data[NR_DYN_IRQS];

static struct msi_irq_data *msi_data(unsigned int irq)
{
	return (irq >= NR_IRQS && irq < NR_IRQS_ALL) ? &msi_irq_data[irq - NR_IRQS] : NULL;
}

void msi_compose_msg(unsigned int vector, unsigned int apicid, struct msi_msg *msg)
{
	msg->address_lo = MSI_ADDR_BASE | (apicid & 0xff) << MSI_ADDR_DEST_ID_SHIFT;
	msg->address_hi = 0;
	msg->data = vector & 0xff; /* fixed delivery, edge */
}

static u8 __iomem *msix_entry_addr(const struct pci_dev *dev, unsigned int entry)
{
	return dev->msix_table + entry * PCI_MSIX_ENTRY_SIZE;
}

static void msix_set_masked(const struct pci_dev *dev, unsigned int entry, bool masked)
{
	u8 __iomem *e = msix_entry_addr(dev, entry);
	u32 ctrl = readl(e + PCI_MSIX_ENTRY_VECTOR_CTRL);

	ctrl = masked ? ctrl | PCI_MSIX_ENTRY_CTRL_MASKBIT : ctrl & ~PCI_MSIX_ENTRY_CTRL_MASKBIT;
	writel(ctrl, e + PCI_MSIX_ENTRY_VECTOR_CTRL);
	/* Read back: the mask is in effect once the write has reached the device. */
	(void)readl(e + PCI_MSIX_ENTRY_VECTOR_CTRL);
}

static void msix_write_msg(const struct pci_dev *dev, unsigned int entry, const struct msi_msg *msg)
{
	u8 __iomem *e = msix_entry_addr(dev, entry);

	writel(msg->address_lo, e + PCI_MSIX_ENTRY_LOWER_ADDR);
	writel(msg->address_hi, e + PCI_MSIX_ENTRY_UPPER_ADDR);
	writel(msg->data, e + PCI_MSIX_ENTRY_DATA);
}

static unsigned int msi_mask_reg(const struct pci_dev *dev)
{
	u16 ctrl = pci_read_config_word(dev, dev->msi_cap + PCI_MSI_FLAGS);

	return dev->msi_cap + ((ctrl & PCI_MSI_FLAGS_64BIT) ? PCI_MSI_MASK_64 : PCI_MSI_MASK_32);
}

static void msi_set_masked(const struct pci_dev *dev, bool masked)
{
	u16 ctrl = pci_read_config_word(dev, dev->msi_cap + PCI_MSI_FLAGS);
	unsigned int reg;

	if (!(ctrl & PCI_MSI_FLAGS_MASKBIT))
		return; /* no per-vector masking: the device's own mask registers must do */
	reg = msi_mask_reg(dev);
	pci_write_config_dword(dev, reg, masked ? 1 : 0);
}

static void msi_write_msg(const struct pci_dev *dev, const struct msi_msg *msg)
{
	u16 ctrl = pci_read_config_word(dev, dev->msi_cap + PCI_MSI_FLAGS);

	pci_write_config_dword(dev, dev->msi_cap + PCI_MSI_ADDRESS_LO, msg->address_lo);
	if (ctrl & PCI_MSI_FLAGS_64BIT) {
		pci_write_config_dword(dev, dev->msi_cap + PCI_MSI_ADDRESS_HI, msg->address_hi);
		pci_write_config_word(dev, dev->msi_cap + PCI_MSI_DATA_64, msg->data);
	} else {
		pci_write_config_word(dev, dev->msi_cap + PCI_MSI_DATA_32, msg->data);
	}
}

static void msi_chip_mask(struct irq_desc *desc)
{
	struct msi_irq_data *d = msi_data(desc->irq);

	if (!d || !d->dev)
		return;
	if (d->msix)
		msix_set_masked(d->dev, d->entry, true);
	else
		msi_set_masked(d->dev, true);
}

static void msi_chip_unmask(struct irq_desc *desc)
{
	struct msi_irq_data *d = msi_data(desc->irq);

	if (!d || !d->dev)
		return;
	if (d->msix)
		msix_set_masked(d->dev, d->entry, false);
	else
		msi_set_masked(d->dev, false);
}

static void msi_chip_eoi(struct irq_desc *desc)
{
	apic_eoi();
}

static const struct irq_chip msix_chip = {
	.name = "PCI-MSIX",
	.mask = msi_chip_mask,
	.unmask = msi_chip_unmask,
	.eoi = msi_chip_eoi,
};

static const struct irq_chip msi_chip = {
	.name = "PCI-MSI",
	.mask = msi_chip_mask,
	.unmask = msi_chip_unmask,
	.eoi = msi_chip_eoi,
};

/* An IRQ and a vector for one message; -1 if either runs out. */
static int msi_alloc_irq(struct pci_dev *dev, unsigned int entry, bool msix, unsigned int *vector)
{
	int irq = irq_alloc_desc();
	int v;

	if (irq < 0)
		return -1;
	v = assign_irq_vector();
	if (v < 0) {
		irq_free_desc(irq);
		return -1;
	}
	*vector = v;
	msi_irq_data[irq - NR_IRQS] =
		(struct msi_irq_data){ .dev = dev, .entry = entry, .msix = msix };
	irq_set_chip(irq, msix ? &msix_chip : &msi_chip, entry, v, false);
	return irq;
}

static void msi_free_irq(unsigned int irq)
{
	struct irq_desc *desc = irq_to_desc(irq);
	unsigned int vector = desc ? desc->vector : 0;

	irq_free_desc(irq);
	free_irq_vector(vector);
	msi_irq_data[irq - NR_IRQS].dev = NULL;
}

int pci_enable_msix_exact(struct pci_dev *dev, struct msix_entry *entries, int nvec)
{
	u16 ctrl;
	u32 table;
	u8 __iomem *bar;
	int i;

	if (!pci_msi_enabled() || !dev->msix_cap || dev->msix_enabled || dev->msi_enabled ||
	    nvec <= 0)
		return -1;
	ctrl = pci_read_config_word(dev, dev->msix_cap + PCI_MSIX_FLAGS);
	dev->msix_table_size = (ctrl & PCI_MSIX_FLAGS_QSIZE) + 1;
	if ((unsigned int)nvec > dev->msix_table_size)
		return -1;
	table = pci_read_config_dword(dev, dev->msix_cap + PCI_MSIX_TABLE);
	bar = pci_iomap(dev, table & PCI_MSIX_BIR_MASK);
	if (!bar)
		return -1;
	dev->msix_table = bar + (table & ~PCI_MSIX_BIR_MASK);

	/* Enabled with the whole function masked while the entries are written (PCI 3.0 6.8.2). */
	pci_write_config_word(dev, dev->msix_cap + PCI_MSIX_FLAGS,
			      ctrl | PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
	for (i = 0; i < nvec; i++) {
		struct msi_msg msg;
		unsigned int vector;
		int irq;

		if (entries[i].entry >= dev->msix_table_size ||
		    (irq = msi_alloc_irq(dev, entries[i].entry, true, &vector)) < 0) {
			while (--i >= 0) {
				msix_set_masked(dev, entries[i].entry, true);
				msi_free_irq(entries[i].vector);
			}
			pci_write_config_word(dev, dev->msix_cap + PCI_MSIX_FLAGS, ctrl);
			return -1;
		}
		msix_set_masked(dev, entries[i].entry, true);
		msi_compose_msg(vector, boot_cpu_apicid, &msg);
		msix_write_msg(dev, entries[i].entry, &msg);
		entries[i].vector = irq;
	}
	dev->msix_nvec = nvec;
	dev->msix_enabled = true;
	pci_intx(dev, false);
	pci_write_config_word(dev, dev->msix_cap + PCI_MSIX_FLAGS,
			      (ctrl | PCI_MSIX_FLAGS_ENABLE) & ~PCI_MSIX_FLAGS_MASKALL);
	return 0;
}

void pci_disable_msix(struct pci_dev *dev)
{
	unsigned int irq;
	u16 ctrl;

	if (!dev->msix_enabled)
		return;
	ctrl = pci_read_config_word(dev, dev->msix_cap + PCI_MSIX_FLAGS);
	pci_write_config_word(dev, dev->msix_cap + PCI_MSIX_FLAGS,
			      ctrl & ~(PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL));
	for (irq = NR_IRQS; irq < NR_IRQS_ALL; irq++) {
		struct msi_irq_data *d = msi_data(irq);

		if (d->dev == dev && d->msix) {
			msix_set_masked(dev, d->entry, true);
			msi_free_irq(irq);
		}
	}
	dev->msix_enabled = false;
	dev->msix_nvec = 0;
}

int pci_enable_msi(struct pci_dev *dev)
{
	struct msi_msg msg;
	unsigned int vector;
	u16 ctrl;
	int irq;

	if (!pci_msi_enabled() || !dev->msi_cap || dev->msi_enabled || dev->msix_enabled)
		return -1;
	irq = msi_alloc_irq(dev, 0, false, &vector);
	if (irq < 0)
		return -1;
	ctrl = pci_read_config_word(dev, dev->msi_cap + PCI_MSI_FLAGS);
	msi_set_masked(dev, true);
	msi_compose_msg(vector, boot_cpu_apicid, &msg);
	msi_write_msg(dev, &msg);
	/* One message: Multiple Message Enable = 0. */
	ctrl = (ctrl & ~PCI_MSI_FLAGS_QSIZE) | PCI_MSI_FLAGS_ENABLE;
	pci_write_config_word(dev, dev->msi_cap + PCI_MSI_FLAGS, ctrl);
	pci_intx(dev, false);
	dev->msi_enabled = true;
	dev->irq = irq;
	return 0;
}

void pci_disable_msi(struct pci_dev *dev)
{
	u16 ctrl;

	if (!dev->msi_enabled)
		return;
	ctrl = pci_read_config_word(dev, dev->msi_cap + PCI_MSI_FLAGS);
	pci_write_config_word(dev, dev->msi_cap + PCI_MSI_FLAGS, ctrl & ~PCI_MSI_FLAGS_ENABLE);
	msi_free_irq(dev->irq);
	dev->msi_enabled = false;
	dev->irq = dev->intx_irq;
}

int msi_set_affinity(unsigned int irq, unsigned int cpu)
{
	struct msi_irq_data *d = msi_data(irq);
	struct irq_desc *desc = irq_to_desc(irq);
	struct msi_msg msg;

	if (!d || !d->dev || !desc || cpu >= NR_CPUS || !cpu_online(cpu))
		return -1;
	msi_compose_msg(desc->vector, cpu_to_apicid[cpu], &msg);
	desc->affinity = cpumask_of(cpu);
	if (d->msix) {
		u8 __iomem *e = msix_entry_addr(d->dev, d->entry);
		bool was_masked =
			readl(e + PCI_MSIX_ENTRY_VECTOR_CTRL) & PCI_MSIX_ENTRY_CTRL_MASKBIT;

		/* An entry may only be rewritten while masked (PCI 3.0 6.8.2.9). */
		if (!was_masked)
			msix_set_masked(d->dev, d->entry, true);
		msix_write_msg(d->dev, d->entry, &msg);
		if (!was_masked)
			msix_set_masked(d->dev, d->entry, false);
	} else {
		msi_write_msg(d->dev, &msg);
	}
	return 0;
}
