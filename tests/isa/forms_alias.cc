// Forms whose operands alias: the same register as source and destination, an implicit operand that is
// also an explicit one (MUL RDX, CMPXCHG with RAX), or two byte halves of one register (AL and AH). An
// interpreter that reads an operand after writing another gets these wrong.
#include "tests/isa/isa_harness.h"

namespace smpsim::isa_test {
namespace {
constexpr u64 kMulUndef = kFlagSf | kFlagZf | kFlagAf | kFlagPf;
constexpr u64 kBtUndef = kFlagOf | kFlagSf | kFlagAf | kFlagPf;
constexpr u64 kBsfUndef = kFlagCf | kFlagOf | kFlagSf | kFlagAf | kFlagPf;
// BSF/BSR r32 with a zero source: bits 63:32 of the destination differ by vendor (masks.h).
void bsf_zero_upper_eax(const Case& c, Undef& u) {
    if ((c.vals[0] & 0xffffffff) == 0) u.gpr[RAX] |= 0xffffffff00000000ull;
}
} // namespace

ISA("sbbl %eax, %eax", Spec().fam("SBB").r(RAX, 4))
ISA("adcb %al, %al", Spec().fam("ADC").r(RAX, 1))
ISA("subq %rdx, %rdx", Spec().fam("SUB").r(RDX, 8))
ISA("xorl %ecx, %ecx", Spec().fam("XOR").r(RCX, 4).mask(Why::LogicAf, kFlagAf))
ISA("xaddq %rax, %rax", Spec().fam("XADD").r(RAX, 8))
ISA("xaddb %al, %ah", Spec().fam("XADD").r(RAX, 2))
ISA("cmpxchgl %eax, %eax", Spec().fam("CMPXCHG").r(RAX, 4))
ISA("cmpxchgb %al, %ah", Spec().fam("CMPXCHG").r(RAX, 2))
ISA("cmpxchgq %rcx, %rax", Spec().fam("CMPXCHG").r(RAX, 8).r(RCX, 8))
ISA("xchgb %al, %ah", Spec().fam("XCHG").r(RAX, 2))
ISA("xchgl %ecx, %ecx", Spec().fam("XCHG").r(RCX, 8))
ISA("btsl %eax, %eax", Spec().fam("BTS").r(RAX, 4, Vals::BitOff).mask(Why::BtFlags, kBtUndef))
ISA("btcq %rcx, %rcx", Spec().fam("BTC").r(RCX, 8, Vals::BitOff).mask(Why::BtFlags, kBtUndef))
ISA("imulq %rax, %rax", Spec().fam("IMUL").r(RAX, 8).mask(Why::MulFlags, kMulUndef))
ISA("imulw %ax, %ax", Spec().fam("IMUL").r(RAX, 2).mask(Why::MulFlags, kMulUndef))
ISA("mulq %rax", Spec().fam("MUL").r(RAX, 8).mask(Why::MulFlags, kMulUndef))
ISA("mull %edx", Spec().fam("MUL").r(RAX, 4).r(RDX, 4).mask(Why::MulFlags, kMulUndef))
ISA("imulb %al", Spec().fam("IMUL").r(RAX, 1).mask(Why::MulFlags, kMulUndef))
ISA("movzbl %ah, %eax", Spec().fam("MOVZX").r(RAX, 2))
ISA("movsbw %al, %ax", Spec().fam("MOVSX").r(RAX, 1))
ISA("movslq %eax, %rax", Spec().fam("MOVSXD").r(RAX, 4))
ISA("cmovel %eax, %eax", Spec().fam("CMOVcc").flags().r(RAX, 8, Vals::Rand))
ISA("cmovnel %ecx, %ecx", Spec().fam("CMOVcc").flags().r(RCX, 8, Vals::Rand))
ISA("shldl %cl, %ecx, %ecx",
    Spec().fam("SHLD").r(RCX, 4, Vals::Count).mask(Why::ShiftAf, kFlagAf).mask(Why::ShiftOf, kFlagOf))
ISA("shrdq $5, %rax, %rax",
    Spec().fam("SHRD").r(RAX, 8).mask(Why::ShiftAf, kFlagAf).mask(Why::ShiftOf, kFlagOf))
ISA("shlb %cl, %cl", Spec()
                         .fam("SHL")
                         .r(RCX, 1, Vals::Count)
                         .mask(Why::ShiftAf, kFlagAf)
                         .mask(Why::ShiftOf, kFlagOf)
                         .mask(Why::ShiftCfWide, kFlagCf))
ISA("rorq %cl, %rcx", Spec().fam("ROR").r(RCX, 8, Vals::Count).mask(Why::ShiftOf, kFlagOf))
ISA("rclw %cl, %cx", Spec().fam("RCL").r(RCX, 2, Vals::Count).mask(Why::ShiftOf, kFlagOf))
ISA("bsfl %eax, %eax",
    Spec().fam("BSF").r(RAX, 4).mask(Why::BsfFlags, kBsfUndef).mask(Why::BsfZeroUpper, bsf_zero_upper_eax))
ISA("bsrw %ax, %ax", Spec().fam("BSR").r(RAX, 2).mask(Why::BsfFlags, kFlagCf | kBtUndef))
ISA("negb %ah", Spec().fam("NEG").r(RAX, 2))
ISA("notw %ax", Spec().fam("NOT").r(RAX, 2))
ISA("leaq (%rax,%rax,8), %rax", Spec().fam("LEA").r(RAX, 8))
ISA("bswapq %rax", Spec().fam("BSWAP").r(RAX, 8))
ISA("xlat", Spec().fam("XLAT").r(RAX, 1, Vals::All8).fix(RBX, kMemAddr - 0x80).fix(RCX, 0))
// XLAT with a 32-bit address size: EBX + AL, the upper half of RBX ignored.
ISA("addr32 xlat",
    Spec().fam("XLAT").r(RAX, 1, Vals::All8).fix(RBX, 0xffffffff00000000ull | (kMemAddr - 0x80)))
ISA("sahf; lahf", Spec().fam("SAHF").r(AH, 1, Vals::All8))

} // namespace smpsim::isa_test
