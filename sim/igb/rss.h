// Receive-side scaling as the 82576 does it: the Toeplitz hash of the Microsoft RSS specification over
// the fields MRQC enables, and the RSS type the advanced RX descriptor reports. The redirection table
// (RETA) lookup of hash[6:0] belongs to the device core.
#pragma once
#include "sim/core/types.h"
#include "sim/igb/packet.h"

#include <array>
#include <span>

namespace smpsim::igb {

inline constexpr unsigned kRssKeyLen = 40; // RSSRK0..9, byte order as the key is defined

// Toeplitz hash (Microsoft RSS spec): for every set input bit i (MSB of input[0] first), XOR in the 32 key
// bits starting at bit i. The key should be >= input_len + 4 bytes; bits past its end count as zero.
// Plain bit-by-bit version, kept as the readable definition.
u32 toeplitz_hash(std::span<const u8> key, std::span<const u8> input);

// Fast equivalent for a fixed key: one table lookup per input byte (36 positions x 256 values).
class ToeplitzTable {
  public:
    static constexpr unsigned kMaxInput = 36; // IPv6 addresses + ports
    explicit ToeplitzTable(std::span<const u8, kRssKeyLen> key);
    // Same result as toeplitz_hash(key, input); input longer than kMaxInput bytes is an InternalError.
    u32 hash(std::span<const u8> input) const;
    const std::array<u8, kRssKeyLen>& key() const { return key_; }

  private:
    std::array<u8, kRssKeyLen> key_{};
    std::array<std::array<u32, 256>, kMaxInput> table_{};
};

// MRQC (0x5818) bits, 82576 datasheet 8.10.x "Multiple Receive Queues Command" (values as in Linux igb
// e1000_defines.h / e1000_82575.h). MRQE (bits 2:0) selects the multiple-queue mode.
inline constexpr u32 kMrqcMrqeMask = 0x7;
inline constexpr u32 kMrqcMrqeRss = 0x2;     // RSS only (Linux E1000_MRQC_ENABLE_RSS_MQ)
inline constexpr u32 kMrqcMrqeVmdq = 0x3;    // VMDq only
inline constexpr u32 kMrqcMrqeVmdqRss = 0x5; // VMDq + RSS
// MRQC.RSS field-enable bits: which inputs may be hashed.
inline constexpr u32 kMrqcRssFieldIpv4Tcp = 1u << 16, kMrqcRssFieldIpv4 = 1u << 17,
                     kMrqcRssFieldIpv6TcpEx = 1u << 18, kMrqcRssFieldIpv6Ex = 1u << 19,
                     kMrqcRssFieldIpv6 = 1u << 20, kMrqcRssFieldIpv6Tcp = 1u << 21,
                     kMrqcRssFieldIpv4Udp = 1u << 22, kMrqcRssFieldIpv6Udp = 1u << 23,
                     kMrqcRssFieldIpv6UdpEx = 1u << 24;

// RSS Type of the advanced RX write-back descriptor (bits 3:0 of the first dword).
inline constexpr u8 kRssTypeNone = 0, kRssTypeIpv4Tcp = 1, kRssTypeIpv4 = 2, kRssTypeIpv6Tcp = 3,
                    kRssTypeIpv6Ex = 4, kRssTypeIpv6 = 5, kRssTypeIpv6TcpEx = 6, kRssTypeIpv4Udp = 7,
                    kRssTypeIpv6Udp = 8, kRssTypeIpv6UdpEx = 9;

struct RssResult {
    u32 hash = 0;
    u8 type = 0;
};

// Chooses the input the datasheet prescribes for this packet and these enabled fields (IPv4+TCP: src ip,
// dst ip, src port, dst port; IPv4: src ip, dst ip; IPv4+UDP when enabled; fragments hash as IPv4 only;
// IPv6 likewise with 16-byte addresses); type 0 / hash 0 when nothing applies. `key` is the 40-byte
// RSSRK contents in byte order. MRQE is not looked at: whether RSS is on is the caller's decision.
// Caches the lookup table of the last key used (per thread), so a steady key costs one 40-byte compare.
RssResult rss_hash(const PacketInfo& info, std::span<const u8> frame, u32 mrqc, std::span<const u8, 40> key);
// The same with a table the caller keeps.
RssResult rss_hash(const PacketInfo& info, std::span<const u8> frame, u32 mrqc, const ToeplitzTable& table);

// The Microsoft specification's sample key (6d 5a 56 da ...), handy for tests and defaults.
extern const std::array<u8, kRssKeyLen> kMicrosoftRssKey;

} // namespace smpsim::igb
