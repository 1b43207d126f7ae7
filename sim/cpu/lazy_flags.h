// Lazily evaluated arithmetic flags. ALU instructions record their operands and result; a flag is
// computed only when something reads it (Jcc, PUSHF, ADC...), which is rare compared with writes.
#pragma once
#include "sim/core/types.h"
#include "sim/cpu/cpu_state.h"

namespace smpsim::cpu {

enum class FlagOp : u8 {
    Materialized, // arithmetic flags are in `bits`
    Add,          // res = a + b + aux (aux = carry in)
    Sub,          // res = a - b - aux (aux = borrow in); NEG is Sub(0, b); CMP is Sub
    Logic,        // AND/OR/XOR/TEST: CF = OF = AF = 0
    Inc,          // res = a + 1, aux = CF before (INC preserves CF)
    Dec,          // res = a - 1, aux = CF before
};

struct LazyFlags {
    FlagOp op = FlagOp::Materialized;
    u8 size = 8;
    u64 res = 0, a = 0, b = 0, aux = 0;
    // Non-arithmetic RFLAGS bits always live here; arithmetic ones too when op == Materialized.
    u64 bits = 0x2;

    void set(FlagOp o, unsigned sz, u64 r, u64 x, u64 y, u64 carry = 0) {
        op = o;
        size = u8(sz);
        res = r;
        a = x;
        b = y;
        aux = carry;
    }
    void set_logic(unsigned sz, u64 r) { set(FlagOp::Logic, sz, r, 0, 0); }

    u64 mask() const { return size >= 8 ? ~0ull : (1ull << (size * 8)) - 1; }
    u64 sign() const { return 1ull << (size * 8 - 1); }

    bool cf() const {
        const u64 m = mask();
        switch (op) {
        case FlagOp::Materialized: return bits & kFlagCf;
        case FlagOp::Add: return (res & m) < (a & m) || (aux && (res & m) == (a & m));
        case FlagOp::Sub: return (a & m) < (b & m) || (aux && (a & m) == (b & m));
        case FlagOp::Logic: return false;
        case FlagOp::Inc:
        case FlagOp::Dec: return aux;
        }
        return false;
    }
    bool zf() const { return op == FlagOp::Materialized ? (bits & kFlagZf) : (res & mask()) == 0; }
    bool sf() const { return op == FlagOp::Materialized ? (bits & kFlagSf) : (res & sign()); }
    bool pf() const {
        if (op == FlagOp::Materialized) return bits & kFlagPf;
        return !__builtin_parity(unsigned(res & 0xff));
    }
    bool af() const {
        switch (op) {
        case FlagOp::Materialized: return bits & kFlagAf;
        case FlagOp::Logic: return false;
        case FlagOp::Inc: return (res & 0xf) == 0;
        case FlagOp::Dec: return (res & 0xf) == 0xf;
        default: return (a ^ b ^ res) & 0x10;
        }
    }
    bool of() const {
        const u64 s = sign();
        switch (op) {
        case FlagOp::Materialized: return bits & kFlagOf;
        case FlagOp::Add: return (a ^ res) & (b ^ res) & s;
        case FlagOp::Sub: return (a ^ b) & (a ^ res) & s;
        case FlagOp::Logic: return false;
        case FlagOp::Inc: return (res & mask()) == s;
        case FlagOp::Dec: return (res & mask()) == s - 1;
        }
        return false;
    }

    u64 materialize() const {
        if (op == FlagOp::Materialized) return bits;
        u64 f = bits & ~kArithFlags;
        if (cf()) f |= kFlagCf;
        if (pf()) f |= kFlagPf;
        if (af()) f |= kFlagAf;
        if (zf()) f |= kFlagZf;
        if (sf()) f |= kFlagSf;
        if (of()) f |= kFlagOf;
        return f;
    }
    // Fixes the arithmetic flags in `bits` so that single flags can be changed.
    void flatten() {
        bits = materialize();
        op = FlagOp::Materialized;
    }
    void set_flag(u64 flag, bool on) {
        flatten();
        bits = on ? (bits | flag) : (bits & ~flag);
    }
    // Replaces all arithmetic flags at once (shifts, MUL, BT...).
    void set_arith(u64 arith) {
        op = FlagOp::Materialized;
        bits = (bits & ~kArithFlags) | (arith & kArithFlags);
    }
    // Flags of a result for SF/ZF/PF, the usual part of eagerly computed flags.
    static u64 szp(u64 res, unsigned size) {
        const u64 m = size >= 8 ? ~0ull : (1ull << (size * 8)) - 1;
        u64 f = 0;
        if ((res & m) == 0) f |= kFlagZf;
        if (res & (1ull << (size * 8 - 1))) f |= kFlagSf;
        if (!__builtin_parity(unsigned(res & 0xff))) f |= kFlagPf;
        return f;
    }
};

} // namespace smpsim::cpu
