// An address router: a multi-target socket in (every CPU and DMA engine binds to it), one initiator
// socket per mapped range out. Used for the physical address space (RAM, MMIO) and, as a second
// instance, for x86 port I/O.
#pragma once
#include "sim/core/types.h"

#include <systemc>
#include <tlm>
#include <tlm_utils/multi_passthrough_target_socket.h>
#include <tlm_utils/simple_initiator_socket.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace smpsim::platform {

class Router : public sc_core::sc_module {
  public:
    using InitiatorSocket = tlm_utils::simple_initiator_socket_tagged<Router>;
    tlm_utils::multi_passthrough_target_socket<Router> target;

    explicit Router(sc_core::sc_module_name name);
    // Maps [base, base + size) to a new initiator socket; bind it to the device. Targets see addresses
    // relative to base. Overlapping ranges are a configuration error.
    InitiatorSocket& map(u64 base, u64 size, const std::string& device);
    // Accesses that no range claimed. They complete as a master abort does on a PC: a read returns all
    // ones, a write is dropped, and the response is TLM_ADDRESS_ERROR_RESPONSE. The listener hears of each
    // (`initiator` is the index of the binding on `target`, in binding order); it reports them and may stop
    // the run, never the router.
    u64 unmapped_accesses() const { return unmapped_; }
    using FaultListener = std::function<void(int initiator, u64 addr, u32 size, bool write)>;
    void set_fault_listener(FaultListener listener) { on_fault_ = std::move(listener); }

  private:
    struct Range {
        u64 base;
        u64 size;
        std::string device;
    };
    int find(u64 addr) const;
    void b_transport(int initiator, tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
    bool get_direct_mem_ptr(int initiator, tlm::tlm_generic_payload& trans, tlm::tlm_dmi& dmi);
    unsigned transport_dbg(int initiator, tlm::tlm_generic_payload& trans);
    void invalidate_dmi(int id, sc_dt::uint64 start, sc_dt::uint64 end);

    std::vector<Range> ranges_;
    mutable int last_found_ = -1; // ranges do not overlap (map), so checking it first finds the same range
    std::vector<std::unique_ptr<InitiatorSocket>> sockets_;
    u64 unmapped_ = 0;
    FaultListener on_fault_;
};

} // namespace smpsim::platform
