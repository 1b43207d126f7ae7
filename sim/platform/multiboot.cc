#include "sim/platform/multiboot.h"

#include "sim/core/error.h"
#include "sim/platform/elf_image.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstring>

namespace smpsim::platform::multiboot {
namespace {

constexpr u64 kFourGiB = 0x100000000ULL;
constexpr u64 kPage = 4096;

std::string hex(u64 v) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%" PRIx64, v);
    return buf;
}

std::string range(u64 base, u64 end) {
    return hex(base) + "-" + hex(end);
}

u32 get32(std::span<const u8> b, u64 off) {
    return static_cast<u32>(b[off]) | (static_cast<u32>(b[off + 1]) << 8) |
           (static_cast<u32>(b[off + 2]) << 16) | (static_cast<u32>(b[off + 3]) << 24);
}

void put32(std::span<u8> ram, u64 addr, u32 v) {
    for (int i = 0; i < 4; ++i)
        ram[addr + i] = static_cast<u8>(v >> (8 * i));
}

void put64(std::span<u8> ram, u64 addr, u64 v) {
    put32(ram, addr, static_cast<u32>(v));
    put32(ram, addr + 4, static_cast<u32>(v >> 32));
}

u64 page_align(u64 v) {
    return (v + kPage - 1) & ~(kPage - 1);
}

// One piece of the image: file bytes copied to paddr, then zeroes up to memsz.
struct Piece {
    std::string what;
    u64 paddr = 0;
    std::span<const u8> data;
    u64 memsz = 0;
};

bool overlaps(u64 a, u64 a_end, u64 b, u64 b_end) {
    return a < b_end && b < a_end;
}

} // namespace

std::optional<Header> find_header(std::span<const u8> bytes, const std::string& name) {
    const u64 end = std::min<u64>(bytes.size(), kSearchLimit);
    for (u64 off = 0; off + 12 <= end; off += 4) {
        if (get32(bytes, off) != kHeaderMagic) continue;
        Header h;
        h.offset = static_cast<u32>(off);
        h.flags = get32(bytes, off + 4);
        h.checksum = get32(bytes, off + 8);
        if (static_cast<u32>(kHeaderMagic + h.flags + h.checksum) != 0) continue;
        if (h.has_address_fields()) {
            if (off + 32 > end)
                throw InputError(
                    name + ": multiboot header at offset " + hex(off) +
                    " sets the address-fields flag (bit 16) but its address fields are not within "
                    "the first 8192 bytes of the file");
            h.header_addr = get32(bytes, off + 12);
            h.load_addr = get32(bytes, off + 16);
            h.load_end_addr = get32(bytes, off + 20);
            h.bss_end_addr = get32(bytes, off + 24);
            h.entry_addr = get32(bytes, off + 28);
        }
        return h;
    }
    return std::nullopt;
}

LoadResult load(std::span<const u8> kernel, const std::string& name, std::span<u8> ram,
                const LoadOptions& options) {
    auto fail = [&name](const std::string& problem) -> InputError {
        return InputError(name + ": " + problem);
    };

    const std::optional<Header> found = find_header(kernel, name);
    if (!found)
        throw fail(
            "not a multiboot kernel (no multiboot header with a valid checksum in the first 8192 bytes)");
    LoadResult res;
    res.header = *found;
    const Header& h = res.header;

    // 1. What goes where.
    std::vector<Piece> pieces;
    u64 low = 0, high = 0; // extent of the image, QEMU's elf_low/elf_high or load_addr/bss_end_addr
    u64 entry = 0;
    if (h.has_address_fields()) {
        res.aout_kludge = true;
        if (h.header_addr < h.load_addr)
            throw fail("multiboot header_addr " + hex(h.header_addr) + " is below load_addr " +
                       hex(h.load_addr));
        const u64 delta = static_cast<u64>(h.header_addr) - h.load_addr;
        if (delta > h.offset)
            throw fail("multiboot load_addr " + hex(h.load_addr) + " would start " + hex(delta - h.offset) +
                       " bytes before the beginning of the file");
        const u64 text_offset = h.offset - delta;
        u64 load_size;
        if (h.load_end_addr != 0) {
            if (h.load_end_addr < h.load_addr)
                throw fail("multiboot load_end_addr " + hex(h.load_end_addr) + " is below load_addr " +
                           hex(h.load_addr));
            load_size = static_cast<u64>(h.load_end_addr) - h.load_addr;
            if (load_size > kernel.size() - text_offset)
                throw fail("multiboot load range " + range(h.load_addr, h.load_end_addr) +
                           " needs more bytes than the file has after offset " + hex(text_offset));
        } else {
            load_size = kernel.size() - text_offset;
        }
        u64 mem_size = load_size;
        if (h.bss_end_addr != 0) {
            if (h.bss_end_addr < h.load_addr + load_size)
                throw fail("multiboot bss_end_addr " + hex(h.bss_end_addr) +
                           " is below the end of the loaded data " + hex(h.load_addr + load_size));
            mem_size = static_cast<u64>(h.bss_end_addr) - h.load_addr;
        }
        low = h.load_addr;
        high = low + mem_size;
        if (high > kFourGiB) throw fail("multiboot image " + range(low, high) + " extends past 4 GiB");
        pieces.push_back({"image", low, kernel.subspan(text_offset, load_size), mem_size});
        entry = h.entry_addr;
    } else {
        const ElfImage elf = ElfImage::parse(kernel, name);
        res.elf64 = elf.is_64bit();
        entry = elf.entry();
        low = ~u64{0};
        for (const ElfSegment& s : elf.load_segments()) {
            const std::string what = "segment " + std::to_string(s.index);
            if (s.paddr >= kFourGiB || s.memsz > kFourGiB - s.paddr)
                throw fail(what + ": physical range " + range(s.paddr, s.paddr + s.memsz) +
                           " is not below 4 GiB");
            // As QEMU's ELF loader: e_entry is virtual; translate it when it lies in an executable
            // segment whose physical and virtual addresses differ.
            if (s.vaddr != s.paddr && (s.flags & kPfX) && elf.entry() >= s.vaddr &&
                elf.entry() - s.vaddr < s.filesz)
                entry = elf.entry() - s.vaddr + s.paddr;
            low = std::min(low, s.paddr);
            high = std::max(high, s.paddr + s.memsz);
            if (s.memsz > 0) pieces.push_back({what, s.paddr, kernel.subspan(s.offset, s.filesz), s.memsz});
        }
        std::sort(pieces.begin(), pieces.end(),
                  [](const Piece& a, const Piece& b) { return a.paddr < b.paddr; });
        for (size_t i = 1; i < pieces.size(); ++i) {
            const Piece& a = pieces[i - 1];
            const Piece& b = pieces[i];
            if (overlaps(a.paddr, a.paddr + a.memsz, b.paddr, b.paddr + b.memsz))
                throw fail(a.what + " and " + b.what + " overlap in physical memory (" +
                           range(a.paddr, a.paddr + a.memsz) + " and " + range(b.paddr, b.paddr + b.memsz) +
                           ")");
        }
    }
    if (entry >= kFourGiB) throw fail("entry point " + hex(entry) + " is not below 4 GiB");
    const bool entry_loaded = std::any_of(pieces.begin(), pieces.end(), [entry](const Piece& p) {
        return entry >= p.paddr && entry - p.paddr < p.memsz;
    });
    if (!entry_loaded) throw fail("entry point " + hex(entry) + " is not inside the loaded image");

    // 2. The strings after the image, as QEMU lays them out (mods area of 0 entries, then the command
    // line, then the boot loader name, all in one page-aligned block starting at `low`).
    auto check_string = [&](const std::string& s, const char* what) {
        if (s.find('\0') != std::string::npos) throw fail(std::string(what) + " contains a NUL byte");
    };
    check_string(options.kernel_name, "kernel name");
    check_string(options.cmdline, "command line");
    check_string(options.boot_loader_name, "boot loader name");
    const std::string cmdline = options.kernel_name + " " + options.cmdline;
    const u64 cmdline_addr = low + page_align(high - low);
    const u64 loader_addr = cmdline_addr + cmdline.size() + 1;
    const u64 blob_end =
        low + page_align(page_align(high - low) + cmdline.size() + 1 + options.boot_loader_name.size() + 1);

    // 3. Everything written must be guest RAM that the map calls usable, and clear of the boot info.
    const auto& map = options.memory_map;
    if (map.empty()) throw fail("no memory map to load into");
    if (map.size() > kMaxMmapEntries)
        throw fail("memory map has " + std::to_string(map.size()) + " entries; at most " +
                   std::to_string(kMaxMmapEntries) + " fit below the boot information");
    if (ram.size() < kMbiAddr + kMbiSize)
        throw fail("guest RAM of " + std::to_string(ram.size()) + " bytes is too small");
    if (blob_end > kFourGiB)
        throw fail("image and command line " + range(low, blob_end) + " extend past 4 GiB");
    const bool in_usable = std::any_of(map.begin(), map.end(), [&](const E820Entry& e) {
        return e.type == E820Type::Usable && e.base <= low && blob_end <= e.end();
    });
    if (!in_usable || blob_end > ram.size())
        throw fail("image and command line " + range(low, blob_end) +
                   " do not fit in one usable RAM range of the memory map (guest RAM ends at " +
                   hex(ram.size()) + "; 0x9fc00-0x100000 is never usable)");
    if (overlaps(low, blob_end, kMmapAddr, kMbiAddr + kMbiSize))
        throw fail("image " + range(low, blob_end) + " overlaps the multiboot information at " +
                   range(kMmapAddr, kMbiAddr + kMbiSize));

    // 4. Write the image block: zeroes, segments, strings.
    std::fill(ram.begin() + static_cast<std::ptrdiff_t>(low),
              ram.begin() + static_cast<std::ptrdiff_t>(blob_end), u8{0});
    for (const Piece& p : pieces)
        if (!p.data.empty()) std::memcpy(ram.data() + p.paddr, p.data.data(), p.data.size());
    std::memcpy(ram.data() + cmdline_addr, cmdline.c_str(), cmdline.size() + 1);
    std::memcpy(ram.data() + loader_addr, options.boot_loader_name.c_str(),
                options.boot_loader_name.size() + 1);

    // 5. The e820 map and the information structure.
    u64 at = kMmapAddr;
    for (const E820Entry& e : map) {
        put32(ram, at, kMmapEntrySize - 4);
        put64(ram, at + 4, e.base);
        put64(ram, at + 12, e.length);
        put32(ram, at + 20, static_cast<u32>(e.type));
        at += kMmapEntrySize;
    }
    std::fill(ram.begin() + kMbiAddr, ram.begin() + kMbiAddr + kMbiSize, u8{0});
    put32(ram, kMbiAddr + kMbiFlags,
          kInfoMemory | kInfoBootDevice | kInfoCmdline | kInfoMods | kInfoMmap | kInfoBootLoaderName);
    put32(ram, kMbiAddr + kMbiMemLower, mem_lower_kib(map));
    put32(ram, kMbiAddr + kMbiMemUpper, mem_upper_kib(map));
    put32(ram, kMbiAddr + kMbiBootDevice, kBootDevice);
    put32(ram, kMbiAddr + kMbiCmdline, static_cast<u32>(cmdline_addr));
    put32(ram, kMbiAddr + kMbiModsCount, 0);
    put32(ram, kMbiAddr + kMbiModsAddr, static_cast<u32>(cmdline_addr));
    put32(ram, kMbiAddr + kMbiMmapLength, static_cast<u32>(map.size() * kMmapEntrySize));
    put32(ram, kMbiAddr + kMbiMmapAddr, kMmapAddr);
    put32(ram, kMbiAddr + kMbiBootLoaderName, static_cast<u32>(loader_addr));

    res.entry = static_cast<u32>(entry);
    res.mbi_addr = kMbiAddr;
    res.kernel_start = static_cast<u32>(low);
    res.kernel_end = static_cast<u32>(high);
    res.cmdline_addr = static_cast<u32>(cmdline_addr);
    res.boot_loader_name_addr = static_cast<u32>(loader_addr);
    return res;
}

} // namespace smpsim::platform::multiboot
