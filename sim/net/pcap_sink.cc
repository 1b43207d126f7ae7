#include "sim/net/pcap_sink.h"

#include "sim/core/error.h"
#include "sim/net/pcap_source.h"

#include <fmt/format.h>
#include <pcap/pcap.h>

#include <cstdio>

namespace smpsim::net {

PcapSink::PcapSink(const std::string& path) : path_(path) {
    handle_ = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, kMaxCaptureLength, PCAP_TSTAMP_PRECISION_NANO);
    if (!handle_) throw InputError(fmt::format("{}: cannot create pcap writer", path));
    dumper_ = pcap_dump_open(handle_, path.c_str());
    if (!dumper_) {
        const std::string reason = pcap_geterr(handle_);
        pcap_close(handle_);
        throw InputError(fmt::format("{}: cannot create capture file: {}", path, reason));
    }
}

PcapSink::~PcapSink() {
    pcap_dump_close(dumper_); // flushes
    pcap_close(handle_);
}

void PcapSink::write(u64 timestamp_ns, std::span<const u8> frame) {
    pcap_pkthdr header{};
    header.ts.tv_sec = static_cast<time_t>(timestamp_ns / 1'000'000'000ull);
    header.ts.tv_usec = static_cast<suseconds_t>(timestamp_ns % 1'000'000'000ull); // ns: NANO precision
    header.caplen = header.len = static_cast<bpf_u_int32>(frame.size());
    pcap_dump(reinterpret_cast<u_char*>(dumper_), &header, frame.data());
    ++frames_;
}

void PcapSink::flush() {
    pcap_dump_flush(dumper_);
}

void PcapSink::finish() {
    if (pcap_dump_flush(dumper_) != 0 || std::ferror(pcap_dump_file(dumper_)))
        throw InputError(fmt::format("{}: cannot write the capture file", path_));
}

} // namespace smpsim::net
