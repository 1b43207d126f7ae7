#include "sim/platform/router.h"

#include "sim/core/bus_fault.h"
#include "sim/core/error.h"

#include <fmt/format.h>

namespace smpsim::platform {

Router::Router(sc_core::sc_module_name name) : sc_module(name), target("target") {
    target.register_b_transport(this, &Router::b_transport);
    target.register_get_direct_mem_ptr(this, &Router::get_direct_mem_ptr);
    target.register_transport_dbg(this, &Router::transport_dbg);
}

Router::InitiatorSocket& Router::map(u64 base, u64 size, const std::string& device) {
    for (const Range& r : ranges_)
        if (base < r.base + r.size && r.base < base + size)
            throw InternalError(
                fmt::format("{}: {} at {:#x} overlaps {} at {:#x}", name(), device, base, r.device, r.base));
    ranges_.push_back({base, size, device});
    const int id = int(sockets_.size());
    auto socket = std::make_unique<InitiatorSocket>(fmt::format("to_{}", device).c_str());
    socket->register_invalidate_direct_mem_ptr(this, &Router::invalidate_dmi, id);
    sockets_.push_back(std::move(socket));
    return *sockets_.back();
}

int Router::find(u64 addr) const {
    // A device polled in a loop (the PIT while the guest calibrates, a NIC's registers) is asked again
    // and again: the range found last is tried first.
    if (last_found_ >= 0) {
        const Range& r = ranges_[size_t(last_found_)];
        if (addr >= r.base && addr - r.base < r.size) return last_found_;
    }
    for (size_t i = 0; i < ranges_.size(); ++i)
        if (addr >= ranges_[i].base && addr - ranges_[i].base < ranges_[i].size) return last_found_ = int(i);
    return -1;
}

void Router::b_transport(int initiator, tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
    const u64 addr = trans.get_address();
    const int i = find(addr);
    if (i < 0) {
        ++unmapped_;
        if (trans.is_read()) fill_all_ones(trans.get_data_ptr(), trans.get_data_length());
        trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        if (on_fault_) on_fault_(initiator, addr, trans.get_data_length(), trans.is_write());
        return;
    }
    trans.set_address(addr - ranges_[i].base);
    (*sockets_[i])->b_transport(trans, delay);
    trans.set_address(addr);
}

bool Router::get_direct_mem_ptr(int, tlm::tlm_generic_payload& trans, tlm::tlm_dmi& dmi) {
    const u64 addr = trans.get_address();
    const int i = find(addr);
    if (i < 0) return false;
    trans.set_address(addr - ranges_[i].base);
    const bool ok = (*sockets_[i])->get_direct_mem_ptr(trans, dmi);
    trans.set_address(addr);
    if (ok) {
        // Translate back into this router's address space and clip to the mapped range.
        const u64 base = ranges_[i].base;
        dmi.set_start_address(dmi.get_start_address() + base);
        dmi.set_end_address(std::min<u64>(dmi.get_end_address() + base, base + ranges_[i].size - 1));
    }
    return ok;
}

unsigned Router::transport_dbg(int, tlm::tlm_generic_payload& trans) {
    const u64 addr = trans.get_address();
    const int i = find(addr);
    if (i < 0) return 0;
    trans.set_address(addr - ranges_[i].base);
    const unsigned n = (*sockets_[i])->transport_dbg(trans);
    trans.set_address(addr);
    return n;
}

void Router::invalidate_dmi(int id, sc_dt::uint64 start, sc_dt::uint64 end) {
    const u64 base = ranges_[size_t(id)].base;
    for (unsigned i = 0; i < target.size(); ++i)
        target[i]->invalidate_direct_mem_ptr(start + base, end + base);
}

} // namespace smpsim::platform
