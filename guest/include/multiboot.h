#ifndef _GUEST_MULTIBOOT_H
#define _GUEST_MULTIBOOT_H

/* Multiboot specification version 0.6.96 (multiboot v1). */

#define MULTIBOOT_HEADER_MAGIC 0x1BADB002
#define MULTIBOOT_BOOTLOADER_MAGIC 0x2BADB002

/* Header flags the kernel requests. */
#define MULTIBOOT_PAGE_ALIGN 0x00000001	 /* modules on page boundaries */
#define MULTIBOOT_MEMORY_INFO 0x00000002 /* mem_* and mmap_* fields wanted */

/* multiboot_info.flags: which fields are valid. */
#define MULTIBOOT_INFO_MEMORY 0x00000001
#define MULTIBOOT_INFO_BOOTDEV 0x00000002
#define MULTIBOOT_INFO_CMDLINE 0x00000004
#define MULTIBOOT_INFO_MODS 0x00000008
#define MULTIBOOT_INFO_AOUT_SYMS 0x00000010
#define MULTIBOOT_INFO_ELF_SHDR 0x00000020
#define MULTIBOOT_INFO_MEM_MAP 0x00000040
#define MULTIBOOT_INFO_DRIVE_INFO 0x00000080
#define MULTIBOOT_INFO_CONFIG_TABLE 0x00000100
#define MULTIBOOT_INFO_BOOT_LOADER_NAME 0x00000200
#define MULTIBOOT_INFO_APM_TABLE 0x00000400
#define MULTIBOOT_INFO_VBE_INFO 0x00000800
#define MULTIBOOT_INFO_FRAMEBUFFER_INFO 0x00001000

#ifndef __ASSEMBLER__

#include "types.h"

struct multiboot_info {
	u32 flags;
	u32 mem_lower; /* KiB of memory from 0 */
	u32 mem_upper; /* KiB of memory from 1 MiB */
	u32 boot_device;
	u32 cmdline;
	u32 mods_count;
	u32 mods_addr;
	u32 syms[4];
	u32 mmap_length;
	u32 mmap_addr;
	u32 drives_length;
	u32 drives_addr;
	u32 config_table;
	u32 boot_loader_name;
	u32 apm_table;
	u32 vbe_control_info;
	u32 vbe_mode_info;
	u16 vbe_mode;
	u16 vbe_interface_seg;
	u16 vbe_interface_off;
	u16 vbe_interface_len;
	/* framebuffer fields follow; this kernel does not use them */
} __attribute__((__packed__));

/* The size field does not count itself; the next entry is at +size+4. */
struct multiboot_mmap_entry {
	u32 size;
	u64 addr;
	u64 len;
	u32 type;
} __attribute__((__packed__));

struct multiboot_module {
	u32 mod_start;
	u32 mod_end;
	u32 string;
	u32 reserved;
} __attribute__((__packed__));

#endif /* __ASSEMBLER__ */

#endif /* _GUEST_MULTIBOOT_H */
