// Test bench for IgbCore: a fake host over a std::vector RAM that records what the device did, frame
// builders, and a few "driver" helpers that program the registers as Linux's igb does.
#pragma once
#include "sim/igb/igb_core.h"
#include "sim/igb/igb_regs.h"
#include "sim/igb/packet.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <utility>
#include <vector>

namespace smpsim::igb::test {

using namespace smpsim::igb::reg;

class FakeHost : public IgbHost {
  public:
    explicit FakeHost(size_t ram_bytes = 1 << 20) : ram(ram_bytes, 0) {}

    bool dma_read(u64 addr, void* dst, u32 size) override {
        if (addr + size > ram.size() || addr + size < addr) return false;
        std::memcpy(dst, ram.data() + addr, size);
        return true;
    }
    bool dma_write(u64 addr, const void* src, u32 size) override {
        if (addr + size > ram.size() || addr + size < addr) return false;
        std::memcpy(ram.data() + addr, src, size);
        ++dma_writes;
        return true;
    }
    void signal_msix(unsigned vector) override { msix.push_back(vector); }
    void signal_msi() override { ++msi; }
    void set_intx(bool asserted) override {
        intx = asserted;
        intx_changes.push_back(asserted);
    }
    void transmit(std::span<const u8> frame) override { sent.emplace_back(frame.begin(), frame.end()); }
    void dma_fault(u64 addr, std::string_view what) override { faults.emplace_back(addr, std::string(what)); }

    u32 load32(u64 addr) const {
        u32 v;
        std::memcpy(&v, ram.data() + addr, 4);
        return v;
    }
    u64 load64(u64 addr) const {
        u64 v;
        std::memcpy(&v, ram.data() + addr, 8);
        return v;
    }
    void store32(u64 addr, u32 v) { std::memcpy(ram.data() + addr, &v, 4); }
    void store64(u64 addr, u64 v) { std::memcpy(ram.data() + addr, &v, 8); }
    std::vector<u8> bytes(u64 addr, size_t n) const {
        return std::vector<u8>(ram.begin() + long(addr), ram.begin() + long(addr + n));
    }

    std::vector<u8> ram;
    std::vector<unsigned> msix;
    unsigned msi = 0;
    bool intx = false;
    std::vector<bool> intx_changes;
    std::vector<std::vector<u8>> sent;
    std::vector<std::pair<u64, std::string>> faults;
    unsigned dma_writes = 0;
};

inline const std::array<u8, 6> kOurMac{0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
inline const std::array<u8, 6> kPeerMac{0x02, 0x00, 0x00, 0xAA, 0xBB, 0xCC};

// An Ethernet + IPv4 + UDP/TCP frame with correct checksums (no FCS).
struct FrameSpec {
    std::array<u8, 6> dst = kOurMac;
    std::array<u8, 6> src = kPeerMac;
    bool vlan = false;
    u16 vlan_tci = 0;
    u8 protocol = kIpProtoUdp;
    u32 src_ip = 0xC0A80001, dst_ip = 0xC0A80002; // 192.168.0.1 -> 192.168.0.2
    u16 src_port = 1234, dst_port = 80;
    size_t payload = 18;
    bool corrupt_ip_checksum = false;
};

inline std::vector<u8> make_frame(const FrameSpec& spec) {
    std::vector<u8> f;
    f.insert(f.end(), spec.dst.begin(), spec.dst.end());
    f.insert(f.end(), spec.src.begin(), spec.src.end());
    if (spec.vlan) {
        f.push_back(0x81);
        f.push_back(0x00);
        f.push_back(u8(spec.vlan_tci >> 8));
        f.push_back(u8(spec.vlan_tci));
    }
    f.push_back(0x08);
    f.push_back(0x00);
    const size_t ip = f.size();
    const size_t l4_len = (spec.protocol == kIpProtoTcp ? 20 : 8) + spec.payload;
    const size_t total = 20 + l4_len;
    const u8 ip_header[20] = {0x45,
                              0,
                              u8(total >> 8),
                              u8(total),
                              0x12,
                              0x34,
                              0,
                              0,
                              64,
                              spec.protocol,
                              0,
                              0,
                              u8(spec.src_ip >> 24),
                              u8(spec.src_ip >> 16),
                              u8(spec.src_ip >> 8),
                              u8(spec.src_ip),
                              u8(spec.dst_ip >> 24),
                              u8(spec.dst_ip >> 16),
                              u8(spec.dst_ip >> 8),
                              u8(spec.dst_ip)};
    f.insert(f.end(), ip_header, ip_header + 20);
    u16 ip_sum = u16(~ones_complement_sum(std::span<const u8>(f.data() + ip, 20)));
    if (spec.corrupt_ip_checksum) ip_sum ^= 0x5555;
    f[ip + 10] = u8(ip_sum >> 8);
    f[ip + 11] = u8(ip_sum);
    const size_t l4 = f.size();
    f.resize(l4 + l4_len, 0);
    f[l4 + 0] = u8(spec.src_port >> 8);
    f[l4 + 1] = u8(spec.src_port);
    f[l4 + 2] = u8(spec.dst_port >> 8);
    f[l4 + 3] = u8(spec.dst_port);
    size_t checksum_at;
    if (spec.protocol == kIpProtoTcp) {
        f[l4 + 12] = 0x50; // data offset 5
        f[l4 + 13] = 0x18; // PSH|ACK
        checksum_at = l4 + 16;
    } else {
        f[l4 + 4] = u8(l4_len >> 8);
        f[l4 + 5] = u8(l4_len);
        checksum_at = l4 + 6;
    }
    for (size_t i = 0; i < spec.payload; ++i)
        f[f.size() - spec.payload + i] = u8(i * 7 + 1);
    // Pseudo header: addresses, protocol, L4 length.
    std::vector<u8> pseudo(f.begin() + long(ip + 12), f.begin() + long(ip + 20));
    pseudo.push_back(0);
    pseudo.push_back(spec.protocol);
    pseudo.push_back(u8(l4_len >> 8));
    pseudo.push_back(u8(l4_len));
    u32 partial = ones_complement_sum(pseudo);
    u16 sum = u16(~ones_complement_sum(std::span<const u8>(f.data() + l4, l4_len), partial));
    if (spec.protocol == kIpProtoUdp && sum == 0) sum = 0xFFFF;
    f[checksum_at] = u8(sum >> 8);
    f[checksum_at + 1] = u8(sum);
    return f;
}

// Addresses in the fake RAM.
inline constexpr u64 kRxRing = 0x10000;    // 16 queues x 0x1000
inline constexpr u64 kRxBuffers = 0x40000; // 2 KB per descriptor
inline constexpr u64 kTxRing = 0x30000;
inline constexpr u64 kTxBuffers = 0xC0000;
inline constexpr u32 kRxBufferSize = 2048;

struct Bench {
    FakeHost host;
    IgbCore core{IgbConfig{}, host};

    Bench() {
        core.set_bus_master(true);
        core.set_link(true);
        core.write(ICR, ~0u); // drop the link-up cause; tests start with nothing pending
        host.msix.clear();
        host.msi = 0;
        host.intx_changes.clear();
    }

    u64 rx_ring(unsigned q) const { return kRxRing + 0x1000 * q; }
    u64 rx_buffer(unsigned q, unsigned i) const { return kRxBuffers + (q * 16 + i) * u64(kRxBufferSize); }

    // As igb_configure_rx_ring: ring, 2 KB advanced one-buffer descriptors, enable, then post all but one.
    void setup_rx_queue(unsigned q, unsigned descriptors = 8, unsigned posted = 7) {
        core.write(rxq(q, kQDescCtl), 0);
        core.write(rxq(q, kQBaseLow), u32(rx_ring(q)));
        core.write(rxq(q, kQBaseHigh), u32(rx_ring(q) >> 32));
        core.write(rxq(q, kQLength), descriptors * kDescriptorSize);
        core.write(rxq(q, kQHead), 0);
        core.write(rxq(q, kQTail), 0);
        core.write(rxq(q, kQSrrctl), 2 | (1u << kSrrctlDescTypeShift));
        core.write(rxq(q, kQDescCtl), kQueueEnable | (1u << 16));
        for (unsigned i = 0; i < descriptors; ++i)
            post_rx_descriptor(q, i);
        core.write(rxq(q, kQTail), posted);
    }
    void post_rx_descriptor(unsigned q, unsigned i) {
        host.store64(rx_ring(q) + 16 * i, rx_buffer(q, i));
        host.store64(rx_ring(q) + 16 * i + 8, 0);
    }
    void enable_rx(u32 extra = 0) { core.write(RCTL, kRctlEnable | kRctlBroadcastAccept | extra); }

    // MSI-X with one vector per queue pair, as igb_configure_msix + igb_irq_enable on an 82576.
    void setup_msix(u32 vectors_mask) {
        core.set_interrupt_mode(InterruptMode::Msix);
        core.write(GPIE,
                   kGpieMultipleMsix | kGpiePbaSupport | kGpieAutoMaskEnable | kGpieNonSelectiveClearOnRead);
        core.write(EIAC, vectors_mask);
        core.write(EIAM, vectors_mask);
        core.write(EIMS, vectors_mask);
    }
    void map_rx_queue(unsigned q, unsigned vector) {
        const unsigned entry = q < 8 ? q * 4 : (q - 8) * 4 + 2;
        const u32 off = IVAR0 + 4 * (entry / 4), shift = 8 * (entry % 4);
        core.write(off, (core.read(off) & ~(0xFFu << shift)) | ((vector | kIvarValid) << shift));
    }
    void map_tx_queue(unsigned q, unsigned vector) {
        const unsigned entry = (q < 8 ? q * 4 : (q - 8) * 4 + 2) + 1;
        const u32 off = IVAR0 + 4 * (entry / 4), shift = 8 * (entry % 4);
        core.write(off, (core.read(off) & ~(0xFFu << shift)) | ((vector | kIvarValid) << shift));
    }

    // Write-back fields of RX descriptor i of queue q.
    u32 wb_dword0(unsigned q, unsigned i) const { return host.load32(rx_ring(q) + 16 * i); }
    u32 wb_rss_hash(unsigned q, unsigned i) const { return host.load32(rx_ring(q) + 16 * i + 4); }
    u32 wb_status(unsigned q, unsigned i) const { return host.load32(rx_ring(q) + 16 * i + 8); }
    u16 wb_length(unsigned q, unsigned i) const { return u16(host.load32(rx_ring(q) + 16 * i + 12)); }
    u16 wb_vlan(unsigned q, unsigned i) const { return u16(host.load32(rx_ring(q) + 16 * i + 12) >> 16); }
};

} // namespace smpsim::igb::test
