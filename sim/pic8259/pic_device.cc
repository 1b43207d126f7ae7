#include "sim/pic8259/pic_device.h"

namespace smpsim::pic8259 {

PicDevice::PicDevice(sc_core::sc_module_name name)
    : sc_module(name), master_socket("master_socket"), slave_socket("slave_socket"),
      elcr_socket("elcr_socket") {
    master_socket.register_b_transport(this, &PicDevice::b_transport, kMasterWindow);
    slave_socket.register_b_transport(this, &PicDevice::b_transport, kSlaveWindow);
    elcr_socket.register_b_transport(this, &PicDevice::b_transport, kElcrWindow);
}

void PicDevice::b_transport(int window, tlm::tlm_generic_payload& trans, sc_core::sc_time&) {
    const u64 offset = trans.get_address();
    u8* data = trans.get_data_ptr();
    const unsigned len = trans.get_data_length();
    for (unsigned i = 0; i < len; ++i) {
        const u64 reg = offset + i;
        if (reg >= kWindowSize) {
            if (trans.is_read()) data[i] = 0xff;
            continue;
        }
        const u16 port = u16(kWindowBase[window] + reg);
        if (trans.is_read())
            data[i] = pair_.io_read(port);
        else if (trans.is_write())
            pair_.io_write(port, data[i]);
    }
    trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

} // namespace smpsim::pic8259
