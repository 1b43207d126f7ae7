#include "sim/core/error.h"

#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <new>

namespace smpsim {

void internal_check_failed(const char* condition, std::string_view message, const char* file, int line) {
    throw InternalError(fmt::format("{} ({} failed at {}:{})", message, condition, file, line));
}

void check_input_file(const std::string& path, std::string_view what, unsigned long long max_bytes) {
    namespace fs = std::filesystem;
    if (path.empty()) throw InputError(fmt::format("no {} file given (empty name)", what));
    std::error_code ec;
    const fs::file_status st = fs::status(path, ec);
    if (ec) throw InputError(fmt::format("{}: cannot open {} file: {}", path, what, ec.message()));
    if (st.type() != fs::file_type::regular) {
        const char* kind = st.type() == fs::file_type::directory   ? "a directory"
                           : st.type() == fs::file_type::character ? "a character device"
                           : st.type() == fs::file_type::block     ? "a block device"
                           : st.type() == fs::file_type::fifo      ? "a FIFO"
                           : st.type() == fs::file_type::socket    ? "a socket"
                                                                   : "not a regular file";
        throw InputError(fmt::format("{}: {} file is {}, not a regular file", path, what, kind));
    }
    const auto size = fs::file_size(path, ec);
    if (ec) throw InputError(fmt::format("{}: cannot open {} file: {}", path, what, ec.message()));
    if (size > max_bytes)
        throw InputError(fmt::format("{}: {} file of {} bytes exceeds the limit of {} bytes", path, what,
                                     size, max_bytes));
}

InjectedError injected_internal_error() {
    const char* value = std::getenv("SMPSIM_INJECT_INTERNAL_ERROR");
    if (!value || !*value) return InjectedError::None;
    const std::string_view kind(value);
    if (kind == "invariant") return InjectedError::Invariant;
    if (kind == "exception") return InjectedError::Exception;
    if (kind == "systemc") return InjectedError::SystemC;
    if (kind == "memory") return InjectedError::Memory;
    throw InputError(
        fmt::format("SMPSIM_INJECT_INTERNAL_ERROR must be invariant, exception, systemc or memory, "
                    "not '{}'",
                    kind));
}

void throw_injected_error(InjectedError kind) {
    switch (kind) {
    case InjectedError::Memory: throw std::bad_alloc();
    case InjectedError::Exception: throw std::runtime_error("injected exception");
    default: throw InternalError("injected broken invariant (SMPSIM_INJECT_INTERNAL_ERROR)");
    }
}

} // namespace smpsim
