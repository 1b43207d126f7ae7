// Multiboot v1 (specification 0.6.96) kernel loading, laid out in guest RAM the way QEMU 7.2's
// "-kernel" path does it (hw/i386/multiboot.c + pc-bios/optionrom/multiboot.S), so that a guest prints
// the same boot information on smpsim and on QEMU:
//
//   0x9000   e820 memory map in multiboot format (24-byte entries: size=20, base, length, type)
//   0x9500   multiboot information structure (88 bytes; flags 0x24f: mem, boot_device 0x8000ffff,
//            cmdline, mods (count 0), mmap, boot_loader_name)
//   K        kernel image [K, K+size), K = lowest physical address loaded, size incl. bss
//   K+page_align(size)     "<kernel name> <cmdline>\0" (also mods_addr; no modules)
//   right after it         "qemu\0" (boot_loader_name, configurable)
//
// The CPU then starts in 32-bit protected mode at `entry` with EAX = kBootMagic and EBX = mbi_addr.
//
// Differences from QEMU, all of them rejections of images QEMU would load and then crash or corrupt:
// everything loaded must lie in one usable e820 range of the map (so not in the 0xa0000-0x100000
// legacy hole, the EBDA or above RAM), must not overlap the boot information at 0x9000-0x9558, PT_LOAD
// segments must not overlap each other, and the entry point must lie in loaded memory. Unlike QEMU,
// an ELF64 (EM_X86_64) kernel is accepted; its entry point must be 32-bit code.
#pragma once
#include "sim/core/types.h"
#include "sim/platform/pc_memory_map.h"

#include <optional>
#include <span>
#include <string>
#include <vector>

namespace smpsim::platform::multiboot {

inline constexpr u32 kHeaderMagic = 0x1BADB002;
inline constexpr u32 kBootMagic = 0x2BADB002; // EAX at kernel entry
inline constexpr u32 kSearchLimit = 8192;     // the header must lie in the first 8 KiB, 4-byte aligned

// Header flag bits.
inline constexpr u32 kFlagPageAlign = 1u << 0;
inline constexpr u32 kFlagMemoryInfo = 1u << 1;
inline constexpr u32 kFlagVideoMode = 1u << 2;
inline constexpr u32 kFlagAoutKludge = 1u << 16;

// Boot information flag bits (the `flags` word of the mbi).
inline constexpr u32 kInfoMemory = 1u << 0;
inline constexpr u32 kInfoBootDevice = 1u << 1;
inline constexpr u32 kInfoCmdline = 1u << 2;
inline constexpr u32 kInfoMods = 1u << 3;
inline constexpr u32 kInfoMmap = 1u << 6;
inline constexpr u32 kInfoBootLoaderName = 1u << 9;

// Placement (QEMU hw/i386/multiboot.c: MULTIBOOT_STRUCT_ADDR 0x9000, ADDR_E820_MAP = +0, ADDR_MBI = +0x500).
inline constexpr u32 kMmapAddr = 0x9000;
inline constexpr u32 kMbiAddr = 0x9500;
inline constexpr u32 kMbiSize = 88;
inline constexpr u32 kMmapEntrySize = 24; // 4-byte size field + 20 bytes
inline constexpr u32 kMaxMmapEntries = (kMbiAddr - kMmapAddr) / kMmapEntrySize; // 53
inline constexpr u32 kBootDevice = 0x8000ffff;                                  // what QEMU passes

// mbi field offsets.
inline constexpr u32 kMbiFlags = 0;
inline constexpr u32 kMbiMemLower = 4;
inline constexpr u32 kMbiMemUpper = 8;
inline constexpr u32 kMbiBootDevice = 12;
inline constexpr u32 kMbiCmdline = 16;
inline constexpr u32 kMbiModsCount = 20;
inline constexpr u32 kMbiModsAddr = 24;
inline constexpr u32 kMbiMmapLength = 44;
inline constexpr u32 kMbiMmapAddr = 48;
inline constexpr u32 kMbiBootLoaderName = 64;

struct Header {
    u32 offset = 0; // file offset of the magic
    u32 flags = 0;
    u32 checksum = 0;
    // Valid when flags & kFlagAoutKludge.
    u32 header_addr = 0;
    u32 load_addr = 0;
    u32 load_end_addr = 0;
    u32 bss_end_addr = 0;
    u32 entry_addr = 0;

    bool has_address_fields() const { return (flags & kFlagAoutKludge) != 0; }
};

// First 4-byte-aligned offset in the first 8192 bytes holding kHeaderMagic with a valid checksum
// (magic + flags + checksum == 0 mod 2^32), or nullopt. A magic with a bad checksum is skipped. When
// flag bit 16 is set, the five address fields must also be in the file and in the first 8192 bytes,
// else InputError("<name>: ...").
std::optional<Header> find_header(std::span<const u8> bytes, const std::string& name = "kernel");

struct LoadOptions {
    // The cmdline string is "<kernel_name> <cmdline>", as QEMU builds it from -kernel and -append: pass
    // the path exactly as QEMU was given it to get identical bytes.
    std::string kernel_name = "kernel";
    std::string cmdline;
    std::string boot_loader_name = "qemu";
    // The e820 map to hand to the guest (usually pc_memory_map()). It also decides where loading is allowed.
    std::vector<E820Entry> memory_map;
};

struct LoadResult {
    u32 entry = 0;        // physical entry point (32-bit protected mode)
    u32 mbi_addr = 0;     // EBX
    u32 kernel_start = 0; // lowest physical address of the image
    u32 kernel_end = 0;   // end (exclusive) of the image, bss included
    u32 cmdline_addr = 0;
    u32 boot_loader_name_addr = 0;
    bool aout_kludge = false; // loaded from the header's address fields rather than ELF program headers
    bool elf64 = false;
    Header header;
};

// Loads a multiboot kernel into `ram` (guest physical address 0 = ram[0]) and writes the boot
// information. Memory outside what is written here is left untouched. `name` prefixes errors.
// Throws InputError for anything that is not a loadable multiboot kernel.
LoadResult load(std::span<const u8> kernel, const std::string& name, std::span<u8> ram,
                const LoadOptions& options);

} // namespace smpsim::platform::multiboot
