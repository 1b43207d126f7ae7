// Differential ISA tests: every instruction form is assembled once (by the host assembler, from the
// AT&T string in its table entry), executed natively on the host CPU and in the interpreter from the
// same register, flag and memory state, and the results are compared.
//
// Layout shared by both worlds (the same addresses natively and in the interpreter):
//   kCodeAddr  one page holding the instruction under test (natively followed by a jump back into the
//              harness), so RIP-relative operands mean the same thing in both worlds;
//   kDataAddr  the data buffer memory operands and string instructions point into.
// The interpreter additionally has low RAM with a GDT, an IDT and a HLT per exception vector, so that a
// fault (#DE from DIV/IDIV) is delivered and identified by the handler that ran.
//
// RSP is not an operand of any form: the native stub runs on the real stack. PUSH/POP/CALL/RET/ENTER/
// LEAVE are therefore left out of the differential suite; the boot and integration tests cover them.
#pragma once
#include "sim/core/types.h"
#include "sim/cpu/cpu_state.h"
#include "tests/isa/masks.h"

#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

namespace smpsim::isa_test {

using cpu::kArithFlags;
using cpu::kFlagAf;
using cpu::kFlagCf;
using cpu::kFlagDf;
using cpu::kFlagOf;
using cpu::kFlagPf;
using cpu::kFlagSf;
using cpu::kFlagZf;

inline constexpr u64 kCodeAddr = 0x0f000000;
inline constexpr u64 kDataAddr = 0x10000000;
inline constexpr u64 kDataSize = 0x4000;
inline constexpr u64 kMemOff = 0x2000; // where a form's memory operand lives in the buffer
inline constexpr u64 kMemAddr = kDataAddr + kMemOff;
inline constexpr u64 kStrSrcOff = 0x1800; // RSI of string forms
inline constexpr u64 kStrDstOff = 0x2800; // RDI of string forms

// Register indices as in cpu_state.h; AH..BH are 16..19 (as in the interpreter's decoded operands).
enum Reg : u8 {
    RAX,
    RCX,
    RDX,
    RBX,
    RSP,
    RBP,
    RSI,
    RDI,
    R8,
    R9,
    R10,
    R11,
    R12,
    R13,
    R14,
    R15,
    AH,
    CH,
    DH,
    BH
};

// What values a slot takes.
enum class Vals : u8 {
    Edge,      // 0, 1, -1, min, max, sign boundaries 0x7f/0x80/0x7fff/0x8000..., plus 32 random values
    Count,     // shift/rotate counts: 0, 1, 2, w-1, w, w+1, 31, 32, 33, 63, 64, 255 (+ random)
    BitOff,    // bit offsets for BT* with a register destination (any value, masked by the CPU)
    BitOffMem, // signed bit offsets for BT* with a memory destination, within the data buffer
    Flags,     // all 64 combinations of CF PF AF ZF SF OF (slot of kind Flags)
    Df,        // DF = 0 and DF = 1 (slot of kind Flags)
    StrCount,  // RCX of string forms: 0..64
    StrPos,    // element index where a string comparison stops (or none)
    All8,      // 0..255
    Rand,      // 4 random values
    DivHigh,   // high half of a dividend: 0, 1, -1, sign bit, small random
};

struct Slot {
    enum Kind : u8 { Reg, Mem, Flags, Param } kind;
    u8 reg = 0;  // Reg: index (AH..BH for high bytes)
    u8 size = 8; // bytes
    Vals vals = Vals::Edge;
    i32 off = 0; // Mem: offset from kMemAddr
};

// One concrete input: registers, flags, data buffer, and the slot values it was built from.
struct Case {
    u64 gpr[16] = {};
    u64 rflags = 0x202;
    std::vector<u8> buf;
    std::vector<u64> vals; // one per slot
};

// What the SDM leaves undefined for one case (masked in the comparison), or that the case must fault.
struct Undef {
    u64 flags = 0;
    u64 gpr[16] = {}; // bits of each register that are undefined
    bool mem = false; // the memory operand's bytes are undefined
    int fault = -1;   // >= 0: natively this would raise that vector; check the interpreter does
};

using UndefFn = std::function<void(const Case&, Undef&)>;
using PrepFn = std::function<void(Case&)>;

// One named reason (masks.h) applied to a form: flags always masked, and/or a case-dependent part.
struct MaskUse {
    Why why;
    u64 flags = 0;
    UndefFn fn;
};

struct Spec {
    std::vector<Slot> slots;
    std::vector<std::pair<u8, u64>> fixed; // registers with fixed values (memory bases, indexes)
    std::vector<MaskUse> masks;            // what is not compared, and why
    UndefFn fault;                         // cases that must fault (natively a signal)
    std::string fault_why;
    PrepFn prep; // final touches to a case (string buffers)
    std::string family;

    Spec& fam(std::string f) {
        family = std::move(f);
        return *this;
    }
    Spec& r(u8 reg, unsigned size, Vals v = Vals::Edge) {
        slots.push_back({Slot::Reg, reg, u8(size), v, 0});
        return *this;
    }
    Spec& m(unsigned size, i32 off = 0, Vals v = Vals::Edge) {
        slots.push_back({Slot::Mem, 0, u8(size), v, off});
        return *this;
    }
    Spec& flags(Vals v = Vals::Flags) {
        slots.push_back({Slot::Flags, 0, 0, v, 0});
        return *this;
    }
    Spec& param(Vals v) {
        slots.push_back({Slot::Param, 0, 0, v, 0});
        return *this;
    }
    // A register holding the address of the memory operand (kMemAddr + disp).
    Spec& base(u8 reg, i64 disp = 0) {
        fixed.push_back({reg, kMemAddr + u64(disp)});
        return *this;
    }
    Spec& fix(u8 reg, u64 v) {
        fixed.push_back({reg, v});
        return *this;
    }
    // Flags never compared, for the named reason.
    Spec& mask(Why w, u64 f) {
        masks.push_back({w, f, {}});
        return *this;
    }
    // Parts masked case by case, for the named reason.
    Spec& mask(Why w, UndefFn f) {
        masks.push_back({w, 0, std::move(f)});
        return *this;
    }
    // Cases that raise an exception natively: the interpreter must deliver Undef::fault.
    Spec& faults(UndefFn f, std::string reason) {
        fault = std::move(f);
        fault_why = std::move(reason);
        return *this;
    }
    Spec& prepare(PrepFn f) {
        prep = std::move(f);
        return *this;
    }
    // The masked parts and expected faults, as one line for the log.
    std::string why() const;
};

struct Form {
    std::string insn; // AT&T text as assembled
    std::string name; // readable identifier for the test name
    const u8* code;
    unsigned length;
    Spec spec;
};

std::vector<Form>& registry();
// Builds a form from machine code without registering it (pinned_test.cc: interpreter-only forms).
Form make_form(const char* insn, const unsigned char* begin, const unsigned char* end);

// One case run in the interpreter only, with no host CPU involved: pinned_test.cc checks smpsim's chosen
// behaviour for what the manuals leave undefined from tables of written-out values.
struct InterpResult {
    u64 gpr[16];
    u64 rflags;
    int vector; // exception vector delivered, or -1
};
InterpResult run_interpreter(const Form& f, const Case& c);

// "AuthenticAMD family 0x1a model 0x11 stepping 0 (AMD EPYC ...)": where the differential tests ran.
std::string host_cpu_description();

void PrintTo(const Form* f, std::ostream* os);
bool register_form(const char* insn, const unsigned char* begin, const unsigned char* end, Spec spec);

} // namespace smpsim::isa_test

// ISA("addl %ecx, %eax", Spec().fam("ADD").r(RAX, 4).r(RCX, 4))
// Assembles the instruction into .rodata between two labels and registers the form.
#define ISA_CAT_(a, b) a##b
#define ISA_DEFINE_(n, insn, ...)                                                                            \
    asm(".pushsection .rodata.isa_forms,\"a\"\n"                                                             \
        "isa_code_" #n ":\n\t" insn "\n"                                                                     \
        "isa_code_end_" #n ":\n"                                                                             \
        ".popsection\n");                                                                                    \
    extern "C" const unsigned char ISA_CAT_(isa_code_, n)[], ISA_CAT_(isa_code_end_, n)[];                   \
    [[maybe_unused]] static const bool ISA_CAT_(isa_registered_, n) = ::smpsim::isa_test::register_form(     \
        insn, ISA_CAT_(isa_code_, n), ISA_CAT_(isa_code_end_, n), __VA_ARGS__);
#define ISA_EXPAND_(n, insn, ...) ISA_DEFINE_(n, insn, __VA_ARGS__)
#define ISA(insn, ...) ISA_EXPAND_(__COUNTER__, insn, __VA_ARGS__)
