// System instructions and state: segment loading, descriptor tables, control registers, MSRs, CPUID,
// port I/O, HLT/CLI/STI, INVLPG, SWAPGS, FS/GS base, fences.
#include "sim/cpu/cpu_impl.h"

#include <Zydis/Zydis.h>

namespace smpsim::cpu {

// ---- descriptors and segments ----------------------------------------------------------------------

u64 CpuImpl::read_descriptor(u16 selector, bool* in_ldt) {
    const bool ldt = selector & 4;
    if (in_ldt) *in_ldt = ldt;
    const u64 base = ldt ? st_.ldtr.base : st_.gdtr.base;
    const u32 limit = ldt ? st_.ldtr.limit : st_.gdtr.limit;
    const u32 index = selector & ~7u;
    if (u64(index) + 7 > limit) raise_exception(kGP, selector & ~3u);
    return read_system(base + index, 8);
}

Segment CpuImpl::segment_from_descriptor(u16 selector, u64 desc) {
    Segment s;
    s.selector = selector;
    s.base = ((desc >> 16) & 0xffffff) | (((desc >> 56) & 0xff) << 24);
    u32 limit = u32((desc & 0xffff) | (((desc >> 48) & 0xf) << 16));
    const bool granular = (desc >> 55) & 1;
    if (granular) limit = (limit << 12) | 0xfff;
    s.limit = limit;
    s.attrs = u16(((desc >> 40) & 0xff) | (((desc >> 52) & 0xf) << 12));
    return s;
}

void CpuImpl::load_segment(u8 seg, u16 selector) {
    if (mode_ == CpuMode::Real16 || (flags.bits & kFlagVm)) {
        Segment s = st_.seg[seg];
        s.selector = selector;
        s.base = u64(selector) << 4;
        if (!protected_mode()) {
            s.attrs = (s.attrs & ~0x80u) | 0x80; // stays usable
        }
        set_segment_cache(seg, s);
        return;
    }
    const u32 err = selector & ~3u;
    if ((selector & ~3u) == 0) {
        if (seg == SS && !(mode_ == CpuMode::Long64 && cpl_ != 3)) raise_exception(kGP, 0);
        if (seg == CS) raise_exception(kGP, 0);
        Segment null_seg;
        null_seg.selector = selector;
        null_seg.base = 0;
        null_seg.limit = 0;
        null_seg.attrs = 0; // unusable
        set_segment_cache(seg, null_seg);
        return;
    }
    const u64 desc = read_descriptor(selector);
    const Segment s = segment_from_descriptor(selector, desc);
    const bool system = !((desc >> 44) & 1);
    const bool code = (desc >> 43) & 1;
    const bool writable_or_readable = (desc >> 41) & 1;
    const unsigned dpl = (desc >> 45) & 3;
    const unsigned rpl = selector & 3;
    if (system) raise_exception(kGP, err);
    if (seg == SS) {
        if (code || !writable_or_readable || dpl != cpl_ || rpl != cpl_) raise_exception(kGP, err);
        if (!s.present()) raise_exception(kSS, err);
    } else {
        if (code && !writable_or_readable) raise_exception(kGP, err);
        const bool conforming_code = code && ((desc >> 42) & 1);
        if (!conforming_code && (rpl > dpl || cpl_ > dpl)) raise_exception(kGP, err);
        if (!s.present()) raise_exception(kNP, err);
    }
    set_segment_cache(seg, s);
    if (seg == SS) set_interrupt_shadow();
}

void CpuImpl::load_code_segment(u16 selector, u8 new_cpl) {
    if (mode_ == CpuMode::Real16 || !protected_mode()) {
        Segment s = st_.seg[CS];
        s.selector = selector;
        s.base = u64(selector) << 4;
        set_segment_cache(CS, s);
        return;
    }
    const u32 err = selector & ~3u;
    if (err == 0) raise_exception(kGP, 0);
    const u64 desc = read_descriptor(selector);
    const bool is_code = ((desc >> 44) & 1) && ((desc >> 43) & 1);
    if (!is_code) raise_exception(kGP, err);
    if (!((desc >> 47) & 1)) raise_exception(kNP, err);
    Segment s = segment_from_descriptor(u16((selector & ~3u) | new_cpl), desc);
    set_segment_cache(CS, s);
}

// ---- control registers and MSRs ---------------------------------------------------------------------

void CpuImpl::write_cr(unsigned n, u64 value) {
    switch (n) {
    case 0: {
        if (mode_ == CpuMode::Long64 && (value >> 32)) raise_exception(kGP, 0);
        value = (value & 0xe005003full) | 0x10;
        if ((value & mmu::kCr0Pg) && !(value & mmu::kCr0Pe)) raise_exception(kGP, 0);
        const bool enabling_paging = (value & mmu::kCr0Pg) && !(st_.cr0 & mmu::kCr0Pg);
        const bool disabling_paging = !(value & mmu::kCr0Pg) && (st_.cr0 & mmu::kCr0Pg);
        if (enabling_paging && (st_.efer & mmu::kEferLme)) {
            if (!(st_.cr4 & mmu::kCr4Pae)) raise_exception(kGP, 0);
            st_.efer |= mmu::kEferLma;
        }
        if (disabling_paging) {
            if (mode_ == CpuMode::Long64) raise_exception(kGP, 0);
            st_.efer &= ~mmu::kEferLma;
        }
        st_.cr0 = value;
        mmu_.flush(false);
        flush_host_tlb();
        update_mode(); // also re-evaluates alignment checking (CR0.AM)
        break;
    }
    case 2: st_.cr2 = value; break;
    case 3:
        st_.cr3 = (value & 0x000ffffffffff000ull) | (value & 0x18);
        mmu_.flush(st_.cr4 & mmu::kCr4Pge);
        flush_host_tlb();
        break;
    case 4: {
        constexpr u64 kSupported = 0x1 | 0x2 | 0x4 | 0x8 | 0x10 | 0x20 | 0x40 | 0x80 | 0x100 | 0x200 | 0x400 |
                                   0x10000 /* FSGSBASE */;
        if (value & ~kSupported) raise_exception(kGP, 0);
        if ((st_.efer & mmu::kEferLma) && !(value & mmu::kCr4Pae)) raise_exception(kGP, 0);
        st_.cr4 = value;
        mmu_.flush(false);
        flush_host_tlb();
        break;
    }
    case 8: st_.cr8 = value & 0xf; break;
    default: raise_exception(kUD);
    }
}

u64 CpuImpl::read_msr(u32 index) {
    switch (index) {
    case kMsrTsc: return tsc();
    case kMsrApicBase: return st_.apic_base;
    case kMsrPat: return st_.pat;
    case kMsrEfer: return st_.efer;
    case kMsrStar: return st_.star;
    case kMsrLstar: return st_.lstar;
    case kMsrCstar: return st_.cstar;
    case kMsrFmask: return st_.fmask;
    case kMsrFsBase: return st_.seg[FS].base;
    case kMsrGsBase: return st_.seg[GS].base;
    case kMsrKernelGsBase: return st_.kernel_gs_base;
    case kMsrTscAux: return st_.tsc_aux;
    case 0x8b:  // microcode revision
    case 0x17:  // platform ID
    case 0xfe:  // MTRR capabilities: none
    case 0x2ff: // MTRR default type
    case 0x1a0: // misc enable
    case 0x179: // MCG_CAP
    case 0x17a: // MCG_STATUS
        return 0;
    default: raise_exception(kGP, 0);
    }
}

void CpuImpl::write_msr(u32 index, u64 value) {
    auto canonical = [](u64 v) { return u64(i64(v << 16) >> 16) == v; };
    switch (index) {
    case kMsrTsc: st_.tsc_offset = value - stats_.cycles; break;
    case kMsrApicBase: st_.apic_base = (value & ~0x100ull) | (st_.apic_base & 0x100); break;
    case kMsrPat: st_.pat = value; break;
    case kMsrEfer: {
        // SCE, LME, NXE writable; LMA is read-only; LME cannot change while paging is on.
        if (value & ~(1ull | mmu::kEferLme | mmu::kEferLma | mmu::kEferNxe)) raise_exception(kGP, 0);
        const u64 new_efer = (value & (1ull | mmu::kEferLme | mmu::kEferNxe)) | (st_.efer & mmu::kEferLma);
        if ((st_.cr0 & mmu::kCr0Pg) && ((new_efer ^ st_.efer) & mmu::kEferLme)) raise_exception(kGP, 0);
        st_.efer = new_efer;
        mmu_.flush(false);
        flush_host_tlb();
        break;
    }
    case kMsrStar: st_.star = value; break;
    case kMsrLstar:
        if (!canonical(value)) raise_exception(kGP, 0);
        st_.lstar = value;
        break;
    case kMsrCstar: st_.cstar = value; break;
    case kMsrFmask: st_.fmask = value & 0xffffffff; break;
    case kMsrFsBase:
    case kMsrGsBase:
    case kMsrKernelGsBase:
        if (!canonical(value)) raise_exception(kGP, 0);
        if (index == kMsrKernelGsBase) {
            st_.kernel_gs_base = value;
        } else {
            const u8 s = index == kMsrFsBase ? FS : GS;
            st_.seg[s].base = value;
            seg_base_[s] = value;
        }
        break;
    case kMsrTscAux: st_.tsc_aux = value & 0xffffffff; break;
    case 0x8b:
    case 0x2ff:
    case 0x1a0:
    case 0x17a: break;
    default: raise_exception(kGP, 0);
    }
}

namespace {

void require_cpl0(CpuImpl& c) {
    if (c.cpl() != 0) raise_exception(kGP, 0);
}

void h_cpuid(CpuImpl& c, const DecodedInsn&) {
    const CpuidResult r = cpuid_query(u32(c.gpr(RAX)), u32(c.gpr(RCX)), c.config().apic_id);
    c.set_reg(RAX, 4, r.eax);
    c.set_reg(RBX, 4, r.ebx);
    c.set_reg(RCX, 4, r.ecx);
    c.set_reg(RDX, 4, r.edx);
}

void h_rdtsc(CpuImpl& c, const DecodedInsn&) {
    if ((c.state().cr4 & 0x4) && c.cpl() != 0) raise_exception(kGP, 0);
    const u64 t = c.tsc();
    c.set_reg(RAX, 4, t);
    c.set_reg(RDX, 4, t >> 32);
}

void h_rdtscp(CpuImpl& c, const DecodedInsn& d) {
    h_rdtsc(c, d);
    c.set_reg(RCX, 4, c.state().tsc_aux);
}

void h_rdmsr(CpuImpl& c, const DecodedInsn&) {
    require_cpl0(c);
    const u64 v = c.read_msr(u32(c.gpr(RCX)));
    c.set_reg(RAX, 4, v);
    c.set_reg(RDX, 4, v >> 32);
}

void h_wrmsr(CpuImpl& c, const DecodedInsn&) {
    require_cpl0(c);
    c.write_msr(u32(c.gpr(RCX)), (c.gpr(RDX) << 32) | (c.gpr(RAX) & 0xffffffff));
}

bool io_allowed(CpuImpl& c) {
    const unsigned iopl = (c.flags.bits >> 12) & 3;
    return !c.protected_mode() || c.cpl() <= iopl;
}

void h_in(CpuImpl& c, const DecodedInsn& d) {
    if (!io_allowed(c)) raise_exception(kGP, 0);
    const u16 port = u16(d.op[1].kind == OpKind::Imm ? d.op[1].imm & 0xff : c.gpr(RDX) & 0xffff);
    const unsigned size = d.op[0].size;
    const u32 v = c.io().in(port, size);
    c.set_reg(RAX, size, v);
}

void h_out(CpuImpl& c, const DecodedInsn& d) {
    if (!io_allowed(c)) raise_exception(kGP, 0);
    const u16 port = u16(d.op[0].kind == OpKind::Imm ? d.op[0].imm & 0xff : c.gpr(RDX) & 0xffff);
    const unsigned size = d.op[1].size;
    c.io().out(port, size, u32(c.reg(RAX, size)));
}

void h_hlt(CpuImpl& c, const DecodedInsn&) {
    require_cpl0(c);
    c.halt();
}

void h_cli(CpuImpl& c, const DecodedInsn&) {
    if (!io_allowed(c)) raise_exception(kGP, 0);
    c.flags.bits &= ~kFlagIf;
}

void h_sti(CpuImpl& c, const DecodedInsn&) {
    if (!io_allowed(c)) raise_exception(kGP, 0);
    if (!(c.flags.bits & kFlagIf)) c.set_interrupt_shadow();
    c.flags.bits |= kFlagIf;
    c.note_event();
}

void h_nop(CpuImpl&, const DecodedInsn&) {}

void h_invlpg(CpuImpl& c, const DecodedInsn& d) {
    require_cpl0(c);
    c.invlpg(c.operand_linear(d.op[0]));
}

void h_swapgs(CpuImpl& c, const DecodedInsn&) {
    if (c.mode() != CpuMode::Long64) raise_exception(kUD);
    require_cpl0(c);
    CpuState& s = c.state();
    std::swap(s.seg[GS].base, s.kernel_gs_base);
    c.write_msr(kMsrGsBase, s.seg[GS].base);
}

void fsgsbase_check(CpuImpl& c) {
    if (c.mode() != CpuMode::Long64 || !(c.state().cr4 & 0x10000)) raise_exception(kUD);
}
void h_rdfsbase(CpuImpl& c, const DecodedInsn& d) {
    fsgsbase_check(c);
    c.write_operand(d.op[0], c.state().seg[FS].base);
}
void h_rdgsbase(CpuImpl& c, const DecodedInsn& d) {
    fsgsbase_check(c);
    c.write_operand(d.op[0], c.state().seg[GS].base);
}
void h_wrfsbase(CpuImpl& c, const DecodedInsn& d) {
    fsgsbase_check(c);
    const u64 v = c.read_operand(d.op[0]);
    if (u64(i64(v << 16) >> 16) != v) raise_exception(kGP, 0);
    c.write_msr(kMsrFsBase, v);
}
void h_wrgsbase(CpuImpl& c, const DecodedInsn& d) {
    fsgsbase_check(c);
    const u64 v = c.read_operand(d.op[0]);
    if (u64(i64(v << 16) >> 16) != v) raise_exception(kGP, 0);
    c.write_msr(kMsrGsBase, v);
}

// LGDT/LIDT: 16-bit limit then a 24/32/64-bit base.
void load_table(CpuImpl& c, const DecodedInsn& d, DescriptorTable& t) {
    require_cpl0(c);
    const u64 lin = c.operand_linear(d.op[0]);
    const u64 limit = c.read_mem(lin, 2, d.op[0].seg);
    u64 base;
    if (c.mode() == CpuMode::Long64)
        base = c.read_mem(lin + 2, 8, d.op[0].seg);
    else
        base = c.read_mem(lin + 2, 4, d.op[0].seg) & (d.opsize == 2 ? 0xffffff : 0xffffffff);
    t.limit = u32(limit);
    t.base = base;
}
void h_lgdt(CpuImpl& c, const DecodedInsn& d) {
    load_table(c, d, c.state().gdtr);
}
void h_lidt(CpuImpl& c, const DecodedInsn& d) {
    load_table(c, d, c.state().idtr);
}

void store_table(CpuImpl& c, const DecodedInsn& d, const DescriptorTable& t) {
    const u64 lin = c.operand_linear(d.op[0]);
    c.probe_write(lin, c.mode() == CpuMode::Long64 ? 10 : 6, d.op[0].seg);
    c.write_mem(lin, 2, t.limit, d.op[0].seg);
    if (c.mode() == CpuMode::Long64)
        c.write_mem(lin + 2, 8, t.base, d.op[0].seg);
    else
        c.write_mem(lin + 2, 4, t.base & 0xffffffff, d.op[0].seg);
}
void h_sgdt(CpuImpl& c, const DecodedInsn& d) {
    store_table(c, d, c.state().gdtr);
}
void h_sidt(CpuImpl& c, const DecodedInsn& d) {
    store_table(c, d, c.state().idtr);
}

// LLDT/LTR: a system descriptor, 16 bytes in long mode.
void load_system_segment(CpuImpl& c, const DecodedInsn& d, bool task) {
    if (!c.protected_mode() || (c.flags.bits & kFlagVm)) raise_exception(kUD);
    require_cpl0(c);
    const u16 sel = u16(c.read_operand(d.op[0]));
    CpuState& s = c.state();
    Segment& target = task ? s.tr : s.ldtr;
    if ((sel & ~3u) == 0) {
        if (task) raise_exception(kGP, 0);
        target = Segment{sel, 0, 0, 0};
        return;
    }
    if (sel & 4) raise_exception(kGP, sel & ~3u);
    const u64 desc = c.read_descriptor(sel);
    const unsigned type = (desc >> 40) & 0xf;
    const bool system = !((desc >> 44) & 1);
    const bool ok_type = task ? (type == 0x9 || type == 0x1) : type == 0x2;
    if (!system || !ok_type) raise_exception(kGP, sel & ~3u);
    if (!((desc >> 47) & 1)) raise_exception(kNP, sel & ~3u);
    Segment seg = CpuImpl::segment_from_descriptor(sel, desc);
    if (c.state().efer & mmu::kEferLma) {
        const u64 high = c.read_system(((sel & 4) ? s.ldtr.base : s.gdtr.base) + (sel & ~7u) + 8, 8);
        seg.base |= (high & 0xffffffff) << 32;
    }
    if (task) {
        // Mark the TSS busy in the GDT, as hardware does.
        const u64 addr = s.gdtr.base + (sel & ~7u);
        c.write_system(addr, 8, desc | (2ull << 40));
        seg.attrs |= 2;
    }
    target = seg;
}
void h_lldt(CpuImpl& c, const DecodedInsn& d) {
    load_system_segment(c, d, false);
}
void h_ltr(CpuImpl& c, const DecodedInsn& d) {
    load_system_segment(c, d, true);
}
void h_sldt(CpuImpl& c, const DecodedInsn& d) {
    c.write_operand(d.op[0], c.state().ldtr.selector);
}
void h_str(CpuImpl& c, const DecodedInsn& d) {
    c.write_operand(d.op[0], c.state().tr.selector);
}
void h_smsw(CpuImpl& c, const DecodedInsn& d) {
    c.write_operand(d.op[0], c.state().cr0 & size_mask(d.op[0].size));
}
void h_lmsw(CpuImpl& c, const DecodedInsn& d) {
    require_cpl0(c);
    const u64 v = c.read_operand(d.op[0]) & 0xf;
    // LMSW can set PE but never clear it.
    c.write_cr(0, (c.state().cr0 & ~0xeull) | v | (c.state().cr0 & 1));
}
void h_clts(CpuImpl& c, const DecodedInsn&) {
    require_cpl0(c);
    c.state().cr0 &= ~8ull;
}

void h_push_sreg(CpuImpl& c, const DecodedInsn& d) {
    // Pushing a segment register writes opsize bytes; the selector is zero-extended.
    c.push(c.state().seg[d.op[0].reg].selector, d.opsize);
}
void h_pop_sreg(CpuImpl& c, const DecodedInsn& d) {
    const u64 sp = c.gpr(RSP);
    const u16 sel = u16(c.read_mem(c.linear_address(SS, c.stack_pointer()), d.opsize, SS));
    c.load_segment(d.op[0].reg, sel);
    c.set_reg(RSP, c.mode() == CpuMode::Long64 ? 8 : (c.state().seg[SS].default_big() ? 4 : 2),
              sp + d.opsize);
}

// LDS/LES/LFS/LGS/LSS r, m16:xx
void load_far_pointer(CpuImpl& c, const DecodedInsn& d, u8 seg) {
    const u64 lin = c.operand_linear(d.op[1]);
    const unsigned osz = d.op[0].size;
    const u64 offset = c.read_mem(lin, osz, d.op[1].seg);
    const u16 sel = u16(c.read_mem(lin + osz, 2, d.op[1].seg));
    c.load_segment(seg, sel);
    c.set_reg(d.op[0].reg, osz, offset);
}
void h_lss(CpuImpl& c, const DecodedInsn& d) {
    load_far_pointer(c, d, SS);
}
void h_lfs(CpuImpl& c, const DecodedInsn& d) {
    load_far_pointer(c, d, FS);
}
void h_lgs(CpuImpl& c, const DecodedInsn& d) {
    load_far_pointer(c, d, GS);
}
void h_lds(CpuImpl& c, const DecodedInsn& d) {
    load_far_pointer(c, d, DS);
}
void h_les(CpuImpl& c, const DecodedInsn& d) {
    load_far_pointer(c, d, ES);
}

void h_ud(CpuImpl&, const DecodedInsn&) {
    raise_exception(kUD);
}
void h_int3(CpuImpl& c, const DecodedInsn&) {
    c.deliver(kBP, false, 0, true, false);
}
void h_int(CpuImpl& c, const DecodedInsn& d) {
    c.deliver(u8(d.op[0].imm), false, 0, true, false);
}
void h_into(CpuImpl& c, const DecodedInsn&) {
    if (c.flags.of()) c.deliver(kOF, false, 0, true, false);
}
void h_int1(CpuImpl& c, const DecodedInsn&) {
    c.deliver(kDB, false, 0, true, false);
}

} // namespace

// The CPU identity smpsim reports. Feature bits are set only for what the interpreter implements.
CpuidResult cpuid_query(u32 leaf, u32 subleaf, u32 apic_id) {
    u32 a = 0, b = 0, cc = 0, d = 0;
    auto str4 = [](const char* s) {
        return u32(u8(s[0])) | u32(u8(s[1])) << 8 | u32(u8(s[2])) << 16 | u32(u8(s[3])) << 24;
    };
    static const char brand[49] = "smpsim x86-64 interpreter CPU                   ";
    switch (leaf) {
    case 0:
        a = 7;
        b = str4("Genu");
        d = str4("ineI");
        cc = str4("ntel");
        break;
    case 1:
        a = 0x000106a5; // family 6, model 0x1a, stepping 5
        b = (apic_id << 24) | (1u << 16) | (8u << 8);
        cc = (1u << 13); // CMPXCHG16B
        d = (1u << 3) | (1u << 4) | (1u << 5) | (1u << 6) | (1u << 8) | (1u << 9) | (1u << 13) | (1u << 15) |
            (1u << 16) | (1u << 19); // PSE TSC MSR PAE CX8 APIC PGE CMOV PAT CLFSH
        break;
    case 7:
        if (subleaf == 0) b = 1u; // FSGSBASE
        break;
    case 0x80000000: a = 0x80000008; break;
    case 0x80000001:
        cc = 1u;                                               // LAHF/SAHF in 64-bit mode
        d = (1u << 20) | (1u << 26) | (1u << 27) | (1u << 29); // NX, 1G pages, RDTSCP, LM
        break;
    case 0x80000002:
    case 0x80000003:
    case 0x80000004: {
        const char* p = brand + (leaf - 0x80000002) * 16;
        a = str4(p);
        b = str4(p + 4);
        cc = str4(p + 8);
        d = str4(p + 12);
        break;
    }
    case 0x80000008: a = 40 | (48 << 8); break;
    default: break;
    }
    return {a, b, cc, d};
}

// MOV to/from segment, control and debug registers.
void handler_mov_system(CpuImpl& c, const DecodedInsn& d) {
    const Operand& dst = d.op[0];
    const Operand& src = d.op[1];
    switch (dst.kind) {
    case OpKind::SegReg:
        if (dst.reg == CS) raise_exception(kUD);
        c.load_segment(dst.reg, u16(c.read_operand(src)));
        return;
    case OpKind::CtrlReg:
        require_cpl0(c);
        c.write_cr(dst.reg, c.reg(src.reg, c.mode() == CpuMode::Long64 ? 8 : 4));
        return;
    case OpKind::DbgReg:
        require_cpl0(c);
        if (dst.reg < 8) c.state().dr[dst.reg] = c.reg(src.reg, 8);
        return;
    default: break;
    }
    switch (src.kind) {
    case OpKind::SegReg: {
        const u16 sel = c.state().seg[src.reg].selector;
        // To a register: zero-extended to the operand size; to memory: 16 bits.
        if (dst.kind == OpKind::Reg)
            c.set_reg(dst.reg, dst.size, sel);
        else
            c.write_operand(dst, sel);
        return;
    }
    case OpKind::CtrlReg: {
        require_cpl0(c);
        const CpuState& s = c.state();
        u64 v = 0;
        switch (src.reg) {
        case 0: v = s.cr0; break;
        case 2: v = s.cr2; break;
        case 3: v = s.cr3; break;
        case 4: v = s.cr4; break;
        case 8: v = s.cr8; break;
        default: raise_exception(kUD);
        }
        c.set_reg(dst.reg, c.mode() == CpuMode::Long64 ? 8 : 4, v);
        return;
    }
    case OpKind::DbgReg:
        require_cpl0(c);
        c.set_reg(dst.reg, c.mode() == CpuMode::Long64 ? 8 : 4, src.reg < 8 ? c.state().dr[src.reg] : 0);
        return;
    default: raise_exception(kUD);
    }
}

void register_system_handlers(HandlerTable& t) {
    t[ZYDIS_MNEMONIC_CPUID] = h_cpuid;
    t[ZYDIS_MNEMONIC_RDTSC] = h_rdtsc;
    t[ZYDIS_MNEMONIC_RDTSCP] = h_rdtscp;
    t[ZYDIS_MNEMONIC_RDMSR] = h_rdmsr;
    t[ZYDIS_MNEMONIC_WRMSR] = h_wrmsr;
    t[ZYDIS_MNEMONIC_IN] = h_in;
    t[ZYDIS_MNEMONIC_OUT] = h_out;
    t[ZYDIS_MNEMONIC_HLT] = h_hlt;
    t[ZYDIS_MNEMONIC_CLI] = h_cli;
    t[ZYDIS_MNEMONIC_STI] = h_sti;
    for (auto m :
         {ZYDIS_MNEMONIC_NOP, ZYDIS_MNEMONIC_PAUSE, ZYDIS_MNEMONIC_PREFETCHT0, ZYDIS_MNEMONIC_PREFETCHT1,
          ZYDIS_MNEMONIC_PREFETCHT2, ZYDIS_MNEMONIC_PREFETCHNTA, ZYDIS_MNEMONIC_PREFETCHW,
          ZYDIS_MNEMONIC_PREFETCH, ZYDIS_MNEMONIC_ENDBR64, ZYDIS_MNEMONIC_ENDBR32, ZYDIS_MNEMONIC_CLFLUSH,
          ZYDIS_MNEMONIC_CLFLUSHOPT, ZYDIS_MNEMONIC_WBINVD, ZYDIS_MNEMONIC_INVD})
        t[m] = h_nop;
    t[ZYDIS_MNEMONIC_MFENCE] = [](CpuImpl& c, const DecodedInsn&) { c.full_barrier(); };
    t[ZYDIS_MNEMONIC_LFENCE] = [](CpuImpl& c, const DecodedInsn&) { c.load_barrier(); };
    t[ZYDIS_MNEMONIC_SFENCE] = [](CpuImpl& c, const DecodedInsn&) { c.store_barrier(); };
    t[ZYDIS_MNEMONIC_INVLPG] = h_invlpg;
    t[ZYDIS_MNEMONIC_SWAPGS] = h_swapgs;
    t[ZYDIS_MNEMONIC_RDFSBASE] = h_rdfsbase;
    t[ZYDIS_MNEMONIC_RDGSBASE] = h_rdgsbase;
    t[ZYDIS_MNEMONIC_WRFSBASE] = h_wrfsbase;
    t[ZYDIS_MNEMONIC_WRGSBASE] = h_wrgsbase;
    t[ZYDIS_MNEMONIC_LGDT] = h_lgdt;
    t[ZYDIS_MNEMONIC_LIDT] = h_lidt;
    t[ZYDIS_MNEMONIC_SGDT] = h_sgdt;
    t[ZYDIS_MNEMONIC_SIDT] = h_sidt;
    t[ZYDIS_MNEMONIC_LLDT] = h_lldt;
    t[ZYDIS_MNEMONIC_LTR] = h_ltr;
    t[ZYDIS_MNEMONIC_SLDT] = h_sldt;
    t[ZYDIS_MNEMONIC_STR] = h_str;
    t[ZYDIS_MNEMONIC_SMSW] = h_smsw;
    t[ZYDIS_MNEMONIC_LMSW] = h_lmsw;
    t[ZYDIS_MNEMONIC_CLTS] = h_clts;
    t[ZYDIS_MNEMONIC_LSS] = h_lss;
    t[ZYDIS_MNEMONIC_LFS] = h_lfs;
    t[ZYDIS_MNEMONIC_LGS] = h_lgs;
    t[ZYDIS_MNEMONIC_LDS] = h_lds;
    t[ZYDIS_MNEMONIC_LES] = h_les;
    t[ZYDIS_MNEMONIC_UD0] = h_ud;
    t[ZYDIS_MNEMONIC_UD1] = h_ud;
    t[ZYDIS_MNEMONIC_UD2] = h_ud;
    t[ZYDIS_MNEMONIC_INT3] = h_int3;
    t[ZYDIS_MNEMONIC_INT] = h_int;
    t[ZYDIS_MNEMONIC_INTO] = h_into;
    t[ZYDIS_MNEMONIC_INT1] = h_int1;
}

// PUSH/POP of segment registers are dispatched from the data-movement handlers.
void push_segment(CpuImpl& c, const DecodedInsn& d) {
    h_push_sreg(c, d);
}
void pop_segment(CpuImpl& c, const DecodedInsn& d) {
    h_pop_sreg(c, d);
}

} // namespace smpsim::cpu
