// The GDB remote protocol's commands (after packet.h has framed them), against an abstract Target: the
// real machine (machine_target.h) or a fake one in the tests. All-stop: the whole target is either
// stopped (packets are handled) or running (the handler waits for the next stop event). Threads are
// CPUs: thread id n + 1 is CPU n.
#pragma once
#include "sim/core/types.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace smpsim::gdb {

enum class StopPointType : u8 { SoftwareBreak, HardwareBreak, WriteWatch, ReadWatch, AccessWatch };

// What the debugged machine offers while it is stopped. Addresses of memory accesses are linear
// addresses of that CPU (its current page tables); none of these calls may change simulated time.
class Target {
  public:
    virtual ~Target() = default;
    virtual unsigned cpu_count() const = 0;
    // Registers by GDB number (registers.h); only the modelled ones are asked for.
    virtual u64 read_register(unsigned cpu, unsigned reg) = 0;
    virtual bool write_register(unsigned cpu, unsigned reg, u64 value) = 0;
    // Returns how many bytes from the start could be accessed (the rest does not map).
    virtual size_t read_memory(unsigned cpu, u64 addr, u8* out, size_t len) = 0;
    virtual size_t write_memory(unsigned cpu, u64 addr, const u8* data, size_t len) = 0;
    // One line for `info threads`: mode and state of the CPU.
    virtual std::string thread_extra_info(unsigned cpu) = 0;
    // False when the stop point cannot be set (e.g. too many, a bad length).
    virtual bool insert_stop_point(StopPointType type, u64 addr, u64 len) = 0;
    virtual bool remove_stop_point(StopPointType type, u64 addr, u64 len) = 0;
    // A monitor command's output (text, lines ending in '\n').
    virtual std::string monitor(std::string_view command) = 0;
};

// Why the target stopped, for the stop reply.
struct StopEvent {
    enum class Kind : u8 {
        Signal,  // plain stop: SIGTRAP after a step or at attach, SIGINT after Ctrl-C
        SwBreak, // a Z0 breakpoint
        HwBreak, // a Z1 breakpoint
        Watch,   // a Z2/Z3/Z4 watchpoint; data_address is the accessed address
        Exited,  // the run ended; exit_status
    };
    Kind kind = Kind::Signal;
    unsigned cpu = 0;
    int signal = 5; // SIGTRAP
    StopPointType watch_type = StopPointType::WriteWatch;
    u64 data_address = 0;
    int exit_status = 0;
};

// How the target is to run after a resume packet, per CPU.
enum class CpuAction : u8 { Stop, Continue, Step };

struct Resume {
    std::vector<CpuAction> actions; // one per CPU
};

// The result of one packet.
struct Outcome {
    enum class Kind : u8 {
        Reply,  // send `reply`, stay stopped
        Resume, // run per `resume` (the stop reply comes later from stop_reply())
        Detach, // send `reply` ("OK"), remove every stop point, run freely
        Kill,   // end the run; send `reply` first unless empty ('k' has none, vKill "OK")
    };
    Kind kind = Kind::Reply;
    std::string reply;
    Resume resume;
};

class GdbProtocol {
  public:
    explicit GdbProtocol(Target& target) : target_(target) {}
    // Handles one packet's payload while the target is stopped.
    Outcome handle(std::string_view packet);
    // The stop reply packet for an event; also remembered for '?'. The event's CPU becomes the
    // current thread.
    std::string stop_reply(const StopEvent& event);
    // Back to the state of a new connection (ack mode on, thread selection reset).
    void reset_connection();
    // The client asked for QStartNoAckMode (takes effect after the "OK").
    bool no_ack_mode() const { return no_ack_; }
    unsigned current_cpu() const { return general_cpu_; }
    // Every stop point set through Z packets, so that a detach or a lost connection can remove them.
    void remove_all_stop_points();

  private:
    std::string handle_query(std::string_view packet);
    std::string read_registers();
    std::string write_registers(std::string_view hex);
    std::string read_register(std::string_view args);
    std::string write_register(std::string_view args);
    std::string read_memory(std::string_view args);
    std::string write_memory(std::string_view args, bool binary);
    std::string stop_point(std::string_view args, bool insert);
    std::string set_thread(std::string_view args);
    std::optional<Resume> parse_vcont(std::string_view args);
    std::string thread_list_xml();
    // Thread ids: -1 all, 0 any, n + 1 for CPU n; nullopt if malformed or out of range.
    std::optional<int> parse_thread(std::string_view s) const;
    std::string register_hex(unsigned cpu, unsigned reg);
    Resume all(CpuAction a) const;

    Target& target_;
    unsigned general_cpu_ = 0; // Hg: registers and memory
    int continue_thread_ = -1; // Hc: c/s apply to this thread (-1 all)
    bool no_ack_ = false;
    std::string last_stop_ = "S05";
    struct SetPoint {
        StopPointType type;
        u64 addr, len;
    };
    std::vector<SetPoint> points_;
};

} // namespace smpsim::gdb
