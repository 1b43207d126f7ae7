#include "sim/core/register_bank.h"

namespace smpsim::regs {

UnknownAccessLog make_unknown_access_log(std::string_view device, u32 size) {
    UnknownAccessLog log;
    log.device = std::string(device);
    // One cause per direction, not per offset: a fuzzing driver touches thousands of offsets.
    log.read_cause = log.device + " unknown register read";
    log.write_cause = log.device + " unknown register write";
    for (u32 top = size > 0 ? size - 1 : 0; top >= 16; top >>= 4)
        ++log.hex_digits;
    return log;
}

void UnknownAccessLog::report(u32 offset, bool is_write) {
    ++count;
    log::logger().report(log::Category::Unimp, is_write ? write_cause : read_cause,
                         "{}: unknown register {} at {:#0{}x}", device, is_write ? "write" : "read", offset,
                         hex_digits + 2);
}

} // namespace smpsim::regs
