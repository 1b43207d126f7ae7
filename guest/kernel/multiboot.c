/*
 * Reading the multiboot information: command line, memory map, boot loader
 * name. Everything the boot loader left in memory is reserved so that the
 * page allocator does not hand it out.
 */

#include "asm/io.h"
#include "e820.h"
#include "kernel.h"
#include "mm.h"
#include "setup.h"
#include "string.h"

/* Size of the multiboot v1 information structure, framebuffer fields included. */
#define MULTIBOOT_INFO_SIZE 116

char boot_command_line[COMMAND_LINE_SIZE];
char boot_image[COMMAND_LINE_SIZE];
const char *boot_loader_name;

static const struct multiboot_info *mbi;
static u32 mbi_address;

static void reserve_string(u32 addr)
{
	const char *s = phys_to_virt(addr);

	mem_reserve(addr, addr + strlen(s) + 1);
}

/*
 * Boot loaders (QEMU, GRUB) pass the path of the kernel image as the first
 * word of the command line, as argv[0]. Keep it apart from the options.
 */
static void setup_command_line(const char *cmdline)
{
	const char *p = cmdline;
	size_t len;

	while (*p == ' ')
		p++;
	len = 0;
	while (p[len] && p[len] != ' ')
		len++;
	strlcpy(boot_image, p, min(len + 1, sizeof(boot_image)));
	p += len;
	while (*p == ' ')
		p++;
	if (strlcpy(boot_command_line, p, sizeof(boot_command_line)) >= sizeof(boot_command_line))
		printk("Command line truncated to %zu bytes\n", sizeof(boot_command_line) - 1);
}

static void setup_memory_map(void)
{
	if (mbi->flags & MULTIBOOT_INFO_MEM_MAP) {
		u32 addr = mbi->mmap_addr;
		u32 end = mbi->mmap_addr + mbi->mmap_length;

		mem_reserve(mbi->mmap_addr, end);
		while (addr + sizeof(struct multiboot_mmap_entry) <= end) {
			const struct multiboot_mmap_entry *entry = phys_to_virt(addr);

			e820_add_region(entry->addr, entry->len, entry->type);
			if (entry->size < sizeof(*entry) - sizeof(entry->size))
				break;
			addr += entry->size + sizeof(entry->size);
		}
	} else if (mbi->flags & MULTIBOOT_INFO_MEMORY) {
		e820_add_region(0, (u64)mbi->mem_lower << 10, E820_TYPE_RAM);
		e820_add_region(0x100000, (u64)mbi->mem_upper << 10, E820_TYPE_RAM);
	} else {
		panic("The boot loader passed no memory information");
	}
}

void multiboot_setup(u32 magic, u32 mbi_phys)
{
	if (magic != MULTIBOOT_BOOTLOADER_MAGIC)
		panic("Not started by a multiboot boot loader (magic %#x)", magic);

	mbi_address = mbi_phys;
	mbi = phys_to_virt(mbi_phys);
	mem_reserve(mbi_phys, mbi_phys + MULTIBOOT_INFO_SIZE);

	if (mbi->flags & MULTIBOOT_INFO_CMDLINE) {
		reserve_string(mbi->cmdline);
		setup_command_line(phys_to_virt(mbi->cmdline));
	}
	if (mbi->flags & MULTIBOOT_INFO_BOOT_LOADER_NAME) {
		reserve_string(mbi->boot_loader_name);
		boot_loader_name = phys_to_virt(mbi->boot_loader_name);
	}
	if (mbi->flags & MULTIBOOT_INFO_MODS) {
		const struct multiboot_module *mod = phys_to_virt(mbi->mods_addr);
		u32 i;

		mem_reserve(mbi->mods_addr, mbi->mods_addr + mbi->mods_count * sizeof(*mod));
		for (i = 0; i < mbi->mods_count; i++) {
			mem_reserve(mod[i].mod_start, mod[i].mod_end);
			if (mod[i].string)
				reserve_string(mod[i].string);
		}
	}
	setup_memory_map();
}

/* The "mbinfo" option: the multiboot information as the boot loader left it. */
void multiboot_dump(void)
{
	printk("Multiboot information at %#x:\n", mbi_address);
	printk("  flags %#010x\n", mbi->flags);
	if (mbi->flags & MULTIBOOT_INFO_MEMORY)
		printk("  mem_lower %u KiB, mem_upper %u KiB\n", mbi->mem_lower, mbi->mem_upper);
	if (mbi->flags & MULTIBOOT_INFO_BOOTDEV)
		printk("  boot_device %#010x\n", mbi->boot_device);
	if (mbi->flags & MULTIBOOT_INFO_CMDLINE)
		printk("  cmdline at %#x: \"%s\"\n", mbi->cmdline,
		       (const char *)phys_to_virt(mbi->cmdline));
	if (mbi->flags & MULTIBOOT_INFO_MODS)
		printk("  mods_count %u, mods_addr %#x\n", mbi->mods_count, mbi->mods_addr);
	if (mbi->flags & MULTIBOOT_INFO_MEM_MAP) {
		u32 addr = mbi->mmap_addr;
		u32 end = mbi->mmap_addr + mbi->mmap_length;

		printk("  mmap_addr %#x, mmap_length %u\n", mbi->mmap_addr, mbi->mmap_length);
		while (addr + sizeof(struct multiboot_mmap_entry) <= end) {
			const struct multiboot_mmap_entry *entry = phys_to_virt(addr);

			printk("    at %#x: size %u, addr 0x%016llx, len 0x%016llx, type %u\n",
			       addr, entry->size, entry->addr, entry->len, entry->type);
			if (entry->size < sizeof(*entry) - sizeof(entry->size))
				break;
			addr += entry->size + sizeof(entry->size);
		}
	}
	if (mbi->flags & MULTIBOOT_INFO_DRIVE_INFO)
		printk("  drives_addr %#x, drives_length %u\n", mbi->drives_addr,
		       mbi->drives_length);
	if (mbi->flags & MULTIBOOT_INFO_CONFIG_TABLE)
		printk("  config_table %#x\n", mbi->config_table);
	if (mbi->flags & MULTIBOOT_INFO_BOOT_LOADER_NAME)
		printk("  boot_loader_name at %#x: \"%s\"\n", mbi->boot_loader_name,
		       (const char *)phys_to_virt(mbi->boot_loader_name));
	if (mbi->flags & MULTIBOOT_INFO_APM_TABLE)
		printk("  apm_table %#x\n", mbi->apm_table);
	if (mbi->flags & MULTIBOOT_INFO_VBE_INFO)
		printk("  vbe_control_info %#x, vbe_mode_info %#x, vbe_mode %#x\n",
		       mbi->vbe_control_info, mbi->vbe_mode_info, mbi->vbe_mode);
}
