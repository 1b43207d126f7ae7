// The APIC bus of one machine: delivers interrupt messages (ICR writes, I/O APIC redirections, MSI
// writes) to the local APICs their destination selects, and EOIs of level-triggered vectors to every
// I/O APIC. Plain C++; the platform owns one and hands it to each APIC with set_bus().
#pragma once
#include "sim/apic/io_apic.h"
#include "sim/apic/local_apic.h"
#include "sim/core/interrupt.h"

#include <vector>

namespace smpsim::apic {

class ApicBusRouter final : public ApicBus {
  public:
    // Registers an APIC and points its bus at this router.
    void add_local_apic(LocalApic& apic);
    void add_io_apic(IoApic& ioapic);

    // Fixed, NMI, INIT, SIPI, ExtINT: every accepting local APIC. Lowest priority: the accepting APIC
    // with the lowest arbitration priority, ties to the lowest APIC ID (SDM 10.6.2.4 leaves the choice to
    // the hardware; this one is deterministic). A message nobody accepts is dropped and counted.
    void send(const ApicMessage& message) override;
    void broadcast_eoi(u8 vector) override;

    // The local APICs `message` would reach (in registration order), before lowest-priority selection.
    std::vector<LocalApic*> targets(const ApicMessage& message) const;

    u64 messages() const { return messages_; }
    u64 dropped() const { return dropped_; }
    u64 eois() const { return eois_; }

  private:
    std::vector<LocalApic*> local_;
    std::vector<IoApic*> io_;
    u64 messages_ = 0, dropped_ = 0, eois_ = 0;
};

} // namespace smpsim::apic
