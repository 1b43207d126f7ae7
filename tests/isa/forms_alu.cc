// Integer arithmetic and logic forms: ADD ADC SUB SBB AND OR XOR CMP TEST INC DEC NEG NOT, MUL, IMUL
// (one, two and three operands), DIV, IDIV. Slots list the destination first.
#include "tests/isa/isa_harness.h"

namespace smpsim::isa_test {
namespace {

constexpr u64 kMulUndef = kFlagSf | kFlagZf | kFlagAf | kFlagPf;
constexpr const char* kDivFaultWhy = "divisor 0 or quotient overflow: #DE (interpreter only)";

// Named masks of a family (masks.h): ADD ADC SUB SBB CMP define every flag; AND OR XOR TEST leave AF
// undefined.
Spec all_defined(const char* fam) {
    return Spec().fam(fam);
}
Spec logic(const char* fam) {
    return Spec().fam(fam).mask(Why::LogicAf, kFlagAf);
}
Spec mul(const char* fam) {
    return Spec().fam(fam).mask(Why::MulFlags, kMulUndef);
}

// Slot values of the divide forms: divisor, dividend low half (AX for 8-bit), dividend high half.
template <bool is_signed> void div_undef(unsigned size, const Case& c, Undef& u) {
    const unsigned w = size * 8;
    const u64 m = size >= 8 ? ~0ull : (1ull << w) - 1;
    const u64 d = c.vals[0] & m;
    if (d == 0) {
        u.fault = 0;
        return;
    }
    if (!is_signed) {
        unsigned __int128 dividend;
        if (size == 1)
            dividend = c.vals[1] & 0xffff;
        else
            dividend = ((unsigned __int128)(c.vals[2] & m) << w) | (c.vals[1] & m);
        if (dividend / d > m) u.fault = 0;
        return;
    }
    auto sx = [](u64 v, unsigned bits) {
        return bits >= 64 ? __int128(i64(v)) : __int128(i64(v << (64 - bits)) >> (64 - bits));
    };
    const __int128 sd = sx(d, w);
    __int128 dividend;
    if (size == 1) {
        dividend = sx(c.vals[1] & 0xffff, 16);
    } else {
        const unsigned __int128 raw = ((unsigned __int128)(c.vals[2] & m) << w) | (c.vals[1] & m);
        dividend = w == 64 ? __int128(raw) : (__int128(raw << (128 - 2 * w)) >> (128 - 2 * w));
    }
    const __int128 max_q = __int128(m >> 1), min_q = -max_q - 1;
    bool overflow;
    if (sd == -1)
        overflow = dividend < -max_q || dividend > -min_q; // -dividend must fit
    else {
        const __int128 q = dividend / sd;
        overflow = q > max_q || q < min_q;
    }
    if (overflow) u.fault = 0;
}

UndefFn divu(unsigned size) {
    return [size](const Case& c, Undef& u) { div_undef<false>(size, c, u); };
}
UndefFn divs(unsigned size) {
    return [size](const Case& c, Undef& u) { div_undef<true>(size, c, u); };
}
Spec divide(const char* fam, UndefFn fault) {
    return Spec().fam(fam).mask(Why::DivFlags, kArithFlags).faults(std::move(fault), kDivFaultWhy);
}

} // namespace

// ---- two-operand ALU ------------------------------------------------------------------------------------
#define ISA_ALU_COMMON(OP, FAM, SPEC)                                                                        \
    ISA(OP "b %cl, %al", SPEC(FAM).r(RAX, 1).r(RCX, 1))                                                      \
    ISA(OP "b %bh, %dl", SPEC(FAM).r(RDX, 1).r(BH, 1))                                                       \
    ISA(OP "b %dl, %ah", SPEC(FAM).r(AH, 1).r(RDX, 1))                                                       \
    ISA(OP "b %r9b, %sil", SPEC(FAM).r(RSI, 1).r(R9, 1))                                                     \
    ISA(OP "w %si, %di", SPEC(FAM).r(RDI, 2).r(RSI, 2))                                                      \
    ISA(OP "l %r9d, %ebp", SPEC(FAM).r(RBP, 4).r(R9, 4))                                                     \
    ISA(OP "q %r10, %r11", SPEC(FAM).r(R11, 8).r(R10, 8))                                                    \
    ISA(OP "b $0x81, %al", SPEC(FAM).r(RAX, 1))                                                              \
    ISA(OP "b $0x7f, %ch", SPEC(FAM).r(CH, 1))                                                               \
    ISA(OP "w $-3, %cx", SPEC(FAM).r(RCX, 2))                                                                \
    ISA(OP "w $0x8000, %ax", SPEC(FAM).r(RAX, 2))                                                            \
    ISA(OP "l $0x7fffffff, %eax", SPEC(FAM).r(RAX, 4))                                                       \
    ISA(OP "l $-128, %r13d", SPEC(FAM).r(R13, 4))                                                            \
    ISA(OP "q $-0x80000000, %r14", SPEC(FAM).r(R14, 8))                                                      \
    ISA(OP "q $0x7f, %rdx", SPEC(FAM).r(RDX, 8))                                                             \
    ISA(OP "l %eax, (%rbx)", SPEC(FAM).m(4).r(RAX, 4).base(RBX))                                             \
    ISA(OP "q 8(%r12), %rcx", SPEC(FAM).r(RCX, 8).m(8, 8).base(R12))                                         \
    ISA(OP "b $0x80, -1(%rsi,%rdi,2)", SPEC(FAM).m(1).base(RSI, -7).fix(RDI, 4))                             \
    ISA(OP "w %dx, 2(%r13)", SPEC(FAM).m(2, 2).r(RDX, 2).base(R13))                                          \
    ISA(OP "q $-2, (%rbx)", SPEC(FAM).m(8).base(RBX))
#define ISA_ALU_LOCK(OP, FAM, SPEC)                                                                          \
    ISA("lock " OP "l %ecx, (%rbx)", SPEC(FAM).m(4).r(RCX, 4).base(RBX))                                     \
    ISA("lock " OP "b $0x41, 3(%rbx)", SPEC(FAM).m(1, 3).base(RBX))

ISA_ALU_COMMON("add", "ADD", all_defined)
ISA_ALU_LOCK("add", "ADD", all_defined)
ISA_ALU_COMMON("adc", "ADC", all_defined)
ISA_ALU_LOCK("adc", "ADC", all_defined)
ISA_ALU_COMMON("sub", "SUB", all_defined)
ISA_ALU_LOCK("sub", "SUB", all_defined)
ISA_ALU_COMMON("sbb", "SBB", all_defined)
ISA_ALU_LOCK("sbb", "SBB", all_defined)
ISA_ALU_COMMON("and", "AND", logic)
ISA_ALU_LOCK("and", "AND", logic)
ISA_ALU_COMMON("or", "OR", logic)
ISA_ALU_LOCK("or", "OR", logic)
ISA_ALU_COMMON("xor", "XOR", logic)
ISA_ALU_LOCK("xor", "XOR", logic)
ISA_ALU_COMMON("cmp", "CMP", all_defined)

ISA("testb %cl, %al", logic("TEST").r(RAX, 1).r(RCX, 1))
ISA("testb %ah, %bh", logic("TEST").r(BH, 1).r(AH, 1))
ISA("testw %si, %di", logic("TEST").r(RDI, 2).r(RSI, 2))
ISA("testl %r8d, %edx", logic("TEST").r(RDX, 4).r(R8, 4))
ISA("testq %r15, %rbp", logic("TEST").r(RBP, 8).r(R15, 8))
ISA("testb $0x80, %al", logic("TEST").r(RAX, 1))
ISA("testw $0x8001, %si", logic("TEST").r(RSI, 2))
ISA("testl $0xffff0000, %ebx", logic("TEST").r(RBX, 4))
ISA("testq $-1, %r8", logic("TEST").r(R8, 8))
ISA("testl %eax, (%rbx)", logic("TEST").m(4).r(RAX, 4).base(RBX))
ISA("testb $0x11, 5(%rbx)", logic("TEST").m(1, 5).base(RBX))

// ---- one-operand ALU ------------------------------------------------------------------------------------
#define ISA_UNARY(OP, FAM)                                                                                   \
    ISA(OP "b %al", all_defined(FAM).r(RAX, 1))                                                              \
    ISA(OP "b %ch", all_defined(FAM).r(CH, 1))                                                               \
    ISA(OP "b %r10b", all_defined(FAM).r(R10, 1))                                                            \
    ISA(OP "w %si", all_defined(FAM).r(RSI, 2))                                                              \
    ISA(OP "l %r8d", all_defined(FAM).r(R8, 4))                                                              \
    ISA(OP "q %rdx", all_defined(FAM).r(RDX, 8))                                                             \
    ISA(OP "l (%rbx)", all_defined(FAM).m(4).base(RBX))                                                      \
    ISA(OP "w 6(%rbx)", all_defined(FAM).m(2, 6).base(RBX))                                                  \
    ISA("lock " OP "q (%rbx)", all_defined(FAM).m(8).base(RBX))                                              \
    ISA("lock " OP "b 1(%rbx)", all_defined(FAM).m(1, 1).base(RBX))

ISA_UNARY("inc", "INC")
ISA_UNARY("dec", "DEC")
ISA_UNARY("neg", "NEG")
ISA_UNARY("not", "NOT")

// ---- multiply ---------------------------------------------------------------------------------------------
#define ISA_MUL1(OP, FAM)                                                                                    \
    ISA(OP "b %cl", mul(FAM).r(RCX, 1).r(RAX, 1))                                                            \
    ISA(OP "b %ah", mul(FAM).r(AH, 1).r(RAX, 1))                                                             \
    ISA(OP "w %bx", mul(FAM).r(RBX, 2).r(RAX, 2))                                                            \
    ISA(OP "l %esi", mul(FAM).r(RSI, 4).r(RAX, 4))                                                           \
    ISA(OP "q %r9", mul(FAM).r(R9, 8).r(RAX, 8))                                                             \
    ISA(OP "q (%rbx)", mul(FAM).m(8).r(RAX, 8).base(RBX))                                                    \
    ISA(OP "b 3(%rbx)", mul(FAM).m(1, 3).r(RAX, 1).base(RBX))

ISA_MUL1("mul", "MUL")
ISA_MUL1("imul", "IMUL")

ISA("imulw %cx, %dx", mul("IMUL").r(RDX, 2).r(RCX, 2))
ISA("imull %r8d, %eax", mul("IMUL").r(RAX, 4).r(R8, 4))
ISA("imulq %rsi, %rdi", mul("IMUL").r(RDI, 8).r(RSI, 8))
ISA("imull (%rbx), %ecx", mul("IMUL").r(RCX, 4).m(4).base(RBX))
ISA("imulq 8(%rbx), %r15", mul("IMUL").r(R15, 8).m(8, 8).base(RBX))
ISA("imulw $-5, %cx, %dx", mul("IMUL").r(RCX, 2))
ISA("imulw $0x7fff, %ax, %ax", mul("IMUL").r(RAX, 2))
ISA("imull $0x12345, %esi, %eax", mul("IMUL").r(RSI, 4))
ISA("imull $100, (%rbx), %edx", mul("IMUL").m(4).base(RBX))
ISA("imulq $-2, %r8, %r9", mul("IMUL").r(R8, 8))
ISA("imulq $0x7fffffff, %rax, %rax", mul("IMUL").r(RAX, 8))
ISA("imulq $-0x80000000, 8(%rbx), %rcx", mul("IMUL").m(8, 8).base(RBX))

// ---- divide ---------------------------------------------------------------------------------------------
#define ISA_DIV(OP, FAM, FN)                                                                                 \
    ISA(OP "b %cl", divide(FAM, FN(1)).r(RCX, 1).r(RAX, 2))                                                  \
    ISA(OP "b %bh", divide(FAM, FN(1)).r(BH, 1).r(RAX, 2))                                                   \
    ISA(OP "w %bx", divide(FAM, FN(2)).r(RBX, 2).r(RAX, 2).r(RDX, 2, Vals::DivHigh))                         \
    ISA(OP "l %esi", divide(FAM, FN(4)).r(RSI, 4).r(RAX, 4).r(RDX, 4, Vals::DivHigh))                        \
    ISA(OP "q %r10", divide(FAM, FN(8)).r(R10, 8).r(RAX, 8).r(RDX, 8, Vals::DivHigh))                        \
    ISA(OP "b 1(%rbx)", divide(FAM, FN(1)).m(1, 1).r(RAX, 2).base(RBX))                                      \
    ISA(OP "l (%rbx)", divide(FAM, FN(4)).m(4).r(RAX, 4).r(RDX, 4, Vals::DivHigh).base(RBX))                 \
    ISA(OP "q 8(%rbx)", divide(FAM, FN(8)).m(8, 8).r(RAX, 8).r(RDX, 8, Vals::DivHigh).base(RBX))

ISA_DIV("div", "DIV", divu)
ISA_DIV("idiv", "IDIV", divs)

} // namespace smpsim::isa_test
