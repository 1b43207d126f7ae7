// The GDB stub for a whole machine: the CPUs' debug hooks, the all-stop pause loop, and the Target the
// protocol works on (registers, memory through the current CPU's page tables, stop points, monitor
// commands). It runs on the simulation thread; the network side (server.h) runs on its own. The machine
// is a DebuggedMachine (debugged_machine.h): a platform::Machine, or the CPUs of the litmus runners.
//
// All-stop: a stop on one CPU pauses the whole simulation, because the hook blocks the SystemC thread
// that runs that CPU, and with it the SystemC kernel: every other CPU is suspended between two of its
// run() slices, at an instruction boundary. Nothing the debugger does changes simulated time, so a run
// with a debugger attached (that changes no guest state) is the run without one.
#pragma once
#include "sim/cpu/cpu.h"
#include "sim/gdb/debugged_machine.h"
#include "sim/gdb/protocol.h"
#include "sim/gdb/server.h"

#include <iosfwd>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace smpsim::platform {
class Machine;
}

namespace smpsim::gdb {

struct GdbOptions {
    std::string host = "127.0.0.1";
    u16 port = 0;      // 0: any free port (printed on stderr)
    bool wait = false; // hold the machine at reset until a debugger attaches
};

// Parses --gdb's "[HOST:]PORT" (InputError when malformed).
GdbOptions parse_gdb_address(const std::string& text);

class MachineDebugger final : public cpu::DebugHooks, private Target {
  public:
    // Listens at once (InputError when it cannot) and hooks into every CPU; says where on `log`.
    MachineDebugger(platform::Machine& machine, const GdbOptions& options, std::ostream& log);
    MachineDebugger(DebuggedMachine& machine, const GdbOptions& options, std::ostream& log);
    ~MachineDebugger() override;
    u16 port() const { return server_.port(); }
    // After the run: a debugger waiting for the machine to stop hears that it exited.
    void run_ended(int exit_status);
    // The machine's CPUs are another set now (the next litmus test): hooks into them. Stop points stay;
    // a CPU that exists in both sets keeps its step in progress.
    void machine_changed();
    // Every CPU was reset to the start of a new run (the next litmus iteration): a step in progress ends
    // at the first instruction of the new run, and a breakpoint there is not skipped.
    void cpus_reset();

    // cpu::DebugHooks
    void on_slice(unsigned cpu) override;
    void before_insn(unsigned cpu) override;
    void on_access(unsigned cpu, u64 linear, unsigned size, bool write) override;

  private:
    // Target
    unsigned cpu_count() const override;
    u64 read_register(unsigned cpu, unsigned reg) override;
    bool write_register(unsigned cpu, unsigned reg, u64 value) override;
    size_t read_memory(unsigned cpu, u64 addr, u8* out, size_t len) override;
    size_t write_memory(unsigned cpu, u64 addr, const u8* data, size_t len) override;
    std::string thread_extra_info(unsigned cpu) override;
    bool insert_stop_point(StopPointType type, u64 addr, u64 len) override;
    bool remove_stop_point(StopPointType type, u64 addr, u64 len) override;
    std::string monitor(std::string_view command) override;

    // The pause loop: answers packets until GDB resumes, detaches, kills or goes away.
    void pause(const StopEvent& event);
    void resume(const Resume& how, u64 packet_seq); // packet_seq: the resume packet's place in the stream
    void release();                                 // detach or lost connection: no stop points, run freely
    void update_checks();
    std::optional<u64> translate(unsigned cpu, u64 linear);
    std::optional<u64> read_phys(u64 paddr, unsigned size);
    bool read_phys_bytes(u64 paddr, u8* out, size_t len);
    bool write_phys_bytes(u64 paddr, const u8* data, size_t len);

    // monitor.cc
    std::string monitor_help();
    std::string monitor_cpus();
    std::string monitor_cache(const std::vector<std::string>& args);
    std::string monitor_sb(const std::vector<std::string>& args);
    std::string monitor_iq(const std::vector<std::string>& args);
    std::string monitor_tlb(const std::vector<std::string>& args);
    std::string monitor_time();
    std::string monitor_xp(const std::vector<std::string>& args);
    std::string monitor_stats();
    std::string monitor_lapic(const std::vector<std::string>& args);
    std::string monitor_ioapic();
    std::string monitor_pic();
    std::string monitor_litmus();

    MachineDebugger(std::unique_ptr<DebuggedMachine> owned, const GdbOptions& options, std::ostream& log);
    void hook_cpus();

    struct CpuDebug {
        bool stepping = false;
        bool step_started = false; // the stepped instruction's boundary has been passed
        bool skip_valid = false;   // the paused CPU's first instruction after a resume ignores a breakpoint
        u64 skip_rip = 0;
        bool watch_hit = false;
        StopPointType watch_type = StopPointType::WriteWatch;
        u64 watch_addr = 0;
    };
    struct Watchpoint {
        StopPointType type;
        u64 addr, len;
    };

    std::unique_ptr<DebuggedMachine> owned_; // the adapter of a platform::Machine
    DebuggedMachine& machine_;
    GdbOptions options_;
    std::ostream& log_;
    GdbServer server_;
    GdbProtocol protocol_;
    std::vector<CpuDebug> cpus_;
    // Z0 and Z1 work alike (checked at instruction boundaries); the stop reply names the kind that hit.
    std::multiset<u64> breakpoints_, hw_breakpoints_;
    std::vector<Watchpoint> watchpoints_;
    StopEvent last_stop_;
    bool gdb_waits_for_stop_ = false; // GDB resumed the machine and waits for a stop reply
    u64 resumed_by_ = 0;              // the server's connection number when GDB resumed
    bool gdb_waits_for_stop() const;  // ...and that client is still connected
    bool hold_at_start_ = false;      // --gdb-wait: the first slice pauses
    unsigned paused_cpu_ = 0;         // the CPU whose thread the pause loop runs on
    bool paused_in_insn_ = false;     // paused in before_insn (not on_slice)
    bool ended_ = false;
};

} // namespace smpsim::gdb
