// Builds small ELF32/ELF64 executables in memory for the platform tests.
// Layout: ELF header, program headers, segment data (16-byte aligned, in order), then (when there are
// symbols) .symtab, .strtab and a section header table [null, .symtab, .strtab].
#pragma once
#include "sim/core/types.h"

#include <string>
#include <vector>

namespace smpsim::platform::test {

struct SegSpec {
    u64 vaddr = 0;
    u64 paddr = 0;
    std::vector<u8> data; // file bytes (filesz = data.size())
    u64 memsz = 0;        // 0 means data.size()
    u32 flags = 5;        // R|X
    u32 type = 1;         // PT_LOAD
};

struct SymSpec {
    std::string name;
    u64 value = 0;
    u64 size = 0;
    u8 type = 2;   // STT_FUNC; 1 = STT_OBJECT, 0 = STT_NOTYPE
    u16 shndx = 1; // 0 = undefined
};

struct ElfSpec {
    bool is64 = false;
    u16 machine = 3; // EM_386
    u16 type = 2;    // ET_EXEC
    u64 entry = 0;
    std::vector<SegSpec> segments;
    std::vector<SymSpec> symbols;
};

struct BuiltElf {
    std::vector<u8> bytes;
    u64 phoff = 0;
    u64 phentsize = 0;
    std::vector<u64> seg_offsets;
    u64 shoff = 0; // 0 when there is no section table
    u64 shentsize = 0;
    u64 symtab_off = 0;
    u64 strtab_off = 0;
    u64 strtab_size = 0;
};

inline void put_le(std::vector<u8>& b, u64 off, u64 v, int n) {
    if (b.size() < off + n) b.resize(off + n);
    for (int i = 0; i < n; ++i)
        b[off + i] = static_cast<u8>(v >> (8 * i));
}

inline u64 align16(u64 v) {
    return (v + 15) & ~u64{15};
}

inline BuiltElf build_elf(const ElfSpec& s) {
    BuiltElf out;
    std::vector<u8>& b = out.bytes;
    const bool w = s.is64;
    const u64 ehsize = w ? 64 : 52, phsize = w ? 56 : 32, shsize = w ? 64 : 40, symsize = w ? 24 : 16;
    b.assign(ehsize, 0);
    b[0] = 0x7f, b[1] = 'E', b[2] = 'L', b[3] = 'F';
    b[4] = w ? 2 : 1, b[5] = 1, b[6] = 1;
    put_le(b, 16, s.type, 2);
    put_le(b, 18, s.machine, 2);
    put_le(b, 20, 1, 4);
    put_le(b, 24, s.entry, w ? 8 : 4);
    out.phoff = ehsize;
    out.phentsize = phsize;
    const u64 tail = w ? 52 : 40;
    put_le(b, tail, ehsize, 2);
    put_le(b, tail + 2, phsize, 2);
    put_le(b, tail + 4, s.segments.size(), 2);
    put_le(b, w ? 32 : 28, out.phoff, w ? 8 : 4);

    u64 off = align16(ehsize + phsize * s.segments.size());
    b.resize(off, 0);
    for (size_t i = 0; i < s.segments.size(); ++i) {
        const SegSpec& g = s.segments[i];
        out.seg_offsets.push_back(off);
        b.insert(b.end(), g.data.begin(), g.data.end());
        const u64 p = out.phoff + i * phsize;
        const u64 memsz = g.memsz ? g.memsz : g.data.size();
        put_le(b, p, g.type, 4);
        if (w) {
            put_le(b, p + 4, g.flags, 4);
            put_le(b, p + 8, off, 8);
            put_le(b, p + 16, g.vaddr, 8);
            put_le(b, p + 24, g.paddr, 8);
            put_le(b, p + 32, g.data.size(), 8);
            put_le(b, p + 40, memsz, 8);
            put_le(b, p + 48, 16, 8);
        } else {
            put_le(b, p + 4, off, 4);
            put_le(b, p + 8, g.vaddr, 4);
            put_le(b, p + 12, g.paddr, 4);
            put_le(b, p + 16, g.data.size(), 4);
            put_le(b, p + 20, memsz, 4);
            put_le(b, p + 24, g.flags, 4);
            put_le(b, p + 28, 16, 4);
        }
        off = align16(off + g.data.size());
        b.resize(off, 0);
    }

    if (s.symbols.empty()) return out;

    // String table: "\0name1\0name2\0..."
    std::vector<u8> strtab{0};
    std::vector<u64> name_off;
    for (const SymSpec& y : s.symbols) {
        name_off.push_back(strtab.size());
        strtab.insert(strtab.end(), y.name.begin(), y.name.end());
        strtab.push_back(0);
    }
    out.symtab_off = off;
    b.resize(off + symsize * (s.symbols.size() + 1), 0); // entry 0 is the null symbol
    for (size_t i = 0; i < s.symbols.size(); ++i) {
        const SymSpec& y = s.symbols[i];
        const u64 p = off + symsize * (i + 1);
        const u8 info = static_cast<u8>((1 << 4) | y.type); // STB_GLOBAL
        put_le(b, p, name_off[i], 4);
        if (w) {
            b[p + 4] = info;
            put_le(b, p + 6, y.shndx, 2);
            put_le(b, p + 8, y.value, 8);
            put_le(b, p + 16, y.size, 8);
        } else {
            put_le(b, p + 4, y.value, 4);
            put_le(b, p + 8, y.size, 4);
            b[p + 12] = info;
            put_le(b, p + 14, y.shndx, 2);
        }
    }
    const u64 symtab_size = symsize * (s.symbols.size() + 1);
    off = off + symtab_size;
    out.strtab_off = off;
    out.strtab_size = strtab.size();
    b.insert(b.end(), strtab.begin(), strtab.end());
    off = align16(off + strtab.size());
    b.resize(off, 0);

    out.shoff = off;
    out.shentsize = shsize;
    b.resize(off + 3 * shsize, 0);
    auto section = [&](int idx, u32 type, u64 offset, u64 size, u32 link, u64 entsize) {
        const u64 p = off + idx * shsize;
        put_le(b, p + 4, type, 4);
        if (w) {
            put_le(b, p + 24, offset, 8);
            put_le(b, p + 32, size, 8);
            put_le(b, p + 40, link, 4);
            put_le(b, p + 56, entsize, 8);
        } else {
            put_le(b, p + 16, offset, 4);
            put_le(b, p + 20, size, 4);
            put_le(b, p + 24, link, 4);
            put_le(b, p + 36, entsize, 4);
        }
    };
    section(1, 2, out.symtab_off, symtab_size, 2, symsize); // .symtab -> .strtab
    section(2, 3, out.strtab_off, strtab.size(), 0, 0);     // .strtab
    put_le(b, w ? 40 : 32, out.shoff, w ? 8 : 4);
    put_le(b, tail + 6, shsize, 2);
    put_le(b, tail + 8, 3, 2);
    return out;
}

// A multiboot v1 header (12 bytes, or 32 with the a.out address fields).
inline std::vector<u8> multiboot_header(u32 flags, std::vector<u32> address_fields = {}) {
    std::vector<u8> h;
    put_le(h, 0, 0x1BADB002, 4);
    put_le(h, 4, flags, 4);
    put_le(h, 8, static_cast<u32>(0u - 0x1BADB002u - flags), 4);
    for (size_t i = 0; i < address_fields.size(); ++i)
        put_le(h, 12 + 4 * i, address_fields[i], 4);
    return h;
}

} // namespace smpsim::platform::test
