#include "sim/litmus/runner.h"

#include "sim/cache_mesi/memory_system.h"
#include "sim/cache_mesi/ports.h"
#include "sim/core/error.h"
#include "sim/cpu/cpu.h"
#include "sim/cpu/decode_cache.h"
#include "sim/litmus/run_monitor.h"
#include "sim/litmus/scheduler.h"
#include "sim/litmus/test_hash.h"

#include <fmt/format.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <random>

namespace smpsim::litmus {

namespace {

constexpr u64 kRamBytes = 4u << 20;
constexpr u64 kCodeBase = 0x10000; // thread t's code at kCodeBase + t * kCodeStride
constexpr u64 kCodeStride = 0x1000;
constexpr u64 kDataBase = 0x100000; // variables, one cache line each
constexpr u8 kHlt = 0xf4;

// Litmus threads do no port I/O; anything they try reads as all ones.
class NoPorts final : public IoPortSpace {
  public:
    u32 in(u16, u32 size) override { return size >= 4 ? 0xffffffffu : (1u << (8 * size)) - 1; }
    void out(u16, u32, u32) override {}
};

// One machine for all iterations of a test: caches, CPUs and their per-CPU clocks (steps).
struct Machine {
    std::vector<u8> ram;
    std::unique_ptr<cache_mesi::MemorySystem> memory;
    std::vector<u64> clocks;
    std::vector<std::unique_ptr<cache_mesi::CpuPort>> ports;
    cpu::DecodeCache decode_cache;
    NoPorts io;
    std::vector<std::unique_ptr<cpu::Cpu>> cpus;

    Machine(unsigned threads, const RunOptions& options) : ram(kRamBytes), clocks(threads, 0) {
        cache_mesi::CacheConfig config;
        config.cpus = threads;
        config.model = options.model;
        config.invalidate_queue_delay = u32(options.invalidate_queue_delay);
        // Latencies do not decide anything here (the scheduler interleaves by steps), and an LLC would
        // only cost a large clear per iteration.
        config.llc_enabled = false;
        // A small L1 (64 lines) holds every line a litmus test touches and is quick to empty each run.
        config.l1_sets = 16;
        config.l1_ways = 4;
        memory = std::make_unique<cache_mesi::MemorySystem>(config, ram);
        for (unsigned t = 0; t < threads; ++t) {
            ports.push_back(std::make_unique<cache_mesi::CpuPort>(*memory, t, &clocks[t]));
            cpus.push_back(std::make_unique<cpu::Cpu>(*ports.back(), io, decode_cache,
                                                      litmus_cpu_config(t, options.model)));
        }
    }
};

const char* exception_description(int vector) {
    switch (vector) {
    case 0: return "#DE divide error";
    case 1: return "#DB debug exception";
    case 2: return "NMI";
    case 3: return "#BP breakpoint";
    case 4: return "#OF overflow";
    case 5: return "#BR bound range exceeded";
    case 6: return "#UD invalid opcode";
    case 7: return "#NM device not available";
    case 8: return "#DF double fault";
    case 10: return "#TS invalid TSS";
    case 11: return "#NP segment not present";
    case 12: return "#SS stack-segment fault";
    case 13: return "#GP general protection";
    case 14: return "#PF page fault";
    case 16: return "#MF x87 floating-point error";
    case 17: return "#AC alignment check";
    case 18: return "#MC machine check";
    case 19: return "#XM SIMD floating-point exception";
    default: return vector < 32 ? "reserved exception" : "interrupt";
    }
}

// One line for a thread that raised an exception: litmus threads run without an IDT, so the CPU ends in a
// triple fault, but what the test's author needs is the first exception and the instruction behind it.
std::string fault_message(const LitmusTest& test, const AssembledThread& th, const cpu::StopInfo& stop,
                          u64 run) {
    const std::string what =
        stop.first_vector >= 0 ? exception_description(stop.first_vector) : std::string("a triple fault");
    std::optional<size_t> index;
    if (stop.first_rip >= th.code_address && stop.first_rip - th.code_address < th.code.size())
        index = th.index_at(u32(stop.first_rip - th.code_address));
    if (index) {
        const AssembledInsn& insn = th.insns.at(*index);
        return fmt::format("{}:{}: test {}: P{} raised {} at '{}' (run {})", test.file, insn.line, test.name,
                           th.id, what, insn.text, run + 1);
    }
    return fmt::format("{}: test {}: P{} raised {} at RIP {:#x}, outside its code (run {})", test.file,
                       test.name, th.id, what, stop.first_rip, run + 1);
}

// `monitor litmus` for an x86 test: where the runs are, each thread's code with its addresses, the
// variables' addresses and the states seen so far.
struct X86Status {
    const LitmusTest& test;
    const AssembledTest& code;
    const RunOptions& options;
    const RunScheduler& scheduler;
    const RunResult& result;
    const u64& running; // bit t: thread t has not halted yet
    const std::vector<unsigned>& skew;
    const u64& run;
    const u64& steps;

    std::string operator()() const {
        std::string s = fmt::format("test {} ({}), x86, model {}, seed {}\n", test.name, test.file,
                                    cache_mesi::to_string(options.model), options.seed);
        const auto strategy = [&]() -> std::string {
            switch (scheduler.strategy()) {
            case RunScheduler::Strategy::Pct: return fmt::format("PCT (depth {})", scheduler.depth());
            case RunScheduler::Strategy::Mutation:
                return fmt::format("a mutation of one of the {} schedules that found a new state",
                                   scheduler.kept_schedules());
            case RunScheduler::Strategy::RandomWalk: break;
            }
            return "a random walk";
        };
        s += fmt::format("run {} of {}, step {} of it; scheduled by {}\n", run + 1, options.runs, steps,
                         strategy());
        for (unsigned t = 0; t < code.threads.size(); ++t) {
            const AssembledThread& th = code.threads[t];
            const std::string state = !(running >> t & 1) ? "finished (halted)"
                                      : skew[t] > 0       ? fmt::format("starts in {} steps", skew[t])
                                                          : "running";
            s += fmt::format("P{} (CPU {}, GDB thread {}): {}; code at {:#x}:\n", th.id, t, t + 1, state,
                             th.code_address);
            for (const AssembledInsn& insn : th.insns) {
                if (!insn.label.empty()) s += fmt::format("  {}:\n", insn.label);
                if (insn.length)
                    s += fmt::format("  {:#x}  {:<24} line {}\n", th.code_address + insn.offset, insn.text,
                                     insn.line);
            }
            s += fmt::format("  {:#x}  HLT (the thread's end)\n", th.code_address + th.code.size());
        }
        s += "variables:";
        for (const auto& [name, address] : code.layout)
            s += fmt::format(" {} {:#x}", name, address);
        s += fmt::format("\ncondition: {}\n", test.condition_str());
        return s + states_so_far(
                       result,
                       [this](const std::vector<u64>& v) {
                           return test.format_state(FinalState{v, nullptr});
                       },
                       [this](const std::vector<u64>& v) {
                           return test.satisfies(FinalState{v, nullptr});
                       });
    }
};

} // namespace

cpu::CpuConfig litmus_cpu_config(unsigned thread, MemoryModel model) {
    cpu::CpuConfig cc;
    cc.apic_id = thread;
    cc.bootstrap = true;
    cc.store_buffer = true;
    cc.memory_model = model;
    cc.auto_commit = false;          // the scheduler decides when stores reach the cache
    cc.report_unimplemented = false; // a #UD is reported as the test's fault, in one line
    return cc;
}

RunResult run_litmus(const LitmusTest& test, const RunOptions& options) {
    const unsigned threads = unsigned(test.threads.size());
    if (threads == 0) throw InputError(fmt::format("{}: no threads", test.file));
    if (threads > 64) throw InputError(fmt::format("{}: more than 64 threads", test.file));

    const Layout layout = default_layout(test, kDataBase, 64);
    AssembleOptions aopt;
    for (unsigned t = 0; t < threads; ++t)
        aopt.code_address.push_back(kCodeBase + t * kCodeStride);
    const AssembledTest code = assemble(test, layout, aopt);
    for (const AssembledThread& th : code.threads)
        if (th.code.size() + 1 > kCodeStride)
            throw InputError(fmt::format("{}: P{} is too long", test.file, th.id));
    for (const MemoryInit& m : code.memory)
        if (m.address + m.size > kRamBytes) throw InputError(fmt::format("{}: too much data", test.file));

    Machine machine(threads, options);
    cache_mesi::MemorySystem& memory = *machine.memory;
    // The code, each thread followed by HLT: a thread is done when it halts.
    for (unsigned t = 0; t < threads; ++t) {
        std::vector<u8> bytes = code.threads[t].code;
        bytes.push_back(kHlt);
        memory.poke(aopt.code_address[t], bytes.data(), u32(bytes.size()));
    }
    // The distinct cache lines of the test's data, for randomising their initial states.
    std::vector<u64> lines;
    for (const MemoryInit& m : code.memory)
        if (lines.empty() || lines.back() != (m.address & ~63ull)) lines.push_back(m.address & ~63ull);

    SplitMix64 rng(options.seed);
    RunResult result;
    const auto start = std::chrono::steady_clock::now();
    std::vector<unsigned> skew(threads);
    const u64 all_threads = threads == 64 ? ~u64{0} : (u64{1} << threads) - 1; // at most 64 (above)
    u64 running = all_threads;
    // PCT's change points fall among the instructions the threads execute (loops aside).
    u64 expected_steps = 0;
    for (const AssembledThread& th : code.threads)
        expected_steps += th.insns.size() + 1;
    const SchedulerOptions sched_options{options.max_start_skew, options.commit_percent, options.pct_percent,
                                         options.pct_max_depth, options.mutation_percent};
    RunScheduler scheduler(threads, expected_steps, sched_options, rng);
    u64 run = 0, steps = 0;
    LitmusMachine view{test.name,
                       test.file,
                       {},
                       machine.ram,
                       &memory,
                       &machine.decode_cache,
                       machine.clocks,
                       aopt.code_address,
                       {},
                       X86Status{test, code, options, scheduler, result, running, skew, run, steps}};
    for (const auto& c : machine.cpus)
        view.cpus.push_back(c.get());
    const MonitoredTest monitored(options.monitor, view);
    for (; run < options.runs; ++run) {
        // Fresh memory state: caches emptied, initial values written, then a random mix of cold,
        // shared and exclusive copies of each location.
        memory.flush_all();
        for (const MemoryInit& m : code.memory)
            memory.poke(m.address, &m.value, m.size);
        for (u64 line : lines)
            for (unsigned t = 0; t < threads; ++t) {
                const u64 r = rng.below(3);
                if (r != 0) memory.prefetch(t, line, r == 2, machine.clocks[t]);
            }
        for (unsigned t = 0; t < threads; ++t) {
            cpu::Cpu& c = *machine.cpus[t];
            c.reset();
            c.enter_flat_mode(64);
            for (unsigned r = 0; r < 16; ++r)
                c.set_gpr(r, 0);
            for (const auto& [gpr, value] : code.threads[t].init_regs)
                c.set_gpr(gpr, value);
            c.set_rip(aopt.code_address[t]);
        }
        // Interleave one instruction at a time, in a seeded order drawn by this run's scheduler (random
        // walk or PCT), with store buffers draining at rates it draws too.
        scheduler.start_run();
        for (unsigned t = 0; t < threads; ++t)
            skew[t] = scheduler.start_skew(t);
        steps = 0;
        if (options.monitor) options.monitor->run_started();
        running = all_threads;
        const auto step = [&](unsigned t) {
            if (++steps > options.max_steps_per_run)
                throw InputError(fmt::format("{}: a run did not finish within {} steps", test.file,
                                             options.max_steps_per_run));
            cpu::Cpu& c = *machine.cpus[t];
            ++machine.clocks[t];
            memory.tick(t, machine.clocks[t]);
            if (skew[t] > 0) {
                --skew[t];
                return;
            }
            scheduler.record_step(t);
            const cpu::StopInfo& stop = c.run(1);
            monitored.check();
            if (stop.reason == cpu::StopReason::HaltedForever) {
                running &= ~(u64{1} << t);
            } else if (stop.reason == cpu::StopReason::TripleFault) {
                throw InputError(fault_message(test, code.threads[t], stop, run));
            }
        };
        const auto commit = [&](unsigned t) {
            scheduler.record_commit(t);
            machine.cpus[t]->commit_store();
        };
        // A mutated schedule first: its actions that can still happen, in its order.
        for (const u8 action : scheduler.plan()) {
            if (running == 0) break;
            const unsigned t = action & ~RunScheduler::commit_action;
            if (action & RunScheduler::commit_action) {
                if (machine.cpus[t]->store_buffer_size()) commit(t);
            } else if (running >> t & 1) {
                step(t);
            }
        }
        while (running != 0) {
            step(scheduler.pick(running));
            // Store buffers drain at their own pace.
            for (unsigned u = 0; u < threads; ++u)
                if (machine.cpus[u]->store_buffer_size() && scheduler.commits(u)) commit(u);
        }
        // The final state is read once every store has reached memory (commits the schedule records
        // too, so that a mutation can move them earlier).
        for (unsigned t = 0; t < threads; ++t)
            while (machine.cpus[t]->store_buffer_size())
                commit(t);
        const FinalState state = code.read_state(
            [&](int thread, unsigned gpr) { return machine.cpus[unsigned(thread)]->gpr(gpr); },
            [&](u64 address, unsigned size) {
                u64 v = 0;
                memory.peek(address, &v, size);
                return v;
            });
        if (test.filter && !test.filter->eval(state)) continue;
        const auto [entry, new_state] = result.histogram.try_emplace(state.values, 0);
        ++entry->second;
        if (new_state) scheduler.keep_schedule();
        if (test.satisfies(state))
            ++result.positive;
        else
            ++result.negative;
    }
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    for (unsigned t = 0; t < threads; ++t) {
        result.instructions += machine.cpus[t]->stats().instructions;
        result.store_forwards += machine.cpus[t]->stats().store_buffer_forwards;
        result.stale_hits += memory.stats().cpu_total(t).stale_hits;
        result.reordered_commits += machine.cpus[t]->stats().store_buffer_reordered;
    }
    if (options.line_stats) result.line_stats = memory.stats_json();
    return result;
}

std::string states_so_far(const RunResult& result,
                          const std::function<std::string(const std::vector<u64>&)>& format,
                          const std::function<bool(const std::vector<u64>&)>& witness) {
    std::string s = fmt::format("states so far ({}):\n", result.histogram.size());
    for (const auto& [values, count] : result.histogram)
        s += fmt::format("  {:<8}{}>{}\n", count, witness(values) ? '*' : ':', format(values));
    s += fmt::format("condition's proposition: {} runs true, {} false\n", result.positive, result.negative);
    return s;
}

bool validated(Quantifier quantifier, const RunResult& r) {
    switch (quantifier) {
    case Quantifier::Exists: return r.positive > 0;
    case Quantifier::NotExists: return r.positive == 0;
    case Quantifier::Forall: return r.negative == 0;
    }
    return false;
}

bool validated(const LitmusTest& test, const RunResult& r) {
    return validated(test.quantifier, r);
}

const char* observation(const RunResult& r) {
    if (r.positive == 0) return "Never";
    if (r.negative == 0) return "Always";
    return "Sometimes";
}

const char* litmus7_kind(Quantifier q) {
    switch (q) {
    case Quantifier::Exists: return "Allowed";
    case Quantifier::NotExists: return "Forbidden";
    case Quantifier::Forall: return "Required";
    }
    return "Allowed";
}

std::string litmus7_log(const LitmusTest& test, const RunResult& r) {
    std::string out;
    out += fmt::format("Test {} {}\n", test.name, litmus7_kind(test.quantifier));
    out += fmt::format("Histogram ({} states)\n", r.histogram.size());
    for (const auto& [values, count] : r.histogram) {
        FinalState s;
        s.values = values;
        const bool witness = test.satisfies(s);
        out += fmt::format("{:<8}{}>{}\n", count, witness ? '*' : ':', test.format_state(s));
    }
    out += validated(test, r) ? "Ok\n" : "No\n";
    // Witnesses count the runs for the condition as quantified: for ~exists, a positive run is one whose
    // state does not satisfy the proposition (litmus7 and herd7 alike).
    const bool negated = test.quantifier == Quantifier::NotExists;
    out += fmt::format("\nWitnesses\nPositive: {}, Negative: {}\n", negated ? r.negative : r.positive,
                       negated ? r.positive : r.negative);
    out +=
        fmt::format("Condition {} is {}validated\n", test.condition_str(), validated(test, r) ? "" : "NOT ");
    // As litmus7: the test's hash among its metadata lines, after the condition (herd7 prints it last).
    out += fmt::format("Hash={}\n", herd_hash(test));
    out += fmt::format("Observation {} {} {} {}\n", test.name, observation(r), r.positive, r.negative);
    out += fmt::format("Time {} {:.2f}\n\n", test.name, r.seconds);
    return out;
}

} // namespace smpsim::litmus
