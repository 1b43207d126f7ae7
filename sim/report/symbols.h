// Guest symbols and source lines: which function or data object of the guest ELF an address falls in,
// and which source line, for the reports (c2c, profiles, traces). Plain C++, no SystemC.
//
// Symbolizer::load reads the ELF once with elfutils (libelf for the symbol table, libdw for DWARF) into
// sorted vectors and closes it; a lookup is a binary search, so reports can symbolize millions of
// addresses. What is read:
//   symbols  .symtab (or .dynsym) entries of type FUNC, OBJECT and NOTYPE in allocated sections. A symbol
//            with a size covers [value, value + size); a sizeless one (an assembly label) covers up to
//            the next symbol of its section (or the section's end) and yields to sized ones. Where
//            symbols overlap, the smallest covering one wins (then FUNC/OBJECT over NOTYPE, GLOBAL over
//            LOCAL, then the name), so the answer does not depend on the symbol table's order.
//   lines    the DWARF line tables: the file:line of a code address (the innermost, inlined location, as
//            addr2line without -i).
//   data     DWARF variables with a fixed address (DW_OP_addr): their declaration's file:line, given for
//            every address inside the data object.
// An ELF without a symbol table answers with addresses only; one without DWARF has no file:line. A file
// that is not a well-formed ELF is an InputError (one line), never a crash.
//
// Per-CPU data: the guest links its DEFINE_PER_CPU variables into one template section (.data..percpu)
// and copies it per CPU at run time. add_per_cpu_copy() tells the symbolizer where a CPU's copy lives, so
// that addresses in it resolve to the template's symbols, tagged with the CPU.
#pragma once
#include "sim/core/types.h"

#include <optional>
#include <string>
#include <vector>

namespace smpsim::report {

enum class SymbolKind { Function, Object, Label };

struct Symbolization {
    u64 address = 0;
    bool has_symbol = false;
    std::string name; // the symbol (empty without one)
    SymbolKind kind = SymbolKind::Label;
    u64 symbol_start = 0;       // the symbol's address (of the CPU's copy for per-CPU data)
    u64 offset = 0;             // address - symbol_start
    u64 size = 0;               // the symbol's size (for a sizeless label: up to the next symbol)
    bool sized = false;         // size comes from the symbol table
    std::optional<u32> per_cpu; // the CPU whose per-CPU copy holds the address
    std::string file;           // source file (relative to the source root when under it), empty if unknown
    u32 line = 0;               // 0 if unknown: code from the line table, data from its declaration
};

class Symbolizer {
  public:
    // An empty symbolizer: every address comes back without a symbol.
    Symbolizer() = default;

    // Reads `elf_path`. `source_root`: a directory that source paths are made relative to when they lie
    // under it (e.g. the project's source tree, so the guest's files read guest/kernel/main.c); when
    // empty or not a prefix, the deepest directory common to every compilation unit is used. InputError
    // for a file that cannot be read or is not a well-formed ELF.
    static Symbolizer load(const std::string& elf_path, const std::string& source_root = {});

    Symbolization symbolize(u64 address) const;

    // "name+0xoff" (with " [cpuN]" for a per-CPU copy), or the address in hex without a symbol.
    static std::string format_symbol(const Symbolization& s);
    // format_symbol and, when known, " (file:line)".
    static std::string format_location(const Symbolization& s);
    std::string format_location(u64 address) const { return format_location(symbolize(address)); }

    // The per-CPU template section (.data..percpu), if the ELF has one: [start, start + size).
    bool has_per_cpu_template() const { return per_cpu_size_ != 0; }
    u64 per_cpu_template_start() const { return per_cpu_start_; }
    u64 per_cpu_template_size() const { return per_cpu_size_; }
    // CPU `cpu`'s copy of the template starts at `base` (Linux's __per_cpu_offset[cpu] + template start).
    void add_per_cpu_copy(u32 cpu, u64 base);

    bool has_symbols() const { return !segments_.empty(); }
    bool has_lines() const { return !lines_.empty(); }
    std::size_t symbol_count() const { return symbols_.size(); }

  private:
    struct Symbol {
        std::string name;
        u64 start = 0;
        u64 size = 0;
        SymbolKind kind = SymbolKind::Label;
        bool sized = false;
        u32 decl_file = 0; // index into files_ + 1; 0: none
        u32 decl_line = 0;
    };
    // Disjoint address ranges, sorted, each owned by one symbol (the winner where symbols overlap).
    struct Segment {
        u64 start = 0;
        u64 end = 0;
        u32 symbol = 0;
    };
    struct LineRow {
        u64 address = 0;
        u32 file = 0; // index into files_ + 1; 0: end of a sequence (no line from here)
        u32 line = 0;
    };
    struct PerCpuCopy {
        u64 base = 0;
        u32 cpu = 0;
    };

    const Segment* find_segment(u64 address) const;
    void lookup_line(u64 address, Symbolization& out) const;
    void build_segments(const std::vector<int>& binding); // binding rank per symbol

    std::vector<Symbol> symbols_;
    std::vector<Segment> segments_;
    std::vector<LineRow> lines_;
    std::vector<std::string> files_;
    std::vector<PerCpuCopy> per_cpu_copies_; // sorted by base
    u64 per_cpu_start_ = 0;
    u64 per_cpu_size_ = 0;

    friend class SymbolizerLoader;
};

} // namespace smpsim::report
