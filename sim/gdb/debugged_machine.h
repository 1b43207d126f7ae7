// What the GDB stub (machine_debugger.h) needs of a simulated machine: its CPUs, its RAM and the memory
// system over it, and what the monitor commands show. `smpsim boot` and `replay` debug a
// platform::Machine (platform_machine.h); `smpsim litmus` debugs its runners' CPUs
// (sim/litmus/litmus_debugger.h), which have no interrupt controllers and no SystemC time. The set of
// CPUs may change while the stub runs (a litmus command runs one test after another): the machine then
// calls MachineDebugger::machine_changed().
#pragma once
#include "sim/core/types.h"

#include <optional>
#include <span>
#include <string>

namespace smpsim::cpu {
class Cpu;
class DecodeCache;
} // namespace smpsim::cpu
namespace smpsim::cache_mesi {
class MemorySystem;
}
namespace smpsim::apic {
class LocalApic;
class IoApic;
} // namespace smpsim::apic
namespace smpsim::pic8259 {
class PicPair;
}

namespace smpsim::gdb {

class DebuggedMachine {
  public:
    virtual ~DebuggedMachine() = default;

    virtual unsigned cpu_count() const = 0;
    virtual cpu::Cpu& cpu(unsigned index) = 0;
    // A name GDB's `info threads` shows before the CPU's mode and state ("P0" in a litmus run), or "".
    virtual std::string thread_label(unsigned) const { return {}; }

    // RAM: the only physical memory the stub reads or writes (device registers are never touched).
    virtual std::span<u8> ram() = 0;
    // The coherent caches over RAM, or null (functional mode: RAM is read directly).
    virtual cache_mesi::MemorySystem* caches() = 0;
    // The decode cache the CPUs share: code pages the debugger writes to are invalidated in it.
    virtual cpu::DecodeCache& decode_cache() = 0;
    // The clock the memory system schedules CPU `index`'s queued invalidations by.
    virtual u64 memory_clock(unsigned index) = 0;

    // The first line of `monitor time` and `monitor stats`: "simulated time 1 us" or its equivalent.
    virtual std::string time_line() = 0;
    // Interrupt controllers; null when the machine has none.
    virtual const apic::LocalApic* local_apic(unsigned) { return nullptr; }
    virtual const apic::IoApic* io_apic() { return nullptr; }
    virtual const pic8259::PicPair* pic() { return nullptr; }
    // What this run is, for the monitor's answers about what it lacks: "a litmus run".
    virtual std::string description() const = 0;
    // `monitor litmus`: the test, the run and the states seen so far; nullopt outside a litmus run.
    virtual std::optional<std::string> litmus_status() { return std::nullopt; }

    // Ends the run on the debugger's behalf (GDB's kill, or its connection lost under --gdb-wait):
    // smpsim then exits with status 14 (platform::kExitDebugger). Called from within a CPU's debug hook.
    virtual void end_run(const std::string& reason) = 0;
};

} // namespace smpsim::gdb
