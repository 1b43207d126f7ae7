// The GDB remote serial protocol's packet layer: framing ($payload#cs), checksums, the binary escape
// ('}' then the byte XOR 0x20), run-length encoding ("X*N": N - 29 more copies of X), acknowledgements
// ('+'/'-') and the out-of-band interrupt byte 0x03. Pure logic: the server feeds it bytes from the
// socket; tests feed it anything.
#pragma once
#include "sim/core/types.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace smpsim::gdb {

// The largest payload (after unescaping and run-length expansion) a client may send; advertised as
// PacketSize in qSupported. Longer packets are dropped and NAKed.
inline constexpr size_t kMaxPacketSize = 0x4000;

// What the byte stream from a client contains.
struct PacketEvent {
    enum class Kind : u8 {
        Packet,    // payload: a complete packet with a good checksum, unescaped and expanded
        Interrupt, // 0x03 outside a packet (Ctrl-C)
        Ack,       // '+'
        Nack,      // '-': resend the last packet
        Bad,       // a packet with a bad checksum, a bad run-length code or too long: answer '-'
    };
    Kind kind;
    std::string payload; // Packet: the payload; Bad: why, for a diagnostic
};

// Splits a byte stream into packet events. Bytes outside packets other than '+', '-', 0x03 are ignored
// (GDB sends none; a resynchronising client may). Memory use is bounded by kMaxPacketSize.
class PacketReader {
  public:
    // Appends the events completed by these bytes to `out`.
    void feed(std::string_view bytes, std::vector<PacketEvent>& out);
    // True while a packet has begun but not ended (a client that disconnects here lost a packet).
    bool in_packet() const { return state_ != State::Idle; }

  private:
    enum class State : u8 { Idle, Body, Checksum1, Checksum2 };
    void finish(std::vector<PacketEvent>& out);
    State state_ = State::Idle;
    std::string body_; // raw, as transmitted (escapes and run-length codes still in)
    bool overflow_ = false;
    u8 sum_ = 0;
    u8 received_sum_ = 0;
};

// Decodes a raw packet body: run-length codes expanded, escapes removed. nullopt when malformed (a
// run-length code without a preceding byte, a bad count, an escape at the end) or longer than max_size.
std::optional<std::string> decode_body(std::string_view raw, size_t max_size = kMaxPacketSize);

// Frames a payload as "$body#cs": escapes '$', '#', '}' and '*'; with run_length, runs of 4 or more equal
// bytes become run-length codes (avoiding the counts that would read as '$' or '#').
std::string frame_packet(std::string_view payload, bool run_length = false);

u8 checksum(std::string_view bytes);

// Hex helpers of the protocol: lowercase output; input of either case.
std::string to_hex(std::string_view bytes);
std::optional<std::string> from_hex(std::string_view hex);
std::optional<u64> parse_hex_u64(std::string_view hex); // 1..16 digits
std::string hex_u64(u64 value);                         // no leading zeros ("0" for zero)

} // namespace smpsim::gdb
