// Assembles the threads of a litmus test into x86-64 machine code with Zydis's encoder.
//
// Encoding choices:
//  - Variables are absolute addresses from a layout (name -> address). By default a memory operand that
//    names a variable is encoded as [disp32] with a SIB byte and no base (ModRM mod=00 rm=100, SIB 0x25),
//    which is absolute in 64-bit mode: every variable must then lie below 2 GiB, and the code is position
//    independent. With AssembleOptions::rip_relative, operands without registers are RIP-relative to the
//    thread's code address instead (variables anywhere within +-2 GiB of the code).
//  - Registers in addresses (`[EAX]`, `0(%rax,%eax,8)`) are widened to their 64-bit register, so
//    addresses are 64-bit; herd's scale 0 (`(%rax,%eax,0)`) drops the index.
//  - Memory access size: `DWORD PTR` / the AT&T suffix / the size of a register operand / else 4 bytes
//    (herd's default `int`).
//  - Branches (`JNE L0`, `jmp L0x31`) go to labels of the same thread and are always rel32, so an
//    instruction's length never depends on where its label is. `RET` (herd: the thread ends) is a rel32
//    jump to the end of the thread's code, where the runner puts its epilogue.
//  - A label-only cell is a zero-length entry. AssembledThread::insns maps each table cell (index in
//    Thread::code) to its offset and length in the code, and back.
#pragma once
#include "sim/litmus/litmus_test.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace smpsim::litmus {

using Layout = std::map<std::string, u64>;

struct AssembleOptions {
    // Address of each thread's first byte (needed for RIP-relative operands; recorded either way).
    // Missing entries are 0.
    std::vector<u64> code_address;
    bool rip_relative = false;
};

struct AssembledInsn {
    size_t index = 0; // in Thread::code
    int line = 0;
    std::string label;
    std::string text;
    u32 offset = 0;
    u32 length = 0; // 0 for label-only cells
};

struct AssembledThread {
    int id = 0;
    u64 code_address = 0;
    std::vector<u8> code;
    std::vector<AssembledInsn> insns;
    std::map<std::string, u32> labels;               // label -> offset
    std::vector<std::pair<unsigned, u64>> init_regs; // (gpr, full 64-bit value) to load before the code
    std::vector<unsigned> observed_regs;             // gprs the final state reads (sorted)

    u32 offset_of(size_t index) const { return insns.at(index).offset; }
    // The table cell whose instruction covers `offset` (label-only cells never match); nullopt if none.
    std::optional<size_t> index_at(u32 offset) const;
    u32 end_offset() const { return static_cast<u32>(code.size()); }
};

struct MemoryInit {
    std::string var;
    unsigned index = 0; // array element
    u64 address = 0;
    unsigned size = 4; // bytes
    u64 value = 0;
};

// Where the runner reads each observed location (same order as LitmusTest::observed).
struct ObservedCell {
    bool is_register = false;
    int thread = -1;    // registers
    unsigned gpr = 0;   // registers
    unsigned shift = 0; // registers: 8 for AH/BH/CH/DH
    u64 address = 0;    // memory
    unsigned size = 8;  // memory: element size in bytes
};

struct AssembledTest {
    Layout layout;
    std::vector<AssembledThread> threads;
    std::vector<MemoryInit> memory;     // every element of every variable, in declaration order
    std::vector<ObservedCell> observed; // parallel to LitmusTest::observed

    // Reads a final state out of a register/memory snapshot.
    template <class RegFn, class MemFn> FinalState read_state(RegFn reg, MemFn mem) const {
        FinalState s;
        s.layout = &layout;
        for (const ObservedCell& c : observed)
            s.values.push_back(c.is_register ? (static_cast<u64>(reg(c.thread, c.gpr)) >> c.shift)
                                             : static_cast<u64>(mem(c.address, c.size)));
        return s;
    }
};

// A layout with each variable at its own `stride`-aligned slot from `base` (stride 64 = one cache line per
// variable; arrays larger than the stride take several slots).
Layout default_layout(const LitmusTest& test, u64 base = 0x100000, u64 stride = 64);

// Throws smpsim::InputError "FILE:LINE: cannot assemble 'TEXT' of PN: reason" for anything it cannot
// encode; every variable the test names must be in `layout`.
AssembledTest assemble(const LitmusTest& test, const Layout& layout, const AssembleOptions& options = {});

} // namespace smpsim::litmus
