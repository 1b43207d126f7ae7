#ifndef _GUEST_E820_H
#define _GUEST_E820_H

#include "types.h"

/* Memory types as in the BIOS int 15h/e820 interface (and multiboot). */
enum e820_type {
	E820_TYPE_RAM = 1,
	E820_TYPE_RESERVED = 2,
	E820_TYPE_ACPI = 3,
	E820_TYPE_NVS = 4,
	E820_TYPE_UNUSABLE = 5,
};

#define E820_MAX_ENTRIES 64

struct e820_entry {
	u64 addr;
	u64 size;
	u32 type;
};

struct e820_table {
	unsigned int nr_entries;
	struct e820_entry entries[E820_MAX_ENTRIES];
};

extern struct e820_table e820_table;

void e820_add_region(u64 addr, u64 size, u32 type);
/* Prints the table in the style of old Linux; who is "BIOS-e820", ... */
void e820_print_map(const char *who);

#endif /* _GUEST_E820_H */
