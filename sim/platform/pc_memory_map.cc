#include "sim/platform/pc_memory_map.h"

#include "sim/core/error.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>

namespace smpsim::platform {
namespace {

constexpr u64 KiB = 1024;
constexpr u64 MiB = 1024 * KiB;
constexpr u64 GiB = 1024 * MiB;

// Low-memory layout common to both chipsets (SeaBIOS 1.16: src/post.c puts a 1 KiB EBDA at the top
// of conventional memory and reserves it up to BUILD_LOWRAM_END 0xa0000; src/malloc.c removes
// 0xa0000-0xf0000 from the map and reserves the BIOS segment BUILD_BIOS_ADDR 0xf0000, 64 KiB;
// src/fw/paravirt.c reserves the 256 KiB flash/BIOS window below 4 GiB).
constexpr u64 kEbdaBase = 0x9fc00;
constexpr u64 kLowRamEnd = 0xa0000;
constexpr u64 kBiosBase = 0xf0000;
constexpr u64 kHighRamBase = 0x100000;
constexpr u64 kBiosFlashBase = 0xfffc0000;
constexpr u64 kFourGiB = 4 * GiB;
// QEMU target/i386/kvm/kvm.c: identity map page + 3 TSS pages, reported through fw_cfg etc/e820.
constexpr u64 kKvmIdentityBase = 0xfeffc000;
constexpr u64 kKvmIdentitySize = 0x4000;
// QEMU hw/i386/pc.c (7.1+): AMD HyperTransport reserved window just below 1 TiB.
constexpr u64 kAmdHtBase = 0xfd00000000ULL;
constexpr u64 kAmdHtSize = 0x300000000ULL;

// Measured on QEMU 7.2 (Debian 1:7.2+dfsg-7) + SeaBIOS 1.16.2, -m 8..3600, TCG and KVM, -smp 1 and 8:
//
//   -machine pc:  [0x100000, ram-0x20000) usable, [ram-0x20000, ram) reserved;
//                 RAM >= 3584 MiB (0xe0000000) is split: 3 GiB below 4 GiB, the rest from 4 GiB.
//   -machine q35: [0x100000, ram-0x21000) usable, [ram-0x21000, ram) reserved;
//                 0xb0000000-0xc0000000 reserved (PCIe MMCONFIG, SeaBIOS src/fw/pciinit.c),
//                 0xfed1c000-0xfed20000 reserved (ICH9 RCBA, same file);
//                 RAM >= 2816 MiB (0xb0000000) is split: 2 GiB below 4 GiB, the rest from 4 GiB.
//
// The top reservation is what SeaBIOS's ZoneHigh still holds after malloc_prepboot() gives the unused
// part back (src/malloc.c): QEMU's ACPI tables (padded to 128 KiB), plus SMBIOS etc. on q35. It did not
// change with the RAM size or the CPU count in these measurements.
const PcChipsetFacts kI440fxFacts{
    /*split_threshold=*/0xe0000000ULL,
    /*lowmem_when_split=*/0xc0000000ULL,
    /*top_reserved=*/0x20000,
    /*fixed_reserved=*/{},
};
const PcChipsetFacts kQ35Facts{
    /*split_threshold=*/0xb0000000ULL,
    /*lowmem_when_split=*/0x80000000ULL,
    /*top_reserved=*/0x21000,
    /*fixed_reserved=*/
    {
        {0xb0000000ULL, 0x10000000ULL, E820Type::Reserved},
        {0xfed1c000ULL, 0x4000, E820Type::Reserved},
    },
};

} // namespace

const PcChipsetFacts& pc_chipset_facts(PcChipset chipset) {
    return chipset == PcChipset::Q35 ? kQ35Facts : kI440fxFacts;
}

std::vector<E820Entry> pc_memory_map(const PcMemoryMapConfig& config) {
    if (config.ram_mib < kMinRamMib || config.ram_mib > kMaxRamMib)
        throw InputError("memory size " + std::to_string(config.ram_mib) +
                         " MiB is outside the supported range " + std::to_string(kMinRamMib) + "-" +
                         std::to_string(kMaxRamMib) + " MiB");
    const PcChipsetFacts& f = pc_chipset_facts(config.chipset);
    const u64 ram = config.ram_mib * MiB;
    const u64 below_4g = ram >= f.split_threshold ? f.lowmem_when_split : ram;
    const u64 above_4g = ram - below_4g;

    std::vector<E820Entry> map{
        {0, kEbdaBase, E820Type::Usable},
        {kEbdaBase, kLowRamEnd - kEbdaBase, E820Type::Reserved},
        {kBiosBase, kHighRamBase - kBiosBase, E820Type::Reserved},
        {kHighRamBase, below_4g - f.top_reserved - kHighRamBase, E820Type::Usable},
        {below_4g - f.top_reserved, f.top_reserved, E820Type::Reserved},
        {kBiosFlashBase, kFourGiB - kBiosFlashBase, E820Type::Reserved},
    };
    map.insert(map.end(), f.fixed_reserved.begin(), f.fixed_reserved.end());
    if (config.kvm) map.push_back({kKvmIdentityBase, kKvmIdentitySize, E820Type::Reserved});
    if (above_4g > 0) map.push_back({kFourGiB, above_4g, E820Type::Usable});
    if (config.amd_ht_hole) map.push_back({kAmdHtBase, kAmdHtSize, E820Type::Reserved});
    std::sort(map.begin(), map.end(), [](const E820Entry& a, const E820Entry& b) { return a.base < b.base; });
    return map;
}

u32 mem_lower_kib(const std::vector<E820Entry>& map) {
    for (const E820Entry& e : map)
        if (e.type == E820Type::Usable && e.base == 0)
            return static_cast<u32>(std::min<u64>(e.length, 640 * KiB) / KiB);
    return 0;
}

u32 mem_upper_kib(const std::vector<E820Entry>& map) {
    // Extend [1 MiB, top) through any usable entry below 4 GiB that contains `top`; restart after each
    // extension because the map need not be sorted.
    u64 top = kHighRamBase;
    for (bool grown = true; grown;) {
        grown = false;
        for (const E820Entry& e : map) {
            if (e.type != E820Type::Usable || e.base >= kFourGiB) continue;
            const u64 end = std::min(e.base + std::min(e.length, kFourGiB), kFourGiB);
            if (e.base <= top && top < end) {
                top = end;
                grown = true;
            }
        }
    }
    return static_cast<u32>((top - kHighRamBase) / KiB);
}

const char* e820_type_name(E820Type type) {
    switch (type) {
    case E820Type::Usable: return "usable";
    case E820Type::Reserved: return "reserved";
    case E820Type::AcpiReclaimable: return "ACPI data";
    case E820Type::AcpiNvs: return "ACPI NVS";
    case E820Type::Unusable: return "unusable";
    }
    return "unknown";
}

std::string format_e820(const std::vector<E820Entry>& map) {
    std::string out;
    for (const E820Entry& e : map) {
        char line[96];
        const u64 last = e.length == 0 ? e.base : e.base + e.length - 1;
        std::snprintf(line, sizeof line, "[mem 0x%016" PRIx64 "-0x%016" PRIx64 "] %s\n", e.base, last,
                      e820_type_name(e.type));
        out += line;
    }
    return out;
}

} // namespace smpsim::platform
