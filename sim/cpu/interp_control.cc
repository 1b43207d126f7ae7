// Control flow: JMP/Jcc/LOOP/JCXZ, CALL/RET (near and far), IRET.
#include "sim/cpu/cpu_impl.h"

#include <Zydis/Zydis.h>

#include <array>
#include <utility>

namespace smpsim::cpu {

namespace {

// Target of a near branch operand: relative displacement, register or memory.
u64 near_target(CpuImpl& c, const DecodedInsn& d) {
    const Operand& o = d.op[0];
    if (o.kind == OpKind::Rel) return c.next_rip + u64(o.imm);
    return c.read_operand(o);
}

// Reads a far pointer operand: ptr16:16/32 immediate, or m16:16/32/64 in memory.
void far_pointer(CpuImpl& c, const DecodedInsn& d, u16& selector, u64& offset) {
    const Operand& o = d.op[0];
    if (o.kind == OpKind::FarPtr) {
        selector = d.far_selector;
        offset = u64(o.imm);
        return;
    }
    const unsigned osz = d.opsize;
    const u64 lin = c.operand_linear(o);
    offset = c.read_mem(lin, osz, o.seg);
    selector = u16(c.read_mem(lin + osz, 2, o.seg));
}

void far_jump(CpuImpl& c, u16 selector, u64 offset, unsigned opsize) {
    c.load_code_segment(selector, u8(c.cpl()));
    c.next_rip = c.mode() == CpuMode::Long64 ? offset : (offset & size_mask(opsize));
}

void h_jmp(CpuImpl& c, const DecodedInsn& d) {
    if (d.far_branch) {
        u16 sel;
        u64 off;
        far_pointer(c, d, sel, off);
        far_jump(c, sel, off, d.opsize);
        return;
    }
    c.branch_to(near_target(c, d), d.opsize);
}

void h_jcc(CpuImpl& c, const DecodedInsn& d) {
    if (condition_holds(c.flags, d.cond)) c.branch_to(c.next_rip + u64(d.op[0].imm), d.opsize);
}

template <unsigned cond> void h_jcc_k(CpuImpl& c, const DecodedInsn& d) {
    if (jcc_taken<cond>(c.flags)) c.branch_to(c.next_rip + u64(d.op[0].imm), d.opsize);
}

template <unsigned... conds>
constexpr std::array<Handler, 16> jcc_handlers(std::integer_sequence<unsigned, conds...>) {
    return {&h_jcc_k<conds>...};
}
constexpr std::array<Handler, 16> kJccHandlers = jcc_handlers(std::make_integer_sequence<unsigned, 16>{});

void h_jcxz(CpuImpl& c, const DecodedInsn& d) {
    if (c.reg(RCX, d.addrsize) == 0) c.branch_to(c.next_rip + u64(d.op[0].imm), d.opsize);
}

template <int kind> // 0 LOOP, 1 LOOPE, 2 LOOPNE
void h_loop(CpuImpl& c, const DecodedInsn& d) {
    const u64 count = (c.reg(RCX, d.addrsize) - 1) & size_mask(d.addrsize);
    c.set_reg(RCX, d.addrsize, count);
    bool take = count != 0;
    if (kind == 1) take = take && c.flags.zf();
    if (kind == 2) take = take && !c.flags.zf();
    if (take) c.branch_to(c.next_rip + u64(d.op[0].imm), d.opsize);
}

void h_call(CpuImpl& c, const DecodedInsn& d) {
    if (d.far_branch) {
        u16 sel;
        u64 off;
        far_pointer(c, d, sel, off);
        const u16 old_cs = c.state().seg[CS].selector;
        const u64 ret = c.next_rip;
        c.push(old_cs, d.opsize);
        c.push(ret, d.opsize);
        far_jump(c, sel, off, d.opsize);
        return;
    }
    const u64 target = near_target(c, d);
    c.push(c.next_rip & size_mask(d.opsize), d.opsize);
    c.branch_to(target, d.opsize);
}

// Near CALL and RET with a 64-bit operand size in 64-bit mode (CpuImpl::push64/pop64).
void h_call_near64(CpuImpl& c, const DecodedInsn& d) {
    const u64 target = near_target(c, d);
    c.push64(c.next_rip);
    c.next_rip = target;
}

void h_ret_near64(CpuImpl& c, const DecodedInsn&) {
    c.next_rip = c.pop64();
}

void h_ret(CpuImpl& c, const DecodedInsn& d) {
    const u64 release = d.nops > 0 ? u64(d.op[0].imm) & 0xffff : 0;
    const unsigned ssz = c.mode() == CpuMode::Long64 ? 8 : (c.state().seg[SS].default_big() ? 4 : 2);
    if (d.far_branch) {
        const u64 off = c.pop(d.opsize);
        const u16 sel = u16(c.pop(d.opsize));
        const unsigned rpl = sel & 3;
        if (c.protected_mode() && rpl > c.cpl()) {
            // Return to an outer privilege level: the caller's SS:SP follow the released parameters.
            c.set_reg(RSP, ssz, c.reg(RSP, ssz) + release);
            const u64 sp = c.pop(d.opsize);
            const u16 ss = u16(c.pop(d.opsize));
            c.load_code_segment(sel, u8(rpl));
            c.load_segment(SS, ss);
            c.set_reg(RSP, ssz, sp);
        } else {
            c.load_code_segment(sel, u8(c.protected_mode() ? rpl : 0));
            c.set_reg(RSP, ssz, c.reg(RSP, ssz) + release);
        }
        c.next_rip = c.mode() == CpuMode::Long64 ? off : (off & size_mask(d.opsize));
        return;
    }
    const u64 target = c.pop(d.opsize);
    if (release) c.set_reg(RSP, ssz, c.reg(RSP, ssz) + release);
    c.branch_to(target, d.opsize);
}

void h_iret(CpuImpl& c, const DecodedInsn& d) {
    c.note_interrupt_return();
    const unsigned osz = d.opsize;
    CpuState& s = c.state();
    u64 writable = kArithFlags | kFlagTf | kFlagDf | kFlagNt | kFlagAc | kFlagId | kFlagRf;
    if (!c.protected_mode()) {
        const u64 ip = c.pop(osz);
        const u16 cs = u16(c.pop(osz));
        const u64 fl = c.pop(osz);
        writable |= kFlagIf | kFlagIopl;
        if (osz == 2) writable &= 0xffff;
        c.load_code_segment(cs, 0);
        c.write_rflags(fl, writable);
        c.next_rip = ip & size_mask(osz);
        return;
    }
    if (c.flags.bits & kFlagNt && !(s.efer & mmu::kEferLma))
        raise_exception(kGP, 0); // task return: unsupported
    const u64 ip = c.pop(osz);
    const u16 cs = u16(c.pop(osz));
    const u64 fl = c.pop(osz);
    const unsigned rpl = cs & 3;
    if (rpl < c.cpl()) raise_exception(kGP, cs & ~3u);
    const bool long_mode = c.mode() == CpuMode::Long64;
    const unsigned old_cpl = c.cpl();
    if (old_cpl == 0) writable |= kFlagIopl;
    if (old_cpl <= ((c.flags.bits >> 12) & 3)) writable |= kFlagIf;
    if (osz == 2) writable &= 0xffff;
    if (long_mode || rpl > old_cpl) {
        const u64 sp = c.pop(osz);
        const u16 ss = u16(c.pop(osz));
        c.load_code_segment(cs, u8(rpl));
        // In 64-bit mode a null SS is allowed when returning to CPL < 3.
        if (long_mode && (ss & ~3u) == 0 && rpl != 3) {
            Segment null_ss{ss, 0, 0, 0};
            c.set_segment_cache(SS, null_ss);
        } else {
            c.load_segment(SS, ss);
        }
        const unsigned ssz = c.mode() == CpuMode::Long64 ? 8 : (s.seg[SS].default_big() ? 4 : 2);
        c.set_reg(RSP, ssz, sp);
    } else {
        c.load_code_segment(cs, u8(rpl));
    }
    c.write_rflags(fl, writable);
    c.next_rip = c.mode() == CpuMode::Long64 ? ip : (ip & size_mask(osz));
    c.end_nmi_blocking();
}

} // namespace

Handler specialize_control(const DecodedInsn& d) {
    if (d.exec == &h_jcc) return kJccHandlers[d.cond & 15];
    // The operand size of a near CALL or RET in 64-bit mode is 64 bits, except with a 66h prefix on AMD
    // CPUs (16 bits): that case keeps the general handlers.
    if (d.mode == CpuMode::Long64 && !d.far_branch && d.opsize == 8) {
        if (d.exec == &h_call) return &h_call_near64;
        if (d.exec == &h_ret && d.nops == 0) return &h_ret_near64;
    }
    return nullptr;
}

bool is_conditional_branch(const DecodedInsn& d) {
    return d.exec == kJccHandlers[d.cond & 15];
}

void register_control_handlers(HandlerTable& t) {
    t[ZYDIS_MNEMONIC_JMP] = h_jmp;
    for (auto m : {ZYDIS_MNEMONIC_JO, ZYDIS_MNEMONIC_JNO, ZYDIS_MNEMONIC_JB, ZYDIS_MNEMONIC_JNB,
                   ZYDIS_MNEMONIC_JZ, ZYDIS_MNEMONIC_JNZ, ZYDIS_MNEMONIC_JBE, ZYDIS_MNEMONIC_JNBE,
                   ZYDIS_MNEMONIC_JS, ZYDIS_MNEMONIC_JNS, ZYDIS_MNEMONIC_JP, ZYDIS_MNEMONIC_JNP,
                   ZYDIS_MNEMONIC_JL, ZYDIS_MNEMONIC_JNL, ZYDIS_MNEMONIC_JLE, ZYDIS_MNEMONIC_JNLE})
        t[m] = h_jcc;
    t[ZYDIS_MNEMONIC_JCXZ] = h_jcxz;
    t[ZYDIS_MNEMONIC_JECXZ] = h_jcxz;
    t[ZYDIS_MNEMONIC_JRCXZ] = h_jcxz;
    t[ZYDIS_MNEMONIC_LOOP] = h_loop<0>;
    t[ZYDIS_MNEMONIC_LOOPE] = h_loop<1>;
    t[ZYDIS_MNEMONIC_LOOPNE] = h_loop<2>;
    t[ZYDIS_MNEMONIC_CALL] = h_call;
    t[ZYDIS_MNEMONIC_RET] = h_ret;
    t[ZYDIS_MNEMONIC_IRET] = h_iret;
    t[ZYDIS_MNEMONIC_IRETD] = h_iret;
    t[ZYDIS_MNEMONIC_IRETQ] = h_iret;
}

} // namespace smpsim::cpu
