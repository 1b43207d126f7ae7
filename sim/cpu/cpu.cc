// The run loop, memory access slow paths, instruction fetch, and the public Cpu facade.
#include "sim/cpu/cpu.h"
#include "sim/cpu/cpu_impl.h"

#include "sim/core/log.h"

#include <Zydis/Zydis.h>
#include <fmt/format.h>

#include <cstdio>

namespace smpsim::cpu {

CpuImpl::CpuImpl(MemoryPort& memory, IoPortSpace& io, DecodeCache& decode_cache, const CpuConfig& config)
    : memory_(memory), io_(io), decode_cache_(decode_cache), config_(config),
      mmu_(memory,
           mmu::MmuConfig{config.itlb_entries, config.itlb_ways, config.dtlb_entries, config.dtlb_ways}) {
    decode_cache_.add_listener([this](u64 ppage) { on_code_page_added(ppage); });
    decode_cache_.add_drop_listener([this] { events_pending_ = true; });
    if (config.store_buffer) sb_.emplace(config.store_buffer_entries, config.memory_model);
    reset();
}

CpuImpl::~CpuImpl() = default;

void CpuImpl::reset() {
    st_ = CpuState{};
    for (auto& g : gpr_)
        g = 0;
    gpr_[RDX] = 0x600; // family/model/stepping signature, as after RESET
    flags = LazyFlags{};
    st_.apic_base = 0xfee00800 | (config_.bootstrap ? 0x100 : 0);
    // The segment caches are written directly: update_mode() below derives the bases and the mode once.
    for (unsigned s = 0; s < kSegCount; ++s) {
        Segment seg;
        seg.selector = 0;
        seg.base = 0;
        seg.limit = 0xffff;
        seg.attrs = 0x93; // present, writable data, accessed
        st_.seg[s] = seg;
    }
    Segment cs;
    cs.selector = 0xf000;
    cs.base = 0xffff0000;
    cs.limit = 0xffff;
    cs.attrs = 0x9b;
    st_.seg[CS] = cs;
    st_.rip = 0xfff0;
    st_.ldtr = Segment{0, 0, 0xffff, 0x82};
    st_.tr = Segment{0, 0, 0xffff, 0x8b};
    halted_ = false;
    wait_for_sipi_ = !config_.bootstrap;
    nmi_pending_ = init_pending_ = sipi_pending_ = false;
    interrupt_shadow_ = 0;
    in_nmi_ = false;
    delivering_ = 0;
    if (sb_) sb_->clear(); // a reset loses what had not reached the cache
    in_locked_ = false;
    clear_stop_info();
    stop_pending_ = false;
    events_pending_ = true;
    update_mode();
    mmu_.flush(false);
    flush_host_tlb();
}

void CpuImpl::enter_flat_mode(unsigned bits) {
    st_.cr0 = (st_.cr0 | mmu::kCr0Pe) & ~mmu::kCr0Pg;
    Segment data{0x10, 0, 0xffffffff, 0xc093};
    Segment code{0x08, 0, 0xffffffff, 0xc09b};
    if (bits == 64) {
        st_.efer |= mmu::kEferLme | mmu::kEferLma;
        code.attrs = 0xa09b; // L = 1, D = 0
    } else if (bits == 16) {
        st_.efer &= ~(mmu::kEferLme | mmu::kEferLma);
        code.attrs = 0x009b;
        data.attrs = 0x0093;
        code.limit = data.limit = 0xffff;
    } else {
        st_.efer &= ~(mmu::kEferLme | mmu::kEferLma);
    }
    for (u8 s : {ES, SS, DS, FS, GS})
        st_.seg[s] = data;
    st_.seg[CS] = code;
    wait_for_sipi_ = false;
    update_mode(); // the segment bases and the mode, once for all six
    flush_host_tlb();
}

void CpuImpl::set_segment_cache(u8 seg, const Segment& s) {
    st_.seg[seg] = s;
    if (seg == CS || seg == SS)
        update_mode();
    else
        seg_base_[seg] = (mode_ == CpuMode::Long64 && seg != FS && seg != GS) ? 0 : s.base;
}

void CpuImpl::update_mode() {
    const Segment& cs = st_.seg[CS];
    CpuMode m;
    if (!(st_.cr0 & mmu::kCr0Pe)) {
        m = CpuMode::Real16;
    } else if (st_.efer & mmu::kEferLma) {
        m = cs.long_mode() ? CpuMode::Long64 : (cs.default_big() ? CpuMode::Compat32 : CpuMode::Compat16);
    } else {
        m = cs.default_big() ? CpuMode::Prot32 : CpuMode::Prot16;
    }
    mode_ = m;
    // The fetch fast path skips the permission check: a new CS, mode or CPL must look again.
    fetch_lin_page_ = ~0ull;
    for (unsigned s = 0; s < kSegCount; ++s)
        seg_base_[s] = (m == CpuMode::Long64 && s != FS && s != GS) ? 0 : st_.seg[s].base;
    if (m == CpuMode::Long64)
        stack_size_ = 8;
    else
        stack_size_ = st_.seg[SS].default_big() ? 4 : 2;
    const unsigned new_cpl = m == CpuMode::Real16 ? 0 : (cs.selector & 3);
    if (new_cpl != cpl_ || user_bit_ != (new_cpl == 3 ? 1u : 0u)) {
        cpl_ = new_cpl;
        user_bit_ = cpl_ == 3 ? 1 : 0;
    }
    update_alignment_check();
}

void CpuImpl::update_alignment_check() {
    constexpr u64 kCr0Am = 1ull << 18;
    const bool on = (st_.cr0 & kCr0Am) && (flags.bits & kFlagAc) && cpl_ == 3;
    if (on && !alignment_check_) flush_host_tlb();
    alignment_check_ = on;
}

void CpuImpl::flush_host_tlb() {
    if (host_tlb_used_) {
        for (auto& e : host_tlb_)
            e = HostTlbEntry{};
        host_tlb_used_ = false;
    }
    if (code_tlb_used_) {
        for (auto& e : code_tlb_)
            e = CodeTlbEntry{};
        code_tlb_used_ = false;
    }
    fetch_lin_page_ = ~0ull;
    fetch_code_page_ = nullptr;
}

void CpuImpl::invlpg(u64 lin) {
    mmu_.invlpg(lin);
    // A large page may cover many host-TLB entries; dropping them all is simplest and rare.
    flush_host_tlb();
}

void CpuImpl::on_code_page_added(u64 ppage) {
    for (auto& e : host_tlb_)
        if (e.write && e.ppage == ppage) e.write = nullptr;
}

void CpuImpl::check_canonical(u64 lin, u8 seg) {
    if (mode_ != CpuMode::Long64) return;
    if (u64(i64(lin << 16) >> 16) != lin) raise_exception(seg == SS ? kSS : kGP, 0);
}

u64 CpuImpl::translate(u64 lin, mmu::Access access, u8 seg, bool user, bool fill_host) {
    check_canonical(lin, seg);
    if (!(st_.cr0 & mmu::kCr0Pg)) return lin;
    const mmu::TranslateResult r = mmu_.translate(lin, {access, user}, paging_regs());
    stats_.cycles += r.latency_cycles;
    if (!r.ok) {
        st_.cr2 = r.fault.linear;
        raise_exception(kPF, r.fault.error_code);
    }
    return r.physical;
}

u64 CpuImpl::read_phys(u64 pa, unsigned size, AccessKind kind) {
    if (u8* page = direct_page(pa)) return load_le(page + (pa & 0xfff), size);
    u64 v = 0;
    const MemoryResult r = memory_read(pa, &v, size, kind);
    stats_.cycles += r.latency_cycles;
    if (!r.ok) v = size_mask(size); // unclaimed physical addresses read as all ones, as on a PC
    // Store-to-load forwarding: this CPU's own buffered stores are newer than what the cache holds.
    if (sb_ && kind == AccessKind::Read && !sb_->empty()) {
        if (sb_->forward(pa, size, v)) ++stats_.store_buffer_forwards;
        // Reports: the load passed the older buffered stores to other lines (a store->load reordering,
        // evaluated when each of them commits).
        sb_->note_load(pa, st_.rip, memory_.access_order(), stats_.cycles);
    }
    return v;
}

bool CpuImpl::commit_store() {
    if (!sb_ || sb_->empty()) return false;
    const unsigned index = *sb_->committable([this](u64 line) { return memory_.line_owned(line); });
    // A read-for-ownership already under way is waited for, then the commit's own latency.
    const StoreBuffer::Entry& e = sb_->entries()[index];
    if (e.ownership_requested && e.ready_at > stats_.cycles) stats_.cycles = e.ready_at;
    retire_store(index);
    stats_.cycles += last_commit_latency_; // a CPU that waits for the commit pays its latency
    return true;
}

void CpuImpl::drain_due_stores() {
    // tso commits the oldest only: while its ownership is on its way there is nothing to decide (this
    // runs after every instruction while the buffer holds anything).
    const StoreBuffer::Entry& oldest = sb_->entries().front();
    if (sb_->model() == MemoryModel::Tso && oldest.ownership_requested && oldest.ready_at > stats_.cycles)
        return;
    const auto owned = [this](u64 line) { return memory_.line_owned(line); };
    while (!sb_->empty()) {
        const unsigned index = *sb_->committable(owned);
        StoreBuffer::Entry& e = sb_->entry(index);
        if (!e.ownership_requested) {
            e.ownership_requested = true;
            e.ready_at = stats_.cycles + memory_.ownership_latency(e.paddr);
        }
        if (e.ready_at > stats_.cycles) return;
        retire_store(index); // the buffer hid the latency: the CPU does not pay it
    }
}

void CpuImpl::retire_store(unsigned index) {
    if (index > 0) {
        ++stats_.store_buffer_reordered;
        const StoreBuffer::Entry& older = sb_->entries()[0];
        const StoreBuffer::Entry& early = sb_->entries()[index];
        memory_.note_store_store_reordering(early.rip, early.paddr, older.rip, older.paddr);
    }
    // Read in place and removed at the end (an entry is a few hundred bytes; nothing below touches the
    // buffer).
    const StoreBuffer::Entry& e = sb_->entries()[index];
    // A load that passed this store is an observable reordering if another CPU wrote the load's line in
    // between: the load read the value from before that write, while the writer could still read the
    // store's line from before this commit (the SB pattern). In between means in host order (CPUs
    // stepped finely: litmus), or inside the window's simulated time (CPUs that run in quanta; the memory
    // system also watches the writes still to come).
    for (unsigned i = 0; i < e.passed_count; ++i) {
        const StoreBuffer::Entry::PassedLoad& l = e.passed[i];
        if (memory_.written_by_others_since(l.paddr, l.order)) {
            ++stats_.store_load_reordered;
            memory_.note_store_load_reordering(l.rip, l.paddr, e.rip, e.paddr);
        } else if (config_.auto_commit)
            memory_.note_store_load_window(l.rip, l.paddr, l.cycle, e.rip, e.paddr);
    }
    // The cache model reads the RIP as the code address of what it counts (reports): during the commit it
    // is the store's own instruction, not the one executing now.
    const u64 rip = st_.rip;
    st_.rip = e.rip;
    const MemoryResult r = memory_write(e.paddr, &e.value, e.size, AccessKind::Write);
    st_.rip = rip;
    last_commit_latency_ = r.latency_cycles;
    sb_->remove(index);
}

void CpuImpl::full_barrier() {
    drain_store_buffer();
    memory_.drain_invalidations();
}

void CpuImpl::load_barrier() {
    memory_.drain_invalidations();
}

void CpuImpl::store_barrier() {
    if (sb_) sb_->fence();
}

void CpuImpl::write_phys(u64 pa, unsigned size, u64 value, AccessKind kind) {
    if (decode_cache_.store_hits_code(pa, size)) {
        decode_cache_.invalidate(pa & ~0xfffull);
        ++stats_.smc_invalidations;
    }
    if (u8* page = direct_page(pa)) {
        store_le(page + (pa & 0xfff), size, value);
        return;
    }
    if (sb_ && !in_locked_ && kind == AccessKind::Write) {
        // Retire into the store buffer, one entry per cache line touched.
        const unsigned first = std::min<unsigned>(size, unsigned(64 - (pa & 63)));
        for (unsigned done = 0, part = first; done < size; done += part, part = std::min(8u, size - done)) {
            if (sb_->full()) {
                // The store waits for the commit that makes room: its latency is the stall.
                ++stats_.store_buffer_full_stalls;
                const u64 before = stats_.cycles;
                commit_store();
                memory_.note_store_buffer_stall(pa + done, u32(stats_.cycles - before));
            }
            sb_->push(pa + done, part, (value >> (8 * done)) & size_mask(part), st_.rip);
        }
        return;
    }
    const MemoryResult r = memory_write(pa, &value, size, kind);
    stats_.cycles += r.latency_cycles;
}

u64 CpuImpl::read_mem_slow(u64 lin, unsigned size, u8 seg, mmu::Access access) {
    if (alignment_check_ && (lin & (size - 1)) && !(size & (size - 1))) raise_exception(kAC, 0);
    if ((lin & 0xfff) + size > 4096) {
        // Crosses a page: byte by byte, each byte translated (both pages must be accessible).
        u64 v = 0;
        for (unsigned i = 0; i < size; ++i)
            v |= read_mem_slow(lin + i, 1, seg, access) << (8 * i);
        return v;
    }
    const bool user = cpl_ == 3;
    const u64 pa = translate(lin, access, seg, user, true);
    u8* page = direct_page(pa);
    if (debug_access_) [[unlikely]]
        debug_->on_access(debug_index_, lin, size, false);
    if (page && !alignment_check_ && !debug_access_) {
        HostTlbEntry& e = host_tlb_[(lin >> 12) & (kHostTlbSize - 1)];
        if (e.tag != host_tag(lin)) {
            e = HostTlbEntry{};
            e.tag = host_tag(lin);
        }
        e.read = page;
        e.ppage = pa & ~0xfffull;
        host_tlb_used_ = true;
    }
    return read_phys(pa, size, AccessKind::Read);
}

void CpuImpl::probe_write(u64 lin, unsigned size, u8 seg) {
    const u64 off = lin & 0xfff;
    if (off + size <= 4096) {
        if (!host_write_pointer(lin)) translate(lin, mmu::Access::Write, seg, cpl_ == 3, false);
        return;
    }
    translate(lin, mmu::Access::Write, seg, cpl_ == 3, false);
    translate(lin + size - 1, mmu::Access::Write, seg, cpl_ == 3, false);
}

void CpuImpl::write_mem_slow(u64 lin, unsigned size, u64 value, u8 seg) {
    if (alignment_check_ && (lin & (size - 1)) && !(size & (size - 1))) raise_exception(kAC, 0);
    if ((lin & 0xfff) + size > 4096) {
        // Check both pages before writing anything, so a fault leaves memory unchanged.
        probe_write(lin, size, seg);
        for (unsigned i = 0; i < size; ++i)
            write_mem_slow(lin + i, 1, (value >> (8 * i)) & 0xff, seg);
        return;
    }
    const u64 pa = translate(lin, mmu::Access::Write, seg, cpl_ == 3, true);
    const u64 ppage = pa & ~0xfffull;
    if (debug_access_) [[unlikely]]
        debug_->on_access(debug_index_, lin, size, true);
    write_phys(pa, size, value, AccessKind::Write);
    if (u8* page = direct_page(pa);
        page && !alignment_check_ && !debug_access_ && !decode_cache_.is_code_page(ppage)) {
        HostTlbEntry& e = host_tlb_[(lin >> 12) & (kHostTlbSize - 1)];
        if (e.tag != host_tag(lin)) {
            e = HostTlbEntry{};
            e.tag = host_tag(lin);
        }
        e.read = page;
        e.write = page;
        e.ppage = ppage;
        host_tlb_used_ = true;
    }
}

u64 CpuImpl::read_system(u64 lin, unsigned size) {
    u64 v = 0;
    for (unsigned done = 0; done < size;) {
        const u64 a = lin + done;
        const unsigned chunk = std::min<unsigned>(size - done, unsigned(4096 - (a & 0xfff)));
        const u64 pa = translate(a, mmu::Access::Read, DS, false, false);
        // Implicit accesses (descriptor tables, the TSS, the IVT) meet watchpoints too.
        if (debug_access_) [[unlikely]]
            debug_->on_access(debug_index_, a, chunk, false);
        v |= read_phys(pa, chunk, AccessKind::Read) << (8 * done);
        done += chunk;
    }
    return v;
}

void CpuImpl::write_system(u64 lin, unsigned size, u64 value) {
    for (unsigned done = 0; done < size;) {
        const u64 a = lin + done;
        const unsigned chunk = std::min<unsigned>(size - done, unsigned(4096 - (a & 0xfff)));
        const u64 pa = translate(a, mmu::Access::Write, DS, false, false);
        // The frames an interrupt or exception pushes meet watchpoints too (the stop comes at the
        // handler's first instruction, as a data breakpoint's #DB does on x86).
        if (debug_access_) [[unlikely]]
            debug_->on_access(debug_index_, a, chunk, true);
        write_phys(pa, chunk, (value >> (8 * done)) & size_mask(chunk), AccessKind::Write);
        done += chunk;
    }
}

void CpuImpl::push(u64 value, unsigned size) {
    const u64 sp = (gpr_[RSP] - size) & size_mask(stack_size_);
    write_mem(linear_address(SS, sp), size, value, SS);
    set_reg(RSP, stack_size_, sp);
}

u64 CpuImpl::pop(unsigned size) {
    const u64 sp = gpr_[RSP] & size_mask(stack_size_);
    const u64 v = read_mem(linear_address(SS, sp), size, SS);
    set_reg(RSP, stack_size_, sp + size);
    return v;
}

void CpuImpl::write_rflags(u64 value, u64 writable_mask) {
    flags.flatten();
    flags.bits = ((flags.bits & ~writable_mask) | (value & writable_mask)) | 0x2;
    flags.bits &= ~(1ull << 3 | 1ull << 5 | 1ull << 15 | ~0x3fffffull);
    update_alignment_check();
    note_event(); // IF may have changed
}

const DecodedInsn* CpuImpl::fetch_decode_slow(u64 lin) {
    const u64 lin_page = lin & ~0xfffull;
    const unsigned off = unsigned(lin & 0xfff);
    if ((lin_page != fetch_lin_page_ || fetch_epoch_ != decode_cache_.epoch() || !fetch_code_page_) &&
        !switch_fetch_page(lin)) {
        const u64 pa = translate(lin, mmu::Access::Execute, CS, cpl_ == 3, false);
        fetch_ppage_ = pa & ~0xfffull;
        fetch_code_page_ = &decode_cache_.page(fetch_ppage_);
        fetch_lin_page_ = lin_page;
        fetch_epoch_ = decode_cache_.epoch();
        if (direct_page(pa)) {
            code_tlb_[(lin >> 12) & (kCodeTlbSize - 1)] =
                CodeTlbEntry{host_tag(lin), fetch_ppage_, fetch_code_page_, fetch_epoch_};
            code_tlb_used_ = true;
        }
    }
    const DecodedInsn* d = fetch_code_page_->slot[off];
    if (d && d->mode == mode_) [[likely]]
        return d;

    // Decode: read up to 15 bytes, only crossing into the next page if the instruction needs it.
    ++stats_.decode_cache_misses;
    u8 bytes[16] = {};
    const unsigned in_page = std::min(15u, 4096 - off);
    const u64 pa = fetch_ppage_ + off;
    for (unsigned i = 0; i < in_page; ++i)
        bytes[i] = u8(read_phys(pa + i, 1, AccessKind::Fetch));
    DecodedInsn insn;
    u64 next_ppage = 0;
    bool crosses = false;
    if (!decode_cache_.decoder().decode(bytes, in_page, mode_, insn)) {
        const u64 pa2 = translate(lin_page + 4096, mmu::Access::Execute, CS, cpl_ == 3, false);
        for (unsigned i = in_page; i < 15; ++i)
            bytes[i] = u8(read_phys(pa2 + (i - in_page), 1, AccessKind::Fetch));
        decode_cache_.decoder().decode(bytes, 15, mode_, insn);
        next_ppage = pa2 & ~0xfffull;
        crosses = true;
    }
    // The translation above may have dropped our page (it cannot, as walks do not write code, but an
    // MMIO read could); look the page up again to be safe.
    CodePage& page = decode_cache_.page(fetch_ppage_);
    fetch_code_page_ = &page;
    fetch_epoch_ = decode_cache_.epoch();
    page.storage.push_back(insn);
    const DecodedInsn* stored = &page.storage.back();
    page.slot[off] = stored;
    // The bytes the decode depended on: an invalid encoding may have been decided on up to 15 of them.
    const unsigned decoded_len = insn.mnemonic == ZYDIS_MNEMONIC_INVALID ? 15u : insn.length;
    page.cover(off, decoded_len);
    if (crosses) {
        CodePage& second = decode_cache_.page(next_ppage);
        second.dependents.push_back(fetch_ppage_);
        if (off + decoded_len > 4096) second.cover(0, off + decoded_len - 4096);
        fetch_epoch_ = decode_cache_.epoch();
    }
    return stored;
}

void handler_unimplemented(CpuImpl& cpu, const DecodedInsn& d) {
    // The FPU and SIMD state is not modelled (CPUID says so), but a kernel that keeps CR0.TS set to
    // switch FPU state lazily expects #NM first (SDM 2.5, CR0.TS): give it that.
    if (d.fpu_simd && (cpu.state().cr0 & 0x8) && !(cpu.state().cr0 & 0x4)) raise_exception(kNM);
    // A litmus run names the fault in its own one-line error instead (report_unimplemented off).
    if (cpu.config().report_unimplemented) {
        const char* name = ZydisMnemonicGetString(ZydisMnemonic(d.mnemonic));
        log::logger().report(log::Category::Unimp,
                             fmt::format("unsupported instruction {}", name ? name : "?"),
                             "cpu{}: unsupported instruction '{}' at rip {:#x}: raising #UD",
                             cpu.config().apic_id, name ? name : "?", cpu.state().rip);
    }
    raise_exception(kUD);
}

// Cycles charged for taking an exception (the frame pushes and the IDT/GDT reads), about what an INT costs.
constexpr u64 kExceptionCycles = 40;

// How many of the run at `head` to execute with `budget` instructions left. The instruction limit lands
// exactly: a fused step that would cross it is left to the next round (which executes its first
// instruction on the single-instruction path when it is first). 0: not as a run.
static u64 run_insns_within(const DecodedInsn& head, u64 budget) {
    u64 n = std::min<u64>(head.run_len, budget);
    if (n != 0 && n < head.run_len && head.run[n - 1].fused_step()) [[unlikely]]
        --n;
    return n;
}

// Executes the copies first..end of a run (see run_loop), stopping early where the run ends, then the
// runs that follow in the same code page as long as nothing the outer loop checks stands in the way;
// adds the instructions that completed to `executed`, also when one raises an exception. kLong64: RIP
// does not wrap at 4 GiB. kDrain: the store buffer commits what is due after every step. Both are
// template arguments so that the step keeps fewer values live across its indirect call.
template <bool kLong64, bool kDrain>
void CpuImpl::execute_run(const DecodedInsn* first, const DecodedInsn* end, u64& executed, u64 max_insns) {
    const DecodedInsn* p = first;
    u64 rip = st_.rip;
    cur_addrsize_ = first->addrsize; // the same for the whole run (build_run)
    // One step of the run; false when the run ends after it. The loop below repeats it four times so
    // that each copy has its own indirect call: the branch predictor then also knows the position in
    // the run, not only the global history.
    const auto step = [&]() __attribute__((always_inline)) {
        u64 fall_through = rip + p->step_length;
        if constexpr (!kLong64) fall_through &= 0xffffffffull; // 16-bit IP wrap ignored
        next_rip = fall_through;
        p->exec(*this, *p);
        stats_.cycles += p->cost;
        p = reinterpret_cast<const DecodedInsn*>(reinterpret_cast<const char*>(p) + p->step_stride);
        rip = next_rip;
        st_.rip = rip;
        if constexpr (kDrain)
            if (!sb_->empty()) drain_due_stores();
        return p != end && !events_pending_ && rip == fall_through;
    };
    for (;;) {
        try {
            while (step() && step() && step() && step()) {
            }
        } catch (const GuestException&) {
            executed += u64(p - first); // those before the faulting one completed
            insn_rip_ = rip;            // the faulting one's, which the fault restarts (take_exception)
            throw;
        }
        executed += u64(p - first);
        // The next run, where the outer loop would take it without a walk or a decode (same code page
        // or one in the code TLB, no page dropped since) with nothing to handle before it: start it here. The
        // last instruction of a run may have changed what the outer loop tests (POPF sets TF, STI starts an
        // interrupt shadow, a far jump changes the mode), so all of it is tested again.
        if (events_pending_ || interrupt_shadow_ || (flags.bits & kFlagTf) || debug_insn_ ||
            executed >= max_insns || (mode_ == CpuMode::Long64) != kLong64)
            return;
        const u64 lin = linear_address(CS, rip);
        if (((lin & ~0xfffull) != fetch_lin_page_ || fetch_epoch_ != decode_cache_.epoch()) &&
            !switch_fetch_page(lin))
            return;
        const DecodedInsn* const d = fetch_code_page_->slot[lin & 0xfff];
        if (!d || d->mode != mode_ || !d->run || d->run_len == 0 ||
            (d->run_open && fetch_code_page_->slot[d->run_end]))
            return; // the outer loop decodes or (re)builds
        const u64 n = run_insns_within(*d, max_insns - executed);
        if (n == 0) return;
        first = d->run;
        end = first + n;
        p = first;
        cur_addrsize_ = first->addrsize;
    }
}

void CpuImpl::run_loop(u64 max_insns, u64& executed) {
    while (executed < max_insns) {
        if (events_pending_) [[unlikely]] { // also set with every stop request
            if (debug_insn_) [[unlikely]] {
                if (!debug_boundary()) return;
            } else if (!handle_events()) {
                return;
            }
        }
        // Set before the fetch: a fault on the fetch itself (#PF, non-canonical RIP) reports this RIP.
        insn_rip_ = st_.rip;
        const DecodedInsn* d = fetch_decode();
        // A run executes its instructions back to back: one fetch for all of them, and after each only the
        // checks that it can make true: that it branched (a conditional branch taken, a REP string
        // instruction not finished), or set events_pending_ (a device access that raised an interrupt
        // or asked to stop, a store that dropped a code page). TF and the interrupt shadow, which only
        // instructions that end runs can set, are tested once before it.
        // A debugger checks before every instruction, which a fused step would skip (the loop would
        // end every run after one step anyway).
        const bool run_ok =
            config_.decoded_runs && !(flags.bits & kFlagTf) && !interrupt_shadow_ && !debug_insn_;
        if (run_ok && (!d->run || (d->run_open && fetch_code_page_->slot[d->run_end]))) [[unlikely]]
            build_run(*d);
        const u64 run_insns = run_ok ? run_insns_within(*d, max_insns - executed) : 0;
        if (run_insns != 0) [[likely]] {
            const DecodedInsn* const first = d->run;
            const DecodedInsn* const end = first + run_insns;
            const bool drain = sb_ && config_.auto_commit;
            if (mode_ == CpuMode::Long64)
                drain ? execute_run<true, true>(first, end, executed, max_insns)
                      : execute_run<true, false>(first, end, executed, max_insns);
            else
                drain ? execute_run<false, true>(first, end, executed, max_insns)
                      : execute_run<false, false>(first, end, executed, max_insns);
            if (interrupt_shadow_) [[unlikely]] { // set by the run's last instruction (STI, MOV SS)
                --interrupt_shadow_;
                events_pending_ = true;
            }
            continue;
        }
        next_rip = st_.rip + d->length;
        if (mode_ != CpuMode::Long64) next_rip &= 0xffffffffull; // IP wrap in 16-bit code is ignored
        cur_addrsize_ = d->addrsize;
        const bool single_step = flags.bits & kFlagTf; // TF at the start of the instruction
        if (d->locked) [[unlikely]] {
            // Locked instructions are atomic and full barriers: drain first, then write through.
            full_barrier();
            in_locked_ = true;
            d->exec(*this, *d);
            in_locked_ = false;
        } else {
            d->exec(*this, *d);
        }
        st_.rip = next_rip;
        ++executed;
        stats_.cycles += d->cost;
        if (sb_ && config_.auto_commit && !sb_->empty()) drain_due_stores();
        if (single_step) [[unlikely]] {
            // Single-step trap after the instruction: #DB with DR6.BS, returning to the next one.
            st_.dr[6] |= 1ull << 14;
            deliver(kDB, false, 0, false, false);
            if (stop_pending_) return;
        }
        if (interrupt_shadow_) [[unlikely]] {
            // Counts down over the shadowing instruction and the one after it.
            --interrupt_shadow_;
            events_pending_ = true;
        }
    }
}

void CpuImpl::build_run(const DecodedInsn& head) {
    // The head is the instruction at RIP in the current fetch page.
    CodePage& page = *fetch_code_page_;
    const unsigned start = unsigned(linear_address(CS, st_.rip) & 0xfff);
    std::vector<DecodedInsn> insns;
    unsigned off = start;
    bool open = false;
    for (;;) {
        const DecodedInsn* s = page.slot[off];
        if (!s || s->mode != head.mode) {
            open = true; // grows once the guest has run (and so decoded) what comes next
            break;
        }
        if (s->locked) break; // runs on the single-instruction path, which drains the store buffer
        // One address size per run, set once when it starts (an address-size prefix is rare).
        if (s->addrsize != head.addrsize) break;
        insns.push_back(*s);
        off += s->length;
        if (!s->continues_run || off >= 4096) break;
    }
    if (head.run && insns.size() <= head.run_len) return; // a slot of another mode: nothing gained
    // Steps: an ALU instruction and the Jcc after it execute as one (fuse_alu_jcc); neither can fault,
    // touch memory or raise an event, so nothing can happen between them that a step would hide. Not
    // with a store buffer: it may commit a store between the two, at the cycle the ALU instruction ends.
    const bool fuse = !sb_;
    for (DecodedInsn& s : insns) {
        s.step_length = s.length;
        s.step_stride = sizeof(DecodedInsn);
    }
    for (std::size_t i = 0; fuse && i + 1 < insns.size(); ++i) {
        DecodedInsn& s = insns[i];
        const DecodedInsn& jcc = insns[i + 1];
        if (s.cost + jcc.cost > 255) continue;
        if (const Handler fused = fuse_alu_jcc(s, jcc)) {
            s.exec = fused;
            s.step_length = u8(s.length + jcc.length);
            s.step_stride = 2 * sizeof(DecodedInsn);
            s.cost = u8(s.cost + jcc.cost);
            ++i; // the Jcc's copy stays, for the fused handler to read
        }
    }
    head.run_len = u16(insns.size());
    head.run_open = open;
    head.run_end = u16(off & 0xfff);
    if (insns.empty()) {
        head.run = &head; // runs nothing: a locked head
        return;
    }
    page.runs.push_back(std::move(insns));
    head.run = page.runs.back().data();
}

const StopInfo& CpuImpl::run(u64 max_insns) {
    u64 executed = 0;
    u64 faulted = 0;
    // Where the last run() ended is forgotten, except for a triple fault or a requested stop: a CPU halted
    // (even with IF=0) or waiting for SIPI is re-examined by handle_events, since an interrupt, NMI, INIT
    // or SIPI may have arrived in between.
    switch (stop_.reason) {
    case StopReason::None:
    case StopReason::InsnLimit:
    case StopReason::Halted:
    case StopReason::HaltedForever:
    case StopReason::WaitForSipi:
        clear_stop_info();
        stop_pending_ = false;
        break;
    default: stop_pending_ = true; break;
    }
    events_pending_ = true;
    if (debug_) [[unlikely]]
        debug_->on_slice(debug_index_);
    for (;;) {
        try {
            run_loop(max_insns, executed);
            break;
        } catch (const GuestException& e) {
            decode_cache_.collect_garbage();
            take_exception(e);
            // Faults take time and are bounded like instructions (at most max_insns + 1 per run, so that
            // run(1) still reaches the handler's first instruction): a handler that faults again at once
            // (unmapped, or a bad CS in its gate) would otherwise loop here without run() ever returning
            // or simulated time advancing.
            stats_.cycles += kExceptionCycles;
            if (stop_pending_ || ++faulted > max_insns) break;
        }
    }
    decode_cache_.collect_garbage();
    stats_.instructions += executed;
    if (stop_.reason == StopReason::None) stop_.reason = StopReason::InsnLimit;
    return stop_;
}

void CpuImpl::take_exception(const GuestException& e) {
    ++stats_.exceptions;

    st_.rip = insn_rip_;
    // Faults restart the instruction; the interrupt shadow does not survive them.
    interrupt_shadow_ = 0;
    in_locked_ = false;
    deliver(e.vector, e.has_error, e.error, false, false);
}

bool CpuImpl::handle_events() {
    events_pending_ = false;
    decode_cache_.collect_garbage();
    if (stop_pending_) return false;
    if (init_pending_) {
        // A SIPI that arrived after the INIT (before this CPU got to it) must survive the reset.
        const bool sipi = sipi_pending_;
        const u8 sipi_vector = sipi_vector_;
        reset();
        events_pending_ = false;
        wait_for_sipi_ = true; // INIT parks any CPU, the BSP too, until a SIPI
        sipi_pending_ = sipi;
        sipi_vector_ = sipi_vector;
    }
    if (wait_for_sipi_) {
        if (!sipi_pending_) {
            stop_.reason = StopReason::WaitForSipi;
            stop_pending_ = false;
            events_pending_ = true;
            return false;
        }
        sipi_pending_ = false;
        wait_for_sipi_ = false;
        halted_ = false;
        Segment cs{u16(sipi_vector_ << 8), u64(sipi_vector_) << 12, 0xffff, 0x9b};
        set_segment_cache(CS, cs);
        st_.rip = 0;
    }
    if (nmi_pending_ && !in_nmi_) {
        nmi_pending_ = false;
        halted_ = false;
        in_nmi_ = true;
        deliver(kNMI, false, 0, false, true);
    }
    const bool if_set = flags.bits & kFlagIf;
    if (if_set && !interrupt_shadow_ && intr_line_ && interrupt_source_ && interrupt_source_->has_pending()) {
        halted_ = false;
        const u8 vector = interrupt_source_->acknowledge();
        ++stats_.interrupts;
        deliver(vector, false, 0, false, true);
        events_pending_ = true; // another may be pending
    }
    if (stop_pending_) return false; // a delivery above ended in a triple fault
    if (halted_) {
        const bool can_wake = (flags.bits & kFlagIf) || nmi_pending_;
        stop_.reason = can_wake ? StopReason::Halted : StopReason::HaltedForever;
        if (!can_wake) stop_.message = "HLT with interrupts disabled and nothing pending";
        events_pending_ = true;
        return false;
    }
    return true;
}

bool CpuImpl::debug_boundary() {
    debug_->before_insn(debug_index_); // traps of the previous instruction, before interrupts
    if (stop_pending_) return false;
    const u64 rip = st_.rip;
    const bool run_on = handle_events();
    events_pending_ = true; // the checks stay on: come back before the next instruction
    if (!run_on) return false;
    if (st_.rip != rip) {
        debug_->before_insn(debug_index_); // an interrupt or NMI moved RIP to its handler
        if (stop_pending_) return false;
    }
    return true;
}

void CpuImpl::halt() {
    // A halted CPU's buffered stores still reach memory (its clock stops; they must not wait for it).
    if (sb_ && config_.auto_commit) drain_store_buffer();
    halted_ = true;
    events_pending_ = true;
}

void CpuImpl::set_intr(bool level) {
    intr_line_ = level;
    events_pending_ = true;
}
void CpuImpl::raise_nmi() {
    nmi_pending_ = true;
    events_pending_ = true;
}
void CpuImpl::raise_init() {
    init_pending_ = true;
    events_pending_ = true;
}
void CpuImpl::raise_sipi(u8 vector) {
    if (!wait_for_sipi_ && !init_pending_) return; // SIPIs are ignored outside wait-for-SIPI
    sipi_vector_ = vector;
    sipi_pending_ = true;
    events_pending_ = true;
}

void CpuImpl::triple_fault(const std::string& why) {
    stop_.reason = StopReason::TripleFault;
    stop_.first_vector = first_vector_;
    stop_.first_rip = first_rip_;
    stop_.message =
        fmt::format("cpu{}: triple fault ({}); CPU state:\n{}", config_.apic_id, why, dump_state());
    stop_pending_ = true;
    events_pending_ = true; // the run loop tests only this flag
}

std::string CpuImpl::dump_state() const {
    static const char* names[16] = {"RAX", "RCX", "RDX", "RBX", "RSP", "RBP", "RSI", "RDI",
                                    "R8",  "R9",  "R10", "R11", "R12", "R13", "R14", "R15"};
    static const char* segs[6] = {"ES", "CS", "SS", "DS", "FS", "GS"};
    static const char* modes[6] = {"real",      "protected-16", "protected-32",
                                   "compat-16", "compat-32",    "long-64"};
    std::string s = fmt::format("RIP: {:04x}:{:016x} RFLAGS: {:08x} mode: {} CPL: {}\n", st_.seg[CS].selector,
                                st_.rip, flags.materialize(), modes[int(mode_)], cpl_);
    for (int i = 0; i < 16; ++i)
        s += fmt::format("{:>3}: {:016x}{}", names[i], gpr_[i], (i % 4 == 3) ? "\n" : " ");
    for (int i = 0; i < 6; ++i)
        s += fmt::format("{}: {:04x} base {:016x} limit {:08x} attr {:04x}\n", segs[i], st_.seg[i].selector,
                         st_.seg[i].base, st_.seg[i].limit, st_.seg[i].attrs);
    s += fmt::format("CR0: {:016x} CR2: {:016x} CR3: {:016x} CR4: {:016x} EFER: {:x}\n", st_.cr0, st_.cr2,
                     st_.cr3, st_.cr4, st_.efer);
    s += fmt::format("GDT: {:016x}/{:x} IDT: {:016x}/{:x}", st_.gdtr.base, st_.gdtr.limit, st_.idtr.base,
                     st_.idtr.limit);
    return s;
}

// ---------------------------------------------------------------------------------------------------
// Public facade.

Cpu::Cpu(MemoryPort& memory, IoPortSpace& io, const CpuConfig& config)
    : own_cache_(std::make_unique<DecodeCache>()),
      impl_(std::make_unique<CpuImpl>(memory, io, *own_cache_, config)) {}
Cpu::Cpu(MemoryPort& memory, IoPortSpace& io, DecodeCache& cache, const CpuConfig& config)
    : impl_(std::make_unique<CpuImpl>(memory, io, cache, config)) {}
Cpu::~Cpu() = default;
void Cpu::reset() {
    impl_->reset();
}
const StopInfo& Cpu::run(u64 max_insns) {
    return impl_->run(max_insns);
}
const StopInfo& Cpu::stop_info() const {
    return impl_->stop_;
}
void Cpu::request_stop(StopReason reason) {
    impl_->request_stop(reason);
}
u64 Cpu::gpr(unsigned index) const {
    return impl_->gpr_[index & 15];
}
void Cpu::set_gpr(unsigned index, u64 value) {
    impl_->gpr_[index & 15] = value;
}
u64 Cpu::rip() const {
    return impl_->st_.rip;
}
void Cpu::set_rip(u64 value) {
    impl_->st_.rip = value;
}
u64 Cpu::rflags() const {
    return impl_->flags.materialize();
}
void Cpu::set_rflags(u64 value) {
    impl_->flags.op = FlagOp::Materialized;
    impl_->flags.bits = (value & 0x3f7fd7ull) | 0x2;
    impl_->update_alignment_check();
    impl_->note_event();
}
CpuState& Cpu::state() {
    // Callers may change control registers or segments: the derived state is rebuilt lazily.
    impl_->events_pending_ = true;
    return impl_->st_;
}
const CpuState& Cpu::state() const {
    return impl_->st_;
}
void Cpu::sync_state() {
    impl_->update_mode();
    impl_->mmu_.flush(false);
    impl_->flush_host_tlb();
}
void Cpu::enter_flat_mode(unsigned bits) {
    impl_->enter_flat_mode(bits);
}
void Cpu::set_interrupt_source(InterruptSource* source) {
    impl_->interrupt_source_ = source;
}
void Cpu::set_cached_ram(MemoryPort* port, u64 ram_size) {
    impl_->cached_ram_ = port;
    impl_->cached_ram_size_ = port ? ram_size : 0;
    impl_->flush_host_tlb(); // entries filled through direct pages would bypass the port
}
void Cpu::set_event_observer(CpuEventObserver* observer) {
    impl_->event_observer_ = observer;
}
InterruptSink& Cpu::interrupt_sink() {
    return *impl_;
}
const CpuStats& Cpu::stats() const {
    return impl_->stats_;
}
bool Cpu::commit_store() {
    return impl_->commit_store();
}
void Cpu::drain_store_buffer() {
    impl_->drain_store_buffer();
}
unsigned Cpu::store_buffer_size() const {
    return impl_->store_buffer_size();
}
void Cpu::add_idle_cycles(u64 cycles) {
    impl_->stats_.cycles += cycles;
    impl_->stats_.idle_cycles += cycles;
}
std::string Cpu::dump_state() const {
    return impl_->dump_state();
}
void Cpu::set_debug_hooks(DebugHooks* hooks, unsigned cpu_index) {
    impl_->debug_ = hooks;
    impl_->debug_index_ = cpu_index;
    if (!hooks) set_debug_checks(false, false);
}
void Cpu::set_debug_checks(bool each_instruction, bool each_access) {
    if (!impl_->debug_) each_instruction = each_access = false;
    impl_->debug_insn_ = each_instruction;
    if (each_access && !impl_->debug_access_)
        impl_->flush_host_tlb(); // filled entries would bypass the checks
    impl_->debug_access_ = each_access;
    impl_->events_pending_ = true;
}
const char* Cpu::mode_name() const {
    static const char* names[6] = {"real",      "protected-16", "protected-32",
                                   "compat-16", "compat-32",    "long-64"};
    return names[int(impl_->mode_)];
}
unsigned Cpu::cpl() const {
    return impl_->cpl_;
}
bool Cpu::halted() const {
    return impl_->halted_;
}
bool Cpu::waiting_for_sipi() const {
    return impl_->wait_for_sipi_;
}
const StoreBuffer* Cpu::store_buffer() const {
    return impl_->sb_ ? &*impl_->sb_ : nullptr;
}
const mmu::Mmu& Cpu::mmu() const {
    return impl_->mmu_;
}

} // namespace smpsim::cpu
