#include "sim/gdb/platform_machine.h"

#include "sim/apic/apic_devices.h"
#include "sim/pic8259/pic_device.h"
#include "sim/platform/machine.h"

#include <fmt/format.h>

namespace smpsim::gdb {

unsigned PlatformMachine::cpu_count() const {
    return machine_.cpu_count();
}

cpu::Cpu& PlatformMachine::cpu(unsigned index) {
    return machine_.cpu(index);
}

std::span<u8> PlatformMachine::ram() {
    return machine_.ram();
}

cache_mesi::MemorySystem* PlatformMachine::caches() {
    return machine_.caches();
}

cpu::DecodeCache& PlatformMachine::decode_cache() {
    return machine_.decode_cache();
}

u64 PlatformMachine::memory_clock(unsigned index) {
    return machine_.cpu(index).stats().cycles; // the caches' ports count the CPU's cycles
}

std::string PlatformMachine::time_line() {
    return fmt::format("simulated time {}", sc_core::sc_time_stamp().to_string());
}

const apic::LocalApic* PlatformMachine::local_apic(unsigned index) {
    return &machine_.lapic(index).core();
}

const apic::IoApic* PlatformMachine::io_apic() {
    return &machine_.ioapic().core();
}

const pic8259::PicPair* PlatformMachine::pic() {
    return &machine_.pic().pair();
}

void PlatformMachine::end_run(const std::string& reason) {
    machine_.end_run(platform::kExitDebugger, reason);
}

} // namespace smpsim::gdb
