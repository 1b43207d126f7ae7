// The Intel MultiProcessor Specification 1.4 configuration table that PC firmware leaves in memory:
// a floating pointer ("_MP_") and a configuration table ("PCMP") naming the processors with their
// local APIC IDs, the ISA bus, the I/O APIC and how ISA IRQs reach its pins. Guests scan for it to
// find the CPUs (QEMU's SeaBIOS provides the same structure).
#pragma once
#include "sim/core/types.h"

#include <span>
#include <vector>

namespace smpsim::platform {

struct MpTableConfig {
    u32 cpus = 1;                // APIC IDs 0..cpus-1, CPU 0 is the bootstrap processor
    u32 cpu_signature = 0x106a5; // CPUID.1:EAX
    u32 cpu_features = 0;        // CPUID.1:EDX
    u8 ioapic_id = 0;
    u32 ioapic_address = 0xfec00000;
    u32 local_apic_address = 0xfee00000;
    // PCI INTx routing (bus 0): device `device`'s pin (0 = INTA#) reaches I/O APIC pin `ioapic_pin`,
    // level-triggered and active low as PCI requires. A PCI bus entry is present when this is non-empty.
    struct PciInterrupt {
        u8 device = 0;
        u8 pin = 0;
        u8 ioapic_pin = 16;
    };
    std::vector<PciInterrupt> pci_interrupts{};
};

// The MP bus ID of PCI bus 0 in the table (the ISA bus is 0).
inline constexpr u8 kMpPciBusId = 1;

inline constexpr u32 kMpFloatingPointerAddr = 0xf0000; // in the F-segment, as BIOSes place it

// The bytes of the floating pointer followed by the configuration table, for placement at
// floating_pointer_addr (the table follows the 16-byte pointer directly).
std::vector<u8> build_mp_table(const MpTableConfig& config,
                               u32 floating_pointer_addr = kMpFloatingPointerAddr);

// Copies the table into guest RAM (physical address 0 = ram[0]).
void install_mp_table(std::span<u8> ram, const MpTableConfig& config,
                      u32 floating_pointer_addr = kMpFloatingPointerAddr);

// ISA IRQ n arrives at I/O APIC pin n, except IRQ0 (the PIT) at pin 2, as on most PCs.
constexpr unsigned isa_irq_to_ioapic_pin(unsigned irq) {
    return irq == 0 ? 2 : irq;
}

} // namespace smpsim::platform
