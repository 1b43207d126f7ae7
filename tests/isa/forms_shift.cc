// Shifts and rotates (by 1, by an immediate, by CL; register and memory destinations) and SHLD/SHRD.
#include "tests/isa/isa_harness.h"

namespace smpsim::isa_test {
namespace {

enum class Sh { Shl, Shr, Sar, Rot, Rc };

// Undefined parts per the SDM (count = the count masked to 5 bits, 6 for 64-bit operands):
//   count 0: nothing changes, all flags defined (unaffected).
//   SHL/SHR/SAR: AF undefined; OF undefined unless count = 1; SHL/SHR with count >= operand width
//   (8/16-bit operands only): CF undefined.
//   ROL/ROR/RCL/RCR: OF undefined unless count = 1.
// imm < 0: the count is CL, slot 1.
UndefFn shift_undef(Sh kind, unsigned size, int imm) {
    return [=](const Case& c, Undef& u) {
        const u64 raw = imm >= 0 ? u64(imm) : c.vals[1];
        const unsigned count = unsigned(raw & (size == 8 ? 63 : 31));
        if (count == 0) return;
        if (count != 1) u.flags |= kFlagOf;
        if (kind == Sh::Shl || kind == Sh::Shr || kind == Sh::Sar) u.flags |= kFlagAf;
        if ((kind == Sh::Shl || kind == Sh::Shr) && count >= size * 8) u.flags |= kFlagCf;
    };
}

const char* shift_why(Sh kind) {
    switch (kind) {
    case Sh::Shl:
    case Sh::Shr:
        return "SHL/SHR count>0: AF undefined; count>1: OF undefined; count>=width (8/16-bit): CF undefined";
    case Sh::Sar: return "SAR count>0: AF undefined; count>1: OF undefined";
    default: return "rotates: count>1: OF undefined";
    }
}

Spec sh(const char* fam, Sh kind, unsigned size, int imm) {
    return Spec().fam(fam).und_fn(shift_undef(kind, size, imm), shift_why(kind));
}

// SHLD/SHRD: count 0 changes nothing; otherwise AF undefined, OF undefined unless count = 1; a count
// greater than the operand size (16-bit only) leaves the result and all flags undefined.
// Slots: dest, source, [CL]. dest_reg < 0: memory destination.
UndefFn shd_undef(unsigned size, int imm, int dest_reg) {
    return [=](const Case& c, Undef& u) {
        const u64 raw = imm >= 0 ? u64(imm) : c.vals[2];
        const unsigned count = unsigned(raw & (size == 8 ? 63 : 31));
        if (count == 0) return;
        u.flags |= kFlagAf;
        if (count != 1) u.flags |= kFlagOf;
        if (count > size * 8) {
            u.flags |= kArithFlags;
            if (dest_reg >= 0)
                u.gpr[dest_reg] |= size >= 8 ? ~0ull : (1ull << (size * 8)) - 1;
            else
                u.mem = true;
        }
    };
}
constexpr const char* kShdWhy = "SHLD/SHRD count>0: AF undefined; count>1: OF undefined; count>width "
                                "(16-bit): result and flags undefined";

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

#define ISA_SHD(OP, FAM)                                                                                     \
    ISA(OP "w $3, %cx, %ax", Spec().fam(FAM).r(RAX, 2).r(RCX, 2).und_fn(shd_undef(2, 3, RAX), kShdWhy))      \
    ISA(OP "w $16, %dx, %si", Spec().fam(FAM).r(RSI, 2).r(RDX, 2).und_fn(shd_undef(2, 16, RSI), kShdWhy))    \
    ISA(OP "w $20, %bx, %di", Spec().fam(FAM).r(RDI, 2).r(RBX, 2).und_fn(shd_undef(2, 20, RDI), kShdWhy))    \
    ISA(OP "l $1, %esi, %edi", Spec().fam(FAM).r(RDI, 4).r(RSI, 4).und_fn(shd_undef(4, 1, RDI), kShdWhy))    \
    ISA(OP "l $13, %r8d, %eax", Spec().fam(FAM).r(RAX, 4).r(R8, 4).und_fn(shd_undef(4, 13, RAX), kShdWhy))   \
    ISA(OP "q $1, %rdx, %rbp", Spec().fam(FAM).r(RBP, 8).r(RDX, 8).und_fn(shd_undef(8, 1, RBP), kShdWhy))    \
    ISA(OP "q $45, %r9, %r8", Spec().fam(FAM).r(R8, 8).r(R9, 8).und_fn(shd_undef(8, 45, R8), kShdWhy))       \
    ISA(OP "w %cl, %dx, %bx",                                                                                \
        Spec().fam(FAM).r(RBX, 2).r(RDX, 2).r(RCX, 1, Vals::Count).und_fn(shd_undef(2, -1, RBX), kShdWhy))   \
    ISA(OP "l %cl, %eax, %edx",                                                                              \
        Spec().fam(FAM).r(RDX, 4).r(RAX, 4).r(RCX, 1, Vals::Count).und_fn(shd_undef(4, -1, RDX), kShdWhy))   \
    ISA(OP "q %cl, %r10, %r11",                                                                              \
        Spec().fam(FAM).r(R11, 8).r(R10, 8).r(RCX, 1, Vals::Count).und_fn(shd_undef(8, -1, R11), kShdWhy))   \
    ISA(OP "l %cl, %esi, (%rbx)", Spec()                                                                     \
                                      .fam(FAM)                                                              \
                                      .m(4)                                                                  \
                                      .r(RSI, 4)                                                             \
                                      .r(RCX, 1, Vals::Count)                                                \
                                      .base(RBX)                                                             \
                                      .und_fn(shd_undef(4, -1, -1), kShdWhy))                                \
    ISA(OP "q $7, %rax, 8(%rbx)",                                                                            \
        Spec().fam(FAM).m(8, 8).r(RAX, 8).base(RBX).und_fn(shd_undef(8, 7, -1), kShdWhy))

ISA_SHD("shld", "SHLD")
ISA_SHD("shrd", "SHRD")

} // namespace smpsim::isa_test
