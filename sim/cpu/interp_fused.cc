// Runs only (CpuImpl::build_run): an ALU instruction with a register destination and the Jcc after it,
// executed as one step. A TU of its own: the 256 instantiations would change GCC's inlining choices
// in interp_alu.cc.
#include "sim/cpu/interp_alu.h"

#include <Zydis/Zydis.h>

#include <array>
#include <utility>

namespace smpsim::cpu {

namespace {

using alu::Alu;
using alu::h_alu;

// An ALU instruction and the Jcc after it in one step of a run (fuse_alu_jcc): one dispatch instead of
// two, and the branch decided from the flags record the ALU part has just written.
template <Alu op, OpKind S, unsigned Size, unsigned cond>
[[gnu::flatten]] void h_alu_jcc(CpuImpl& c, const DecodedInsn& d) {
    h_alu<op, OpKind::Reg, S, Size>(c, d);
    const DecodedInsn& jcc = (&d)[1]; // the branch's copy, next in the run
    if (jcc_taken<cond>(c.flags)) c.branch_to(c.next_rip + u64(jcc.op[0].imm), jcc.opsize);
}

template <Alu op, OpKind S, unsigned Size, unsigned... conds>
constexpr std::array<Handler, 16> alu_jcc_handlers(std::integer_sequence<unsigned, conds...>) {
    return {&h_alu_jcc<op, S, Size, conds>...};
}

template <Alu op, OpKind S, unsigned Size> Handler alu_jcc(const DecodedInsn& alu, unsigned cond) {
    static constexpr std::array<Handler, 16> handlers =
        alu_jcc_handlers<op, S, Size>(std::make_integer_sequence<unsigned, 16>{});
    return alu.exec == &h_alu<op, OpKind::Reg, S, Size> ? handlers[cond] : nullptr;
}

// The flag producers branches follow most, in the forms and sizes loops use.
template <Alu op> Handler alu_jcc_any(const DecodedInsn& alu, unsigned cond) {
    for (Handler h : {alu_jcc<op, OpKind::Reg, 8>(alu, cond), alu_jcc<op, OpKind::Imm, 8>(alu, cond),
                      alu_jcc<op, OpKind::Reg, 4>(alu, cond), alu_jcc<op, OpKind::Imm, 4>(alu, cond)})
        if (h) return h;
    return nullptr;
}

} // namespace

Handler fuse_alu_jcc(const DecodedInsn& alu, const DecodedInsn& jcc) {
    if (!is_conditional_branch(jcc)) return nullptr;
    const unsigned cond = jcc.cond & 15;
    switch (alu.mnemonic) {
    case ZYDIS_MNEMONIC_CMP: return alu_jcc_any<Alu::Cmp>(alu, cond);
    case ZYDIS_MNEMONIC_TEST: return alu_jcc_any<Alu::Test>(alu, cond);
    case ZYDIS_MNEMONIC_SUB: return alu_jcc_any<Alu::Sub>(alu, cond);
    case ZYDIS_MNEMONIC_AND: return alu_jcc_any<Alu::And>(alu, cond);
    default: return nullptr;
    }
}

} // namespace smpsim::cpu
