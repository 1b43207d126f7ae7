// Data movement and flag forms: MOV, MOVZX, MOVSX, MOVSXD, CBW..CQO, SETcc, CMOVcc (all 16 conditions,
// every combination of the six arithmetic flags), XCHG, CMPXCHG, XADD (with and without LOCK), LEA,
// XLAT, LAHF/SAHF, CLC/STC/CMC, CLD/STD.
#include "tests/isa/isa_harness.h"

#include <cstring>

namespace smpsim::isa_test {

// ---- moves and extensions ---------------------------------------------------------------------------------
ISA("movb %ah, %cl", Spec().fam("MOV").r(RCX, 1).r(AH, 1))
ISA("movw %ax, (%rbx)", Spec().fam("MOV").m(2).r(RAX, 2).base(RBX))
ISA("movl %ecx, %edx", Spec().fam("MOV").r(RDX, 4).r(RCX, 4))
ISA("movq 8(%rbx), %rsi", Spec().fam("MOV").m(8, 8).base(RBX))
ISA("movl $-1, %eax", Spec().fam("MOV").r(RAX, 8))
ISA("movq $-2, %r9", Spec().fam("MOV").r(R9, 8))
ISA("movabsq $0x123456789abcdef0, %r8", Spec().fam("MOV").r(R8, 8))
ISA("movb $0x80, 3(%rbx)", Spec().fam("MOV").m(1, 3).base(RBX))

ISA("movzbw %cl, %ax", Spec().fam("MOVZX").r(RCX, 1))
ISA("movzbl %dh, %esi", Spec().fam("MOVZX").r(DH, 1))
ISA("movzbq %r9b, %r10", Spec().fam("MOVZX").r(R9, 1))
ISA("movzwl %si, %edi", Spec().fam("MOVZX").r(RSI, 2))
ISA("movzwq %ax, %r8", Spec().fam("MOVZX").r(RAX, 2))
ISA("movzbl (%rbx), %eax", Spec().fam("MOVZX").m(1).base(RBX))
ISA("movzwq 2(%rbx), %rdx", Spec().fam("MOVZX").m(2, 2).base(RBX))
ISA("movzbw %bh, %bx", Spec().fam("MOVZX").r(BH, 1))

ISA("movsbw %cl, %ax", Spec().fam("MOVSX").r(RCX, 1))
ISA("movsbl %ah, %edx", Spec().fam("MOVSX").r(AH, 1))
ISA("movsbq %sil, %rdi", Spec().fam("MOVSX").r(RSI, 1))
ISA("movswl %bp, %eax", Spec().fam("MOVSX").r(RBP, 2))
ISA("movswq %r11w, %r12", Spec().fam("MOVSX").r(R11, 2))
ISA("movsbl (%rbx), %ecx", Spec().fam("MOVSX").m(1).base(RBX))
ISA("movswq (%rbx), %rax", Spec().fam("MOVSX").m(2).base(RBX))
ISA("movslq %ecx, %rax", Spec().fam("MOVSXD").r(RCX, 4))
ISA("movslq %r13d, %r13", Spec().fam("MOVSXD").r(R13, 4))
ISA("movslq 4(%rbx), %r9", Spec().fam("MOVSXD").m(4, 4).base(RBX))

ISA("cbtw", Spec().fam("CBW").r(RAX, 1))
ISA("cwtl", Spec().fam("CWDE").r(RAX, 2))
ISA("cltq", Spec().fam("CDQE").r(RAX, 4))
ISA("cwtd", Spec().fam("CWD").r(RAX, 2))
ISA("cltd", Spec().fam("CDQ").r(RAX, 4))
ISA("cqto", Spec().fam("CQO").r(RAX, 8))

// ---- SETcc / CMOVcc ---------------------------------------------------------------------------------------
ISA("seto %al", Spec().fam("SETcc").flags())
ISA("setno %cl", Spec().fam("SETcc").flags())
ISA("setb %dl", Spec().fam("SETcc").flags())
ISA("setae %bl", Spec().fam("SETcc").flags())
ISA("sete %ah", Spec().fam("SETcc").flags())
ISA("setne %ch", Spec().fam("SETcc").flags())
ISA("setbe %dh", Spec().fam("SETcc").flags())
ISA("seta %bh", Spec().fam("SETcc").flags())
ISA("sets %sil", Spec().fam("SETcc").flags())
ISA("setns %dil", Spec().fam("SETcc").flags())
ISA("setp %r8b", Spec().fam("SETcc").flags())
ISA("setnp %r9b", Spec().fam("SETcc").flags())
ISA("setl %r10b", Spec().fam("SETcc").flags())
ISA("setge %r11b", Spec().fam("SETcc").flags())
ISA("setle %bpl", Spec().fam("SETcc").flags())
ISA("setg %r15b", Spec().fam("SETcc").flags())
ISA("setc (%rbx)", Spec().fam("SETcc").flags().base(RBX))
ISA("setg 3(%rbx)", Spec().fam("SETcc").flags().base(RBX))

ISA("cmovow %cx, %ax", Spec().fam("CMOVcc").flags().r(RAX, 2, Vals::Rand).r(RCX, 2, Vals::Rand))
ISA("cmovnol %edx, %ebx", Spec().fam("CMOVcc").flags().r(RBX, 4, Vals::Rand).r(RDX, 4, Vals::Rand))
ISA("cmovbq %rsi, %rdi", Spec().fam("CMOVcc").flags().r(RDI, 8, Vals::Rand).r(RSI, 8, Vals::Rand))
ISA("cmovael %r8d, %r9d", Spec().fam("CMOVcc").flags().r(R9, 4, Vals::Rand).r(R8, 4, Vals::Rand))
ISA("cmoveq %r10, %r11", Spec().fam("CMOVcc").flags().r(R11, 8, Vals::Rand).r(R10, 8, Vals::Rand))
ISA("cmovnel %r12d, %r13d", Spec().fam("CMOVcc").flags().r(R13, 4, Vals::Rand).r(R12, 4, Vals::Rand))
ISA("cmovbew %r14w, %r15w", Spec().fam("CMOVcc").flags().r(R15, 2, Vals::Rand).r(R14, 2, Vals::Rand))
ISA("cmoval %ebp, %eax", Spec().fam("CMOVcc").flags().r(RAX, 4, Vals::Rand).r(RBP, 4, Vals::Rand))
ISA("cmovsq %rcx, %rdx", Spec().fam("CMOVcc").flags().r(RDX, 8, Vals::Rand).r(RCX, 8, Vals::Rand))
ISA("cmovnsl %ebx, %esi", Spec().fam("CMOVcc").flags().r(RSI, 4, Vals::Rand).r(RBX, 4, Vals::Rand))
ISA("cmovpq %rdi, %r8", Spec().fam("CMOVcc").flags().r(R8, 8, Vals::Rand).r(RDI, 8, Vals::Rand))
ISA("cmovnpl %r9d, %r10d", Spec().fam("CMOVcc").flags().r(R10, 4, Vals::Rand).r(R9, 4, Vals::Rand))
ISA("cmovlw %r11w, %r12w", Spec().fam("CMOVcc").flags().r(R12, 2, Vals::Rand).r(R11, 2, Vals::Rand))
ISA("cmovgel %r13d, %r14d", Spec().fam("CMOVcc").flags().r(R14, 4, Vals::Rand).r(R13, 4, Vals::Rand))
ISA("cmovleq %r15, %rax", Spec().fam("CMOVcc").flags().r(RAX, 8, Vals::Rand).r(R15, 8, Vals::Rand))
ISA("cmovgl %eax, %ecx", Spec().fam("CMOVcc").flags().r(RCX, 4, Vals::Rand).r(RAX, 4, Vals::Rand))
ISA("cmovel (%rbx), %ecx", Spec().fam("CMOVcc").flags().r(RCX, 4, Vals::Rand).m(4, 0, Vals::Rand).base(RBX))
ISA("cmovneq 8(%rbx), %rdx", Spec().fam("CMOVcc").flags().r(RDX, 8, Vals::Rand).m(8, 8, Vals::Rand).base(RBX))

// ---- exchange and atomics ---------------------------------------------------------------------------------
ISA("xchgb %al, %cl", Spec().fam("XCHG").r(RAX, 1).r(RCX, 1))
ISA("xchgb %ah, %dh", Spec().fam("XCHG").r(AH, 1).r(DH, 1))
ISA("xchgw %si, %di", Spec().fam("XCHG").r(RSI, 2).r(RDI, 2))
ISA("xchgl %r8d, %r9d", Spec().fam("XCHG").r(R8, 4).r(R9, 4))
ISA("xchgq %r10, %r11", Spec().fam("XCHG").r(R10, 8).r(R11, 8))
ISA("xchgl %eax, %edx", Spec().fam("XCHG").r(RAX, 4).r(RDX, 4))
ISA("xchgw %ax, %bp", Spec().fam("XCHG").r(RAX, 2).r(RBP, 2))
ISA("xchgq %rax, %r12", Spec().fam("XCHG").r(RAX, 8).r(R12, 8))
ISA("xchgl %eax, %eax", Spec().fam("XCHG").r(RAX, 8))
ISA("xchgl %ecx, (%rbx)", Spec().fam("XCHG").m(4).r(RCX, 4).base(RBX))
ISA("xchgb %dl, 1(%rbx)", Spec().fam("XCHG").m(1, 1).r(RDX, 1).base(RBX))
ISA("xchgq 8(%rbx), %rsi", Spec().fam("XCHG").m(8, 8).r(RSI, 8).base(RBX))

// Slots: destination, source, accumulator.
ISA("cmpxchgb %cl, %dl", Spec().fam("CMPXCHG").r(RDX, 1).r(RCX, 1).r(RAX, 1))
ISA("cmpxchgb %ch, %bh", Spec().fam("CMPXCHG").r(BH, 1).r(CH, 1).r(RAX, 1))
ISA("cmpxchgw %si, %di", Spec().fam("CMPXCHG").r(RDI, 2).r(RSI, 2).r(RAX, 2))
ISA("cmpxchgl %r8d, %r9d", Spec().fam("CMPXCHG").r(R9, 4).r(R8, 4).r(RAX, 4))
ISA("cmpxchgq %r10, %r11", Spec().fam("CMPXCHG").r(R11, 8).r(R10, 8).r(RAX, 8))
ISA("cmpxchgl %eax, %ecx", Spec().fam("CMPXCHG").r(RCX, 4).r(RAX, 4))
ISA("cmpxchgl %ecx, (%rbx)", Spec().fam("CMPXCHG").m(4).r(RCX, 4).r(RAX, 4).base(RBX))
ISA("lock cmpxchgq %rcx, (%rbx)", Spec().fam("CMPXCHG").m(8).r(RCX, 8).r(RAX, 8).base(RBX))
ISA("lock cmpxchgb %dl, 1(%rbx)", Spec().fam("CMPXCHG").m(1, 1).r(RDX, 1).r(RAX, 1).base(RBX))
ISA("lock cmpxchgw %dx, 2(%rbx)", Spec().fam("CMPXCHG").m(2, 2).r(RDX, 2).r(RAX, 2).base(RBX))

ISA("xaddb %cl, %dl", Spec().fam("XADD").r(RDX, 1).r(RCX, 1))
ISA("xaddb %ah, %bh", Spec().fam("XADD").r(BH, 1).r(AH, 1))
ISA("xaddw %si, %di", Spec().fam("XADD").r(RDI, 2).r(RSI, 2))
ISA("xaddl %r8d, %r9d", Spec().fam("XADD").r(R9, 4).r(R8, 4))
ISA("xaddq %r10, %r11", Spec().fam("XADD").r(R11, 8).r(R10, 8))
ISA("xaddl %ecx, (%rbx)", Spec().fam("XADD").m(4).r(RCX, 4).base(RBX))
ISA("lock xaddq %rcx, (%rbx)", Spec().fam("XADD").m(8).r(RCX, 8).base(RBX))
ISA("lock xaddb %ah, 1(%rbx)", Spec().fam("XADD").m(1, 1).r(AH, 1).base(RBX))
ISA("lock xaddw %dx, 2(%rbx)", Spec().fam("XADD").m(2, 2).r(RDX, 2).base(RBX))

// ---- address arithmetic ----------------------------------------------------------------------------------
ISA("leaq 0x10(%rax,%rcx,4), %rdx", Spec().fam("LEA").r(RAX, 8).r(RCX, 8))
ISA("leal -1(%rsi,%rdi,8), %eax", Spec().fam("LEA").r(RSI, 8).r(RDI, 8))
ISA("leaw 3(%rbx), %cx", Spec().fam("LEA").r(RBX, 8))
ISA("leaq (%r12,%r13), %r14", Spec().fam("LEA").r(R12, 8).r(R13, 8))
ISA("leaq 0x7fffffff(%r8), %r9", Spec().fam("LEA").r(R8, 8))
ISA("leal (%eax,%ecx,2), %edx", Spec().fam("LEA").r(RAX, 8).r(RCX, 8))
ISA("leaq -0x80000000(,%rbp,2), %rsi", Spec().fam("LEA").r(RBP, 8))
ISA("leaq 0x10(%rip), %rax", Spec().fam("LEA"))
ISA("leal 5(%esi), %r10d", Spec().fam("LEA").r(RSI, 8))
ISA("leaw -2(%r15,%r15,2), %r11w", Spec().fam("LEA").r(R15, 8))

ISA("xlat", Spec().fam("XLAT").r(RAX, 1, Vals::All8).fix(RBX, kMemAddr - 0x80))

// ---- flags ------------------------------------------------------------------------------------------------
ISA("lahf", Spec().fam("LAHF").flags())
ISA("sahf", Spec().fam("SAHF").r(AH, 1, Vals::All8))
ISA("clc", Spec().fam("CLC").flags())
ISA("stc", Spec().fam("STC").flags())
ISA("cmc", Spec().fam("CMC").flags())
ISA("cld", Spec().fam("CLD").flags(Vals::Df))
ISA("std", Spec().fam("STD").flags(Vals::Df))

} // namespace smpsim::isa_test

namespace smpsim::isa_test {
namespace {
// CMPXCHG8B/16B: slots memory (low, [high]), RAX, RDX, RBX, RCX, and a switch (slot 'Df' reused as a
// two-valued parameter) that makes RDX:RAX equal to the memory operand so both outcomes are covered.
Spec cx8(unsigned half) {
    Spec s = Spec().fam(half == 8 ? "CMPXCHG16B" : "CMPXCHG8B").m(half, 0, Vals::Rand);
    if (half == 8) s.m(8, 8, Vals::Rand);
    s.r(RAX, half, Vals::Rand).r(RDX, half, Vals::Rand).r(RBX, half, Vals::Rand).r(RCX, half, Vals::Rand);
    s.param(Vals::Df).base(RSI);
    s.prepare([half](Case& c) {
        if (c.vals.back() == 0) return;
        u64 lo = 0, hi = 0;
        std::memcpy(&lo, c.buf.data() + kMemOff, half);
        std::memcpy(&hi, c.buf.data() + kMemOff + half, half);
        const u64 m = half == 8 ? ~0ull : 0xffffffffull;
        c.gpr[RAX] = (c.gpr[RAX] & ~m) | lo;
        c.gpr[RDX] = (c.gpr[RDX] & ~m) | hi;
    });
    return s;
}
} // namespace

ISA("cmpxchg8b (%rsi)", cx8(4))
ISA("lock cmpxchg8b (%rsi)", cx8(4))
ISA("cmpxchg16b (%rsi)", cx8(8))
ISA("lock cmpxchg16b (%rsi)", cx8(8))

} // namespace smpsim::isa_test

namespace smpsim::isa_test {
namespace {
void expect_ud(const Case&, Undef& u) {
    u.fault = 6;
}
} // namespace

// Encodings GAS would not pick by itself.
ISA(".byte 0x63, 0xc1", Spec().fam("MOVSXD").r(RCX, 4))        // movsxd eax, ecx without REX.W: a 32-bit move
ISA(".byte 0x49, 0x90", Spec().fam("XCHG").r(RAX, 8).r(R8, 8)) // xchg r8, rax (REX.B 90 is not NOP)
// Interpreter only (natively SIGILL): LOCK on a register destination or a non-RMW instruction is #UD.
ISA(".byte 0xf0, 0x01, 0xc8",
    Spec().fam("UD").r(RAX, 4).faults(expect_ud, "LOCK with a register destination: #UD"))
ISA(".byte 0xf0, 0x8b, 0x03", Spec().fam("UD").base(RBX).faults(expect_ud, "LOCK MOV: #UD"))

} // namespace smpsim::isa_test
namespace smpsim::isa_test {
ISA(".byte 0xf0, 0x89, 0x03", Spec().fam("UD").base(RBX).faults(expect_ud, "LOCK MOV to memory: #UD"))
ISA(".byte 0xf0, 0x0f, 0xa3, 0x0b", Spec().fam("UD").base(RBX).faults(expect_ud, "LOCK BT: #UD"))
ISA(".byte 0xf0, 0x39, 0x0b", Spec().fam("UD").base(RBX).faults(expect_ud, "LOCK CMP: #UD"))
} // namespace smpsim::isa_test
