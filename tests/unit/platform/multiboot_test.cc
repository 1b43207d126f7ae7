#include "sim/platform/multiboot.h"

#include "sim/core/error.h"
#include "sim/platform/elf_image.h"
#include "tests/unit/platform/elf_builder.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>
#include <random>

namespace smpsim::platform {
namespace {

using test::build_elf;
using test::ElfSpec;
using test::multiboot_header;
using test::put_le;
using test::SegSpec;
using ::testing::HasSubstr;
namespace mb = multiboot;

constexpr u64 MiB = 1024 * 1024;

u32 rd32(const std::vector<u8>& ram, u64 a) {
    u32 v;
    std::memcpy(&v, ram.data() + a, 4);
    return v;
}
u64 rd64(const std::vector<u8>& ram, u64 a) {
    u64 v;
    std::memcpy(&v, ram.data() + a, 8);
    return v;
}
std::string rdstr(const std::vector<u8>& ram, u64 a) {
    return reinterpret_cast<const char*>(ram.data() + a);
}

mb::LoadOptions options_for(u64 ram_mib, std::string cmdline = "console=ttyS0") {
    mb::LoadOptions o;
    o.kernel_name = "guest.elf";
    o.cmdline = std::move(cmdline);
    o.memory_map = pc_memory_map({.ram_mib = ram_mib});
    return o;
}

// A multiboot ELF kernel: text at 0x100000 starting with the multiboot header, data + bss at 0x102000.
ElfSpec kernel_spec(bool is64) {
    ElfSpec s;
    s.is64 = is64;
    s.machine = is64 ? kEmX86_64 : kEmI386;
    s.entry = 0x100020;
    SegSpec text;
    text.vaddr = text.paddr = 0x100000;
    text.data = multiboot_header(mb::kFlagPageAlign | mb::kFlagMemoryInfo);
    text.data.resize(0x40, 0xf4); // hlt
    SegSpec data;
    data.vaddr = data.paddr = 0x102000;
    data.data = {0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4};
    data.memsz = 0x1800;
    data.flags = kPfR | kPfW;
    s.segments = {text, data};
    return s;
}

std::string load_error(const std::vector<u8>& kernel, std::vector<u8>& ram, const mb::LoadOptions& o) {
    try {
        mb::load(kernel, "guest.elf", ram, o);
    } catch (const InputError& e) {
        return e.what();
    }
    return "";
}

// ---- header search --------------------------------------------------------------------------------

TEST(MultibootHeader, FoundAtAlignedOffsets) {
    std::vector<u8> file(12000, 0);
    const auto h = multiboot_header(0x3);
    std::copy(h.begin(), h.end(), file.begin() + 0x1000);
    const auto found = mb::find_header(file);
    ASSERT_TRUE(found);
    EXPECT_EQ(found->offset, 0x1000u);
    EXPECT_EQ(found->flags, 0x3u);
    EXPECT_EQ(found->checksum, 0u - 0x1BADB002u - 3u);
    EXPECT_FALSE(found->has_address_fields());
    // The last place a 12-byte header fits in the first 8192 bytes.
    std::vector<u8> edge(8192, 0);
    std::copy(h.begin(), h.end(), edge.begin() + 8180);
    ASSERT_TRUE(mb::find_header(edge));
    EXPECT_EQ(mb::find_header(edge)->offset, 8180u);
}

TEST(MultibootHeader, NotFound) {
    EXPECT_FALSE(mb::find_header({}));
    const auto h = multiboot_header(0);
    std::vector<u8> file(12000, 0);
    std::copy(h.begin(), h.end(), file.begin() + 8192); // beyond the search window
    EXPECT_FALSE(mb::find_header(file));
    std::vector<u8> misaligned(100, 0);
    std::copy(h.begin(), h.end(), misaligned.begin() + 2);
    EXPECT_FALSE(mb::find_header(misaligned));
    std::vector<u8> tail(10, 0); // magic without room for flags + checksum
    put_le(tail, 0, mb::kHeaderMagic, 4);
    EXPECT_FALSE(mb::find_header(tail));
}

TEST(MultibootHeader, BadChecksumIsSkipped) {
    std::vector<u8> file(256, 0);
    auto bad = multiboot_header(0x3);
    bad[8] ^= 1;
    std::copy(bad.begin(), bad.end(), file.begin() + 16);
    EXPECT_FALSE(mb::find_header(file));
    const auto good = multiboot_header(0x2);
    std::copy(good.begin(), good.end(), file.begin() + 64);
    ASSERT_TRUE(mb::find_header(file));
    EXPECT_EQ(mb::find_header(file)->offset, 64u);
    EXPECT_EQ(mb::find_header(file)->flags, 0x2u);
}

TEST(MultibootHeader, AddressFields) {
    std::vector<u8> file(64, 0);
    const auto h = multiboot_header(mb::kFlagAoutKludge, {0x200010, 0x200000, 0x200100, 0x201000, 0x200020});
    std::copy(h.begin(), h.end(), file.begin() + 16);
    const auto found = mb::find_header(file);
    ASSERT_TRUE(found);
    EXPECT_TRUE(found->has_address_fields());
    EXPECT_EQ(found->header_addr, 0x200010u);
    EXPECT_EQ(found->load_addr, 0x200000u);
    EXPECT_EQ(found->load_end_addr, 0x200100u);
    EXPECT_EQ(found->bss_end_addr, 0x201000u);
    EXPECT_EQ(found->entry_addr, 0x200020u);
    // Address fields cut off by the end of the file.
    std::vector<u8> cut(file.begin(), file.begin() + 40);
    EXPECT_THROW(mb::find_header(cut, "k"), InputError);
    try {
        mb::find_header(cut, "k");
    } catch (const InputError& e) {
        EXPECT_THAT(e.what(), HasSubstr("k: multiboot header at offset 0x10 sets the address-fields flag"));
    }
}

// ---- ELF loading ----------------------------------------------------------------------------------

TEST(MultibootLoad, ElfSegmentsBssAndInfo) {
    const auto kernel = build_elf(kernel_spec(false)).bytes;
    std::vector<u8> ram(128 * MiB, 0xaa);
    const auto opts = options_for(128);
    const mb::LoadResult r = mb::load(kernel, "guest.elf", ram, opts);

    EXPECT_FALSE(r.aout_kludge);
    EXPECT_FALSE(r.elf64);
    EXPECT_EQ(r.entry, 0x100020u);
    EXPECT_EQ(r.mbi_addr, 0x9500u);
    EXPECT_EQ(r.kernel_start, 0x100000u);
    EXPECT_EQ(r.kernel_end, 0x103800u);

    // Segments at their physical addresses, bss and the gap between segments zeroed.
    EXPECT_EQ(rd32(ram, 0x100000), mb::kHeaderMagic);
    EXPECT_EQ(ram[0x10003f], 0xf4);
    EXPECT_EQ(ram[0x100040], 0); // gap up to the data segment
    EXPECT_EQ(ram[0x101fff], 0);
    EXPECT_EQ(rd32(ram, 0x102000), 0xefbeaddeu);
    EXPECT_EQ(ram[0x102008], 0); // bss
    EXPECT_EQ(ram[0x1037ff], 0);
    EXPECT_EQ(ram[0xfffff], 0xaa); // below the image: untouched

    // The information structure.
    const u32 mbi = r.mbi_addr;
    EXPECT_EQ(rd32(ram, mbi + 0), 0x24fu); // mem, boot device, cmdline, mods, mmap, loader name (as QEMU)
    EXPECT_EQ(rd32(ram, mbi + 4), 639u);
    EXPECT_EQ(rd32(ram, mbi + 8), 129920u); // QEMU 7.2 -m 128 -machine pc
    EXPECT_EQ(rd32(ram, mbi + 12), 0x8000ffffu);
    EXPECT_EQ(rd32(ram, mbi + 16), 0x104000u); // page after the image
    EXPECT_EQ(rdstr(ram, 0x104000), "guest.elf console=ttyS0");
    EXPECT_EQ(rd32(ram, mbi + 20), 0u);        // mods_count
    EXPECT_EQ(rd32(ram, mbi + 24), 0x104000u); // mods_addr
    for (u32 off = 28; off < 44; off += 4)
        EXPECT_EQ(rd32(ram, mbi + off), 0u);
    EXPECT_EQ(rd32(ram, mbi + 44), 7u * 24);
    EXPECT_EQ(rd32(ram, mbi + 48), 0x9000u);
    EXPECT_EQ(rd32(ram, mbi + 64), 0x104000u + 24);
    EXPECT_EQ(rdstr(ram, 0x104000 + 24), "qemu");
    EXPECT_EQ(r.cmdline_addr, 0x104000u);
    EXPECT_EQ(r.boot_loader_name_addr, 0x104018u);
    for (u32 off = 68; off < 88; off += 4)
        EXPECT_EQ(rd32(ram, mbi + off), 0u);

    // The mmap entries are the e820 map.
    const auto& map = opts.memory_map;
    ASSERT_EQ(map.size(), 7u);
    for (size_t i = 0; i < map.size(); ++i) {
        const u64 e = 0x9000 + 24 * i;
        EXPECT_EQ(rd32(ram, e), 20u);
        EXPECT_EQ(rd64(ram, e + 4), map[i].base);
        EXPECT_EQ(rd64(ram, e + 12), map[i].length);
        EXPECT_EQ(rd32(ram, e + 20), static_cast<u32>(map[i].type));
    }
}

// Same layout as the probe kernel measured on QEMU 7.2 (-kernel probe.elf -append "hello world"):
// image 0x100000-0x1046b0 gave cmdline "probe.elf hello world" at 0x105000 and "qemu" at 0x105016.
TEST(MultibootLoad, StringPlacementMatchesQemu) {
    ElfSpec s = kernel_spec(false);
    s.segments[1].data.clear();
    s.segments[1].paddr = s.segments[1].vaddr = 0x100040;
    s.segments[1].memsz = 0x46b0 - 0x40;
    const auto kernel = build_elf(s).bytes;
    std::vector<u8> ram(128 * MiB, 0);
    mb::LoadOptions o = options_for(128, "hello world");
    o.kernel_name = "probe.elf";
    const auto r = mb::load(kernel, "probe.elf", ram, o);
    EXPECT_EQ(r.cmdline_addr, 0x105000u);
    EXPECT_EQ(rdstr(ram, 0x105000), "probe.elf hello world");
    EXPECT_EQ(r.boot_loader_name_addr, 0x105016u);
    // An empty -append still gives "<name> " as on QEMU.
    o.cmdline.clear();
    mb::load(kernel, "probe.elf", ram, o);
    EXPECT_EQ(rdstr(ram, 0x105000), "probe.elf ");
    EXPECT_EQ(rd32(ram, 0x9500 + 64), 0x10500bu);
}

TEST(MultibootLoad, Elf64KernelAndEntryTranslation) {
    ElfSpec s = kernel_spec(true);
    auto kernel = build_elf(s).bytes;
    std::vector<u8> ram(16 * MiB, 0);
    auto r = mb::load(kernel, "guest.elf", ram, options_for(16));
    EXPECT_TRUE(r.elf64);
    EXPECT_EQ(r.entry, 0x100020u);
    EXPECT_EQ(rd32(ram, 0x9500 + 8), 15232u); // QEMU 7.2 -m 16: mem_upper

    // A higher-half kernel: e_entry is virtual and lies in an executable segment whose paddr differs.
    s.segments[0].vaddr = 0xffffffff80100000ULL;
    s.entry = 0xffffffff80100020ULL;
    kernel = build_elf(s).bytes;
    r = mb::load(kernel, "guest.elf", ram, options_for(16));
    EXPECT_EQ(r.entry, 0x100020u);
}

// ---- a.out kludge -------------------------------------------------------------------------------

// A flat binary loaded at 0x200000 whose header sits at file offset 0x40.
std::vector<u8> flat_kernel(u32 load_end, u32 bss_end, u32 header_addr = 0x200040, u32 load_addr = 0x200000) {
    std::vector<u8> k(0x300);
    for (size_t i = 0; i < k.size(); ++i)
        k[i] = static_cast<u8>(i * 7 + 1);
    const auto h = multiboot_header(mb::kFlagAoutKludge | mb::kFlagMemoryInfo,
                                    {header_addr, load_addr, load_end, bss_end, 0x200080});
    std::copy(h.begin(), h.end(), k.begin() + 0x40);
    return k;
}

TEST(MultibootLoad, AoutKludge) {
    const auto k = flat_kernel(0x200200, 0x201000);
    std::vector<u8> ram(16 * MiB, 0xaa);
    const auto r = mb::load(k, "flat.bin", ram, options_for(16));
    EXPECT_TRUE(r.aout_kludge);
    EXPECT_EQ(r.entry, 0x200080u);
    EXPECT_EQ(r.kernel_start, 0x200000u);
    EXPECT_EQ(r.kernel_end, 0x201000u);
    EXPECT_EQ(0, std::memcmp(ram.data() + 0x200000, k.data(), 0x200));
    EXPECT_EQ(ram[0x200200], 0); // bss
    EXPECT_EQ(ram[0x200fff], 0);
    EXPECT_EQ(r.cmdline_addr, 0x201000u);
    EXPECT_EQ(rdstr(ram, 0x201000), "guest.elf console=ttyS0");

    // load_end_addr = 0: the rest of the file; bss_end_addr = 0: no bss.
    const auto whole = flat_kernel(0, 0);
    std::fill(ram.begin(), ram.end(), 0xaa);
    const auto r2 = mb::load(whole, "flat.bin", ram, options_for(16));
    EXPECT_EQ(r2.kernel_end, 0x200300u);
    EXPECT_EQ(0, std::memcmp(ram.data() + 0x200000, whole.data(), whole.size()));
    EXPECT_EQ(r2.cmdline_addr, 0x201000u);

    // The header at offset 0x40 describing itself at 0x200010: loading starts 0x30 into the file.
    const auto shifted = flat_kernel(0, 0, 0x200010);
    const auto r3 = mb::load(shifted, "flat.bin", ram, options_for(16));
    EXPECT_EQ(ram[0x200000], shifted[0x30]);
    EXPECT_EQ(r3.kernel_end, 0x200000u + 0x300 - 0x30);
}

TEST(MultibootLoad, AoutKludgeErrors) {
    std::vector<u8> ram(16 * MiB, 0);
    const auto o = options_for(16);
    EXPECT_THAT(load_error(flat_kernel(0, 0, 0x1ffff0), ram, o),
                HasSubstr("header_addr 0x1ffff0 is below load_addr"));
    EXPECT_THAT(load_error(flat_kernel(0, 0, 0x200100), ram, o),
                HasSubstr("bytes before the beginning of the file"));
    EXPECT_THAT(load_error(flat_kernel(0x1fff00, 0), ram, o),
                HasSubstr("load_end_addr 0x1fff00 is below load_addr"));
    EXPECT_THAT(load_error(flat_kernel(0x200400, 0), ram, o),
                HasSubstr("needs more bytes than the file has"));
    EXPECT_THAT(load_error(flat_kernel(0x200200, 0x200100), ram, o),
                HasSubstr("bss_end_addr 0x200100 is below"));
    EXPECT_THAT(load_error(flat_kernel(0, 0, 0xffffff40, 0xffffff00), ram, o),
                HasSubstr("extends past 4 GiB"));
}

// ---- rejections ---------------------------------------------------------------------------------

TEST(MultibootLoad, Rejections) {
    std::vector<u8> ram(128 * MiB, 0);
    const auto o = options_for(128);
    auto with = [&](auto edit) {
        ElfSpec s = kernel_spec(false);
        edit(s);
        return load_error(build_elf(s).bytes, ram, o);
    };
    // No header / bad checksum.
    EXPECT_EQ(with([](ElfSpec& s) { s.segments[0].data[8] ^= 1; }),
              "guest.elf: not a multiboot kernel (no multiboot header with a valid checksum in the first "
              "8192 bytes)");
    // Into the VGA hole, above RAM, over the boot information.
    EXPECT_THAT(with([](ElfSpec& s) { s.segments[1].paddr = 0xb8000; }),
                HasSubstr("do not fit in one usable RAM range"));
    EXPECT_THAT(with([](ElfSpec& s) { s.segments[1].paddr = 0x9000000; }),
                HasSubstr("do not fit in one usable RAM range"));
    EXPECT_THAT(with([](ElfSpec& s) {
                    s.segments[0].paddr = 0x8000;
                    s.segments[1].paddr = 0x8100;
                    s.entry = 0x8020;
                }),
                HasSubstr("overlaps the multiboot information at 0x9000-0x9558"));
    EXPECT_THAT(with([](ElfSpec& s) { s.segments[1].paddr = 0x100020; }),
                HasSubstr("segment 0 and segment 1 overlap"));
    EXPECT_THAT(with([](ElfSpec& s) { s.entry = 0x200000; }),
                HasSubstr("entry point 0x200000 is not inside the loaded image"));
    EXPECT_THAT(with([](ElfSpec& s) {
                    s.is64 = true;
                    s.machine = kEmX86_64;
                    s.segments[1].paddr = 0x100000000ULL;
                }),
                HasSubstr("segment 1: physical range 0x100000000-0x100001800 is not below 4 GiB"));
    // Not an ELF and no address fields.
    std::vector<u8> raw(64, 0);
    const auto h = multiboot_header(0);
    std::copy(h.begin(), h.end(), raw.begin());
    EXPECT_EQ(load_error(raw, ram, o), "guest.elf: not an ELF file (bad magic)");
    // Strings with NUL bytes; too small a RAM; an empty map.
    auto bad = o;
    bad.cmdline = std::string("a\0b", 3);
    EXPECT_THAT(load_error(build_elf(kernel_spec(false)).bytes, ram, bad),
                HasSubstr("command line contains a NUL byte"));
    std::vector<u8> tiny(0x9000);
    EXPECT_THAT(load_error(build_elf(kernel_spec(false)).bytes, tiny, o),
                HasSubstr("guest RAM of 36864 bytes is too small"));
    auto nomap = o;
    nomap.memory_map.clear();
    EXPECT_THAT(load_error(build_elf(kernel_spec(false)).bytes, ram, nomap), HasSubstr("no memory map"));
}

// Random mutations of a multiboot ELF must load or throw InputError, and never write outside RAM.
TEST(MultibootFuzz, RandomMutationsLoadOrThrowInputError) {
    const std::vector<u8> seeds[2] = {build_elf(kernel_spec(false)).bytes,
                                      build_elf(kernel_spec(true)).bytes};
    std::mt19937_64 rng(7);
    std::vector<u8> ram(8 * MiB, 0);
    const auto o = options_for(8);
    int loaded = 0;
    for (int iter = 0; iter < 3000; ++iter) {
        std::vector<u8> b = seeds[iter & 1];
        const int edits = 1 + static_cast<int>(rng() % 4);
        for (int e = 0; e < edits; ++e) {
            const u64 pos = rng() % b.size();
            if (rng() % 2)
                b[pos] = static_cast<u8>(rng());
            else if (pos + 4 <= b.size())
                put_le(b, pos, rng() % 2 ? 0xffffffffu : static_cast<u32>(rng() % 0x1000000), 4);
        }
        try {
            const auto r = mb::load(b, "fuzz.elf", ram, o);
            ++loaded;
            ASSERT_LT(r.entry, ram.size());
        } catch (const InputError&) {
        }
    }
    EXPECT_GT(loaded, 10);
}

} // namespace
} // namespace smpsim::platform
