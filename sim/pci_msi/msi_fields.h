// An MSI/MSI-X message (a 32-bit write of `data` to `address`) split into the fields an x86 platform gives
// it, for reports and traces (Intel SDM vol. 3, "Message Signalled Interrupts": address bits 31:20 0xFEE,
// 19:12 destination ID, 3 redirection hint, 2 destination mode; data bits 7:0 vector, 10:8 delivery mode,
// 14 level, 15 trigger mode). Delivery itself is the platform's job (smpsim::apic::msi_message).
#pragma once
#include "sim/core/types.h"

#include <string>

namespace smpsim::pci {

struct MsiFields {
    bool apic_address = false; // address is in 0xFEE00000..0xFEEFFFFF
    u8 destination = 0;
    bool redirection_hint = false;
    bool logical = false;
    u8 vector = 0;
    u8 delivery_mode = 0;
    bool level_assert = false;
    bool level_triggered = false;
};

MsiFields decode_msi(u64 address, u32 data);
// "dest 0x01 physical vector 0x41 fixed edge", or "write 0x... to 0x..." for a non-APIC address.
std::string describe_msi(u64 address, u32 data);

} // namespace smpsim::pci
