// The SystemC wrapper around one Cpu: a thread that runs the interpreter in quanta (temporal
// decoupling with tlm_quantumkeeper), TLM-2.0 initiator sockets for memory-mapped and port I/O, and
// DMI for RAM. The interpreter itself knows nothing of SystemC.
#pragma once
#include "sim/core/memory_port.h"
#include "sim/cpu/cpu.h"
#include "sim/cpu/decode_cache.h"

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>

#include <functional>
#include <random>

namespace smpsim::cpu {

struct CpuModuleConfig {
    CpuConfig cpu;
    double mhz = 2000.0;       // clock frequency
    u64 quantum_cycles = 1000; // cycles between synchronisations with the SystemC kernel
    // Seed of this CPU's jitter: each run batch is between half and one and a half quanta long, so
    // different seeds give different (but reproducible) interleavings of the CPUs. 0: no jitter.
    u64 jitter_seed = 0;
};

class CpuModule : public sc_core::sc_module, private MemoryPort, private IoPortSpace, private InterruptSink {
  public:
    tlm_utils::simple_initiator_socket<CpuModule> mem_socket;
    tlm_utils::simple_initiator_socket<CpuModule> io_socket;
    // This CPU's own local APIC: accesses to the 4 KiB page IA32_APIC_BASE names go here (with the
    // offset in the page), not to the shared bus, so every CPU sees its own APIC at 0xFEE00000.
    tlm_utils::simple_initiator_socket<CpuModule> apic_socket;

    CpuModule(sc_core::sc_module_name name, DecodeCache& decode_cache, const CpuModuleConfig& config);

    Cpu& cpu() { return cpu_; }
    // The interrupt lines of this CPU; setting one wakes a halted CPU thread.
    InterruptSink& interrupt_sink() { return *this; }
    // Called on every stop other than an exhausted quantum or a wakeable HLT: triple fault, exit request,
    // instruction limit, and the CPU falling asleep with nothing but NMI/INIT/SIPI able to wake it
    // (HLT with IF = 0, or an AP waiting for its start-up IPI). A sleeping CPU's thread goes on waiting.
    void set_stop_handler(std::function<void(CpuModule&, const StopInfo&)> handler) {
        on_stop_ = std::move(handler);
    }
    // True while the CPU sleeps in HLT with IF = 0 or waits for SIPI.
    bool deep_sleep() const { return deep_sleep_; }
    // Ends the thread at its next instruction boundary.
    void stop();
    // Limits the instructions this CPU executes; reaching it counts as a stop with InsnLimit.
    void set_instruction_limit(u64 limit) { insn_limit_ = limit; }
    bool finished() const { return finished_; }
    // Timing mode: RAM accesses go through this port (a cache model) instead of DMI, for addresses in
    // [0, ram_size). The port's coherence hooks (line ownership, invalidate queue) serve the CPU's store
    // buffer.
    void set_ram_port(MemoryPort* port, u64 ram_size) {
        ram_port_ = port;
        ram_size_ = ram_size;
        cpu_.set_cached_ram(port, ram_size); // the CPU skips this module's forwarding
    }
    sc_core::sc_time clock_period() const { return period_; }

  private:
    void thread();
    void sleep(); // until wake_, crediting the time slept to the CPU's cycle count
    // MemoryPort: RAM through DMI, everything else through mem_socket.
    MemoryResult read(u64 paddr, void* dst, u32 size, AccessKind kind) override;
    MemoryResult write(u64 paddr, const void* src, u32 size, AccessKind kind) override;
    u8* direct_page(u64 paddr) override;
    bool line_owned(u64 paddr) override { return ram_port_ ? ram_port_->line_owned(paddr) : true; }
    u32 ownership_latency(u64 paddr) override { return ram_port_ ? ram_port_->ownership_latency(paddr) : 0; }
    void drain_invalidations() override {
        if (ram_port_) ram_port_->drain_invalidations();
    }
    void note_store_buffer_stall(u64 paddr, u32 cycles) override {
        if (ram_port_) ram_port_->note_store_buffer_stall(paddr, cycles);
    }
    u64 access_order() override { return ram_port_ ? ram_port_->access_order() : 0; }
    bool written_by_others_since(u64 paddr, u64 order) override {
        return ram_port_ && ram_port_->written_by_others_since(paddr, order);
    }
    void note_store_load_reordering(u64 load_rip, u64 load_paddr, u64 store_rip, u64 store_paddr) override {
        if (ram_port_) ram_port_->note_store_load_reordering(load_rip, load_paddr, store_rip, store_paddr);
    }
    void note_store_load_window(u64 load_rip, u64 load_paddr, u64 load_cycle, u64 store_rip,
                                u64 store_paddr) override {
        if (ram_port_)
            ram_port_->note_store_load_window(load_rip, load_paddr, load_cycle, store_rip, store_paddr);
    }
    void note_store_store_reordering(u64 store_rip, u64 store_paddr, u64 older_rip,
                                     u64 older_paddr) override {
        if (ram_port_) ram_port_->note_store_store_reordering(store_rip, store_paddr, older_rip, older_paddr);
    }
    bool is_apic_access(u64 paddr) const;
    MemoryResult transport(tlm::tlm_command cmd, u64 addr, void* data, u32 size,
                           tlm_utils::simple_initiator_socket<CpuModule>& socket);
    // IoPortSpace through io_socket.
    u32 in(u16 port, u32 size) override;
    void out(u16 port, u32 size, u32 value) override;
    // InterruptSink: forwards to the interpreter and wakes the thread.
    void set_intr(bool level) override;
    void raise_nmi() override;
    void raise_init() override;
    void raise_sipi(u8 vector) override;

    Cpu cpu_;
    sc_core::sc_time period_;
    u64 quantum_cycles_;
    bool jitter_ = false;
    std::mt19937_64 jitter_rng_; // the standard fixes its sequence: same seed, same batches everywhere
    tlm_utils::tlm_quantumkeeper quantum_;
    tlm::tlm_generic_payload payload_; // for transport(), reused
    sc_core::sc_event wake_;
    bool wake_pending_ = false; // an interrupt line changed since the last run() began
    std::function<void(CpuModule&, const StopInfo&)> on_stop_;
    u64 insn_limit_ = 0;
    bool stop_requested_ = false;
    bool finished_ = false;
    bool deep_sleep_ = false;
    // DMI region of RAM.
    u8* dmi_ptr_ = nullptr;
    u64 dmi_start_ = 1;
    u64 dmi_end_ = 0;
    bool dmi_checked_ = false;
    MemoryPort* ram_port_ = nullptr;
    u64 ram_size_ = 0;
};

} // namespace smpsim::cpu
