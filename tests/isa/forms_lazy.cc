// Two-instruction sequences: an arithmetic instruction followed by one that reads its flags (SETcc,
// CMOVcc, ADC/SBB, LAHF). Flags set through the initial RFLAGS are already materialised in the
// interpreter; these forms exercise its lazily evaluated flags instead (lazy_flags.h, and the
// compare fast path of condition_holds), for every condition and operand size.
#include "tests/isa/isa_harness.h"

namespace smpsim::isa_test {

// CMP then SETcc: all 16 conditions at every operand size.
#define ISA_CMP_SET(CMP, DST, SRC, RD, RS, SZ)                                                               \
    ISA(CMP " " SRC ", " DST "; seto %r8b", Spec().fam("CMP+SETcc").r(RD, SZ).r(RS, SZ))                     \
    ISA(CMP " " SRC ", " DST "; setno %r8b", Spec().fam("CMP+SETcc").r(RD, SZ).r(RS, SZ))                    \
    ISA(CMP " " SRC ", " DST "; setb %r8b", Spec().fam("CMP+SETcc").r(RD, SZ).r(RS, SZ))                     \
    ISA(CMP " " SRC ", " DST "; setae %r8b", Spec().fam("CMP+SETcc").r(RD, SZ).r(RS, SZ))                    \
    ISA(CMP " " SRC ", " DST "; sete %r8b", Spec().fam("CMP+SETcc").r(RD, SZ).r(RS, SZ))                     \
    ISA(CMP " " SRC ", " DST "; setne %r8b", Spec().fam("CMP+SETcc").r(RD, SZ).r(RS, SZ))                    \
    ISA(CMP " " SRC ", " DST "; setbe %r8b", Spec().fam("CMP+SETcc").r(RD, SZ).r(RS, SZ))                    \
    ISA(CMP " " SRC ", " DST "; seta %r8b", Spec().fam("CMP+SETcc").r(RD, SZ).r(RS, SZ))                     \
    ISA(CMP " " SRC ", " DST "; sets %r8b", Spec().fam("CMP+SETcc").r(RD, SZ).r(RS, SZ))                     \
    ISA(CMP " " SRC ", " DST "; setns %r8b", Spec().fam("CMP+SETcc").r(RD, SZ).r(RS, SZ))                    \
    ISA(CMP " " SRC ", " DST "; setp %r8b", Spec().fam("CMP+SETcc").r(RD, SZ).r(RS, SZ))                     \
    ISA(CMP " " SRC ", " DST "; setnp %r8b", Spec().fam("CMP+SETcc").r(RD, SZ).r(RS, SZ))                    \
    ISA(CMP " " SRC ", " DST "; setl %r8b", Spec().fam("CMP+SETcc").r(RD, SZ).r(RS, SZ))                     \
    ISA(CMP " " SRC ", " DST "; setge %r8b", Spec().fam("CMP+SETcc").r(RD, SZ).r(RS, SZ))                    \
    ISA(CMP " " SRC ", " DST "; setle %r8b", Spec().fam("CMP+SETcc").r(RD, SZ).r(RS, SZ))                    \
    ISA(CMP " " SRC ", " DST "; setg %r8b", Spec().fam("CMP+SETcc").r(RD, SZ).r(RS, SZ))

ISA_CMP_SET("cmpb", "%al", "%cl", RAX, RCX, 1)
ISA_CMP_SET("cmpw", "%dx", "%si", RDX, RSI, 2)
ISA_CMP_SET("cmpl", "%edi", "%r9d", RDI, R9, 4)
ISA_CMP_SET("cmpq", "%r10", "%r11", R10, R11, 8)

// Other flag producers followed by a flag consumer.
#define ISA_OP_SET(OP, FAM, SZ, RD, RS, SPEC)                                                                \
    ISA(OP "; setb %r8b; seto %r9b; setp %r12b; setl %r13b; setle %r14b; setbe %r15b; sets %bl",             \
        SPEC.fam(FAM).r(RD, SZ).r(RS, SZ))

ISA_OP_SET("addb %cl, %al", "ADD+SETcc", 1, RAX, RCX, Spec())
ISA_OP_SET("addl %ecx, %eax", "ADD+SETcc", 4, RAX, RCX, Spec())
ISA_OP_SET("adcw %cx, %ax", "ADC+SETcc", 2, RAX, RCX, Spec())
ISA_OP_SET("adcq %rcx, %rax", "ADC+SETcc", 8, RAX, RCX, Spec())
ISA_OP_SET("subw %cx, %ax", "SUB+SETcc", 2, RAX, RCX, Spec())
ISA_OP_SET("subq %rcx, %rax", "SUB+SETcc", 8, RAX, RCX, Spec())
ISA_OP_SET("sbbb %cl, %al", "SBB+SETcc", 1, RAX, RCX, Spec())
ISA_OP_SET("sbbl %ecx, %eax", "SBB+SETcc", 4, RAX, RCX, Spec())
ISA_OP_SET("negl %eax; movl %ecx, %edx", "NEG+SETcc", 4, RAX, RCX, Spec())
ISA_OP_SET("negb %al; movb %cl, %dl", "NEG+SETcc", 1, RAX, RCX, Spec())
ISA_OP_SET("incw %ax; movw %cx, %dx", "INC+SETcc", 2, RAX, RCX, Spec())
ISA_OP_SET("incq %rax; movq %rcx, %rdx", "INC+SETcc", 8, RAX, RCX, Spec())
ISA_OP_SET("decb %al; movb %cl, %dl", "DEC+SETcc", 1, RAX, RCX, Spec())
ISA_OP_SET("decl %eax; movl %ecx, %edx", "DEC+SETcc", 4, RAX, RCX, Spec())
ISA_OP_SET("andl %ecx, %eax", "AND+SETcc", 4, RAX, RCX, Spec().mask(Why::LogicAf, kFlagAf))
ISA_OP_SET("orw %cx, %ax", "OR+SETcc", 2, RAX, RCX, Spec().mask(Why::LogicAf, kFlagAf))
ISA_OP_SET("xorq %rcx, %rax", "XOR+SETcc", 8, RAX, RCX, Spec().mask(Why::LogicAf, kFlagAf))
ISA_OP_SET("testb %cl, %al", "TEST+SETcc", 1, RAX, RCX, Spec().mask(Why::LogicAf, kFlagAf))
ISA_OP_SET("xaddl %ecx, %eax", "XADD+SETcc", 4, RAX, RCX, Spec())
ISA_OP_SET("cmpxchgw %cx, %dx", "CMPXCHG+SETcc", 2, RDX, RCX, Spec())
ISA_OP_SET("cmpxchgq %rcx, %rdx", "CMPXCHG+SETcc", 8, RDX, RCX, Spec())

// Carry chains and LAHF (which reads AF and PF too) after lazily evaluated flags.
ISA("addq %rcx, %rax; adcq %rsi, %rdx",
    Spec().fam("ADD+ADC").r(RAX, 8).r(RCX, 8).r(RDX, 8, Vals::Rand).r(RSI, 8, Vals::Rand))
ISA("subl %ecx, %eax; sbbl %esi, %edx",
    Spec().fam("SUB+SBB").r(RAX, 4).r(RCX, 4).r(RDX, 4, Vals::Rand).r(RSI, 4, Vals::Rand))
ISA("addb %cl, %dl; lahf", Spec().fam("ADD+LAHF").r(RDX, 1).r(RCX, 1))
ISA("subw %cx, %dx; lahf", Spec().fam("SUB+LAHF").r(RDX, 2).r(RCX, 2))
ISA("incl %edx; lahf", Spec().fam("INC+LAHF").r(RDX, 4))
ISA("decq %rdx; lahf", Spec().fam("DEC+LAHF").r(RDX, 8))
ISA("negw %dx; lahf", Spec().fam("NEG+LAHF").r(RDX, 2))
ISA("adcb %cl, %dl; lahf", Spec().fam("ADC+LAHF").r(RDX, 1).r(RCX, 1))
ISA("sbbq %rcx, %rdx; lahf", Spec().fam("SBB+LAHF").r(RDX, 8).r(RCX, 8))
ISA("cmpl %ecx, %edx; cmovbl %esi, %edi; cmovgl %r8d, %r9d", Spec().fam("CMP+CMOVcc").r(RDX, 4).r(RCX, 4))
ISA("subq %rcx, %rdx; cmovbeq %rsi, %rdi; cmovlq %r8, %r9", Spec().fam("SUB+CMOVcc").r(RDX, 8).r(RCX, 8))
ISA("incb %dl; cmc; setb %al; cmc; setb %cl", Spec().fam("INC+CMC").r(RDX, 1))
ISA("cmpb %cl, %dl; stc; adcb %cl, %dl", Spec().fam("CMP+STC+ADC").r(RDX, 1).r(RCX, 1))

} // namespace smpsim::isa_test
