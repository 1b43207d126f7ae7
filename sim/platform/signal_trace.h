// `--vcd FILE`: interrupt lines, interrupt deliveries, MSI messages and the NIC's link as sc_signals,
// written by SystemC's own VCD writer (sc_create_vcd_trace_file) for GTKWave.
//
// The models drive their interrupt lines by plain C++ calls (sim/core/interrupt.h), not by signals. The
// platform, when asked for a VCD, puts a tap between a driver and its receiver: the tap forwards every
// call unchanged and mirrors what it carries into an sc_signal. Without --vcd there are no taps and no
// cost. Signals change at the SystemC time of the call: a CPU runs up to a quantum ahead of that time, so
// what a CPU does (an EOI, an acknowledged interrupt) is stamped with the start of its quantum. A line
// that rises and falls again within one time step leaves no trace in the VCD (SystemC samples once per
// time step): the counters (interrupts per CPU, MSI messages) show every event.
//
// SystemC writes the date of the run into the header; close() replaces it, so that one seed gives one
// file byte for byte (docs/REPORTS.md).
#pragma once
#include "sim/core/ethernet_port.h"
#include "sim/core/interrupt.h"
#include "sim/core/types.h"

#include <systemc>

#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace smpsim::platform {

class SignalTrace : public sc_core::sc_module {
  public:
    // Several processes write one signal (the NIC's and the wire's threads, CPUs), sometimes in one delta
    // cycle: the last write of the delta wins, in SystemC's deterministic process order.
    using BoolSignal = sc_core::sc_signal<bool, sc_core::SC_UNCHECKED_WRITERS>;
    using ByteSignal = sc_core::sc_signal<unsigned char, sc_core::SC_UNCHECKED_WRITERS>;
    using CountSignal = sc_core::sc_signal<unsigned int, sc_core::SC_UNCHECKED_WRITERS>;

    // Opens `path` for the VCD (InputError if it cannot be written). Must be built during elaboration.
    SignalTrace(sc_core::sc_module_name name, const std::string& path);
    ~SignalTrace() override;

    // A wire between a driver and `target` (may be null) whose level is traced as `trace_name` ("irq.isa0").
    InterruptLine& line(const std::string& trace_name, InterruptLine* target);
    // Between a local APIC and its CPU: INTR as `cpuN.intr`; each interrupt the CPU takes (its INTA
    // cycle) as `cpuN.interrupts` (a count) and `cpuN.vector` (the vector taken last).
    InterruptSink& cpu_sink(unsigned cpu, InterruptSink& target);
    InterruptSource& cpu_source(unsigned cpu, InterruptSource& target);
    // What to call with each MSI or MSI-X message (a write of `data` to `address`) of `device`:
    // `device.msi_messages` (a count), `device.msi_vector`, `device.msi_dest` (destination APIC ID).
    std::function<void(u64 address, u32 data)> msi_probe(const std::string& device);
    // Between a wire and the NIC: the link as `device.link_up`.
    EthernetNicPort& nic_port(const std::string& device, EthernetNicPort& nic);

    // After the run: closes the file and makes its header reproducible. Idempotent.
    void close();

  private:
    struct LineTap;
    struct SinkTap;
    struct SourceTap;
    struct NicTap;
    struct MsiSignals;
    template <class Signal> Signal& signal(std::deque<Signal>& store, const std::string& trace_name);

    std::string path_;         // the file the user named
    std::string systemc_path_; // what SystemC writes (it appends ".vcd" to the name it is given)
    sc_core::sc_trace_file* file_ = nullptr;
    // Deques: signals stay where they were built.
    std::deque<BoolSignal> bool_signals_;
    std::deque<ByteSignal> byte_signals_;
    std::deque<CountSignal> count_signals_;
    std::vector<std::unique_ptr<LineTap>> lines_;
    std::vector<std::unique_ptr<SinkTap>> sinks_;
    std::vector<std::unique_ptr<SourceTap>> sources_;
    std::vector<std::unique_ptr<NicTap>> nics_;
    std::vector<std::unique_ptr<MsiSignals>> msi_;
};

// Replaces the text between "$date" and its "$end" in the first bytes of a VCD file by a fixed text of
// the same length (spaces after it), in place. False if the file has no such header.
bool scrub_vcd_date(const std::string& path);

} // namespace smpsim::platform
