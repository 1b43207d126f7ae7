// The PCI host bridge of a PC: configuration mechanism #1 at ports 0xCF8/0xCFC (PCI 3.0, 3.2.2.3.2) and
// the decoder that hands memory and I/O accesses in the PCI windows to the bus-0 function that claims them.
// The bridge itself is function 00:00.0, an Intel 440FX (82441FX PMC) as on QEMU's `pc` machine.
#pragma once
#include "sim/core/types.h"
#include "sim/pci_msi/pci_function.h"

#include <array>
#include <vector>

namespace smpsim::pci {

struct CapabilityLocation {
    unsigned device;
    unsigned function;
    u8 id;
    u8 offset;
};

class PciHostBridge {
  public:
    static constexpr u16 kConfigAddressPort = 0xCF8;
    static constexpr u16 kConfigDataPort = 0xCFC;
    static constexpr u32 kConfigEnable = 1u << 31;
    static constexpr u16 kVendorIntel = 0x8086, kDevice440fx = 0x1237;
    static constexpr unsigned kDevices = 32, kFunctions = 8;

    PciHostBridge();

    // Puts fn at bus 0, device:function (bus 0 only). InternalError if the slot is taken or out of range.
    // The caller keeps fn alive as long as the bridge.
    void attach(unsigned device, unsigned function, PciFunction& fn);
    PciFunction* function_at(unsigned device, unsigned function) const;
    PciFunction& host_function() { return self_; }

    // Ports 0xCF8..0xCFF (absolute numbers). CONFIG_ADDRESS takes 32-bit accesses only; CONFIG_DATA
    // 1/2/4-byte accesses at 0xCFC..0xCFF. Nonexistent functions read all ones; other ports read all ones.
    u32 io_read(u16 port, unsigned size);
    void io_write(u16 port, unsigned size, u32 value);
    u32 config_address() const { return config_address_; }

    // Accesses in the PCI memory and I/O windows: the first function (in device, function order) whose BAR
    // claims the address. Unclaimed reads return all ones; unclaimed accesses are counted, never fatal.
    u64 mmio_read(u64 addr, unsigned size);
    void mmio_write(u64 addr, unsigned size, u64 value);
    u32 pci_io_read(u32 port, unsigned size);
    void pci_io_write(u32 port, unsigned size, u32 value);
    u64 unclaimed_accesses() const { return unclaimed_; }

    // Every function's capability list (for reports and tests).
    std::vector<CapabilityLocation> capabilities() const;

  private:
    PciFunction* selected(u16& reg) const;

    PciFunction self_;
    std::array<PciFunction*, kDevices * kFunctions> slots_{};
    u32 config_address_ = 0;
    u64 unclaimed_ = 0;
};

} // namespace smpsim::pci
