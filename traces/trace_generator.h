// The project's own captures, generated deterministically (no randomness beyond a fixed-seed generator
// used through its raw output, which the C++ standard pins down): traces/mixed.pcap, traces/mixed.pcapng
// and the benchmark's UDP flood. Frames are built here, independently of sim/igb's parser.
#pragma once
#include "sim/core/types.h"

#include <string>
#include <vector>

namespace smpsim::traces {

struct TraceFrame {
    u64 timestamp_ns;
    std::vector<u8> data; // captured bytes
    u32 wire_len;         // original length (> data.size() for snaplen-truncated records)
};

// The mixed traffic: `flow_frames` frames of TCP/UDP/ICMP flows plus every special case once or twice
// (ARP incl. a 42-byte runt, VLAN, fragments, bad checksums, oversize, truncated, IPv6). Timestamps start
// at `start_ns`, 50 µs apart, with bursts; `sub_microsecond` adds a sub-µs part (for the ns pcapng).
std::vector<TraceFrame> mixed_frames(unsigned flow_frames, u64 seed, u64 start_ns, bool sub_microsecond);

// Minimum-size (60-byte) UDP frames over 256 flows to 10.0.0.2, back to back at 1 Gb/s (672 ns apart).
std::vector<TraceFrame> udp_flood_frames(u64 count);

// Writers. InputError if the file cannot be created.
void write_pcap(const std::string& path, const std::vector<TraceFrame>& frames, bool nanosecond);
void write_pcapng(const std::string& path, const std::vector<TraceFrame>& frames); // ns resolution

// The committed files: mixed.pcap (µs) and mixed.pcapng (ns) in `directory`.
void write_committed_traces(const std::string& directory);

} // namespace smpsim::traces
