// The Ethernet port between a NIC and its wire, in the spirit of QEMU's NetClientState peers: the NIC
// model implements EthernetNicPort (QEMU: the NIC's receive, can_receive and link_status_changed), the
// wire side (a link partner, a capture replay) implements EthernetWirePort (QEMU: the netdev peer). Each
// side knows the other only through these interfaces; the platform connects them. Frames carry no FCS.
#pragma once
#include "sim/core/types.h"

#include <span>

namespace smpsim {

// What became of a frame the wire handed to a NIC.
enum class EthRxStatus : u8 {
    Delivered,   // written to a receive queue in guest memory
    RxDisabled,  // receive is disabled, or the frame's queue is not enabled
    RingFull,    // the frame's queue had no free descriptor
    Oversize,    // longer than the NIC accepts
    Undersize,   // shorter than an Ethernet header
    NoBusMaster, // the NIC may not do DMA
    Filtered,    // refused by the NIC's address or VLAN filters
};
struct EthRxResult {
    EthRxStatus status = EthRxStatus::Delivered;
    unsigned queue = 0; // the receive queue chosen (Delivered and RingFull)
    u32 descriptor = 0; // the descriptor written back (Delivered)
};

class EthernetNicPort {
  public:
    virtual ~EthernetNicPort() = default;
    // A frame arrives from the wire.
    virtual EthRxResult receive(std::span<const u8> frame) = 0;
    // Whether receive() would find room for this frame now; true also when the NIC would refuse it for a
    // reason waiting cannot cure (receive disabled, filtered, ...). A sender that must not lose frames
    // holds them while this is false (QEMU's can_receive).
    virtual bool can_receive(std::span<const u8> frame) const = 0;
    // The link came up or went down (the partner's carrier).
    virtual void set_link(bool up) = 0;
};

class EthernetWirePort {
  public:
    virtual ~EthernetWirePort() = default;
    // A frame the NIC transmitted.
    virtual void transmit(std::span<const u8> frame) = 0;
    // The NIC may now take frames that can_receive() refused before (QEMU: qemu_flush_queued_packets).
    virtual void receive_possible() = 0;
};

} // namespace smpsim
