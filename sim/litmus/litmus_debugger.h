// `smpsim litmus --gdb`: the GDB stub (sim/gdb) on the litmus runners' CPUs. Threads are CPUs and CPU n
// runs litmus thread Pn; one stub spans every test of the command, so GDB sees the threads of each test
// in turn, and the CPUs of an x86 test start over from their reset state at every run (iteration).
// There are no interrupt controllers and no simulated time; `monitor litmus` says which test, which run
// of how many, its scheduler and the states seen so far. docs/DEBUGGING.md has a session.
#pragma once
#include "sim/gdb/debugged_machine.h"
#include "sim/gdb/machine_debugger.h"
#include "sim/litmus/run_monitor.h"

#include <iosfwd>
#include <string>

namespace smpsim::litmus {

class LitmusDebugger final : public RunMonitor, public gdb::DebuggedMachine {
  public:
    // Listens at once (InputError when it cannot); with options.wait the first run of the first test
    // waits for a debugger before its first instruction. Says where, and each test's code, on `log`.
    LitmusDebugger(const gdb::GdbOptions& options, std::ostream& log);
    u16 port() const { return debugger_.port(); }
    // After the command: a debugger waiting for a stop hears that it exited with `exit_status`.
    void run_ended(int exit_status) { debugger_.run_ended(exit_status); }

    // RunMonitor
    void test_started(const LitmusMachine& machine) override;
    void test_ended() override;
    void run_started() override;
    bool run_ended_by_debugger() const override { return ended_; }
    std::string end_reason() const override { return end_reason_; }

    // gdb::DebuggedMachine
    unsigned cpu_count() const override { return unsigned(machine_.cpus.size()); }
    cpu::Cpu& cpu(unsigned index) override { return *machine_.cpus.at(index); }
    std::string thread_label(unsigned index) const override;
    std::span<u8> ram() override { return machine_.ram; }
    cache_mesi::MemorySystem* caches() override { return machine_.memory; }
    cpu::DecodeCache& decode_cache() override { return *machine_.decode_cache; }
    u64 memory_clock(unsigned index) override { return machine_.clocks[index]; }
    std::string time_line() override;
    std::string description() const override { return "a litmus run"; }
    std::optional<std::string> litmus_status() override;
    void end_run(const std::string& reason) override;

  private:
    std::ostream& log_;
    LitmusMachine machine_; // the running test's; no CPUs between tests
    bool ended_ = false;
    std::string end_reason_;
    gdb::MachineDebugger debugger_; // last: it asks the members above for the CPUs as it starts
};

} // namespace smpsim::litmus
