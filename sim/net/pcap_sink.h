// Frames the NIC transmits, written to an Ethernet pcap with nanosecond timestamps (simulated time).
#pragma once
#include "sim/core/types.h"

#include <span>
#include <string>

struct pcap;
struct pcap_dumper;

namespace smpsim::net {

class PcapSink {
  public:
    // InputError if the file cannot be created.
    explicit PcapSink(const std::string& path);
    ~PcapSink(); // flushes and closes
    PcapSink(const PcapSink&) = delete;
    PcapSink& operator=(const PcapSink&) = delete;

    // caplen = len = frame.size() (the frame without FCS).
    void write(u64 timestamp_ns, std::span<const u8> frame);
    void flush();
    // Flushes and checks that every frame reached the file: InputError otherwise (a full disk).
    void finish();
    u64 frames() const { return frames_; }

  private:
    std::string path_;
    pcap* handle_ = nullptr;
    pcap_dumper* dumper_ = nullptr;
    u64 frames_ = 0;
};

} // namespace smpsim::net
