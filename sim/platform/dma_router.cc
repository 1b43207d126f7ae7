#include "sim/platform/dma_router.h"

#include "sim/apic/msi.h"
#include "sim/core/bus_fault.h"

#include <cstring>

namespace smpsim::platform {

DmaRouter::DmaRouter(sc_core::sc_module_name name, std::span<u8> ram, cache_mesi::MemorySystem* caches,
                     ApicBus& apic_bus, sc_core::sc_time cycle)
    : sc_module(name), socket("socket"), ram_(ram), apic_bus_(apic_bus), cycle_(cycle) {
    if (caches) coherent_ = std::make_unique<cache_mesi::DmaPort>(*caches, &now_cycles_);
    socket.register_b_transport(this, &DmaRouter::b_transport);
}

void DmaRouter::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
    const u64 addr = trans.get_address();
    const u32 len = trans.get_data_length();
    u8* data = trans.get_data_ptr();
    if (apic::is_msi_address(addr)) {
        // Only a dword write is a message; reads of the interrupt range return nothing useful.
        if (trans.is_write() && len == 4) {
            u32 value = 0;
            std::memcpy(&value, data, 4);
            if (on_msi_) on_msi_(addr, value);
            apic_bus_.send(apic::msi_message(addr, value));
            ++messages_;
            trans.set_response_status(tlm::TLM_OK_RESPONSE);
        } else {
            unsupported_request(trans);
        }
        return;
    }
    if (len == 0 || addr >= ram_.size() || len > ram_.size() - addr) return unsupported_request(trans);
    if (coherent_) {
        now_cycles_ = u64((sc_core::sc_time_stamp() + delay) / cycle_);
        const MemoryResult r = trans.is_write() ? coherent_->write(addr, data, len, AccessKind::Dma)
                                                : coherent_->read(addr, data, len, AccessKind::Dma);
        delay += cycle_ * double(r.latency_cycles);
    } else if (trans.is_write()) {
        std::memcpy(ram_.data() + addr, data, len);
    } else {
        std::memcpy(data, ram_.data() + addr, len);
    }
    if (trans.is_write()) {
        bytes_written_ += len;
        if (on_ram_write_) on_ram_write_(addr, len);
    } else {
        bytes_read_ += len;
    }
    trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

void DmaRouter::unsupported_request(tlm::tlm_generic_payload& trans) {
    ++faults_;
    if (trans.is_read()) fill_all_ones(trans.get_data_ptr(), trans.get_data_length());
    trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
}

} // namespace smpsim::platform
