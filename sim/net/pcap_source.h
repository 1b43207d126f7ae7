// A capture file read whole before the run starts, so every input error (missing file, not a capture,
// wrong link type, a truncated record) stops the simulator before the first simulated nanosecond.
#pragma once
#include "sim/core/types.h"
#include "sim/net/frame_rewrite.h"

#include <span>
#include <string>
#include <vector>

namespace smpsim::net {

// Largest caplen accepted: libpcap's MAXIMUM_SNAPLEN, far above any Ethernet frame.
inline constexpr u32 kMaxCaptureLength = 262144;
// The largest capture file a replay reads (it is held in memory whole): 1 GiB.
inline constexpr unsigned long long kMaxCaptureFileBytes = 1ull << 30;

struct CapturedFrame {
    u64 timestamp_ns; // as recorded (µs captures are scaled to ns)
    u32 wire_len;     // length on the wire ("len"); may exceed data.size() for snaplen-truncated records
    std::span<const u8> data; // caplen = data.size(); may be empty
};

class PcapSource {
  public:
    // pcap (µs or ns magic) and pcapng via libpcap (nanosecond precision). InputError with a one-line
    // message naming the file: cannot open, not a capture, link type not Ethernet (named), a truncated or
    // corrupt record (its 1-based packet number), caplen > 262144.
    explicit PcapSource(const std::string& path);

    PcapSource(const PcapSource&) = delete; // frames point into bytes_
    PcapSource& operator=(const PcapSource&) = delete;
    PcapSource(PcapSource&&) = default;
    PcapSource& operator=(PcapSource&&) = default;

    size_t size() const { return frames_.size(); }
    const CapturedFrame& frame(size_t i) const { return frames_.at(i); } // in file order
    const std::vector<CapturedFrame>& frames() const { return frames_; }
    int link_type() const { return link_type_; } // DLT_ value (1 = Ethernet)
    u64 first_timestamp_ns() const { return frames_.empty() ? 0 : frames_.front().timestamp_ns; }
    const std::string& path() const { return path_; }
    // Rewrites every frame (frame_rewrite.h); a stripped tag shortens both caplen and the wire length.
    void rewrite(const FrameRewrite& rewrite);

  private:
    std::string path_;
    int link_type_ = 0;
    std::vector<u8> bytes_; // every record's data, back to back
    std::vector<CapturedFrame> frames_;
};

} // namespace smpsim::net
