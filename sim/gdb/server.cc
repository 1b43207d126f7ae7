#include "sim/gdb/server.h"

#include "sim/core/error.h"
#include "sim/gdb/packet.h"

#include <utility> // before Asio: boost 1.74 uses std::exchange without including it

#include <boost/asio.hpp>
#include <fmt/format.h>

namespace smpsim::gdb {

namespace asio = boost::asio;
using asio::ip::tcp;

struct GdbServer::Io {
    asio::io_context context;
    tcp::acceptor acceptor{context};
    std::shared_ptr<tcp::socket> client; // the one connection; null while none
    PacketReader reader;
    std::array<char, 4096> buffer{};
    struct Out {
        std::string bytes;
        bool counted; // from send(): flush() waits for it
    };
    std::deque<Out> out;     // framed packets and acks not yet written
    std::string last_packet; // for a resend on '-'
    unsigned resends = 0;    // of last_packet; bounded so a client answering '-' forever cannot loop us
    bool writing = false;
    asio::executor_work_guard<asio::io_context::executor_type> work{context.get_executor()};
};

GdbServer::GdbServer(const std::string& host, u16 port) : io_(std::make_unique<Io>()) {
    boost::system::error_code ec;
    const asio::ip::address address = asio::ip::make_address(host, ec);
    if (ec) throw InputError(fmt::format("--gdb: '{}' is not an IP address", host));
    const tcp::endpoint endpoint(address, port);
    io_->acceptor.open(endpoint.protocol(), ec);
    if (!ec) io_->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) io_->acceptor.bind(endpoint, ec);
    if (!ec) io_->acceptor.listen(1, ec);
    if (ec) throw InputError(fmt::format("--gdb: cannot listen on {}:{}: {}", host, port, ec.message()));
    port_ = io_->acceptor.local_endpoint().port();

    Io& io = *io_;
    // The handlers below run on the I/O thread only.
    struct Handlers {
        GdbServer& server;
        Io& io;
        void accept() {
            io.acceptor.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
                if (ec) {
                    if (ec != asio::error::operation_aborted) accept();
                    return;
                }
                if (io.client) {
                    // One debugger at a time: a second connection is closed at once.
                    boost::system::error_code ignored;
                    socket.close(ignored);
                } else {
                    boost::system::error_code ignored;
                    socket.set_option(tcp::no_delay(true), ignored);
                    io.client = std::make_shared<tcp::socket>(std::move(socket));
                    io.reader = PacketReader{};
                    io.out.clear();
                    io.last_packet.clear();
                    io.writing = false;
                    server.no_ack_ = false;
                    ++server.connections_;
                    server.connected_ = true;
                    // GDB expects a stopped target once it has attached. The request comes before the
                    // event, so the simulation thread, stopped when it takes the event, can drop it.
                    server.raise_stop_request();
                    server.push({Incoming::Kind::Connected, {}});
                    read(io.client);
                }
                accept();
            });
        }
        void read(std::shared_ptr<tcp::socket> socket) {
            socket->async_read_some(
                asio::buffer(io.buffer), [this, socket](boost::system::error_code ec, size_t n) {
                    if (socket != io.client) return; // closed meanwhile
                    if (ec) {
                        drop(ec == asio::error::eof ? "the debugger closed the connection"
                                                    : "connection error: " + ec.message());
                        return;
                    }
                    std::vector<PacketEvent> events;
                    io.reader.feed(std::string_view(io.buffer.data(), n), events);
                    for (PacketEvent& e : events) {
                        switch (e.kind) {
                        case PacketEvent::Kind::Packet:
                            if (!server.no_ack_) write("+");
                            {
                                std::lock_guard lock(server.mutex_);
                                if (server.inbox_.size() >= kMaxQueuedPackets) {
                                    drop_locked("the debugger sent more packets than it waited answers for");
                                    return;
                                }
                            }
                            {
                                std::lock_guard lock(server.mutex_);
                                server.inbox_.push_back({Incoming::Kind::Packet, std::move(e.payload),
                                                         ++server.packets_received_});
                            }
                            server.cv_.notify_all();
                            break;
                        case PacketEvent::Kind::Bad:
                            if (!server.no_ack_) write("-");
                            break;
                        case PacketEvent::Kind::Nack:
                            if (!io.last_packet.empty() && io.resends++ < 3) write(io.last_packet);
                            break;
                        case PacketEvent::Kind::Interrupt: server.raise_stop_request(); break;
                        case PacketEvent::Kind::Ack: break;
                        }
                    }
                    read(socket);
                });
        }
        void write(std::string bytes, bool counted = false) {
            io.out.push_back({std::move(bytes), counted});
            if (!io.writing) write_next();
        }
        void written(unsigned n) {
            if (n == 0) return;
            {
                std::lock_guard lock(server.flush_mutex_);
                server.unwritten_ -= std::min(n, server.unwritten_);
            }
            server.flush_cv_.notify_all();
        }
        void write_next() {
            if (io.out.empty() || !io.client) {
                io.writing = false;
                return;
            }
            io.writing = true;
            auto socket = io.client;
            auto data = std::make_shared<Io::Out>(std::move(io.out.front()));
            io.out.pop_front();
            asio::async_write(*socket, asio::buffer(data->bytes),
                              [this, socket, data](boost::system::error_code ec, size_t) {
                                  if (data->counted) written(1);
                                  if (socket != io.client) return;
                                  if (ec) {
                                      drop("connection error: " + ec.message());
                                      return;
                                  }
                                  write_next();
                              });
        }
        void drop_locked(const std::string& why) {
            // Called with the inbox lock held. Packets of the lost connection are not answered.
            close();
            std::erase_if(server.inbox_,
                          [](const Incoming& in) { return in.kind == Incoming::Kind::Packet; });
            server.inbox_.push_back({Incoming::Kind::Disconnected, why});
            server.cv_.notify_all();
        }
        void drop(const std::string& why) {
            std::lock_guard lock(server.mutex_);
            drop_locked(why);
        }
        void close() {
            if (!io.client) return;
            boost::system::error_code ignored;
            io.client->shutdown(tcp::socket::shutdown_both, ignored);
            io.client->close(ignored);
            io.client.reset();
            unsigned counted = 0;
            for (const Io::Out& o : io.out)
                counted += o.counted;
            io.out.clear();
            written(counted);
            io.writing = false;
            server.connected_ = false;
        }
    };
    auto handlers = std::make_shared<Handlers>(Handlers{*this, io});
    handlers->accept();
    sends_ = [handlers](std::string framed, bool remember) {
        if (!handlers->io.client) {
            handlers->written(1);
            return;
        }
        if (remember) {
            handlers->io.last_packet = framed;
            handlers->io.resends = 0;
        }
        handlers->write(std::move(framed), true);
    };
    closes_ = [handlers] { handlers->close(); };
    thread_ = std::thread([&io] { io.context.run(); });
}

GdbServer::~GdbServer() {
    asio::post(io_->context, [this] {
        boost::system::error_code ignored;
        io_->acceptor.close(ignored);
        closes_();
        io_->work.reset();
        io_->context.stop();
    });
    if (thread_.joinable()) thread_.join();
}

void GdbServer::push(Incoming in) {
    {
        std::lock_guard lock(mutex_);
        inbox_.push_back(std::move(in));
    }
    cv_.notify_all();
}

void GdbServer::raise_stop_request() {
    std::lock_guard lock(mutex_);
    stop_request_after_ = packets_received_;
    stop_request_ = true;
}

void GdbServer::discard_stop_request_before(u64 packet_seq) {
    std::lock_guard lock(mutex_);
    if (stop_request_after_ < packet_seq) stop_request_ = false;
}

GdbServer::Incoming GdbServer::wait_incoming() {
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [this] { return !inbox_.empty(); });
    Incoming in = std::move(inbox_.front());
    inbox_.pop_front();
    return in;
}

void GdbServer::flush() {
    std::unique_lock lock(flush_mutex_);
    flush_cv_.wait_for(lock, std::chrono::seconds(1), [this] { return unwritten_ == 0; });
}

void GdbServer::send(const std::string& payload) {
    {
        std::lock_guard lock(flush_mutex_);
        ++unwritten_;
    }
    // Long replies (registers full of zeros) shrink with run-length encoding, which GDB always decodes.
    asio::post(io_->context,
               [this, framed = frame_packet(payload, true)]() mutable { sends_(std::move(framed), true); });
}

void GdbServer::close_client() {
    asio::post(io_->context, [this] { closes_(); });
}

} // namespace smpsim::gdb
