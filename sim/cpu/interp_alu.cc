// Integer arithmetic and logic: ADD..CMP, TEST, INC/DEC/NEG/NOT, MUL/IMUL/DIV/IDIV, shifts and
// rotates, SHLD/SHRD, bit tests and scans, CMPXCHG/CMPXCHG8B/16B, XADD, and the flag instructions.
#include "sim/cpu/interp_alu.h"

#include <Zydis/Zydis.h>

namespace smpsim::cpu {

namespace {

using namespace alu;

template <Alu op, OpKind D, OpKind S> Handler alu_for_size(unsigned size) {
    switch (size) {
    case 1: return &h_alu<op, D, S, 1>;
    case 2: return &h_alu<op, D, S, 2>;
    case 4: return &h_alu<op, D, S, 4>;
    case 8: return &h_alu<op, D, S, 8>;
    default: return &h_alu<op>;
    }
}

// A memory operand of a flat form (AddrForm), 32 or 64 bits wide: the forms of most memory ALU
// instructions in 64-bit code.
template <Alu op, OpKind D, OpKind S> Handler alu_for(unsigned size, AddrForm form) {
    if (size == 4 || size == 8) {
        if (form == AddrForm::Base)
            return size == 8 ? &h_alu<op, D, S, 8, AddrForm::Base> : &h_alu<op, D, S, 4, AddrForm::Base>;
        if (form == AddrForm::BaseIndex)
            return size == 8 ? &h_alu<op, D, S, 8, AddrForm::BaseIndex>
                             : &h_alu<op, D, S, 4, AddrForm::BaseIndex>;
    }
    return alu_for_size<op, D, S>(size);
}

template <Alu op> Handler alu_handler(const DecodedInsn& d) {
    const Operand& dst = d.op[0];
    const Operand& src = d.op[1];
    if (d.nops != 2 || (src.kind != OpKind::Imm && src.size != dst.size)) return &h_alu<op>;
    if (dst.kind == OpKind::Reg) {
        if (src.kind == OpKind::Reg) return alu_for_size<op, OpKind::Reg, OpKind::Reg>(dst.size);
        if (src.kind == OpKind::Imm) return alu_for_size<op, OpKind::Reg, OpKind::Imm>(dst.size);
        if (src.kind == OpKind::Mem)
            return alu_for<op, OpKind::Reg, OpKind::Mem>(dst.size, flat_form(d, src));
    } else if (dst.kind == OpKind::Mem) {
        if (src.kind == OpKind::Reg)
            return alu_for<op, OpKind::Mem, OpKind::Reg>(dst.size, flat_form(d, dst));
        if (src.kind == OpKind::Imm)
            return alu_for<op, OpKind::Mem, OpKind::Imm>(dst.size, flat_form(d, dst));
    }
    return &h_alu<op>;
}

// INC, DEC, NEG and NOT: D and Size as in h_alu (OpKind::None, 0: from the operand); the decoder picks
// the register forms by size.
enum class Unary { Inc, Dec, Neg, Not };
template <Unary op, OpKind D = OpKind::None, unsigned Size = 0>
void h_unary(CpuImpl& c, const DecodedInsn& d) {
    const Operand& dst = d.op[0];
    const unsigned size = Size ? Size : dst.size;
    Dest a;
    if constexpr (D == OpKind::Reg)
        a = {c.reg(dst.reg, size)};
    else
        a = read_dest(c, dst, true);
    u64 r;
    switch (op) {
    case Unary::Inc:
        r = a.value + 1;
        c.flags.set(FlagOp::Inc, size, r, a.value, 1, c.flags.cf());
        break;
    case Unary::Dec:
        r = a.value - 1;
        c.flags.set(FlagOp::Dec, size, r, a.value, 1, c.flags.cf());
        break;
    case Unary::Neg:
        r = 0 - a.value;
        c.flags.set(FlagOp::Sub, size, r, 0, a.value);
        break;
    case Unary::Not: r = ~a.value; break;
    }
    if constexpr (D == OpKind::Reg)
        c.set_reg(dst.reg, size, r & size_mask(size));
    else
        write_dest(c, dst, a, r & size_mask(size));
}

template <Unary op> Handler unary_handler(const DecodedInsn& d) {
    if (d.nops != 1 || d.op[0].kind != OpKind::Reg) return nullptr;
    switch (d.op[0].size) {
    case 1: return &h_unary<op, OpKind::Reg, 1>;
    case 2: return &h_unary<op, OpKind::Reg, 2>;
    case 4: return &h_unary<op, OpKind::Reg, 4>;
    case 8: return &h_unary<op, OpKind::Reg, 8>;
    default: return nullptr;
    }
}

// ---- multiply and divide -----------------------------------------------------------------------------

void set_mul_flags(CpuImpl& c, bool overflow, u64 low, unsigned size) {
    // CF = OF = overflow; SF/ZF/AF/PF are undefined by the SDM: we report SF/ZF/PF of the low half.
    u64 f = LazyFlags::szp(low, size);
    if (overflow) f |= kFlagCf | kFlagOf;
    c.flags.set_arith(f);
}

void h_mul(CpuImpl& c, const DecodedInsn& d) {
    const unsigned size = d.op[0].size;
    const u64 src = c.read_operand(d.op[0]);
    if (size == 1) {
        const u64 r = c.reg(RAX, 1) * src;
        c.set_reg(RAX, 2, r);
        set_mul_flags(c, (r >> 8) != 0, r, 1);
        return;
    }
    const unsigned __int128 r = (unsigned __int128)c.reg(RAX, size) * src;
    const u64 lo = u64(r) & size_mask(size);
    const u64 hi = size == 8 ? u64(r >> 64) : u64(r >> (size * 8)) & size_mask(size);
    c.set_reg(RAX, size, lo);
    c.set_reg(RDX, size, hi);
    set_mul_flags(c, hi != 0, lo, size);
}

void h_imul(CpuImpl& c, const DecodedInsn& d) {
    if (d.nops == 1) {
        const unsigned size = d.op[0].size;
        const i64 src = sign_extend(c.read_operand(d.op[0]), size);
        const i64 acc = sign_extend(c.reg(RAX, size), size);
        const __int128 r = (__int128)acc * src;
        const u64 lo = u64(r) & size_mask(size);
        const bool fits = r == (__int128)sign_extend(lo, size);
        if (size == 1) {
            c.set_reg(RAX, 2, u64(r));
        } else {
            c.set_reg(RAX, size, lo);
            c.set_reg(RDX, size, u64(r >> (size * 8)));
        }
        set_mul_flags(c, !fits, lo, size);
        return;
    }
    // Two- and three-operand forms: truncated product in the destination register.
    const unsigned size = d.op[0].size;
    const i64 x = sign_extend(c.read_operand(d.op[1]), size);
    const i64 y =
        d.nops == 3 ? sign_extend(u64(d.op[2].imm), size) : sign_extend(c.reg(d.op[0].reg, size), size);
    const __int128 r = (__int128)x * y;
    const u64 lo = u64(r) & size_mask(size);
    set_mul_flags(c, r != (__int128)sign_extend(lo, size), lo, size);
    c.set_reg(d.op[0].reg, size, lo);
}

void h_div(CpuImpl& c, const DecodedInsn& d) {
    const unsigned size = d.op[0].size;
    const u64 divisor = c.read_operand(d.op[0]);
    if (divisor == 0) raise_exception(kDE);
    if (size == 1) {
        const u64 dividend = c.reg(RAX, 2);
        const u64 q = dividend / divisor;
        if (q > 0xff) raise_exception(kDE);
        c.set_reg(RAX, 1, q);
        c.set_reg(kHighByteBase + 0, 1, dividend % divisor);
        return;
    }
    const unsigned __int128 dividend = ((unsigned __int128)c.reg(RDX, size) << (size * 8)) | c.reg(RAX, size);
    const unsigned __int128 q = dividend / divisor;
    if (q > size_mask(size)) raise_exception(kDE);
    c.set_reg(RAX, size, u64(q));
    c.set_reg(RDX, size, u64(dividend % divisor));
}

void h_idiv(CpuImpl& c, const DecodedInsn& d) {
    const unsigned size = d.op[0].size;
    const i64 divisor = sign_extend(c.read_operand(d.op[0]), size);
    if (divisor == 0) raise_exception(kDE);
    __int128 dividend;
    if (size == 1)
        dividend = sign_extend(c.reg(RAX, 2), 2);
    else
        dividend = (__int128)(((unsigned __int128)c.reg(RDX, size) << (size * 8)) | c.reg(RAX, size))
                       << (128 - 2 * size * 8) >>
                   (128 - 2 * size * 8);
    const __int128 max_q = (__int128)(size_mask(size) >> 1);
    const __int128 min_q = -max_q - 1;
    const __int128 int128_min = (__int128)((unsigned __int128)1 << 127);
    // -INT128_MIN overflows; that dividend with divisor -1 is a #DE anyway.
    if (divisor == -1 && dividend == int128_min) raise_exception(kDE);
    const __int128 q = (divisor == -1) ? -dividend : dividend / divisor;
    const __int128 rem = (divisor == -1) ? 0 : dividend % divisor;
    if (q > max_q || q < min_q) raise_exception(kDE);
    if (size == 1) {
        c.set_reg(RAX, 1, u64(q));
        c.set_reg(kHighByteBase + 0, 1, u64(rem));
    } else {
        c.set_reg(RAX, size, u64(q));
        c.set_reg(RDX, size, u64(rem));
    }
}

// ---- shifts and rotates ----------------------------------------------------------------------------

enum class Shift { Rol, Ror, Rcl, Rcr, Shl, Shr, Sar };

// DKind: a register destination known at compile time (None: decided at run time); CKind: the count
// is an immediate or CL (None: decided at run time); Size: the operand size (0: from the operand).
template <Shift op, OpKind DKind = OpKind::None, OpKind CKind = OpKind::None, unsigned Size = 0>
void h_shift(CpuImpl& c, const DecodedInsn& d) {
    const Operand& dst = d.op[0];
    const unsigned size = Size ? Size : dst.size;
    const unsigned bits = size * 8;
    const u64 m = size_mask(size);
    unsigned count_raw;
    if constexpr (CKind == OpKind::Imm)
        count_raw = unsigned(d.op[1].imm);
    else if constexpr (CKind == OpKind::Reg)
        count_raw = unsigned(c.reg(d.op[1].reg, 1));
    else
        count_raw = d.nops > 1 ? unsigned(c.read_operand(d.op[1])) : 1;
    const unsigned count = count_raw & (size == 8 ? 63 : 31);
    Dest a;
    if constexpr (DKind == OpKind::Reg)
        a = {c.reg(dst.reg, size)};
    else
        a = read_dest(c, dst, true);
    if (count == 0) {
        // No change and flags untouched (the operand is still accessed), but a 32-bit register
        // destination is still written, which clears bits 63:32.
        if (dst.kind == OpKind::Reg && size == 4) c.set_reg(dst.reg, 4, a.value);
        return;
    }
    const u64 v = a.value & m;
    const u64 msb = sign_bit(size);
    u64 r = 0;
    // Shifts replace every arithmetic flag; only rotates keep some, so only they materialise the old ones
    // (materialising costs more than the shift itself).
    constexpr bool is_shift = op == Shift::Shl || op == Shift::Shr || op == Shift::Sar;
    u64 f = is_shift ? 0 : c.rflags() & kArithFlags;
    auto set = [&f](u64 flag, bool on) { f = on ? (f | flag) : (f & ~flag); };
    switch (op) {
    case Shift::Shl: {
        r = count < 64 ? (v << count) & m : 0;
        const bool cf = count <= bits ? (count < 64 ? ((v << (count - 1)) & msb) != 0 : false) : false;
        f = LazyFlags::szp(r, size);
        set(kFlagCf, cf);
        set(kFlagOf, ((r & msb) != 0) != cf);
        break;
    }
    case Shift::Shr: {
        r = count < 64 ? v >> count : 0;
        const bool cf = count <= bits ? ((v >> (count - 1)) & 1) : false;
        f = LazyFlags::szp(r, size);
        set(kFlagCf, cf);
        set(kFlagOf, count == 1 ? (v & msb) != 0 : false);
        break;
    }
    case Shift::Sar: {
        const i64 sv = sign_extend(v, size);
        const unsigned cnt = count >= bits ? bits - 1 : count;
        r = u64(sv >> cnt) & m;
        const bool cf = count >= bits ? (sv < 0) : ((u64(sv) >> (count - 1)) & 1);
        f = LazyFlags::szp(r, size);
        set(kFlagCf, cf);
        set(kFlagOf, false);
        break;
    }
    case Shift::Rol: {
        const unsigned n = count % bits;
        r = n ? ((v << n) | (v >> (bits - n))) & m : v;
        const bool cf = r & 1;
        set(kFlagCf, cf);
        set(kFlagOf, ((r & msb) != 0) != cf);
        break;
    }
    case Shift::Ror: {
        const unsigned n = count % bits;
        r = n ? ((v >> n) | (v << (bits - n))) & m : v;
        set(kFlagCf, (r & msb) != 0);
        set(kFlagOf, (((r >> (bits - 1)) ^ (r >> (bits - 2))) & 1) != 0);
        break;
    }
    case Shift::Rcl: {
        const unsigned n = size <= 2 ? count % (bits + 1) : count;
        bool cf = c.flags.cf();
        r = v;
        for (unsigned i = 0; i < n; ++i) {
            const bool out = r & msb;
            r = ((r << 1) | (cf ? 1 : 0)) & m;
            cf = out;
        }
        set(kFlagCf, cf);
        set(kFlagOf, ((r & msb) != 0) != cf);
        break;
    }
    case Shift::Rcr: {
        const unsigned n = size <= 2 ? count % (bits + 1) : count;
        bool cf = c.flags.cf();
        // OF for count 1 is MSB(dest) XOR CF before the rotate.
        const bool of = ((v & msb) != 0) != cf;
        r = v;
        for (unsigned i = 0; i < n; ++i) {
            const bool out = r & 1;
            r = (r >> 1) | (cf ? msb : 0);
            cf = out;
        }
        set(kFlagCf, cf);
        set(kFlagOf, of);
        break;
    }
    }
    // AF is undefined for shifts with a non-zero count; hardware leaves it as computed before (we clear it
    // for shifts, keep it for rotates, which do not touch it).
    if (op == Shift::Shl || op == Shift::Shr || op == Shift::Sar) f &= ~kFlagAf;
    c.flags.set_arith(f);
    if constexpr (DKind == OpKind::Reg)
        c.set_reg(dst.reg, size, r);
    else
        write_dest(c, dst, a, r);
}

// Shifts by an immediate or CL of a 32- or 64-bit register: the forms hashes, RNGs and index arithmetic
// use.
template <Shift op> Handler shift_handler(const DecodedInsn& d) {
    const Operand& dst = d.op[0];
    const Operand& count = d.op[1];
    if (d.nops != 2 || dst.kind != OpKind::Reg || (dst.size != 4 && dst.size != 8)) return nullptr;
    if (count.kind == OpKind::Imm)
        return dst.size == 8 ? &h_shift<op, OpKind::Reg, OpKind::Imm, 8>
                             : &h_shift<op, OpKind::Reg, OpKind::Imm, 4>;
    if (count.kind == OpKind::Reg && count.reg == RCX && count.size == 1)
        return dst.size == 8 ? &h_shift<op, OpKind::Reg, OpKind::Reg, 8>
                             : &h_shift<op, OpKind::Reg, OpKind::Reg, 4>;
    return nullptr;
}

template <bool left> void h_shld(CpuImpl& c, const DecodedInsn& d) {
    const Operand& dst = d.op[0];
    const unsigned size = dst.size;
    const unsigned bits = size * 8;
    const u64 m = size_mask(size);
    const unsigned count =
        unsigned(d.op[2].kind == OpKind::Imm ? d.op[2].imm : c.reg(RCX, 1)) & (size == 8 ? 63 : 31);
    const Dest a = read_dest(c, dst, true);
    if (count == 0) {
        if (dst.kind == OpKind::Reg && size == 4) c.set_reg(dst.reg, 4, a.value); // zero-extends
        return;
    }
    const u64 v = a.value & m;
    const u64 s = c.reg(d.op[1].reg, size);
    u64 r;
    bool cf;
    if (size == 2 && count > 16) {
        // Undefined result; model it as a 32-bit concatenation shift like common hardware.
        const u64 wide = left ? ((v << 16) | s) : ((s << 16) | v);
        const u64 wide2 = (wide << 32) | wide;
        r = left ? (wide2 << count >> 48) & m : (wide2 >> count) & m;
        cf = left ? ((wide2 << (count - 1)) >> 63) & 1 : (wide2 >> (count - 1)) & 1;
    } else if (left) {
        r = ((v << count) | (count == bits ? s : (s >> (bits - count)))) & m;
        if (count == bits) r = s;
        cf = (v >> (bits - count)) & 1;
    } else {
        r = ((v >> count) | (count == bits ? s : (s << (bits - count)))) & m;
        if (count == bits) r = s;
        cf = (v >> (count - 1)) & 1;
    }
    u64 f = LazyFlags::szp(r, size);
    if (cf) f |= kFlagCf;
    if (((r ^ v) & sign_bit(size)) != 0) f |= kFlagOf;
    c.flags.set_arith(f);
    write_dest(c, dst, a, r);
}

// ---- bit tests and scans -----------------------------------------------------------------------------

enum class BitOp { Test, Set, Reset, Complement };

template <BitOp op> void h_bt(CpuImpl& c, const DecodedInsn& d) {
    const Operand& dst = d.op[0];
    const unsigned size = dst.size;
    const unsigned bits = size * 8;
    u64 offset = c.read_operand(d.op[1]);
    Dest a;
    Operand target = dst;
    if (dst.kind == OpKind::Mem && d.op[1].kind == OpKind::Reg) {
        // A register bit offset is signed and may address memory outside the operand.
        const i64 soff = sign_extend(offset, d.op[1].size);
        const i64 word = soff >= 0 ? soff / bits : -((-soff + bits - 1) / bits);
        const u64 lin = c.operand_linear(dst) + u64(word * i64(size));
        const u64 lin_masked = c.mode() == CpuMode::Long64 ? lin : (lin & 0xffffffff);
        a.lin = lin_masked;
        a.value = op == BitOp::Test ? c.read_mem(lin_masked, size, dst.seg)
                                    : c.read_mem_for_write(lin_masked, size, dst.seg);
        offset = u64(soff - word * i64(bits));
    } else {
        a = read_dest(c, dst, op != BitOp::Test);
        offset &= bits - 1;
    }
    const u64 bit = 1ull << offset;
    c.flags.set_flag(kFlagCf, a.value & bit);
    if (op == BitOp::Test) return;
    u64 r = a.value;
    if (op == BitOp::Set)
        r |= bit;
    else if (op == BitOp::Reset)
        r &= ~bit;
    else
        r ^= bit;
    if (target.kind == OpKind::Mem)
        c.write_mem(a.lin, size, r, dst.seg);
    else
        c.set_reg(dst.reg, size, r);
}

template <bool reverse> void h_bsf(CpuImpl& c, const DecodedInsn& d) {
    const unsigned size = d.op[0].size;
    const u64 v = c.read_operand(d.op[1]) & size_mask(size);
    c.flags.flatten();
    u64 f = c.flags.bits & kArithFlags & ~kFlagZf;
    if (v == 0) {
        // Destination unchanged (as Intel and AMD hardware behave), but 32-bit writes still zero-extend.
        c.flags.set_arith(f | kFlagZf);
        if (size == 4) c.set_reg(d.op[0].reg, 4, c.reg(d.op[0].reg, 4));
        return;
    }
    const unsigned idx = reverse ? 63 - __builtin_clzll(v) : __builtin_ctzll(v);
    c.flags.set_arith(f);
    c.set_reg(d.op[0].reg, size, idx);
}

// ---- atomics -----------------------------------------------------------------------------------------

void h_cmpxchg(CpuImpl& c, const DecodedInsn& d) {
    const Operand& dst = d.op[0];
    const unsigned size = dst.size;
    const Dest a = read_dest(c, dst, true);
    const u64 acc = c.reg(RAX, size);
    const u64 src = c.reg(d.op[1].reg, size);
    c.flags.set(FlagOp::Sub, size, acc - a.value, acc, a.value);
    if (acc == a.value) {
        write_dest(c, dst, a, src);
    } else {
        // The destination is written back with its own value (a locked RMW always writes).
        if (dst.kind == OpKind::Mem) write_dest(c, dst, a, a.value);
        c.set_reg(RAX, size, a.value);
    }
}

void h_cmpxchg8b(CpuImpl& c, const DecodedInsn& d) {
    const Operand& m = d.op[0];
    const u64 lin = c.operand_linear(m);
    if (m.size == 16 || d.opsize == 8) {
        if (lin & 15) raise_exception(kGP, 0);
        const u64 lo = c.read_mem_for_write(lin, 8, m.seg);
        const u64 hi = c.read_mem_for_write(lin + 8, 8, m.seg);
        if (lo == c.gpr(RAX) && hi == c.gpr(RDX)) {
            c.write_mem(lin, 8, c.gpr(RBX), m.seg);
            c.write_mem(lin + 8, 8, c.gpr(RCX), m.seg);
            c.flags.set_flag(kFlagZf, true);
        } else {
            c.write_mem(lin, 8, lo, m.seg);
            c.write_mem(lin + 8, 8, hi, m.seg);
            c.gpr(RAX) = lo;
            c.gpr(RDX) = hi;
            c.flags.set_flag(kFlagZf, false);
        }
        return;
    }
    const u64 v = c.read_mem_for_write(lin, 8, m.seg);
    const u64 expected = (c.reg(RDX, 4) << 32) | c.reg(RAX, 4);
    if (v == expected) {
        c.write_mem(lin, 8, (c.reg(RCX, 4) << 32) | c.reg(RBX, 4), m.seg);
        c.flags.set_flag(kFlagZf, true);
    } else {
        c.write_mem(lin, 8, v, m.seg);
        c.set_reg(RAX, 4, v & 0xffffffff);
        c.set_reg(RDX, 4, v >> 32);
        c.flags.set_flag(kFlagZf, false);
    }
}

void h_xadd(CpuImpl& c, const DecodedInsn& d) {
    const Operand& dst = d.op[0];
    const unsigned size = dst.size;
    const Dest a = read_dest(c, dst, true);
    const u64 src = c.reg(d.op[1].reg, size);
    const u64 sum = a.value + src;
    c.flags.set(FlagOp::Add, size, sum, a.value, src);
    c.set_reg(d.op[1].reg, size, a.value);
    write_dest(c, dst, a, sum & size_mask(size));
}

void h_clc(CpuImpl& c, const DecodedInsn&) {
    c.flags.set_flag(kFlagCf, false);
}
void h_stc(CpuImpl& c, const DecodedInsn&) {
    c.flags.set_flag(kFlagCf, true);
}
void h_cmc(CpuImpl& c, const DecodedInsn&) {
    c.flags.set_flag(kFlagCf, !c.flags.cf());
}
void h_cld(CpuImpl& c, const DecodedInsn&) {
    c.flags.bits &= ~kFlagDf;
}
void h_std(CpuImpl& c, const DecodedInsn&) {
    c.flags.bits |= kFlagDf;
}

} // namespace

Handler specialize_alu(const DecodedInsn& d) {
    switch (d.mnemonic) {
    case ZYDIS_MNEMONIC_ADD: return alu_handler<Alu::Add>(d);
    case ZYDIS_MNEMONIC_ADC: return alu_handler<Alu::Adc>(d);
    case ZYDIS_MNEMONIC_SUB: return alu_handler<Alu::Sub>(d);
    case ZYDIS_MNEMONIC_SBB: return alu_handler<Alu::Sbb>(d);
    case ZYDIS_MNEMONIC_AND: return alu_handler<Alu::And>(d);
    case ZYDIS_MNEMONIC_OR: return alu_handler<Alu::Or>(d);
    case ZYDIS_MNEMONIC_XOR: return alu_handler<Alu::Xor>(d);
    case ZYDIS_MNEMONIC_CMP: return alu_handler<Alu::Cmp>(d);
    case ZYDIS_MNEMONIC_TEST: return alu_handler<Alu::Test>(d);
    case ZYDIS_MNEMONIC_SHL: return shift_handler<Shift::Shl>(d);
    case ZYDIS_MNEMONIC_SHR: return shift_handler<Shift::Shr>(d);
    case ZYDIS_MNEMONIC_SAR: return shift_handler<Shift::Sar>(d);
    case ZYDIS_MNEMONIC_ROL: return shift_handler<Shift::Rol>(d);
    case ZYDIS_MNEMONIC_ROR: return shift_handler<Shift::Ror>(d);
    case ZYDIS_MNEMONIC_INC: return unary_handler<Unary::Inc>(d);
    case ZYDIS_MNEMONIC_DEC: return unary_handler<Unary::Dec>(d);
    case ZYDIS_MNEMONIC_NEG: return unary_handler<Unary::Neg>(d);
    case ZYDIS_MNEMONIC_NOT: return unary_handler<Unary::Not>(d);
    default: return nullptr;
    }
}

void register_alu_handlers(HandlerTable& t) {
    t[ZYDIS_MNEMONIC_ADD] = h_alu<Alu::Add>;
    t[ZYDIS_MNEMONIC_ADC] = h_alu<Alu::Adc>;
    t[ZYDIS_MNEMONIC_SUB] = h_alu<Alu::Sub>;
    t[ZYDIS_MNEMONIC_SBB] = h_alu<Alu::Sbb>;
    t[ZYDIS_MNEMONIC_AND] = h_alu<Alu::And>;
    t[ZYDIS_MNEMONIC_OR] = h_alu<Alu::Or>;
    t[ZYDIS_MNEMONIC_XOR] = h_alu<Alu::Xor>;
    t[ZYDIS_MNEMONIC_CMP] = h_alu<Alu::Cmp>;
    t[ZYDIS_MNEMONIC_TEST] = h_alu<Alu::Test>;
    t[ZYDIS_MNEMONIC_INC] = h_unary<Unary::Inc>;
    t[ZYDIS_MNEMONIC_DEC] = h_unary<Unary::Dec>;
    t[ZYDIS_MNEMONIC_NEG] = h_unary<Unary::Neg>;
    t[ZYDIS_MNEMONIC_NOT] = h_unary<Unary::Not>;
    t[ZYDIS_MNEMONIC_MUL] = h_mul;
    t[ZYDIS_MNEMONIC_IMUL] = h_imul;
    t[ZYDIS_MNEMONIC_DIV] = h_div;
    t[ZYDIS_MNEMONIC_IDIV] = h_idiv;
    t[ZYDIS_MNEMONIC_ROL] = h_shift<Shift::Rol>;
    t[ZYDIS_MNEMONIC_ROR] = h_shift<Shift::Ror>;
    t[ZYDIS_MNEMONIC_RCL] = h_shift<Shift::Rcl>;
    t[ZYDIS_MNEMONIC_RCR] = h_shift<Shift::Rcr>;
    t[ZYDIS_MNEMONIC_SHL] = h_shift<Shift::Shl>;
    t[ZYDIS_MNEMONIC_SHR] = h_shift<Shift::Shr>;
    t[ZYDIS_MNEMONIC_SAR] = h_shift<Shift::Sar>;
    t[ZYDIS_MNEMONIC_SHLD] = h_shld<true>;
    t[ZYDIS_MNEMONIC_SHRD] = h_shld<false>;
    t[ZYDIS_MNEMONIC_BT] = h_bt<BitOp::Test>;
    t[ZYDIS_MNEMONIC_BTS] = h_bt<BitOp::Set>;
    t[ZYDIS_MNEMONIC_BTR] = h_bt<BitOp::Reset>;
    t[ZYDIS_MNEMONIC_BTC] = h_bt<BitOp::Complement>;
    t[ZYDIS_MNEMONIC_BSF] = h_bsf<false>;
    t[ZYDIS_MNEMONIC_BSR] = h_bsf<true>;
    t[ZYDIS_MNEMONIC_CMPXCHG] = h_cmpxchg;
    t[ZYDIS_MNEMONIC_CMPXCHG8B] = h_cmpxchg8b;
    t[ZYDIS_MNEMONIC_CMPXCHG16B] = h_cmpxchg8b;
    t[ZYDIS_MNEMONIC_XADD] = h_xadd;
    t[ZYDIS_MNEMONIC_CLC] = h_clc;
    t[ZYDIS_MNEMONIC_STC] = h_stc;
    t[ZYDIS_MNEMONIC_CMC] = h_cmc;
    t[ZYDIS_MNEMONIC_CLD] = h_cld;
    t[ZYDIS_MNEMONIC_STD] = h_std;
}

} // namespace smpsim::cpu
