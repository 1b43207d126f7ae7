// What a run records for its report while it runs: every CPU's interrupt entries and IRETs (through the
// CPU's event observer) and the guest's markers, as counts per CPU and vector, cycles in handlers, and
// the events of trace.json in the Chrome trace-event format (ui.perfetto.dev and chrome://tracing open
// it): one process "smpsim", one thread (track) per CPU, a complete event ("X") per external interrupt
// from its entry to its IRET, an instant event ("i") per guest marker (a NAPI poll's end with its frame
// count), and counter events ("C") for sampled depths (store buffers, invalidate queues, RX rings).
// docs/REPORTS.md describes it. Plain C++, no SystemC: the platform passes times in.
#pragma once
#include "sim/core/cpu_events.h"
#include "sim/core/types.h"
#include "sim/report/report.h"

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace smpsim::report {

class RunRecorder final : public CpuEventObserver {
  public:
    // `cpu_mhz` converts a CPU's cycles to trace time; `max_events` bounds trace.json (the counts go on).
    // Without `trace_events` only the counts, the handlers' cycles and the regions' lengths are kept:
    // no event is stored (--report without --trace).
    RunRecorder(u32 cpus, double cpu_mhz, std::size_t max_events = 500000, bool trace_events = true);
    bool tracing() const { return tracing_; }

    void interrupt_entry(u32 cpu, u8 vector, bool external, u64 cycle) override;
    void interrupt_return(u32 cpu, u64 cycle) override;
    // A guest marker (sim/platform's marker port) at simulated time `sim_ns`. `cpu` is the CPU the
    // marker names, or -1 (a track of its own).
    void marker(int cpu, const std::string& name, const std::string& args, u64 sim_ns);
    // Counter tracks ("C" events, e.g. a CPU's store-buffer depth sampled every few microseconds): a
    // counter is declared once (its track: `cpu`, or -1 for the markers' track), then sampled; only
    // changes become events.
    std::size_t add_counter(const std::string& name, int cpu);
    void sample(std::size_t counter, u64 value, u64 sim_ns);

    // Guest-marked regions: a begin/end pair on one CPU becomes a complete event ("X", category `cat`)
    // on that CPU's guest track ("cpuN guest"); an end without its begin is ignored, and so is a region
    // still open when the run ends.
    void region_begin(u32 cpu, const std::string& name, u64 sim_ns);
    // Returns the region's length in ns when it closed one.
    std::optional<u64> region_end(u32 cpu, const std::string& name, const char* cat, u64 sim_ns);
    // RCU grace periods (one at a time, guest-wide) on the "rcu" track.
    void rcu_gp_start(u64 gp, u64 sim_ns);
    void rcu_gp_end(u64 gp, u64 sim_ns);
    // Further tracks and events for packet flows: the guest track of a CPU, the NIC's track, a complete
    // event (`end_ns` == `begin_ns`: zero length) and a flow event ('s', 't' or 'f'; 't' and 'f' bind to
    // the enclosing slice).
    // Tracks: 0..N-1 the CPUs, N the guest markers, N+1..2N the CPUs' guest tracks, 2N+1 rcu, 2N+2 nic rx.
    int guest_track(u32 cpu) const { return int(open_.size() + (cpu < open_.size() ? 1 + cpu : 0)); }
    int rcu_track() const { return int(2 * open_.size() + 1); }
    int nic_track() const { return int(2 * open_.size() + 2); }
    void slice(int tid, const std::string& name, const char* cat, const std::string& args, u64 begin_ns,
               u64 end_ns);
    void flow(int tid, char phase, u64 id, u64 sim_ns);

    // External interrupts per CPU and vector (sorted), and per CPU the cycles spent in their handlers.
    std::vector<InterruptCount> interrupt_counts() const;
    u64 interrupt_cycles(u32 cpu) const;

    // trace.json's text, and the same as a JSON document (tests).
    std::string trace_text() const;
    nlohmann::json trace_json() const;
    std::size_t events() const { return events_.size(); }
    bool truncated() const { return dropped_ != 0; }

  private:
    struct Open {
        u8 vector = 0;
        bool external = false;
        u64 start = 0;
    };
    struct Event {
        int tid = 0;     // CPU number, or the number of CPUs for the markers' own track
        double ts = 0;   // microseconds
        double dur = -1; // < 0: instant (or a counter's value)
        bool counter = false;
        std::string name;
        std::string args;          // a JSON object's text, or empty
        const char* cat = nullptr; // null: from the kind (interrupt, marker, counter)
        char flow = 0;             // 's', 't', 'f': a flow event with `id`
        u64 id = 0;
    };
    void add(Event e);
    struct Counter {
        std::string name;
        int tid = 0;
        u64 last = 0;
        bool sampled = false;
    };
    std::vector<Counter> counters_;
    struct OpenRegion {
        std::string name;
        u64 start = 0;
    };
    std::vector<std::vector<OpenRegion>> regions_; // per CPU, innermost last
    bool gp_open_ = false;
    u64 gp_ = 0, gp_start_ = 0, gp_last_end_ = 0;
    std::size_t counter_events_ = 0;

    double cpu_mhz_;
    std::size_t max_events_;
    bool tracing_;
    std::vector<std::vector<Open>> open_; // per CPU, innermost last
    std::vector<std::vector<u64>> count_; // [cpu][vector]
    std::vector<std::vector<u64>> cycles_;
    std::vector<Event> events_;
    std::size_t dropped_ = 0;
};

} // namespace smpsim::report
