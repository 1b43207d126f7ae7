// What the wire side tells an observer about each received frame, for per-packet reports (sim/report):
// when the frame arrived on the wire and when the NIC wrote its RX descriptor back, and where (queue and
// descriptor index, the id the guest's markers name it by). Called from the wire's SystemC thread.
#pragma once
#include "sim/core/types.h"

namespace smpsim {

class PacketEventObserver {
  public:
    virtual ~PacketEventObserver() = default;
    // A frame due on the wire at `wire_ns` (the capture's pacing; later when the link partner held it for
    // lack of a descriptor) was written to RX `queue`, descriptor `descriptor`, its write-back done at
    // `writeback_ns` (simulated ns).
    virtual void rx_written_back(unsigned queue, u32 descriptor, u64 wire_ns, u64 writeback_ns) = 0;
};

} // namespace smpsim
