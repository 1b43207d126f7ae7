/*
 * PCI: configuration mechanism #1, the scan of bus 0, BARs, capabilities,
 * bus mastering, INTx routing through the MP table, and the driver model's
 * probe loop.
 */

#include "pci.h"
#include "asm/io.h"
#include "asm/pci_irq.h"
#include "asm/processor.h"
#include "asm/tlbflush.h"
#include "kernel.h"
#include "msi.h"
#include "spinlock.h"
#include "string.h"

#define PCI_CONF1_ENABLE 0x80000000U
#define PCI_MAX_SLOTS 32
#define PCI_MAX_FUNCS 8
#define PCI_CAP_WALK_LIMIT 48 /* a looping list ends here */

struct pci_dev pci_devices[PCI_MAX_DEVICES];
unsigned int pci_nr_devices;
bool pci_nomsi;

static DEFINE_SPINLOCK(pci_config_lock);
static bool msi_usable;
static bool intx_usable;

static u32 conf1_address(unsigned int bus, unsigned int devfn, unsigned int where)
{
	return PCI_CONF1_ENABLE | (bus & 0xff) << 16 | (devfn & 0xff) << 8 | (where & 0xfc);
}

u32 pci_conf1_read(unsigned int bus, unsigned int devfn, unsigned int where, unsigned int size)
{
	unsigned long flags = spin_lock_irqsave(&pci_config_lock);
	u16 port = PCI_CONF1_DATA_PORT + (where & 3);
	u32 value;

	outl(conf1_address(bus, devfn, where), PCI_CONF1_ADDRESS_PORT);
	if (size == 1)
		value = inb(port);
	else if (size == 2)
		value = inw(port);
	else
		value = inl(PCI_CONF1_DATA_PORT);
	spin_unlock_irqrestore(&pci_config_lock, flags);
	return value;
}

void pci_conf1_write(unsigned int bus, unsigned int devfn, unsigned int where, unsigned int size,
		     u32 value)
{
	unsigned long flags = spin_lock_irqsave(&pci_config_lock);
	u16 port = PCI_CONF1_DATA_PORT + (where & 3);

	outl(conf1_address(bus, devfn, where), PCI_CONF1_ADDRESS_PORT);
	if (size == 1)
		outb(value, port);
	else if (size == 2)
		outw(value, port);
	else
		outl(value, PCI_CONF1_DATA_PORT);
	spin_unlock_irqrestore(&pci_config_lock, flags);
}

u8 pci_find_capability(const struct pci_dev *dev, u8 cap)
{
	unsigned int ttl = PCI_CAP_WALK_LIMIT;
	u8 pos;

	if (!(pci_read_config_word(dev, PCI_STATUS) & PCI_STATUS_CAP_LIST))
		return 0;
	pos = pci_read_config_byte(dev, PCI_CAPABILITY_LIST);
	while (ttl-- && pos >= 0x40) {
		pos &= ~3;
		if (pci_read_config_byte(dev, pos + PCI_CAP_LIST_ID) == cap)
			return pos;
		pos = pci_read_config_byte(dev, pos + PCI_CAP_LIST_NEXT);
	}
	return 0;
}

static void pci_update_command(struct pci_dev *dev, u16 clear, u16 set)
{
	u16 cmd = pci_read_config_word(dev, PCI_COMMAND);
	u16 new_cmd = (cmd & ~clear) | set;

	if (new_cmd != cmd)
		pci_write_config_word(dev, PCI_COMMAND, new_cmd);
}

void pci_set_master(struct pci_dev *dev)
{
	pci_update_command(dev, 0, PCI_COMMAND_MASTER);
}

void pci_clear_master(struct pci_dev *dev)
{
	pci_update_command(dev, PCI_COMMAND_MASTER, 0);
}

void pci_intx(struct pci_dev *dev, bool enable)
{
	if (enable)
		pci_update_command(dev, PCI_COMMAND_INTX_DISABLE, 0);
	else
		pci_update_command(dev, 0, PCI_COMMAND_INTX_DISABLE);
}

bool pci_msi_enabled(void)
{
	return msi_usable && !pci_nomsi;
}

bool pci_intx_enabled(void)
{
	return intx_usable;
}

/*
 * Sizes the BAR at config offset `where` (decoding is off meanwhile, as the
 * PCI spec asks): write all ones, read back the writable address bits.
 * Returns the number of BAR registers used (2 for a 64-bit memory BAR).
 */
static unsigned int pci_read_bar(struct pci_dev *dev, unsigned int index)
{
	unsigned int where = PCI_BASE_ADDRESS_0 + 4 * index;
	struct pci_bar *bar = &dev->bar[index];
	u32 orig = pci_read_config_dword(dev, where), mask, orig_hi = 0, mask_hi = 0;
	u64 size;

	pci_write_config_dword(dev, where, ~0U);
	mask = pci_read_config_dword(dev, where);
	pci_write_config_dword(dev, where, orig);
	if (!mask || mask == ~0U)
		return 1; /* not implemented */

	if (orig & PCI_BASE_ADDRESS_SPACE_IO) {
		mask &= PCI_BASE_ADDRESS_IO_MASK & 0xffff;
		bar->flags = PCI_BAR_IO;
		bar->start = orig & PCI_BASE_ADDRESS_IO_MASK;
		bar->size = mask ? (u64)(mask & -mask) : 0;
		return 1;
	}
	bar->flags = PCI_BAR_MEM;
	if (orig & PCI_BASE_ADDRESS_MEM_PREFETCH)
		bar->flags |= PCI_BAR_PREFETCH;
	if ((orig & PCI_BASE_ADDRESS_MEM_TYPE_MASK) == PCI_BASE_ADDRESS_MEM_TYPE_64 &&
	    index + 1 < PCI_NUM_BARS) {
		orig_hi = pci_read_config_dword(dev, where + 4);
		pci_write_config_dword(dev, where + 4, ~0U);
		mask_hi = pci_read_config_dword(dev, where + 4);
		pci_write_config_dword(dev, where + 4, orig_hi);
		bar->flags |= PCI_BAR_MEM64;
	}
	size = ((u64)mask_hi << 32) | (mask & PCI_BASE_ADDRESS_MEM_MASK);
	if (!(bar->flags & PCI_BAR_MEM64))
		size |= 0xffffffff00000000ULL;
	bar->size = size ? (~size + 1) : 0;
	bar->start = ((u64)orig_hi << 32) | (orig & PCI_BASE_ADDRESS_MEM_MASK);
	return (bar->flags & PCI_BAR_MEM64) ? 2 : 1;
}

static void pci_read_bases(struct pci_dev *dev)
{
	u16 cmd = pci_read_config_word(dev, PCI_COMMAND);
	unsigned int i;

	if ((dev->hdr_type & PCI_HEADER_TYPE_MASK) != PCI_HEADER_TYPE_NORMAL)
		return; /* bridges: the kernel only deals with endpoints */
	pci_write_config_word(dev, PCI_COMMAND, cmd & ~(PCI_COMMAND_IO | PCI_COMMAND_MEMORY));
	for (i = 0; i < PCI_NUM_BARS;)
		i += pci_read_bar(dev, i);
	pci_write_config_word(dev, PCI_COMMAND, cmd);
}

/* The PCI INTx of the device, through the MP table and the I/O APIC (symmetric mode only). */
static void pci_route_intx(struct pci_dev *dev)
{
	struct pci_intx_route route;

	dev->intx_irq = -1;
	if (!dev->pin || !intx_usable)
		return;
	if (!mp_find_pci_irq(dev->bus, PCI_SLOT(dev->devfn), dev->pin, &route))
		return;
	dev->intx_irq = io_apic_setup_pci_irq(&route);
	if (dev->intx_irq >= 0)
		printk(MACHINE_DEPENDENT "pci %s: INT%c -> IOAPIC[0] pin %u (%s, %s) IRQ %d\n",
		       dev->name, 'A' + dev->pin - 1, route.ioapic_pin,
		       route.level ? "level" : "edge", route.active_low ? "low" : "high",
		       dev->intx_irq);
}

static void pci_print_device(const struct pci_dev *dev)
{
	unsigned int i;

	printk(MACHINE_DEPENDENT "pci %s: [%04x:%04x] type %02x class %#08x rev %02x\n", dev->name,
	       dev->vendor, dev->device, dev->hdr_type & PCI_HEADER_TYPE_MASK, dev->class,
	       dev->revision);
	for (i = 0; i < PCI_NUM_BARS; i++) {
		const struct pci_bar *bar = &dev->bar[i];

		if (!bar->flags)
			continue;
		if (bar->flags & PCI_BAR_IO)
			printk(MACHINE_DEPENDENT "pci %s: BAR %u [io  %#06llx-%#06llx]\n",
			       dev->name, i, bar->start, bar->start + bar->size - 1);
		else
			printk(MACHINE_DEPENDENT "pci %s: BAR %u [mem %#010llx-%#010llx%s%s]\n",
			       dev->name, i, bar->start, bar->start + bar->size - 1,
			       (bar->flags & PCI_BAR_MEM64) ? " 64bit" : "",
			       (bar->flags & PCI_BAR_PREFETCH) ? " pref" : "");
	}
	if (dev->pm_cap || dev->msi_cap || dev->msix_cap || dev->pcie_cap)
		printk(MACHINE_DEPENDENT "pci %s: capabilities:%s%s%s%s\n", dev->name,
		       dev->pm_cap ? " PM" : "", dev->msi_cap ? " MSI" : "",
		       dev->msix_cap ? " MSI-X" : "", dev->pcie_cap ? " PCIe" : "");
}

static void pci_scan_function(unsigned int bus, unsigned int devfn, u16 vendor)
{
	struct pci_dev *dev;
	u32 class_rev;

	if (pci_nr_devices >= PCI_MAX_DEVICES) {
		printk(MACHINE_DEPENDENT "pci 0000:%02x:%02x.%u: too many functions, ignored\n",
		       bus, PCI_SLOT(devfn), PCI_FUNC(devfn));
		return;
	}
	dev = &pci_devices[pci_nr_devices++];
	memset(dev, 0, sizeof(*dev));
	dev->bus = bus;
	dev->devfn = devfn;
	dev->vendor = vendor;
	dev->device = pci_read_config_word(dev, PCI_DEVICE_ID);
	class_rev = pci_read_config_dword(dev, PCI_CLASS_REVISION);
	dev->class = class_rev >> 8;
	dev->revision = class_rev & 0xff;
	dev->hdr_type = pci_read_config_byte(dev, PCI_HEADER_TYPE);
	dev->pin = pci_read_config_byte(dev, PCI_INTERRUPT_PIN);
	if (dev->pin > 4)
		dev->pin = 0;
	dev->irq = -1;
	snprintf(dev->name, sizeof(dev->name), "0000:%02x:%02x.%u", bus, PCI_SLOT(devfn),
		 PCI_FUNC(devfn));
	pci_read_bases(dev);
	dev->pm_cap = pci_find_capability(dev, PCI_CAP_ID_PM);
	dev->msi_cap = pci_find_capability(dev, PCI_CAP_ID_MSI);
	dev->msix_cap = pci_find_capability(dev, PCI_CAP_ID_MSIX);
	dev->pcie_cap = pci_find_capability(dev, PCI_CAP_ID_EXP);
	pci_print_device(dev);
	pci_route_intx(dev);
	dev->irq = dev->intx_irq;
}

static void pci_scan_bus(unsigned int bus)
{
	unsigned int slot, fn;

	for (slot = 0; slot < PCI_MAX_SLOTS; slot++) {
		u16 vendor = pci_conf1_read(bus, PCI_DEVFN(slot, 0), PCI_VENDOR_ID, 2);
		u8 hdr;

		if (vendor == 0xffff || vendor == 0)
			continue;
		hdr = pci_conf1_read(bus, PCI_DEVFN(slot, 0), PCI_HEADER_TYPE, 1);
		pci_scan_function(bus, PCI_DEVFN(slot, 0), vendor);
		if (!(hdr & PCI_HEADER_TYPE_MFD))
			continue;
		for (fn = 1; fn < PCI_MAX_FUNCS; fn++) {
			vendor = pci_conf1_read(bus, PCI_DEVFN(slot, fn), PCI_VENDOR_ID, 2);
			if (vendor != 0xffff && vendor != 0)
				pci_scan_function(bus, PCI_DEVFN(slot, fn), vendor);
		}
	}
}

/* Configuration mechanism #1 is there if CONFIG_ADDRESS keeps what is written to it. */
static bool pci_check_type1(void)
{
	unsigned long flags = spin_lock_irqsave(&pci_config_lock);
	u32 saved = inl(PCI_CONF1_ADDRESS_PORT);
	bool works;

	outl(PCI_CONF1_ENABLE, PCI_CONF1_ADDRESS_PORT);
	works = inl(PCI_CONF1_ADDRESS_PORT) == PCI_CONF1_ENABLE;
	outl(saved, PCI_CONF1_ADDRESS_PORT);
	spin_unlock_irqrestore(&pci_config_lock, flags);
	return works;
}

void pci_init(bool msi_ok, bool intx_ok)
{
	msi_usable = msi_ok;
	intx_usable = intx_ok;
	pci_nr_devices = 0;
	if (!pci_check_type1()) {
		printk(MACHINE_DEPENDENT "PCI: no configuration mechanism #1, no PCI devices\n");
		return;
	}
	printk(MACHINE_DEPENDENT "PCI: Using configuration type 1, scanning bus 00\n");
	pci_scan_bus(0);
	printk(MACHINE_DEPENDENT "PCI: %u function%s on bus 00; MSI %s, INTx %s\n", pci_nr_devices,
	       pci_nr_devices == 1 ? "" : "s",
	       pci_nomsi ? "off (pci=nomsi)" : (msi_ok ? "on" : "off (no local APIC)"),
	       intx_ok ? "through the IO-APIC" : "off (IO-APIC not in use)");
}

/*
 * Device memory must be uncached. The boot page tables map 0-4 GiB with
 * 2 MiB pages and the top 32 MiB (0xFE000000 up: local APIC, I/O APIC, the
 * firmware's BAR window) already uncached; a BAR elsewhere gets PCD|PWT on
 * its 2 MiB pages here, with a TLB shootdown.
 */
static void pci_make_uncached(u64 start, u64 size)
{
	u64 *pml4 = phys_to_virt(read_cr3() & PTE_PFN_MASK);
	u64 *pdpt = phys_to_virt(pml4[0] & PTE_PFN_MASK);
	u64 addr;

	for (addr = start & ~(u64)(PMD_SIZE - 1); addr < start + size; addr += PMD_SIZE) {
		u64 *pd = phys_to_virt(pdpt[(addr >> 30) & 511] & PTE_PFN_MASK);
		u64 *pde = &pd[(addr >> PMD_SHIFT) & 511];

		if ((*pde & (_PAGE_PCD | _PAGE_PWT)) == (_PAGE_PCD | _PAGE_PWT))
			continue;
		WRITE_ONCE(*pde, *pde | _PAGE_PCD | _PAGE_PWT);
		flush_tlb_kernel_page(addr);
	}
}

void __iomem *pci_iomap(struct pci_dev *dev, unsigned int index)
{
	const struct pci_bar *bar;

	if (index >= PCI_NUM_BARS)
		return NULL;
	bar = &dev->bar[index];
	if (!(bar->flags & PCI_BAR_MEM) || !bar->start || !bar->size ||
	    bar->start + bar->size > 0x100000000ULL)
		return NULL;
	pci_make_uncached(bar->start, bar->size);
	return phys_to_virt(bar->start);
}

int pci_register_driver(const struct pci_driver *driver)
{
	unsigned int i;
	int bound = 0;

	for (i = 0; i < pci_nr_devices; i++) {
		struct pci_dev *dev = &pci_devices[i];
		const struct pci_device_id *id;

		if (dev->driver)
			continue;
		for (id = driver->id_table; id->vendor; id++) {
			if (id->vendor != dev->vendor || id->device != dev->device)
				continue;
			dev->driver = driver;
			if (driver->probe(dev, id) == 0) {
				bound++;
			} else {
				dev->driver = NULL;
				printk(MACHINE_DEPENDENT "%s %s: probe failed\n", driver->name,
				       dev->name);
			}
			break;
		}
	}
	return bound;
}

void pci_shutdown_devices(void)
{
	unsigned int i;

	for (i = 0; i < pci_nr_devices; i++) {
		struct pci_dev *dev = &pci_devices[i];

		if (dev->driver && dev->driver->shutdown)
			dev->driver->shutdown(dev);
	}
}
