// smpsim's chosen behaviour wherever the Intel SDM or AMD's APM leave a result undefined, or Intel and
// AMD CPUs differ (each reason in masks.h, where the differential tests mask it). The differential
// tests cannot check these against the host, so each behaviour is pinned here by a table of
// instructions with written-out inputs and outputs, run in the interpreter only: the same on every
// CI machine, whatever CPU it has.
//
// What smpsim does (and why that choice):
//   logic-af        AND/OR/XOR/TEST clear AF (as QEMU, and as the flags of a logic op are otherwise
//                   all defined as 0 for CF and OF).
//   mul-flags       MUL/IMUL: SF, ZF, PF of the low half of the product, AF = 0 (as QEMU).
//   div-flags       DIV/IDIV leave all six flags unchanged (as QEMU).
//   shift-af        SHL/SHR/SAR/SHLD/SHRD with count != 0 clear AF (as QEMU).
//   shift-of        count > 1: the SDM's count-1 formula on the final state: SHL OF = MSB(result) ^ CF,
//                   ROL OF = MSB(result) ^ CF, ROR OF = result[w-1] ^ result[w-2], RCL OF =
//                   MSB(result) ^ CF, RCR OF = MSB(destination before) ^ CF before; SHR and SAR: OF = 0;
//                   SHLD/SHRD: OF = sign change of the destination.
//   shift-cf-wide   SHL/SHR of an 8/16-bit operand by >= its width: CF = the last bit shifted out of
//                   the zero-extended value (bit 0 / the top bit at count = width, 0 beyond).
//   shd-wide        SHLD/SHRD r/m16 with count 17..31 shift the 48-bit A:B:A (destination, source,
//                   destination), Intel's behaviour as QEMU documents it; flags as for smaller counts.
//   bt-flags        BT/BTS/BTR/BTC leave OF, SF, AF, PF (and ZF) unchanged.
//   bsf-flags       BSF/BSR leave CF, OF, SF, AF, PF unchanged; ZF = (source == 0).
//   bsf-zero-upper  BSF/BSR with source 0 leave the destination's value; a 32-bit destination is
//                   written back, clearing bits 63:32 (Intel's behaviour; AMD keeps the register whole).
//   host-tzcnt      F3 0F BC / F3 0F BD are BSF / BSR with an ignored REP, since smpsim's CPUID reports
//                   neither BMI1 nor ABM (as on the Nehalem-class CPU it describes).
//   rep-addr32-...  REP with a 32-bit address size and ECX = 0 writes nothing: RCX, RSI, RDI keep bits
//                   63:32 (the SDM's pseudo-code; AMD CPUs and QEMU agree).
#include "sim/cpu/cpu.h"
#include "tests/isa/isa_harness.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

namespace smpsim::isa_test {
namespace {

std::map<std::string, Form>& pinned_forms() {
    static std::map<std::string, Form> forms;
    return forms;
}

bool add_pinned(const char* insn, const unsigned char* begin, const unsigned char* end) {
    pinned_forms().emplace(insn, make_form(insn, begin, end));
    return true;
}

} // namespace
} // namespace smpsim::isa_test

// PIN("insn"): assembles an instruction for the tables below (not a differential form).
#define PIN_DEFINE_(n, insn)                                                                                 \
    asm(".pushsection .rodata.isa_pinned,\"a\"\n"                                                            \
        "isa_pin_" #n ":\n\t" insn "\n"                                                                      \
        "isa_pin_end_" #n ":\n"                                                                              \
        ".popsection\n");                                                                                    \
    extern "C" const unsigned char ISA_CAT_(isa_pin_, n)[], ISA_CAT_(isa_pin_end_, n)[];                     \
    [[maybe_unused]] static const bool ISA_CAT_(isa_pin_registered_, n) =                                    \
        ::smpsim::isa_test::add_pinned(insn, ISA_CAT_(isa_pin_, n), ISA_CAT_(isa_pin_end_, n));
#define PIN_EXPAND_(n, insn) PIN_DEFINE_(n, insn)
#define PIN(insn) PIN_EXPAND_(__COUNTER__, insn)

PIN("andb %cl, %al")
PIN("orl %ecx, %eax")
PIN("xorq %rcx, %rax")
PIN("testw %cx, %ax")
PIN("mulb %cl")
PIN("mull %ecx")
PIN("imull %ecx")
PIN("imulq %rcx, %rax")
PIN("divl %ecx")
PIN("idivb %cl")
PIN("shlb %cl, %dl")
PIN("shlw %cl, %ax")
PIN("shrb %cl, %dl")
PIN("shrl %cl, %eax")
PIN("sarb %cl, %dl")
PIN("rolb %cl, %dl")
PIN("rorl %cl, %eax")
PIN("rclb %cl, %dl")
PIN("rcrw %cl, %ax")
PIN("shldw %cl, %dx, %ax")
PIN("shrdw %cl, %dx, %ax")
PIN("shldl $4, %edx, %eax")
PIN("btl %ecx, %eax")
PIN("btsq %rcx, %rax")
PIN("bsfl %ecx, %eax")
PIN("bsfq %rcx, %rax")
PIN("bsrw %cx, %ax")
PIN("bsrl %ecx, %eax")
PIN(".byte 0xf3, 0x0f, 0xbc, 0xc1")       // rep bsf %ecx, %eax (TZCNT on CPUs with BMI1)
PIN(".byte 0xf3, 0x0f, 0xbd, 0xc1")       // rep bsr %ecx, %eax (LZCNT on CPUs with ABM)
PIN(".byte 0xf3, 0x48, 0x0f, 0xbd, 0xc1") // rep bsr %rcx, %rax
PIN("addr32 rep movsb")
PIN("addr32 rep stosl")
PIN("addr32 repe cmpsw")

namespace smpsim::isa_test {
namespace {

constexpr u64 CF = kFlagCf, PF = kFlagPf, AF = kFlagAf, ZF = kFlagZf, SF = kFlagSf, OF = kFlagOf;
constexpr u64 kAll6 = CF | PF | AF | ZF | SF | OF;
constexpr u64 kSrc = kDataAddr + 0x1800, kDst = kDataAddr + 0x2800; // string operands in the buffer

struct Row {
    const char* why; // masks.h name of the behaviour this row pins
    const char* insn;
    std::vector<std::pair<u8, u64>> in; // registers; the others hold a fixed filler
    u64 flags_in;
    std::vector<std::pair<u8, u64>> out; // registers that change (all 64 bits); the others must not
    u64 flags_out;                       // the six arithmetic flags afterwards
};

// clang-format off
const std::vector<Row> kRows = {
    // AND/OR/XOR/TEST: AF cleared, CF and OF cleared (defined), SF ZF PF of the result.
    {"logic-af", "andb %cl, %al", {{RAX, 0x0f}, {RCX, 0xf0}}, AF | CF | OF, {{RAX, 0x00}}, ZF | PF},
    {"logic-af", "orl %ecx, %eax", {{RAX, 0xffffffff00000010}, {RCX, 0x08}}, AF | CF | OF, {{RAX, 0x18}}, PF},
    {"logic-af", "xorq %rcx, %rax", {{RAX, 0x8000000000000000}, {RCX, 1}}, AF, {{RAX, 0x8000000000000001}}, SF},
    {"logic-af", "testw %cx, %ax", {{RAX, 0xffff}, {RCX, 0x8000}}, AF | ZF, {}, SF | PF},
    // MUL/IMUL: CF = OF = high half significant; SF ZF PF of the low half; AF = 0.
    {"mul-flags", "mulb %cl", {{RAX, 0x10}, {RCX, 0x10}}, AF | SF, {{RAX, 0x100}}, CF | OF | ZF | PF},
    {"mul-flags", "mull %ecx", {{RAX, 0x80000000}, {RCX, 1}, {RDX, ~0ull}}, AF | ZF, {{RDX, 0}}, SF | PF},
    {"mul-flags", "imull %ecx", {{RAX, 0x7fffffff}, {RCX, 2}, {RDX, ~0ull}}, AF | PF, {{RAX, 0xfffffffe}, {RDX, 0}}, CF | OF | SF},
    {"mul-flags", "imulq %rcx, %rax", {{RAX, ~0ull}, {RCX, ~0ull}}, ZF | AF | SF | PF, {{RAX, 1}}, 0},
    // DIV/IDIV: flags unchanged.
    {"div-flags", "divl %ecx", {{RAX, 100}, {RCX, 7}, {RDX, 0}}, kAll6, {{RAX, 14}, {RDX, 2}}, kAll6},
    {"div-flags", "divl %ecx", {{RAX, 100}, {RCX, 7}, {RDX, 0}}, 0, {{RAX, 14}, {RDX, 2}}, 0},
    {"div-flags", "idivb %cl", {{RAX, 0xff9c}, {RCX, 7}}, SF | PF, {{RAX, 0xfef2}}, SF | PF},
    // SHL: OF = MSB(result) ^ CF at every count; AF = 0.
    {"shift-of", "shlb %cl, %dl", {{RDX, 0x61}, {RCX, 2}}, AF | OF, {{RDX, 0x84}}, CF | SF | PF},
    {"shift-of", "shlb %cl, %dl", {{RDX, 0x21}, {RCX, 2}}, AF, {{RDX, 0x84}}, OF | SF | PF},
    {"shift-af", "shlb %cl, %dl", {{RDX, 0x01}, {RCX, 1}}, AF, {{RDX, 0x02}}, 0},
    // SHR, SAR: OF = 0 for counts > 1 (even where the operand's sign bit was set).
    {"shift-of", "shrl %cl, %eax", {{RAX, 0xffffffff80000003}, {RCX, 2}}, AF | OF, {{RAX, 0x20000000}}, CF | PF},
    {"shift-of", "sarb %cl, %dl", {{RDX, 0x81}, {RCX, 10}}, AF | OF, {{RDX, 0xff}}, CF | SF | PF},
    // SHL/SHR by >= the width of an 8/16-bit operand: CF = bit 0 / the top bit at count = width, 0 beyond.
    {"shift-cf-wide", "shlw %cl, %ax", {{RAX, 0x0001}, {RCX, 16}}, 0, {{RAX, 0}}, CF | OF | ZF | PF},
    {"shift-cf-wide", "shlb %cl, %dl", {{RDX, 0xff}, {RCX, 9}}, CF, {{RDX, 0}}, ZF | PF},
    {"shift-cf-wide", "shrb %cl, %dl", {{RDX, 0x80}, {RCX, 8}}, AF, {{RDX, 0}}, CF | ZF | PF},
    {"shift-cf-wide", "shrb %cl, %dl", {{RDX, 0xff}, {RCX, 12}}, CF | OF, {{RDX, 0}}, ZF | PF},
    // Rotates: the count-1 OF formula at every count; SF ZF AF PF untouched.
    {"shift-of", "rolb %cl, %dl", {{RDX, 0x41}, {RCX, 2}}, ZF | AF | PF | SF, {{RDX, 0x05}}, ZF | AF | PF | SF | CF | OF},
    {"shift-of", "rorl %cl, %eax", {{RAX, 0xffffffff00000003}, {RCX, 2}}, OF, {{RAX, 0xc0000000}}, CF},
    {"shift-of", "rclb %cl, %dl", {{RDX, 0x80}, {RCX, 2}}, CF | OF, {{RDX, 0x03}}, 0},
    {"shift-of", "rcrw %cl, %ax", {{RAX, 0x8001}, {RCX, 3}}, 0, {{RAX, 0x5000}}, OF},
    // SHLD/SHRD: OF = sign change; AF = 0; a 16-bit count > 16 shifts A:B:A.
    {"shift-of", "shldl $4, %edx, %eax", {{RAX, 0x08000000}, {RDX, 0xf0000000}}, AF, {{RAX, 0x8000000f}}, OF | SF | PF},
    {"shd-wide", "shldw %cl, %dx, %ax", {{RAX, 0x1234}, {RDX, 0x5678}, {RCX, 20}}, AF | OF, {{RAX, 0x6781}}, CF | PF},
    {"shd-wide", "shrdw %cl, %dx, %ax", {{RAX, 0x1234}, {RDX, 0x5678}, {RCX, 20}}, AF | OF | PF, {{RAX, 0x4567}}, CF},
    // BT*: only CF changes.
    {"bt-flags", "btl %ecx, %eax", {{RAX, 0xffffffff00000004}, {RCX, 2}}, OF | SF | AF | PF | ZF, {}, kAll6},
    {"bt-flags", "btsq %rcx, %rax", {{RAX, 0}, {RCX, 63}}, kAll6, {{RAX, 0x8000000000000000}}, kAll6 & ~CF},
    // BSF/BSR: ZF = (source == 0), the other flags unchanged; a zero source keeps the destination's
    // value (a 32-bit destination is written back: bits 63:32 cleared).
    {"bsf-zero-upper", "bsfl %ecx, %eax", {{RAX, 0xaaaaaaaa12345678}, {RCX, 0}}, CF | PF, {{RAX, 0x12345678}}, ZF | CF | PF},
    {"bsf-flags", "bsfq %rcx, %rax", {{RAX, 0x1122334455667788}, {RCX, 0}}, SF | OF, {}, SF | OF | ZF},
    {"bsf-flags", "bsrw %cx, %ax", {{RAX, 0xffffffffffff1234}, {RCX, 0xffff0000}}, 0, {}, ZF},
    {"bsf-flags", "bsrl %ecx, %eax", {{RAX, ~0ull}, {RCX, 0x00010000}}, ZF | CF | AF, {{RAX, 16}}, CF | AF},
    {"bsf-flags", "bsfq %rcx, %rax", {{RAX, ~0ull}, {RCX, 0x100}}, ZF | SF, {{RAX, 8}}, SF},
    // F3 0F BC/BD: BSF/BSR (TZCNT would give 32 and CF = 1; LZCNT 27 and 64).
    {"host-tzcnt", ".byte 0xf3, 0x0f, 0xbc, 0xc1", {{RAX, 0xaaaaaaaa12345678}, {RCX, 0}}, 0, {{RAX, 0x12345678}}, ZF},
    {"host-tzcnt", ".byte 0xf3, 0x0f, 0xbc, 0xc1", {{RAX, ~0ull}, {RCX, 1}}, ZF, {{RAX, 0}}, 0},
    {"host-tzcnt", ".byte 0xf3, 0x0f, 0xbd, 0xc1", {{RAX, ~0ull}, {RCX, 0x10}}, 0, {{RAX, 4}}, 0},
    {"host-tzcnt", ".byte 0xf3, 0x48, 0x0f, 0xbd, 0xc1", {{RAX, 0x1234}, {RCX, 0}}, CF, {}, CF | ZF},
    // REP with 32-bit addresses: ECX = 0 writes nothing (bits 63:32 of RCX RSI RDI kept, flags kept);
    // ECX != 0 writes ECX, ESI, EDI as 32-bit registers.
    {"rep-addr32-count0", "addr32 rep movsb", {{RCX, 0xdeadbeef00000000}, {RSI, 0xaaaa000000000000 | kSrc}, {RDI, 0x5555000000000000 | kDst}}, CF, {}, CF},
    {"rep-addr32-count0", "addr32 rep stosl", {{RCX, 0xdeadbeef00000000}, {RSI, 0xaaaa000000000000 | kSrc}, {RDI, 0x5555000000000000 | kDst}}, 0, {}, 0},
    {"rep-addr32-count0", "addr32 repe cmpsw", {{RCX, 0xdeadbeef00000000}, {RSI, 0xaaaa000000000000 | kSrc}, {RDI, 0x5555000000000000 | kDst}}, ZF | AF, {}, ZF | AF},
    {"rep-addr32-count0", "addr32 rep movsb", {{RCX, 0xdeadbeef00000002}, {RSI, 0xaaaa000000000000 | kSrc}, {RDI, 0x5555000000000000 | kDst}}, 0, {{RCX, 0}, {RSI, kSrc + 2}, {RDI, kDst + 2}}, 0},
};
// clang-format on

std::string flag_names(u64 f) {
    std::string s;
    const std::pair<u64, const char*> names[] = {{CF, "CF"}, {PF, "PF"}, {AF, "AF"},
                                                 {ZF, "ZF"}, {SF, "SF"}, {OF, "OF"}};
    for (const auto& [bit, name] : names)
        if (f & bit) s += std::string(s.empty() ? "" : " ") + name;
    return s.empty() ? "-" : s;
}

TEST(IsaPinned, UndefinedResultsFollowTheChosenBehaviour) {
    std::set<std::string> reasons_pinned;
    for (const Row& row : kRows) {
        const auto it = pinned_forms().find(row.insn);
        ASSERT_NE(it, pinned_forms().end()) << row.insn << " is not assembled (PIN it)";
        Case c;
        for (unsigned i = 0; i < 16; ++i)
            c.gpr[i] = 0x0123456789abcd00ull + i; // filler that must come out unchanged
        for (const auto& [reg, v] : row.in)
            c.gpr[reg] = v;
        c.rflags = 0x202 | row.flags_in;
        u64 expect[16];
        std::copy(c.gpr, c.gpr + 16, expect);
        for (const auto& [reg, v] : row.out)
            expect[reg] = v;
        const InterpResult r = run_interpreter(it->second, c);
        std::ostringstream where;
        where << row.insn << " [" << row.why << "] with inputs";
        for (const auto& [reg, v] : row.in)
            where << " r" << unsigned(reg) << "=0x" << std::hex << v;
        where << ", flags " << flag_names(row.flags_in);
        EXPECT_EQ(r.vector, -1) << where.str() << ": raised an exception";
        for (unsigned i = 0; i < 16; ++i) {
            if (i == RSP) continue;
            EXPECT_EQ(r.gpr[i], expect[i]) << where.str() << ": register " << i << " is 0x" << std::hex
                                           << r.gpr[i] << ", expected 0x" << expect[i];
        }
        EXPECT_EQ(r.rflags & kArithFlags, row.flags_out)
            << where.str() << ": flags " << flag_names(r.rflags & kArithFlags) << ", expected "
            << flag_names(row.flags_out);
        reasons_pinned.insert(row.why);
    }
    // Every reason the differential tests mask has its chosen behaviour pinned here.
    for (const MaskReason& m : kMaskReasons)
        EXPECT_TRUE(reasons_pinned.count(m.name)) << m.name << " is masked but not pinned";
}

// host-tzcnt rests on smpsim's CPUID: F3 0F BC/BD are BSF/BSR only on a CPU without BMI1 and ABM.
TEST(IsaPinned, CpuidReportsNeitherBmi1NorAbm) {
    EXPECT_EQ(cpu::cpuid_query(7, 0, 0).ebx & (1u << 3), 0u) << "CPUID.7.0:EBX.BMI1 set: F3 0F BC is TZCNT";
    EXPECT_EQ(cpu::cpuid_query(0x80000001, 0, 0).ecx & (1u << 5), 0u)
        << "CPUID.80000001:ECX.ABM set: F3 0F BD "
           "is LZCNT";
}

} // namespace
} // namespace smpsim::isa_test
