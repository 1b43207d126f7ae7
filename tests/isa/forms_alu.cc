// Integer arithmetic and logic forms: ADD ADC SUB SBB AND OR XOR CMP TEST INC DEC NEG NOT, MUL, IMUL
// (one, two and three operands), DIV, IDIV. Slots list the destination first.
#include "tests/isa/isa_harness.h"

namespace smpsim::isa_test {
namespace {

constexpr const char* kAllDefined = "";
constexpr const char* kLogicWhy = "AND/OR/XOR/TEST: AF undefined";
constexpr const char* kMulWhy = "MUL/IMUL: SF ZF AF PF undefined";
constexpr const char* kDivWhy =
    "DIV/IDIV: CF OF SF ZF AF PF undefined; divisor 0 or quotient overflow: #DE (interpreter only)";

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

} // namespace

// ---- two-operand ALU ------------------------------------------------------------------------------------
#define ISA_ALU_COMMON(OP, FAM, UND, WHY)                                                                    \
    ISA(OP "b %cl, %al", Spec().fam(FAM).r(RAX, 1).r(RCX, 1).und(UND, WHY))                                  \
    ISA(OP "b %bh, %dl", Spec().fam(FAM).r(RDX, 1).r(BH, 1).und(UND, WHY))                                   \
    ISA(OP "b %dl, %ah", Spec().fam(FAM).r(AH, 1).r(RDX, 1).und(UND, WHY))                                   \
    ISA(OP "b %r9b, %sil", Spec().fam(FAM).r(RSI, 1).r(R9, 1).und(UND, WHY))                                 \
    ISA(OP "w %si, %di", Spec().fam(FAM).r(RDI, 2).r(RSI, 2).und(UND, WHY))                                  \
    ISA(OP "l %r9d, %ebp", Spec().fam(FAM).r(RBP, 4).r(R9, 4).und(UND, WHY))                                 \
    ISA(OP "q %r10, %r11", Spec().fam(FAM).r(R11, 8).r(R10, 8).und(UND, WHY))                                \
    ISA(OP "b $0x81, %al", Spec().fam(FAM).r(RAX, 1).und(UND, WHY))                                          \
    ISA(OP "b $0x7f, %ch", Spec().fam(FAM).r(CH, 1).und(UND, WHY))                                           \
    ISA(OP "w $-3, %cx", Spec().fam(FAM).r(RCX, 2).und(UND, WHY))                                            \
    ISA(OP "w $0x8000, %ax", Spec().fam(FAM).r(RAX, 2).und(UND, WHY))                                        \
    ISA(OP "l $0x7fffffff, %eax", Spec().fam(FAM).r(RAX, 4).und(UND, WHY))                                   \
    ISA(OP "l $-128, %r13d", Spec().fam(FAM).r(R13, 4).und(UND, WHY))                                        \
    ISA(OP "q $-0x80000000, %r14", Spec().fam(FAM).r(R14, 8).und(UND, WHY))                                  \
    ISA(OP "q $0x7f, %rdx", Spec().fam(FAM).r(RDX, 8).und(UND, WHY))                                         \
    ISA(OP "l %eax, (%rbx)", Spec().fam(FAM).m(4).r(RAX, 4).base(RBX).und(UND, WHY))                         \
    ISA(OP "q 8(%r12), %rcx", Spec().fam(FAM).r(RCX, 8).m(8, 8).base(R12).und(UND, WHY))                     \
    ISA(OP "b $0x80, -1(%rsi,%rdi,2)", Spec().fam(FAM).m(1).base(RSI, -7).fix(RDI, 4).und(UND, WHY))         \
    ISA(OP "w %dx, 2(%r13)", Spec().fam(FAM).m(2, 2).r(RDX, 2).base(R13).und(UND, WHY))                      \
    ISA(OP "q $-2, (%rbx)", Spec().fam(FAM).m(8).base(RBX).und(UND, WHY))
#define ISA_ALU_LOCK(OP, FAM, UND, WHY)                                                                      \
    ISA("lock " OP "l %ecx, (%rbx)", Spec().fam(FAM).m(4).r(RCX, 4).base(RBX).und(UND, WHY))                 \
    ISA("lock " OP "b $0x41, 3(%rbx)", Spec().fam(FAM).m(1, 3).base(RBX).und(UND, WHY))

ISA_ALU_COMMON("add", "ADD", 0, kAllDefined)
ISA_ALU_LOCK("add", "ADD", 0, kAllDefined)
ISA_ALU_COMMON("adc", "ADC", 0, kAllDefined)
ISA_ALU_LOCK("adc", "ADC", 0, kAllDefined)
ISA_ALU_COMMON("sub", "SUB", 0, kAllDefined)
ISA_ALU_LOCK("sub", "SUB", 0, kAllDefined)
ISA_ALU_COMMON("sbb", "SBB", 0, kAllDefined)
ISA_ALU_LOCK("sbb", "SBB", 0, kAllDefined)
ISA_ALU_COMMON("and", "AND", kFlagAf, kLogicWhy)
ISA_ALU_LOCK("and", "AND", kFlagAf, kLogicWhy)
ISA_ALU_COMMON("or", "OR", kFlagAf, kLogicWhy)
ISA_ALU_LOCK("or", "OR", kFlagAf, kLogicWhy)
ISA_ALU_COMMON("xor", "XOR", kFlagAf, kLogicWhy)
ISA_ALU_LOCK("xor", "XOR", kFlagAf, kLogicWhy)
ISA_ALU_COMMON("cmp", "CMP", 0, kAllDefined)

ISA("testb %cl, %al", Spec().fam("TEST").r(RAX, 1).r(RCX, 1).und(kFlagAf, kLogicWhy))
ISA("testb %ah, %bh", Spec().fam("TEST").r(BH, 1).r(AH, 1).und(kFlagAf, kLogicWhy))
ISA("testw %si, %di", Spec().fam("TEST").r(RDI, 2).r(RSI, 2).und(kFlagAf, kLogicWhy))
ISA("testl %r8d, %edx", Spec().fam("TEST").r(RDX, 4).r(R8, 4).und(kFlagAf, kLogicWhy))
ISA("testq %r15, %rbp", Spec().fam("TEST").r(RBP, 8).r(R15, 8).und(kFlagAf, kLogicWhy))
ISA("testb $0x80, %al", Spec().fam("TEST").r(RAX, 1).und(kFlagAf, kLogicWhy))
ISA("testw $0x8001, %si", Spec().fam("TEST").r(RSI, 2).und(kFlagAf, kLogicWhy))
ISA("testl $0xffff0000, %ebx", Spec().fam("TEST").r(RBX, 4).und(kFlagAf, kLogicWhy))
ISA("testq $-1, %r8", Spec().fam("TEST").r(R8, 8).und(kFlagAf, kLogicWhy))
ISA("testl %eax, (%rbx)", Spec().fam("TEST").m(4).r(RAX, 4).base(RBX).und(kFlagAf, kLogicWhy))
ISA("testb $0x11, 5(%rbx)", Spec().fam("TEST").m(1, 5).base(RBX).und(kFlagAf, kLogicWhy))

// ---- one-operand ALU ------------------------------------------------------------------------------------
#define ISA_UNARY(OP, FAM)                                                                                   \
    ISA(OP "b %al", Spec().fam(FAM).r(RAX, 1))                                                               \
    ISA(OP "b %ch", Spec().fam(FAM).r(CH, 1))                                                                \
    ISA(OP "b %r10b", Spec().fam(FAM).r(R10, 1))                                                             \
    ISA(OP "w %si", Spec().fam(FAM).r(RSI, 2))                                                               \
    ISA(OP "l %r8d", Spec().fam(FAM).r(R8, 4))                                                               \
    ISA(OP "q %rdx", Spec().fam(FAM).r(RDX, 8))                                                              \
    ISA(OP "l (%rbx)", Spec().fam(FAM).m(4).base(RBX))                                                       \
    ISA(OP "w 6(%rbx)", Spec().fam(FAM).m(2, 6).base(RBX))                                                   \
    ISA("lock " OP "q (%rbx)", Spec().fam(FAM).m(8).base(RBX))                                               \
    ISA("lock " OP "b 1(%rbx)", Spec().fam(FAM).m(1, 1).base(RBX))

ISA_UNARY("inc", "INC")
ISA_UNARY("dec", "DEC")
ISA_UNARY("neg", "NEG")
ISA_UNARY("not", "NOT")

// ---- multiply ---------------------------------------------------------------------------------------------
#define ISA_MUL1(OP, FAM)                                                                                    \
    ISA(OP "b %cl", Spec().fam(FAM).r(RCX, 1).r(RAX, 1).und(kFlagSf | kFlagZf | kFlagAf | kFlagPf, kMulWhy)) \
    ISA(OP "b %ah", Spec().fam(FAM).r(AH, 1).r(RAX, 1).und(kFlagSf | kFlagZf | kFlagAf | kFlagPf, kMulWhy))  \
    ISA(OP "w %bx", Spec().fam(FAM).r(RBX, 2).r(RAX, 2).und(kFlagSf | kFlagZf | kFlagAf | kFlagPf, kMulWhy)) \
    ISA(OP "l %esi",                                                                                         \
        Spec().fam(FAM).r(RSI, 4).r(RAX, 4).und(kFlagSf | kFlagZf | kFlagAf | kFlagPf, kMulWhy))             \
    ISA(OP "q %r9", Spec().fam(FAM).r(R9, 8).r(RAX, 8).und(kFlagSf | kFlagZf | kFlagAf | kFlagPf, kMulWhy))  \
    ISA(OP "q (%rbx)",                                                                                       \
        Spec().fam(FAM).m(8).r(RAX, 8).base(RBX).und(kFlagSf | kFlagZf | kFlagAf | kFlagPf, kMulWhy))        \
    ISA(OP "b 3(%rbx)",                                                                                      \
        Spec().fam(FAM).m(1, 3).r(RAX, 1).base(RBX).und(kFlagSf | kFlagZf | kFlagAf | kFlagPf, kMulWhy))

ISA_MUL1("mul", "MUL")
ISA_MUL1("imul", "IMUL")

constexpr u64 kMulUndef = kFlagSf | kFlagZf | kFlagAf | kFlagPf;
ISA("imulw %cx, %dx", Spec().fam("IMUL").r(RDX, 2).r(RCX, 2).und(kMulUndef, kMulWhy))
ISA("imull %r8d, %eax", Spec().fam("IMUL").r(RAX, 4).r(R8, 4).und(kMulUndef, kMulWhy))
ISA("imulq %rsi, %rdi", Spec().fam("IMUL").r(RDI, 8).r(RSI, 8).und(kMulUndef, kMulWhy))
ISA("imull (%rbx), %ecx", Spec().fam("IMUL").r(RCX, 4).m(4).base(RBX).und(kMulUndef, kMulWhy))
ISA("imulq 8(%rbx), %r15", Spec().fam("IMUL").r(R15, 8).m(8, 8).base(RBX).und(kMulUndef, kMulWhy))
ISA("imulw $-5, %cx, %dx", Spec().fam("IMUL").r(RCX, 2).und(kMulUndef, kMulWhy))
ISA("imulw $0x7fff, %ax, %ax", Spec().fam("IMUL").r(RAX, 2).und(kMulUndef, kMulWhy))
ISA("imull $0x12345, %esi, %eax", Spec().fam("IMUL").r(RSI, 4).und(kMulUndef, kMulWhy))
ISA("imull $100, (%rbx), %edx", Spec().fam("IMUL").m(4).base(RBX).und(kMulUndef, kMulWhy))
ISA("imulq $-2, %r8, %r9", Spec().fam("IMUL").r(R8, 8).und(kMulUndef, kMulWhy))
ISA("imulq $0x7fffffff, %rax, %rax", Spec().fam("IMUL").r(RAX, 8).und(kMulUndef, kMulWhy))
ISA("imulq $-0x80000000, 8(%rbx), %rcx", Spec().fam("IMUL").m(8, 8).base(RBX).und(kMulUndef, kMulWhy))

// ---- divide ---------------------------------------------------------------------------------------------
#define ISA_DIV(OP, FAM, FN)                                                                                 \
    ISA(OP "b %cl", Spec().fam(FAM).r(RCX, 1).r(RAX, 2).und(kArithFlags, "").und_fn(FN(1), kDivWhy))         \
    ISA(OP "b %bh", Spec().fam(FAM).r(BH, 1).r(RAX, 2).und(kArithFlags, "").und_fn(FN(1), kDivWhy))          \
    ISA(OP "w %bx", Spec()                                                                                   \
                        .fam(FAM)                                                                            \
                        .r(RBX, 2)                                                                           \
                        .r(RAX, 2)                                                                           \
                        .r(RDX, 2, Vals::DivHigh)                                                            \
                        .und(kArithFlags, "")                                                                \
                        .und_fn(FN(2), kDivWhy))                                                             \
    ISA(OP "l %esi", Spec()                                                                                  \
                         .fam(FAM)                                                                           \
                         .r(RSI, 4)                                                                          \
                         .r(RAX, 4)                                                                          \
                         .r(RDX, 4, Vals::DivHigh)                                                           \
                         .und(kArithFlags, "")                                                               \
                         .und_fn(FN(4), kDivWhy))                                                            \
    ISA(OP "q %r10", Spec()                                                                                  \
                         .fam(FAM)                                                                           \
                         .r(R10, 8)                                                                          \
                         .r(RAX, 8)                                                                          \
                         .r(RDX, 8, Vals::DivHigh)                                                           \
                         .und(kArithFlags, "")                                                               \
                         .und_fn(FN(8), kDivWhy))                                                            \
    ISA(OP "b 1(%rbx)",                                                                                      \
        Spec().fam(FAM).m(1, 1).r(RAX, 2).base(RBX).und(kArithFlags, "").und_fn(FN(1), kDivWhy))             \
    ISA(OP "l (%rbx)", Spec()                                                                                \
                           .fam(FAM)                                                                         \
                           .m(4)                                                                             \
                           .r(RAX, 4)                                                                        \
                           .r(RDX, 4, Vals::DivHigh)                                                         \
                           .base(RBX)                                                                        \
                           .und(kArithFlags, "")                                                             \
                           .und_fn(FN(4), kDivWhy))                                                          \
    ISA(OP "q 8(%rbx)", Spec()                                                                               \
                            .fam(FAM)                                                                        \
                            .m(8, 8)                                                                         \
                            .r(RAX, 8)                                                                       \
                            .r(RDX, 8, Vals::DivHigh)                                                        \
                            .base(RBX)                                                                       \
                            .und(kArithFlags, "")                                                            \
                            .und_fn(FN(8), kDivWhy))

ISA_DIV("div", "DIV", divu)
ISA_DIV("idiv", "IDIV", divs)

} // namespace smpsim::isa_test
