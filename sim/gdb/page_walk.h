// Linear-to-physical translation for a debugger: what the CPU's page tables say, read without side
// effects (no A/D bits set, no TLB filled, no cache statistics), unlike the MMU's walk.
#pragma once
#include "sim/core/types.h"

#include <functional>
#include <optional>

namespace smpsim::gdb {

struct PagingState {
    u64 cr0 = 0, cr3 = 0, cr4 = 0, efer = 0;
};

// Reads `size` (4 or 8) bytes of physical memory; nullopt where nothing readable is.
using PhysReader = std::function<std::optional<u64>(u64 paddr, unsigned size)>;

// nullopt when the address does not map (not present, non-canonical, a table outside memory).
std::optional<u64> debug_translate(u64 linear, const PagingState& regs, const PhysReader& read);

} // namespace smpsim::gdb
