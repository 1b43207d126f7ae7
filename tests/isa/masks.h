// Why a part of a result is not compared with the host: every result the Intel SDM or AMD's APM leaves
// undefined or implementation-specific, and every place where Intel and AMD hosts are known to differ.
// Forms name these reasons (Spec::mask); the runner prints them, and IsaSuite.MaskSummary counts the
// forms per reason. What smpsim does in each case instead is one chosen behaviour, checked from
// written-out values in pinned_test.cc (the "pinned" column says where).
#pragma once
#include "sim/core/types.h"

#include <cstddef>

namespace smpsim::isa_test {

enum class Why : u8 {
    LogicAf,         // AND OR XOR TEST: AF undefined
    MulFlags,        // MUL IMUL: SF ZF AF PF undefined
    DivFlags,        // DIV IDIV: all six arithmetic flags undefined
    ShiftAf,         // SHL SHR SAR SHLD SHRD, count != 0: AF undefined
    ShiftOf,         // shifts, rotates, SHLD SHRD, masked count > 1: OF undefined
    ShiftCfWide,     // SHL SHR of an 8/16-bit operand by >= its width: CF undefined
    ShdWide,         // SHLD SHRD r/m16, count > 16: result and flags undefined
    BtFlags,         // BT BTS BTR BTC: OF SF AF PF undefined
    BsfFlags,        // BSF BSR: CF OF SF AF PF undefined
    BsfZeroUpper,    // BSF BSR r32, source 0: bits 63:32 of the destination differ between vendors
    HostTzcnt,       // F3 0F BC: TZCNT on hosts with BMI1, BSF on smpsim (no BMI1 in its CPUID)
    RepAddr32Count0, // REP, 32-bit address size, ECX = 0: bits 63:32 of RCX RSI RDI differ by vendor
    kCount
};

struct MaskReason {
    const char* name;
    const char* text; // the manuals' words, or the host difference
};

inline constexpr MaskReason kMaskReasons[] = {
    {"logic-af", "AND/OR/XOR/TEST: AF undefined (SDM, APM); smpsim clears it (pinned)"},
    {"mul-flags", "MUL/IMUL: SF ZF AF PF undefined; smpsim: SF ZF PF of the low half, AF 0 (pinned)"},
    {"div-flags", "DIV/IDIV: CF OF SF ZF AF PF undefined; smpsim leaves them unchanged (pinned)"},
    {"shift-af", "SHL/SHR/SAR/SHLD/SHRD with count != 0: AF undefined; smpsim clears it (pinned)"},
    {"shift-of", "shifts, rotates, SHLD/SHRD with masked count > 1: OF undefined; smpsim applies the "
                 "count-1 rule (pinned)"},
    {"shift-cf-wide", "SHL/SHR of an 8/16-bit operand by >= its width: CF undefined; smpsim: the last bit "
                      "shifted out of the zero-extended value (pinned)"},
    {"shd-wide", "SHLD/SHRD r/m16 with count > 16: result and flags undefined; smpsim shifts A:B:A as "
                 "Intel CPUs and QEMU do (pinned)"},
    {"bt-flags", "BT/BTS/BTR/BTC: OF SF AF PF undefined; smpsim leaves them unchanged (pinned)"},
    {"bsf-flags", "BSF/BSR: CF OF SF AF PF undefined (Intel and AMD differ for a zero source); smpsim "
                  "leaves them unchanged (pinned)"},
    {"bsf-zero-upper", "BSF/BSR r32 with source 0: Intel writes the old low half back (bits 63:32 "
                       "cleared), AMD leaves the register as it was; smpsim: Intel's (pinned)"},
    {"host-tzcnt", "F3 0F BC is TZCNT on hosts with BMI1 (other flags, source 0 writes the width); "
                   "smpsim's CPUID has no BMI1, so it is BSF there (pinned)"},
    {"rep-addr32-count0", "REP with 32-bit addresses and ECX = 0: Intel hosts clear bits 63:32 of "
                          "RCX/RSI/RDI, AMD hosts keep them; smpsim writes nothing, per the SDM's "
                          "pseudo-code (pinned)"},
};
static_assert(sizeof kMaskReasons / sizeof kMaskReasons[0] == std::size_t(Why::kCount));

inline const MaskReason& reason_of(Why w) {
    return kMaskReasons[std::size_t(w)];
}

} // namespace smpsim::isa_test
