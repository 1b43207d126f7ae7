// Bit tests (BT BTS BTR BTC with register and immediate offsets, register and memory destinations), bit
// scans (BSF BSR) and BSWAP.
#include "tests/isa/isa_harness.h"

namespace smpsim::isa_test {
namespace {

constexpr u64 kBtUndef = kFlagOf | kFlagSf | kFlagAf | kFlagPf;
Spec bt(const char* fam) {
    return Spec().fam(fam).mask(Why::BtFlags, kBtUndef);
}

// BSF/BSR: CF OF SF AF PF undefined; ZF = (source == 0). With a zero source the SDM calls the
// destination undefined and the APM leaves it unchanged; Intel CPUs too keep its value, but write a
// 32-bit register back (clearing bits 63:32) where AMD leaves it whole. So the low part of the
// destination is compared, and bits 63:32 of a 32-bit destination only for non-zero sources.
// Slots: source. dest: the destination register; size: operand size.
constexpr u64 kBsfUndef = kFlagCf | kFlagOf | kFlagSf | kFlagAf | kFlagPf;
Spec bsf(const char* fam, u8 dest, unsigned size) {
    Spec s = Spec().fam(fam).mask(Why::BsfFlags, kBsfUndef);
    if (size == 4)
        s.mask(Why::BsfZeroUpper, [dest](const Case& c, Undef& u) {
            if ((c.vals[0] & 0xffffffff) == 0) u.gpr[dest] |= 0xffffffff00000000ull;
        });
    return s;
}

// F3 0F BC: TZCNT where the host has BMI1 (CF = source 0, ZF = result 0, a zero source writes the
// operand width), BSF elsewhere and in smpsim, whose CPUID reports no BMI1 (decoder.cc). The index of
// a non-zero source is the same either way; the flags and the zero-source result are not compared.
Spec rep_bsf(u8 dest, unsigned size) {
    return bsf("BSF", dest, size).mask(Why::HostTzcnt, [dest](const Case& c, Undef& u) {
        u.flags |= kFlagZf | kFlagCf;
        if (c.vals[0] == 0) u.gpr[dest] = ~0ull;
    });
}

} // namespace

#define ISA_BT(OP, FAM)                                                                                      \
    ISA(OP "w %cx, %ax", bt(FAM).r(RAX, 2).r(RCX, 2, Vals::BitOff))                                          \
    ISA(OP "l %edx, %esi", bt(FAM).r(RSI, 4).r(RDX, 4, Vals::BitOff))                                        \
    ISA(OP "q %r8, %r9", bt(FAM).r(R9, 8).r(R8, 8, Vals::BitOff))                                            \
    ISA(OP "w $17, %dx", bt(FAM).r(RDX, 2))                                                                  \
    ISA(OP "l $35, %ebx", bt(FAM).r(RBX, 4))                                                                 \
    ISA(OP "q $63, %rax", bt(FAM).r(RAX, 8))                                                                 \
    ISA(OP "w %cx, (%rbx)", bt(FAM).m(2).r(RCX, 2, Vals::BitOffMem).base(RBX))                               \
    ISA(OP "l %ecx, (%rbx)", bt(FAM).m(4).r(RCX, 4, Vals::BitOffMem).base(RBX))                              \
    ISA(OP "q %rcx, (%rbx)", bt(FAM).m(8).r(RCX, 8, Vals::BitOffMem).base(RBX))                              \
    ISA(OP "l $35, (%rbx)", bt(FAM).m(4).base(RBX))                                                          \
    ISA(OP "q $70, 8(%rbx)", bt(FAM).m(8, 8).base(RBX))                                                      \
    ISA(OP "w $9, 2(%rbx)", bt(FAM).m(2, 2).base(RBX))
#define ISA_BT_LOCK(OP, FAM)                                                                                 \
    ISA("lock " OP "l %ecx, (%rbx)", bt(FAM).m(4).r(RCX, 4, Vals::BitOffMem).base(RBX))                      \
    ISA("lock " OP "q $5, (%rbx)", bt(FAM).m(8).base(RBX))

ISA_BT("bt", "BT")
ISA_BT("bts", "BTS")
ISA_BT_LOCK("bts", "BTS")
ISA_BT("btr", "BTR")
ISA_BT_LOCK("btr", "BTR")
ISA_BT("btc", "BTC")
ISA_BT_LOCK("btc", "BTC")

#define ISA_BSF(OP, FAM)                                                                                     \
    ISA(OP "w %cx, %ax", bsf(FAM, RAX, 2).r(RCX, 2))                                                         \
    ISA(OP "l %edx, %esi", bsf(FAM, RSI, 4).r(RDX, 4))                                                       \
    ISA(OP "q %r8, %r9", bsf(FAM, R9, 8).r(R8, 8))                                                           \
    ISA(OP "l (%rbx), %ecx", bsf(FAM, RCX, 4).m(4).base(RBX))                                                \
    ISA(OP "q 8(%rbx), %rdx", bsf(FAM, RDX, 8).m(8, 8).base(RBX))

ISA_BSF("bsf", "BSF")
ISA_BSF("bsr", "BSR")

// `rep bsf` is what gcc emits for __builtin_ctz. F3 0F BD (`rep bsr`, LZCNT on hosts with ABM) gives a
// different index for every source there, so it is only pinned (pinned_test.cc), not compared.
ISA("rep bsfl %edx, %esi", rep_bsf(RSI, 4).r(RDX, 4))
ISA("rep bsfq %r8, %r9", rep_bsf(R9, 8).r(R8, 8))

// BSWAP r16 is undefined (SDM) and left out.
ISA("bswapl %eax", Spec().fam("BSWAP").r(RAX, 4))
ISA("bswapl %r10d", Spec().fam("BSWAP").r(R10, 4))
ISA("bswapq %rcx", Spec().fam("BSWAP").r(RCX, 8))
ISA("bswapq %r15", Spec().fam("BSWAP").r(R15, 8))

} // namespace smpsim::isa_test
