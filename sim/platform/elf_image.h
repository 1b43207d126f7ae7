// A validated, read-only view of an x86 / x86-64 ELF executable: class, entry point, loadable segments
// and the FUNC/OBJECT symbols of .symtab, with address-to-symbol lookup for reports.
//
// parse() checks everything it reads (magic, class, byte order, header sizes, every table and string
// offset against the file size with overflow-safe arithmetic) and reports bad input as one-line
// smpsim::InputError messages of the form "<name>: <problem>". It never reads outside `bytes`.
// The image does not keep `bytes`: segment data is addressed by file offset into the caller's buffer.
#pragma once
#include "sim/core/types.h"

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace smpsim::platform {

enum class ElfClass : u8 { Elf32 = 1, Elf64 = 2 };

// e_machine values we accept.
inline constexpr u16 kEmI386 = 3;
inline constexpr u16 kEmX86_64 = 62;
// e_type values we accept.
inline constexpr u16 kEtExec = 2;
inline constexpr u16 kEtDyn = 3;
// p_flags bits.
inline constexpr u32 kPfX = 1;
inline constexpr u32 kPfW = 2;
inline constexpr u32 kPfR = 4;

// One PT_LOAD program header. offset/filesz are validated to lie inside the file, filesz <= memsz, and
// neither [vaddr, vaddr+memsz) nor [paddr, paddr+memsz) wraps around the address space.
struct ElfSegment {
    u32 index = 0; // position in the program header table
    u64 offset = 0;
    u64 vaddr = 0;
    u64 paddr = 0;
    u64 filesz = 0;
    u64 memsz = 0;
    u32 flags = 0; // kPfR | kPfW | kPfX
};

enum class ElfSymbolType : u8 { Function, Object };

struct ElfSymbol {
    std::string name;
    u64 value = 0;
    u64 size = 0;
    ElfSymbolType type = ElfSymbolType::Function;
};

// Result of symbolize(): `name` points into the ElfImage's own storage (valid while the image lives).
struct SymbolizedAddress {
    std::string_view name;
    u64 offset = 0; // addr - symbol value
};

class ElfImage {
  public:
    // Parses and validates an ELF32/ELF64 little-endian executable (ET_EXEC or ET_DYN) for EM_386 or
    // EM_X86_64. `name` (usually the file name) prefixes every error message. Throws InputError.
    static ElfImage parse(std::span<const u8> bytes, const std::string& name);

    const std::string& name() const { return name_; }
    ElfClass elf_class() const { return class_; }
    bool is_64bit() const { return class_ == ElfClass::Elf64; }
    u16 machine() const { return machine_; }
    u16 type() const { return type_; }
    u64 entry() const { return entry_; }
    u64 file_size() const { return file_size_; }

    // PT_LOAD segments in program-header order (at least one).
    const std::vector<ElfSegment>& load_segments() const { return segments_; }
    // Defined FUNC and OBJECT symbols of .symtab, sorted by value (then size descending, then name).
    // Empty for stripped files.
    const std::vector<ElfSymbol>& symbols() const { return symbols_; }

    // The symbol containing addr, and the offset into it. A symbol covers [value, value+size); a
    // symbol of size 0 (an assembly label) covers up to the next symbol with a higher value, or only
    // its own address when it is the last. Among several candidates the one starting closest below
    // addr wins. O(log n) for non-overlapping symbols.
    std::optional<SymbolizedAddress> symbolize(u64 addr) const;

    // Exact lookup by name (first match in value order), or nullptr.
    const ElfSymbol* find_symbol(std::string_view name) const;

  private:
    std::string name_;
    ElfClass class_ = ElfClass::Elf32;
    u16 machine_ = 0;
    u16 type_ = 0;
    u64 entry_ = 0;
    u64 file_size_ = 0;
    std::vector<ElfSegment> segments_;
    std::vector<ElfSymbol> symbols_;
    // Parallel to symbols_: effective end (exclusive) of each symbol, and the running maximum of those
    // ends over symbols_[0..i], which bounds the backward scan in symbolize().
    std::vector<u64> sym_end_;
    std::vector<u64> sym_max_end_;

    void index_symbols();
};

} // namespace smpsim::platform
