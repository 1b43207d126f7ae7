#include "sim/platform/elf_image.h"

#include "sim/core/error.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <limits>

namespace smpsim::platform {
namespace {

constexpr u64 kU64Max = std::numeric_limits<u64>::max();

// Constants from the System V gABI.
constexpr u32 kPtLoad = 1;
constexpr u32 kShtSymtab = 2;
constexpr u32 kShtStrtab = 3;
constexpr u16 kShnUndef = 0;
constexpr u8 kSttObject = 1;
constexpr u8 kSttFunc = 2;
constexpr u16 kPnXnum = 0xffff;

// Sizes of the structures we read, per class.
struct Layout {
    u64 ehdr;
    u64 phdr;
    u64 shdr;
    u64 sym;
};
constexpr Layout kLayout32{52, 32, 40, 16};
constexpr Layout kLayout64{64, 56, 64, 24};

std::string hex(u64 v) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%" PRIx64, v);
    return buf;
}

// True when [offset, offset+length) lies inside a buffer of `total` bytes (no overflow possible).
bool in_bounds(u64 offset, u64 length, u64 total) {
    return offset <= total && length <= total - offset;
}

// Little-endian reads from a span whose bounds the caller has already checked.
class Reader {
  public:
    explicit Reader(std::span<const u8> b) : b_(b) {}
    u8 u8_at(u64 off) const { return b_[off]; }
    u16 u16_at(u64 off) const { return static_cast<u16>(b_[off] | (b_[off + 1] << 8)); }
    u32 u32_at(u64 off) const {
        return static_cast<u32>(b_[off]) | (static_cast<u32>(b_[off + 1]) << 8) |
               (static_cast<u32>(b_[off + 2]) << 16) | (static_cast<u32>(b_[off + 3]) << 24);
    }
    u64 u64_at(u64 off) const {
        return static_cast<u64>(u32_at(off)) | (static_cast<u64>(u32_at(off + 4)) << 32);
    }
    // A native-width field: 4 bytes in ELF32, 8 bytes in ELF64.
    u64 word_at(u64 off, bool is64) const { return is64 ? u64_at(off) : u32_at(off); }

  private:
    std::span<const u8> b_;
};

struct Section {
    u32 type = 0;
    u64 offset = 0;
    u64 size = 0;
    u32 link = 0;
    u64 entsize = 0;
};

} // namespace

ElfImage ElfImage::parse(std::span<const u8> bytes, const std::string& name) {
    auto fail = [&name](const std::string& problem) -> InputError {
        return InputError(name + ": " + problem);
    };
    const u64 size = bytes.size();
    const Reader r(bytes);

    if (size < 4 || bytes[0] != 0x7f || bytes[1] != 'E' || bytes[2] != 'L' || bytes[3] != 'F')
        throw fail("not an ELF file (bad magic)");
    if (size < 16) throw fail("truncated ELF header");
    const u8 ei_class = bytes[4];
    if (ei_class != 1 && ei_class != 2)
        throw fail("unsupported ELF class " + std::to_string(ei_class) +
                   " (expected 1 = ELF32 or 2 = ELF64)");
    if (bytes[5] != 1)
        throw fail("not a little-endian ELF file (EI_DATA = " + std::to_string(bytes[5]) + ")");
    if (bytes[6] != 1) throw fail("unsupported ELF version " + std::to_string(bytes[6]));

    const bool is64 = ei_class == 2;
    const Layout& L = is64 ? kLayout64 : kLayout32;
    if (size < L.ehdr) throw fail("truncated ELF header");

    ElfImage img;
    img.name_ = name;
    img.class_ = is64 ? ElfClass::Elf64 : ElfClass::Elf32;
    img.file_size_ = size;
    img.type_ = r.u16_at(16);
    img.machine_ = r.u16_at(18);
    if (img.type_ != kEtExec && img.type_ != kEtDyn)
        throw fail("not an executable ELF file (e_type = " + std::to_string(img.type_) + ")");
    if (img.machine_ != kEmI386 && img.machine_ != kEmX86_64)
        throw fail("unsupported machine " + std::to_string(img.machine_) + " (expected x86 or x86-64)");
    if (is64 && img.machine_ != kEmX86_64) throw fail("ELF64 file with a 32-bit x86 machine type");
    if (r.u32_at(20) != 1) throw fail("unsupported ELF version " + std::to_string(r.u32_at(20)));

    img.entry_ = r.word_at(24, is64);
    const u64 phoff = r.word_at(is64 ? 32 : 28, is64);
    const u64 shoff = r.word_at(is64 ? 40 : 32, is64);
    const u64 hdr_tail = is64 ? 52 : 40; // e_ehsize, then the table sizes
    const u16 ehsize = r.u16_at(hdr_tail);
    const u16 phentsize = r.u16_at(hdr_tail + 2);
    const u16 phnum = r.u16_at(hdr_tail + 4);
    const u16 shentsize = r.u16_at(hdr_tail + 6);
    const u16 shnum = r.u16_at(hdr_tail + 8);
    if (ehsize < L.ehdr) throw fail("ELF header size " + std::to_string(ehsize) + " is too small");

    // Program headers.
    if (phnum == 0) throw fail("no program headers");
    if (phnum == kPnXnum) throw fail("too many program headers (extended numbering is not supported)");
    if (phentsize < L.phdr)
        throw fail("program header entry size " + std::to_string(phentsize) + " is too small (need " +
                   std::to_string(L.phdr) + ")");
    if (phoff == 0) throw fail("program header table at offset 0");
    if (!in_bounds(phoff, static_cast<u64>(phnum) * phentsize, size))
        throw fail("truncated program header table");

    for (u32 i = 0; i < phnum; ++i) {
        const u64 p = phoff + static_cast<u64>(i) * phentsize;
        if (r.u32_at(p) != kPtLoad) continue;
        ElfSegment s;
        s.index = i;
        if (is64) {
            s.flags = r.u32_at(p + 4);
            s.offset = r.u64_at(p + 8);
            s.vaddr = r.u64_at(p + 16);
            s.paddr = r.u64_at(p + 24);
            s.filesz = r.u64_at(p + 32);
            s.memsz = r.u64_at(p + 40);
        } else {
            s.offset = r.u32_at(p + 4);
            s.vaddr = r.u32_at(p + 8);
            s.paddr = r.u32_at(p + 12);
            s.filesz = r.u32_at(p + 16);
            s.memsz = r.u32_at(p + 20);
            s.flags = r.u32_at(p + 24);
        }
        const std::string what = "segment " + std::to_string(i) + ": ";
        if (s.filesz > s.memsz)
            throw fail(what + "file size " + hex(s.filesz) + " exceeds memory size " + hex(s.memsz));
        if (!in_bounds(s.offset, s.filesz, size))
            throw fail(what + "data (offset " + hex(s.offset) + ", size " + hex(s.filesz) +
                       ") extends past the end of the file (" + std::to_string(size) + " bytes)");
        const u64 addr_limit = is64 ? kU64Max : 0xffffffffULL;
        if (s.memsz > 0 && (s.vaddr > addr_limit - (s.memsz - 1) || s.paddr > addr_limit - (s.memsz - 1)))
            throw fail(what + "address range wraps around the address space");
        img.segments_.push_back(s);
    }
    if (img.segments_.empty()) throw fail("no loadable (PT_LOAD) segments");

    // Section headers: only needed for the symbol table. A file without them is simply stripped.
    if (shoff != 0 && shnum != 0) {
        if (shentsize < L.shdr)
            throw fail("section header entry size " + std::to_string(shentsize) + " is too small (need " +
                       std::to_string(L.shdr) + ")");
        if (!in_bounds(shoff, static_cast<u64>(shnum) * shentsize, size))
            throw fail("truncated section header table");
        auto section = [&](u32 idx) {
            const u64 p = shoff + static_cast<u64>(idx) * shentsize;
            Section s;
            s.type = r.u32_at(p + 4);
            if (is64) {
                s.offset = r.u64_at(p + 24);
                s.size = r.u64_at(p + 32);
                s.link = r.u32_at(p + 40);
                s.entsize = r.u64_at(p + 56);
            } else {
                s.offset = r.u32_at(p + 16);
                s.size = r.u32_at(p + 20);
                s.link = r.u32_at(p + 24);
                s.entsize = r.u32_at(p + 36);
            }
            return s;
        };
        for (u32 i = 0; i < shnum; ++i) {
            const Section symtab = section(i);
            if (symtab.type != kShtSymtab) continue;
            if (symtab.entsize < L.sym)
                throw fail("symbol table entry size " + std::to_string(symtab.entsize) +
                           " is too small (need " + std::to_string(L.sym) + ")");
            if (!in_bounds(symtab.offset, symtab.size, size)) throw fail("truncated symbol table");
            if (symtab.link >= shnum)
                throw fail("symbol table links to string table section " + std::to_string(symtab.link) +
                           ", but there are only " + std::to_string(shnum) + " sections");
            const Section strtab = section(symtab.link);
            if (strtab.type != kShtStrtab)
                throw fail("symbol table links to section " + std::to_string(symtab.link) +
                           ", which is not a string table");
            if (!in_bounds(strtab.offset, strtab.size, size)) throw fail("truncated string table");
            const auto strings = bytes.subspan(strtab.offset, strtab.size);

            const u64 count = symtab.size / symtab.entsize;
            for (u64 k = 1; k < count; ++k) { // entry 0 is the reserved null symbol
                const u64 p = symtab.offset + k * symtab.entsize;
                const u32 st_name = r.u32_at(p);
                const u8 st_info = r.u8_at(p + (is64 ? 4 : 12));
                const u16 st_shndx = r.u16_at(p + (is64 ? 6 : 14));
                const u64 st_value = is64 ? r.u64_at(p + 8) : r.u32_at(p + 4);
                const u64 st_size = is64 ? r.u64_at(p + 16) : r.u32_at(p + 8);
                const u8 st_type = st_info & 0xf;
                if (st_type != kSttFunc && st_type != kSttObject) continue;
                if (st_shndx == kShnUndef) continue;
                if (st_name >= strings.size())
                    throw fail("symbol " + std::to_string(k) + ": name offset " + std::to_string(st_name) +
                               " is outside the string table (" + std::to_string(strings.size()) + " bytes)");
                const auto tail = strings.subspan(st_name);
                const auto nul = std::find(tail.begin(), tail.end(), u8{0});
                if (nul == tail.end())
                    throw fail("symbol " + std::to_string(k) + ": name is not NUL-terminated");
                ElfSymbol sym;
                sym.name.assign(tail.begin(), nul);
                sym.value = st_value;
                sym.size = st_size;
                sym.type = st_type == kSttFunc ? ElfSymbolType::Function : ElfSymbolType::Object;
                img.symbols_.push_back(std::move(sym));
            }
            break; // one .symtab per file
        }
    }
    img.index_symbols();
    return img;
}

void ElfImage::index_symbols() {
    std::sort(symbols_.begin(), symbols_.end(), [](const ElfSymbol& a, const ElfSymbol& b) {
        if (a.value != b.value) return a.value < b.value;
        if (a.size != b.size) return a.size > b.size;
        return a.name < b.name;
    });
    const size_t n = symbols_.size();
    sym_end_.assign(n, 0);
    sym_max_end_.assign(n, 0);
    size_t next_higher = n; // index of the first symbol with a value above the current one
    for (size_t i = n; i-- > 0;) {
        if (i + 1 < n && symbols_[i + 1].value != symbols_[i].value) next_higher = i + 1;
        const ElfSymbol& s = symbols_[i];
        u64 end;
        if (s.size > 0)
            end = s.size > kU64Max - s.value ? kU64Max : s.value + s.size;
        else if (next_higher < n)
            end = symbols_[next_higher].value;
        else
            end = s.value == kU64Max ? kU64Max : s.value + 1;
        sym_end_[i] = end;
    }
    u64 running = 0;
    for (size_t i = 0; i < n; ++i) {
        running = std::max(running, sym_end_[i]);
        sym_max_end_[i] = running;
    }
}

std::optional<SymbolizedAddress> ElfImage::symbolize(u64 addr) const {
    // Last symbol whose value <= addr.
    auto it = std::upper_bound(symbols_.begin(), symbols_.end(), addr,
                               [](u64 a, const ElfSymbol& s) { return a < s.value; });
    for (size_t i = static_cast<size_t>(it - symbols_.begin()); i-- > 0;) {
        if (sym_max_end_[i] <= addr) break; // no symbol at or before i reaches addr
        if (sym_end_[i] > addr) return SymbolizedAddress{symbols_[i].name, addr - symbols_[i].value};
    }
    return std::nullopt;
}

const ElfSymbol* ElfImage::find_symbol(std::string_view name) const {
    for (const ElfSymbol& s : symbols_)
        if (s.name == name) return &s;
    return nullptr;
}

} // namespace smpsim::platform
