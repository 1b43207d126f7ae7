// The two kinds of error that stop the simulator, as opposed to guest misbehaviour, which is reported
// and simulated:
// - InputError: what the user gave is wrong (a file, a config, a command line). One line on stderr,
//   exit status 2.
// - InternalError: the simulator itself is wrong (a broken invariant). One line
//   "smpsim: internal error: ...", exit status 70 (docs/EXITS.md), which no guest can produce.
#pragma once
#include <stdexcept>
#include <string>
#include <string_view>

namespace smpsim {

class InputError : public std::runtime_error {
  public:
    explicit InputError(const std::string& message) : std::runtime_error(message) {}
};

class InternalError : public std::logic_error {
  public:
    explicit InternalError(const std::string& message) : std::logic_error(message) {}
};

// An invariant of the simulator, checked in every build type (unlike assert, which NDEBUG removes):
// throws InternalError naming the condition and the place when it does not hold.
#define SMPSIM_CHECK(condition, message)                                                                     \
    do {                                                                                                     \
        if (!(condition)) ::smpsim::internal_check_failed(#condition, message, __FILE__, __LINE__);          \
    } while (0)
[[noreturn]] void internal_check_failed(const char* condition, std::string_view message, const char* file,
                                        int line);

// Fault injection for tests: the environment variable SMPSIM_INJECT_INTERNAL_ERROR=KIND makes the run
// fail in this way once it has started (boot and replay: 1 us into the simulation, from a SystemC
// process; litmus: before the first test):
//   invariant  an InternalError (a broken invariant)
//   exception  an unexpected std::runtime_error
//   systemc    a SystemC error report (SC_REPORT_ERROR)
//   memory     std::bad_alloc (the host ran out of memory)
// Input files are read whole: refuse what is not a regular file (a directory, a device such as
// /dev/zero, a FIFO) and anything over max_bytes, with InputError "PATH: ...". `what` names the file's
// role ("kernel", "capture", "config").
void check_input_file(const std::string& path, std::string_view what, unsigned long long max_bytes);

enum class InjectedError { None, Invariant, Exception, SystemC, Memory };
// The kind the variable asks for (None without it). An unknown KIND is an InputError.
InjectedError injected_internal_error();
// Throws the exception of `kind`; SystemC's report is the caller's (sim/core does not use SystemC).
[[noreturn]] void throw_injected_error(InjectedError kind);

} // namespace smpsim
