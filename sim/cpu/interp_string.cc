// String instructions (MOVS, STOS, LODS, CMPS, SCAS, INS, OUTS) with REP/REPE/REPNE and DF.
// A repeated instruction runs at most kChunk iterations per execution and then restarts itself, so
// interrupts and the time quantum are honoured in the middle of a long REP, as on hardware.
#include "sim/cpu/cpu_impl.h"

#include <algorithm>
#include <cstring>

#include <Zydis/Zydis.h>

namespace smpsim::cpu {

namespace {

constexpr u64 kChunk = 1024;

enum class Str { Movs, Stos, Lods, Cmps, Scas, Ins, Outs };

// REP MOVS/STOS forwards (DF = 0) over memory the host TLB maps for writing (and, for MOVS, reading):
// as many elements at once as fit in the pages of both addresses and the budget, with the same result
// as one at a time (a MOVS whose destination overlaps the source from above replicates bytes and is
// left to the element loop). Returns the elements done, 0 where the element loop must go on.
template <Str op, unsigned size>
u64 string_bulk(CpuImpl& c, const DecodedInsn& d, u64 amask, u64 count, u64 budget) {
    const unsigned asz = d.addrsize;
    const u64 si = c.gpr(RSI) & amask;
    const u64 di = c.gpr(RDI) & amask;
    const u64 dlin = c.linear_address(ES, di);
    u8* dst = c.host_write_pointer(dlin);
    if (!dst || (dlin & 0xfff) + size > 4096) return 0;
    // Elements that fit in the page, and start before the address wraps (masked by the address size).
    const auto below_wrap = [&](u64 n, u64 offset) {
        return (amask - offset) / size < n ? (amask - offset) / size + 1 : n;
    };
    u64 n = below_wrap(std::min({count, budget, (4096 - (dlin & 0xfff)) / size}), di);
    if constexpr (op == Str::Movs) {
        const u64 slin = c.linear_address(d.src_seg, si);
        const u8* src = c.host_read_pointer(slin);
        if (!src) return 0;
        n = below_wrap(std::min(n, (4096 - (slin & 0xfff)) / size), si);
        if (n == 0) return 0;
        if (dst > src && dst < src + n * size) return 0;
        std::memmove(dst, src, n * size);
        c.set_reg(RSI, asz, si + n * size);
    } else {
        const u64 v = c.reg(RAX, size);
        for (u64 i = 0; i < n; ++i)
            store_le(dst + i * size, size, v);
    }
    c.set_reg(RDI, asz, di + n * size);
    c.stats().cycles += n;
    return n;
}

template <Str op, unsigned size> void h_string(CpuImpl& c, const DecodedInsn& d) {
    const unsigned asz = d.addrsize;
    const u64 amask = size_mask(asz);
    const bool repeated = d.rep || d.repne;
    const i64 step = (c.flags.bits & kFlagDf) ? -i64(size) : i64(size);
    if (op == Str::Ins || op == Str::Outs) {
        const unsigned iopl = (c.flags.bits >> 12) & 3;
        if (c.protected_mode() && c.cpl() > iopl) raise_exception(kGP, 0);
    }
    u64 count = repeated ? c.reg(RCX, asz) : 1;
    // A count of 0 writes nothing. The SDM's REP pseudo-code picks CX, ECX or RCX by address size and
    // decrements it (CountReg := CountReg - 1) only inside `WHILE CountReg != 0`, so with a 32-bit
    // address size and ECX = 0 neither ECX nor ESI/EDI is written and bits 63:32 of RCX, RSI and RDI
    // stay as they were. AMD CPUs and QEMU behave so; Intel CPUs write the three back as 32-bit
    // registers (clearing bits 63:32), which the ISA tests mask (tests/isa/masks.h) and pin.
    if (count == 0) return;
    u64 budget = repeated ? kChunk : 1;
    while (count != 0 && budget != 0) {
        if constexpr (op == Str::Movs || op == Str::Stos) {
            if (repeated && step > 0) {
                if (const u64 n = string_bulk<op, size>(c, d, amask, count, budget)) {
                    count -= n;
                    budget -= n;
                    c.set_reg(RCX, asz, count);
                    continue;
                }
            }
        }
        const u64 si = c.gpr(RSI) & amask;
        const u64 di = c.gpr(RDI) & amask;
        bool stop = false;
        switch (op) {
        case Str::Movs: {
            const u64 v = c.read_mem(c.linear_address(d.src_seg, si), size, d.src_seg);
            c.write_mem(c.linear_address(ES, di), size, v, ES);
            c.set_reg(RSI, asz, si + u64(step));
            c.set_reg(RDI, asz, di + u64(step));
            break;
        }
        case Str::Stos:
            c.write_mem(c.linear_address(ES, di), size, c.reg(RAX, size), ES);
            c.set_reg(RDI, asz, di + u64(step));
            break;
        case Str::Lods:
            c.set_reg(RAX, size, c.read_mem(c.linear_address(d.src_seg, si), size, d.src_seg));
            c.set_reg(RSI, asz, si + u64(step));
            break;
        case Str::Cmps: {
            const u64 a = c.read_mem(c.linear_address(d.src_seg, si), size, d.src_seg);
            const u64 b = c.read_mem(c.linear_address(ES, di), size, ES);
            c.flags.set(FlagOp::Sub, size, a - b, a, b);
            c.set_reg(RSI, asz, si + u64(step));
            c.set_reg(RDI, asz, di + u64(step));
            stop = true;
            break;
        }
        case Str::Scas: {
            const u64 a = c.reg(RAX, size);
            const u64 b = c.read_mem(c.linear_address(ES, di), size, ES);
            c.flags.set(FlagOp::Sub, size, a - b, a, b);
            c.set_reg(RDI, asz, di + u64(step));
            stop = true;
            break;
        }
        case Str::Ins: {
            const u64 lin = c.linear_address(ES, di);
            c.probe_write(lin, size, ES);
            c.write_mem(lin, size, c.io().in(u16(c.gpr(RDX)), size), ES);
            c.set_reg(RDI, asz, di + u64(step));
            break;
        }
        case Str::Outs:
            c.io().out(u16(c.gpr(RDX)), size,
                       u32(c.read_mem(c.linear_address(d.src_seg, si), size, d.src_seg)));
            c.set_reg(RSI, asz, si + u64(step));
            break;
        }
        --budget;
        if (!repeated) return;
        --count;
        c.set_reg(RCX, asz, count);
        c.stats().cycles += 1;
        if (stop) {
            // REPE stops when ZF = 0, REPNE when ZF = 1.
            const bool zf = c.flags.zf();
            if ((d.rep && !zf) || (d.repne && zf)) return;
        }
    }
    if (count != 0) c.next_rip = c.state().rip; // not finished: execute again
}

} // namespace

void register_string_handlers(HandlerTable& t) {
    t[ZYDIS_MNEMONIC_MOVSB] = h_string<Str::Movs, 1>;
    t[ZYDIS_MNEMONIC_MOVSW] = h_string<Str::Movs, 2>;
    t[ZYDIS_MNEMONIC_MOVSD] = h_string<Str::Movs, 4>;
    t[ZYDIS_MNEMONIC_MOVSQ] = h_string<Str::Movs, 8>;
    t[ZYDIS_MNEMONIC_STOSB] = h_string<Str::Stos, 1>;
    t[ZYDIS_MNEMONIC_STOSW] = h_string<Str::Stos, 2>;
    t[ZYDIS_MNEMONIC_STOSD] = h_string<Str::Stos, 4>;
    t[ZYDIS_MNEMONIC_STOSQ] = h_string<Str::Stos, 8>;
    t[ZYDIS_MNEMONIC_LODSB] = h_string<Str::Lods, 1>;
    t[ZYDIS_MNEMONIC_LODSW] = h_string<Str::Lods, 2>;
    t[ZYDIS_MNEMONIC_LODSD] = h_string<Str::Lods, 4>;
    t[ZYDIS_MNEMONIC_LODSQ] = h_string<Str::Lods, 8>;
    t[ZYDIS_MNEMONIC_CMPSB] = h_string<Str::Cmps, 1>;
    t[ZYDIS_MNEMONIC_CMPSW] = h_string<Str::Cmps, 2>;
    t[ZYDIS_MNEMONIC_CMPSD] = h_string<Str::Cmps, 4>;
    t[ZYDIS_MNEMONIC_CMPSQ] = h_string<Str::Cmps, 8>;
    t[ZYDIS_MNEMONIC_SCASB] = h_string<Str::Scas, 1>;
    t[ZYDIS_MNEMONIC_SCASW] = h_string<Str::Scas, 2>;
    t[ZYDIS_MNEMONIC_SCASD] = h_string<Str::Scas, 4>;
    t[ZYDIS_MNEMONIC_SCASQ] = h_string<Str::Scas, 8>;
    t[ZYDIS_MNEMONIC_INSB] = h_string<Str::Ins, 1>;
    t[ZYDIS_MNEMONIC_INSW] = h_string<Str::Ins, 2>;
    t[ZYDIS_MNEMONIC_INSD] = h_string<Str::Ins, 4>;
    t[ZYDIS_MNEMONIC_OUTSB] = h_string<Str::Outs, 1>;
    t[ZYDIS_MNEMONIC_OUTSW] = h_string<Str::Outs, 2>;
    t[ZYDIS_MNEMONIC_OUTSD] = h_string<Str::Outs, 4>;
}

} // namespace smpsim::cpu
