#include "sim/pci_msi/pci_host_device.h"

#include <fmt/format.h>

#include <cstring>
#include <functional>

namespace smpsim::pci {
namespace {

// Runs a payload as one access when its length is a size the bus supports (`max_size` is 4 for ports, 8
// for memory), otherwise as consecutive byte accesses. Byte enables are not supported.
void transport(tlm::tlm_generic_payload& trans, u64 base, unsigned max_size,
               const std::function<u64(u64, unsigned)>& read,
               const std::function<void(u64, unsigned, u64)>& write) {
    if (trans.get_byte_enable_ptr()) {
        trans.set_response_status(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
        return;
    }
    const u64 addr = base + trans.get_address();
    u8* data = trans.get_data_ptr();
    const unsigned len = trans.get_data_length();
    const bool single = (len == 1 || len == 2 || len == 4 || len == 8) && len <= max_size;
    const unsigned step = single ? len : 1;
    for (unsigned i = 0; i < len; i += step) {
        if (trans.is_read()) {
            const u64 value = read(addr + i, step);
            std::memcpy(data + i, &value, step); // little-endian host, as the guest
        } else if (trans.is_write()) {
            u64 value = 0;
            std::memcpy(&value, data + i, step);
            write(addr + i, step, value);
        }
    }
    trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

} // namespace

PciHostDevice::PciHostDevice(sc_core::sc_module_name name, u64 mmio_base, u32 io_base,
                             sc_core::sc_time access_latency)
    : sc_module(name), config_socket("config_socket"), mmio_socket("mmio_socket"), io_socket("io_socket"),
      mmio_base_(mmio_base), io_base_(io_base), latency_(access_latency) {
    config_socket.register_b_transport(this, &PciHostDevice::config_transport);
    mmio_socket.register_b_transport(this, &PciHostDevice::mmio_transport);
    io_socket.register_b_transport(this, &PciHostDevice::io_transport);
}

void PciHostDevice::config_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
    transport(
        trans, PciHostBridge::kConfigAddressPort, 4,
        [&](u64 port, unsigned size) { return bridge_.io_read(u16(port), size); },
        [&](u64 port, unsigned size, u64 value) { bridge_.io_write(u16(port), size, u32(value)); });
    delay += latency_;
}

void PciHostDevice::mmio_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
    transport(
        trans, mmio_base_, 8, [&](u64 addr, unsigned size) { return bridge_.mmio_read(addr, size); },
        [&](u64 addr, unsigned size, u64 value) { bridge_.mmio_write(addr, size, value); });
    delay += latency_;
}

void PciHostDevice::io_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
    transport(
        trans, io_base_, 4, [&](u64 port, unsigned size) { return bridge_.pci_io_read(u32(port), size); },
        [&](u64 port, unsigned size, u64 value) { bridge_.pci_io_write(u32(port), size, u32(value)); });
    delay += latency_;
}

std::string PciHostDevice::describe() const {
    std::string text;
    for (unsigned d = 0; d < PciHostBridge::kDevices; ++d)
        for (unsigned f = 0; f < PciHostBridge::kFunctions; ++f) {
            const PciFunction* fn = bridge_.function_at(d, f);
            if (!fn) continue;
            text += fmt::format("00:{:02x}.{} {:04x}:{:04x} class {:06x}", d, f, fn->vendor_id(),
                                fn->device_id(), fn->config_read(reg::kRevisionId, 4) >> 8);
            for (const CapabilityEntry& cap : fn->capabilities()) {
                const char* name = cap.id == cap_id::kPowerManagement ? "pm"
                                   : cap.id == cap_id::kMsi           ? "msi"
                                   : cap.id == cap_id::kMsix          ? "msix"
                                   : cap.id == cap_id::kPciExpress    ? "pcie"
                                                                      : "cap";
                text += fmt::format(" {}@{:02x}", name, cap.offset);
            }
            text += '\n';
        }
    return text;
}

} // namespace smpsim::pci
