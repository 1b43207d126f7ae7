#include "sim/platform/signal_trace.h"

#include "sim/apic/msi.h"
#include "sim/core/error.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace smpsim::platform {

struct SignalTrace::LineTap final : InterruptLine {
    BoolSignal& level;
    InterruptLine* target;
    LineTap(BoolSignal& l, InterruptLine* t) : level(l), target(t) {}
    void set_level(bool value) override {
        level.write(value);
        if (target) target->set_level(value);
    }
};

struct SignalTrace::SinkTap final : InterruptSink {
    BoolSignal& intr;
    InterruptSink& target;
    SinkTap(BoolSignal& i, InterruptSink& t) : intr(i), target(t) {}
    void set_intr(bool level) override {
        intr.write(level);
        target.set_intr(level);
    }
    void raise_nmi() override { target.raise_nmi(); }
    void raise_init() override { target.raise_init(); }
    void raise_sipi(u8 vector) override { target.raise_sipi(vector); }
};

struct SignalTrace::SourceTap final : InterruptSource {
    CountSignal& taken;
    ByteSignal& vector;
    InterruptSource& target;
    unsigned count = 0; // the signal's value becomes visible only after the update phase
    SourceTap(CountSignal& c, ByteSignal& v, InterruptSource& t) : taken(c), vector(v), target(t) {}
    bool has_pending() override { return target.has_pending(); }
    u8 acknowledge() override {
        const u8 v = target.acknowledge();
        taken.write(++count);
        vector.write(v);
        return v;
    }
};

struct SignalTrace::NicTap final : EthernetNicPort {
    BoolSignal& link;
    EthernetNicPort& nic;
    NicTap(BoolSignal& l, EthernetNicPort& n) : link(l), nic(n) {}
    EthRxResult receive(std::span<const u8> frame) override { return nic.receive(frame); }
    bool can_receive(std::span<const u8> frame) const override { return nic.can_receive(frame); }
    void set_link(bool up) override {
        link.write(up);
        nic.set_link(up);
    }
};

struct SignalTrace::MsiSignals {
    std::string device;
    CountSignal& messages;
    ByteSignal& vector;
    ByteSignal& dest;
    unsigned count = 0;
};

namespace {

// SystemC appends ".vcd" to the name it is given.
constexpr std::string_view kVcdSuffix = ".vcd";

std::string object_name(const std::string& trace_name) {
    std::string name = trace_name;
    std::replace(name.begin(), name.end(), '.', '_');
    return name;
}

} // namespace

SignalTrace::SignalTrace(sc_core::sc_module_name name, const std::string& path)
    : sc_module(name), path_(path) {
    // Find a path that cannot be written now, not after the run; SystemC's own failure would be a
    // SystemC error.
    const bool named_vcd = path.size() > kVcdSuffix.size() && path.ends_with(kVcdSuffix);
    systemc_path_ = named_vcd ? path : path + std::string(kVcdSuffix);
    for (const std::string& p : {path_, systemc_path_}) {
        std::ofstream probe(p, std::ios::binary);
        if (!probe)
            throw InputError(
                fmt::format("{}: cannot open the VCD file for writing: {}", p, std::strerror(errno)));
    }
    if (!named_vcd) std::filesystem::remove(systemc_path_);
    const std::string base = systemc_path_.substr(0, systemc_path_.size() - kVcdSuffix.size());
    file_ = sc_core::sc_create_vcd_trace_file(base.c_str());
    if (!file_) throw InputError(fmt::format("{}: cannot open the VCD file for writing", systemc_path_));
    // The kernel's resolution: every event keeps its exact time (and SystemC prints no note about it).
    file_->set_time_unit(sc_core::sc_get_time_resolution().to_seconds(), sc_core::SC_SEC);
}

SignalTrace::~SignalTrace() {
    try {
        close();
    } catch (const InputError&) {
        // The run failed already: its own error is the one reported.
    }
}

template <class Signal>
Signal& SignalTrace::signal(std::deque<Signal>& store, const std::string& trace_name) {
    Signal& s = store.emplace_back(object_name(trace_name).c_str());
    sc_core::sc_trace(file_, s, trace_name);
    return s;
}

InterruptLine& SignalTrace::line(const std::string& trace_name, InterruptLine* target) {
    lines_.push_back(std::make_unique<LineTap>(signal(bool_signals_, trace_name), target));
    return *lines_.back();
}

InterruptSink& SignalTrace::cpu_sink(unsigned cpu, InterruptSink& target) {
    sinks_.push_back(
        std::make_unique<SinkTap>(signal(bool_signals_, fmt::format("cpu{}.intr", cpu)), target));
    return *sinks_.back();
}

InterruptSource& SignalTrace::cpu_source(unsigned cpu, InterruptSource& target) {
    CountSignal& taken = signal(count_signals_, fmt::format("cpu{}.interrupts", cpu));
    ByteSignal& vector = signal(byte_signals_, fmt::format("cpu{}.vector", cpu));
    sources_.push_back(std::make_unique<SourceTap>(taken, vector, target));
    return *sources_.back();
}

std::function<void(u64, u32)> SignalTrace::msi_probe(const std::string& device) {
    msi_.push_back(std::make_unique<MsiSignals>(MsiSignals{
        device, signal(count_signals_, device + ".msi_messages"),
        signal(byte_signals_, device + ".msi_vector"), signal(byte_signals_, device + ".msi_dest")}));
    return [&s = *msi_.back()](u64 address, u32 data) {
        const ApicMessage m = apic::msi_message(address, data);
        s.messages.write(++s.count);
        s.vector.write(m.vector);
        s.dest.write(u8(m.destination));
    };
}

EthernetNicPort& SignalTrace::nic_port(const std::string& device, EthernetNicPort& nic) {
    nics_.push_back(std::make_unique<NicTap>(signal(bool_signals_, device + ".link_up"), nic));
    return *nics_.back();
}

void SignalTrace::close() {
    if (!file_) return;
    sc_core::sc_close_vcd_trace_file(file_);
    file_ = nullptr;
    scrub_vcd_date(systemc_path_);
    if (systemc_path_ != path_) {
        std::error_code ec;
        std::filesystem::rename(systemc_path_, path_, ec);
        if (ec)
            throw InputError(
                fmt::format("{}: cannot rename it to {}: {}", systemc_path_, path_, ec.message()));
    }
}

bool scrub_vcd_date(const std::string& path) {
    std::FILE* f = std::fopen(path.c_str(), "r+b");
    if (!f) return false;
    char head[512];
    const size_t n = std::fread(head, 1, sizeof(head), f);
    const std::string_view text(head, n);
    constexpr std::string_view kDate = "$date", kEnd = "$end";
    const size_t date = text.find(kDate);
    const size_t end = date == text.npos ? text.npos : text.find(kEnd, date);
    bool done = false;
    if (end != text.npos) {
        // Keep the line structure: "$date\n     <text>\n$end".
        const size_t from = date + kDate.size() + 1, to = end - 1;
        if (from < to) {
            std::string fixed = "     omitted (reproducible)";
            fixed.resize(to - from, ' ');
            done = std::fseek(f, long(from), SEEK_SET) == 0 &&
                   std::fwrite(fixed.data(), 1, fixed.size(), f) == fixed.size();
        }
    }
    return std::fclose(f) == 0 && done;
}

} // namespace smpsim::platform
