// A bus access that nothing answered: on a PC, a PCI master abort or a PCIe "unsupported request". The
// completer's side of the rule is the same for every initiator (CPUs and bus-master devices): a read
// returns all ones, a write is dropped, and the access fails with TLM_ADDRESS_ERROR_RESPONSE so that the
// initiator can record it. The run goes on; summaries report how many there were and the first few.
#pragma once
#include "sim/core/types.h"

#include <cstring>
#include <string>
#include <utility>
#include <vector>

namespace smpsim {

// What a read that nothing answered returns.
inline void fill_all_ones(void* data, u32 size) {
    std::memset(data, 0xFF, size);
}

struct BusFault {
    u64 addr = 0;
    u32 size = 0;
    bool write = false;
    std::string what; // who and why, e.g. "RX queue 0 descriptor read" or "cpu1 MMIO"
};

// The count of faults and the first kKept of them, in the order they happened.
class BusFaultLog {
  public:
    static constexpr size_t kKept = 8;

    void record(BusFault fault) {
        ++count_;
        if (first_.size() < kKept) first_.push_back(std::move(fault));
    }
    u64 count() const { return count_; }
    const std::vector<BusFault>& first() const { return first_; }

  private:
    u64 count_ = 0;
    std::vector<BusFault> first_;
};

} // namespace smpsim
