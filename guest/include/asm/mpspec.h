#ifndef _GUEST_ASM_MPSPEC_H
#define _GUEST_ASM_MPSPEC_H

/* Intel MultiProcessor Specification 1.4 tables. */

#include "../compiler.h"
#include "../types.h"

#define MPF_SIGNATURE "_MP_"
#define MPC_SIGNATURE "PCMP"

/* Floating pointer structure (16 bytes, 16-byte aligned). */
struct mpf_intel {
	char signature[4];
	u32 physptr;
	u8 length; /* in 16-byte units: 1 */
	u8 specification;
	u8 checksum;
	u8 feature1; /* non-zero: one of the default configurations, no table */
	u8 feature2;
	u8 feature3;
	u8 feature4;
	u8 feature5;
} __packed;

/* Configuration table header. */
struct mpc_table {
	char signature[4];
	u16 length;
	u8 spec;
	u8 checksum;
	char oem[8];
	char productid[12];
	u32 oemptr;
	u16 oemsize;
	u16 oemcount;
	u32 lapic;
	u16 extended_length;
	u8 extended_checksum;
	u8 reserved;
} __packed;

enum mp_entry_type {
	MP_PROCESSOR = 0,
	MP_BUS = 1,
	MP_IOAPIC = 2,
	MP_INTSRC = 3,
	MP_LINTSRC = 4,
};

#define CPU_ENABLED 1
#define CPU_BOOTPROCESSOR 2

struct mpc_cpu {
	u8 type;
	u8 apicid;
	u8 apicver;
	u8 cpuflag;
	u32 cpufeature;
	u32 featureflag;
	u32 reserved[2];
} __packed;

struct mpc_bus {
	u8 type;
	u8 busid;
	char bustype[6];
} __packed;

#define MPC_APIC_USABLE 1

struct mpc_ioapic {
	u8 type;
	u8 apicid;
	u8 apicver;
	u8 flags;
	u32 apicaddr;
} __packed;

enum mp_irq_source_types {
	mp_INT = 0,
	mp_NMI = 1,
	mp_SMI = 2,
	mp_ExtINT = 3,
};

/* irqflag: polarity in bits 1:0, trigger mode in bits 3:2 (0 = conforms to the bus). */
#define MP_IRQPOL_MASK 0x3
#define MP_IRQPOL_ACTIVE_HIGH 0x1
#define MP_IRQPOL_ACTIVE_LOW 0x3
#define MP_IRQTRIG_MASK 0xc
#define MP_IRQTRIG_EDGE 0x4
#define MP_IRQTRIG_LEVEL 0xc

struct mpc_intsrc {
	u8 type;
	u8 irqtype;
	u16 irqflag;
	u8 srcbus;
	u8 srcbusirq;
	u8 dstapic;
	u8 dstirq;
} __packed;

/* What the kernel keeps from the table. */
#define MAX_MP_BUSSES 32
#define MAX_IRQ_SOURCES 64
#define MAX_IO_APICS 1

struct mp_ioapic_info {
	unsigned int apicid;
	unsigned long address;
	unsigned int nr_pins; /* from the version register, io_apic_init() */
};

extern bool smp_found_config;
extern int mp_isa_bus; /* bus id of the ISA bus, or -1 */
extern unsigned int nr_ioapics;
extern struct mp_ioapic_info mp_ioapics[MAX_IO_APICS];
extern unsigned int mp_irq_entries;
extern struct mpc_intsrc mp_irqs[MAX_IRQ_SOURCES];

/*
 * Looks for the floating pointer ("_MP_", valid checksum) in the first KiB of
 * RAM, the last KiB of base memory, the EBDA and the BIOS ROM 0xF0000-0xFFFFF,
 * then reads the configuration table: CPUs (possible/present masks and APIC
 * IDs; the boot CPU is CPU 0), the I/O APIC, the interrupt sources.
 */
void find_and_parse_smp_config(void);

#endif /* _GUEST_ASM_MPSPEC_H */
