/*
 * Intel MultiProcessor Specification tables: which CPUs there are (and
 * their APIC IDs), where the I/O APIC is, and which of its pins each ISA
 * IRQ is wired to.
 */

#include "asm/apic.h"
#include "asm/io.h"
#include "asm/io_apic.h"
#include "asm/mpspec.h"
#include "asm/pci_irq.h"
#include "asm/smp.h"
#include "cpumask.h"
#include "kernel.h"
#include "setup.h"
#include "string.h"

bool smp_found_config;
int mp_isa_bus = -1;
unsigned int nr_ioapics;
struct mp_ioapic_info mp_ioapics[MAX_IO_APICS];
unsigned int mp_irq_entries;
struct mpc_intsrc mp_irqs[MAX_IRQ_SOURCES];

cpumask_t cpu_possible_mask;
cpumask_t cpu_present_mask;
cpumask_t cpu_online_mask;
unsigned int nr_cpu_ids;
unsigned int cpu_to_apicid[NR_CPUS];
unsigned int boot_cpu_apicid;

#define NR_LEGACY_IRQS_MP 16

/*
 * PCI bus number + 1 of each MP bus ID, 0 for a non-PCI bus. The MP spec says
 * a PCI bus's ID is its bus number; some tables (smpsim's) give the ISA bus
 * ID 0 and PCI bus 0 another ID, so the PCI buses are numbered in table order.
 */
static unsigned int mp_bus_to_pci_bus[MAX_MP_BUSSES];
static unsigned int mp_nr_pci_busses;

/* BIOS data area: real-mode segment of the extended BIOS data area. */
#define BDA_EBDA_SEGMENT 0x40e

static u8 checksum(const void *p, unsigned long len)
{
	const u8 *b = p;
	u8 sum = 0;

	while (len--)
		sum += *b++;
	return sum;
}

static const struct mpf_intel *scan_for_mpf(unsigned long base, unsigned long length)
{
	unsigned long addr;

	for (addr = base; addr + sizeof(struct mpf_intel) <= base + length; addr += 16) {
		const struct mpf_intel *mpf = phys_to_virt(addr);

		if (memcmp(mpf->signature, MPF_SIGNATURE, 4) || mpf->length != 1 ||
		    checksum(mpf, 16) != 0 || (mpf->specification != 1 && mpf->specification != 4))
			continue;
		printk(MACHINE_DEPENDENT "found SMP MP-table at [mem %#010lx-%#010lx]\n", addr,
		       addr + sizeof(*mpf) - 1);
		return mpf;
	}
	return NULL;
}

static void register_cpu(unsigned int apicid, bool bsp)
{
	unsigned int cpu;

	printk("Processor #%u%s\n", apicid, bsp ? " (Bootup-CPU)" : "");
	if (bsp) {
		cpu = 0;
	} else {
		cpu = nr_cpu_ids ? nr_cpu_ids : 1;
		if (cpu >= NR_CPUS) {
			printk("NR_CPUS limit of %d reached, processor #%u ignored\n", NR_CPUS,
			       apicid);
			return;
		}
	}
	cpu_to_apicid[cpu] = apicid;
	cpumask_set_cpu(cpu, &cpu_possible_mask);
	cpumask_set_cpu(cpu, &cpu_present_mask);
	if (cpu >= nr_cpu_ids)
		nr_cpu_ids = cpu + 1;
}

static bool parse_mpc(const struct mpc_table *mpc)
{
	const u8 *p, *end;
	char oem[9], product[13];
	unsigned int count = 0;

	if (memcmp(mpc->signature, MPC_SIGNATURE, 4)) {
		printk("MPTABLE: bad signature [%.4s]\n", mpc->signature);
		return false;
	}
	if (checksum(mpc, mpc->length)) {
		printk("MPTABLE: checksum error\n");
		return false;
	}
	memcpy(oem, mpc->oem, 8);
	oem[8] = 0;
	memcpy(product, mpc->productid, 12);
	product[12] = 0;
	printk(MACHINE_DEPENDENT "MPTABLE: OEM ID: %s Product ID: %s APIC at: %#x\n", oem, product,
	       mpc->lapic);
	mp_lapic_addr = mpc->lapic;

	p = (const u8 *)(mpc + 1);
	end = (const u8 *)mpc + mpc->length;
	while (p < end && count++ < mpc->oemcount) {
		switch (*p) {
		case MP_PROCESSOR: {
			const struct mpc_cpu *m = (const void *)p;

			if (m->cpuflag & CPU_ENABLED)
				register_cpu(m->apicid, m->cpuflag & CPU_BOOTPROCESSOR);
			p += sizeof(struct mpc_cpu);
			break;
		}
		case MP_BUS: {
			const struct mpc_bus *bus = (const void *)p;

			if (!memcmp(bus->bustype, "ISA", 3))
				mp_isa_bus = bus->busid;
			else if (!memcmp(bus->bustype, "PCI", 3) && bus->busid < MAX_MP_BUSSES)
				mp_bus_to_pci_bus[bus->busid] = ++mp_nr_pci_busses;
			p += sizeof(struct mpc_bus);
			break;
		}
		case MP_IOAPIC: {
			const struct mpc_ioapic *ioapic = (const void *)p;

			if ((ioapic->flags & MPC_APIC_USABLE) && nr_ioapics < MAX_IO_APICS) {
				mp_ioapics[nr_ioapics].apicid = ioapic->apicid;
				mp_ioapics[nr_ioapics].address = ioapic->apicaddr;
				nr_ioapics++;
			}
			p += sizeof(struct mpc_ioapic);
			break;
		}
		case MP_INTSRC:
			if (mp_irq_entries < MAX_IRQ_SOURCES)
				mp_irqs[mp_irq_entries++] = *(const struct mpc_intsrc *)p;
			p += sizeof(struct mpc_intsrc);
			break;
		case MP_LINTSRC:
			p += sizeof(struct mpc_intsrc);
			break;
		default:
			printk("MPTABLE: unknown entry type %u, rest of the table ignored\n", *p);
			return nr_cpu_ids > 0;
		}
	}
	return nr_cpu_ids > 0;
}

/*
 * ACPI: the MADT ("APIC" table) lists every logical CPU, where the MP table
 * of some firmware (SeaBIOS) has one entry per package. As Linux does, the
 * MADT comes first; "acpi=off" falls back to the MP table. The MADT's
 * contents are turned into the same form as the MP table's: CPUs, the I/O
 * APIC, and one ISA interrupt source per IRQ (identity unless an interrupt
 * source override says otherwise).
 */
struct acpi_table_header {
	char signature[4];
	u32 length;
	u8 revision;
	u8 checksum;
	char oem_id[6];
	char oem_table_id[8];
	u32 oem_revision;
	u32 creator_id;
	u32 creator_revision;
} __packed;

struct acpi_rsdp {
	char signature[8];
	u8 checksum;
	char oem_id[6];
	u8 revision;
	u32 rsdt_address;
} __packed;

enum {
	ACPI_MADT_LOCAL_APIC = 0,
	ACPI_MADT_IO_APIC = 1,
	ACPI_MADT_INTERRUPT_OVERRIDE = 2,
};

#define ACPI_MADT_ENABLED 1
#define ISA_BUS_ID 0

static const struct acpi_rsdp *scan_for_rsdp(unsigned long base, unsigned long length)
{
	unsigned long addr;

	for (addr = base; addr + sizeof(struct acpi_rsdp) <= base + length; addr += 16) {
		const struct acpi_rsdp *rsdp = phys_to_virt(addr);

		if (!memcmp(rsdp->signature, "RSD PTR ", 8) && !checksum(rsdp, 20))
			return rsdp;
	}
	return NULL;
}

static void add_isa_irq(unsigned int irq, unsigned int gsi, u16 flags)
{
	unsigned int i;

	for (i = 0; i < mp_irq_entries; i++) {
		if (mp_irqs[i].srcbusirq == irq)
			break;
	}
	if (i == mp_irq_entries) {
		if (mp_irq_entries == MAX_IRQ_SOURCES)
			return;
		mp_irq_entries++;
	}
	mp_irqs[i].type = MP_INTSRC;
	mp_irqs[i].irqtype = mp_INT;
	mp_irqs[i].irqflag = flags; /* same encoding as the MP table's */
	mp_irqs[i].srcbus = ISA_BUS_ID;
	mp_irqs[i].srcbusirq = irq;
	mp_irqs[i].dstapic = mp_ioapics[0].apicid;
	mp_irqs[i].dstirq = gsi;
}

static bool acpi_parse_madt(void)
{
	unsigned long bda = BDA_EBDA_SEGMENT;
	const struct acpi_table_header *rsdt, *madt = NULL;
	const struct acpi_rsdp *rsdp = NULL;
	const u8 *p, *end;
	unsigned int i, n, boot_apicid;
	u32 gsi_overridden = 0, irq_overridden = 0;
	u16 ebda_seg;

	__asm__("" : "+r"(bda));
	ebda_seg = *(const u16 *)phys_to_virt(bda);
	if (ebda_seg)
		rsdp = scan_for_rsdp((unsigned long)ebda_seg << 4, 0x400);
	if (!rsdp)
		rsdp = scan_for_rsdp(0xe0000, 0x20000);
	if (!rsdp)
		return false;
	rsdt = phys_to_virt(rsdp->rsdt_address);
	if (memcmp(rsdt->signature, "RSDT", 4) || checksum(rsdt, rsdt->length))
		return false;
	n = (rsdt->length - sizeof(*rsdt)) / 4;
	for (i = 0; i < n; i++) {
		u32 addr;
		const struct acpi_table_header *t;

		memcpy(&addr, (const u8 *)(rsdt + 1) + 4 * i, 4);
		t = phys_to_virt(addr);
		if (!memcmp(t->signature, "APIC", 4) && !checksum(t, t->length)) {
			madt = t;
			break;
		}
	}
	if (!madt)
		return false;
	printk(MACHINE_DEPENDENT "ACPI: MADT at %#lx, OEM %.6s\n", (unsigned long)virt_to_phys(madt),
	       madt->oem_id);

	memcpy(&n, madt + 1, 4);
	mp_lapic_addr = n;
	/* The boot CPU is the one running this; its local APIC is at the address just read. */
	boot_apicid = read_apic_id();
	p = (const u8 *)(madt + 1) + 8;
	end = (const u8 *)madt + madt->length;
	for (; p + 2 <= end && p[1] >= 2 && p + p[1] <= end; p += p[1]) {
		switch (p[0]) {
		case ACPI_MADT_LOCAL_APIC: {
			u32 flags;

			memcpy(&flags, p + 4, 4);
			if (flags & ACPI_MADT_ENABLED)
				register_cpu(p[3], p[3] == boot_apicid);
			break;
		}
		case ACPI_MADT_IO_APIC:
			if (nr_ioapics < MAX_IO_APICS) {
				u32 addr, gsi_base;

				memcpy(&addr, p + 4, 4);
				memcpy(&gsi_base, p + 8, 4);
				if (gsi_base == 0) {
					mp_ioapics[nr_ioapics].apicid = p[2];
					mp_ioapics[nr_ioapics].address = addr;
					nr_ioapics++;
				}
			}
			break;
		default:
			break;
		}
	}
	if (!nr_cpu_ids)
		return false;
	if (!nr_ioapics)
		return true;
	/* ISA IRQs: identity, then the overrides. */
	mp_isa_bus = ISA_BUS_ID;
	for (p = (const u8 *)(madt + 1) + 8; p + 2 <= end && p[1] >= 2 && p + p[1] <= end; p += p[1]) {
		if (p[0] == ACPI_MADT_INTERRUPT_OVERRIDE && p[2] == 0 && p[3] < NR_LEGACY_IRQS_MP) {
			u32 gsi;
			u16 flags;

			memcpy(&gsi, p + 4, 4);
			memcpy(&flags, p + 8, 2);
			add_isa_irq(p[3], gsi, flags);
			if (gsi < 32)
				gsi_overridden |= 1U << gsi;
			irq_overridden |= 1U << p[3];
		}
	}
	/* The other ISA IRQs: identity, unless their pin is taken by an override. */
	for (i = 0; i < NR_LEGACY_IRQS_MP; i++) {
		if (!(irq_overridden & (1U << i)) && !(gsi_overridden & (1U << i)))
			add_isa_irq(i, i, 0);
	}
	return true;
}

bool mp_find_pci_irq(unsigned int bus, unsigned int dev, unsigned int pin,
		     struct pci_intx_route *route)
{
	unsigned int i;

	if (!pin || pin > 4)
		return false;
	for (i = 0; i < mp_irq_entries; i++) {
		const struct mpc_intsrc *src = &mp_irqs[i];
		u16 polarity = src->irqflag & MP_IRQPOL_MASK;
		u16 trigger = src->irqflag & MP_IRQTRIG_MASK;

		if (src->irqtype != mp_INT || src->srcbus >= MAX_MP_BUSSES ||
		    mp_bus_to_pci_bus[src->srcbus] != bus + 1)
			continue;
		/* MP spec 4.3.4: source bus IRQ = device << 2 | pin, pin 0 = INTA#. */
		if (src->srcbusirq != ((dev << 2) | (pin - 1)))
			continue;
		route->ioapic_pin = src->dstirq;
		/* "Conforms to the bus": PCI is level-triggered, active low. */
		route->level = trigger != MP_IRQTRIG_EDGE;
		route->active_low = polarity != MP_IRQPOL_ACTIVE_HIGH;
		return true;
	}
	return false;
}

unsigned int mp_nr_pci_irq_entries(void)
{
	unsigned int i, n = 0;

	for (i = 0; i < mp_irq_entries; i++) {
		if (mp_irqs[i].srcbus < MAX_MP_BUSSES && mp_bus_to_pci_bus[mp_irqs[i].srcbus])
			n++;
	}
	return n;
}

void find_and_parse_smp_config(void)
{
	unsigned long bda = BDA_EBDA_SEGMENT;
	const struct mpf_intel *mpf;
	const u16 *ebda_seg;
	int pin;

	/* A low constant address: keep gcc from reasoning about it as a null-based object. */
	__asm__("" : "+r"(bda));
	ebda_seg = phys_to_virt(bda);

	if (!boot_options.acpi_off && acpi_parse_madt()) {
		smp_found_config = true;
		goto found;
	}

	mpf = scan_for_mpf(0x0, 0x400);
	if (!mpf)
		mpf = scan_for_mpf(639 * 0x400, 0x400);
	if (!mpf)
		mpf = scan_for_mpf(0xf0000, 0x10000);
	if (!mpf && *ebda_seg)
		mpf = scan_for_mpf((unsigned long)*ebda_seg << 4, 0x400);

	if (mpf && !mpf->feature1 && mpf->physptr) {
		printk(MACHINE_DEPENDENT "Intel MultiProcessor Specification v1.%d\n",
		       mpf->specification);
		smp_found_config = parse_mpc(phys_to_virt(mpf->physptr));
	} else if (mpf) {
		printk("MPTABLE: default configuration %u not supported\n", mpf->feature1);
	}

found:
	if (!smp_found_config) {
		printk("No MP table found: one CPU, 8259A interrupts\n");
		cpumask_set_cpu(0, &cpu_possible_mask);
		cpumask_set_cpu(0, &cpu_present_mask);
		nr_cpu_ids = 1;
		nr_ioapics = 0;
		return;
	}
	if (!cpumask_test_cpu(0, &cpu_present_mask)) {
		printk("MPTABLE: no boot processor entry\n");
		cpumask_set_cpu(0, &cpu_possible_mask);
		cpumask_set_cpu(0, &cpu_present_mask);
	}
	boot_cpu_apicid = cpu_to_apicid[0];
	printk("smpboot: Allowing %u CPUs, 0 hotplug CPUs\n", cpumask_weight(&cpu_possible_mask));
	if (!nr_ioapics)
		return;
	pin = mp_find_isa_irq_pin(0);
	if (pin >= 0)
		printk("IRQ0 (timer) on IOAPIC[0] pin %d\n", pin);
	else
		printk("No IO-APIC pin for IRQ0 (timer)\n");
}
