// rss_reference PCAP SUMMARY_JSON
//
// Recomputes, independently of sim/igb, which receive queue the 82576 puts each frame of a capture on:
// the acceptance rules of the replay (snaplen-truncated, empty and oversize frames are skipped), the
// 82576's choice of hash input from MRQC, the Toeplitz hash done bit by bit from the Microsoft RSS
// definition, and the 128-entry redirection table. Reads rss_key / reta / mrqc / max_frame from the
// replay's summary JSON; prints {"per_queue": [16 counts], "accepted": N, ...} on stdout.
// Exit status 0 on success, 2 on bad input (one line on stderr).
#include <pcap/pcap.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using Bytes = std::vector<std::uint8_t>;

struct Config {
    Bytes key;                        // 40 bytes
    std::array<unsigned, 128> reta{}; // queue per hash[6:0]
    std::uint32_t mrqc = 0;
    unsigned max_frame = 1518; // including the 4-byte FCS
    bool strip_vlan = false;   // the replay removed 802.1Q/802.1ad tags ("rewrite" has strip-vlan)
};

[[noreturn]] void fail(const std::string& message) {
    throw std::runtime_error(message);
}

// The object holding "rss_key": the summary's top level or any object nested in it.
const nlohmann::json* find_rss_object(const nlohmann::json& j) {
    if (j.is_object()) {
        if (j.contains("rss_key")) return &j;
        for (const auto& [name, value] : j.items())
            if (const auto* found = find_rss_object(value)) return found;
    } else if (j.is_array()) {
        for (const auto& value : j)
            if (const auto* found = find_rss_object(value)) return found;
    }
    return nullptr;
}

Config read_config(const std::string& path) {
    std::ifstream in(path);
    if (!in) fail(path + ": cannot open summary JSON");
    nlohmann::json summary;
    try {
        summary = nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& e) {
        fail(path + ": not JSON: " + e.what());
    }
    const nlohmann::json* rss = find_rss_object(summary);
    if (!rss) fail(path + ": no rss_key field");
    Config config;
    try {
        std::string hex;
        for (char c : (*rss)["rss_key"].get<std::string>())
            if (std::isxdigit(static_cast<unsigned char>(c))) hex += c;
        if (hex.size() != 80) fail(path + ": rss_key must be 40 bytes of hex");
        for (size_t i = 0; i < 80; i += 2)
            config.key.push_back(static_cast<std::uint8_t>(std::stoul(hex.substr(i, 2), nullptr, 16)));
        const auto& reta = rss->at("reta");
        if (!reta.is_array() || reta.size() != 128) fail(path + ": reta must be an array of 128 queues");
        for (size_t i = 0; i < 128; ++i)
            config.reta[i] = reta[i].get<unsigned>();
        config.mrqc = rss->at("mrqc").get<std::uint32_t>();
        if (rss->contains("max_frame")) config.max_frame = (*rss)["max_frame"].get<unsigned>();
        if (rss->contains("rewrite"))
            config.strip_vlan = (*rss)["rewrite"].get<std::string>().find("strip-vlan") != std::string::npos;
    } catch (const nlohmann::json::exception& e) {
        fail(path + ": bad RSS fields: " + e.what());
    }
    return config;
}

// Bit i of the key, the MSB of key[0] being bit 0; zero past the end.
unsigned key_bit(const Bytes& key, size_t i) {
    return i / 8 < key.size() ? (key[i / 8] >> (7 - i % 8)) & 1u : 0u;
}

// Microsoft's ComputeHash: for each input bit, left to right, XOR in the key's leftmost 32 bits if the
// bit is set, then shift the key left by one.
std::uint32_t toeplitz(const Bytes& key, const Bytes& input) {
    std::uint32_t window = 0;
    for (size_t i = 0; i < 32; ++i)
        window = (window << 1) | key_bit(key, i);
    std::uint32_t result = 0;
    for (size_t i = 0; i < input.size() * 8; ++i) {
        if ((input[i / 8] >> (7 - i % 8)) & 1u) result ^= window;
        window = (window << 1) | key_bit(key, 32 + i);
    }
    return result;
}

// MRQC field enables (82576 datasheet; Linux e1000_defines.h).
constexpr std::uint32_t kTcp4 = 0x00010000, kIp4 = 0x00020000, kTcp6Ex = 0x00040000, kIp6Ex = 0x00080000,
                        kIp6 = 0x00100000, kTcp6 = 0x00200000, kUdp4 = 0x00400000, kUdp6 = 0x00800000,
                        kUdp6Ex = 0x01000000;

unsigned be16(const std::uint8_t* p) {
    return (unsigned{p[0]} << 8) | p[1];
}

// The hash input the 82576 uses for this frame, empty when nothing is hashed.
Bytes hash_input(const std::uint8_t* frame, size_t length, std::uint32_t mrqc) {
    if (length < 14) return {};
    size_t l3 = 14;
    unsigned ethertype = be16(frame + 12);
    if (ethertype == 0x8100 && length >= 18) {
        ethertype = be16(frame + 16);
        l3 = 18;
    }
    if (ethertype == 0x0800) {
        if (length < l3 + 20) return {};
        const std::uint8_t* ip = frame + l3;
        const size_t header_len = (ip[0] & 0x0F) * 4u;
        if ((ip[0] >> 4) != 4 || header_len < 20 || length < l3 + header_len) return {};
        const size_t total = be16(ip + 2);
        const bool fragment = (be16(ip + 6) & 0x3FFF) != 0; // MF or a fragment offset
        const bool length_ok = total >= header_len && total <= length - l3;
        const size_t l4_bytes = length_ok ? total - header_len : 0;
        const bool tcp = !fragment && length_ok && ip[9] == 6 && l4_bytes >= 20;
        const bool udp = !fragment && length_ok && ip[9] == 17 && l4_bytes >= 8;
        Bytes input(ip + 12, ip + 20);
        if ((tcp && (mrqc & kTcp4)) || (udp && (mrqc & kUdp4))) {
            input.insert(input.end(), ip + header_len, ip + header_len + 4);
            return input;
        }
        return (mrqc & kIp4) ? input : Bytes{};
    }
    if (ethertype == 0x86DD) {
        if (length < l3 + 40) return {};
        const std::uint8_t* ip = frame + l3;
        if ((ip[0] >> 4) != 6) return {};
        const size_t payload = be16(ip + 4);
        const bool payload_ok = payload <= length - l3 - 40;
        const bool tcp = payload_ok && ip[6] == 6 && payload >= 20;
        const bool udp = payload_ok && ip[6] == 17 && payload >= 8;
        Bytes input(ip + 8, ip + 40);
        if ((tcp && (mrqc & (kTcp6 | kTcp6Ex))) || (udp && (mrqc & (kUdp6 | kUdp6Ex)))) {
            input.insert(input.end(), ip + 40, ip + 44);
            return input;
        }
        return (mrqc & (kIp6 | kIp6Ex)) ? input : Bytes{};
    }
    return {};
}

int run(const std::string& pcap_path, const std::string& summary_path) {
    const Config config = read_config(summary_path);
    char errbuf[PCAP_ERRBUF_SIZE] = {};
    pcap_t* handle = pcap_open_offline(pcap_path.c_str(), errbuf);
    if (!handle) fail(errbuf); // libpcap names the file
    std::array<unsigned long, 16> per_queue{};
    unsigned long accepted = 0, truncated = 0, empty = 0, oversize = 0, undersize = 0, hashed = 0, total = 0;
    // RSS only spreads when MRQC.MRQE selects an RSS mode (010b RSS, 101b VMDq + RSS).
    const unsigned mrqe = config.mrqc & 7u;
    const bool rss_on = mrqe == 2 || mrqe == 5;
    pcap_pkthdr stripped_header{};
    for (;;) {
        pcap_pkthdr* header = nullptr;
        const std::uint8_t* data = nullptr;
        const int status = pcap_next_ex(handle, &header, &data);
        if (status == PCAP_ERROR_BREAK) break;
        if (status != 1) {
            const std::string reason = pcap_geterr(handle);
            pcap_close(handle);
            fail(pcap_path + ": packet " + std::to_string(total + 1) + ": " + reason);
        }
        ++total;
        // The replay's strip-vlan: tags in front of the ethertype are gone before the NIC sees the frame.
        Bytes stripped;
        if (config.strip_vlan && header->caplen >= 18) {
            stripped.assign(data, data + header->caplen);
            while (stripped.size() >= 18 &&
                   (be16(stripped.data() + 12) == 0x8100 || be16(stripped.data() + 12) == 0x88a8))
                stripped.erase(stripped.begin() + 12, stripped.begin() + 16);
            const unsigned removed = header->caplen - unsigned(stripped.size());
            if (removed) {
                stripped_header = *header;
                stripped_header.caplen -= removed;
                stripped_header.len -= std::min(removed, stripped_header.len);
                header = &stripped_header;
                data = stripped.data();
            }
        }
        if (header->caplen == 0) {
            ++empty;
            continue;
        }
        if (header->caplen < header->len) {
            ++truncated;
            continue;
        }
        if (header->caplen < 14) { // not even addresses and a type: the NIC drops it as a runt
            ++undersize;
            continue;
        }
        const bool tagged = header->caplen >= 14 && be16(data + 12) == 0x8100;
        if (header->caplen + 4 > config.max_frame + (tagged ? 4u : 0u)) {
            ++oversize;
            continue;
        }
        ++accepted;
        // Packets RSS does not hash go to queue 0 (not through RETA[0]), as on the 82576.
        unsigned queue = 0;
        if (rss_on) {
            const Bytes input = hash_input(data, header->caplen, config.mrqc);
            if (!input.empty()) {
                ++hashed;
                queue = config.reta[toeplitz(config.key, input) & 127];
            }
        }
        if (queue >= per_queue.size()) fail(summary_path + ": reta names queue " + std::to_string(queue));
        ++per_queue[queue];
    }
    pcap_close(handle);
    nlohmann::json out = {{"per_queue", per_queue}, {"accepted", accepted}, {"hashed", hashed},
                          {"truncated", truncated}, {"empty", empty},       {"oversize", oversize},
                          {"undersize", undersize}, {"frames", total}};
    std::cout << out.dump() << "\n";
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::cerr << "usage: rss_reference PCAP SUMMARY_JSON\n";
        return 2;
    }
    try {
        return run(argv[1], argv[2]);
    } catch (const std::exception& e) {
        std::cerr << "rss_reference: error: " << e.what() << "\n";
        return 2;
    }
}
