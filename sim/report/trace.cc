#include "sim/report/trace.h"

#include <fmt/format.h>

#include <algorithm>

namespace smpsim::report {

namespace {

// An open delivery deeper than this is a guest that never returns from its handlers (an exception
// loop): the oldest entries are forgotten rather than kept without bound.
constexpr std::size_t kMaxNesting = 64;

} // namespace

RunRecorder::RunRecorder(u32 cpus, double cpu_mhz, std::size_t max_events, bool trace_events)
    : cpu_mhz_(cpu_mhz > 0 ? cpu_mhz : 1), max_events_(max_events), tracing_(trace_events), open_(cpus),
      count_(cpus, std::vector<u64>(256)), cycles_(cpus, std::vector<u64>(256)) {
    regions_.resize(cpus);
}

void RunRecorder::add(Event e) {
    if (!tracing_) return;
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
    if (!tracing_) return;
    add({int(cpu), double(o.start) / cpu_mhz_, double(cycles) / cpu_mhz_, false,
         fmt::format("irq {:#04x}", o.vector),
         fmt::format("{{\"vector\":{},\"cycles\":{}}}", o.vector, cycles)});
}

void RunRecorder::marker(int cpu, const std::string& name, const std::string& args, u64 sim_ns) {
    if (!tracing_) return;
    add({cpu >= 0 && std::size_t(cpu) < open_.size() ? cpu : int(open_.size()), double(sim_ns) / 1000.0, -1,
         false, name, args});
}

void RunRecorder::region_begin(u32 cpu, const std::string& name, u64 sim_ns) {
    if (cpu >= regions_.size()) return;
    std::vector<OpenRegion>& stack = regions_[cpu];
    if (stack.size() >= kMaxNesting) stack.erase(stack.begin());
    stack.push_back({name, sim_ns});
}

std::optional<u64> RunRecorder::region_end(u32 cpu, const std::string& name, const char* cat, u64 sim_ns) {
    if (cpu >= regions_.size()) return std::nullopt;
    std::vector<OpenRegion>& stack = regions_[cpu];
    // The innermost open region of that name; regions opened inside it and never closed are dropped.
    auto it = std::find_if(stack.rbegin(), stack.rend(), [&](const OpenRegion& r) { return r.name == name; });
    if (it == stack.rend()) return std::nullopt;
    const u64 start = it->start, end = std::max(sim_ns, start);
    stack.erase(std::prev(it.base()), stack.end());
    slice(guest_track(cpu), name, cat, "", start, end);
    return end - start;
}

void RunRecorder::rcu_gp_start(u64 gp, u64 sim_ns) {
    gp_open_ = true;
    gp_ = gp;
    // Markers come from different CPUs, whose local times differ by up to a quantum: grace periods
    // never overlap on the track.
    gp_start_ = std::max(sim_ns, gp_last_end_);
}

void RunRecorder::rcu_gp_end(u64 gp, u64 sim_ns) {
    if (!gp_open_ || gp != gp_) return;
    gp_open_ = false;
    gp_last_end_ = std::max(sim_ns, gp_start_);
    slice(rcu_track(), fmt::format("rcu gp {}", gp), "rcu", fmt::format("{{\"gp\":{}}}", gp), gp_start_,
          gp_last_end_);
}

void RunRecorder::slice(int tid, const std::string& name, const char* cat, const std::string& args,
                        u64 begin_ns, u64 end_ns) {
    if (!tracing_) return;
    Event e{tid, double(begin_ns) / 1000.0, double(end_ns - std::min(begin_ns, end_ns)) / 1000.0, false, name,
            args};
    e.cat = cat;
    add(std::move(e));
}

void RunRecorder::flow(int tid, char phase, u64 id, u64 sim_ns) {
    if (!tracing_) return;
    Event e{tid, double(sim_ns) / 1000.0, -1, false, "packet", ""};
    e.cat = "packet";
    e.flow = phase;
    e.id = id;
    add(std::move(e));
}

std::size_t RunRecorder::add_counter(const std::string& name, int cpu) {
    counters_.push_back(
        {name, cpu >= 0 && std::size_t(cpu) < open_.size() ? cpu : int(open_.size()), 0, false});
    return counters_.size() - 1;
}

void RunRecorder::sample(std::size_t counter, u64 value, u64 sim_ns) {
    if (!tracing_ || counter >= counters_.size()) return;
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

namespace {

// A JSON string literal (names are smpsim's own, but quotes and control characters stay safe).
std::string quoted(const std::string& text) {
    std::string out = "\"";
    for (char c : text) {
        if (c == '"' || c == '\\')
            out += fmt::format("\\{}", c);
        else if (u8(c) < 0x20)
            out += fmt::format("\\u{:04x}", unsigned(u8(c)));
        else
            out += c;
    }
    return out + "\"";
}

} // namespace

std::string RunRecorder::trace_text() const {
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
    // Written directly rather than through a JSON document: a long run has millions of events. One event
    // per line.
    std::string out = "{\"traceEvents\":[\n";
    auto metadata = [&out](const char* name, u64 tid, const std::string& args) {
        out += fmt::format("{{\"ph\":\"M\",\"name\":\"{}\",\"pid\":0,\"tid\":{},\"ts\":0,\"args\":{}}},\n",
                           name, tid, args);
    };
    metadata("process_name", 0, "{\"name\":\"smpsim\"}");
    for (u32 cpu = 0; cpu < open_.size(); ++cpu) {
        metadata("thread_name", cpu, fmt::format("{{\"name\":\"cpu{}\"}}", cpu));
        metadata("thread_sort_index", cpu, fmt::format("{{\"sort_index\":{}}}", cpu));
    }
    metadata("thread_name", open_.size(), "{\"name\":\"guest markers\"}");
    for (u32 cpu = 0; cpu < open_.size(); ++cpu)
        metadata("thread_name", u64(guest_track(cpu)), fmt::format("{{\"name\":\"cpu{} guest\"}}", cpu));
    metadata("thread_name", u64(rcu_track()), "{\"name\":\"rcu\"}");
    out += fmt::format("{{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":0,\"tid\":{},\"ts\":0,"
                       "\"args\":{{\"name\":\"nic rx\"}}}}",
                       nic_track());
    for (const Event* e : sorted) {
        const char* cat = e->cat ? e->cat : e->counter ? "counter" : e->dur >= 0 ? "interrupt" : "marker";
        const std::string ph(1, e->flow ? e->flow : e->counter ? 'C' : e->dur >= 0 ? 'X' : 'i');
        out += fmt::format(",\n{{\"name\":{},\"cat\":\"{}\",\"ph\":\"{}\",\"pid\":0,\"tid\":{},\"ts\":{}",
                           quoted(e->name), cat, ph, e->tid, e->ts);
        if (e->flow) {
            out += fmt::format(",\"id\":{}", e->id);
            if (e->flow != 's') out += ",\"bp\":\"e\"";
        } else if (e->dur >= 0) {
            out += fmt::format(",\"dur\":{}", e->dur);
        } else if (!e->counter) {
            out += ",\"s\":\"t\"";
        }
        if (!e->args.empty()) out += fmt::format(",\"args\":{}", e->args);
        out += "}";
    }
    out +=
        fmt::format("\n],\n\"displayTimeUnit\":\"ns\",\n\"otherData\":{{\"generator\":\"smpsim\",\"schema\":"
                    "\"smpsim-trace/1\",\"clock\":\"simulated microseconds (a CPU's cycles over its clock "
                    "for interrupts)\",\"events_dropped\":{}}}}}\n",
                    dropped_);
    return out;
}

nlohmann::json RunRecorder::trace_json() const {
    return nlohmann::json::parse(trace_text());
}

} // namespace smpsim::report
