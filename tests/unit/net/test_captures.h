// Capture files built byte by byte for the pcap tests: classic pcap (µs or ns magic, any link type) and
// pcapng (SHB, IDB with if_tsresol, EPBs), little-endian, plus temp-file helpers.
#pragma once
#include "sim/core/types.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>
#include <vector>

namespace smpsim::net::test {

struct Record {
    u64 timestamp_ns;
    std::vector<u8> data;
    u32 wire_len = 0; // 0: data.size()
};

inline void le16(std::vector<u8>& out, u16 v) {
    out.insert(out.end(), {static_cast<u8>(v), static_cast<u8>(v >> 8)});
}
inline void le32(std::vector<u8>& out, u32 v) {
    le16(out, static_cast<u16>(v));
    le16(out, static_cast<u16>(v >> 16));
}

inline std::vector<u8> make_pcap(const std::vector<Record>& records, bool nanosecond, u32 link_type = 1) {
    std::vector<u8> out;
    le32(out, nanosecond ? 0xa1b23c4d : 0xa1b2c3d4);
    le16(out, 2);
    le16(out, 4);
    le32(out, 0);
    le32(out, 0);
    le32(out, 65535);
    le32(out, link_type);
    for (const Record& r : records) {
        le32(out, static_cast<u32>(r.timestamp_ns / 1'000'000'000));
        const u64 fraction = r.timestamp_ns % 1'000'000'000;
        le32(out, static_cast<u32>(nanosecond ? fraction : fraction / 1000));
        le32(out, static_cast<u32>(r.data.size()));
        le32(out, r.wire_len ? r.wire_len : static_cast<u32>(r.data.size()));
        out.insert(out.end(), r.data.begin(), r.data.end());
    }
    return out;
}

inline void pcapng_block(std::vector<u8>& out, u32 type, const std::vector<u8>& body) {
    const u32 padded = static_cast<u32>((body.size() + 3) & ~size_t{3});
    le32(out, type);
    le32(out, padded + 12);
    out.insert(out.end(), body.begin(), body.end());
    out.resize(out.size() + (padded - body.size()), 0);
    le32(out, padded + 12);
}

// tsresol_exponent: 6 = µs (the pcapng default, no option written), 9 = ns.
inline std::vector<u8> make_pcapng(const std::vector<Record>& records, unsigned tsresol_exponent = 9,
                                   u16 link_type = 1) {
    std::vector<u8> out, body;
    le32(body, 0x1A2B3C4D);
    le16(body, 1);
    le16(body, 0);
    le32(body, 0xFFFFFFFF);
    le32(body, 0xFFFFFFFF); // section length unknown
    pcapng_block(out, 0x0A0D0D0A, body);
    body.clear();
    le16(body, link_type);
    le16(body, 0);
    le32(body, 0);
    if (tsresol_exponent != 6) {
        le16(body, 9); // if_tsresol
        le16(body, 1);
        body.insert(body.end(), {static_cast<u8>(tsresol_exponent), 0, 0, 0});
        le32(body, 0); // opt_endofopt
    }
    pcapng_block(out, 1, body);
    u64 units_per_second = 1;
    for (unsigned i = 0; i < tsresol_exponent; ++i)
        units_per_second *= 10;
    for (const Record& r : records) {
        body.clear();
        const u64 ts = r.timestamp_ns / (1'000'000'000 / units_per_second);
        le32(body, 0);
        le32(body, static_cast<u32>(ts >> 32));
        le32(body, static_cast<u32>(ts));
        le32(body, static_cast<u32>(r.data.size()));
        le32(body, r.wire_len ? r.wire_len : static_cast<u32>(r.data.size()));
        body.insert(body.end(), r.data.begin(), r.data.end());
        pcapng_block(out, 6, body);
    }
    return out;
}

// A directory under the system temp dir, removed with its contents at scope end.
class TempDir {
  public:
    TempDir() {
        path_ = base() / ("smpsim_net_" + std::to_string(::getpid()) + "_" + std::to_string(counter()++));
        std::filesystem::create_directories(path_);
    }
    ~TempDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    std::string file(const std::string& name) const { return (path_ / name).string(); }
    std::string write(const std::string& name, const std::vector<u8>& bytes) const {
        const std::string p = file(name);
        std::ofstream(p, std::ios::binary)
            .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
        return p;
    }

  private:
    // The fuzz tests write thousands of small files; on some container filesystems each create costs
    // milliseconds, so prefer tmpfs when TMPDIR does not say otherwise.
    static std::filesystem::path base() {
        std::error_code ec;
        if (!std::getenv("TMPDIR") && std::filesystem::is_directory("/dev/shm", ec) &&
            ::access("/dev/shm", W_OK) == 0)
            return "/dev/shm";
        return std::filesystem::temp_directory_path();
    }
    static int& counter() {
        static int value = 0;
        return value;
    }
    std::filesystem::path path_;
};

inline std::vector<u8> read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

} // namespace smpsim::net::test
