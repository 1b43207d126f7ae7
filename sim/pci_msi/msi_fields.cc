#include "sim/pci_msi/msi_fields.h"

#include <cstdio>

namespace smpsim::pci {

MsiFields decode_msi(u64 address, u32 data) {
    MsiFields f;
    f.apic_address = (address & ~u64(0xFFFFF)) == 0xFEE00000;
    f.destination = u8(address >> 12);
    f.redirection_hint = (address >> 3) & 1;
    f.logical = (address >> 2) & 1;
    f.vector = u8(data);
    f.delivery_mode = u8((data >> 8) & 7);
    f.level_assert = (data >> 14) & 1;
    f.level_triggered = (data >> 15) & 1;
    return f;
}

std::string describe_msi(u64 address, u32 data) {
    static constexpr const char* kModes[8] = {"fixed", "lowest-priority", "smi",   "reserved-3", "nmi",
                                              "init",  "reserved-6",      "extint"};
    char text[96];
    const MsiFields f = decode_msi(address, data);
    if (!f.apic_address) {
        std::snprintf(text, sizeof text, "write 0x%08x to 0x%llx", data,
                      static_cast<unsigned long long>(address));
        return text;
    }
    std::snprintf(text, sizeof text, "dest 0x%02x %s vector 0x%02x %s %s", f.destination,
                  f.logical ? "logical" : "physical", f.vector, kModes[f.delivery_mode],
                  f.level_triggered ? "level" : "edge");
    return text;
}

} // namespace smpsim::pci
