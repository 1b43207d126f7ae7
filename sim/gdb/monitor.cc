// Monitor commands (GDB's `monitor ...`, the qRcmd packet): what smpsim models and no other debugger
// shows - a line's MESI state in every L1, store buffers, invalidate queues, TLBs.
#include "sim/apic/io_apic.h"
#include "sim/apic/local_apic.h"
#include "sim/cache_mesi/memory_system.h"
#include "sim/cpu/cpu_state.h"
#include "sim/cpu/store_buffer.h"
#include "sim/gdb/machine_debugger.h"
#include "sim/gdb/packet.h"
#include "sim/pic8259/pic8259.h"

#include <fmt/format.h>

#include <sstream>

namespace smpsim::gdb {

namespace {

std::vector<std::string> split_words(std::string_view s) {
    std::vector<std::string> words;
    std::istringstream in{std::string(s)};
    for (std::string w; in >> w;)
        words.push_back(w);
    return words;
}

// A number as GDB users type it: 0x-prefixed hex or decimal.
std::optional<u64> parse_number(const std::string& s) {
    if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) return parse_hex_u64(s.substr(2));
    if (s.empty() || s.size() > 19 || s.find_first_not_of("0123456789") != std::string::npos)
        return std::nullopt;
    return std::stoull(s);
}

struct Command {
    const char* name;
    const char* usage;
    const char* help;
};
constexpr Command kCommands[] = {
    {"help", "help", "this list"},
    {"cpus", "cpus", "every CPU: mode, RIP, halted or waiting for SIPI, interrupts pending"},
    {"cache", "cache ADDR",
     "a physical line's MESI state in every L1 and the LLC, its statistics, queued "
     "invalidations"},
    {"sb", "sb [CPU]", "store buffer entries (address, size, value, age), oldest first"},
    {"iq", "iq [CPU]", "invalidate queue entries (weak model), oldest first"},
    {"tlb", "tlb [CPU]", "valid instruction and data TLB entries"},
    {"time", "time", "simulated time, and cycles and instructions per CPU"},
    {"xp", "xp ADDR [LEN]", "physical memory, LEN bytes (default 64, at most 4096)"},
    {"lapic", "lapic [CPU]", "local APIC registers and pending, in-service and level-triggered vectors"},
    {"ioapic", "ioapic", "I/O APIC redirection entries that are not masked"},
    {"pic", "pic", "8259A pair: IRR, ISR, IMR, vector bases"},
    {"stats", "stats", "the run's summary so far"},
    {"litmus", "litmus", "smpsim litmus: the test, the run of how many, its scheduler, the states so far"},
};

} // namespace

std::string MachineDebugger::monitor(std::string_view command) {
    const std::vector<std::string> words = split_words(command);
    if (words.empty() || words[0] == "help") return monitor_help();
    const std::string& name = words[0];
    const std::vector<std::string> args(words.begin() + 1, words.end());
    if (name == "cpus") return monitor_cpus();
    if (name == "cache") return monitor_cache(args);
    if (name == "sb") return monitor_sb(args);
    if (name == "iq") return monitor_iq(args);
    if (name == "tlb") return monitor_tlb(args);
    if (name == "time") return monitor_time();
    if (name == "xp") return monitor_xp(args);
    if (name == "stats") return monitor_stats();
    if (name == "lapic") return monitor_lapic(args);
    if (name == "ioapic") return monitor_ioapic();
    if (name == "pic") return monitor_pic();
    if (name == "litmus") return monitor_litmus();
    return fmt::format("unknown monitor command '{}'; 'monitor help' lists them\n", name);
}

std::string MachineDebugger::monitor_help() {
    std::string s = "smpsim monitor commands (numbers: decimal or 0x hex):\n";
    for (const Command& c : kCommands)
        s += fmt::format("  {:<14} {}\n", c.usage, c.help);
    return s;
}

// Which CPUs a command applies to: the one named, or every CPU. nullopt (with `error`) when bad.
static std::optional<std::vector<unsigned>> cpu_selection(const std::vector<std::string>& args,
                                                          unsigned count, std::string& error) {
    std::vector<unsigned> cpus;
    if (args.empty()) {
        for (unsigned i = 0; i < count; ++i)
            cpus.push_back(i);
        return cpus;
    }
    const auto n = parse_number(args[0]);
    if (!n || *n >= count || args.size() > 1) {
        error = fmt::format("expected a CPU number 0..{}\n", count - 1);
        return std::nullopt;
    }
    cpus.push_back(unsigned(*n));
    return cpus;
}

std::string MachineDebugger::monitor_cpus() {
    std::string s;
    for (unsigned i = 0; i < cpu_count(); ++i) {
        const cpu::Cpu& c = machine_.cpu(i);
        const cpu::CpuState& st = c.state();
        const char* state = c.waiting_for_sipi() ? "waiting for SIPI" : c.halted() ? "halted" : "running";
        const bool if_set = c.rflags() & cpu::kFlagIf;
        const std::string label = machine_.thread_label(i);
        s += fmt::format("CPU {}{}: {:<12} CPL {} rip {:04x}:{:016x} {:<16} IF={}", i,
                         label.empty() ? "" : " (" + label + ")", c.mode_name(), c.cpl(),
                         st.seg[cpu::CS].selector, c.rip(), state, if_set ? 1 : 0);
        const apic::LocalApic* lapic = machine_.local_apic(i);
        if (!lapic) {
            s += "\n";
            continue;
        }
        std::string irr, isr;
        for (unsigned v = 16; v < 256; ++v) {
            if (lapic->irr_bit(u8(v))) irr += fmt::format(" {:#x}", v);
            if (lapic->isr_bit(u8(v))) isr += fmt::format(" {:#x}", v);
        }
        s += fmt::format(" pending:{} in service:{}\n", irr.empty() ? " none" : irr,
                         isr.empty() ? " none" : isr);
    }
    return s;
}

std::string MachineDebugger::monitor_cache(const std::vector<std::string>& args) {
    if (args.size() != 1 || !parse_number(args[0])) return "usage: monitor cache ADDR (a physical address)\n";
    const u64 paddr = *parse_number(args[0]);
    const u64 line = paddr & ~u64{63};
    cache_mesi::MemorySystem* caches = machine_.caches();
    if (!caches) return "no cache model in functional mode: run with --model tso or --model weak\n";
    if (paddr >= caches->ram().size()) return fmt::format("{:#x} is not in RAM\n", paddr);
    std::string s = fmt::format("line {:#x} ({} model)\n", line, cache_mesi::to_string(caches->model()));
    const cache_mesi::LineStats* stats = caches->stats().find(line);
    for (unsigned i = 0; i < cpu_count(); ++i) {
        s += fmt::format("  L1 cpu{:<2} {:<3}", i, cache_mesi::to_string(caches->state_of(i, line)));
        if (stats && i < stats->cpu.size() && stats->cpu[i].touched()) {
            const cache_mesi::CpuLineStats& c = stats->cpu[i];
            s += fmt::format("  loads {} stores {} misses {} rfos {} upgrades {} hitm {} inv-recv {} wb {}",
                             c.loads, c.stores, c.misses, c.rfos, c.upgrades, c.hitm, c.inv_received,
                             c.writebacks);
        }
        s += "\n";
        for (const auto& q : caches->invalidate_queue(i))
            if (q.line == line)
                s += fmt::format("           invalidation queued, due at cycle {}\n", q.deadline);
    }
    if (caches->config().llc_enabled)
        s += fmt::format("  LLC      {}\n", caches->llc_holds(line) ? "present" : "absent");
    if (stats)
        s += fmt::format("  DMA reads {} writes {}{}\n", stats->dma_reads, stats->dma_writes,
                         stats->false_sharing() ? "  (false sharing)" : "");
    return s;
}

std::string MachineDebugger::monitor_sb(const std::vector<std::string>& args) {
    std::string error;
    const auto cpus = cpu_selection(args, cpu_count(), error);
    if (!cpus) return error;
    std::string s;
    for (unsigned i : *cpus) {
        const cpu::StoreBuffer* sb = machine_.cpu(i).store_buffer();
        if (!sb) return "no store buffers in functional mode: run with --model tso or --model weak\n";
        s += fmt::format("CPU {}: {} of {} entries\n", i, sb->size(), sb->capacity());
        const auto& entries = sb->entries();
        const u64 newest = entries.empty() ? 0 : entries.back().seq;
        for (const cpu::StoreBuffer::Entry& e : entries)
            s += fmt::format("  paddr {:#x} size {} value {:#x} age {} epoch {}\n", e.paddr, e.size, e.value,
                             newest - e.seq, e.epoch);
    }
    return s;
}

std::string MachineDebugger::monitor_iq(const std::vector<std::string>& args) {
    std::string error;
    const auto cpus = cpu_selection(args, cpu_count(), error);
    if (!cpus) return error;
    cache_mesi::MemorySystem* caches = machine_.caches();
    if (!caches) return "no cache model in functional mode: run with --model tso or --model weak\n";
    std::string s;
    for (unsigned i : *cpus) {
        const auto queue = caches->invalidate_queue(i);
        s += fmt::format("CPU {}: {} queued invalidations (cycle now {})\n", i, queue.size(),
                         machine_.memory_clock(i));
        for (const auto& q : queue)
            s += fmt::format("  line {:#x} due at cycle {}\n", q.line, q.deadline);
    }
    return s;
}

std::string MachineDebugger::monitor_tlb(const std::vector<std::string>& args) {
    std::string error;
    const auto cpus = cpu_selection(args, cpu_count(), error);
    if (!cpus) return error;
    std::string s;
    for (unsigned i : *cpus) {
        const mmu::Mmu& m = machine_.cpu(i).mmu();
        for (const auto& [name, tlb] : {std::pair{"ITLB", &m.itlb()}, std::pair{"DTLB", &m.dtlb()}}) {
            std::vector<mmu::Translation> entries = tlb->valid_entries();
            std::sort(entries.begin(), entries.end(),
                      [](const auto& a, const auto& b) { return a.linear_page < b.linear_page; });
            s += fmt::format("CPU {} {}: {} valid\n", i, name, entries.size());
            for (const mmu::Translation& t : entries)
                s += fmt::format("  {:#018x} -> {:#012x} {:>4} {}{}{}{}{}\n", t.linear_page, t.physical_page,
                                 t.page_size >= (1u << 30)   ? "1G"
                                 : t.page_size >= (4u << 20) ? "4M"
                                 : t.page_size >= (2u << 20) ? "2M"
                                                             : "4K",
                                 t.writable ? "W" : "-", t.user ? "U" : "S", t.executable ? "X" : "-",
                                 t.global ? " G" : "", t.dirty ? " D" : "");
        }
    }
    return s;
}

std::string MachineDebugger::monitor_time() {
    std::string s = machine_.time_line() + "\n";
    for (unsigned i = 0; i < cpu_count(); ++i) {
        const cpu::CpuStats& st = machine_.cpu(i).stats();
        s += fmt::format("CPU {}: cycles {} (idle {}) instructions {} (counted at the end of each slice)\n",
                         i, st.cycles, st.idle_cycles, st.instructions);
    }
    return s;
}

std::string MachineDebugger::monitor_xp(const std::vector<std::string>& args) {
    if (args.empty() || args.size() > 2) return "usage: monitor xp ADDR [LEN]\n";
    const auto addr = parse_number(args[0]);
    const auto len = args.size() > 1 ? parse_number(args[1]) : std::optional<u64>(64);
    if (!addr || !len || *len == 0 || *len > 4096) return "usage: monitor xp ADDR [LEN] (LEN 1..4096)\n";
    std::vector<u8> bytes(*len);
    if (!read_phys_bytes(*addr, bytes.data(), bytes.size()))
        return fmt::format("{:#x}+{}: not RAM (physical memory beyond RAM or MMIO is not read)\n", *addr,
                           *len);
    std::string s;
    for (size_t off = 0; off < bytes.size(); off += 16) {
        s += fmt::format("{:016x}:", *addr + off);
        for (size_t b = off; b < std::min(bytes.size(), off + 16); ++b)
            s += fmt::format(" {:02x}", bytes[b]);
        s += "\n";
    }
    return s;
}

std::string MachineDebugger::monitor_stats() {
    u64 insns = 0, cycles = 0, exceptions = 0, interrupts = 0, decode_misses = 0;
    for (unsigned i = 0; i < cpu_count(); ++i) {
        const cpu::CpuStats& st = machine_.cpu(i).stats();
        insns += st.instructions;
        cycles = std::max(cycles, st.cycles);
        exceptions += st.exceptions;
        interrupts += st.interrupts;
        decode_misses += st.decode_cache_misses;
    }
    std::string s = fmt::format("{}; cycles {} (the CPU that ran most); instructions {}\n"
                                "exceptions {} interrupts {} decode-cache misses {}\n",
                                machine_.time_line(), cycles, insns, exceptions, interrupts, decode_misses);
    if (auto* caches = machine_.caches()) {
        for (unsigned i = 0; i < cpu_count(); ++i) {
            const cache_mesi::CpuLineStats t = caches->stats().cpu_total(i);
            s += fmt::format("CPU {}: loads {} stores {} misses {} rfos {} hitm {} inv-recv {}\n", i, t.loads,
                             t.stores, t.misses, t.rfos, t.hitm, t.inv_received);
        }
    }
    return s;
}

std::string MachineDebugger::monitor_lapic(const std::vector<std::string>& args) {
    std::string error;
    const auto cpus = cpu_selection(args, cpu_count(), error);
    if (!cpus) return error;
    using apic::LocalApic;
    std::string s;
    for (unsigned i : *cpus) {
        if (!machine_.local_apic(i)) return fmt::format("no local APIC in {}\n", machine_.description());
        const LocalApic& a = *machine_.local_apic(i);
        auto vectors = [&](bool (LocalApic::*bit)(u8) const) {
            std::string v;
            for (unsigned n = 16; n < 256; ++n)
                if ((a.*bit)(u8(n))) v += fmt::format(" {:#x}", n);
            return v.empty() ? std::string(" none") : v;
        };
        s += fmt::format("CPU {}: ID {:#x} TPR {:#x} PPR {:#x} SVR {:#x} ({}) LDR {:#x} DFR {:#x}\n", i,
                         a.id(), a.peek(LocalApic::kTpr), a.ppr(), a.peek(LocalApic::kSvr),
                         a.software_enabled() ? "enabled" : "disabled", a.peek(LocalApic::kLdr),
                         a.peek(LocalApic::kDfr));
        s += fmt::format("  ICR {:#010x}:{:08x} LVT timer {:#x} LINT0 {:#x} LINT1 {:#x} error {:#x}\n",
                         a.peek(LocalApic::kIcrHigh), a.peek(LocalApic::kIcrLow),
                         a.peek(LocalApic::kLvtTimer), a.peek(LocalApic::kLvtLint0),
                         a.peek(LocalApic::kLvtLint1), a.peek(LocalApic::kLvtError));
        s += fmt::format("  timer initial {} divide {:#x}\n", a.peek(LocalApic::kTimerInitial),
                         a.peek(LocalApic::kTimerDivide));
        s += fmt::format("  IRR{}\n  ISR{}\n  TMR{}\n", vectors(&LocalApic::irr_bit),
                         vectors(&LocalApic::isr_bit), vectors(&LocalApic::tmr_bit));
    }
    return s;
}

std::string MachineDebugger::monitor_ioapic() {
    if (!machine_.io_apic()) return fmt::format("no I/O APIC in {}\n", machine_.description());
    const apic::IoApic& io = *machine_.io_apic();
    std::string s =
        fmt::format("I/O APIC ID {:#x} version {:#x}\n", io.read_register(apic::IoApic::kRegId) >> 24,
                    io.read_register(apic::IoApic::kRegVersion));
    unsigned masked = 0;
    for (unsigned pin = 0; pin < apic::IoApic::kPins; ++pin) {
        const u8 index = u8(apic::IoApic::kRegRedirection + 2 * pin);
        apic::RedirectionEntry e;
        e.raw = u64(io.read_register(index)) | u64(io.read_register(u8(index + 1))) << 32;
        if (e.masked()) {
            ++masked;
            continue;
        }
        s += fmt::format("  pin {:2}: vector {:#04x} delivery {} {} dest {:#x} {} {}{}\n", pin, e.vector(),
                         e.delivery_mode_bits(), e.logical() ? "logical" : "physical", e.destination(),
                         e.level_triggered() ? "level" : "edge",
                         e.active_low() ? "active-low" : "active-high", e.remote_irr() ? " remote-IRR" : "");
    }
    s += fmt::format("  {} pins masked\n", masked);
    return s;
}

std::string MachineDebugger::monitor_pic() {
    if (!machine_.pic()) return fmt::format("no 8259A PIC in {}\n", machine_.description());
    const pic8259::PicPair& pair = *machine_.pic();
    std::string s;
    for (const auto& [name, chip] : {std::pair{"master", &pair.master()}, std::pair{"slave", &pair.slave()}})
        s += fmt::format("{:<6}: IRR {:#04x} ISR {:#04x} IMR {:#04x} vector base {:#04x} ELCR {:#04x}{}\n",
                         name, chip->irr(), chip->isr(), chip->imr(), chip->vector_base(),
                         chip->level_triggered_mask(), chip->initializing() ? " (initialising)" : "");
    return s;
}

std::string MachineDebugger::monitor_litmus() {
    if (const std::optional<std::string> status = machine_.litmus_status()) return *status;
    return "not a litmus run: `monitor litmus` answers under `smpsim litmus --gdb`\n";
}

} // namespace smpsim::gdb
