#ifndef _GUEST_PCI_H
#define _GUEST_PCI_H

/*
 * PCI (drivers/pci/pci.c): configuration mechanism #1 (ports 0xCF8/0xCFC),
 * a scan of bus 0 (every device, every function of a multi-function one),
 * the BARs as the firmware assigned them, the capability list, bus
 * mastering, and a minimal driver model: pci_register_driver() probes every
 * device that matches the driver's ID table.
 *
 * Every console line about PCI devices starts with "~ ": the devices differ
 * between machines (QEMU has no igb).
 */

#include "asm/mmio.h"
#include "pci_regs.h"
#include "types.h"

#define PCI_CONF1_ADDRESS_PORT 0xcf8
#define PCI_CONF1_DATA_PORT 0xcfc

#define PCI_DEVFN(slot, fn) ((((slot)&0x1f) << 3) | ((fn)&0x07))
#define PCI_SLOT(devfn) (((devfn) >> 3) & 0x1f)
#define PCI_FUNC(devfn) ((devfn)&0x07)

#define PCI_MAX_DEVICES 32 /* functions found on bus 0 that the kernel keeps */

/* BAR flags. */
#define PCI_BAR_IO 0x1
#define PCI_BAR_MEM 0x2
#define PCI_BAR_MEM64 0x4
#define PCI_BAR_PREFETCH 0x8

struct pci_bar {
	u64 start;
	u64 size;
	unsigned int flags; /* 0: not implemented */
};

struct msix_vector_state;

struct pci_dev {
	unsigned int bus;
	unsigned int devfn;
	u16 vendor;
	u16 device;
	u32 class; /* base << 16 | sub << 8 | prog-if */
	u8 revision;
	u8 hdr_type;
	u8 pin;	    /* interrupt pin: 1 = INTA#, 0 = none */
	u8 msi_cap; /* config offsets of the capabilities, 0 if absent */
	u8 msix_cap;
	u8 pm_cap;
	u8 pcie_cap;
	struct pci_bar bar[PCI_NUM_BARS];
	/* INTx IRQ (I/O APIC pin) or -1; after pci_enable_msi(): the MSI IRQ. */
	int irq;
	int intx_irq;
	bool msi_enabled;
	bool msix_enabled;
	/* MSI-X: the table in its BAR, its size, and what pci_enable_msix_exact() set up. */
	u8 __iomem *msix_table;
	unsigned int msix_table_size;
	unsigned int msix_nvec;
	const struct pci_driver *driver;
	void *driver_data;
	char name[16]; /* "0000:00:03.0" */
};

struct pci_device_id {
	u16 vendor;
	u16 device;
};

struct pci_driver {
	const char *name;
	const struct pci_device_id *id_table; /* ends with a zero vendor */
	int (*probe)(struct pci_dev *dev, const struct pci_device_id *id);
	/* Quiesces the device at the end of the run (interrupts and DMA off). */
	void (*shutdown)(struct pci_dev *dev);
};

extern struct pci_dev pci_devices[PCI_MAX_DEVICES];
extern unsigned int pci_nr_devices;

/* Raw configuration accesses (size 1, 2 or 4); all ones from a missing function. */
u32 pci_conf1_read(unsigned int bus, unsigned int devfn, unsigned int where, unsigned int size);
void pci_conf1_write(unsigned int bus, unsigned int devfn, unsigned int where, unsigned int size,
		     u32 value);

static inline u8 pci_read_config_byte(const struct pci_dev *dev, unsigned int where)
{
	return pci_conf1_read(dev->bus, dev->devfn, where, 1);
}

static inline u16 pci_read_config_word(const struct pci_dev *dev, unsigned int where)
{
	return pci_conf1_read(dev->bus, dev->devfn, where, 2);
}

static inline u32 pci_read_config_dword(const struct pci_dev *dev, unsigned int where)
{
	return pci_conf1_read(dev->bus, dev->devfn, where, 4);
}

static inline void pci_write_config_byte(const struct pci_dev *dev, unsigned int where, u8 v)
{
	pci_conf1_write(dev->bus, dev->devfn, where, 1, v);
}

static inline void pci_write_config_word(const struct pci_dev *dev, unsigned int where, u16 v)
{
	pci_conf1_write(dev->bus, dev->devfn, where, 2, v);
}

static inline void pci_write_config_dword(const struct pci_dev *dev, unsigned int where, u32 v)
{
	pci_conf1_write(dev->bus, dev->devfn, where, 4, v);
}

/*
 * Scans bus 0 and prints what it finds. msi_ok: the local APIC takes
 * messages; intx_ok: the I/O APIC routes PCI interrupts (symmetric I/O mode).
 */
void pci_init(bool msi_ok, bool intx_ok);
/* "pci=nomsi": no MSI or MSI-X, drivers fall back to INTx. */
extern bool pci_nomsi;
bool pci_intx_enabled(void);

/* Offset of capability cap in the list, or 0. */
u8 pci_find_capability(const struct pci_dev *dev, u8 cap);
void pci_set_master(struct pci_dev *dev);
void pci_clear_master(struct pci_dev *dev);
/* INTx enable (true) or disable (Command.INTx Disable). */
void pci_intx(struct pci_dev *dev, bool enable);
/*
 * The BAR's memory for the CPU: makes sure the kernel's mapping of it is
 * uncached and returns its address (the kernel identity-maps 0-4 GiB); NULL
 * for an I/O or absent BAR, or one above 4 GiB.
 */
void __iomem *pci_iomap(struct pci_dev *dev, unsigned int bar);

int pci_register_driver(const struct pci_driver *driver);
/* Calls every bound driver's shutdown() (end of the run). */
void pci_shutdown_devices(void);

#endif /* _GUEST_PCI_H */
