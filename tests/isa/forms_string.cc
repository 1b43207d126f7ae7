// String instructions on the data buffer: MOVS STOS LODS CMPS SCAS, single and with REP/REPE/REPNE,
// every element size, DF = 0 and 1, counts 0..64. RSI and RDI point into the buffer (kStrSrcOff and
// kStrDstOff); for CMPS/SCAS the buffer is prepared so that REPE/REPNE stop at a chosen element.
#include "tests/isa/isa_harness.h"

#include <cstring>

namespace smpsim::isa_test {
namespace {

enum class Str { Plain, CmpsEq, CmpsNe, ScasEq, ScasNe };

// Slots: RCX (count), DF, element index where the comparison should stop, [accumulator].
Spec str(const char* fam, unsigned size, Str mode, bool acc, unsigned count_size = 8) {
    Spec s = Spec().fam(fam).r(RCX, count_size, Vals::StrCount).flags(Vals::Df).param(Vals::StrPos);
    if (acc) s.r(RAX, size, Vals::Rand);
    s.fix(RSI, kDataAddr + kStrSrcOff).fix(RDI, kDataAddr + kStrDstOff);
    s.prepare([size, mode](Case& c) {
        const bool down = c.rflags & kFlagDf;
        const u64 pos = c.vals[2];
        auto elem = [&](u64 region, u64 k) { return region + (down ? -i64(k * size) : i64(k * size)); };
        constexpr u64 kSpan = 0x300;
        u8* b = c.buf.data();
        switch (mode) {
        case Str::Plain: break;
        case Str::CmpsEq:
            std::memcpy(b + kStrDstOff - kSpan, b + kStrSrcOff - kSpan, 2 * kSpan);
            if (pos < 100) b[elem(kStrDstOff, pos) + pos % size] ^= 0x40;
            break;
        case Str::CmpsNe:
            if (pos < 100) std::memcpy(b + elem(kStrDstOff, pos), b + elem(kStrSrcOff, pos), size);
            break;
        case Str::ScasEq:
            for (u64 k = 0; k < 70; ++k)
                std::memcpy(b + elem(kStrDstOff, k), &c.gpr[RAX], size);
            if (pos < 100) b[elem(kStrDstOff, pos) + pos % size] ^= 0x08;
            break;
        case Str::ScasNe:
            if (pos < 100) std::memcpy(b + elem(kStrDstOff, pos), &c.gpr[RAX], size);
            break;
        }
    });
    return s;
}

// A 32-bit-address REP form (slot 0 is ECX): random upper halves for RSI and RDI (taken from the case's
// random R10 and R11), and bits 63:32 of RCX/RSI/RDI masked when ECX = 0.
//   The SDM's REP pseudo-code uses ECX as the count register for address size 32 and only writes it
//   (CountReg := CountReg - 1) inside `WHILE CountReg != 0`; with ECX = 0 the string instruction never
//   executes, so neither ECX nor ESI/EDI is written. smpsim follows that (interp_string.cc: nothing
//   changes), as QEMU does. AMD hosts agree; Intel hosts (and Bochs, which models them) write RCX, RSI
//   and RDI back as 32-bit registers even then, clearing bits 63:32.
Spec addr32(Spec s) {
    PrepFn prep = s.prep;
    s.prepare([prep](Case& c) {
        c.gpr[RSI] = (c.gpr[R10] & 0xffffffff00000000ull) | (c.gpr[RSI] & 0xffffffff);
        c.gpr[RDI] = (c.gpr[R11] & 0xffffffff00000000ull) | (c.gpr[RDI] & 0xffffffff);
        if (prep) prep(c);
    });
    return s.mask(Why::RepAddr32Count0, [](const Case& c, Undef& u) {
        if ((c.vals[0] & 0xffffffff) != 0) return;
        for (u8 r : {RCX, RSI, RDI})
            u.gpr[r] |= 0xffffffff00000000ull;
    });
}

} // namespace

#define ISA_STR4(PFX, OP, FAM, MODE, ACC)                                                                    \
    ISA(PFX OP "b", str(FAM, 1, MODE, ACC))                                                                  \
    ISA(PFX OP "w", str(FAM, 2, MODE, ACC))                                                                  \
    ISA(PFX OP "l", str(FAM, 4, MODE, ACC))                                                                  \
    ISA(PFX OP "q", str(FAM, 8, MODE, ACC))

ISA_STR4("", "movs", "MOVS", Str::Plain, false)
ISA_STR4("rep ", "movs", "MOVS", Str::Plain, false)
ISA_STR4("", "stos", "STOS", Str::Plain, true)
ISA_STR4("rep ", "stos", "STOS", Str::Plain, true)
ISA_STR4("", "lods", "LODS", Str::Plain, true)
ISA("rep lodsb", str("LODS", 1, Str::Plain, true))
ISA("rep lodsq", str("LODS", 8, Str::Plain, true))
ISA_STR4("", "cmps", "CMPS", Str::CmpsEq, false)
ISA_STR4("repe ", "cmps", "CMPS", Str::CmpsEq, false)
ISA_STR4("repne ", "cmps", "CMPS", Str::CmpsNe, false)
ISA_STR4("", "scas", "SCAS", Str::ScasEq, true)
ISA_STR4("repe ", "scas", "SCAS", Str::ScasEq, true)
ISA_STR4("repne ", "scas", "SCAS", Str::ScasNe, true)
// 32-bit address size: the count is ECX and the addresses ESI/EDI; the upper halves of RCX, RSI and RDI
// hold random bits that must not matter, and ECX/ESI/EDI are written as 32-bit registers (bits 63:32
// cleared) once an iteration runs. With ECX = 0 no iteration runs and vendors differ (masks.h).
ISA("addr32 rep movsb", addr32(str("MOVS", 1, Str::Plain, false, 4)))
ISA("addr32 rep stosl", addr32(str("STOS", 4, Str::Plain, true, 4)))
ISA("addr32 repe cmpsw", addr32(str("CMPS", 2, Str::CmpsEq, false, 4)))
ISA("addr32 repne scasb", addr32(str("SCAS", 1, Str::ScasNe, true, 4)))
ISA("addr32 rep lodsw", addr32(str("LODS", 2, Str::Plain, true, 4)))
ISA("addr32 rep movsq", addr32(str("MOVS", 8, Str::Plain, false, 4)))

} // namespace smpsim::isa_test
