#include "sim/cache_mesi/store_load_windows.h"

#include <algorithm>

namespace smpsim::cache_mesi {

void StoreLoadWindows::open(const StoreLoadWindow& w, std::vector<u64>& closed_lines) {
    while (!windows_.empty() && windows_.size() >= capacity_)
        close(windows_.begin()->first, closed_lines);
    const u64 id = next_id_++;
    windows_.emplace(id, w);
    by_line_[line_of(w.load_paddr)].push_back(id);
}

void StoreLoadWindows::access(u32 cpu, u64 line, u64 now, std::vector<StoreLoadWindow>& matched,
                              std::vector<u64>& closed_lines) {
    const auto it = by_line_.find(line);
    if (it == by_line_.end()) return;
    std::vector<u64> to_close;
    for (const u64 id : it->second) {
        const StoreLoadWindow& w = windows_.at(id);
        if (w.cpu != cpu && w.from <= now && now <= w.to) {
            matched.push_back(w);
            to_close.push_back(id);
        } else if (now > w.to + slack_) {
            to_close.push_back(id);
        }
    }
    for (const u64 id : to_close)
        close(id, closed_lines);
}

void StoreLoadWindows::close(u64 id, std::vector<u64>& closed_lines) {
    const auto it = windows_.find(id);
    if (it == windows_.end()) return;
    const u64 line = line_of(it->second.load_paddr);
    const auto l = by_line_.find(line);
    std::erase(l->second, id);
    if (l->second.empty()) by_line_.erase(l);
    closed_lines.push_back(line);
    windows_.erase(it);
}

} // namespace smpsim::cache_mesi
