#include "sim/litmus/litmus_debugger.h"

#include "sim/cpu/cpu.h"

#include <fmt/format.h>

#include <ostream>

namespace smpsim::litmus {

LitmusDebugger::LitmusDebugger(const gdb::GdbOptions& options, std::ostream& log)
    : log_(log), debugger_(*this, options, log) {}

void LitmusDebugger::test_started(const LitmusMachine& machine) {
    machine_ = machine;
    // Where to break: an x86 test's code addresses, or the C test's image for GDB's symbols.
    std::string where;
    if (!machine_.image.empty()) {
        where = fmt::format("image {} (`file` it in GDB for symbols)", machine_.image);
    } else {
        for (size_t t = 0; t < machine_.code_addresses.size(); ++t)
            where += fmt::format("{}P{} at {:#x}", t ? ", " : "code: ", t, machine_.code_addresses[t]);
        where += " (`monitor litmus` lists it)";
    }
    log_ << fmt::format("smpsim: gdb: test {} ({}), {} threads on CPUs 0..{}; {}\n", machine_.test,
                        machine_.file, machine_.cpus.size(), machine_.cpus.size() - 1, where);
    log_.flush();
    debugger_.machine_changed();
}

void LitmusDebugger::test_ended() {
    for (cpu::Cpu* c : machine_.cpus)
        c->set_debug_hooks(nullptr, 0);
    machine_ = LitmusMachine{};
    debugger_.machine_changed();
}

void LitmusDebugger::run_started() {
    debugger_.cpus_reset();
}

std::string LitmusDebugger::thread_label(unsigned index) const {
    return fmt::format("P{}", index);
}

std::string LitmusDebugger::time_line() {
    return "no simulated time in a litmus run: its scheduler counts steps (`monitor litmus`)";
}

std::optional<std::string> LitmusDebugger::litmus_status() {
    if (!machine_.status) return "no litmus test is running\n";
    return machine_.status();
}

void LitmusDebugger::end_run(const std::string& reason) {
    ended_ = true;
    end_reason_ = reason;
    // No CPU executes another instruction: the runner sees run_ended_by_debugger() after this step.
    for (cpu::Cpu* c : machine_.cpus)
        c->request_stop(cpu::StopReason::ExitRequested);
}

} // namespace smpsim::litmus
