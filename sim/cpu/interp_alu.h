// The two-operand ALU group (ADD..CMP, TEST) as handler templates specialised by operand kind and size,
// shared by interp_alu.cc (the handlers) and interp_fused.cc (the same instructions fused with a Jcc).
#pragma once
#include "sim/cpu/cpu_impl.h"

namespace smpsim::cpu::alu {

enum class Alu { Add, Adc, Sub, Sbb, And, Or, Xor, Cmp, Test };

// Reads the destination (with a write check for memory), so faults come before any change.
struct Dest {
    u64 value = 0;
    u64 lin = 0;
};

template <AddrForm F = AddrForm::Any> inline Dest read_dest(CpuImpl& c, const Operand& o, bool will_write) {
    if (o.kind == OpKind::Mem) {
        const u64 lin = c.operand_linear<F>(o);
        return {will_write ? c.read_mem_for_write(lin, o.size, o.seg) : c.read_mem(lin, o.size, o.seg), lin};
    }
    return {c.reg(o.reg, o.size)};
}

inline void write_dest(CpuImpl& c, const Operand& o, const Dest& d, u64 v) {
    if (o.kind == OpKind::Mem)
        c.write_mem(d.lin, o.size, v, o.seg);
    else
        c.set_reg(o.reg, o.size, v);
}

// Operand access specialised at compile time: Kind is the operand's kind (OpKind::None: decided at run
// time) and Size its size in bytes (0: from the operand). The decoder picks a specialised handler for
// the common register/immediate/memory combinations; the generic one (None, None, 0) serves the rest.
template <OpKind Kind, unsigned Size, AddrForm F = AddrForm::Any>
inline u64 read_src(CpuImpl& c, const Operand& o) {
    constexpr bool fixed = Size != 0;
    const unsigned size = fixed ? Size : o.size;
    if constexpr (Kind == OpKind::Reg)
        return c.reg(o.reg, size);
    else if constexpr (Kind == OpKind::Imm)
        return u64(o.imm);
    else if constexpr (Kind == OpKind::Mem)
        return c.read_mem(c.operand_linear<F>(o), size, o.seg);
    else
        return c.read_operand(o);
}

// F: the addressing form of the memory operand, if there is one (AddrForm).
template <Alu op, OpKind DKind = OpKind::None, OpKind SKind = OpKind::None, unsigned Size = 0,
          AddrForm F = AddrForm::Any>
void h_alu(CpuImpl& c, const DecodedInsn& d) {
    const Operand& dst = d.op[0];
    const unsigned size = Size ? Size : dst.size;
    constexpr bool writes = op != Alu::Cmp && op != Alu::Test;
    Dest a;
    if constexpr (DKind == OpKind::Reg)
        a = {c.reg(dst.reg, size)};
    else
        a = read_dest<F>(c, dst, writes);
    const u64 b = read_src<SKind, Size, F>(c, d.op[1]) & size_mask(size);
    u64 r;
    switch (op) {
    case Alu::Add:
        r = a.value + b;
        c.flags.set(FlagOp::Add, size, r, a.value, b);
        break;
    case Alu::Adc: {
        const u64 cin = c.flags.cf();
        r = a.value + b + cin;
        c.flags.set(FlagOp::Add, size, r, a.value, b, cin);
        break;
    }
    case Alu::Sub:
    case Alu::Cmp:
        r = a.value - b;
        c.flags.set(FlagOp::Sub, size, r, a.value, b);
        break;
    case Alu::Sbb: {
        const u64 cin = c.flags.cf();
        r = a.value - b - cin;
        c.flags.set(FlagOp::Sub, size, r, a.value, b, cin);
        break;
    }
    case Alu::And:
    case Alu::Test:
        r = a.value & b;
        c.flags.set_logic(size, r);
        break;
    case Alu::Or:
        r = a.value | b;
        c.flags.set_logic(size, r);
        break;
    case Alu::Xor:
        r = a.value ^ b;
        c.flags.set_logic(size, r);
        break;
    }
    if constexpr (writes) {
        if constexpr (DKind == OpKind::Reg)
            c.set_reg(dst.reg, size, r & size_mask(size));
        else
            write_dest(c, dst, a, r & size_mask(size));
    }
}

} // namespace smpsim::cpu::alu
