// The x86 CPU interpreter: fetch through the MMU, decode once per physical address (Zydis), execute,
// deliver exceptions and interrupts. Plain C++; the SystemC module in cpu_module.h wraps it in a thread.
#pragma once
#include "sim/core/cpu_events.h"
#include "sim/core/interrupt.h"
#include "sim/core/memory_model.h"
#include "sim/core/memory_port.h"
#include "sim/cpu/cpu_state.h"
#include "sim/mmu/paging.h"

#include <memory>
#include <string>

namespace smpsim::cpu {

struct CpuConfig {
    u32 apic_id = 0;
    bool bootstrap = true; // BSP starts at reset; APs wait for INIT/SIPI
    u32 itlb_entries = 64;
    u32 itlb_ways = 4;
    u32 dtlb_entries = 64;
    u32 dtlb_ways = 4;
    // A store buffer between the CPU and memory (off: stores write through at once, the functional
    // mode). Its commit order follows memory_model; fences and locked instructions drain it.
    bool store_buffer = false;
    MemoryModel memory_model = MemoryModel::Tso;
    u32 store_buffer_entries = 16;
    // Commit one store-buffer entry after every instruction. Off: only fences, locked instructions, a
    // full buffer and explicit commit_store() calls commit (the litmus runner decides when).
    bool auto_commit = true;
    // Print a line on stderr the first time an instruction smpsim does not implement raises #UD. Off
    // where the caller reports the fault itself (the litmus runner).
    bool report_unimplemented = true;
    // Execute runs of decoded instructions back to back (the fast path of CpuImpl::run_loop). Off: one
    // instruction per fetch; the results are the same, which differential tests check.
    bool decoded_runs = true;
};

enum class StopReason : u8 {
    None,          // still running
    InsnLimit,     // the budget given to run() is used up
    Halted,        // HLT; wakes on an interrupt
    HaltedForever, // HLT with IF=0 and nothing that could wake it
    TripleFault,
    WaitForSipi,  // an AP before its start-up IPI
    ExitRequested // a device asked the simulation to end (exit port)
};

struct StopInfo {
    StopReason reason = StopReason::None;
    std::string message; // for TripleFault: what faulted, with a register dump
    // For TripleFault: the exception (or interrupt) whose delivery started the cascade, and the RIP of
    // the instruction that raised it, so that a report can name the cause rather than the #DF.
    int first_vector = -1;
    u64 first_rip = 0;
};

struct CpuStats {
    u64 instructions = 0;
    u64 cycles = 0;      // all cycles, halted ones included (the TSC counts them)
    u64 idle_cycles = 0; // of which spent in HLT or waiting for SIPI
    u64 exceptions = 0;
    u64 interrupts = 0;
    u64 decode_cache_misses = 0;
    u64 smc_invalidations = 0;
    u64 store_buffer_full_stalls = 0; // stores that had to wait for a commit
    u64 store_buffer_forwards = 0;    // loads served (in part) from the store buffer
    u64 store_buffer_reordered = 0;   // commits that overtook an older store (weak model only)
    // Loads that passed an older buffered store to another line whose line another CPU wrote before the
    // store committed (found in host order: CPUs stepped finely, as litmus runs do; kernel runs find
    // most of theirs later, in the memory system's windows, and count them only there).
    u64 store_load_reordered = 0;
};

struct CpuidResult {
    u32 eax, ebx, ecx, edx;
};
// What CPUID returns on smpsim's CPU (platform code uses it too, e.g. for the MP table).
CpuidResult cpuid_query(u32 leaf, u32 subleaf, u32 apic_id);

class CpuImpl;
class DecodeCache;
class StoreBuffer;

// A debugger's view into the run loop (sim/gdb). Without hooks (the default) the interpreter does no
// debug work; with hooks but no checks on it calls on_slice() once per run() call only. The calls come
// at instruction boundaries, on the thread that runs the CPU; a hook may block (the whole simulation
// then pauses) and may call request_stop().
class DebugHooks {
  public:
    virtual ~DebugHooks() = default;
    // At the start of each run() slice (asynchronous stop requests, e.g. Ctrl-C, are taken here).
    virtual void on_slice(unsigned cpu) = 0;
    // While instruction checks are on: before each instruction, first with the previous instruction's
    // traps not yet reported (a watchpoint hit, a finished step), before pending interrupts are taken;
    // and again when taking one moved RIP (to an interrupt handler).
    virtual void before_insn(unsigned cpu) = 0;
    // While access checks are on: every data access the instruction makes (linear address), after its
    // translation succeeded, and the implicit ones of the CPU itself (descriptor tables, the TSS, the
    // frames an interrupt or exception delivery pushes).
    virtual void on_access(unsigned cpu, u64 linear, unsigned size, bool write) = 0;
};

class Cpu {
  public:
    // CPUs of one machine share a decode cache (code is decoded once per physical address).
    Cpu(MemoryPort& memory, IoPortSpace& io, DecodeCache& decode_cache, const CpuConfig& config = {});
    // A CPU with a decode cache of its own (tests, single-CPU tools).
    Cpu(MemoryPort& memory, IoPortSpace& io, const CpuConfig& config = {});
    ~Cpu();
    Cpu(const Cpu&) = delete;
    Cpu& operator=(const Cpu&) = delete;

    // Power-on state (SDM 9.1.1): real mode, CS.base 0xffff0000, RIP 0xfff0.
    void reset();
    // Executes at most max_insns instructions; stops early on HLT, a triple fault or a stop request.
    // The result is stop_info(), valid until the next call that changes it (run, reset, request_stop).
    const StopInfo& run(u64 max_insns);
    const StopInfo& stop_info() const;
    // Ends the current run() at the next instruction boundary (called by devices, e.g. the exit port).
    void request_stop(StopReason reason);

    // Register access for loaders, tests and debuggers. rflags() materialises the lazy flags.
    u64 gpr(unsigned index) const;
    void set_gpr(unsigned index, u64 value);
    u64 rip() const;
    void set_rip(u64 value);
    u64 rflags() const;
    void set_rflags(u64 value);
    CpuState& state();
    const CpuState& state() const;
    // Call after changing control registers, EFER or segments through state(): recomputes the mode and
    // drops cached translations.
    void sync_state();

    // Sets up a flat segment state without going through descriptor tables: bits = 16, 32 or 64.
    // Used by the multiboot loader (32-bit protected mode, SDM-style flat segments, paging off) and
    // by tests. For 64, EFER.LME/LMA are set and CS.L = 1; paging stays off unless the caller sets
    // CR0.PG and CR3 (only tests rely on 64-bit mode without paging).
    void enter_flat_mode(unsigned bits);

    // Interrupt wiring: the controller that supplies maskable vectors (INTA), and the CPU's own lines.
    void set_interrupt_source(InterruptSource* source);
    InterruptSink& interrupt_sink();
    // Interrupt entries and IRETs go to `observer` (reports and traces); null: none (the default).
    void set_event_observer(CpuEventObserver* observer);
    // Timing mode: physical addresses below `ram_size` go straight to `port` (the cache model), which
    // the CPU's memory port would forward them to, and no page is directly addressable.
    void set_cached_ram(MemoryPort* port, u64 ram_size);

    const CpuStats& stats() const;
    // Store buffer (CpuConfig::store_buffer): commits the entry the memory model picks next; false if
    // the buffer is empty. drain_store_buffer() commits everything.
    bool commit_store();
    void drain_store_buffer();
    unsigned store_buffer_size() const;
    // Time passed while the CPU slept (HLT, wait-for-SIPI): the TSC keeps counting, as on hardware
    // with an invariant TSC.
    void add_idle_cycles(u64 cycles);
    // Register dump in the style of a kernel oops, for reports.
    std::string dump_state() const;

    // Debugging (sim/gdb). Hooks are called with cpu_index; nullptr removes them. The checks say when
    // the hooks are called besides on_slice (see DebugHooks); they may be changed between run() calls or
    // from within a hook.
    void set_debug_hooks(DebugHooks* hooks, unsigned cpu_index);
    void set_debug_checks(bool each_instruction, bool each_access);
    // Read-only views for debuggers and reports.
    const char*
    mode_name() const; // "real", "protected-16", "protected-32", "compat-16", "compat-32", "long-64"
    unsigned cpl() const;
    bool halted() const;                     // in HLT
    bool waiting_for_sipi() const;           // an AP before its start-up IPI (or any CPU after INIT)
    const StoreBuffer* store_buffer() const; // nullptr without one (functional mode)
    const mmu::Mmu& mmu() const;

  private:
    std::unique_ptr<DecodeCache> own_cache_; // declared first: outlives impl_
    std::unique_ptr<CpuImpl> impl_;
};

} // namespace smpsim::cpu
