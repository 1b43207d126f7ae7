// Data movement: MOV and its extending forms, LEA, XCHG, PUSH/POP, CMOVcc/SETcc, BSWAP, sign
// extensions of the accumulator, LAHF/SAHF, XLAT, ENTER/LEAVE, flag pushes and pops.
#include "sim/cpu/cpu_impl.h"

#include <Zydis/Zydis.h>

namespace smpsim::cpu {

void push_segment(CpuImpl& c, const DecodedInsn& d);
void pop_segment(CpuImpl& c, const DecodedInsn& d);

bool condition_holds(const LazyFlags& f, unsigned cond) {
    bool r;
    if (f.op == FlagOp::Sub && f.aux == 0) {
        // Compare fast path: decide from the operands without building flags.
        const u64 m = f.mask();
        const u64 a = f.a & m, b = f.b & m;
        const unsigned shift = 64 - f.size * 8;
        const i64 sa = i64(a << shift), sb = i64(b << shift);
        switch (cond >> 1) {
        case 1: r = a < b; break;
        case 2: r = a == b; break;
        case 3: r = a <= b; break;
        case 6: r = sa < sb; break;
        case 7: r = sa <= sb; break;
        default: goto general;
        }
        return (cond & 1) ? !r : r;
    }
general:
    switch (cond >> 1) {
    case 0: r = f.of(); break;
    case 1: r = f.cf(); break;
    case 2: r = f.zf(); break;
    case 3: r = f.cf() || f.zf(); break;
    case 4: r = f.sf(); break;
    case 5: r = f.pf(); break;
    case 6: r = f.sf() != f.of(); break;
    default: r = f.zf() || (f.sf() != f.of()); break;
    }
    return (cond & 1) ? !r : r;
}

namespace {

// MOV specialised by operand kinds and size (see h_alu), and for a memory operand by its addressing form;
// the generic form serves the rest.
template <OpKind D, OpKind S, unsigned Size, AddrForm F = AddrForm::Any>
void h_mov_k(CpuImpl& c, const DecodedInsn& d) {
    const Operand& src = d.op[1];
    const Operand& dst = d.op[0];
    u64 v;
    if constexpr (S == OpKind::Reg)
        v = c.reg(src.reg, Size);
    else if constexpr (S == OpKind::Imm)
        v = u64(src.imm);
    else
        v = c.read_mem(c.operand_linear<F>(src), Size, src.seg);
    if constexpr (D == OpKind::Reg)
        c.set_reg(dst.reg, Size, v);
    else
        c.write_mem(c.operand_linear<F>(dst), Size, v & size_mask(Size), dst.seg);
}

template <OpKind D, OpKind S, AddrForm F = AddrForm::Any> Handler mov_for_size(unsigned size) {
    switch (size) {
    case 1: return &h_mov_k<D, S, 1, F>;
    case 2: return &h_mov_k<D, S, 2, F>;
    case 4: return &h_mov_k<D, S, 4, F>;
    case 8: return &h_mov_k<D, S, 8, F>;
    default: return nullptr;
    }
}

template <OpKind D, OpKind S> Handler mov_for(unsigned size, AddrForm form) {
    switch (form) {
    case AddrForm::Base: return mov_for_size<D, S, AddrForm::Base>(size);
    case AddrForm::BaseIndex: return mov_for_size<D, S, AddrForm::BaseIndex>(size);
    default: return mov_for_size<D, S>(size);
    }
}

void h_mov(CpuImpl& c, const DecodedInsn& d) {
    c.write_operand(d.op[0], c.read_operand(d.op[1]));
}

void h_movzx(CpuImpl& c, const DecodedInsn& d) {
    c.set_reg(d.op[0].reg, d.op[0].size, c.read_operand(d.op[1]));
}

void h_movsx(CpuImpl& c, const DecodedInsn& d) {
    c.set_reg(d.op[0].reg, d.op[0].size, u64(sign_extend(c.read_operand(d.op[1]), d.op[1].size)));
}

// MOVZX/MOVSX/MOVSXD by source form and the two sizes: a third of the loads on the packet path widen a
// byte or a word (header fields).
template <OpKind S, unsigned SrcSize, unsigned DstSize, bool kSigned>
void h_movx_k(CpuImpl& c, const DecodedInsn& d) {
    const Operand& src = d.op[1];
    u64 v;
    if constexpr (S == OpKind::Reg)
        v = c.reg(src.reg, SrcSize);
    else
        v = c.read_mem(c.operand_linear(src), SrcSize, src.seg);
    if constexpr (kSigned) v = u64(sign_extend(v, SrcSize));
    c.set_reg(d.op[0].reg, DstSize, v);
}

template <OpKind S, bool kSigned> Handler movx_for_sizes(unsigned src, unsigned dst) {
    switch (src * 16 + dst) {
    case 0x12: return &h_movx_k<S, 1, 2, kSigned>;
    case 0x14: return &h_movx_k<S, 1, 4, kSigned>;
    case 0x18: return &h_movx_k<S, 1, 8, kSigned>;
    case 0x24: return &h_movx_k<S, 2, 4, kSigned>;
    case 0x28: return &h_movx_k<S, 2, 8, kSigned>;
    case 0x48: return &h_movx_k<S, 4, 8, kSigned>;
    default: return nullptr;
    }
}

// LEA of a flat-form address (flat_form) into a 32- or 64-bit register; the segment plays no part in
// LEA, and with a 64-bit address size nothing is masked but the destination's size.
template <unsigned Size, AddrForm F> void h_lea_k(CpuImpl& c, const DecodedInsn& d) {
    c.set_reg(d.op[0].reg, Size, c.operand_linear<F>(d.op[1]));
}

void h_lea(CpuImpl& c, const DecodedInsn& d) {
    c.set_reg(d.op[0].reg, d.op[0].size, c.effective_address(d.op[1]));
}

void h_xchg(CpuImpl& c, const DecodedInsn& d) {
    const Operand& a = d.op[0];
    const Operand& b = d.op[1];
    if (a.kind == OpKind::Mem || b.kind == OpKind::Mem) {
        const Operand& m = a.kind == OpKind::Mem ? a : b;
        const Operand& r = a.kind == OpKind::Mem ? b : a;
        const u64 lin = c.operand_linear(m);
        const u64 old = c.read_mem_for_write(lin, m.size, m.seg);
        c.write_mem(lin, m.size, c.reg(r.reg, r.size), m.seg);
        c.set_reg(r.reg, r.size, old);
        return;
    }
    const u64 va = c.reg(a.reg, a.size);
    const u64 vb = c.reg(b.reg, b.size);
    c.set_reg(a.reg, a.size, vb);
    c.set_reg(b.reg, b.size, va);
}

void h_push(CpuImpl& c, const DecodedInsn& d) {
    if (d.op[0].kind == OpKind::SegReg) return push_segment(c, d);
    const u64 v = c.read_operand(d.op[0]);
    c.push(v & size_mask(d.opsize), d.opsize);
}

void h_pop(CpuImpl& c, const DecodedInsn& d) {
    if (d.op[0].kind == OpKind::SegReg) return pop_segment(c, d);
    if (d.op[0].kind == OpKind::Mem) {
        // The destination address is computed after RSP is incremented (SDM POP); check the write first.
        const u64 sp = c.stack_pointer();
        const u64 v = c.read_mem(c.linear_address(SS, sp), d.opsize, SS);
        const u64 saved = c.gpr(RSP);
        c.set_reg(RSP, c.mode() == CpuMode::Long64 ? 8 : (c.state().seg[SS].default_big() ? 4 : 2),
                  sp + d.opsize);
        try {
            c.write_operand(d.op[0], v);
        } catch (...) {
            c.gpr(RSP) = saved;
            throw;
        }
        return;
    }
    const u64 v = c.pop(d.opsize);
    c.set_reg(d.op[0].reg, d.op[0].size, v);
}

// PUSH r64 and POP r64 in 64-bit mode, the prologues and epilogues of every function.
void h_push_r64(CpuImpl& c, const DecodedInsn& d) {
    c.push64(c.gpr(d.op[0].reg));
}

void h_pop_r64(CpuImpl& c, const DecodedInsn& d) {
    const u64 v = c.pop64();
    c.gpr(d.op[0].reg) = v; // POP RSP loads the value read
}

void h_pushf(CpuImpl& c, const DecodedInsn& d) {
    // VM and RF are never pushed as set.
    c.push(c.rflags() & ~(kFlagVm | kFlagRf) & size_mask(d.opsize), d.opsize);
}

void h_popf(CpuImpl& c, const DecodedInsn& d) {
    const u64 v = c.pop(d.opsize);
    u64 writable = kArithFlags | kFlagTf | kFlagDf | kFlagNt | kFlagAc | kFlagId;
    const unsigned iopl = (c.flags.bits >> 12) & 3;
    if (c.cpl() == 0) writable |= kFlagIopl;
    if (c.cpl() <= iopl) writable |= kFlagIf;
    if (d.opsize == 2) writable &= 0xffff;
    // Unlike STI, POPF that sets IF opens no interrupt shadow.
    c.write_rflags(v, writable);
}

void h_pusha(CpuImpl& c, const DecodedInsn& d) {
    if (c.mode() == CpuMode::Long64) raise_exception(kUD);
    const unsigned sz = d.opsize;
    const u64 sp = c.reg(RSP, sz);
    for (u8 r : {RAX, RCX, RDX, RBX})
        c.push(c.reg(r, sz), sz);
    c.push(sp, sz);
    for (u8 r : {RBP, RSI, RDI})
        c.push(c.reg(r, sz), sz);
}

void h_popa(CpuImpl& c, const DecodedInsn& d) {
    if (c.mode() == CpuMode::Long64) raise_exception(kUD);
    const unsigned sz = d.opsize;
    for (u8 r : {RDI, RSI, RBP})
        c.set_reg(r, sz, c.pop(sz));
    c.pop(sz); // the saved SP is discarded
    for (u8 r : {RBX, RDX, RCX, RAX})
        c.set_reg(r, sz, c.pop(sz));
}

void h_cmovcc(CpuImpl& c, const DecodedInsn& d) {
    const u64 v = c.read_operand(d.op[1]); // the source is read (and may fault) either way
    if (condition_holds(c.flags, d.cond))
        c.set_reg(d.op[0].reg, d.op[0].size, v);
    else if (d.op[0].size == 4)
        c.set_reg(d.op[0].reg, 4, c.reg(d.op[0].reg, 4)); // 32-bit: upper half cleared
}

void h_setcc(CpuImpl& c, const DecodedInsn& d) {
    c.write_operand(d.op[0], condition_holds(c.flags, d.cond) ? 1 : 0);
}

void h_bswap(CpuImpl& c, const DecodedInsn& d) {
    const Operand& o = d.op[0];
    const u64 v = c.reg(o.reg, o.size);
    if (o.size == 8)
        c.set_reg(o.reg, 8, __builtin_bswap64(v));
    else if (o.size == 4)
        c.set_reg(o.reg, 4, __builtin_bswap32(u32(v)));
    else
        c.set_reg(o.reg, 2, 0); // BSWAP r16 is undefined; hardware gives 0
}

void h_cbw(CpuImpl& c, const DecodedInsn&) {
    c.set_reg(RAX, 2, u64(sign_extend(c.reg(RAX, 1), 1)));
}
void h_cwde(CpuImpl& c, const DecodedInsn&) {
    c.set_reg(RAX, 4, u64(sign_extend(c.reg(RAX, 2), 2)));
}
void h_cdqe(CpuImpl& c, const DecodedInsn&) {
    c.set_reg(RAX, 8, u64(sign_extend(c.reg(RAX, 4), 4)));
}
void h_cwd(CpuImpl& c, const DecodedInsn&) {
    c.set_reg(RDX, 2, (c.reg(RAX, 2) & 0x8000) ? 0xffff : 0);
}
void h_cdq(CpuImpl& c, const DecodedInsn&) {
    c.set_reg(RDX, 4, (c.reg(RAX, 4) & 0x80000000u) ? 0xffffffff : 0);
}
void h_cqo(CpuImpl& c, const DecodedInsn&) {
    c.set_reg(RDX, 8, (c.reg(RAX, 8) >> 63) ? ~0ull : 0);
}

void h_lahf(CpuImpl& c, const DecodedInsn&) {
    c.set_reg(kHighByteBase + 0, 1, (c.rflags() & 0xd5) | 0x2);
}
void h_sahf(CpuImpl& c, const DecodedInsn&) {
    const u64 ah = c.reg(kHighByteBase + 0, 1);
    c.flags.flatten();
    c.flags.bits = (c.flags.bits & ~0xd5ull) | (ah & 0xd5) | 0x2;
}

void h_xlat(CpuImpl& c, const DecodedInsn& d) {
    const u64 ea = (c.gpr(RBX) + c.reg(RAX, 1)) & size_mask(d.addrsize);
    c.set_reg(RAX, 1, c.read_mem(c.linear_address(d.src_seg, ea), 1, d.src_seg));
}

void h_enter(CpuImpl& c, const DecodedInsn& d) {
    const unsigned size = d.opsize;
    const u64 alloc = u64(d.op[0].imm) & 0xffff;
    const unsigned level = unsigned(d.op[1].imm) & 31;
    const unsigned ssz = c.mode() == CpuMode::Long64 ? 8 : (c.state().seg[SS].default_big() ? 4 : 2);
    c.push(c.reg(RBP, size), size);
    const u64 frame = c.reg(RSP, ssz);
    if (level > 0) {
        u64 bp = c.reg(RBP, ssz);
        for (unsigned i = 1; i < level; ++i) {
            bp = (bp - size) & size_mask(ssz);
            c.push(c.read_mem(c.linear_address(SS, bp), size, SS), size);
        }
        c.push(frame, size);
    }
    c.set_reg(RBP, size, frame);
    c.set_reg(RSP, ssz, c.reg(RSP, ssz) - alloc);
}

void h_leave(CpuImpl& c, const DecodedInsn& d) {
    const unsigned ssz = c.mode() == CpuMode::Long64 ? 8 : (c.state().seg[SS].default_big() ? 4 : 2);
    const u64 bp = c.reg(RBP, ssz);
    const u64 v = c.read_mem(c.linear_address(SS, bp), d.opsize, SS);
    c.set_reg(RSP, ssz, bp + d.opsize);
    c.set_reg(RBP, d.opsize, v);
}

} // namespace

Handler specialize_data(const DecodedInsn& d) {
    if (d.mnemonic == ZYDIS_MNEMONIC_LEA && d.nops == 2 && d.op[0].kind == OpKind::Reg &&
        (d.op[0].size == 4 || d.op[0].size == 8)) {
        switch (flat_form(d, d.op[1], /*uses_segment=*/false)) {
        case AddrForm::Base:
            return d.op[0].size == 8 ? &h_lea_k<8, AddrForm::Base> : &h_lea_k<4, AddrForm::Base>;
        case AddrForm::BaseIndex:
            return d.op[0].size == 8 ? &h_lea_k<8, AddrForm::BaseIndex> : &h_lea_k<4, AddrForm::BaseIndex>;
        default: break;
        }
    }
    if ((d.mnemonic == ZYDIS_MNEMONIC_PUSH || d.mnemonic == ZYDIS_MNEMONIC_POP) &&
        d.mode == CpuMode::Long64 && d.nops == 1 && d.op[0].kind == OpKind::Reg && d.op[0].size == 8 &&
        d.opsize == 8)
        return d.mnemonic == ZYDIS_MNEMONIC_PUSH ? &h_push_r64 : &h_pop_r64;
    if ((d.mnemonic == ZYDIS_MNEMONIC_MOVZX || d.mnemonic == ZYDIS_MNEMONIC_MOVSX ||
         d.mnemonic == ZYDIS_MNEMONIC_MOVSXD) &&
        d.nops == 2 && d.op[0].kind == OpKind::Reg && d.op[1].size < d.op[0].size) {
        const bool sign = d.mnemonic != ZYDIS_MNEMONIC_MOVZX;
        if (d.op[1].kind == OpKind::Reg)
            return sign ? movx_for_sizes<OpKind::Reg, true>(d.op[1].size, d.op[0].size)
                        : movx_for_sizes<OpKind::Reg, false>(d.op[1].size, d.op[0].size);
        if (d.op[1].kind == OpKind::Mem)
            return sign ? movx_for_sizes<OpKind::Mem, true>(d.op[1].size, d.op[0].size)
                        : movx_for_sizes<OpKind::Mem, false>(d.op[1].size, d.op[0].size);
    }
    if (d.mnemonic != ZYDIS_MNEMONIC_MOV || d.nops != 2) return nullptr;
    const Operand& dst = d.op[0];
    const Operand& src = d.op[1];
    if (src.kind != OpKind::Imm && src.size != dst.size) return nullptr;
    if (dst.kind == OpKind::Reg) {
        if (src.kind == OpKind::Reg) return mov_for_size<OpKind::Reg, OpKind::Reg>(dst.size);
        if (src.kind == OpKind::Imm) return mov_for_size<OpKind::Reg, OpKind::Imm>(dst.size);
        if (src.kind == OpKind::Mem) return mov_for<OpKind::Reg, OpKind::Mem>(dst.size, flat_form(d, src));
    } else if (dst.kind == OpKind::Mem) {
        if (src.kind == OpKind::Reg) return mov_for<OpKind::Mem, OpKind::Reg>(dst.size, flat_form(d, dst));
        if (src.kind == OpKind::Imm) return mov_for<OpKind::Mem, OpKind::Imm>(dst.size, flat_form(d, dst));
    }
    return nullptr;
}

void register_data_handlers(HandlerTable& t) {
    t[ZYDIS_MNEMONIC_MOV] = h_mov;
    t[ZYDIS_MNEMONIC_MOVZX] = h_movzx;
    t[ZYDIS_MNEMONIC_MOVSX] = h_movsx;
    t[ZYDIS_MNEMONIC_MOVSXD] = h_movsx;
    t[ZYDIS_MNEMONIC_LEA] = h_lea;
    t[ZYDIS_MNEMONIC_XCHG] = h_xchg;
    t[ZYDIS_MNEMONIC_PUSH] = h_push;
    t[ZYDIS_MNEMONIC_POP] = h_pop;
    for (auto m : {ZYDIS_MNEMONIC_PUSHF, ZYDIS_MNEMONIC_PUSHFD, ZYDIS_MNEMONIC_PUSHFQ})
        t[m] = h_pushf;
    for (auto m : {ZYDIS_MNEMONIC_POPF, ZYDIS_MNEMONIC_POPFD, ZYDIS_MNEMONIC_POPFQ})
        t[m] = h_popf;
    t[ZYDIS_MNEMONIC_PUSHA] = h_pusha;
    t[ZYDIS_MNEMONIC_PUSHAD] = h_pusha;
    t[ZYDIS_MNEMONIC_POPA] = h_popa;
    t[ZYDIS_MNEMONIC_POPAD] = h_popa;
    for (auto m :
         {ZYDIS_MNEMONIC_CMOVO, ZYDIS_MNEMONIC_CMOVNO, ZYDIS_MNEMONIC_CMOVB, ZYDIS_MNEMONIC_CMOVNB,
          ZYDIS_MNEMONIC_CMOVZ, ZYDIS_MNEMONIC_CMOVNZ, ZYDIS_MNEMONIC_CMOVBE, ZYDIS_MNEMONIC_CMOVNBE,
          ZYDIS_MNEMONIC_CMOVS, ZYDIS_MNEMONIC_CMOVNS, ZYDIS_MNEMONIC_CMOVP, ZYDIS_MNEMONIC_CMOVNP,
          ZYDIS_MNEMONIC_CMOVL, ZYDIS_MNEMONIC_CMOVNL, ZYDIS_MNEMONIC_CMOVLE, ZYDIS_MNEMONIC_CMOVNLE})
        t[m] = h_cmovcc;
    for (auto m : {ZYDIS_MNEMONIC_SETO, ZYDIS_MNEMONIC_SETNO, ZYDIS_MNEMONIC_SETB, ZYDIS_MNEMONIC_SETNB,
                   ZYDIS_MNEMONIC_SETZ, ZYDIS_MNEMONIC_SETNZ, ZYDIS_MNEMONIC_SETBE, ZYDIS_MNEMONIC_SETNBE,
                   ZYDIS_MNEMONIC_SETS, ZYDIS_MNEMONIC_SETNS, ZYDIS_MNEMONIC_SETP, ZYDIS_MNEMONIC_SETNP,
                   ZYDIS_MNEMONIC_SETL, ZYDIS_MNEMONIC_SETNL, ZYDIS_MNEMONIC_SETLE, ZYDIS_MNEMONIC_SETNLE})
        t[m] = h_setcc;
    t[ZYDIS_MNEMONIC_BSWAP] = h_bswap;
    t[ZYDIS_MNEMONIC_CBW] = h_cbw;
    t[ZYDIS_MNEMONIC_CWDE] = h_cwde;
    t[ZYDIS_MNEMONIC_CDQE] = h_cdqe;
    t[ZYDIS_MNEMONIC_CWD] = h_cwd;
    t[ZYDIS_MNEMONIC_CDQ] = h_cdq;
    t[ZYDIS_MNEMONIC_CQO] = h_cqo;
    t[ZYDIS_MNEMONIC_LAHF] = h_lahf;
    t[ZYDIS_MNEMONIC_SAHF] = h_sahf;
    t[ZYDIS_MNEMONIC_XLAT] = h_xlat;
    t[ZYDIS_MNEMONIC_ENTER] = h_enter;
    t[ZYDIS_MNEMONIC_LEAVE] = h_leave;
}

} // namespace smpsim::cpu
