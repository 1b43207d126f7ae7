// Assembles a PC from a MachineConfig: CPUs, RAM, the physical-address and port-I/O routers, UART,
// exit port, and the multiboot loader; runs it and reports how it stopped.
#pragma once
#include "sim/apic/apic_bus_router.h"
#include "sim/apic/apic_devices.h"
#include "sim/cache_mesi/memory_system.h"
#include "sim/cache_mesi/ports.h"
#include "sim/core/bus_fault.h"
#include "sim/core/cpu_events.h"
#include "sim/core/error.h"
#include "sim/core/memory_model.h"
#include "sim/core/types.h"
#include "sim/cpu/cpu_module.h"
#include "sim/cpu/decode_cache.h"
#include "sim/igb/igb_device.h"
#include "sim/net/link_partner.h"
#include "sim/pci_msi/pci_host_device.h"
#include "sim/pic8259/pic_device.h"
#include "sim/platform/dma_router.h"
#include "sim/platform/isa_line.h"
#include "sim/platform/pit_device.h"
#include "sim/platform/port_devices.h"
#include "sim/platform/ram.h"
#include "sim/platform/router.h"
#include "sim/platform/signal_trace.h"

#include <nlohmann/json_fwd.hpp>
#include <systemc>

#include <chrono>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace smpsim::platform {

// The 82576 NIC on PCI 00:03.0 and what its wire carries.
struct NicConfig {
    bool present = true;
    std::string pcap;              // capture replayed into the NIC once the guest's driver is up; "" = none
    std::string pace = "original"; // original | scale=F | pps=N | max
    double link_gbps = 1;          // 1 = the 82576's own speed; more to measure the guest, not the port
    u32 loops = 1;
    std::string tx_pcap;          // frames the guest transmits, written here
    std::string rewrite = "none"; // what changes in each captured frame (net::parse_frame_rewrite)
    u64 drain_timeout_ns = 200'000'000;
    u64 idle_ns = 0; // quiet time with the link up after the drain
};

struct MachineConfig {
    std::string kernel;  // multiboot ELF
    std::string cmdline; // kernel command line
    u32 cpus = 1;
    u64 mem_mib = 128;
    double cpu_mhz = 2000.0;
    u64 apic_timer_hz = 1'000'000'000; // local APIC timer input clock (QEMU uses 1 GHz too)
    u64 quantum_cycles = 1000;
    u64 max_insns = 0; // per CPU; 0 = no limit
    u64 seed = 1;
    u32 itlb_entries = 64, itlb_ways = 4, dtlb_entries = 64, dtlb_ways = 4;
    // Timing mode: private MESI L1s (and an LLC) behind every CPU, store buffers, and the memory model.
    // Off: functional mode, CPUs reach RAM directly (DMI).
    bool timing = false;
    MemoryModel model = MemoryModel::Tso;
    std::string stats_file; // per-line cache statistics as JSON at the end (timing mode)
    NicConfig nic;
    // Bus faults (docs/FAULTS.md) complete as master aborts and the run goes on, unless these ask to stop
    // at the first one (exit status 10).
    bool stop_on_dma_fault = false;  // a device's DMA reached no memory
    bool stop_on_mmio_fault = false; // a CPU's access reached a physical address with nothing behind it
    // Reports: the period of Machine::set_sampler's calls in simulated ns (0: no sampling).
    u64 sample_period_ns = 0;
    // --vcd: interrupt lines, deliveries, MSI messages and the NIC's link into this VCD file ("": none).
    std::string vcd_file;
};

// Exit statuses that are not the guest's own: always even, so they never collide with the odd
// exit-port statuses (v << 1) | 1.
inline constexpr int kExitHalted = 0;
inline constexpr int kExitInputError = 2;
inline constexpr int kExitTripleFault = 4;
inline constexpr int kExitInsnLimit = 6;
inline constexpr int kExitNoProgress = 8; // every CPU asleep and nothing left that could wake one
// A DMA or MMIO access reached no memory and --stop-on-dma-fault or --stop-on-mmio-fault asked to stop.
inline constexpr int kExitDeviceFault = 10;
inline constexpr int kExitGuestReset = 12; // the guest asked for a reset (port 0xCF9 or the 8042)
// The debugger ended the run: GDB's kill, or its connection lost under --gdb-wait (sim/gdb).
inline constexpr int kExitDebugger = 14;
// The simulator's own failure (a broken invariant, an unexpected exception, a SystemC error, no host
// memory left): EX_SOFTWARE of sysexits.h.
inline constexpr int kExitInternalError = 70;

// --link-gbps: a finite range, so that a frame's wire time stays a sane number of nanoseconds.
inline constexpr double kMinLinkGbps = 0.001, kMaxLinkGbps = 1000;

struct RunResult {
    int exit_status = 0;
    std::string stop_reason; // one line
    std::string stop_report; // e.g. the register dump of a triple fault
    std::optional<u32> guest_exit_value;
    u64 instructions = 0;
    u64 cycles = 0; // of the CPU that ran most
    double sim_seconds = 0;
    double host_seconds = 0;
    u64 decode_cache_misses = 0;
    u64 smc_invalidations = 0;
    u64 exceptions = 0;
    // CPU accesses to physical addresses with nothing behind them (read all ones, writes dropped).
    u64 mmio_faults = 0;
    std::vector<BusFault> first_mmio_faults;
};

class Machine : public sc_core::sc_module {
  public:
    // Throws InputError for a kernel that cannot be read or loaded, or a bad configuration.
    Machine(sc_core::sc_module_name name, const MachineConfig& config, std::ostream& console);
    ~Machine() override;
    RunResult run();
    // The NIC and the link partner on its wire (null without a NIC), for the replay summary.
    const igb::IgbDevice* nic() const { return nic_.get(); }
    const net::LinkPartner* wire() const { return wire_.get(); }
    const net::PcapSource* capture() const { return capture_.get(); }
    // What each CPU executed between the start of the replay and the link going down: cycles not spent
    // in HLT (memory latencies included in timing mode) and instructions. Empty without a replay window.
    struct CpuWindow {
        u64 busy_cycles = 0;
        u64 instructions = 0;
    };
    const std::vector<CpuWindow>& replay_window() const { return replay_window_; }
    // Host seconds between the replay window's opening and closing (0 if it never closed).
    double replay_window_host_seconds() const { return replay_window_host_s_; }
    // Reports (sim/report): every CPU's interrupt entries and IRETs go to `observer`; each guest marker
    // also goes to `on_marker` with the simulated time in ns; after the run, each CPU's counters and the
    // caches' line statistics (null in the functional mode).
    void set_cpu_event_observer(CpuEventObserver* observer);
    void set_marker_observer(std::function<void(MarkerCommand, u32 payload, u64 sim_ns)> on_marker) {
        marker_observer_ = std::move(on_marker);
    }
    // Each frame the NIC writes back during a replay (its wire and write-back times, queue, descriptor).
    void set_packet_observer(PacketEventObserver* observer) {
        if (wire_) wire_->set_packet_observer(observer);
    }
    std::vector<cpu::CpuStats> cpu_stats() const;
    nlohmann::json line_stats_json() const;
    // With MachineConfig::sample_period_ns: `sample` is called with the simulated time in ns at the start
    // and every period after, as long as anything else is scheduled (a machine with nothing left to do
    // still stops). It must only read. Each CPU's store-buffer and invalidate-queue depth now (0 without
    // them, in the functional mode).
    void set_sampler(std::function<void(u64 sim_ns)> sample) { sampler_ = std::move(sample); }
    // Live progress (the command line's): called in the same thread, after `sample`. It must only read.
    void set_progress(std::function<void(u64 sim_ns)> progress) { progress_ = std::move(progress); }
    struct CpuQueueDepths {
        u32 store_buffer = 0;
        u32 invalidate_queue = 0;
    };
    std::vector<CpuQueueDepths> cpu_queue_depths() const;

    // For a debugger (sim/gdb): the models it reads, and a way to end the run from a CPU's thread.
    unsigned cpu_count() const { return unsigned(cpus_.size()); }
    cpu::Cpu& cpu(unsigned index) { return cpus_.at(index)->cpu(); }
    std::span<u8> ram() { return ram_->bytes(); }
    cache_mesi::MemorySystem* caches() { return caches_.get(); } // null in functional mode
    cpu::DecodeCache& decode_cache() { return decode_cache_; }
    apic::LocalApicDevice& lapic(unsigned index) { return *lapics_.at(index); }
    apic::IoApicDevice& ioapic() { return *ioapic_; }
    pic8259::PicDevice& pic() { return *pic_; }
    void end_run(int exit_status, const std::string& reason);

  private:
    void on_cpu_stop(cpu::CpuModule& cpu, const cpu::StopInfo& info);
    void on_guest_exit(u32 value);
    void on_guest_reset(const std::string& reason);
    void stop_all();
    void inject_internal_error(); // SMPSIM_INJECT_INTERNAL_ERROR (sim/core/error.h), a SystemC thread
    void on_mmio_fault(int initiator, u64 addr, u32 size, bool write);
    BusFaultLog mmio_faults_;

    MachineConfig config_;
    std::ostream& console_;
    // --vcd: taps on the interrupt lines (before the devices that drive them, which it outlives).
    std::unique_ptr<SignalTrace> trace_;
    InterruptLine* driver_ready_trace_ = nullptr;
    cpu::DecodeCache decode_cache_;
    std::unique_ptr<Ram> ram_;
    std::unique_ptr<Router> mem_router_;
    std::unique_ptr<Router> io_router_;
    std::unique_ptr<UartDevice> uart_;
    std::unique_ptr<ExitPortDevice> exit_port_;
    std::unique_ptr<ResetControlDevice> reset_control_;
    std::unique_ptr<pic8259::PicDevice> pic_;
    std::unique_ptr<PitDevice> pit_;
    std::unique_ptr<apic::IoApicDevice> ioapic_;
    apic::ApicBusRouter apic_bus_;
    std::vector<std::unique_ptr<apic::LocalApicDevice>> lapics_;
    // ISA interrupt lines go to the 8259A and to the I/O APIC pin the MP table names for them.
    IsaLine isa_irq_[16];
    std::vector<std::unique_ptr<cpu::CpuModule>> cpus_;
    std::unique_ptr<cache_mesi::MemorySystem> caches_;
    // PCI: the host bridge, the NIC and its wire, what bus masters reach, and the guest's marker port.
    void build_pci();
    std::unique_ptr<pci::PciHostDevice> pci_;
    std::unique_ptr<DmaRouter> dma_router_;
    std::unique_ptr<net::PcapSource> capture_;
    std::unique_ptr<net::PcapSink> tx_sink_;
    std::unique_ptr<igb::IgbDevice> nic_;
    std::unique_ptr<net::LinkPartner> wire_;
    std::unique_ptr<MarkerPortDevice> marker_;
    std::function<void(MarkerCommand, u32, u64)> marker_observer_;
    std::function<void(u64)> sampler_;
    std::function<void(u64)> progress_;
    void run_sampler(); // the thread behind set_sampler
    // PCI INTx# is active low; the I/O APIC pin sees the electrical level.
    struct ActiveLowLine {
        InterruptLine* pin = nullptr;
        void set(bool asserted) {
            if (pin) pin->set_level(!asserted);
        }
    };
    ActiveLowLine nic_intx_;
    std::vector<CpuWindow> replay_window_;
    std::chrono::steady_clock::time_point replay_window_opened_;
    double replay_window_host_s_ = 0;
    std::vector<CpuWindow> cpu_totals() const;
    std::vector<std::unique_ptr<cache_mesi::CpuPort>> cache_ports_;
    RunResult result_;
    bool stopped_ = false;
    InjectedError injected_error_ = InjectedError::None;
    std::string last_halt_message_;
};

} // namespace smpsim::platform
