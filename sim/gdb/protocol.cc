#include "sim/gdb/protocol.h"

#include "sim/gdb/packet.h"
#include "sim/gdb/registers.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

namespace smpsim::gdb {

namespace {

constexpr const char* kErrFault = "E14";   // EFAULT: the address does not map
constexpr const char* kErrInvalid = "E16"; // a malformed argument
constexpr const char* kErrNoThread = "E01";

bool starts_with(std::string_view s, std::string_view prefix) {
    return s.substr(0, prefix.size()) == prefix;
}

// Splits "a,b" (or with another separator) once.
std::pair<std::string_view, std::string_view> split(std::string_view s, char sep) {
    const size_t at = s.find(sep);
    if (at == std::string_view::npos) return {s, {}};
    return {s.substr(0, at), s.substr(at + 1)};
}

// "addr,len" as in m, M, X, qXfer offsets.
std::optional<std::pair<u64, u64>> parse_addr_len(std::string_view s) {
    auto [a, l] = split(s, ',');
    auto addr = parse_hex_u64(a), len = parse_hex_u64(l);
    if (!addr || !len) return std::nullopt;
    return std::pair{*addr, *len};
}

// A slice of a document for qXfer: "m" (more follows) or "l" (last) and the data.
std::string xfer_slice(const std::string& doc, std::string_view offset_len) {
    auto ol = parse_addr_len(offset_len);
    if (!ol) return kErrInvalid;
    const auto [offset, len] = *ol;
    if (offset >= doc.size()) return "l";
    const size_t n = size_t(std::min<u64>(len, std::min<u64>(doc.size() - offset, kMaxPacketSize / 2)));
    return (offset + n < doc.size() ? "m" : "l") + doc.substr(size_t(offset), n);
}

} // namespace

void GdbProtocol::reset_connection() {
    general_cpu_ = 0;
    continue_thread_ = -1;
    no_ack_ = false;
}

Resume GdbProtocol::all(CpuAction a) const {
    return Resume{std::vector<CpuAction>(target_.cpu_count(), a)};
}

std::optional<int> GdbProtocol::parse_thread(std::string_view s) const {
    // "p<pid>.<tid>" when a client uses the multiprocess form anyway: the process is always 1.
    if (starts_with(s, "p")) {
        const size_t dot = s.find('.');
        if (dot == std::string_view::npos) return std::nullopt;
        s = s.substr(dot + 1);
    }
    if (s == "-1") return -1;
    const auto v = parse_hex_u64(s);
    if (!v) return std::nullopt;
    if (*v == 0) return 0;
    if (*v > target_.cpu_count()) return std::nullopt;
    return int(*v);
}

Outcome GdbProtocol::handle(std::string_view packet) {
    Outcome out;
    if (packet.empty()) return out;
    const char command = packet[0];
    const std::string_view args = packet.substr(1);
    switch (command) {
    case '?': out.reply = last_stop_; break;
    case 'g': out.reply = read_registers(); break;
    case 'G': out.reply = write_registers(args); break;
    case 'p': out.reply = read_register(args); break;
    case 'P': out.reply = write_register(args); break;
    case 'm': out.reply = read_memory(args); break;
    case 'M': out.reply = write_memory(args, false); break;
    case 'X': out.reply = write_memory(args, true); break;
    case 'Z': out.reply = stop_point(args, true); break;
    case 'z': out.reply = stop_point(args, false); break;
    case 'H': out.reply = set_thread(args); break;
    case 'T': {
        const auto t = parse_thread(args);
        out.reply = t && *t > 0 ? "OK" : kErrNoThread;
        break;
    }
    case 'q':
    case 'Q': out.reply = handle_query(packet); break;
    case 'D':
        out.kind = Outcome::Kind::Detach;
        out.reply = "OK";
        remove_all_stop_points();
        break;
    case 'k': out.kind = Outcome::Kind::Kill; break;
    case 'c':
    case 's':
    case 'C':
    case 'S': {
        // c [addr], s [addr], C sig[;addr], S sig[;addr]: signals cannot be delivered to bare metal and
        // are ignored, as QEMU does.
        std::string_view addr_text = args;
        if (command == 'C' || command == 'S') {
            const size_t semi = args.find(';');
            addr_text = semi == std::string_view::npos ? std::string_view{} : args.substr(semi + 1);
        }
        // (A thread Hc named may be gone: a litmus command's next test can have fewer CPUs.)
        const unsigned cpu = continue_thread_ > 0 && unsigned(continue_thread_) <= target_.cpu_count()
                                 ? unsigned(continue_thread_ - 1)
                                 : general_cpu_;
        if (!addr_text.empty()) {
            const auto addr = parse_hex_u64(addr_text);
            if (!addr) {
                out.reply = kErrInvalid;
                break;
            }
            target_.write_register(cpu, kRip, *addr);
        }
        const bool step = command == 's' || command == 'S';
        out.kind = Outcome::Kind::Resume;
        // A step runs the selected CPU by one instruction; the others stay stopped, since GDB steps over
        // a breakpoint it has just removed this way.
        out.resume = all(step ? CpuAction::Stop : CpuAction::Continue);
        if (step) out.resume.actions[cpu] = CpuAction::Step;
        break;
    }
    case 'v':
        if (packet == "vCont?") {
            out.reply = "vCont;c;C;s;S";
        } else if (starts_with(packet, "vCont;")) {
            if (auto r = parse_vcont(packet.substr(6))) {
                out.kind = Outcome::Kind::Resume;
                out.resume = std::move(*r);
            } else {
                out.reply = kErrInvalid;
            }
        } else if (starts_with(packet, "vKill")) {
            out.kind = Outcome::Kind::Kill;
            out.reply = "OK"; // unlike 'k', vKill is answered
        }
        // vMustReplyEmpty and every other v packet: the empty reply.
        break;
    default: break; // unknown: the empty reply
    }
    return out;
}

std::optional<Resume> GdbProtocol::parse_vcont(std::string_view args) {
    // "action[:thread];action[:thread]...": the first action naming a thread (or none) applies to it.
    Resume r{std::vector<CpuAction>(target_.cpu_count(), CpuAction::Stop)};
    std::vector<bool> decided(target_.cpu_count(), false);
    while (!args.empty()) {
        auto [item, rest] = split(args, ';');
        args = rest;
        auto [action_text, thread_text] = split(item, ':');
        if (action_text.empty()) return std::nullopt;
        CpuAction action;
        switch (action_text[0]) {
        case 'c':
        case 'C': action = CpuAction::Continue; break;
        case 's':
        case 'S': action = CpuAction::Step; break;
        default: return std::nullopt; // 't' (stop) and 'r' (range step) are not offered
        }
        int thread = -1;
        if (!thread_text.empty()) {
            const auto t = parse_thread(thread_text);
            if (!t) return std::nullopt;
            thread = *t;
        }
        for (unsigned cpu = 0; cpu < r.actions.size(); ++cpu) {
            if (decided[cpu] || (thread > 0 && unsigned(thread - 1) != cpu)) continue;
            r.actions[cpu] = action;
            decided[cpu] = true;
        }
    }
    return r;
}

std::string GdbProtocol::register_hex(unsigned cpu, unsigned reg) {
    const unsigned size = register_size(reg);
    u8 bytes[16] = {};
    if (register_modelled(reg)) {
        const u64 v = target_.read_register(cpu, reg);
        std::memcpy(bytes, &v, std::min<unsigned>(size, 8));
    }
    return to_hex(std::string_view(reinterpret_cast<const char*>(bytes), size));
}

std::string GdbProtocol::read_registers() {
    std::string s;
    s.reserve(registers_bytes() * 2);
    for (unsigned reg = 0; reg < kRegCount; ++reg)
        s += register_hex(general_cpu_, reg);
    return s;
}

std::string GdbProtocol::write_registers(std::string_view hex) {
    const auto bytes = from_hex(hex);
    if (!bytes || bytes->size() != registers_bytes()) return kErrInvalid;
    size_t at = 0;
    bool ok = true;
    for (unsigned reg = 0; reg < kRegCount; ++reg) {
        const unsigned size = register_size(reg);
        if (register_modelled(reg)) {
            u64 v = 0;
            std::memcpy(&v, bytes->data() + at, std::min<unsigned>(size, 8));
            // Unchanged registers are not written back (a write may have side effects, e.g. CR3).
            const u64 mask = size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
            if (v != (target_.read_register(general_cpu_, reg) & mask))
                ok &= target_.write_register(general_cpu_, reg, v);
        }
        at += size;
    }
    return ok ? "OK" : "E01";
}

std::string GdbProtocol::read_register(std::string_view args) {
    const auto reg = parse_hex_u64(args);
    if (!reg || *reg >= kRegCount) return kErrInvalid;
    return register_hex(general_cpu_, unsigned(*reg));
}

std::string GdbProtocol::write_register(std::string_view args) {
    auto [reg_text, value_text] = split(args, '=');
    const auto reg = parse_hex_u64(reg_text);
    const auto bytes = from_hex(value_text);
    if (!reg || *reg >= kRegCount || !bytes || bytes->size() != register_size(unsigned(*reg)))
        return kErrInvalid;
    if (!register_modelled(unsigned(*reg))) return "OK"; // x87/SSE: not modelled, writes ignored
    u64 v = 0;
    std::memcpy(&v, bytes->data(), std::min<size_t>(bytes->size(), 8));
    return target_.write_register(general_cpu_, unsigned(*reg), v) ? "OK" : "E01";
}

std::string GdbProtocol::read_memory(std::string_view args) {
    const auto al = parse_addr_len(args);
    if (!al) return kErrInvalid;
    const size_t len = size_t(std::min<u64>(al->second, kMaxPacketSize / 2));
    if (len == 0) return "";
    std::string buf(len, '\0');
    const size_t n = target_.read_memory(general_cpu_, al->first, reinterpret_cast<u8*>(buf.data()), len);
    if (n == 0) return kErrFault;
    buf.resize(n);
    return to_hex(buf);
}

std::string GdbProtocol::write_memory(std::string_view args, bool binary) {
    auto [head, data] = split(args, ':');
    if (args.find(':') == std::string_view::npos) return kErrInvalid;
    const auto al = parse_addr_len(head);
    if (!al) return kErrInvalid;
    std::string bytes;
    if (binary) {
        bytes = std::string(data); // already unescaped by the packet layer
    } else {
        auto decoded = from_hex(data);
        if (!decoded) return kErrInvalid;
        bytes = std::move(*decoded);
    }
    if (bytes.size() != al->second) return kErrInvalid;
    if (bytes.empty()) return "OK"; // GDB's probe for X support
    const size_t n = target_.write_memory(general_cpu_, al->first, reinterpret_cast<const u8*>(bytes.data()),
                                          bytes.size());
    return n == bytes.size() ? "OK" : kErrFault;
}

std::string GdbProtocol::stop_point(std::string_view args, bool insert) {
    // "type,addr,kind": kind is the breakpoint's length in bytes (1 on x86) or the watched length.
    auto [type_text, rest] = split(args, ',');
    auto [addr_text, kind_text] = split(rest, ',');
    if (const size_t semi = kind_text.find(';'); semi != std::string_view::npos)
        kind_text = kind_text.substr(0, semi); // conditions and commands are not offered
    const auto type = parse_hex_u64(type_text);
    const auto addr = parse_hex_u64(addr_text);
    const auto kind = parse_hex_u64(kind_text);
    if (!type || !addr || !kind) return kErrInvalid;
    if (*type > 4) return ""; // not supported
    const auto t = StopPointType(*type);
    if (insert) {
        if (!target_.insert_stop_point(t, *addr, *kind)) return "E22";
        points_.push_back({t, *addr, *kind});
        return "OK";
    }
    const auto it = std::find_if(points_.begin(), points_.end(), [&](const SetPoint& p) {
        return p.type == t && p.addr == *addr && p.len == *kind;
    });
    if (it != points_.end()) points_.erase(it);
    target_.remove_stop_point(t, *addr, *kind);
    return "OK"; // removing what is not there is not an error for GDB
}

void GdbProtocol::remove_all_stop_points() {
    for (const SetPoint& p : points_)
        target_.remove_stop_point(p.type, p.addr, p.len);
    points_.clear();
}

std::string GdbProtocol::set_thread(std::string_view args) {
    if (args.empty()) return kErrInvalid;
    const auto t = parse_thread(args.substr(1));
    if (!t) return kErrNoThread;
    switch (args[0]) {
    case 'g':
        if (*t > 0) general_cpu_ = unsigned(*t - 1);
        return "OK";
    case 'c': continue_thread_ = *t; return "OK";
    default: return kErrInvalid;
    }
}

std::string GdbProtocol::thread_list_xml() {
    std::string x = "<?xml version=\"1.0\"?>\n<threads>\n";
    for (unsigned cpu = 0; cpu < target_.cpu_count(); ++cpu) {
        std::string info = target_.thread_extra_info(cpu);
        // The text goes into XML: keep it to characters that need no escaping.
        std::replace_if(
            info.begin(), info.end(), [](char c) { return c == '<' || c == '>' || c == '&'; }, ' ');
        x += fmt::format("<thread id=\"{:x}\" core=\"{}\" name=\"CPU {}\">{}</thread>\n", cpu + 1, cpu, cpu,
                         info);
    }
    return x + "</threads>\n";
}

std::string GdbProtocol::handle_query(std::string_view packet) {
    if (starts_with(packet, "qSupported"))
        return fmt::format("PacketSize={:x};qXfer:features:read+;qXfer:threads:read+;swbreak+;hwbreak+;"
                           "vContSupported+;QStartNoAckMode+",
                           kMaxPacketSize);
    if (packet == "QStartNoAckMode") {
        no_ack_ = true;
        return "OK";
    }
    if (starts_with(packet, "qXfer:features:read:")) {
        auto [annex, offset_len] = split(packet.substr(20), ':');
        if (annex != "target.xml") return "E00";
        return xfer_slice(target_xml(), offset_len);
    }
    if (starts_with(packet, "qXfer:threads:read::")) return xfer_slice(thread_list_xml(), packet.substr(20));
    if (packet == "qC") return "QC" + hex_u64(general_cpu_ + 1);
    if (starts_with(packet, "qAttached")) return "1";
    if (packet == "qfThreadInfo") {
        std::string s = "m";
        for (unsigned cpu = 0; cpu < target_.cpu_count(); ++cpu)
            s += (cpu ? "," : "") + hex_u64(cpu + 1);
        return s;
    }
    if (packet == "qsThreadInfo") return "l";
    if (starts_with(packet, "qThreadExtraInfo,")) {
        const auto t = parse_thread(packet.substr(17));
        if (!t || *t <= 0) return kErrNoThread;
        return to_hex(target_.thread_extra_info(unsigned(*t - 1)));
    }
    if (starts_with(packet, "qRcmd,")) {
        const auto command = from_hex(packet.substr(6));
        if (!command) return kErrInvalid;
        const std::string output = target_.monitor(*command);
        return output.empty() ? "OK" : to_hex(output);
    }
    return ""; // unknown query
}

std::string GdbProtocol::stop_reply(const StopEvent& e) {
    if (e.kind == StopEvent::Kind::Exited) {
        last_stop_ = fmt::format("W{:02x}", e.exit_status & 0xff);
        return last_stop_;
    }
    general_cpu_ = e.cpu;
    std::string s = fmt::format("T{:02x}thread:{:x};", e.signal & 0xff, e.cpu + 1);
    switch (e.kind) {
    case StopEvent::Kind::SwBreak: s += "swbreak:;"; break;
    case StopEvent::Kind::HwBreak: s += "hwbreak:;"; break;
    case StopEvent::Kind::Watch: {
        const char* name = e.watch_type == StopPointType::ReadWatch     ? "rwatch"
                           : e.watch_type == StopPointType::AccessWatch ? "awatch"
                                                                        : "watch";
        s += fmt::format("{}:{:x};", name, e.data_address);
        break;
    }
    default: break;
    }
    last_stop_ = s;
    return s;
}

} // namespace smpsim::gdb
