#include "sim/platform/pc_memory_map.h"

#include "sim/core/error.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace smpsim::platform {
namespace {

using ::testing::ElementsAre;
constexpr E820Type U = E820Type::Usable;
constexpr E820Type R = E820Type::Reserved;

// Expected values are what QEMU 7.2 + SeaBIOS 1.16.2 put in the multiboot mmap for
// "qemu-system-x86_64 [-machine q35] -m N -kernel probe.elf" (TCG, default CPU).
TEST(PcMemoryMap, I440fx128MiB) {
    const auto map = pc_memory_map({.ram_mib = 128});
    EXPECT_THAT(map, ElementsAre(E820Entry{0, 0x9fc00, U}, E820Entry{0x9fc00, 0x400, R},
                                 E820Entry{0xf0000, 0x10000, R}, E820Entry{0x100000, 0x7ee0000, U},
                                 E820Entry{0x7fe0000, 0x20000, R}, E820Entry{0xfffc0000, 0x40000, R},
                                 E820Entry{0xfd00000000, 0x300000000, R}));
    EXPECT_EQ(mem_lower_kib(map), 639u);
    EXPECT_EQ(mem_upper_kib(map), 129920u);
}

TEST(PcMemoryMap, I440fx256MiB) {
    const auto map = pc_memory_map({.ram_mib = 256});
    EXPECT_THAT(map, ElementsAre(E820Entry{0, 0x9fc00, U}, E820Entry{0x9fc00, 0x400, R},
                                 E820Entry{0xf0000, 0x10000, R}, E820Entry{0x100000, 0xfee0000, U},
                                 E820Entry{0xffe0000, 0x20000, R}, E820Entry{0xfffc0000, 0x40000, R},
                                 E820Entry{0xfd00000000, 0x300000000, R}));
    EXPECT_EQ(mem_lower_kib(map), 639u);
    EXPECT_EQ(mem_upper_kib(map), 260992u);
}

TEST(PcMemoryMap, Q35128And256MiB) {
    const auto m128 = pc_memory_map({.ram_mib = 128, .chipset = PcChipset::Q35});
    EXPECT_THAT(m128, ElementsAre(E820Entry{0, 0x9fc00, U}, E820Entry{0x9fc00, 0x400, R},
                                  E820Entry{0xf0000, 0x10000, R}, E820Entry{0x100000, 0x7edf000, U},
                                  E820Entry{0x7fdf000, 0x21000, R}, E820Entry{0xb0000000, 0x10000000, R},
                                  E820Entry{0xfed1c000, 0x4000, R}, E820Entry{0xfffc0000, 0x40000, R},
                                  E820Entry{0xfd00000000, 0x300000000, R}));
    EXPECT_EQ(mem_upper_kib(m128), 129916u);
    const auto m256 = pc_memory_map({.ram_mib = 256, .chipset = PcChipset::Q35});
    EXPECT_EQ(m256[3], (E820Entry{0x100000, 0xfedf000, U}));
    EXPECT_EQ(m256[4], (E820Entry{0xffdf000, 0x21000, R}));
    EXPECT_EQ(mem_upper_kib(m256), 260988u);
}

TEST(PcMemoryMap, KvmAndAmdHoleOptions) {
    const auto kvm = pc_memory_map({.ram_mib = 128, .kvm = true, .amd_ht_hole = false});
    EXPECT_THAT(kvm, ElementsAre(E820Entry{0, 0x9fc00, U}, E820Entry{0x9fc00, 0x400, R},
                                 E820Entry{0xf0000, 0x10000, R}, E820Entry{0x100000, 0x7ee0000, U},
                                 E820Entry{0x7fe0000, 0x20000, R}, E820Entry{0xfeffc000, 0x4000, R},
                                 E820Entry{0xfffc0000, 0x40000, R}));
}

TEST(PcMemoryMap, RamAbove4GiBWhenSplit) {
    const auto pc = pc_memory_map({.ram_mib = 3584, .amd_ht_hole = false});
    EXPECT_EQ(pc[3], (E820Entry{0x100000, 0xbfee0000, U}));
    EXPECT_EQ(pc.back(), (E820Entry{0x100000000, 0x20000000, U}));
    EXPECT_EQ(mem_upper_kib(pc), 3144576u);
    const auto pc_low = pc_memory_map({.ram_mib = 3583, .amd_ht_hole = false});
    EXPECT_EQ(pc_low[3], (E820Entry{0x100000, 0xdfde0000, U}));
    EXPECT_EQ(pc_low.back(), (E820Entry{0xfffc0000, 0x40000, R}));
    const auto q35 = pc_memory_map({.ram_mib = 2816, .chipset = PcChipset::Q35});
    EXPECT_EQ(q35[3], (E820Entry{0x100000, 0x7fedf000, U}));
    EXPECT_EQ(q35[8], (E820Entry{0x100000000, 0x30000000, U}));
    EXPECT_EQ(mem_upper_kib(q35), 2095996u);
}

TEST(PcMemoryMap, SortedAndNonOverlapping) {
    for (PcChipset c : {PcChipset::I440fx, PcChipset::Q35})
        for (u64 mib : {8, 16, 100, 512, 2048, 2815, 2816, 3000, 3583, 3584, 8192, 65536}) {
            const auto map = pc_memory_map({.ram_mib = mib, .chipset = c, .kvm = true});
            for (size_t i = 1; i < map.size(); ++i)
                EXPECT_LE(map[i - 1].end(), map[i].base) << mib << " MiB";
            u64 usable = 0;
            for (const auto& e : map)
                if (e.type == U) usable += e.length;
            const u64 reserved_top = pc_chipset_facts(c).top_reserved + 0x400;
            EXPECT_EQ(usable + reserved_top, mib * 1024 * 1024 - 0x60000)
                << mib << " MiB"; // minus 0xa0000-0x100000
        }
}

TEST(PcMemoryMap, RejectsUnsupportedSizes) {
    EXPECT_THROW(pc_memory_map({.ram_mib = 4}), InputError);
    EXPECT_THROW(pc_memory_map({.ram_mib = 100000}), InputError);
    try {
        pc_memory_map({.ram_mib = 0});
    } catch (const InputError& e) {
        EXPECT_STREQ(e.what(), "memory size 0 MiB is outside the supported range 8-65536 MiB");
    }
}

TEST(PcMemoryMap, MemUpperFollowsAdjacentUsableEntriesInAnyOrder) {
    const std::vector<E820Entry> map{{0x200000, 0x100000, U},
                                     {0, 0xa0000, U},
                                     {0x100000, 0x100000, U},
                                     {0x300000, 0x1000, R},
                                     {0x301000, 0x100000, U}};
    EXPECT_EQ(mem_upper_kib(map), 2048u);
    EXPECT_EQ(mem_lower_kib(map), 640u);
    EXPECT_EQ(mem_upper_kib({}), 0u);
    EXPECT_EQ(mem_lower_kib({}), 0u);
}

TEST(PcMemoryMap, FormatsLikeLinux) {
    const auto map = pc_memory_map({.ram_mib = 128, .amd_ht_hole = false});
    const std::string text = format_e820(map);
    EXPECT_THAT(text, ::testing::StartsWith("[mem 0x0000000000000000-0x000000000009fbff] usable\n"
                                            "[mem 0x000000000009fc00-0x000000000009ffff] reserved\n"));
    EXPECT_THAT(text, ::testing::HasSubstr("[mem 0x0000000000100000-0x0000000007fdffff] usable\n"));
    EXPECT_STREQ(e820_type_name(E820Type::AcpiNvs), "ACPI NVS");
}

} // namespace
} // namespace smpsim::platform
