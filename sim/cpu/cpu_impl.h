// The interpreter's internals, shared by the instruction-family files (interp_*.cc). Not a public API:
// users include cpu.h.
#pragma once
#include "sim/core/memory_port.h"
#include "sim/cpu/cpu.h"
#include "sim/cpu/decode_cache.h"
#include "sim/cpu/decoded_insn.h"
#include "sim/cpu/lazy_flags.h"
#include "sim/cpu/store_buffer.h"
#include "sim/mmu/paging.h"

#include <array>
#include <cstring>
#include <optional>

namespace smpsim::cpu {

// Exception vectors (SDM vol. 3, 6.3.1).
enum Vector : u8 {
    kDE = 0,
    kDB = 1,
    kNMI = 2,
    kBP = 3,
    kOF = 4,
    kBR = 5,
    kUD = 6,
    kNM = 7,
    kDF = 8,
    kTS = 10,
    kNP = 11,
    kSS = 12,
    kGP = 13,
    kPF = 14,
    kMF = 16,
    kAC = 17,
    kMC = 18,
    kXM = 19,
};

// A guest exception raised while executing an instruction; caught by the run loop, which delivers it
// through the IDT. Never escapes the Cpu.
struct GuestException {
    u8 vector;
    bool has_error;
    u32 error;
};

[[noreturn]] inline void raise_exception(u8 vector) {
    throw GuestException{vector, false, 0};
}
[[noreturn]] inline void raise_exception(u8 vector, u32 error) {
    throw GuestException{vector, true, error};
}

// Loads and stores of 1, 2, 4 or 8 bytes with a fixed-size copy each: a memcpy of variable size is a
// library call, which costs more than the rest of a simple instruction.
inline u64 load_le(const u8* p, unsigned size) {
    switch (size) {
    case 1: return *p;
    case 2: {
        u16 v;
        std::memcpy(&v, p, 2);
        return v;
    }
    case 4: {
        u32 v;
        std::memcpy(&v, p, 4);
        return v;
    }
    default: {
        u64 v;
        std::memcpy(&v, p, 8);
        return v;
    }
    }
}
inline void store_le(u8* p, unsigned size, u64 value) {
    switch (size) {
    case 1: *p = u8(value); break;
    case 2: {
        const u16 v = u16(value);
        std::memcpy(p, &v, 2);
        break;
    }
    case 4: {
        const u32 v = u32(value);
        std::memcpy(p, &v, 4);
        break;
    }
    default: std::memcpy(p, &value, 8); break;
    }
}

inline constexpr u64 size_mask(unsigned size) {
    return size >= 8 ? ~0ull : (1ull << (size * 8)) - 1;
}
inline constexpr u64 sign_bit(unsigned size) {
    return 1ull << (size * 8 - 1);
}
inline constexpr i64 sign_extend(u64 v, unsigned size) {
    return size >= 8 ? i64(v) : i64(v << (64 - size * 8)) >> (64 - size * 8);
}

// How a handler computes a memory operand's linear address: Any (operand_linear), or one of the flat
// forms of 64-bit code, where a 64-bit address size masks nothing and the segments other than FS and GS
// have base 0: a register base plus displacement, with or without a scaled index register.
enum class AddrForm : u8 { Any, Base, BaseIndex };
// uses_segment: false for LEA, which computes an offset only.
inline AddrForm flat_form(const DecodedInsn& d, const Operand& o, bool uses_segment = true) {
    if (d.mode != CpuMode::Long64 || d.addrsize != 8 || o.kind != OpKind::Mem ||
        (uses_segment && (o.seg == FS || o.seg == GS)) || o.base >= 16)
        return AddrForm::Any;
    return o.index == kNoReg ? AddrForm::Base : AddrForm::BaseIndex;
}

class CpuImpl final : public InterruptSink {
  public:
    CpuImpl(MemoryPort& memory, IoPortSpace& io, DecodeCache& decode_cache, const CpuConfig& config);
    ~CpuImpl() override;

    // --- run control (cpu.cc) ---
    void reset();
    const StopInfo& run(u64 max_insns);
    void request_stop(StopReason reason) {
        stop_.reason = reason;
        stop_pending_ = true;
        events_pending_ = true; // the run loop tests only this flag
    }
    void enter_flat_mode(unsigned bits);
    std::string dump_state() const;

    // --- InterruptSink ---
    void set_intr(bool level) override;
    void raise_nmi() override;
    void raise_init() override;
    void raise_sipi(u8 vector) override;

    // --- registers ---
    u64 reg(u8 r, unsigned size) const {
        if (r >= kHighByteBase) return (gpr_[r - kHighByteBase] >> 8) & 0xff;
        return gpr_[r] & size_mask(size);
    }
    void set_reg(u8 r, unsigned size, u64 v) {
        switch (size) {
        case 1:
            if (r >= kHighByteBase) {
                u64& g = gpr_[r - kHighByteBase];
                g = (g & ~0xff00ull) | ((v & 0xff) << 8);
            } else {
                gpr_[r] = (gpr_[r] & ~0xffull) | (v & 0xff);
            }
            break;
        case 2: gpr_[r] = (gpr_[r] & ~0xffffull) | (v & 0xffff); break;
        case 4: gpr_[r] = v & 0xffffffffull; break; // 32-bit writes zero-extend
        default: gpr_[r] = v; break;
        }
    }
    u64& gpr(unsigned i) { return gpr_[i]; }

    // --- flags ---
    LazyFlags flags;
    u64 rflags() const { return flags.materialize(); }
    // Writes RFLAGS honouring the bits that are reserved or not writable at the current privilege.
    void write_rflags(u64 value, u64 writable_mask);

    // --- operands (hot path) ---
    u64 effective_address(const Operand& o) const {
        u64 ea = u64(o.imm);
        if (o.base != kNoReg) ea += (o.base == kRipBase) ? next_rip : gpr_[o.base];
        if (o.index != kNoReg) ea += gpr_[o.index] << o.scale;
        return ea & size_mask(cur_addrsize_);
    }
    u64 linear_address(u8 seg, u64 offset) const {
        u64 lin = seg_base_[seg] + offset;
        return mode_ == CpuMode::Long64 ? lin : (lin & 0xffffffffull);
    }
    u64 operand_linear(const Operand& o) const { return linear_address(o.seg, effective_address(o)); }
    // The linear address of a memory operand of the flat form (flat_form()): base + index * scale +
    // displacement, as operand_linear computes it there without the masks and the segment base.
    template <AddrForm F> u64 operand_linear(const Operand& o) const {
        if constexpr (F == AddrForm::Any)
            return operand_linear(o);
        else if constexpr (F == AddrForm::Base)
            return u64(o.imm) + gpr_[o.base];
        else
            return u64(o.imm) + gpr_[o.base] + (gpr_[o.index] << o.scale);
    }

    u64 read_operand(const Operand& o) {
        switch (o.kind) {
        case OpKind::Reg: return reg(o.reg, o.size);
        case OpKind::Mem: return read_mem(operand_linear(o), o.size, o.seg);
        default: return u64(o.imm);
        }
    }
    void write_operand(const Operand& o, u64 v) {
        if (o.kind == OpKind::Reg)
            set_reg(o.reg, o.size, v);
        else
            write_mem(operand_linear(o), o.size, v, o.seg);
    }

    // Memory by linear address. `seg` selects #SS instead of #GP for non-canonical stack accesses.
    u64 read_mem(u64 lin, unsigned size, u8 seg = DS) {
        if ((lin & 0xfff) + size <= 4096) [[likely]]
            if (const u8* p = host_read_pointer(lin)) return load_le(p, size);
        return read_mem_slow(lin, size, seg, mmu::Access::Read);
    }
    void write_mem(u64 lin, unsigned size, u64 value, u8 seg = DS) {
        if ((lin & 0xfff) + size <= 4096) [[likely]] {
            if (u8* p = host_write_pointer(lin)) {
                store_le(p, size, value);
                return;
            }
        }
        write_mem_slow(lin, size, value, seg);
    }
    // Host pointers to `lin` where the host TLB has its page (RAM the host addresses directly, no check
    // pending on it), else nullptr: the accesses' fast path, and REP MOVS/STOS's runs of elements.
    const u8* host_read_pointer(u64 lin) const {
        const HostTlbEntry& e = host_tlb_[(lin >> 12) & (kHostTlbSize - 1)];
        return e.tag == host_tag(lin) && e.read ? e.read + (lin & 0xfff) : nullptr;
    }
    u8* host_write_pointer(u64 lin) const {
        const HostTlbEntry& e = host_tlb_[(lin >> 12) & (kHostTlbSize - 1)];
        return e.tag == host_tag(lin) && e.write ? e.write + (lin & 0xfff) : nullptr;
    }
    // Reads with a write check first, for read-modify-write instructions, so that a fault on the write
    // side is raised before anything changes.
    u64 read_mem_for_write(u64 lin, unsigned size, u8 seg = DS) {
        probe_write(lin, size, seg);
        return read_mem(lin, size, seg);
    }
    void probe_write(u64 lin, unsigned size, u8 seg);

    // Supervisor-implicit accesses (descriptor tables, TSS, IDT) ignore CPL for U/S checks.
    u64 read_system(u64 lin, unsigned size);
    void write_system(u64 lin, unsigned size, u64 value);

    // --- stack ---
    void push(u64 value, unsigned size);
    u64 pop(unsigned size);
    // push(value, 8) and pop(8) in 64-bit mode, where RSP is 64 bits wide and SS's base is 0. The access
    // comes before RSP changes, so a fault leaves RSP as it was.
    void push64(u64 value) {
        const u64 sp = gpr_[RSP] - 8;
        write_mem(sp, 8, value, SS);
        gpr_[RSP] = sp;
    }
    u64 pop64() {
        const u64 sp = gpr_[RSP];
        const u64 v = read_mem(sp, 8, SS);
        gpr_[RSP] = sp + 8;
        return v;
    }
    u64 stack_pointer() const { return gpr_[RSP] & size_mask(stack_size_); }

    // --- control flow ---
    u64 next_rip = 0; // address of the following instruction; handlers change it to branch
    void branch_to(u64 target, unsigned opsize) {
        next_rip = mode_ == CpuMode::Long64 ? target : (target & size_mask(opsize));
    }

    // --- system state ---
    CpuState& state() { return st_; }
    const CpuState& state() const { return st_; }
    CpuMode mode() const { return mode_; }
    unsigned cpl() const { return cpl_; }
    bool protected_mode() const { return st_.cr0 & mmu::kCr0Pe; }
    // Loads a segment register in the current mode (real: base = sel << 4; protected: descriptor from
    // GDT/LDT with checks). Raises #GP/#NP/#SS as the SDM says.
    void load_segment(u8 seg, u16 selector);
    // Loads CS for a far transfer (JMP/CALL/RET/IRET); updates mode.
    void load_code_segment(u16 selector, u8 new_cpl);
    void set_segment_cache(u8 seg, const Segment& s);
    void write_cr(unsigned n, u64 value);
    u64 read_msr(u32 index);
    void write_msr(u32 index, u64 value);
    void update_mode(); // after CR0/EFER/CS changes
    // #AC applies when CR0.AM, EFLAGS.AC and CPL 3 are all set; call after any of them changes.
    void update_alignment_check();
    void flush_host_tlb();
    void invlpg(u64 lin);
    u64 tsc() const { return stats_.cycles + st_.tsc_offset; }

    IoPortSpace& io() { return io_; }
    CpuStats& stats() { return stats_; }
    const CpuConfig& config() const { return config_; }

    // Memory ordering (store buffer and invalidate queue). Without a store buffer these only drain the
    // port's invalidations.
    void full_barrier();  // MFENCE, locked instructions: drain the store buffer and invalidations
    void load_barrier();  // LFENCE: apply queued invalidations
    void store_barrier(); // SFENCE: later stores may not commit before earlier ones
    // Commits the next committable store now; the CPU waits for it (a full buffer, a barrier).
    bool commit_store();
    // After each instruction when the CPU commits on its own: stores whose line the L1 owns commit; the
    // next other one asks for ownership and commits once that latency has passed. The CPU does not wait:
    // loads run ahead of the buffered stores meanwhile, as on hardware.
    void drain_due_stores();
    void drain_store_buffer() {
        while (commit_store()) {
        }
    }
    unsigned store_buffer_size() const { return sb_ ? sb_->size() : 0; }

    // Called when an instruction writes interrupt-relevant state (STI setting IF, MOV/POP SS): interrupts
    // stay blocked until the instruction after it completes (the `sti; hlt` idiom relies on it).
    void set_interrupt_shadow() { interrupt_shadow_ = 2; }
    void halt();
    void note_event() { events_pending_ = true; }
    void end_nmi_blocking() {
        in_nmi_ = false;
        events_pending_ = true;
    }

    // Descriptor reading (system.cc).
    u64 read_descriptor(u16 selector, bool* in_ldt = nullptr);
    static Segment segment_from_descriptor(u16 selector, u64 desc);

    // Delivers an interrupt or exception through the IDT/IVT (interrupts.cc).
    void deliver(u8 vector, bool has_error, u32 error, bool software, bool external);
    // Reports and traces (Cpu::set_event_observer): IRET returns from the handler entered last.
    void note_interrupt_return() {
        if (event_observer_) event_observer_->interrupt_return(config_.apic_id, stats_.cycles);
    }

    // Invoked when the decode cache drops or adds a code page (self-modifying code and write protection).
    void on_code_page_added(u64 ppage);

  private:
    friend class Cpu;
    struct HostTlbEntry {
        u64 tag = ~0ull;
        u8* read = nullptr;
        u8* write = nullptr;
        u64 ppage = 0;
    };
    static constexpr unsigned kHostTlbSize = 256;
    u64 host_tag(u64 lin) const { return (lin & ~0xfffull) | user_bit_; }

    u64 read_mem_slow(u64 lin, unsigned size, u8 seg, mmu::Access access);
    void write_mem_slow(u64 lin, unsigned size, u64 value, u8 seg);
    u64 translate(u64 lin, mmu::Access access, u8 seg, bool user, bool fill_host);
    void check_canonical(u64 lin, u8 seg);
    u64 read_phys(u64 pa, unsigned size, AccessKind kind);
    // The memory port's, except in timing mode (Cpu::set_cached_ram): RAM straight from the cache
    // model, and no direct pages.
    u8* direct_page(u64 pa) { return cached_ram_ ? nullptr : memory_.direct_page(pa); }
    MemoryResult memory_read(u64 pa, void* dst, u32 size, AccessKind kind) {
        return cached_ram_ && pa < cached_ram_size_ ? cached_ram_->read(pa, dst, size, kind)
                                                    : memory_.read(pa, dst, size, kind);
    }
    MemoryResult memory_write(u64 pa, const void* src, u32 size, AccessKind kind) {
        return cached_ram_ && pa < cached_ram_size_ ? cached_ram_->write(pa, src, size, kind)
                                                    : memory_.write(pa, src, size, kind);
    }
    void write_phys(u64 pa, unsigned size, u64 value, AccessKind kind);
    // Hot path: the instruction at RIP from the code page the previous one came from.
    const DecodedInsn* fetch_decode() {
        const u64 lin = linear_address(CS, st_.rip);
        if ((lin & ~0xfffull) == fetch_lin_page_ && fetch_epoch_ == decode_cache_.epoch()) [[likely]] {
            const DecodedInsn* d = fetch_code_page_->slot[lin & 0xfff];
            if (d && d->mode == mode_) [[likely]]
                return d;
        }
        return fetch_decode_slow(lin);
    }
    const DecodedInsn* fetch_decode_slow(u64 lin);
    // Makes the page of `lin` the fetch page from the code TLB; false if it holds no valid entry for it.
    bool switch_fetch_page(u64 lin) {
        const CodeTlbEntry& e = code_tlb_[(lin >> 12) & (kCodeTlbSize - 1)];
        if (e.tag != host_tag(lin) || e.epoch != decode_cache_.epoch()) return false;
        fetch_lin_page_ = lin & ~0xfffull;
        fetch_ppage_ = e.ppage;
        fetch_code_page_ = e.page;
        fetch_epoch_ = e.epoch;
        return true;
    }
    void build_run(const DecodedInsn& head); // DecodedInsn::run of the instruction at RIP
    void retire_store(unsigned index); // takes entry `index` out of the buffer and writes it to the cache
    void run_loop(u64 max_insns, u64& executed);
    template <bool kLong64, bool kDrain>
    void execute_run(const DecodedInsn* first, const DecodedInsn* end, u64& executed, u64 max_insns);
    void take_exception(const GuestException& e);
    // StopInfo{} without giving up the message's buffer: a litmus CPU halts (with a message) once per
    // iteration, and a fresh string each time was a quarter of the runner's allocations.
    void clear_stop_info() {
        stop_.reason = StopReason::None;
        stop_.message.clear();
        stop_.first_vector = -1;
        stop_.first_rip = 0;
    }
    bool handle_events();
    bool debug_boundary(); // handle_events() with the debugger's instruction checks around it
    mmu::PagingRegs paging_regs() const { return {st_.cr0, st_.cr3, st_.cr4, st_.efer}; }
    void triple_fault(const std::string& why);

    MemoryPort& memory_;
    IoPortSpace& io_;
    DecodeCache& decode_cache_;
    MemoryPort* cached_ram_ = nullptr; // Cpu::set_cached_ram
    u64 cached_ram_size_ = 0;
    CpuConfig config_;
    mmu::Mmu mmu_;
    CpuState st_;
    u64 gpr_[16] = {};
    u64 seg_base_[kSegCount] = {};
    CpuMode mode_ = CpuMode::Real16;
    unsigned cpl_ = 0;
    u64 user_bit_ = 0;
    bool alignment_check_ = false; // while set, no host-TLB fills: every access takes the slow path
    unsigned cur_addrsize_ = 2;
    unsigned stack_size_ = 2;
    u64 insn_rip_ = 0; // RIP of the instruction that faults restart (in a run: set when one throws)
    std::array<HostTlbEntry, kHostTlbSize> host_tlb_{};
    bool host_tlb_used_ = false; // an entry was filled since the last flush

    // Fetch fast path: the code page the last instruction came from.
    u64 fetch_lin_page_ = ~0ull;
    u32 last_commit_latency_ = 0; // of the last retire_store
    u64 fetch_ppage_ = 0;
    CodePage* fetch_code_page_ = nullptr;
    u64 fetch_epoch_ = 0;
    // The code pages of recent fetches by linear page, where the host TLB may be used (RAM the host
    // addresses directly, functional mode): a call or return into another page then skips the walk and
    // the decode cache's hash. Another TLB level like the host TLB, flushed with it; an entry holds while
    // no code page has been dropped since it was filled (the decode cache's epoch).
    struct CodeTlbEntry {
        u64 tag = ~0ull;
        u64 ppage = 0;
        CodePage* page = nullptr;
        u64 epoch = 0;
    };
    static constexpr unsigned kCodeTlbSize = 64;
    std::array<CodeTlbEntry, kCodeTlbSize> code_tlb_{};
    bool code_tlb_used_ = false;

    StopInfo stop_;
    bool stop_pending_ = false;
    bool events_pending_ = false;
    bool halted_ = false;
    bool wait_for_sipi_ = false;
    bool intr_line_ = false;
    bool nmi_pending_ = false;
    bool init_pending_ = false;
    bool sipi_pending_ = false;
    u8 sipi_vector_ = 0;
    u8 interrupt_shadow_ = 0; // instructions to complete before interrupts are recognised (see above)
    bool in_nmi_ = false;
    int delivering_ = 0;  // nesting depth of exception delivery, for #DF and triple faults
    u8 first_vector_ = 0; // the outermost delivery in progress (StopInfo::first_vector)
    u64 first_rip_ = 0;
    InterruptSource* interrupt_source_ = nullptr;
    CpuEventObserver* event_observer_ = nullptr;
    CpuStats stats_;
    std::optional<StoreBuffer> sb_;
    bool in_locked_ = false; // a locked instruction runs: its stores bypass the (drained) store buffer

    // Debugging (DebugHooks in cpu.h): the checks keep events_pending_ set, so the run loop's one test
    // per instruction covers them; access checks also keep the host TLB empty (every access is slow).
    DebugHooks* debug_ = nullptr;
    unsigned debug_index_ = 0;
    bool debug_insn_ = false;
    bool debug_access_ = false;
};

// Handler registration, one function per instruction family.
using HandlerTable = std::array<Handler, 2048>;
void register_data_handlers(HandlerTable& t);
void register_alu_handlers(HandlerTable& t);
void register_control_handlers(HandlerTable& t);
void register_string_handlers(HandlerTable& t);
void register_system_handlers(HandlerTable& t);

// Handlers specialised for an instruction's operand kinds and sizes, or nullptr (use the table's).
Handler specialize_alu(const DecodedInsn& d);
Handler specialize_data(const DecodedInsn& d);
Handler specialize_control(const DecodedInsn& d);

// Raised for any instruction the interpreter does not implement: #UD in the guest, named in reports.
void handler_unimplemented(CpuImpl& cpu, const DecodedInsn& d);

// Condition-code evaluation shared by Jcc, SETcc, CMOVcc.
bool condition_holds(const LazyFlags& f, unsigned cond);

// condition_holds() for a condition known at compile time, with the flag producers a branch most often
// follows (CMP/SUB, TEST/AND/OR/XOR) decided from the recorded result without a switch per flag.
template <unsigned cond> [[gnu::always_inline]] inline bool jcc_taken(const LazyFlags& f) {
    constexpr unsigned kind = cond >> 1; // O, B, Z, BE, S, P, L, LE
    bool r;
    if constexpr (kind == 1 || kind == 2 || kind == 3 || kind == 6 || kind == 7) {
        if (f.op == FlagOp::Sub && f.aux == 0) {
            const u64 m = f.mask();
            const u64 a = f.a & m, b = f.b & m;
            const unsigned shift = 64 - f.size * 8;
            const i64 sa = i64(a << shift), sb = i64(b << shift);
            if constexpr (kind == 1) r = a < b;
            if constexpr (kind == 2) r = a == b;
            if constexpr (kind == 3) r = a <= b;
            if constexpr (kind == 6) r = sa < sb;
            if constexpr (kind == 7) r = sa <= sb;
            return (cond & 1) ? !r : r;
        }
    }
    if (f.op == FlagOp::Logic) {
        // CF = OF = 0.
        const bool zf = (f.res & f.mask()) == 0;
        const bool sf = f.res & f.sign();
        if constexpr (kind == 0 || kind == 1) r = false;
        if constexpr (kind == 2 || kind == 3) r = zf;
        if constexpr (kind == 4 || kind == 6) r = sf;
        if constexpr (kind == 5) r = f.pf();
        if constexpr (kind == 7) r = zf || sf;
        return (cond & 1) ? !r : r;
    }
    return condition_holds(f, cond);
}

// Whether d is a Jcc with its specialised handler (specialize_control).
bool is_conditional_branch(const DecodedInsn& d);
// Runs only: a handler that executes the ALU instruction `alu` (register destination, register or
// immediate source) and then the Jcc `jcc` that follows it, reading the Jcc from the next copy of the
// run; nullptr when the pair has no such handler.
Handler fuse_alu_jcc(const DecodedInsn& alu, const DecodedInsn& jcc);

} // namespace smpsim::cpu
