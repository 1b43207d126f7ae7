// The GDB stub's network side on Boost.Asio: a TCP listener on its own thread and io_context, one client
// at a time. It frames and acknowledges packets (packet.h) and hands complete ones to the simulation
// thread, which answers them while the machine is paused (machine_debugger.h); it never touches the
// simulation itself. A Ctrl-C (0x03) or a new connection only raises a flag the simulation polls at
// instruction boundaries.
#pragma once
#include "sim/core/types.h"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace smpsim::gdb {

class GdbServer {
  public:
    struct Incoming {
        enum class Kind : u8 { Connected, Packet, Disconnected };
        Kind kind;
        std::string payload; // Packet: the payload; Disconnected: why
        u64 seq = 0;         // Packet: how many packets this connection's stream had up to this one
    };
    // Packets a client may have queued while the machine runs; more is a flood and closes the connection.
    static constexpr size_t kMaxQueuedPackets = 4096;

    // Binds and listens on host:port (port 0: a free port, see port()). Throws InputError when the address
    // is not an IP address or cannot be bound.
    GdbServer(const std::string& host, u16 port);
    ~GdbServer();
    GdbServer(const GdbServer&) = delete;
    GdbServer& operator=(const GdbServer&) = delete;
    u16 port() const { return port_; }

    // --- for the simulation thread
    // Blocks until a client connects, sends a packet or goes away.
    Incoming wait_incoming();
    // Sends a reply packet (framed; kept for a resend on '-').
    void send(const std::string& payload);
    // After the reply to QStartNoAckMode: no more '+'/'-' either way.
    void set_no_ack(bool on) { no_ack_ = on; }
    // True once after a Ctrl-C or a new connection: the machine should stop.
    bool take_stop_request() { return stop_request_.exchange(false, std::memory_order_relaxed); }
    bool stop_requested() const { return stop_request_.load(std::memory_order_relaxed); }
    // A resume packet drops a stop request that came before it in the stream (a Ctrl-C while stopped);
    // one that came after it (a Ctrl-C the I/O thread read before the resume was handled) stays.
    void discard_stop_request_before(u64 packet_seq);
    bool connected() const { return connected_.load(); }
    // Counts connections accepted: tells whether the client that resumed the machine is still the one there.
    u64 connection_number() const { return connections_.load(); }
    // Waits (up to a second) until what send() queued has been written, e.g. before the socket closes.
    void flush();
    // Ends the current connection (after a kill); the server keeps listening.
    void close_client();

  private:
    struct Io; // the Asio objects, kept out of this header
    void push(Incoming in);
    void raise_stop_request(); // I/O thread: Ctrl-C or a new connection

    std::unique_ptr<Io> io_;
    // Run on the I/O thread: queue a framed packet (remembered for a resend), close the client.
    std::function<void(std::string, bool)> sends_;
    std::function<void()> closes_;
    std::thread thread_;
    u16 port_ = 0;
    std::mutex mutex_;
    std::condition_variable cv_;
    std::deque<Incoming> inbox_;
    std::atomic<bool> stop_request_{false};
    u64 packets_received_ = 0;   // in the stream so far (under mutex_)
    u64 stop_request_after_ = 0; // packets_received_ when the stop request came (under mutex_)
    std::atomic<bool> connected_{false};
    std::atomic<u64> connections_{0};
    std::atomic<bool> no_ack_{false};
    std::mutex flush_mutex_;
    std::condition_variable flush_cv_;
    unsigned unwritten_ = 0; // sends not yet written or dropped (under flush_mutex_)
};

} // namespace smpsim::gdb
