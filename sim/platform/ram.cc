#include "sim/platform/ram.h"

#include <cstdlib>
#include <cstring>
#include <new>

namespace smpsim::platform {

Ram::Ram(sc_core::sc_module_name name, u64 size_bytes)
    : sc_module(name), socket("socket"), size_(size_bytes) {
    data_ = static_cast<u8*>(std::calloc(size_, 1));
    if (!data_) throw std::bad_alloc();
    socket.register_b_transport(this, &Ram::b_transport);
    socket.register_get_direct_mem_ptr(this, &Ram::get_direct_mem_ptr);
    socket.register_transport_dbg(this, &Ram::transport_dbg);
}

Ram::~Ram() {
    std::free(data_);
}

void Ram::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time&) {
    const u64 addr = trans.get_address();
    const u64 len = trans.get_data_length();
    if (addr >= size_ || len > size_ - addr) {
        trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return;
    }
    if (trans.is_read())
        std::memcpy(trans.get_data_ptr(), data_ + addr, len);
    else if (trans.is_write())
        std::memcpy(data_ + addr, trans.get_data_ptr(), len);
    trans.set_dmi_allowed(true);
    trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

bool Ram::get_direct_mem_ptr(tlm::tlm_generic_payload&, tlm::tlm_dmi& dmi) {
    dmi.set_dmi_ptr(data_);
    dmi.set_start_address(0);
    dmi.set_end_address(size_ - 1);
    dmi.allow_read_write();
    return true;
}

unsigned Ram::transport_dbg(tlm::tlm_generic_payload& trans) {
    sc_core::sc_time t = sc_core::SC_ZERO_TIME;
    b_transport(trans, t);
    return trans.get_response_status() == tlm::TLM_OK_RESPONSE ? trans.get_data_length() : 0;
}

} // namespace smpsim::platform
