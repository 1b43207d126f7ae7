#include "sim/apic/apic_bus_router.h"

#include <tuple>

namespace smpsim::apic {

void ApicBusRouter::add_local_apic(LocalApic& apic) {
    local_.push_back(&apic);
    apic.set_bus(this);
}

void ApicBusRouter::add_io_apic(IoApic& ioapic) {
    io_.push_back(&ioapic);
    ioapic.set_bus(this);
}

std::vector<LocalApic*> ApicBusRouter::targets(const ApicMessage& message) const {
    std::vector<LocalApic*> out;
    for (LocalApic* apic : local_)
        if (apic->accepts(message)) out.push_back(apic);
    return out;
}

void ApicBusRouter::send(const ApicMessage& message) {
    ++messages_;
    // Decide every target before delivering: a delivery (INIT) may change the receiver's state.
    std::vector<LocalApic*> to = targets(message);
    if (to.empty()) {
        ++dropped_;
        return;
    }
    if (message.mode == DeliveryMode::LowestPriority) {
        LocalApic* best = to.front();
        for (LocalApic* apic : to)
            if (std::make_tuple(apic->arbitration_priority(), apic->id()) <
                std::make_tuple(best->arbitration_priority(), best->id()))
                best = apic;
        best->receive(message);
        return;
    }
    for (LocalApic* apic : to)
        apic->receive(message);
}

void ApicBusRouter::broadcast_eoi(u8 vector) {
    ++eois_;
    for (IoApic* ioapic : io_)
        ioapic->eoi(vector);
}

} // namespace smpsim::apic
