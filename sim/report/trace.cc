#include "sim/report/trace.h"

#include <fmt/format.h>

#include <algorithm>

namespace smpsim::report {

namespace {

// An open delivery deeper than this is a guest that never returns from its handlers (an exception
// loop): the oldest entries are forgotten rather than kept without bound.
constexpr std::size_t kMaxNesting = 64;

} // namespace

RunRecorder::RunRecorder(u32 cpus, double cpu_mhz, std::size_t max_events)
    : cpu_mhz_(cpu_mhz > 0 ? cpu_mhz : 1), max_events_(max_events), open_(cpus),
      count_(cpus, std::vector<u64>(256)), cycles_(cpus, std::vector<u64>(256)) {}

void RunRecorder::add(Event e) {
    if (events_.size() >= max_events_) {
        ++dropped_;
        return;
    }
    events_.push_back(std::move(e));
}

void RunRecorder::interrupt_entry(u32 cpu, u8 vector, bool external, u64 cycle) {
    if (cpu >= open_.size()) return;
    std::vector<Open>& stack = open_[cpu];
    if (stack.size() >= kMaxNesting) stack.erase(stack.begin());
    stack.push_back({vector, external, cycle});
    if (external) ++count_[cpu][vector];
}

void RunRecorder::interrupt_return(u32 cpu, u64 cycle) {
    if (cpu >= open_.size() || open_[cpu].empty()) return; // an IRET without a recorded entry
    const Open o = open_[cpu].back();
    open_[cpu].pop_back();
    if (!o.external) return;
    const u64 cycles = cycle >= o.start ? cycle - o.start : 0;
    cycles_[cpu][o.vector] += cycles;
    add({int(cpu), double(o.start) / cpu_mhz_, double(cycles) / cpu_mhz_, false,
         fmt::format("irq {:#04x}", o.vector),
         fmt::format("{{\"vector\":{},\"cycles\":{}}}", o.vector, cycles)});
}

void RunRecorder::marker(int cpu, const std::string& name, const std::string& args, u64 sim_ns) {
    add({cpu >= 0 && std::size_t(cpu) < open_.size() ? cpu : int(open_.size()), double(sim_ns) / 1000.0, -1,
         false, name, args});
}

std::size_t RunRecorder::add_counter(const std::string& name, int cpu) {
    counters_.push_back(
        {name, cpu >= 0 && std::size_t(cpu) < open_.size() ? cpu : int(open_.size()), 0, false});
    return counters_.size() - 1;
}

void RunRecorder::sample(std::size_t counter, u64 value, u64 sim_ns) {
    if (counter >= counters_.size()) return;
    Counter& c = counters_[counter];
    if (c.sampled && c.last == value) return;
    c.sampled = true;
    c.last = value;
    // Counters have a budget of their own, so that sampling never crowds out the interrupts.
    if (counter_events_ >= max_events_) {
        ++dropped_;
        return;
    }
    ++counter_events_;
    events_.push_back(
        {c.tid, double(sim_ns) / 1000.0, -1, true, c.name, fmt::format("{{\"value\":{}}}", value)});
}

std::vector<InterruptCount> RunRecorder::interrupt_counts() const {
    std::vector<InterruptCount> out;
    for (u32 cpu = 0; cpu < count_.size(); ++cpu)
        for (u32 v = 0; v < 256; ++v)
            if (count_[cpu][v]) out.push_back({cpu, v, count_[cpu][v], cycles_[cpu][v]});
    return out;
}

u64 RunRecorder::interrupt_cycles(u32 cpu) const {
    u64 total = 0;
    if (cpu < cycles_.size())
        for (u64 c : cycles_[cpu])
            total += c;
    return total;
}

nlohmann::json RunRecorder::trace_json() const {
    // Per track in time order (an outer handler before the inner one it contains), so that every
    // track's timestamps never go back.
    std::vector<const Event*> sorted;
    sorted.reserve(events_.size());
    for (const Event& e : events_)
        sorted.push_back(&e);
    std::stable_sort(sorted.begin(), sorted.end(), [](const Event* a, const Event* b) {
        if (a->tid != b->tid) return a->tid < b->tid;
        if (a->ts != b->ts) return a->ts < b->ts;
        return a->dur > b->dur;
    });
    const int marker_tid = int(open_.size());
    nlohmann::json events = nlohmann::json::array();
    events.push_back({{"ph", "M"},
                      {"name", "process_name"},
                      {"pid", 0},
                      {"tid", 0},
                      {"ts", 0},
                      {"args", {{"name", "smpsim"}}}});
    for (u32 cpu = 0; cpu < open_.size(); ++cpu) {
        events.push_back({{"ph", "M"},
                          {"name", "thread_name"},
                          {"pid", 0},
                          {"tid", cpu},
                          {"ts", 0},
                          {"args", {{"name", fmt::format("cpu{}", cpu)}}}});
        events.push_back({{"ph", "M"},
                          {"name", "thread_sort_index"},
                          {"pid", 0},
                          {"tid", cpu},
                          {"ts", 0},
                          {"args", {{"sort_index", cpu}}}});
    }
    events.push_back({{"ph", "M"},
                      {"name", "thread_name"},
                      {"pid", 0},
                      {"tid", marker_tid},
                      {"ts", 0},
                      {"args", {{"name", "guest markers"}}}});
    for (const Event* e : sorted) {
        nlohmann::json j;
        j["name"] = e->name;
        j["cat"] = e->counter ? "counter" : e->dur >= 0 ? "interrupt" : "marker";
        j["ph"] = e->counter ? "C" : e->dur >= 0 ? "X" : "i";
        j["pid"] = 0;
        j["tid"] = e->tid;
        j["ts"] = e->ts;
        if (e->dur >= 0)
            j["dur"] = e->dur;
        else if (!e->counter)
            j["s"] = "t";
        if (!e->args.empty()) j["args"] = nlohmann::json::parse(e->args);
        events.push_back(std::move(j));
    }
    nlohmann::json doc;
    doc["traceEvents"] = std::move(events);
    doc["displayTimeUnit"] = "ns";
    doc["otherData"] = {{"generator", "smpsim"},
                        {"schema", "smpsim-trace/1"},
                        {"clock", "simulated microseconds (a CPU's cycles over its clock for interrupts)"},
                        {"events_dropped", dropped_}};
    return doc;
}

} // namespace smpsim::report
