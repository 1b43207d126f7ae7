#include "sim/gdb/packet.h"

namespace smpsim::gdb {

namespace {

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

constexpr char kHex[] = "0123456789abcdef";
constexpr char kEscape = '}';
constexpr char kRunLength = '*';

bool needs_escape(char c) {
    return c == '$' || c == '#' || c == kEscape || c == kRunLength;
}

} // namespace

u8 checksum(std::string_view bytes) {
    unsigned sum = 0;
    for (char c : bytes)
        sum += u8(c);
    return u8(sum);
}

void PacketReader::feed(std::string_view bytes, std::vector<PacketEvent>& out) {
    for (char c : bytes) {
        switch (state_) {
        case State::Idle:
            if (c == '$') {
                state_ = State::Body;
                body_.clear();
                overflow_ = false;
                sum_ = 0;
            } else if (c == '\x03') {
                out.push_back({PacketEvent::Kind::Interrupt, {}});
            } else if (c == '+') {
                out.push_back({PacketEvent::Kind::Ack, {}});
            } else if (c == '-') {
                out.push_back({PacketEvent::Kind::Nack, {}});
            }
            break;
        case State::Body:
            if (c == '#') {
                state_ = State::Checksum1;
            } else if (c == '$') {
                // A new start inside a packet: the old one is lost (the client resynchronised).
                out.push_back({PacketEvent::Kind::Bad, "packet restarted before its end"});
                body_.clear();
                overflow_ = false;
                sum_ = 0;
            } else {
                sum_ = u8(sum_ + u8(c));
                // The raw body is at most twice the payload (every byte escaped); beyond that only the
                // checksum is kept, and the packet is refused at its end.
                if (body_.size() < 2 * kMaxPacketSize + 2)
                    body_.push_back(c);
                else
                    overflow_ = true;
            }
            break;
        case State::Checksum1: {
            const int d = hex_digit(c);
            received_sum_ = u8(d < 0 ? 0 : d << 4);
            state_ = d < 0 ? State::Idle : State::Checksum2;
            if (d < 0) out.push_back({PacketEvent::Kind::Bad, "bad checksum digit"});
            break;
        }
        case State::Checksum2: {
            const int d = hex_digit(c);
            state_ = State::Idle;
            if (d < 0) {
                out.push_back({PacketEvent::Kind::Bad, "bad checksum digit"});
                break;
            }
            received_sum_ = u8(received_sum_ | d);
            finish(out);
            break;
        }
        }
    }
}

void PacketReader::finish(std::vector<PacketEvent>& out) {
    if (received_sum_ != sum_) {
        out.push_back({PacketEvent::Kind::Bad, "checksum mismatch"});
    } else if (overflow_) {
        out.push_back({PacketEvent::Kind::Bad, "packet too long"});
    } else if (auto payload = decode_body(body_)) {
        out.push_back({PacketEvent::Kind::Packet, std::move(*payload)});
    } else {
        out.push_back({PacketEvent::Kind::Bad, "malformed escape or run-length code, or packet too long"});
    }
    body_.clear();
    body_.shrink_to_fit();
}

std::optional<std::string> decode_body(std::string_view raw, size_t max_size) {
    std::string out;
    out.reserve(std::min(raw.size(), max_size));
    for (size_t i = 0; i < raw.size(); ++i) {
        const char c = raw[i];
        if (c == kEscape) {
            if (++i == raw.size()) return std::nullopt;
            out.push_back(char(raw[i] ^ 0x20));
        } else if (c == kRunLength) {
            // "X*N": the byte before repeats N - 29 more times (N printable, 32..126).
            if (out.empty() || ++i == raw.size()) return std::nullopt;
            const int n = int(u8(raw[i])) - 29;
            if (n < 3 || n > 126 - 29) return std::nullopt;
            if (out.size() + size_t(n) > max_size) return std::nullopt;
            out.append(size_t(n), out.back());
        } else {
            out.push_back(c);
        }
        if (out.size() > max_size) return std::nullopt;
    }
    return out;
}

std::string frame_packet(std::string_view payload, bool run_length) {
    std::string body;
    body.reserve(payload.size() + 8);
    for (size_t i = 0; i < payload.size();) {
        const char c = payload[i];
        size_t run = 1;
        while (i + run < payload.size() && payload[i + run] == c)
            ++run;
        if (needs_escape(c)) {
            // Escaped bytes are sent one by one: a run-length code after an escape pair is ambiguous to
            // older decoders.
            body.push_back(kEscape);
            body.push_back(char(c ^ 0x20));
            ++i;
            continue;
        }
        body.push_back(c);
        ++i;
        --run;
        while (run_length && run >= 3) {
            // Counts 6 and 7 would be sent as '#' and '$': use 5 and send the rest on the next round.
            size_t n = std::min<size_t>(run, 126 - 29);
            if (n == 6 || n == 7) n = 5;
            body.push_back(kRunLength);
            body.push_back(char(n + 29));
            i += n;
            run -= n;
        }
        // Short tails (1-2 copies) go out as they are.
        for (; run > 0; --run, ++i)
            body.push_back(c);
    }
    std::string framed;
    framed.reserve(body.size() + 4);
    framed.push_back('$');
    framed += body;
    framed.push_back('#');
    const u8 sum = checksum(body);
    framed.push_back(kHex[sum >> 4]);
    framed.push_back(kHex[sum & 15]);
    return framed;
}

std::string to_hex(std::string_view bytes) {
    std::string s;
    s.reserve(bytes.size() * 2);
    for (char c : bytes) {
        s.push_back(kHex[u8(c) >> 4]);
        s.push_back(kHex[u8(c) & 15]);
    }
    return s;
}

std::optional<std::string> from_hex(std::string_view hex) {
    if (hex.size() % 2) return std::nullopt;
    std::string s;
    s.reserve(hex.size() / 2);
    for (size_t i = 0; i < hex.size(); i += 2) {
        const int hi = hex_digit(hex[i]), lo = hex_digit(hex[i + 1]);
        if (hi < 0 || lo < 0) return std::nullopt;
        s.push_back(char(hi << 4 | lo));
    }
    return s;
}

std::optional<u64> parse_hex_u64(std::string_view hex) {
    if (hex.empty() || hex.size() > 16) return std::nullopt;
    u64 v = 0;
    for (char c : hex) {
        const int d = hex_digit(c);
        if (d < 0) return std::nullopt;
        v = v << 4 | u64(d);
    }
    return v;
}

std::string hex_u64(u64 value) {
    if (value == 0) return "0";
    std::string s;
    for (; value; value >>= 4)
        s.insert(s.begin(), kHex[value & 15]);
    return s;
}

} // namespace smpsim::gdb
