#include "sim/report/symbols.h"

#include "sim/core/error.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <gelf.h>
#include <libelf.h>

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <set>
#include <unordered_map>

namespace smpsim::report {

namespace {

// The largest ELF the symbolizer reads (a Linux vmlinux with DWARF is a few hundred MiB).
constexpr unsigned long long kMaxElfBytes = 1ull << 30;

struct ElfCloser {
    void operator()(Elf* e) const { elf_end(e); }
};
struct DwarfCloser {
    void operator()(Dwarf* d) const { dwarf_end(d); }
};

struct Section {
    std::string name;
    u64 start = 0;
    u64 end = 0;
    bool alloc = false;
    bool exec = false;
};

// Symbol binding rank: GLOBAL beats WEAK beats LOCAL where two symbols cover the same bytes.
int binding_rank(unsigned char binding) {
    switch (binding) {
    case STB_GLOBAL: return 0;
    case STB_WEAK: return 1;
    default: return 2;
    }
}

// The directory part of an absolute path, with a trailing '/'.
std::string dir_of(const std::string& path) {
    const std::size_t slash = path.rfind('/');
    return slash == std::string::npos ? std::string{} : path.substr(0, slash + 1);
}

// Collapses "a/./b" and "a/x/../b" so that prefixes compare as directories.
std::string normalize(const std::string& path) {
    std::vector<std::string> parts;
    std::size_t i = 0;
    while (i <= path.size()) {
        std::size_t j = path.find('/', i);
        if (j == std::string::npos) j = path.size();
        std::string part = path.substr(i, j - i);
        if (part == "..") {
            if (!parts.empty() && parts.back() != "..")
                parts.pop_back();
            else if (path.empty() || path[0] != '/')
                parts.push_back(part);
        } else if (!part.empty() && part != ".") {
            parts.push_back(part);
        }
        i = j + 1;
    }
    std::string out = !path.empty() && path[0] == '/' ? "/" : "";
    for (std::size_t k = 0; k < parts.size(); ++k)
        out += (k ? "/" : "") + parts[k];
    return out;
}

} // namespace

// Reads one ELF into a Symbolizer; every libelf/libdw handle lives only as long as this object.
class SymbolizerLoader {
  public:
    SymbolizerLoader(const std::string& path, const std::string& source_root)
        : path_(path), root_(source_root) {}

    Symbolizer run() {
        check_input_file(path_, "ELF", kMaxElfBytes);
        read_file();
        elf_version(EV_CURRENT);
        elf_.reset(elf_memory(bytes_.data(), bytes_.size()));
        if (!elf_ || elf_kind(elf_.get()) != ELF_K_ELF) fail("not an ELF file");
        read_sections();
        read_symbols();
        read_dwarf();
        finish();
        return std::move(out_);
    }

  private:
    [[noreturn]] void fail(const std::string& why) const {
        throw InputError(fmt::format("{}: {}", path_, why));
    }
    [[noreturn]] void malformed(const std::string& why) const { fail(fmt::format("malformed ELF: {}", why)); }

    void read_file() {
        std::ifstream in(path_, std::ios::binary);
        if (!in) fail("cannot open the ELF file");
        bytes_.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
        if (in.bad()) fail("cannot read the ELF file");
    }

    // A range [offset, offset + size) of the file, checked without overflow.
    bool in_file(u64 offset, u64 size) const {
        return offset <= bytes_.size() && size <= bytes_.size() - offset;
    }

    void read_sections() {
        GElf_Ehdr ehdr;
        if (!gelf_getehdr(elf_.get(), &ehdr)) malformed("no ELF header");
        // libelf quietly sees no sections when their headers lie past the end: check the raw header.
        // (e_shnum 0 with e_shoff set: the count is in section 0, which must be there.)
        if (ehdr.e_shoff && !in_file(ehdr.e_shoff, u64{std::max<u16>(ehdr.e_shnum, 1)} * ehdr.e_shentsize))
            malformed("the section headers lie past the end of the file (truncated?)");
        if (ehdr.e_phnum && !in_file(ehdr.e_phoff, u64{ehdr.e_phnum} * ehdr.e_phentsize))
            malformed("the program headers lie past the end of the file (truncated?)");
        std::size_t count = 0;
        if (elf_getshdrnum(elf_.get(), &count) != 0) malformed("bad section count");
        if (ehdr.e_shoff && (count == 0 || !in_file(ehdr.e_shoff, u64{count} * ehdr.e_shentsize)))
            malformed("the section headers lie past the end of the file (truncated?)");
        for (std::size_t i = 0; i < ehdr.e_phnum; ++i) {
            GElf_Phdr phdr;
            if (!gelf_getphdr(elf_.get(), int(i), &phdr))
                malformed(fmt::format("unreadable program header {}", i));
            if (!in_file(phdr.p_offset, phdr.p_filesz))
                malformed(fmt::format("segment {} lies past the end of the file (truncated?)", i));
        }
        std::size_t shstrndx = 0;
        if (count && elf_getshdrstrndx(elf_.get(), &shstrndx) != 0) malformed("no section name table");
        sections_.resize(count);
        for (Elf_Scn* scn = nullptr; (scn = elf_nextscn(elf_.get(), scn));) {
            GElf_Shdr shdr;
            if (!gelf_getshdr(scn, &shdr)) malformed("unreadable section header");
            const std::size_t index = elf_ndxscn(scn);
            if (index >= count) malformed("bad section index");
            if (shdr.sh_type != SHT_NOBITS && !in_file(shdr.sh_offset, shdr.sh_size))
                malformed(fmt::format("section {} lies past the end of the file (truncated?)", index));
            const char* name = elf_strptr(elf_.get(), shstrndx, shdr.sh_name);
            if (!name) malformed(fmt::format("section {} has no name", index));
            Section& s = sections_[index];
            s.name = name;
            s.start = shdr.sh_addr;
            s.end = shdr.sh_addr + shdr.sh_size;
            if (s.end < s.start) malformed(fmt::format("section {} wraps around the address space", s.name));
            s.alloc = (shdr.sh_flags & SHF_ALLOC) != 0;
            s.exec = (shdr.sh_flags & SHF_EXECINSTR) != 0;
            if (s.alloc && s.name == ".data..percpu") {
                out_.per_cpu_start_ = s.start;
                out_.per_cpu_size_ = shdr.sh_size;
            }
            if (shdr.sh_type == SHT_SYMTAB) symtab_ = scn;
            if (shdr.sh_type == SHT_DYNSYM) dynsym_ = scn;
            if (s.name == ".debug_info") has_debug_info_ = true;
        }
    }

    void read_symbols() {
        Elf_Scn* scn = symtab_ ? symtab_ : dynsym_;
        if (!scn) return; // stripped: addresses only
        GElf_Shdr shdr;
        if (!gelf_getshdr(scn, &shdr)) malformed("unreadable symbol table header");
        if (shdr.sh_entsize == 0) malformed("symbol table with entries of size 0");
        Elf_Data* data = elf_getdata(scn, nullptr);
        if (!data && shdr.sh_size) malformed(fmt::format("unreadable symbol table: {}", elf_errmsg(-1)));
        const std::size_t n = shdr.sh_size / shdr.sh_entsize;
        for (std::size_t i = 1; i < n; ++i) {
            GElf_Sym sym;
            if (!gelf_getsym(data, int(i), &sym)) malformed(fmt::format("unreadable symbol {}", i));
            const int type = GELF_ST_TYPE(sym.st_info);
            if (type != STT_FUNC && type != STT_OBJECT && type != STT_NOTYPE) continue;
            if (sym.st_shndx == SHN_UNDEF || sym.st_shndx >= SHN_LORESERVE ||
                sym.st_shndx >= sections_.size())
                continue; // undefined, absolute, common: not at an address of the image
            const Section& sec = sections_[sym.st_shndx];
            if (!sec.alloc) continue;
            const char* name = elf_strptr(elf_.get(), shdr.sh_link, sym.st_name);
            if (!name) malformed(fmt::format("symbol {} has no name", i));
            if (!*name) continue;
            Symbolizer::Symbol s;
            s.name = name;
            s.start = sym.st_value;
            s.size = sym.st_size;
            s.sized = sym.st_size != 0;
            s.kind = type == STT_FUNC     ? SymbolKind::Function
                     : type == STT_OBJECT ? SymbolKind::Object
                                          : SymbolKind::Label;
            if (s.start + s.size < s.start) continue; // wraps around: no range to cover
            out_.symbols_.push_back(std::move(s));
            section_of_.push_back(sym.st_shndx);
            binding_.push_back(binding_rank(GELF_ST_BIND(sym.st_info)));
        }
    }

    // A file name of the current unit: DWARF may give it relative to the unit's compilation directory.
    u32 intern_file(const char* name) {
        std::string path = name;
        if (!path.starts_with('/') && !comp_dir_.empty()) path = comp_dir_ + "/" + path;
        auto [it, inserted] = file_ids_.try_emplace(path, u32(out_.files_.size() + 1));
        if (inserted) out_.files_.push_back(path);
        return it->second;
    }

    bool in_exec_section(u64 address) const {
        for (const Section& s : sections_)
            if (s.alloc && s.exec && address >= s.start && address <= s.end) return true;
        return false;
    }

    void read_dwarf() {
        if (!has_debug_info_) return; // no DWARF: no file:line
        std::unique_ptr<Dwarf, DwarfCloser> dwarf(dwarf_begin_elf(elf_.get(), DWARF_C_READ, nullptr));
        if (!dwarf) malformed(fmt::format("DWARF: {}", dwarf_errmsg(-1)));
        Dwarf_CU* cu = nullptr;
        for (;;) {
            Dwarf_Half version = 0;
            uint8_t unit_type = 0;
            Dwarf_Die cudie, subdie;
            const int r = dwarf_get_units(dwarf.get(), cu, &cu, &version, &unit_type, &cudie, &subdie);
            if (r == 1) break;
            if (r != 0) malformed(fmt::format("DWARF: {}", dwarf_errmsg(-1)));
            if (unit_type != DW_UT_compile && unit_type != DW_UT_partial) continue;
            read_unit_name(cudie);
            read_unit_lines(cudie);
            read_unit_variables(cudie);
        }
    }

    void read_unit_name(Dwarf_Die& cudie) {
        Dwarf_Attribute attr;
        const char* comp_dir = dwarf_formstring(dwarf_attr(&cudie, DW_AT_comp_dir, &attr));
        comp_dir_ = comp_dir ? comp_dir : "";
        const char* name = dwarf_diename(&cudie);
        if (!name) return;
        std::string path = name;
        if (!path.starts_with('/')) {
            if (comp_dir_.empty()) return;
            path = comp_dir_ + "/" + path;
        }
        unit_dirs_.push_back(dir_of(normalize(path)));
    }

    void read_unit_lines(Dwarf_Die& cudie) {
        if (!dwarf_hasattr(&cudie, DW_AT_stmt_list)) return;
        Dwarf_Lines* lines = nullptr;
        std::size_t count = 0;
        if (dwarf_getsrclines(&cudie, &lines, &count) != 0)
            malformed(fmt::format("DWARF line table: {}", dwarf_errmsg(-1)));
        for (std::size_t i = 0; i < count; ++i) {
            Dwarf_Line* line = dwarf_onesrcline(lines, i);
            Dwarf_Addr address = 0;
            int lineno = 0;
            bool end = false;
            if (!line || dwarf_lineaddr(line, &address) != 0 || dwarf_lineno(line, &lineno) != 0 ||
                dwarf_lineendsequence(line, &end) != 0)
                malformed(fmt::format("DWARF line table: {}", dwarf_errmsg(-1)));
            // Sequences of functions the linker dropped start at 0: keep what lies in the image's code.
            if (!in_exec_section(address)) continue;
            const char* file = end ? nullptr : dwarf_linesrc(line, nullptr, nullptr);
            row_end_.push_back(end);
            out_.lines_.push_back(
                {address, file ? intern_file(file) : 0, end ? 0 : u32(std::max(lineno, 0))});
        }
    }

    // Variables with a fixed address anywhere in the unit (globals, file statics, function statics).
    void read_unit_variables(Dwarf_Die& cudie) {
        std::vector<Dwarf_Die> stack;
        Dwarf_Die child;
        if (dwarf_child(&cudie, &child) == 0) stack.push_back(child);
        while (!stack.empty()) {
            Dwarf_Die die = stack.back();
            stack.pop_back();
            Dwarf_Die next;
            if (dwarf_siblingof(&die, &next) == 0) stack.push_back(next);
            if (dwarf_child(&die, &child) == 0) stack.push_back(child);
            if (dwarf_tag(&die) != DW_TAG_variable) continue;
            Dwarf_Attribute attr;
            Dwarf_Op* ops = nullptr;
            std::size_t nops = 0;
            if (!dwarf_attr(&die, DW_AT_location, &attr) || dwarf_getlocation(&attr, &ops, &nops) != 0 ||
                nops != 1 || ops[0].atom != DW_OP_addr)
                continue;
            const char* file = dwarf_decl_file(&die);
            int line = 0;
            if (!file || dwarf_decl_line(&die, &line) != 0 || line <= 0) continue;
            decls_.push_back({ops[0].number, intern_file(file), u32(line)});
        }
    }

    void finish() {
        // Source paths relative to the source root, or to the directory every unit shares.
        // Source paths: relative to the source tree when under it; else the longest tail of the path
        // that names a file of the tree (built elsewhere: another checkout, or a compiler cache that kept
        // another directory); else relative to the deepest directory every unit shares.
        const std::string tree = root_.empty() ? std::string{} : normalize(root_) + "/";
        std::string common;
        if (!unit_dirs_.empty()) {
            common = unit_dirs_.front();
            for (const std::string& d : unit_dirs_) {
                std::size_t n = 0;
                while (n < common.size() && n < d.size() && common[n] == d[n])
                    ++n;
                common.resize(n);
            }
            common = dir_of(common);
            if (common.size() <= 1) common.clear();
        }
        for (std::string& f : out_.files_) {
            const std::string path = normalize(f);
            f = path;
            if (!tree.empty() && path.starts_with(tree)) {
                f = path.substr(tree.size());
                continue;
            }
            bool found = false;
            if (!tree.empty())
                for (std::size_t slash = path.find('/', 1); slash != std::string::npos && !found;
                     slash = path.find('/', slash + 1)) {
                    std::error_code ec;
                    if (std::filesystem::is_regular_file(tree + path.substr(slash + 1), ec)) {
                        f = path.substr(slash + 1);
                        found = true;
                    }
                }
            if (!found && !common.empty() && path.starts_with(common)) f = path.substr(common.size());
        }

        // Line rows: by address, an end of sequence before a row that starts at the same address; of
        // several rows at one address the last one counts.
        std::vector<std::size_t> order(out_.lines_.size());
        for (std::size_t i = 0; i < order.size(); ++i)
            order[i] = i;
        std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
            const auto& la = out_.lines_[a];
            const auto& lb = out_.lines_[b];
            if (la.address != lb.address) return la.address < lb.address;
            return row_end_[a] > row_end_[b];
        });
        std::vector<Symbolizer::LineRow> rows;
        rows.reserve(order.size());
        for (std::size_t i : order) {
            if (!rows.empty() && rows.back().address == out_.lines_[i].address)
                rows.back() = out_.lines_[i];
            else
                rows.push_back(out_.lines_[i]);
        }
        out_.lines_ = std::move(rows);

        // Declarations of data objects: given to the object symbol that starts at the variable's address.
        std::sort(decls_.begin(), decls_.end(),
                  [](const Decl& a, const Decl& b) { return a.address < b.address; });
        for (Symbolizer::Symbol& s : out_.symbols_) {
            if (s.kind == SymbolKind::Function) continue;
            auto it = std::lower_bound(decls_.begin(), decls_.end(), s.start,
                                       [](const Decl& d, u64 a) { return d.address < a; });
            if (it != decls_.end() && it->address == s.start) {
                s.decl_file = it->file;
                s.decl_line = it->line;
            }
        }
        build_extents();
        out_.build_segments(binding_);
    }

    // A sizeless symbol reaches up to the next symbol of its section, or the section's end.
    void build_extents() {
        std::vector<std::size_t> order(out_.symbols_.size());
        for (std::size_t i = 0; i < order.size(); ++i)
            order[i] = i;
        std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
            if (section_of_[a] != section_of_[b]) return section_of_[a] < section_of_[b];
            return out_.symbols_[a].start < out_.symbols_[b].start;
        });
        for (std::size_t k = 0; k < order.size(); ++k) {
            Symbolizer::Symbol& s = out_.symbols_[order[k]];
            if (s.sized) continue;
            u64 end = sections_[section_of_[order[k]]].end;
            for (std::size_t m = k + 1; m < order.size() && section_of_[order[m]] == section_of_[order[k]];
                 ++m)
                if (out_.symbols_[order[m]].start > s.start) {
                    end = std::min(end, out_.symbols_[order[m]].start);
                    break;
                }
            s.size = end > s.start ? end - s.start : 0;
        }
    }

    struct Decl {
        u64 address;
        u32 file;
        u32 line;
    };

    std::string path_;
    std::string root_;
    std::vector<char> bytes_;
    std::unique_ptr<Elf, ElfCloser> elf_;
    std::vector<Section> sections_;
    Elf_Scn* symtab_ = nullptr;
    Elf_Scn* dynsym_ = nullptr;
    bool has_debug_info_ = false;
    std::vector<std::size_t> section_of_; // per symbol
    std::vector<int> binding_;            // per symbol
    std::vector<bool> row_end_;           // per line row, before sorting
    std::vector<std::string> unit_dirs_;
    std::string comp_dir_; // of the unit being read
    std::vector<Decl> decls_;
    std::unordered_map<std::string, u32> file_ids_;
    Symbolizer out_;
};

Symbolizer Symbolizer::load(const std::string& elf_path, const std::string& source_root) {
    return SymbolizerLoader(elf_path, source_root).run();
}

// Flattens the symbols into disjoint segments: a sweep over every start and end, the best covering
// symbol owning each piece.
void Symbolizer::build_segments(const std::vector<int>& binding) {
    auto better = [&](u32 a, u32 b) {
        const Symbol& x = symbols_[a];
        const Symbol& y = symbols_[b];
        if (x.sized != y.sized) return x.sized;
        if (x.size != y.size) return x.size < y.size;
        if ((x.kind == SymbolKind::Label) != (y.kind == SymbolKind::Label))
            return y.kind == SymbolKind::Label;
        if (binding[a] != binding[b]) return binding[a] < binding[b];
        if (x.name != y.name) return x.name < y.name;
        return a < b;
    };
    std::vector<u32> by_start, by_end;
    for (u32 i = 0; i < symbols_.size(); ++i)
        if (symbols_[i].size) {
            by_start.push_back(i);
            by_end.push_back(i);
        }
    std::sort(by_start.begin(), by_start.end(),
              [&](u32 a, u32 b) { return symbols_[a].start < symbols_[b].start; });
    std::sort(by_end.begin(), by_end.end(), [&](u32 a, u32 b) {
        return symbols_[a].start + symbols_[a].size < symbols_[b].start + symbols_[b].size;
    });
    std::vector<u64> bounds;
    for (u32 i : by_start) {
        bounds.push_back(symbols_[i].start);
        bounds.push_back(symbols_[i].start + symbols_[i].size);
    }
    std::sort(bounds.begin(), bounds.end());
    bounds.erase(std::unique(bounds.begin(), bounds.end()), bounds.end());
    std::set<u32, decltype(better)> active(better);
    std::size_t s = 0, e = 0;
    segments_.clear();
    for (std::size_t k = 0; k + 1 < bounds.size(); ++k) {
        const u64 at = bounds[k];
        while (e < by_end.size() && symbols_[by_end[e]].start + symbols_[by_end[e]].size <= at)
            active.erase(by_end[e++]);
        while (s < by_start.size() && symbols_[by_start[s]].start <= at)
            active.insert(by_start[s++]);
        if (active.empty()) continue;
        const u32 owner = *active.begin();
        if (!segments_.empty() && segments_.back().symbol == owner && segments_.back().end == at)
            segments_.back().end = bounds[k + 1];
        else
            segments_.push_back({at, bounds[k + 1], owner});
    }
}

const Symbolizer::Segment* Symbolizer::find_segment(u64 address) const {
    auto it = std::upper_bound(segments_.begin(), segments_.end(), address,
                               [](u64 a, const Segment& s) { return a < s.start; });
    if (it == segments_.begin()) return nullptr;
    --it;
    return address < it->end ? &*it : nullptr;
}

void Symbolizer::lookup_line(u64 address, Symbolization& out) const {
    auto it = std::upper_bound(lines_.begin(), lines_.end(), address,
                               [](u64 a, const LineRow& r) { return a < r.address; });
    if (it == lines_.begin()) return;
    --it;
    if (!it->file) return; // past the end of a sequence
    out.file = files_[it->file - 1];
    out.line = it->line;
}

Symbolization Symbolizer::symbolize(u64 address) const {
    Symbolization out;
    out.address = address;
    u64 lookup = address;
    const PerCpuCopy* copy = nullptr;
    if (!per_cpu_copies_.empty()) {
        auto it = std::upper_bound(per_cpu_copies_.begin(), per_cpu_copies_.end(), address,
                                   [](u64 a, const PerCpuCopy& c) { return a < c.base; });
        if (it != per_cpu_copies_.begin() && address - std::prev(it)->base < per_cpu_size_) {
            copy = &*std::prev(it);
            lookup = per_cpu_start_ + (address - copy->base);
        }
    }
    if (const Segment* seg = find_segment(lookup)) {
        const Symbol& s = symbols_[seg->symbol];
        out.has_symbol = true;
        out.name = s.name;
        out.kind = s.kind;
        out.symbol_start = copy ? copy->base + (s.start - per_cpu_start_) : s.start;
        out.offset = lookup - s.start;
        out.size = s.size;
        out.sized = s.sized;
        if (copy) out.per_cpu = copy->cpu;
        if (s.decl_file) {
            out.file = files_[s.decl_file - 1];
            out.line = s.decl_line;
        }
    }
    if (out.file.empty() && !copy) lookup_line(lookup, out);
    return out;
}

void Symbolizer::add_per_cpu_copy(u32 cpu, u64 base) {
    if (!per_cpu_size_) return;
    PerCpuCopy c{base, cpu};
    auto it = std::upper_bound(per_cpu_copies_.begin(), per_cpu_copies_.end(), base,
                               [](u64 a, const PerCpuCopy& x) { return a < x.base; });
    per_cpu_copies_.insert(it, c);
}

std::string Symbolizer::format_symbol(const Symbolization& s) {
    if (!s.has_symbol) return fmt::format("{:#x}", s.address);
    std::string out = fmt::format("{}+{:#x}", s.name, s.offset);
    if (s.per_cpu) out += fmt::format(" [cpu{}]", *s.per_cpu);
    return out;
}

std::string Symbolizer::format_location(const Symbolization& s) {
    std::string out = format_symbol(s);
    if (!s.file.empty()) out += fmt::format(" ({}:{})", s.file, s.line);
    return out;
}

} // namespace smpsim::report
