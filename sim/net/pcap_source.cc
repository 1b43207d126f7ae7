#include "sim/net/pcap_source.h"

#include "sim/core/error.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fmt/format.h>
#include <memory>
#include <pcap/pcap.h>

namespace smpsim::net {
namespace {

struct PcapCloser {
    void operator()(pcap_t* handle) const { pcap_close(handle); }
};

std::string link_type_name(int link_type) {
    const char* name = pcap_datalink_val_to_name(link_type);
    return name ? fmt::format("{} ({})", name, link_type) : fmt::format("{}", link_type);
}

} // namespace

PcapSource::PcapSource(const std::string& path) : path_(path) {
    check_input_file(path, "capture", kMaxCaptureFileBytes);
    // Opening with fopen first separates "no such file" from "not a capture" in the message.
    if (std::FILE* probe = std::fopen(path.c_str(), "rb")) {
        std::fclose(probe);
    } else {
        throw InputError(fmt::format("{}: cannot open capture file: {}", path, std::strerror(errno)));
    }
    char errbuf[PCAP_ERRBUF_SIZE] = {};
    std::unique_ptr<pcap_t, PcapCloser> handle(
        pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_NANO, errbuf));
    if (!handle) throw InputError(fmt::format("{}: not a pcap or pcapng capture ({})", path, errbuf));

    link_type_ = pcap_datalink(handle.get());
    if (link_type_ != DLT_EN10MB)
        throw InputError(
            fmt::format("{}: link type {} is not Ethernet (EN10MB)", path, link_type_name(link_type_)));

    struct Record {
        u64 timestamp_ns;
        u32 wire_len;
        size_t offset, length;
    };
    std::vector<Record> records;
    for (size_t number = 1;; ++number) {
        pcap_pkthdr* header = nullptr;
        const u_char* data = nullptr;
        const int status = pcap_next_ex(handle.get(), &header, &data);
        if (status == PCAP_ERROR_BREAK) break; // end of file
        if (status != 1)
            throw InputError(fmt::format("{}: packet {}: truncated or corrupt record ({})", path, number,
                                         pcap_geterr(handle.get())));
        if (header->caplen > kMaxCaptureLength)
            throw InputError(fmt::format("{}: packet {}: captured length {} exceeds {}", path, number,
                                         header->caplen, kMaxCaptureLength));
        // With nanosecond precision tv_usec holds nanoseconds. Seconds are unsigned 32-bit in both formats'
        // common use; a negative value can only come from a corrupt pcapng stamp, read it as 0.
        const u64 seconds = header->ts.tv_sec < 0 ? 0 : static_cast<u64>(header->ts.tv_sec);
        const u64 fraction = header->ts.tv_usec < 0 ? 0 : static_cast<u64>(header->ts.tv_usec);
        records.push_back(
            {seconds * 1'000'000'000ull + fraction, header->len, bytes_.size(), header->caplen});
        if (header->caplen > 0) bytes_.insert(bytes_.end(), data, data + header->caplen);
    }
    // Spans are made only now: bytes_ no longer moves.
    frames_.reserve(records.size());
    for (const Record& record : records)
        frames_.push_back({record.timestamp_ns, record.wire_len,
                           std::span<const u8>(bytes_.data() + record.offset, record.length)});
}

void PcapSource::rewrite(const FrameRewrite& rewrite) {
    if (!rewrite.any()) return;
    std::vector<u8> bytes;
    std::vector<std::pair<size_t, size_t>> pieces; // offset, length in bytes
    bytes.reserve(bytes_.size());
    for (CapturedFrame& frame : frames_) {
        const std::vector<u8> out = rewrite_frame(frame.data, rewrite);
        frame.wire_len -= u32(std::min<size_t>(frame.data.size() - out.size(), frame.wire_len));
        pieces.emplace_back(bytes.size(), out.size());
        bytes.insert(bytes.end(), out.begin(), out.end());
    }
    bytes_ = std::move(bytes);
    for (size_t i = 0; i < frames_.size(); ++i)
        frames_[i].data = std::span<const u8>(bytes_.data() + pieces[i].first, pieces[i].second);
}

} // namespace smpsim::net
