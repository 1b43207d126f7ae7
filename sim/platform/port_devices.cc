#include "sim/platform/port_devices.h"

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

MarkerPortDevice::MarkerPortDevice(sc_core::sc_module_name name,
                                   std::function<void(MarkerCommand, u32)> on_marker)
    : sc_module(name), socket("socket"), on_marker_(std::move(on_marker)) {
    socket.register_b_transport(this, &MarkerPortDevice::b_transport);
}

void MarkerPortDevice::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time&) {
    if (trans.is_write() && trans.get_data_length() == 4 && trans.get_address() == 0) {
        u32 value = 0;
        std::memcpy(&value, trans.get_data_ptr(), 4);
        on_marker_(MarkerCommand(value >> 24), value & 0xffffff);
    } else if (trans.is_read()) {
        std::memset(trans.get_data_ptr(), 0xff, trans.get_data_length());
    }
    trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

} // namespace smpsim::platform
