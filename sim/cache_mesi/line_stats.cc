#include "sim/cache_mesi/line_stats.h"

#include "sim/cache_mesi/config.h"

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

namespace smpsim::cache_mesi {

namespace {

std::string hex64(u64 v) {
    char buf[19];
    std::snprintf(buf, sizeof buf, "0x%016llx", static_cast<unsigned long long>(v));
    return buf;
}

std::string hex(u64 v) {
    char buf[19];
    std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
    return buf;
}

void counters_to_json(nlohmann::json& j, const CpuLineStats& s) {
    j["loads"] = s.loads;
    j["stores"] = s.stores;
    j["hits"] = s.hits;
    j["misses"] = s.misses;
    j["stale_hits"] = s.stale_hits;
    j["rfos"] = s.rfos;
    j["upgrades"] = s.upgrades;
    j["inv_sent"] = s.inv_sent;
    j["inv_received"] = s.inv_received;
    j["hitm"] = s.hitm;
    j["writebacks"] = s.writebacks;
    j["sb_stall_cycles"] = s.sb_stall_cycles;
    j["iq_depth_max"] = s.iq_depth_max;
    j["read_mask"] = hex64(s.read_mask);
    j["write_mask"] = hex64(s.write_mask);
}

} // namespace

bool CpuLineStats::touched() const {
    return loads || stores || hits || misses || stale_hits || rfos || upgrades || inv_sent || inv_received ||
           hitm || writebacks || sb_stall_cycles || iq_depth_max || read_mask || write_mask;
}

CpuLineStats& CpuLineStats::operator+=(const CpuLineStats& o) {
    loads += o.loads;
    stores += o.stores;
    hits += o.hits;
    misses += o.misses;
    stale_hits += o.stale_hits;
    rfos += o.rfos;
    upgrades += o.upgrades;
    inv_sent += o.inv_sent;
    inv_received += o.inv_received;
    hitm += o.hitm;
    writebacks += o.writebacks;
    sb_stall_cycles += o.sb_stall_cycles;
    iq_depth_max = std::max(iq_depth_max, o.iq_depth_max);
    read_mask |= o.read_mask;
    write_mask |= o.write_mask;
    last_write = std::max(last_write, o.last_write);
    last_write_cycle = std::max(last_write_cycle, o.last_write_cycle);
    return *this;
}

CpuLineStats LineStats::total() const {
    CpuLineStats t;
    for (const CpuLineStats& c : cpu)
        t += c;
    return t;
}

bool LineStats::false_sharing() const {
    int users = 0;
    bool overlap = false;
    for (std::size_t a = 0; a < cpu.size(); ++a) {
        if (!(cpu[a].read_mask | cpu[a].write_mask)) continue;
        ++users;
        for (std::size_t b = 0; b < cpu.size(); ++b)
            if (a != b && (cpu[a].write_mask & (cpu[b].read_mask | cpu[b].write_mask))) overlap = true;
    }
    bool any_write = false;
    for (const CpuLineStats& c : cpu)
        any_write |= c.write_mask != 0;
    return users >= 2 && any_write && !overlap;
}

CodeLineStats& LineStats::code_at(u32 cpu_index, u64 rip) {
    // A found entry moves one place forward, so the sites that come back often are found first (the
    // JSON sorts them).
    for (std::size_t i = 0; i < code.size(); ++i)
        if (code[i].rip == rip && code[i].cpu == cpu_index) {
            if (i == 0) return code[0];
            std::swap(code[i], code[i - 1]);
            return code[i - 1];
        }
    code.push_back({rip, cpu_index, 0, 0, 0, 0, 0});
    return code.back();
}

LineStats& LineStatsTable::line_slow(u64 line_paddr) {
    auto [it, inserted] = lines_.try_emplace(line_paddr & ~kLineMask);
    if (inserted) {
        it->second.paddr = line_paddr & ~kLineMask;
        it->second.cpu.resize(cpus_);
    }
    const u64 page = line_paddr >> 12;
    if (page < kIndexedPages) {
        if (page >= index_.size()) index_.resize(page + 1);
        if (!index_[page]) index_[page] = std::make_unique<std::array<LineStats*, 4096 / kLineSize>>();
        (*index_[page])[(line_paddr & 0xfff) / kLineSize] = &it->second;
    }
    return it->second;
}

const LineStats* LineStatsTable::find(u64 paddr) const {
    auto it = lines_.find(paddr & ~kLineMask);
    return it == lines_.end() ? nullptr : &it->second;
}

std::vector<const LineStats*> LineStatsTable::lines() const {
    std::vector<const LineStats*> out;
    out.reserve(lines_.size());
    for (const auto& [addr, s] : lines_)
        out.push_back(&s);
    std::sort(out.begin(), out.end(),
              [](const LineStats* a, const LineStats* b) { return a->paddr < b->paddr; });
    return out;
}

std::vector<const LineStats*> LineStatsTable::top_by_hitm(std::size_t n) const {
    struct Key {
        const LineStats* line;
        u64 hitm, transfers;
    };
    std::vector<Key> keys;
    keys.reserve(lines_.size());
    for (const auto& [addr, s] : lines_) {
        const CpuLineStats t = s.total();
        keys.push_back({&s, t.hitm, t.rfos + t.upgrades});
    }
    std::sort(keys.begin(), keys.end(), [](const Key& a, const Key& b) {
        if (a.hitm != b.hitm) return a.hitm > b.hitm;
        if (a.transfers != b.transfers) return a.transfers > b.transfers;
        return a.line->paddr < b.line->paddr;
    });
    std::vector<const LineStats*> out;
    for (std::size_t i = 0; i < keys.size() && i < n; ++i)
        out.push_back(keys[i].line);
    return out;
}

CpuLineStats LineStatsTable::cpu_total(u32 cpu) const {
    CpuLineStats t;
    for (const auto& [addr, s] : lines_)
        if (cpu < s.cpu.size()) t += s.cpu[cpu];
    return t;
}

void LineStatsTable::reset() {
    for (auto& [addr, s] : lines_) {
        s.dma_reads = s.dma_writes = 0;
        for (CpuLineStats& c : s.cpu)
            c = CpuLineStats{};
        s.code.clear();
        s.open_windows = 0;
    }
}

nlohmann::json LineStatsTable::to_json() const {
    nlohmann::json root;
    root["schema"] = "smpsim.cache_mesi.lines/1";
    root["line_size"] = kLineSize;
    root["cpus"] = cpus_;
    nlohmann::json arr = nlohmann::json::array();
    for (const LineStats* s : lines()) {
        const CpuLineStats total = s->total();
        if (!total.touched() && !s->dma_reads && !s->dma_writes) continue;
        nlohmann::json j;
        j["paddr"] = s->paddr;
        j["paddr_hex"] = hex(s->paddr);
        j["dma_reads"] = s->dma_reads;
        j["dma_writes"] = s->dma_writes;
        counters_to_json(j, total);
        nlohmann::json cpus = nlohmann::json::array();
        for (u32 c = 0; c < s->cpu.size(); ++c) {
            if (!s->cpu[c].touched()) continue;
            nlohmann::json cj;
            cj["cpu"] = c;
            counters_to_json(cj, s->cpu[c]);
            cpus.push_back(std::move(cj));
        }
        j["cpus"] = std::move(cpus);
        if (!s->code.empty()) {
            std::vector<const CodeLineStats*> code;
            for (const CodeLineStats& c : s->code)
                code.push_back(&c);
            std::sort(code.begin(), code.end(), [](const CodeLineStats* a, const CodeLineStats* b) {
                return a->rip != b->rip ? a->rip < b->rip : a->cpu < b->cpu;
            });
            nlohmann::json cj = nlohmann::json::array();
            for (const CodeLineStats* c : code)
                cj.push_back({{"cpu", c->cpu},
                              {"rip", c->rip},
                              {"rip_hex", hex(c->rip)},
                              {"misses", c->misses},
                              {"hitm", c->hitm},
                              {"rfos", c->rfos},
                              {"upgrades", c->upgrades},
                              {"stale_hits", c->stale_hits}});
            j["code"] = std::move(cj);
        }
        arr.push_back(std::move(j));
    }
    root["lines"] = std::move(arr);
    return root;
}

} // namespace smpsim::cache_mesi
