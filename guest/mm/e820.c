/*
 * The physical memory map, in the form of the BIOS e820 table.
 */

#include "e820.h"
#include "kernel.h"

struct e820_table e820_table;

void e820_add_region(u64 addr, u64 size, u32 type)
{
	struct e820_entry *entry;

	if (!size)
		return;
	if (e820_table.nr_entries >= E820_MAX_ENTRIES) {
		printk("e820: too many entries, ignoring %016llx - %016llx\n", addr, addr + size);
		return;
	}
	entry = &e820_table.entries[e820_table.nr_entries++];
	entry->addr = addr;
	entry->size = size;
	entry->type = type;
}

static const char *e820_type_name(u32 type, char *buf, size_t size)
{
	switch (type) {
	case E820_TYPE_RAM:
		return "usable";
	case E820_TYPE_RESERVED:
		return "reserved";
	case E820_TYPE_ACPI:
		return "ACPI data";
	case E820_TYPE_NVS:
		return "ACPI NVS";
	case E820_TYPE_UNUSABLE:
		return "unusable";
	default:
		snprintf(buf, size, "type %u", type);
		return buf;
	}
}

void e820_print_map(const char *who)
{
	unsigned int i;
	char buf[16];

	for (i = 0; i < e820_table.nr_entries; i++) {
		const struct e820_entry *entry = &e820_table.entries[i];

		printk(" %s: %016llx - %016llx (%s)\n", who, entry->addr, entry->addr + entry->size,
		       e820_type_name(entry->type, buf, sizeof(buf)));
	}
}
