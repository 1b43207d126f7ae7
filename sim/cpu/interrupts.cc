// Interrupt and exception delivery through the IVT (real mode) and IDT (protected and long mode),
// with #DF on faults during delivery and a triple fault (simulation stop) on a fault during #DF.
#include "sim/cpu/cpu_impl.h"

#include <fmt/format.h>

namespace smpsim::cpu {

namespace {

bool contributory(u8 v) {
    return v == kDE || v == kTS || v == kNP || v == kSS || v == kGP;
}

const char* vector_name(u8 v) {
    static const char* names[32] = {"#DE", "#DB",  "NMI", "#BP", "#OF", "#BR", "#UD", "#NM",
                                    "#DF", "#CSO", "#TS", "#NP", "#SS", "#GP", "#PF", "#15",
                                    "#MF", "#AC",  "#MC", "#XM", "#VE", "#CP", "#22", "#23",
                                    "#24", "#25",  "#26", "#27", "#HV", "#VC", "#SX", "#31"};
    return v < 32 ? names[v] : "interrupt";
}

} // namespace

void CpuImpl::deliver(u8 vector, bool has_error, u32 error, bool software, bool external) {
    struct Depth {
        int& d;
        explicit Depth(int& x) : d(x) { ++d; }
        ~Depth() { --d; }
    } depth(delivering_);
    if (delivering_ == 1) {
        first_vector_ = vector;
        first_rip_ = st_.rip;
        if (event_observer_)
            event_observer_->interrupt_entry(config_.apic_id, vector, external, stats_.cycles);
    }
    const u64 return_rip = software ? next_rip : st_.rip;
    const u32 ext = external ? 1 : 0;
    try {
        flags.flatten();
        const u64 old_flags = flags.bits;
        if (mode_ == CpuMode::Real16) {
            const u64 entry = st_.idtr.base + u64(vector) * 4;
            if (u64(vector) * 4 + 3 > st_.idtr.limit) raise_exception(kGP, vector * 8 + 2 + ext);
            const u64 ivt = read_system(entry, 4);
            push(old_flags & 0xffff, 2);
            push(st_.seg[CS].selector, 2);
            push(return_rip & 0xffff, 2);
            flags.bits &= ~(kFlagIf | kFlagTf | kFlagAc | kFlagRf);
            Segment cs = st_.seg[CS];
            cs.selector = u16(ivt >> 16);
            cs.base = u64(cs.selector) << 4;
            set_segment_cache(CS, cs);
            st_.rip = ivt & 0xffff;
            next_rip = st_.rip;
            return;
        }

        const bool long_mode = st_.efer & mmu::kEferLma;
        const unsigned gate_size = long_mode ? 16 : 8;
        const u32 idt_error = vector * 8 + 2 + ext;
        if (u64(vector) * gate_size + gate_size - 1 > st_.idtr.limit) raise_exception(kGP, idt_error);
        const u64 lo = read_system(st_.idtr.base + u64(vector) * gate_size, 8);
        const u64 hi = long_mode ? read_system(st_.idtr.base + u64(vector) * gate_size + 8, 8) : 0;
        const unsigned type = (lo >> 40) & 0xf;
        const unsigned gate_dpl = (lo >> 45) & 3;
        const bool present = (lo >> 47) & 1;
        const bool trap_gate = (type & 1) != 0;
        const bool valid_type = long_mode ? (type == 0xe || type == 0xf)
                                          : (type == 0xe || type == 0xf || type == 0x6 || type == 0x7);
        if (!valid_type) raise_exception(kGP, idt_error);
        if (software && gate_dpl < cpl_) raise_exception(kGP, idt_error);
        if (!present) raise_exception(kNP, idt_error);
        const u16 selector = u16(lo >> 16);
        u64 offset = (lo & 0xffff) | ((lo >> 32) & 0xffff0000ull);
        if (long_mode) offset |= hi << 32;
        if ((selector & ~3u) == 0) raise_exception(kGP, ext);
        const u64 desc = read_descriptor(selector);
        const bool is_code = ((desc >> 43) & 1) && ((desc >> 44) & 1);
        if (!is_code) raise_exception(kGP, (selector & ~3u) + ext);
        if (!((desc >> 47) & 1)) raise_exception(kNP, (selector & ~3u) + ext);
        const bool conforming = (desc >> 42) & 1;
        const unsigned target_dpl = (desc >> 45) & 3;
        const unsigned new_cpl = conforming ? cpl_ : target_dpl;
        if (new_cpl > cpl_) raise_exception(kGP, (selector & ~3u) + ext);

        const u64 old_rsp = gpr_[RSP];
        const Segment old_ss = st_.seg[SS];
        const u16 old_cs = st_.seg[CS].selector;

        if (long_mode) {
            const unsigned ist = (lo >> 32) & 7;
            u64 rsp = old_rsp;
            if (ist != 0)
                rsp = read_system(st_.tr.base + 36 + (ist - 1) * 8, 8);
            else if (new_cpl != cpl_)
                rsp = read_system(st_.tr.base + 4 + new_cpl * 8, 8);
            rsp &= ~0xfull;
            // Build the frame at the new stack with supervisor writes, then switch.
            auto put = [&](u64 v) {
                rsp -= 8;
                write_system(rsp, 8, v);
            };
            put(old_ss.selector);
            put(old_rsp);
            put(old_flags);
            put(old_cs);
            put(return_rip);
            if (has_error) put(error);
            Segment cs = segment_from_descriptor(u16((selector & ~3u) | new_cpl), desc);
            if (new_cpl != cpl_) {
                Segment ss{u16(new_cpl), 0, 0xffffffff, 0x0000}; // null SS with RPL = new CPL
                st_.seg[SS] = ss;
            }
            set_segment_cache(CS, cs);
            gpr_[RSP] = rsp;
            st_.rip = offset;
        } else {
            const bool gate32 = type >= 0xe;
            const unsigned wsize = gate32 ? 4 : 2;
            u64 esp = old_rsp;
            Segment new_ss = old_ss;
            if (new_cpl != cpl_) {
                // 32-bit TSS: ESP0 at 4, SS0 at 8, 8 bytes per privilege level.
                esp = read_system(st_.tr.base + 4 + new_cpl * 8, 4);
                const u16 ss_sel = u16(read_system(st_.tr.base + 8 + new_cpl * 8, 2));
                if ((ss_sel & ~3u) == 0) raise_exception(kTS, ext);
                new_ss = segment_from_descriptor(ss_sel, read_descriptor(ss_sel));
            }
            const unsigned ss_size = new_ss.default_big() ? 4 : 2;
            auto put = [&](u64 v) {
                esp = (esp - wsize) & size_mask(ss_size);
                write_system((new_ss.base + esp) & 0xffffffffull, wsize, v);
            };
            if (new_cpl != cpl_) {
                put(old_ss.selector);
                put(old_rsp);
            }
            put(old_flags);
            put(old_cs);
            put(return_rip);
            if (has_error) put(error);
            if (new_cpl != cpl_) st_.seg[SS] = new_ss;
            Segment cs = segment_from_descriptor(u16((selector & ~3u) | new_cpl), desc);
            set_segment_cache(CS, cs);
            set_reg(RSP, ss_size, esp);
            st_.rip = gate32 ? (offset & 0xffffffff) : (offset & 0xffff);
        }
        flags.bits &= ~(kFlagTf | kFlagNt | kFlagRf | kFlagVm);
        if (!trap_gate) flags.bits &= ~kFlagIf;
        update_mode();
        next_rip = st_.rip;
    } catch (const GuestException& second) {
        if (vector == kDF || delivering_ > 2) {
            triple_fault(
                fmt::format("{} while delivering {}", vector_name(second.vector), vector_name(vector)));
            return;
        }
        const bool first_is_df_class = contributory(vector) || vector == kPF;
        const bool second_is_df_class = contributory(second.vector) || second.vector == kPF;
        if (first_is_df_class && second_is_df_class && !(vector != kPF && second.vector == kPF)) {
            deliver(kDF, true, 0, false, false);
        } else {
            deliver(second.vector, second.has_error, second.error, false, false);
        }
    }
}

} // namespace smpsim::cpu
