// A debugger's window onto the litmus runners (`smpsim litmus --gdb`, litmus_debugger.h): each runner
// shows it the CPUs and memory of the test it runs, tells it when a new run starts from reset, and asks
// it after every step whether to go on. Every call comes from the runner's thread between two steps, and
// nothing here draws from the scheduler's random numbers: a run with a monitor that changes no state
// gives the results of the run without one.
#pragma once
#include "sim/core/types.h"

#include <functional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace smpsim::cpu {
class Cpu;
class DecodeCache;
} // namespace smpsim::cpu
namespace smpsim::cache_mesi {
class MemorySystem;
}

namespace smpsim::litmus {

// One test's machine as its runner built it; valid from RunMonitor::test_started() to test_ended().
struct LitmusMachine {
    std::string test; // the test's name
    std::string file;
    std::vector<cpu::Cpu*> cpus; // CPU t runs thread Pt
    std::span<u8> ram;
    cache_mesi::MemorySystem* memory = nullptr;
    cpu::DecodeCache* decode_cache = nullptr;
    std::span<const u64> clocks; // the clock of each CPU's cache port (steps)
    // Where each thread's code is: x86 tests, the assembled code; C tests, the compiled image (an ELF with
    // symbols and line numbers, for GDB's `file`).
    std::vector<u64> code_addresses; // x86 tests
    std::string image;               // C tests
    // What `monitor litmus` prints now: which run of how many, its scheduler, the states seen so far.
    std::function<std::string()> status;
};

class RunMonitor {
  public:
    virtual ~RunMonitor() = default;
    // Before the test's first run, and after its last (also when the test ends in an error).
    virtual void test_started(const LitmusMachine& machine) = 0;
    virtual void test_ended() = 0;
    // x86 tests: every CPU was reset to the start of the next run (C tests run every iteration in the
    // guest, without resets).
    virtual void run_started() = 0;
    // True once the debugger ended the command (GDB's kill): the runner then throws DebuggerEndedRun.
    virtual bool run_ended_by_debugger() const = 0;
    virtual std::string end_reason() const = 0;
};

// Thrown by the runners when the monitor says the debugger ended the command (exit status 14).
class DebuggerEndedRun : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// Calls test_started() on construction and test_ended() on destruction (an error included).
class MonitoredTest {
  public:
    MonitoredTest(RunMonitor* monitor, const LitmusMachine& machine) : monitor_(monitor) {
        if (monitor_) monitor_->test_started(machine);
    }
    ~MonitoredTest() {
        if (monitor_) monitor_->test_ended();
    }
    MonitoredTest(const MonitoredTest&) = delete;
    MonitoredTest& operator=(const MonitoredTest&) = delete;
    // After each step: throws DebuggerEndedRun when the debugger ended the command.
    void check() const {
        if (monitor_ && monitor_->run_ended_by_debugger()) throw DebuggerEndedRun(monitor_->end_reason());
    }

  private:
    RunMonitor* monitor_;
};

} // namespace smpsim::litmus
