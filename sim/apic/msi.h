// MSI and MSI-X messages (a 32-bit write of `data` to `address` in 0xFEExxxxx) as APIC bus messages,
// Intel SDM vol. 3, 10.11 "Message Signalled Interrupts":
//   address bits 31:20 0xFEE, 19:12 destination ID, 3 redirection hint, 2 destination mode (1 = logical)
//   data    bits 7:0 vector, 10:8 delivery mode, 14 level (assert), 15 trigger mode (1 = level)
// The redirection hint is not modelled: a logical destination is decoded as logical, a physical one as
// physical, and lowest-priority arbitration follows the delivery mode.
#pragma once
#include "sim/core/interrupt.h"
#include "sim/core/types.h"

namespace smpsim::apic {

inline bool is_msi_address(u64 address) {
    return (address & ~u64(0xFFFFF)) == 0xFEE00000;
}

inline ApicMessage msi_message(u64 address, u32 data) {
    ApicMessage m;
    m.vector = u8(data);
    m.mode = DeliveryMode((data >> 8) & 7);
    m.level_triggered = (data >> 15) & 1;
    m.logical = (address >> 2) & 1;
    m.destination = u32(address >> 12) & 0xFF;
    m.source_apic_id = 0xFF; // not a local APIC: no shorthand applies
    return m;
}

} // namespace smpsim::apic
