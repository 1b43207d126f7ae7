// Shifts and rotates (by 1, by an immediate, by CL; register and memory destinations) and SHLD/SHRD.
#include "tests/isa/isa_harness.h"

namespace smpsim::isa_test {
namespace {

enum class Sh { Shl, Shr, Sar, Rot, Rc };

// The count as the CPU masks it (5 bits, 6 for 64-bit operands): imm >= 0 is an immediate count,
// imm < 0 means CL, in slot `cl_slot`.
unsigned masked_count(unsigned size, int imm, const Case& c, size_t cl_slot) {
    const u64 raw = imm >= 0 ? u64(imm) : c.vals[cl_slot];
    return unsigned(raw & (size == 8 ? 63 : 31));
}

// Undefined parts per the SDM and the APM, each under its own name (masks.h). A masked count of 0
// changes nothing and leaves every flag defined (unaffected).
//   SHL/SHR/SAR: AF undefined; OF undefined unless count = 1; SHL/SHR with count >= operand width
//   (8/16-bit operands only): CF undefined.
//   ROL/ROR/RCL/RCR: OF undefined unless count = 1 (AF is not affected).
// A mask is declared only where the form's count can reach it, so that MaskSummary counts honestly.
Spec sh(const char* fam, Sh kind, unsigned size, int imm) {
    Spec s = Spec().fam(fam);
    const bool cl = imm < 0;
    const unsigned mc = cl ? 0 : unsigned(imm) & (size == 8 ? 63 : 31); // masked immediate count
    const bool is_shift = kind == Sh::Shl || kind == Sh::Shr || kind == Sh::Sar;
    if (is_shift && (cl || mc != 0))
        s.mask(Why::ShiftAf, [=](const Case& c, Undef& u) {
            if (masked_count(size, imm, c, 1) != 0) u.flags |= kFlagAf;
        });
    if (cl || mc > 1)
        s.mask(Why::ShiftOf, [=](const Case& c, Undef& u) {
            if (masked_count(size, imm, c, 1) > 1) u.flags |= kFlagOf;
        });
    if ((kind == Sh::Shl || kind == Sh::Shr) && size <= 2 && (cl || mc >= size * 8))
        s.mask(Why::ShiftCfWide, [=](const Case& c, Undef& u) {
            if (masked_count(size, imm, c, 1) >= size * 8) u.flags |= kFlagCf;
        });
    return s;
}

// SHLD/SHRD: count 0 changes nothing; otherwise AF undefined, OF undefined unless count = 1; a count
// greater than the operand size (16-bit only) leaves the result and all flags undefined.
// Slots: dest, source, [CL]. dest_reg < 0: memory destination.
Spec shd(const char* fam, unsigned size, int imm, int dest_reg) {
    Spec s = Spec().fam(fam);
    const bool cl = imm < 0;
    const unsigned mc = cl ? 0 : unsigned(imm) & (size == 8 ? 63 : 31); // masked immediate count
    if (cl || mc != 0)
        s.mask(Why::ShiftAf, [=](const Case& c, Undef& u) {
            if (masked_count(size, imm, c, 2) != 0) u.flags |= kFlagAf;
        });
    if (cl || mc > 1)
        s.mask(Why::ShiftOf, [=](const Case& c, Undef& u) {
            if (masked_count(size, imm, c, 2) > 1) u.flags |= kFlagOf;
        });
    if (size == 2 && (cl || mc > 16))
        s.mask(Why::ShdWide, [=](const Case& c, Undef& u) {
            if (masked_count(size, imm, c, 2) <= 16) return;
            u.flags |= kArithFlags;
            if (dest_reg >= 0)
                u.gpr[dest_reg] |= 0xffff;
            else
                u.mem = true;
        });
    return s;
}

} // namespace

#define ISA_SHIFT(OP, FAM, KIND)                                                                             \
    ISA(OP "b %al", sh(FAM, KIND, 1, 1).r(RAX, 1))                                                           \
    ISA(OP "b %bh", sh(FAM, KIND, 1, 1).r(BH, 1))                                                            \
    ISA(OP "w %dx", sh(FAM, KIND, 2, 1).r(RDX, 2))                                                           \
    ISA(OP "l %esi", sh(FAM, KIND, 4, 1).r(RSI, 4))                                                          \
    ISA(OP "q %r11", sh(FAM, KIND, 8, 1).r(R11, 8))                                                          \
    ISA(OP "l (%rbx)", sh(FAM, KIND, 4, 1).m(4).base(RBX))                                                   \
    ISA(OP "b %cl, %dl", sh(FAM, KIND, 1, -1).r(RDX, 1).r(RCX, 1, Vals::Count))                              \
    ISA(OP "b %cl, %ah", sh(FAM, KIND, 1, -1).r(AH, 1).r(RCX, 1, Vals::Count))                               \
    ISA(OP "w %cl, %ax", sh(FAM, KIND, 2, -1).r(RAX, 2).r(RCX, 1, Vals::Count))                              \
    ISA(OP "l %cl, %edi", sh(FAM, KIND, 4, -1).r(RDI, 4).r(RCX, 1, Vals::Count))                             \
    ISA(OP "q %cl, %r12", sh(FAM, KIND, 8, -1).r(R12, 8).r(RCX, 1, Vals::Count))                             \
    ISA(OP "w %cl, (%rbx)", sh(FAM, KIND, 2, -1).m(2).r(RCX, 1, Vals::Count).base(RBX))                      \
    ISA(OP "q %cl, 8(%rbx)", sh(FAM, KIND, 8, -1).m(8, 8).r(RCX, 1, Vals::Count).base(RBX))                  \
    ISA(OP "b $3, %al", sh(FAM, KIND, 1, 3).r(RAX, 1))                                                       \
    ISA(OP "b $8, %dl", sh(FAM, KIND, 1, 8).r(RDX, 1))                                                       \
    ISA(OP "b $9, %ch", sh(FAM, KIND, 1, 9).r(CH, 1))                                                        \
    ISA(OP "w $15, %si", sh(FAM, KIND, 2, 15).r(RSI, 2))                                                     \
    ISA(OP "w $17, %bp", sh(FAM, KIND, 2, 17).r(RBP, 2))                                                     \
    ISA(OP "l $31, %eax", sh(FAM, KIND, 4, 31).r(RAX, 4))                                                    \
    ISA(OP "l $32, %ecx", sh(FAM, KIND, 4, 32).r(RCX, 4))                                                    \
    ISA(OP "q $63, %rdx", sh(FAM, KIND, 8, 63).r(RDX, 8))                                                    \
    ISA(OP "q $36, %r8", sh(FAM, KIND, 8, 36).r(R8, 8))                                                      \
    ISA(OP "b $5, 2(%rbx)", sh(FAM, KIND, 1, 5).m(1, 2).base(RBX))

ISA_SHIFT("shl", "SHL", Sh::Shl)
ISA_SHIFT("shr", "SHR", Sh::Shr)
ISA_SHIFT("sar", "SAR", Sh::Sar)
ISA_SHIFT("rol", "ROL", Sh::Rot)
ISA_SHIFT("ror", "ROR", Sh::Rot)
ISA_SHIFT("rcl", "RCL", Sh::Rc)
ISA_SHIFT("rcr", "RCR", Sh::Rc)
// An encoding GAS would not pick by itself: shl eax with imm8 = 1 (C1 form, not D1).
ISA(".byte 0xc1, 0xe0, 0x01", sh("SHL", Sh::Shl, 4, 1).r(RAX, 4))

#define ISA_SHD(OP, FAM)                                                                                     \
    ISA(OP "w $3, %cx, %ax", shd(FAM, 2, 3, RAX).r(RAX, 2).r(RCX, 2))                                        \
    ISA(OP "w $16, %dx, %si", shd(FAM, 2, 16, RSI).r(RSI, 2).r(RDX, 2))                                      \
    ISA(OP "w $20, %bx, %di", shd(FAM, 2, 20, RDI).r(RDI, 2).r(RBX, 2))                                      \
    ISA(OP "l $1, %esi, %edi", shd(FAM, 4, 1, RDI).r(RDI, 4).r(RSI, 4))                                      \
    ISA(OP "l $13, %r8d, %eax", shd(FAM, 4, 13, RAX).r(RAX, 4).r(R8, 4))                                     \
    ISA(OP "q $1, %rdx, %rbp", shd(FAM, 8, 1, RBP).r(RBP, 8).r(RDX, 8))                                      \
    ISA(OP "q $45, %r9, %r8", shd(FAM, 8, 45, R8).r(R8, 8).r(R9, 8))                                         \
    ISA(OP "w %cl, %dx, %bx", shd(FAM, 2, -1, RBX).r(RBX, 2).r(RDX, 2).r(RCX, 1, Vals::Count))               \
    ISA(OP "l %cl, %eax, %edx", shd(FAM, 4, -1, RDX).r(RDX, 4).r(RAX, 4).r(RCX, 1, Vals::Count))             \
    ISA(OP "q %cl, %r10, %r11", shd(FAM, 8, -1, R11).r(R11, 8).r(R10, 8).r(RCX, 1, Vals::Count))             \
    ISA(OP "l %cl, %esi, (%rbx)", shd(FAM, 4, -1, -1).m(4).r(RSI, 4).r(RCX, 1, Vals::Count).base(RBX))       \
    ISA(OP "q $7, %rax, 8(%rbx)", shd(FAM, 8, 7, -1).m(8, 8).r(RAX, 8).base(RBX))

ISA_SHD("shld", "SHLD")
ISA_SHD("shrd", "SHRD")

} // namespace smpsim::isa_test
