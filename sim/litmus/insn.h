// The operand syntax of litmus-test instructions, shared by the parser (which validates every
// instruction and discovers the variables the code names) and the assembler (which encodes them).
//
// X86 files use herd's Intel syntax: `MOV [x],$1`, `mov EAX, [y]`, `XCHG [x],EAX`, `LOCK ADD [x],$1`,
// `MOV DWORD PTR [x+4],1`, `JNE L0`. X86_64 files use AT&T syntax: `movl $1,(x)`, `movq (y),%rax`,
// `xchgl %eax,(x)`, `lock addl $1,(x)`, `movq 0(%rax,%rbx,8),%rcx`, `nopl %cs:0(%rax,%eax,0)`.
// Operands are stored in Intel order (destination first) for both.
#pragma once
#include "sim/litmus/litmus_test.h"

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace smpsim::litmus {

// Thrown by parse_instruction; the caller adds file, line and the instruction text.
class SyntaxError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

struct Operand {
    enum class Kind { Reg, Mem, Imm, Label } kind = Kind::Imm;
    RegisterRef reg; // Reg
    // Mem: [segment:] symbol + disp + base + index*scale; `size` is 0 when the syntax does not say.
    std::optional<std::string> symbol; // Mem: variable; Imm: `$x` = address of x
    i64 disp = 0;                      // Mem displacement; Imm value (added to the symbol's address)
    std::optional<RegisterRef> base, index;
    unsigned scale = 1;
    std::string segment; // "cs", "ds", ... or empty
    unsigned size = 0;   // Mem: access size in bytes if written (`DWORD PTR`), else 0
    std::string label;   // Label
};

struct ParsedInsn {
    bool lock = false;
    std::string rep;          // "rep", "repne" or empty
    std::string mnemonic;     // Zydis spelling, lower case ("mov", "jnz", "nop", "ret")
    unsigned suffix_size = 0; // AT&T size suffix in bytes (movl -> 4), or 0
    std::vector<Operand> ops; // Intel order
    bool is_branch() const;   // jmp / jcc / loop / jrcxz / call
};

// Parses one instruction (no label). Throws SyntaxError naming the offending token.
ParsedInsn parse_instruction(std::string_view text, Arch arch);

// The ZydisMnemonic (as an int, to keep Zydis out of this header) of a mnemonic returned in
// ParsedInsn::mnemonic; 0 if unknown (and for "ret", which the assembler handles itself).
int zydis_mnemonic(const std::string& mnemonic);

// Text helpers shared by the parser and the instruction syntax.
std::string lower(std::string_view s);
std::string_view trim(std::string_view s);

// A general-purpose register by name (case-insensitive, no '%'): rax..r15, eax..r15d, ax..r15w,
// al..r15b, ah/bh/ch/dh.
std::optional<RegisterRef> lookup_gpr(std::string_view name);

} // namespace smpsim::litmus
