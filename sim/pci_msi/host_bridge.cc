#include "sim/pci_msi/host_bridge.h"

#include "sim/core/error.h"

#include <string>

namespace smpsim::pci {
namespace {

constexpr u32 kHostBridgeClass = 0x060000; // bridge, host bridge
constexpr u8 kHostBridgeRevision = 0x02;
// CONFIG_ADDRESS: enable (31), bus (23:16), device (15:11), function (10:8), register (7:2); bits 30:24
// are reserved and 1:0 read 0.
constexpr u32 kConfigAddressMask = 0x80FFFFFC;

u32 all_ones(unsigned size) {
    return size >= 4 ? 0xFFFFFFFF : (1u << (8 * size)) - 1;
}

void check_port_size(unsigned size) {
    if (size != 1 && size != 2 && size != 4)
        throw InternalError("PCI port access of " + std::to_string(size) + " bytes (1, 2 or 4 allowed)");
}

} // namespace

PciHostBridge::PciHostBridge() : self_(kVendorIntel, kDevice440fx, kHostBridgeClass, kHostBridgeRevision) {
    // The host bridge always decodes memory and masters the bus.
    self_.firmware_set_command(command::kMemorySpace | command::kBusMaster);
    slots_[0] = &self_;
}

void PciHostBridge::attach(unsigned device, unsigned function, PciFunction& fn) {
    if (device >= kDevices || function >= kFunctions)
        throw InternalError("PCI address 00:" + std::to_string(device) + "." + std::to_string(function) +
                            " out of range (device 0-31, function 0-7)");
    PciFunction*& slot = slots_[device * kFunctions + function];
    if (slot)
        throw InternalError("PCI address 00:" + std::to_string(device) + "." + std::to_string(function) +
                            " is already taken");
    slot = &fn;
    // Function 0 announces a multi-function device (software scans functions 1-7 only then).
    unsigned count = 0;
    for (unsigned f = 0; f < kFunctions; ++f)
        count += slots_[device * kFunctions + f] != nullptr;
    if (PciFunction* f0 = slots_[device * kFunctions]) f0->set_multifunction(count > 1);
}

PciFunction* PciHostBridge::function_at(unsigned device, unsigned function) const {
    if (device >= kDevices || function >= kFunctions) return nullptr;
    return slots_[device * kFunctions + function];
}

PciFunction* PciHostBridge::selected(u16& reg) const {
    if (!(config_address_ & kConfigEnable)) return nullptr;
    const unsigned bus = (config_address_ >> 16) & 0xFF;
    const unsigned device = (config_address_ >> 11) & 0x1F;
    const unsigned function = (config_address_ >> 8) & 0x7;
    reg = u16(config_address_ & 0xFC);
    return bus == 0 ? function_at(device, function) : nullptr;
}

u32 PciHostBridge::io_read(u16 port, unsigned size) {
    check_port_size(size);
    if (port == kConfigAddressPort && size == 4) return config_address_;
    if (port < kConfigDataPort || port > kConfigDataPort + 3) return all_ones(size);
    u16 reg = 0;
    PciFunction* fn = selected(reg);
    if (!fn) return all_ones(size);
    const unsigned lane = port - kConfigDataPort;
    if (lane + size <= 4 && (lane % size) == 0) return fn->config_read(u16(reg + lane), size);
    // A misaligned access (a word at 0xCFF, a dword at 0xCFD): byte by byte, beyond 0xCFF reads ones.
    u32 value = 0;
    for (unsigned i = 0; i < size; ++i) {
        const u32 b = lane + i < 4 ? fn->config_read(u16(reg + lane + i), 1) : 0xFF;
        value |= b << (8 * i);
    }
    return value;
}

void PciHostBridge::io_write(u16 port, unsigned size, u32 value) {
    check_port_size(size);
    if (port == kConfigAddressPort && size == 4) {
        config_address_ = value & kConfigAddressMask;
        return;
    }
    if (port < kConfigDataPort || port > kConfigDataPort + 3) return;
    u16 reg = 0;
    PciFunction* fn = selected(reg);
    if (!fn) return;
    const unsigned lane = port - kConfigDataPort;
    if (lane + size <= 4 && (lane % size) == 0) {
        fn->config_write(u16(reg + lane), size, value);
        return;
    }
    for (unsigned i = 0; i < size && lane + i < 4; ++i)
        fn->config_write(u16(reg + lane + i), 1, (value >> (8 * i)) & 0xFF);
}

u64 PciHostBridge::mmio_read(u64 addr, unsigned size) {
    u64 value = 0;
    for (PciFunction* fn : slots_)
        if (fn && fn->mmio_read(addr, size, value)) return value;
    ++unclaimed_;
    return size >= 8 ? ~u64(0) : (u64(1) << (8 * size)) - 1;
}

void PciHostBridge::mmio_write(u64 addr, unsigned size, u64 value) {
    for (PciFunction* fn : slots_)
        if (fn && fn->mmio_write(addr, size, value)) return;
    ++unclaimed_;
}

u32 PciHostBridge::pci_io_read(u32 port, unsigned size) {
    u32 value = 0;
    for (PciFunction* fn : slots_)
        if (fn && fn->io_read(port, size, value)) return value;
    ++unclaimed_;
    return all_ones(size);
}

void PciHostBridge::pci_io_write(u32 port, unsigned size, u32 value) {
    for (PciFunction* fn : slots_)
        if (fn && fn->io_write(port, size, value)) return;
    ++unclaimed_;
}

std::vector<CapabilityLocation> PciHostBridge::capabilities() const {
    std::vector<CapabilityLocation> list;
    for (unsigned d = 0; d < kDevices; ++d)
        for (unsigned f = 0; f < kFunctions; ++f)
            if (const PciFunction* fn = slots_[d * kFunctions + f])
                for (const CapabilityEntry& cap : fn->capabilities())
                    list.push_back({d, f, cap.id, cap.offset});
    return list;
}

} // namespace smpsim::pci
