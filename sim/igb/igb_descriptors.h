// The 82576's advanced receive descriptor in its two formats, as named bit fields (in the style of gem5's
// i82094aa.hh redirection entry): the read format the driver posts, and the write-back format the device
// writes over it when a packet has landed ("Intel 82576 GbE Controller Datasheet", 7.1.5.1 and 7.1.5.2;
// Linux's union e1000_adv_rx_desc). A descriptor travels over the bus as 16 little-endian bytes:
// decode() and encode() convert, so nothing else depends on how the compiler lays out bit fields.
#pragma once
#include "sim/core/types.h"
#include "sim/igb/igb_regs.h"

#include <array>
#include <bit>
#include <cstring>

namespace smpsim::igb {

// The field layout below is the datasheet's on a little-endian host with GCC's and Clang's bit-field
// allocation (lowest bits first), which is what x86-64 hosts give.
static_assert(std::endian::native == std::endian::little,
              "descriptor bit fields assume a little-endian host");

using RawDescriptor = std::array<u8, reg::kDescriptorSize>;

// Read format: where the packet (and, with header split, its header) goes.
struct AdvRxDescRead {
    u64 packet_buffer_addr; // bytes 0-7
    u64 header_buffer_addr; // bytes 8-15; bit 0 is where the write-back's DD lands (the driver clears it)

    static AdvRxDescRead decode(const RawDescriptor& raw) {
        AdvRxDescRead d;
        std::memcpy(&d, raw.data(), sizeof d);
        return d;
    }
};
static_assert(sizeof(AdvRxDescRead) == reg::kDescriptorSize);

// Write-back format: what the device reports about the packet it wrote into the buffer.
struct AdvRxDescWriteBack {
    // Dword 0: RSS type, packet type, header length (split header: not modelled, 0), SPH.
    u32 rss_type : 4;
    u32 packet_type : 13;
    u32 header_length : 10;
    u32 reserved0 : 4;
    u32 split_header : 1;
    // Dword 1: the RSS hash when RXCSUM.PCSD is set; otherwise the IP identification (high half) and the
    // fragment checksum (low half, not modelled: 0).
    u32 rss_hash_or_ip_id;
    // Dword 2: extended status (bits 19:0, kRxdStatus*) and extended errors (bits 31:20, kRxdError*),
    // kept as one field because the kRxd* constants name their bits in the dword.
    u32 status_error;
    // Dword 3: the length of the data written to the buffer, and the VLAN tag stripped from it (CTRL.VME).
    u32 packet_length : 16;
    u32 vlan_tag : 16;

    AdvRxDescWriteBack()
        : rss_type(0), packet_type(0), header_length(0), reserved0(0), split_header(0), rss_hash_or_ip_id(0),
          status_error(0), packet_length(0), vlan_tag(0) {}

    RawDescriptor encode() const {
        RawDescriptor raw;
        std::memcpy(raw.data(), this, sizeof *this);
        return raw;
    }
    static AdvRxDescWriteBack decode(const RawDescriptor& raw) {
        AdvRxDescWriteBack d;
        std::memcpy(&d, raw.data(), sizeof d);
        return d;
    }
};
static_assert(sizeof(AdvRxDescWriteBack) == reg::kDescriptorSize);

} // namespace smpsim::igb
