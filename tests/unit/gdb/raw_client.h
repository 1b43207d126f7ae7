// A minimal GDB for the stub's tests: sends packets over TCP, acknowledges and returns the replies.
#pragma once
#include "sim/gdb/packet.h"

#include <algorithm>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

namespace smpsim::gdb {

// A minimal GDB: sends packets, reads acks and replies.
class RawClient {
  public:
    explicit RawClient(u16 port) {
        fd_ = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(port);
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ok_ = connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    }
    ~RawClient() { close(fd_); }
    bool ok() const { return ok_; }
    std::string ask(const std::string& payload) {
        const std::string framed = frame_packet(payload);
        if (write(fd_, framed.data(), framed.size()) != ssize_t(framed.size())) return "<write failed>";
        return reply();
    }
    std::string reply() {
        for (;;) {
            std::vector<PacketEvent> events;
            for (;;) {
                char buf[4096];
                reader_.feed(pending_, events);
                pending_.clear();
                if (std::any_of(events.begin(), events.end(),
                                [](const PacketEvent& e) { return e.kind == PacketEvent::Kind::Packet; }))
                    break;
                const ssize_t n = read(fd_, buf, sizeof buf);
                if (n <= 0) return "<closed>";
                pending_.assign(buf, size_t(n));
            }
            for (const PacketEvent& e : events)
                if (e.kind == PacketEvent::Kind::Packet) {
                    if (write(fd_, "+", 1) != 1) return "<write failed>";
                    return e.payload;
                }
        }
    }

  private:
    int fd_ = -1;
    bool ok_ = false;
    PacketReader reader_;
    std::string pending_;
};

} // namespace smpsim::gdb
