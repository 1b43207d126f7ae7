// Store->load windows of CPUs that run in quanta (reports, docs/REPORTS.md "Reordering"). A load
// performed at cycle `from` while an older store of the same CPU to another line waited in its store
// buffer until cycle `to` (its commit) was observable if another CPU wrote the load's line at a time
// inside [from, to]: the load read the value from before that write, while the other CPU could still
// read the store's line from before the commit (the SB pattern). CPUs run ahead of each other by up to
// a quantum, so that write can come after the commit in host order: a window stays open until a write
// matches it, or until a write to its line comes more than `slack` cycles after its end (every CPU is
// past it then). Pure logic; the memory system holds one, counts what matches and keeps a per-line open
// count so that writes to lines without windows cost one test.
#pragma once
#include "sim/core/types.h"

#include <cstddef>
#include <map>
#include <unordered_map>
#include <vector>

namespace smpsim::cache_mesi {

struct StoreLoadWindow {
    u32 cpu = 0;
    u64 from = 0; // the load's cycle
    u64 to = 0;   // the store's commit
    u64 load_rip = 0;
    u64 load_paddr = 0;
    u64 store_rip = 0;
    u64 store_paddr = 0;
};

class StoreLoadWindows {
  public:
    StoreLoadWindows(u64 slack_cycles, std::size_t capacity, u32 line_size = 64)
        : slack_(slack_cycles), capacity_(capacity), line_mask_(~u64(line_size - 1)) {}

    // Opens a window on the load's line. Windows beyond the capacity close unmatched, oldest first; their
    // lines are appended to `closed_lines`.
    void open(const StoreLoadWindow& w, std::vector<u64>& closed_lines);
    // A write by `cpu` at cycle `now` to `line`: other CPUs' windows on the line that contain `now`
    // close and go to `matched`; windows on the line that ended more than the slack before `now` close
    // unmatched. Each closed window appends its line to `closed_lines`.
    void access(u32 cpu, u64 line, u64 now, std::vector<StoreLoadWindow>& matched,
                std::vector<u64>& closed_lines);
    std::size_t size() const { return windows_.size(); }
    void clear() {
        windows_.clear();
        by_line_.clear();
    }

  private:
    void close(u64 id, std::vector<u64>& closed_lines);
    u64 line_of(u64 paddr) const { return paddr & line_mask_; }

    u64 slack_;
    std::size_t capacity_;
    u64 line_mask_;
    u64 next_id_ = 0;
    std::map<u64, StoreLoadWindow> windows_;            // by id: oldest first
    std::unordered_map<u64, std::vector<u64>> by_line_; // line -> ids of its open windows, oldest first
};

} // namespace smpsim::cache_mesi
