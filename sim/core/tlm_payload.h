// One loosely-timed TLM-2.0 access as the initiators here make it (CPUs, bus-master devices): a plain
// read or write of `size` bytes, no byte enables, no streaming, DMI not asked for. Header-only, for
// SystemC users; the rest of sim/core does not need SystemC.
#pragma once
#include "sim/core/types.h"

#include <tlm>

namespace smpsim {

inline void prepare_payload(tlm::tlm_generic_payload& trans, tlm::tlm_command command, u64 addr, void* data,
                            u32 size) {
    trans.set_command(command);
    trans.set_address(addr);
    trans.set_data_ptr(static_cast<unsigned char*>(data));
    trans.set_data_length(size);
    trans.set_streaming_width(size);
    trans.set_byte_enable_ptr(nullptr);
    trans.set_dmi_allowed(false);
    trans.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
}

} // namespace smpsim
