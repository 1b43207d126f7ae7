// Bit tests (BT BTS BTR BTC with register and immediate offsets, register and memory destinations), bit
// scans (BSF BSR) and BSWAP.
#include "tests/isa/isa_harness.h"

namespace smpsim::isa_test {
namespace {

constexpr u64 kBtUndef = kFlagOf | kFlagSf | kFlagAf | kFlagPf;
constexpr const char* kBtWhy = "BT*: OF SF AF PF undefined (ZF unaffected)";

// BSF/BSR: CF OF SF AF PF undefined; with a zero source the destination is undefined. Slots: source.
UndefFn bsf_undef(u8 dest) {
    return [dest](const Case& c, Undef& u) {
        if (c.vals[0] == 0) u.gpr[dest] = ~0ull;
    };
}
constexpr u64 kBsfUndef = kFlagCf | kFlagOf | kFlagSf | kFlagAf | kFlagPf;
constexpr const char* kBsfWhy = "BSF/BSR: CF OF SF AF PF undefined; source 0: destination undefined";

} // namespace

#define ISA_BT(OP, FAM)                                                                                      \
    ISA(OP "w %cx, %ax", Spec().fam(FAM).r(RAX, 2).r(RCX, 2, Vals::BitOff).und(kBtUndef, kBtWhy))            \
    ISA(OP "l %edx, %esi", Spec().fam(FAM).r(RSI, 4).r(RDX, 4, Vals::BitOff).und(kBtUndef, kBtWhy))          \
    ISA(OP "q %r8, %r9", Spec().fam(FAM).r(R9, 8).r(R8, 8, Vals::BitOff).und(kBtUndef, kBtWhy))              \
    ISA(OP "w $17, %dx", Spec().fam(FAM).r(RDX, 2).und(kBtUndef, kBtWhy))                                    \
    ISA(OP "l $35, %ebx", Spec().fam(FAM).r(RBX, 4).und(kBtUndef, kBtWhy))                                   \
    ISA(OP "q $63, %rax", Spec().fam(FAM).r(RAX, 8).und(kBtUndef, kBtWhy))                                   \
    ISA(OP "w %cx, (%rbx)", Spec().fam(FAM).m(2).r(RCX, 2, Vals::BitOffMem).base(RBX).und(kBtUndef, kBtWhy)) \
    ISA(OP "l %ecx, (%rbx)",                                                                                 \
        Spec().fam(FAM).m(4).r(RCX, 4, Vals::BitOffMem).base(RBX).und(kBtUndef, kBtWhy))                     \
    ISA(OP "q %rcx, (%rbx)",                                                                                 \
        Spec().fam(FAM).m(8).r(RCX, 8, Vals::BitOffMem).base(RBX).und(kBtUndef, kBtWhy))                     \
    ISA(OP "l $35, (%rbx)", Spec().fam(FAM).m(4).base(RBX).und(kBtUndef, kBtWhy))                            \
    ISA(OP "q $70, 8(%rbx)", Spec().fam(FAM).m(8, 8).base(RBX).und(kBtUndef, kBtWhy))                        \
    ISA(OP "w $9, 2(%rbx)", Spec().fam(FAM).m(2, 2).base(RBX).und(kBtUndef, kBtWhy))
#define ISA_BT_LOCK(OP, FAM)                                                                                 \
    ISA("lock " OP "l %ecx, (%rbx)",                                                                         \
        Spec().fam(FAM).m(4).r(RCX, 4, Vals::BitOffMem).base(RBX).und(kBtUndef, kBtWhy))                     \
    ISA("lock " OP "q $5, (%rbx)", Spec().fam(FAM).m(8).base(RBX).und(kBtUndef, kBtWhy))

ISA_BT("bt", "BT")
ISA_BT("bts", "BTS")
ISA_BT_LOCK("bts", "BTS")
ISA_BT("btr", "BTR")
ISA_BT_LOCK("btr", "BTR")
ISA_BT("btc", "BTC")
ISA_BT_LOCK("btc", "BTC")

#define ISA_BSF(OP, FAM)                                                                                     \
    ISA(OP "w %cx, %ax", Spec().fam(FAM).r(RCX, 2).und(kBsfUndef, "").und_fn(bsf_undef(RAX), kBsfWhy))       \
    ISA(OP "l %edx, %esi", Spec().fam(FAM).r(RDX, 4).und(kBsfUndef, "").und_fn(bsf_undef(RSI), kBsfWhy))     \
    ISA(OP "q %r8, %r9", Spec().fam(FAM).r(R8, 8).und(kBsfUndef, "").und_fn(bsf_undef(R9), kBsfWhy))         \
    ISA(OP "l (%rbx), %ecx",                                                                                 \
        Spec().fam(FAM).m(4).base(RBX).und(kBsfUndef, "").und_fn(bsf_undef(RCX), kBsfWhy))                   \
    ISA(OP "q 8(%rbx), %rdx",                                                                                \
        Spec().fam(FAM).m(8, 8).base(RBX).und(kBsfUndef, "").und_fn(bsf_undef(RDX), kBsfWhy))

ISA_BSF("bsf", "BSF")
ISA_BSF("bsr", "BSR")

// BSWAP r16 is undefined (SDM) and left out.
ISA("bswapl %eax", Spec().fam("BSWAP").r(RAX, 4))
ISA("bswapl %r10d", Spec().fam("BSWAP").r(R10, 4))
ISA("bswapq %rcx", Spec().fam("BSWAP").r(RCX, 8))
ISA("bswapq %r15", Spec().fam("BSWAP").r(R15, 8))

} // namespace smpsim::isa_test
