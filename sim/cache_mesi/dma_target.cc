#include "sim/cache_mesi/dma_target.h"

#include "sim/core/bus_fault.h"

namespace smpsim::cache_mesi {

DmaTarget::DmaTarget(sc_core::sc_module_name name, MemorySystem& memory, sc_core::sc_time cycle)
    : sc_module(name), socket("socket"), memory_(memory), cycle_(cycle) {
    socket.register_b_transport(this, &DmaTarget::b_transport);
}

void DmaTarget::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
    if (trans.get_byte_enable_ptr() || trans.get_streaming_width() < trans.get_data_length()) {
        trans.set_response_status(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
        return;
    }
    const u64 now = u64((sc_core::sc_time_stamp() + delay) / cycle_);
    const u32 length = trans.get_data_length();
    AccessResult r;
    if (trans.is_read())
        r = memory_.dma_read(trans.get_address(), trans.get_data_ptr(), length, now);
    else if (trans.is_write())
        r = memory_.dma_write(trans.get_address(), trans.get_data_ptr(), length, now);
    if (!r.ok) {
        // Outside memory: an unsupported request, as at the platform's DMA router (reads all ones).
        if (trans.is_read()) fill_all_ones(trans.get_data_ptr(), length);
        trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return;
    }
    delay += cycle_ * double(r.latency);
    trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

} // namespace smpsim::cache_mesi
