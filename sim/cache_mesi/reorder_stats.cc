#include "sim/cache_mesi/reorder_stats.h"

#include "sim/cache_mesi/config.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace smpsim::cache_mesi {

void ReorderStats::add(ReorderKind kind, u32 cpu, u64 first_rip, u64 first_paddr, u64 second_rip,
                       u64 second_paddr) {
    const u64 first_line = first_paddr & ~kLineMask, second_line = second_paddr & ~kLineMask;
    const Key key{u8(kind), first_rip, first_line, second_rip, second_line};
    auto it = pairs_.find(key);
    if (it == pairs_.end()) {
        if (pairs_.size() >= capacity_) {
            ++dropped_[unsigned(kind)];
            return;
        }
        it = pairs_
                 .emplace(key, ReorderPair{kind, first_rip, first_line, second_rip, second_line, first_paddr,
                                           second_paddr, 0, 0})
                 .first;
    }
    ++it->second.count;
    it->second.cpu_mask |= 1ull << std::min<u32>(cpu, 63);
}

std::vector<ReorderPair> ReorderStats::sorted() const {
    std::vector<ReorderPair> out;
    out.reserve(pairs_.size());
    for (const auto& [key, pair] : pairs_)
        out.push_back(pair);
    // pairs_ iterates in key order: a stable sort by kind and count keeps that order among ties.
    std::stable_sort(out.begin(), out.end(), [](const ReorderPair& a, const ReorderPair& b) {
        if (a.kind != b.kind) return a.kind < b.kind;
        return a.count > b.count;
    });
    return out;
}

void ReorderStats::reset() {
    pairs_.clear();
    dropped_[0] = dropped_[1] = 0;
}

nlohmann::json ReorderStats::to_json() const {
    nlohmann::json pairs = nlohmann::json::array();
    for (const ReorderPair& p : sorted()) {
        nlohmann::json cpus = nlohmann::json::array();
        for (u32 c = 0; c < 64; ++c)
            if (p.cpu_mask >> c & 1) cpus.push_back(c);
        pairs.push_back({{"kind", p.kind == ReorderKind::StoreLoad ? "store_load" : "store_store"},
                         {"first_rip", p.first_rip},
                         {"first_line", p.first_line},
                         {"second_rip", p.second_rip},
                         {"second_line", p.second_line},
                         {"first_paddr", p.first_paddr},
                         {"second_paddr", p.second_paddr},
                         {"count", p.count},
                         {"cpus", std::move(cpus)}});
    }
    return {{"capacity", capacity_},
            {"dropped_store_load", dropped_[0]},
            {"dropped_store_store", dropped_[1]},
            {"pairs", std::move(pairs)}};
}

} // namespace smpsim::cache_mesi
