// The GDB stub's view of a platform::Machine (`smpsim boot` and `replay`): every device is there, and
// time is SystemC's.
#pragma once
#include "sim/gdb/debugged_machine.h"

namespace smpsim::platform {
class Machine;
}

namespace smpsim::gdb {

class PlatformMachine final : public DebuggedMachine {
  public:
    explicit PlatformMachine(platform::Machine& machine) : machine_(machine) {}

    unsigned cpu_count() const override;
    cpu::Cpu& cpu(unsigned index) override;
    std::span<u8> ram() override;
    cache_mesi::MemorySystem* caches() override;
    cpu::DecodeCache& decode_cache() override;
    u64 memory_clock(unsigned index) override;
    std::string time_line() override;
    const apic::LocalApic* local_apic(unsigned index) override;
    const apic::IoApic* io_apic() override;
    const pic8259::PicPair* pic() override;
    std::string description() const override { return "this machine"; }
    void end_run(const std::string& reason) override;

  private:
    platform::Machine& machine_;
};

} // namespace smpsim::gdb
