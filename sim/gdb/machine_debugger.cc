#include "sim/gdb/machine_debugger.h"

#include "sim/cache_mesi/memory_system.h"
#include "sim/core/error.h"
#include "sim/cpu/cpu_state.h"
#include "sim/cpu/decode_cache.h"
#include "sim/cpu/store_buffer.h"
#include "sim/gdb/page_walk.h"
#include "sim/gdb/platform_machine.h"
#include "sim/gdb/registers.h"

#include <fmt/format.h>

#include <cstring>
#include <ostream>
#include <utility>

namespace smpsim::gdb {

namespace {

constexpr size_t kMaxWatchpoints = 64;
constexpr u64 kMaxWatchLength = 4096;

// GDB's general registers 0..15 in the interpreter's numbering.
constexpr u8 kGprOf[16] = {cpu::RAX, cpu::RBX, cpu::RCX, cpu::RDX, cpu::RSI, cpu::RDI, cpu::RBP, cpu::RSP,
                           cpu::R8,  cpu::R9,  cpu::R10, cpu::R11, cpu::R12, cpu::R13, cpu::R14, cpu::R15};
// GDB's cs, ss, ds, es, fs, gs.
constexpr u8 kSegOf[6] = {cpu::CS, cpu::SS, cpu::DS, cpu::ES, cpu::FS, cpu::GS};

} // namespace

GdbOptions parse_gdb_address(const std::string& text) {
    GdbOptions o;
    std::string port_text = text;
    if (const size_t colon = text.rfind(':'); colon != std::string::npos) {
        o.host = text.substr(0, colon);
        port_text = text.substr(colon + 1);
        if (o.host.size() >= 2 && o.host.front() == '[' && o.host.back() == ']')
            o.host = o.host.substr(1, o.host.size() - 2); // [::1]:1234
        if (o.host.empty()) throw InputError(fmt::format("--gdb: '{}' has an empty host", text));
        if (o.host == "localhost") o.host = "127.0.0.1";
    }
    unsigned long port = 0;
    size_t used = 0;
    try {
        port = std::stoul(port_text, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    if (port_text.empty() || used != port_text.size() || port > 65535 || port_text[0] == '-' ||
        port_text[0] == '+')
        throw InputError(fmt::format("--gdb: '{}' is not [HOST:]PORT with PORT 0..65535", text));
    o.port = u16(port);
    return o;
}

MachineDebugger::MachineDebugger(platform::Machine& machine, const GdbOptions& options, std::ostream& log)
    : MachineDebugger(std::make_unique<PlatformMachine>(machine), options, log) {}

MachineDebugger::MachineDebugger(std::unique_ptr<DebuggedMachine> owned, const GdbOptions& options,
                                 std::ostream& log)
    : MachineDebugger(*owned, options, log) {
    owned_ = std::move(owned);
}

MachineDebugger::MachineDebugger(DebuggedMachine& machine, const GdbOptions& options, std::ostream& log)
    : machine_(machine), options_(options), log_(log), server_(options.host, options.port), protocol_(*this),
      cpus_(machine.cpu_count()) {
    if (options_.host != "127.0.0.1" && options_.host != "::1" && options_.host != "localhost")
        log_ << fmt::format("smpsim: warning: the GDB stub listens on {}, reachable from other hosts; it has "
                            "no authentication\n",
                            options_.host);
    log_ << fmt::format("smpsim: gdb: listening on {}:{}{}\n", options_.host, server_.port(),
                        options_.wait ? " (--gdb-wait: the machine waits for a debugger)" : "");
    log_.flush();
    hook_cpus();
    hold_at_start_ = options_.wait;
}

void MachineDebugger::hook_cpus() {
    for (unsigned i = 0; i < machine_.cpu_count(); ++i)
        machine_.cpu(i).set_debug_hooks(this, i);
}

void MachineDebugger::machine_changed() {
    cpus_.resize(machine_.cpu_count());
    for (CpuDebug& c : cpus_) {
        c.skip_valid = false; // another CPU, another instruction stream
        c.watch_hit = false;
    }
    hook_cpus();
    update_checks();
}

void MachineDebugger::cpus_reset() {
    for (CpuDebug& c : cpus_) {
        if (c.stepping) c.step_started = true; // the reset was the step: stop before the first instruction
        c.skip_valid = false;
        c.watch_hit = false;
    }
}

MachineDebugger::~MachineDebugger() {
    for (unsigned i = 0; i < machine_.cpu_count(); ++i)
        machine_.cpu(i).set_debug_hooks(nullptr, 0);
}

void MachineDebugger::run_ended(int exit_status) {
    if (ended_) return;
    ended_ = true;
    if (gdb_waits_for_stop()) {
        StopEvent e;
        e.kind = StopEvent::Kind::Exited;
        e.exit_status = exit_status;
        server_.send(protocol_.stop_reply(e));
        server_.flush();
    }
}

// ---------------------------------------------------------------------------------------------------
// Hooks: the simulation thread, at instruction boundaries.

bool MachineDebugger::gdb_waits_for_stop() const {
    return gdb_waits_for_stop_ && server_.connected() && server_.connection_number() == resumed_by_;
}

void MachineDebugger::on_slice(unsigned cpu) {
    if (ended_) return;
    if (hold_at_start_) {
        hold_at_start_ = false;
        server_.take_stop_request();
        StopEvent e;
        e.cpu = 0; // the machine is at reset: GDB's first thread is the boot CPU
        paused_in_insn_ = false;
        pause(e);
        return;
    }
    if (!server_.stop_requested() || !server_.take_stop_request()) return;
    StopEvent e;
    e.cpu = cpu;
    e.signal = gdb_waits_for_stop() ? 2 : 5; // SIGINT after Ctrl-C; SIGTRAP when a debugger attached
    paused_in_insn_ = false;
    pause(e);
}

void MachineDebugger::before_insn(unsigned cpu) {
    if (ended_) return;
    CpuDebug& c = cpus_[cpu];
    StopEvent e;
    e.cpu = cpu;
    if (c.watch_hit) {
        c.watch_hit = false;
        e.kind = StopEvent::Kind::Watch;
        e.watch_type = c.watch_type;
        e.data_address = c.watch_addr;
    } else if (c.stepping && c.step_started) {
        c.stepping = false;
    } else {
        if (c.stepping) c.step_started = true;
        const u64 rip = machine_.cpu(cpu).rip();
        const bool skip = c.skip_valid && rip == c.skip_rip;
        c.skip_valid = false;
        if (!skip && breakpoints_.count(rip)) {
            e.kind = StopEvent::Kind::SwBreak;
        } else if (!skip && hw_breakpoints_.count(rip)) {
            e.kind = StopEvent::Kind::HwBreak;
        } else {
            // A Ctrl-C reaches a CPU that runs with checks on here too, not only at its next slice.
            if (!server_.stop_requested() || !server_.take_stop_request()) return;
            e.signal = gdb_waits_for_stop() ? 2 : 5;
        }
    }
    paused_in_insn_ = true;
    pause(e);
}

void MachineDebugger::on_access(unsigned cpu, u64 linear, unsigned size, bool write) {
    CpuDebug& c = cpus_[cpu];
    if (c.watch_hit) return; // the first hit of an instruction is reported
    for (const Watchpoint& w : watchpoints_) {
        const bool kind_matches =
            w.type == StopPointType::AccessWatch ||
            (write ? w.type == StopPointType::WriteWatch : w.type == StopPointType::ReadWatch);
        if (!kind_matches || linear + size <= w.addr || linear >= w.addr + w.len) continue;
        c.watch_hit = true;
        c.watch_type = w.type;
        c.watch_addr = std::max(linear, w.addr); // inside the watched range, as GDB matches it
        return;
    }
}

// ---------------------------------------------------------------------------------------------------
// All-stop.

void MachineDebugger::pause(const StopEvent& event) {
    last_stop_ = event;
    paused_cpu_ = event.cpu;
    const std::string reply = protocol_.stop_reply(event);
    if (gdb_waits_for_stop()) server_.send(reply);
    gdb_waits_for_stop_ = false;
    for (;;) {
        GdbServer::Incoming in = server_.wait_incoming();
        switch (in.kind) {
        case GdbServer::Incoming::Kind::Connected:
            server_.take_stop_request(); // the new debugger finds the machine stopped already
            protocol_.reset_connection();
            protocol_.stop_reply(last_stop_);
            server_.set_no_ack(false);
            log_ << "smpsim: gdb: debugger attached\n";
            log_.flush();
            continue;
        case GdbServer::Incoming::Kind::Disconnected:
            if (options_.wait) {
                log_ << fmt::format("smpsim: gdb: {}; ending the run (--gdb-wait)\n", in.payload);
                log_.flush();
                release();
                ended_ = true;
                machine_.end_run("the debugger's connection was lost (--gdb-wait)");
                return;
            }
            log_ << fmt::format("smpsim: gdb: {}; the run goes on\n", in.payload);
            log_.flush();
            release();
            // A stop request of the lost debugger is stale: running on, the machine would pause with
            // nobody to resume it. Taken before the check, so a debugger that connects after it still
            // stops the machine.
            server_.take_stop_request();
            if (server_.connected())
                continue; // another debugger is already there: it gets the machine stopped
            return;
        case GdbServer::Incoming::Kind::Packet: break;
        }
        Outcome o = protocol_.handle(in.payload);
        switch (o.kind) {
        case Outcome::Kind::Reply:
            if (in.payload == "QStartNoAckMode" && o.reply == "OK") server_.set_no_ack(true);
            server_.send(o.reply);
            continue;
        case Outcome::Kind::Resume:
            resume(o.resume, in.seq);
            gdb_waits_for_stop_ = true;
            resumed_by_ = server_.connection_number();
            return;
        case Outcome::Kind::Detach:
            server_.send(o.reply);
            server_.flush();
            log_ << "smpsim: gdb: debugger detached; the run goes on\n";
            log_.flush();
            release();
            return;
        case Outcome::Kind::Kill:
            if (!o.reply.empty()) {
                server_.send(o.reply);
                server_.flush();
            }
            log_ << "smpsim: gdb: the debugger killed the run\n";
            log_.flush();
            release();
            ended_ = true;
            server_.close_client();
            machine_.end_run("killed by the debugger");
            return;
        }
    }
}

void MachineDebugger::resume(const Resume& how, u64 packet_seq) {
    // CPUs GDB wants stopped run too (see docs/DEBUGGING.md): under SystemC's cooperative scheduling
    // they do not get to run before a step of the paused CPU ends anyway.
    for (unsigned i = 0; i < cpus_.size(); ++i) {
        CpuDebug& c = cpus_[i];
        c.stepping = i < how.actions.size() && how.actions[i] == CpuAction::Step;
        // A CPU paused before an instruction has passed that instruction's checks already.
        c.step_started = c.stepping && paused_in_insn_ && i == paused_cpu_;
        // Only the CPU that paused before an instruction has had that instruction's checks; the others
        // stopped between their slices (a litmus run's CPUs between steps), and a breakpoint where they
        // stand is still to be hit.
        c.skip_valid = paused_in_insn_ && i == paused_cpu_;
        c.skip_rip = machine_.cpu(i).rip();
        c.watch_hit = false;
    }
    server_.discard_stop_request_before(packet_seq); // a Ctrl-C that came while stopped is stale
    update_checks();
}

void MachineDebugger::release() {
    protocol_.remove_all_stop_points();
    breakpoints_.clear();
    hw_breakpoints_.clear();
    watchpoints_.clear();
    for (CpuDebug& c : cpus_)
        c = CpuDebug{};
    gdb_waits_for_stop_ = false;
    update_checks();
}

void MachineDebugger::update_checks() {
    bool stepping = false;
    for (const CpuDebug& c : cpus_)
        stepping |= c.stepping;
    const bool each_access = !watchpoints_.empty();
    const bool each_insn = each_access || stepping || !breakpoints_.empty() || !hw_breakpoints_.empty();
    for (unsigned i = 0; i < machine_.cpu_count(); ++i)
        machine_.cpu(i).set_debug_checks(each_insn, each_access);
}

// ---------------------------------------------------------------------------------------------------
// Target: registers.

unsigned MachineDebugger::cpu_count() const {
    return unsigned(cpus_.size());
}

u64 MachineDebugger::read_register(unsigned index, unsigned reg) {
    const cpu::Cpu& c = machine_.cpu(index);
    const cpu::CpuState& s = c.state();
    if (reg <= kR15) return c.gpr(kGprOf[reg]);
    if (reg >= kCs && reg <= kGs) return s.seg[kSegOf[reg - kCs]].selector;
    switch (reg) {
    case kRip: return c.rip();
    case kEflags: return c.rflags();
    case kFsBase: return s.seg[cpu::FS].base;
    case kGsBase: return s.seg[cpu::GS].base;
    case kKernelGsBase: return s.kernel_gs_base;
    case kCr0: return s.cr0;
    case kCr2: return s.cr2;
    case kCr3: return s.cr3;
    case kCr4: return s.cr4;
    case kCr8: return s.cr8;
    case kEfer: return s.efer;
    default: return 0;
    }
}

bool MachineDebugger::write_register(unsigned index, unsigned reg, u64 value) {
    cpu::Cpu& c = machine_.cpu(index);
    if (reg <= kR15) {
        c.set_gpr(kGprOf[reg], value);
        return true;
    }
    switch (reg) {
    case kRip: c.set_rip(value); return true;
    case kEflags: c.set_rflags(value); return true;
    case kCr2: c.state().cr2 = value; return true;
    default: break;
    }
    // Registers the mode and the translations depend on: the CPU recomputes them.
    cpu::CpuState& s = c.state();
    switch (reg) {
    case kFsBase: s.seg[cpu::FS].base = value; break;
    case kGsBase: s.seg[cpu::GS].base = value; break;
    case kKernelGsBase: s.kernel_gs_base = value; break;
    case kCr0: s.cr0 = value; break;
    case kCr3: s.cr3 = value; break;
    case kCr4: s.cr4 = value; break;
    case kCr8: s.cr8 = value & 0xf; break;
    case kEfer: s.efer = value; break;
    default: return false; // segment selectors: loading one needs descriptor checks GDB cannot ask for
    }
    c.sync_state();
    return true;
}

std::string MachineDebugger::thread_extra_info(unsigned index) {
    const cpu::Cpu& c = machine_.cpu(index);
    const char* state = c.waiting_for_sipi() ? "waiting for SIPI" : c.halted() ? "halted" : "running";
    const std::string label = machine_.thread_label(index);
    return fmt::format("{}{}{}, {}", label, label.empty() ? "" : ", ", c.mode_name(), state);
}

// ---------------------------------------------------------------------------------------------------
// Target: memory.

std::optional<u64> MachineDebugger::read_phys(u64 paddr, unsigned size) {
    u8 bytes[8] = {};
    if (!read_phys_bytes(paddr, bytes, size)) return std::nullopt;
    u64 v = 0;
    std::memcpy(&v, bytes, size);
    return v;
}

bool MachineDebugger::read_phys_bytes(u64 paddr, u8* out, size_t len) {
    const std::span<u8> ram = machine_.ram();
    if (paddr >= ram.size() || len > ram.size() - paddr) return false; // RAM only: MMIO reads have effects
    if (auto* caches = machine_.caches())
        caches->peek(paddr, out, u32(len)); // the coherent value: a Modified line is newer than RAM
    else
        std::memcpy(out, ram.data() + paddr, len);
    return true;
}

bool MachineDebugger::write_phys_bytes(u64 paddr, const u8* data, size_t len) {
    const std::span<u8> ram = machine_.ram();
    if (paddr >= ram.size() || len > ram.size() - paddr) return false;
    if (auto* caches = machine_.caches())
        caches->poke(paddr, data, u32(len));
    else
        std::memcpy(ram.data() + paddr, data, len);
    // Code decoded from these bytes is stale now.
    cpu::DecodeCache& code = machine_.decode_cache();
    for (u64 page = paddr & ~0xfffull; page < paddr + len; page += 0x1000)
        if (code.is_code_page(page)) code.invalidate(page);
    return true;
}

std::optional<u64> MachineDebugger::translate(unsigned index, u64 linear) {
    const cpu::CpuState& s = std::as_const(machine_.cpu(index)).state();
    return debug_translate(linear, PagingState{s.cr0, s.cr3, s.cr4, s.efer},
                           [this](u64 pa, unsigned size) { return read_phys(pa, size); });
}

size_t MachineDebugger::read_memory(unsigned index, u64 addr, u8* out, size_t len) {
    const cpu::StoreBuffer* sb = machine_.cpu(index).store_buffer();
    size_t done = 0;
    while (done < len) {
        const u64 lin = addr + done;
        const size_t chunk = std::min<size_t>(len - done, 0x1000 - (lin & 0xfff));
        const auto pa = translate(index, lin);
        if (!pa || !read_phys_bytes(*pa, out + done, chunk)) break;
        // The CPU sees its own buffered stores (store-to-load forwarding), and so does its debugger.
        if (sb)
            for (const cpu::StoreBuffer::Entry& e : sb->entries())
                for (unsigned b = 0; b < e.size; ++b)
                    if (e.paddr + b >= *pa && e.paddr + b < *pa + chunk)
                        out[done + (e.paddr + b - *pa)] = u8(e.value >> (8 * b));
        done += chunk;
    }
    return done;
}

size_t MachineDebugger::write_memory(unsigned index, u64 addr, const u8* data, size_t len) {
    size_t done = 0;
    while (done < len) {
        const u64 lin = addr + done;
        const size_t chunk = std::min<size_t>(len - done, 0x1000 - (lin & 0xfff));
        const auto pa = translate(index, lin);
        if (!pa || !write_phys_bytes(*pa, data + done, chunk)) break;
        done += chunk;
    }
    return done;
}

// ---------------------------------------------------------------------------------------------------
// Target: stop points.

bool MachineDebugger::insert_stop_point(StopPointType type, u64 addr, u64 len) {
    if (type == StopPointType::SoftwareBreak) {
        breakpoints_.insert(addr);
    } else if (type == StopPointType::HardwareBreak) {
        hw_breakpoints_.insert(addr);
    } else {
        if (len == 0 || len > kMaxWatchLength || watchpoints_.size() >= kMaxWatchpoints) return false;
        watchpoints_.push_back({type, addr, len});
    }
    update_checks();
    return true;
}

bool MachineDebugger::remove_stop_point(StopPointType type, u64 addr, u64 len) {
    bool found = false;
    if (type == StopPointType::SoftwareBreak || type == StopPointType::HardwareBreak) {
        auto& set = type == StopPointType::SoftwareBreak ? breakpoints_ : hw_breakpoints_;
        if (auto it = set.find(addr); it != set.end()) {
            set.erase(it);
            found = true;
        }
    } else {
        for (auto it = watchpoints_.begin(); it != watchpoints_.end(); ++it)
            if (it->type == type && it->addr == addr && it->len == len) {
                watchpoints_.erase(it);
                found = true;
                break;
            }
    }
    update_checks();
    return found;
}

} // namespace smpsim::gdb
