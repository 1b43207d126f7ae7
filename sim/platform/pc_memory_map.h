// The physical memory map of the PC we model, in e820 form, as QEMU 7.2 + SeaBIOS 1.16 report it for
// the same -m size (measured with qemu-system-x86_64 7.2 from Debian 12, SeaBIOS 1.16.2, by a
// multiboot probe kernel printing the multiboot mmap; see the table in pc_memory_map.cc).
//
// Everything that shapes the map is data (PcChipsetFacts): change the numbers there, not the code.
#pragma once
#include "sim/core/types.h"

#include <string>
#include <vector>

namespace smpsim::platform {

enum class E820Type : u32 {
    Usable = 1,
    Reserved = 2,
    AcpiReclaimable = 3,
    AcpiNvs = 4,
    Unusable = 5,
};

struct E820Entry {
    u64 base = 0;
    u64 length = 0;
    E820Type type = E820Type::Reserved;

    u64 end() const { return base + length; } // exclusive
    bool operator==(const E820Entry&) const = default;
};

enum class PcChipset : u8 {
    I440fx, // QEMU "-machine pc" (the default)
    Q35,    // QEMU "-machine q35"
};

struct PcMemoryMapConfig {
    u64 ram_mib = 128;
    PcChipset chipset = PcChipset::I440fx;
    // QEMU with -enable-kvm reserves 0xfeffc000-0xff000000 (KVM's identity-map page and TSS pages);
    // without KVM (TCG) the entry is absent.
    bool kvm = false;
    // QEMU >= 7.1 reserves the AMD HyperTransport window 0xfd00000000-0x10000000000 when the vCPU vendor
    // is AMD and it has >= 40 physical address bits. That is the case for TCG's default CPUs (qemu64,
    // max), so plain "qemu-system-x86_64 -kernel" shows it; -enable-kvm -cpu host on Intel does not.
    bool amd_ht_hole = true;
};

// Per-chipset facts; see kI440fxFacts / kQ35Facts in the .cc for the values and where they come from.
struct PcChipsetFacts {
    u64 split_threshold;   // RAM >= this: only `lowmem_when_split` stays below 4 GiB, the rest at 4 GiB
    u64 lowmem_when_split; // RAM below 4 GiB once split
    u64 top_reserved;      // bytes SeaBIOS keeps reserved at the top of low RAM (its ACPI/SMBIOS tables)
    std::vector<E820Entry> fixed_reserved; // chipset windows SeaBIOS reports (MMCONFIG, RCBA)
};

const PcChipsetFacts& pc_chipset_facts(PcChipset chipset);

inline constexpr u64 kMinRamMib = 8;
inline constexpr u64 kMaxRamMib = 64 * 1024;

// The e820 map, sorted by base, entries not overlapping. Throws InputError when ram_mib is outside
// [kMinRamMib, kMaxRamMib].
std::vector<E820Entry> pc_memory_map(const PcMemoryMapConfig& config);

// Multiboot mem_lower: KiB of usable RAM from address 0 (what INT 12h reports: 639 with SeaBIOS's 1 KiB
// EBDA at 0x9fc00), capped at 640.
u32 mem_lower_kib(const std::vector<E820Entry>& map);
// Multiboot mem_upper: KiB of contiguous usable RAM starting at 1 MiB, following adjacent usable entries
// below 4 GiB, the way QEMU's multiboot option ROM computes it from the e820 map.
u32 mem_upper_kib(const std::vector<E820Entry>& map);

const char* e820_type_name(E820Type type); // "usable", "reserved", "ACPI data", "ACPI NVS", "unusable"
// One line per entry, as Linux prints it: "[mem 0x0000000000000000-0x000000000009fbff] usable\n".
std::string format_e820(const std::vector<E820Entry>& map);

} // namespace smpsim::platform
