// Guest RAM: a TLM-2.0 target that grants DMI over its whole range, so CPUs read and write it directly.
#pragma once
#include "sim/core/types.h"

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include <memory>
#include <span>

namespace smpsim::platform {

class Ram : public sc_core::sc_module {
  public:
    tlm_utils::simple_target_socket<Ram> socket;

    Ram(sc_core::sc_module_name name, u64 size_bytes);
    ~Ram() override;
    std::span<u8> bytes() { return {data_, size_}; }
    u64 size() const { return size_; }

  private:
    void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
    bool get_direct_mem_ptr(tlm::tlm_generic_payload& trans, tlm::tlm_dmi& dmi);
    unsigned transport_dbg(tlm::tlm_generic_payload& trans);

    u8* data_ = nullptr; // calloc'd: untouched pages cost no host memory
    u64 size_;
};

} // namespace smpsim::platform
