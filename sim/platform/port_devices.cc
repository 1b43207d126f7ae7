#include "sim/platform/port_devices.h"

#include <fmt/format.h>

#include <cstring>

namespace smpsim::platform {

UartDevice::UartDevice(sc_core::sc_module_name name, Uart16550::TxCallback tx)
    : sc_module(name), socket("socket"), uart_(std::move(tx)) {
    socket.register_b_transport(this, &UartDevice::b_transport);
}

void UartDevice::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time&) {
    const u32 offset = u32(trans.get_address());
    u8* data = trans.get_data_ptr();
    const unsigned len = trans.get_data_length();
    // Wider accesses touch consecutive registers, as on an ISA bus.
    for (unsigned i = 0; i < len; ++i) {
        if (offset + i > 7) {
            if (trans.is_read()) data[i] = 0xff;
            continue;
        }
        if (trans.is_read())
            data[i] = uart_.read(offset + i);
        else
            uart_.write(offset + i, data[i]);
    }
    trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

ExitPortDevice::ExitPortDevice(sc_core::sc_module_name name, std::function<void(u32)> on_exit)
    : sc_module(name), socket("socket"), on_exit_(std::move(on_exit)) {
    socket.register_b_transport(this, &ExitPortDevice::b_transport);
}

void ExitPortDevice::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time&) {
    if (trans.is_write()) {
        u32 value = 0;
        std::memcpy(&value, trans.get_data_ptr(), std::min<unsigned>(4, trans.get_data_length()));
        if (trans.get_data_length() < 4) value &= (1u << (8 * trans.get_data_length())) - 1;
        on_exit_(value);
    } else {
        std::memset(trans.get_data_ptr(), 0xff, trans.get_data_length());
    }
    trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

ResetControlDevice::ResetControlDevice(sc_core::sc_module_name name,
                                       std::function<void(const std::string&)> on_reset)
    : sc_module(name), config_socket("config_socket"), kbd_socket("kbd_socket"), pci_config("pci_config"),
      on_reset_(std::move(on_reset)) {
    config_socket.register_b_transport(this, &ResetControlDevice::config_transport);
    kbd_socket.register_b_transport(this, &ResetControlDevice::kbd_transport);
}

void ResetControlDevice::config_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
    constexpr u64 kResetControlOffset = 1; // 0xCF9 - 0xCF8
    if (trans.get_address() != kResetControlOffset || trans.get_data_length() != 1) {
        pci_config->b_transport(trans, delay);
        return;
    }
    u8& data = *trans.get_data_ptr();
    if (trans.is_read()) {
        data = reset_control_;
    } else if (trans.is_write()) {
        reset_control_ = data & 0x0a;
        if (data & 0x04) on_reset_(fmt::format("guest requested a reset: {:#04x} to port 0xcf9", data));
    }
    trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

void ResetControlDevice::kbd_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time&) {
    constexpr u8 kPulseResetLine = 0xfe;
    if (trans.is_read()) {
        // Status: output buffer empty, input buffer empty (ready for a command).
        std::memset(trans.get_data_ptr(), 0, trans.get_data_length());
    } else if (trans.is_write() && trans.get_data_ptr()[0] == kPulseResetLine) {
        on_reset_("guest requested a reset: 0xfe to the keyboard controller (port 0x64)");
    }
    trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

MarkerPortDevice::MarkerPortDevice(sc_core::sc_module_name name,
                                   std::function<void(MarkerCommand, u32, u64)> on_marker)
    : sc_module(name), socket("socket"), on_marker_(std::move(on_marker)) {
    socket.register_b_transport(this, &MarkerPortDevice::b_transport);
}

void MarkerPortDevice::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
    if (trans.is_write() && trans.get_data_length() == 4 && trans.get_address() == 0) {
        u32 value = 0;
        std::memcpy(&value, trans.get_data_ptr(), 4);
        const u64 local_ns = u64((sc_core::sc_time_stamp() + delay) / sc_core::sc_time(1, sc_core::SC_NS));
        on_marker_(MarkerCommand(value >> 24), value & 0xffffff, local_ns);
    } else if (trans.is_read()) {
        std::memset(trans.get_data_ptr(), 0xff, trans.get_data_length());
    }
    trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

} // namespace smpsim::platform
