// The register set smpsim describes to GDB (qXfer:features:read:target.xml): x86-64's core registers,
// x87 and SSE (GDB's amd64 support requires them; smpsim does not model them and reports zeros), the
// segment bases, and the system registers in a feature of smpsim's own. The numbers are GDB's
// register numbers for p/P and the order of the g packet.
#pragma once
#include "sim/core/types.h"

#include <string>
#include <string_view>

namespace smpsim::gdb {

enum Reg : unsigned {
    kRax,
    kRbx,
    kRcx,
    kRdx,
    kRsi,
    kRdi,
    kRbp,
    kRsp,
    kR8,
    kR15 = kR8 + 7,
    kRip,
    kEflags,
    kCs,
    kSs,
    kDs,
    kEs,
    kFs,
    kGs,
    kSt0,
    kFctrl = kSt0 + 8,
    kFop = kFctrl + 7,
    kXmm0,
    kMxcsr = kXmm0 + 16,
    kFsBase,
    kGsBase,
    kKernelGsBase,
    kCr0,
    kCr2,
    kCr3,
    kCr4,
    kCr8,
    kEfer,
    kRegCount
};

// Size in bytes of register n in the g packet (0 for n >= kRegCount).
unsigned register_size(unsigned n);
// True for the registers smpsim models (the rest read as zero and ignore writes).
bool register_modelled(unsigned n);
// Total bytes of the g packet.
unsigned registers_bytes();
std::string_view register_name(unsigned n);
// The target description GDB reads through qXfer:features:read:target.xml.
const std::string& target_xml();

} // namespace smpsim::gdb
