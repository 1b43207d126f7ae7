// The kernel primitives of the LKMM (Linux's tools/memory-model/linux-kernel.def), and whether the guest
// kernel implements each: guest/include (barrier.h, atomic.h, spinlock.h, rcupdate.h) and the ordering
// fallbacks Linux itself derives from them (guest/litmus/lkmm_kernel.h). A C litmus test may call only
// these; one the guest lacks is an error naming the primitive, never a silent skip.
#pragma once
#include <optional>
#include <string_view>

namespace smpsim::litmus {

struct LkmmPrimitive {
    std::string_view name;
    int arity;        // arguments
    bool implemented; // by the guest
};

// nullopt when `name` is not an LKMM primitive at all.
std::optional<LkmmPrimitive> find_lkmm_primitive(std::string_view name);

} // namespace smpsim::litmus
