#include "sim/cache_mesi/memory_system.h"

#include "sim/core/error.h"

#include <algorithm>
#include <cstring>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

namespace smpsim::cache_mesi {

namespace {

constexpr u64 kNoLine = ~0ull;

inline u64 byte_mask(u64 off, u64 n) {
    return n >= 64 ? ~0ull : ((1ull << n) - 1) << off;
}

inline bool valid_copy(State s) {
    return s == State::S || s == State::E || s == State::M;
}

bool power_of_two(u32 v) {
    return v && !(v & (v - 1));
}

} // namespace

// ---------------------------------------------------------------------------------------------------
// One private L1: tags, states, LRU stamps and data in separate arrays (a tag scan touches one host
// cache line for 8 ways), plus the invalidate queue as a ring of frame indices.
struct MemorySystem::L1 {
    struct IqEntry {
        u32 frame;
        u64 deadline;
    };

    u32 ways;
    u64 set_mask;
    std::vector<u64> tags; // line address per frame; kNoLine exactly when the frame is I
    std::vector<State> state;
    std::vector<u64> lru;
    std::vector<LineStats*> stats; // the line's statistics record (nullptr with stats off)
    const u64* code_rip = nullptr; // the CPU's current code address (set_code_address_source)
    std::vector<u8> data;
    u64 lru_clock = 0;
    std::vector<IqEntry> iq; // ring; every entry names a frame in S_Q, every S_Q frame has one entry
    u32 iq_head = 0;
    u32 iq_count = 0;
    // Frames given a line since the last flush_all(), so that it visits those only (litmus iterations
    // touch a handful of the L1's frames and flush every time). Past one entry per frame it stops
    // recording and flush_all() scans them all.
    std::vector<u32> filled;
    bool filled_overflow = false;
    void note_fill(u32 f) {
        if (filled.size() < tags.size())
            filled.push_back(f);
        else
            filled_overflow = true;
    }

    L1(u32 sets, u32 ways_, u32 iq_capacity)
        : ways(ways_), set_mask(sets - 1), tags(std::size_t(sets) * ways_, kNoLine),
          state(std::size_t(sets) * ways_, State::I), lru(std::size_t(sets) * ways_, 0),
          stats(std::size_t(sets) * ways_, nullptr), data(std::size_t(sets) * ways_ * kLineSize, 0),
          iq(iq_capacity) {}

    u32 set_base(u64 line) const { return u32((line / kLineSize) & set_mask) * ways; }
    mutable u32 mru = 0; // the frame of the last successful lookup: checked first
    int lookup(u64 line) const {
        if (tags[mru] == line) return int(mru);
        const u32 base = set_base(line);
        for (u32 w = 0; w < ways; ++w)
            if (tags[base + w] == line) {
                mru = base + w;
                return int(mru);
            }
        return -1;
    }
    u8* frame_data(u32 f) { return data.data() + std::size_t(f) * kLineSize; }
    const u8* frame_data(u32 f) const { return data.data() + std::size_t(f) * kLineSize; }
    void drop(u32 f) {
        tags[f] = kNoLine;
        state[f] = State::I;
        stats[f] = nullptr;
    }
};

// The shared LLC: tags and LRU only (see the header comment).
struct MemorySystem::Llc {
    u32 ways;
    u64 set_mask;
    std::vector<u64> tags;
    std::vector<u64> lru;
    u64 clock = 0;

    Llc(u32 sets, u32 ways_)
        : ways(ways_), set_mask(sets - 1), tags(std::size_t(sets) * ways_, kNoLine),
          lru(std::size_t(sets) * ways_, 0) {}

    // True on a hit. A miss allocates the line (LRU victim) when `allocate`.
    bool access(u64 line, bool allocate) {
        const u32 base = u32((line / kLineSize) & set_mask) * ways;
        u32 victim = base;
        for (u32 w = 0; w < ways; ++w) {
            const u32 i = base + w;
            if (tags[i] == line) {
                lru[i] = ++clock;
                return true;
            }
            if (tags[victim] != kNoLine && (tags[i] == kNoLine || lru[i] < lru[victim])) victim = i;
        }
        if (allocate) {
            tags[victim] = line;
            lru[victim] = ++clock;
        }
        return false;
    }
    bool contains(u64 line) const {
        const u32 base = u32((line / kLineSize) & set_mask) * ways;
        for (u32 w = 0; w < ways; ++w)
            if (tags[base + w] == line) return true;
        return false;
    }
    void invalidate(u64 line) {
        const u32 base = u32((line / kLineSize) & set_mask) * ways;
        for (u32 w = 0; w < ways; ++w)
            if (tags[base + w] == line) tags[base + w] = kNoLine;
    }
    void clear() { std::fill(tags.begin(), tags.end(), kNoLine); }
};

// ---------------------------------------------------------------------------------------------------

namespace {
// Open store->load windows at most (reports); beyond it the oldest closes unmatched.
constexpr std::size_t kMaxStoreLoadWindows = 4096;
} // namespace

MemorySystem::MemorySystem(const CacheConfig& config, std::span<u8> ram)
    : config_(config), ram_(ram), stats_(config.cpus),
      windows_(config.reorder_window_slack, kMaxStoreLoadWindows, u32(kLineSize)) {
    if (config_.cpus == 0 || config_.cpus > 64) throw std::invalid_argument("cache_mesi: cpus must be 1..64");
    if (!power_of_two(config_.l1_sets))
        throw std::invalid_argument("cache_mesi: l1_sets must be a power of two");
    // Two ways at least: a split locked access holds both of its lines (adjacent lines, and the one
    // just touched is never the LRU victim).
    if (config_.l1_ways < 2) throw std::invalid_argument("cache_mesi: l1_ways must be at least 2");
    if (config_.llc_enabled && (!power_of_two(config_.llc_sets) || config_.llc_ways == 0))
        throw std::invalid_argument("cache_mesi: llc_sets must be a power of two and llc_ways > 0");
    if (ram_.size() % kLineSize) throw std::invalid_argument("cache_mesi: RAM size must be a multiple of 64");
    const u32 iq_capacity = std::max<u32>(1, config_.invalidate_queue_capacity);
    l1_.reserve(config_.cpus);
    for (u32 c = 0; c < config_.cpus; ++c)
        l1_.emplace_back(config_.l1_sets, config_.l1_ways, iq_capacity);
    if (config_.llc_enabled) llc_ = std::make_unique<Llc>(config_.llc_sets, config_.llc_ways);
}

MemorySystem::~MemorySystem() = default;

void MemorySystem::check(Transition t, u32 cpu, State s, Event e) const {
    if (t.actions & kImpossible) [[unlikely]]
        throw InternalError("cache_mesi: impossible transition (" + std::string(to_string(s)) + ", " +
                            std::string(to_string(e)) + ") on CPU " + std::to_string(cpu) + " under " +
                            std::string(to_string(config_.model)));
}

// ---- Hot paths: a hit is a tag scan, a table lookup, a copy and a few counters.

AccessResult MemorySystem::load(u32 cpu, u64 paddr, u32 size, u64 now) {
    L1& c = l1_[cpu];
    if (c.iq_count != 0) [[unlikely]]
        apply_due(cpu, now);
    const u64 off = paddr & kLineMask;
    if (size - 1 < 8 && off + size <= kLineSize && paddr < ram_.size()) [[likely]] {
        const int f = c.lookup(paddr - off);
        if (f >= 0) {
            const Transition t = transition(config_.model, c.state[f], Event::Load);
            if (t.actions & kReadHit) {
                AccessResult r;
                std::memcpy(&r.value, c.frame_data(f) + off, size);
                r.latency = config_.l1_hit;
                r.stale = (t.actions & kReadStale) != 0;
                c.lru[f] = ++c.lru_clock;
                if (LineStats* ls = c.stats[f]) {
                    CpuLineStats& s = ls->cpu[cpu];
                    ++s.loads;
                    ++s.hits;
                    s.stale_hits += r.stale;
                    s.read_mask |= byte_mask(off, size);
                    if (r.stale && c.code_rip) [[unlikely]]
                        ++ls->code_at(cpu, *c.code_rip).stale_hits;
                }
                return r;
            }
        }
    }
    if (size - 1 >= 8) return AccessResult{.ok = false, .hit = false};
    u8 buf[8];
    AccessResult r = access_slow(cpu, paddr, size, buf, false, now);
    if (r.ok) std::memcpy(&r.value, buf, size);
    return r;
}

AccessResult MemorySystem::store(u32 cpu, u64 paddr, u32 size, u64 value, u64 now) {
    L1& c = l1_[cpu];
    if (c.iq_count != 0) [[unlikely]]
        apply_due(cpu, now);
    const u64 off = paddr & kLineMask;
    if (size - 1 < 8 && off + size <= kLineSize && paddr < ram_.size()) [[likely]] {
        const int f = c.lookup(paddr - off);
        if (f >= 0) {
            const Transition t = transition(config_.model, c.state[f], Event::Store);
            if (!(t.actions & (kIssueGetM | kIssueUpgrade | kApplyQueueTo | kImpossible))) { // (E|M, Store)
                std::memcpy(c.frame_data(f) + off, &value, size);
                c.state[f] = t.next;
                c.lru[f] = ++c.lru_clock;
                ++global_order_;
                if (LineStats* ls = c.stats[f]) {
                    CpuLineStats& s = ls->cpu[cpu];
                    ++s.stores;
                    ++s.hits;
                    s.last_write = ++access_order_;
                    s.last_write_cycle = now;
                    if (ls->open_windows) [[unlikely]]
                        match_windows(cpu, paddr - off, now);
                    s.write_mask |= byte_mask(off, size);
                }
                AccessResult r;
                r.latency = config_.l1_hit;
                return r;
            }
        }
    }
    if (size - 1 >= 8) return AccessResult{.ok = false, .hit = false};
    return access_slow(cpu, paddr, size, reinterpret_cast<u8*>(&value), true, now);
}

// ---- Slow paths

AccessResult MemorySystem::access_slow(u32 cpu, u64 paddr, u32 size, u8* buf, bool write, u64 now) {
    AccessResult r;
    if (paddr >= ram_.size() || size > ram_.size() - paddr) return AccessResult{.ok = false, .hit = false};
    L1& c = l1_[cpu];
    for (u32 done = 0; done < size;) {
        const u64 pa = paddr + done;
        const u64 off = pa & kLineMask;
        const u32 n = u32(std::min<u64>(size - done, kLineSize - off));
        const u32 f = acquire(cpu, pa - off, write ? Event::Store : Event::Load, byte_mask(off, n), r, now);
        if (write)
            std::memcpy(c.frame_data(f) + off, buf + done, n);
        else
            std::memcpy(buf + done, c.frame_data(f) + off, n);
        done += n;
    }
    if (write && size) ++global_order_;
    return r;
}

u32 MemorySystem::acquire(u32 cpu, u64 line, Event ev, u64 mask, AccessResult& r, u64 now) {
    L1& c = l1_[cpu];
    const int fi = c.lookup(line);
    const State s = fi >= 0 ? c.state[fi] : State::I;
    const Transition t = transition(config_.model, s, ev);
    check(t, cpu, s, ev);

    LineStats* ls = nullptr;
    if (config_.collect_stats) ls = (fi >= 0 && c.stats[fi]) ? c.stats[fi] : &stats_.line(line);
    CpuLineStats* cs = ls ? &ls->cpu[cpu] : nullptr;
    if (cs) {
        if (ev == Event::Load) {
            ++cs->loads;
            cs->read_mask |= mask;
        } else {
            ++cs->stores;
            cs->write_mask |= mask;
            cs->last_write = ++access_order_;
            cs->last_write_cycle = now;
            if (ls->open_windows) [[unlikely]]
                match_windows(cpu, line, now);
        }
    }

    if (!(t.actions & (kIssueGetS | kIssueGetM | kIssueUpgrade))) { // served by the own L1
        const u32 f = u32(fi);
        c.state[f] = t.next;
        c.lru[f] = ++c.lru_clock;
        r.latency += config_.l1_hit;
        if (t.actions & kReadStale) {
            r.stale = true;
            if (cs) ++cs->stale_hits;
            if (cs && c.code_rip) ++ls->code_at(cpu, *c.code_rip).stale_hits;
        }
        if (cs) ++cs->hits;
        return f;
    }

    r.hit = false;
    if (cs) ++cs->misses;
    CodeLineStats* code = cs && c.code_rip ? &ls->code_at(cpu, *c.code_rip) : nullptr;
    if (code) ++code->misses;
    u32 f;
    if (t.actions & kIssueUpgrade) {
        f = u32(fi);
        const SnoopResult sr = snoop(cpu, line, Event::Inv, nullptr, now);
        r.latency += config_.upgrade;
        if (cs) {
            ++cs->upgrades;
            cs->inv_sent += sr.invalidated;
        }
        if (code) ++code->upgrades;
        c.state[f] = t.next;
    } else {
        if (t.actions & kApplyQueueTo) apply_queue_to(cpu, u32(fi));
        f = allocate(cpu, line);
        const Event remote = (t.actions & kIssueGetS) ? Event::FwdGetS : Event::FwdGetM;
        const SnoopResult sr = snoop(cpu, line, remote, c.frame_data(f), now);
        if (sr.supplied) {
            r.latency += config_.cache_to_cache;
        } else {
            std::memcpy(c.frame_data(f), ram_.data() + line, kLineSize);
            r.latency += memory_latency(line, true);
        }
        if (sr.hitm) r.hitm = true;
        if (cs) {
            cs->hitm += sr.hitm;
            cs->rfos += remote == Event::FwdGetM;
            cs->inv_sent += sr.invalidated;
        }
        if (code) {
            code->hitm += sr.hitm;
            code->rfos += remote == Event::FwdGetM;
        }
        State next = t.next;
        if ((t.actions & kExclusiveIfSole) && !sr.others_valid) next = State::E;
        c.tags[f] = line;
        c.note_fill(f);
        c.state[f] = next;
        c.stats[f] = ls;
    }
    c.lru[f] = ++c.lru_clock;
    return f;
}

MemorySystem::SnoopResult MemorySystem::snoop(u32 requester, u64 line, Event ev, u8* fill, u64 now) {
    SnoopResult sr;
    for (u32 o = 0; o < config_.cpus; ++o) {
        if (o == requester) continue;
        L1& c = l1_[o];
        const int fi = c.lookup(line);
        if (fi < 0) continue; // (I, event): no action for every snooped event
        const u32 f = u32(fi);
        const State s = c.state[f];
        const Transition t = transition(config_.model, s, ev);
        check(t, o, s, ev);
        CpuLineStats* cs = c.stats[f] ? &c.stats[f]->cpu[o] : nullptr;
        if (t.actions & kSupplyData) {
            if (fill) std::memcpy(fill, c.frame_data(f), kLineSize);
            sr.supplied = true;
            sr.hitm |= s == State::M;
        }
        if (t.actions & kWriteBack) write_back(o, f);
        if (t.actions & (kQueueInv | kInvalidate)) {
            ++sr.invalidated;
            if (cs) ++cs->inv_received;
        }
        if (t.actions & kInvalidate) {
            c.drop(f);
            continue;
        }
        c.state[f] = t.next;
        if (t.actions & kQueueInv) enqueue_invalidation(o, f, now);
        if (valid_copy(t.next)) sr.others_valid = true;
    }
    return sr;
}

u32 MemorySystem::allocate(u32 cpu, u64 line) {
    L1& c = l1_[cpu];
    const u32 base = c.set_base(line);
    u32 victim = base;
    for (u32 w = 0; w < c.ways; ++w) {
        const u32 i = base + w;
        if (c.tags[i] == kNoLine) return i;
        if (c.lru[i] < c.lru[victim]) victim = i;
    }
    evict(cpu, victim);
    return victim;
}

void MemorySystem::evict(u32 cpu, u32 f) {
    L1& c = l1_[cpu];
    const State s = c.state[f];
    const Transition t = transition(config_.model, s, Event::Replacement);
    check(t, cpu, s, Event::Replacement);
    if (t.actions & kApplyQueueTo) apply_queue_to(cpu, f); // leaves the frame I
    if (t.actions & kWriteBack) write_back(cpu, f);
    if (t.actions & kInvalidate) c.drop(f);
}

void MemorySystem::write_back(u32 cpu, u32 f) {
    L1& c = l1_[cpu];
    const u64 line = c.tags[f];
    std::memcpy(ram_.data() + line, c.frame_data(f), kLineSize);
    if (llc_) llc_->access(line, true);
    if (c.stats[f]) ++c.stats[f]->cpu[cpu].writebacks;
}

u32 MemorySystem::memory_latency(u64 line, bool allocate) {
    if (llc_ && llc_->access(line, allocate)) return config_.llc_hit;
    return config_.dram;
}

// ---- The invalidate queue

void MemorySystem::enqueue_invalidation(u32 cpu, u32 f, u64 now) {
    L1& c = l1_[cpu];
    if (c.iq_count == c.iq.size()) apply_queue_head(cpu); // full: the oldest entry is applied first
    c.iq[(c.iq_head + c.iq_count) % c.iq.size()] = {f, now + config_.invalidate_queue_delay};
    ++c.iq_count;
    if (LineStats* ls = c.stats[f])
        ls->cpu[cpu].iq_depth_max = std::max<u64>(ls->cpu[cpu].iq_depth_max, c.iq_count);
}

void MemorySystem::apply_queue_head(u32 cpu) {
    L1& c = l1_[cpu];
    const u32 f = c.iq[c.iq_head].frame;
    c.iq_head = (c.iq_head + 1) % u32(c.iq.size());
    --c.iq_count;
    const State s = c.state[f];
    const Transition t = transition(config_.model, s, Event::InvApply);
    check(t, cpu, s, Event::InvApply);
    if (t.actions & kInvalidate) c.drop(f);
}

void MemorySystem::apply_queue_to(u32 cpu, u32 f) {
    L1& c = l1_[cpu];
    while (c.iq_count != 0) {
        const u32 head = c.iq[c.iq_head].frame;
        apply_queue_head(cpu);
        if (head == f) return;
    }
    throw InternalError("cache_mesi: a line in S_Q has no invalidate-queue entry");
}

void MemorySystem::apply_due(u32 cpu, u64 now) {
    L1& c = l1_[cpu];
    while (c.iq_count != 0 && c.iq[c.iq_head].deadline <= now)
        apply_queue_head(cpu);
}

u32 MemorySystem::drain_invalidate_queue(u32 cpu) {
    L1& c = l1_[cpu];
    const u32 n = c.iq_count;
    while (c.iq_count != 0)
        apply_queue_head(cpu);
    return n;
}

void MemorySystem::tick(u32 cpu, u64 now) {
    if (l1_[cpu].iq_count != 0) apply_due(cpu, now);
}

u32 MemorySystem::invalidate_queue_depth(u32 cpu) const {
    return l1_[cpu].iq_count;
}

void MemorySystem::set_code_address_source(u32 cpu, const u64* rip) {
    l1_.at(cpu).code_rip = rip;
}

std::vector<MemorySystem::QueuedInvalidation> MemorySystem::invalidate_queue(u32 cpu) const {
    const L1& c = l1_[cpu];
    std::vector<QueuedInvalidation> queue;
    for (u32 i = 0; i < c.iq_count; ++i) {
        const L1::IqEntry& e = c.iq[(c.iq_head + i) % c.iq.size()];
        queue.push_back({c.tags[e.frame], e.deadline});
    }
    return queue;
}

bool MemorySystem::llc_holds(u64 paddr) const {
    if (!llc_) return false;
    const u64 line = paddr & ~kLineMask;
    const u32 base = u32((line / kLineSize) & llc_->set_mask) * llc_->ways;
    for (u32 w = 0; w < llc_->ways; ++w)
        if (llc_->tags[base + w] == line) return true;
    return false;
}

// ---- Other per-CPU operations

AccessResult MemorySystem::rmw(u32 cpu, u64 paddr, u32 size, FunctionRef<u64(u64)> op, u64 now) {
    if (size - 1 >= 8 || paddr >= ram_.size() || size > ram_.size() - paddr)
        return AccessResult{.ok = false, .hit = false};
    drain_invalidate_queue(cpu); // a locked instruction is a full barrier
    L1& c = l1_[cpu];
    AccessResult r;
    const u64 off = paddr & kLineMask;
    const u32 n1 = u32(std::min<u64>(size, kLineSize - off));
    const u64 line1 = paddr - off;
    const u32 f1 = acquire(cpu, line1, Event::Store, byte_mask(off, n1), r, now);
    u32 f2 = f1;
    if (n1 < size) f2 = acquire(cpu, line1 + kLineSize, Event::Store, byte_mask(0, size - n1), r, now);
    if (c.tags[f1] != line1 || c.state[f1] != State::M) throw InternalError("cache_mesi: rmw lost its line");
    u64 old = 0;
    std::memcpy(&old, c.frame_data(f1) + off, n1);
    if (n1 < size) std::memcpy(reinterpret_cast<u8*>(&old) + n1, c.frame_data(f2), size - n1);
    const u64 updated = op(old);
    std::memcpy(c.frame_data(f1) + off, &updated, n1);
    if (n1 < size) std::memcpy(c.frame_data(f2), reinterpret_cast<const u8*>(&updated) + n1, size - n1);
    if (c.stats[f1]) c.stats[f1]->cpu[cpu].read_mask |= byte_mask(off, n1);
    if (n1 < size && c.stats[f2]) c.stats[f2]->cpu[cpu].read_mask |= byte_mask(0, size - n1);
    ++global_order_;
    r.value = old;
    return r;
}

AccessResult MemorySystem::read_bytes(u32 cpu, u64 paddr, void* dst, u32 size, u64 now) {
    if (l1_[cpu].iq_count != 0) apply_due(cpu, now);
    return access_slow(cpu, paddr, size, static_cast<u8*>(dst), false, now);
}

AccessResult MemorySystem::write_bytes(u32 cpu, u64 paddr, const void* src, u32 size, u64 now) {
    if (l1_[cpu].iq_count != 0) apply_due(cpu, now);
    return access_slow(cpu, paddr, size, static_cast<u8*>(const_cast<void*>(src)), true, now);
}

AccessResult MemorySystem::prefetch(u32 cpu, u64 paddr, bool exclusive, u64 now) {
    if (paddr >= ram_.size()) return AccessResult{.ok = false, .hit = false};
    if (l1_[cpu].iq_count != 0) apply_due(cpu, now);
    AccessResult r;
    acquire(cpu, paddr & ~kLineMask, exclusive ? Event::Store : Event::Load, 0, r, now);
    return r;
}

bool MemorySystem::is_owned(u32 cpu, u64 paddr) const {
    const L1& c = l1_[cpu];
    const int f = c.lookup(paddr & ~kLineMask);
    return f >= 0 && (c.state[f] == State::M || c.state[f] == State::E);
}

State MemorySystem::state_of(u32 cpu, u64 paddr) const {
    const L1& c = l1_[cpu];
    const int f = c.lookup(paddr & ~kLineMask);
    return f >= 0 ? c.state[f] : State::I;
}

const u8* MemorySystem::line_data(u32 cpu, u64 paddr) const {
    const L1& c = l1_[cpu];
    const int f = c.lookup(paddr & ~kLineMask);
    return f >= 0 ? c.frame_data(u32(f)) : nullptr;
}

// ---- DMA

AccessResult MemorySystem::dma_read(u64 paddr, void* dst, u32 size, u64 now) {
    if (paddr >= ram_.size() || size > ram_.size() - paddr) return AccessResult{.ok = false, .hit = false};
    AccessResult r;
    r.hit = false;
    u8* out = static_cast<u8*>(dst);
    for (u32 done = 0; done < size;) {
        const u64 pa = paddr + done;
        const u64 off = pa & kLineMask;
        const u32 n = u32(std::min<u64>(size - done, kLineSize - off));
        const u64 line = pa - off;
        if (config_.collect_stats) ++stats_.line(line).dma_reads;
        const SnoopResult sr = snoop(kNoCpu, line, Event::DmaRead, nullptr, now); // M owners write back
        r.hitm |= sr.hitm;
        r.latency += sr.hitm ? config_.cache_to_cache : memory_latency(line, false);
        std::memcpy(out + done, ram_.data() + pa, n);
        done += n;
    }
    return r;
}

AccessResult MemorySystem::dma_write(u64 paddr, const void* src, u32 size, u64 now) {
    if (paddr >= ram_.size() || size > ram_.size() - paddr) return AccessResult{.ok = false, .hit = false};
    AccessResult r;
    r.hit = false;
    const u8* in = static_cast<const u8*>(src);
    for (u32 done = 0; done < size;) {
        const u64 pa = paddr + done;
        const u64 off = pa & kLineMask;
        const u32 n = u32(std::min<u64>(size - done, kLineSize - off));
        const u64 line = pa - off;
        if (config_.collect_stats) ++stats_.line(line).dma_writes;
        const SnoopResult sr = snoop(kNoCpu, line, Event::DmaWrite, nullptr, now); // M: write back first
        r.hitm |= sr.hitm;
        std::memcpy(ram_.data() + pa, in + done, n);
        r.latency += llc_ ? (llc_->access(line, true), config_.llc_hit) : config_.dram;
        done += n;
    }
    if (size) ++global_order_;
    return r;
}

// ---- Maintenance

void MemorySystem::flush_line(u64 paddr) {
    const u64 line = paddr & ~kLineMask;
    for (u32 cpu = 0; cpu < config_.cpus; ++cpu) {
        const int f = l1_[cpu].lookup(line);
        if (f >= 0) evict(cpu, u32(f));
    }
    if (llc_) llc_->invalidate(line);
}

void MemorySystem::flush_all() {
    for (u32 cpu = 0; cpu < config_.cpus; ++cpu) {
        drain_invalidate_queue(cpu);
        L1& c = l1_[cpu];
        if (c.filled_overflow) {
            for (u32 f = 0; f < c.tags.size(); ++f)
                if (c.tags[f] != kNoLine) evict(cpu, f);
        } else {
            // In frame order, as the full scan: write-backs reach the LLC in the same order.
            std::sort(c.filled.begin(), c.filled.end());
            c.filled.erase(std::unique(c.filled.begin(), c.filled.end()), c.filled.end());
            for (u32 f : c.filled)
                if (c.tags[f] != kNoLine) evict(cpu, f);
        }
        c.filled.clear();
        c.filled_overflow = false;
    }
    if (llc_) llc_->clear();
}

void MemorySystem::peek(u64 paddr, void* dst, u32 size) const {
    u8* out = static_cast<u8*>(dst);
    for (u32 done = 0; done < size;) {
        const u64 pa = paddr + done;
        const u64 off = pa & kLineMask;
        const u32 n = u32(std::min<u64>(size - done, kLineSize - off));
        const u8* src = pa < ram_.size() ? ram_.data() + pa : nullptr;
        for (const L1& c : l1_) {
            const int f = c.lookup(pa - off);
            if (f >= 0 && c.state[f] == State::M) src = c.frame_data(u32(f)) + off;
        }
        if (src)
            std::memcpy(out + done, src, n);
        else
            std::memset(out + done, 0xff, n);
        done += n;
    }
}

void MemorySystem::poke(u64 paddr, const void* src, u32 size) {
    const u8* in = static_cast<const u8*>(src);
    for (u32 done = 0; done < size;) {
        const u64 pa = paddr + done;
        const u64 off = pa & kLineMask;
        const u32 n = u32(std::min<u64>(size - done, kLineSize - off));
        if (pa >= ram_.size()) return;
        std::memcpy(ram_.data() + pa, in + done, n);
        for (L1& c : l1_) {
            const int f = c.lookup(pa - off);
            if (f >= 0) std::memcpy(c.frame_data(u32(f)) + off, in + done, n);
        }
        done += n;
    }
}

// ---- Statistics

void MemorySystem::add_store_buffer_stall(u32 cpu, u64 paddr, u64 cycles) {
    if (config_.collect_stats && cpu < config_.cpus) stats_.line(paddr).cpu[cpu].sb_stall_cycles += cycles;
}

bool MemorySystem::written_by_others_since(u32 cpu, u64 paddr, u64 order) const {
    const LineStats* ls = stats_.find(paddr);
    if (!ls) return false;
    for (u32 c = 0; c < ls->cpu.size(); ++c)
        if (c != cpu && ls->cpu[c].last_write > order) return true;
    return false;
}

void MemorySystem::add_store_load_window(u32 cpu, u64 load_rip, u64 load_paddr, u64 load_cycle, u64 store_rip,
                                         u64 store_paddr, u64 now) {
    if (!config_.collect_stats || config_.cpus < 2) return; // no other CPU to see the reordering
    // Another CPU's last write to the load's line already inside the window (it ran that time first).
    if (const LineStats* ls = stats_.find(load_paddr)) {
        for (u32 c = 0; c < ls->cpu.size(); ++c) {
            const u64 t = ls->cpu[c].last_write_cycle;
            if (c != cpu && ls->cpu[c].last_write && t >= load_cycle && t <= now) {
                reorder_.add(ReorderKind::StoreLoad, cpu, load_rip, load_paddr, store_rip, store_paddr);
                return;
            }
        }
    }
    windows_.open({cpu, load_cycle, now, load_rip, load_paddr, store_rip, store_paddr}, closed_window_lines_);
    ++stats_.line(load_paddr & ~kLineMask).open_windows;
    close_window_lines();
}

void MemorySystem::match_windows(u32 cpu, u64 line, u64 now) {
    matched_windows_.clear();
    windows_.access(cpu, line, now, matched_windows_, closed_window_lines_);
    for (const StoreLoadWindow& w : matched_windows_)
        reorder_.add(ReorderKind::StoreLoad, w.cpu, w.load_rip, w.load_paddr, w.store_rip, w.store_paddr);
    close_window_lines();
}

void MemorySystem::close_window_lines() {
    for (const u64 line : closed_window_lines_)
        if (LineStats& ls = stats_.line(line); ls.open_windows) --ls.open_windows;
    closed_window_lines_.clear();
}

u32 MemorySystem::ownership_latency(u32 cpu, u64 paddr) const {
    if (paddr >= ram_.size()) return 0;
    const u64 line = paddr & ~kLineMask;
    const State own = state_of(cpu, line);
    if (own == State::M || own == State::E) return 0;
    if (own == State::S) return config_.upgrade; // no data on the fabric; S_Q needs fresh data
    for (u32 o = 0; o < config_.cpus; ++o)
        if (o != cpu && state_of(o, line) == State::M) return config_.cache_to_cache;
    return llc_ && llc_->contains(line) ? config_.llc_hit : config_.dram;
}

void MemorySystem::add_reordering(ReorderKind kind, u32 cpu, u64 first_rip, u64 first_paddr, u64 second_rip,
                                  u64 second_paddr) {
    if (config_.collect_stats) reorder_.add(kind, cpu, first_rip, first_paddr, second_rip, second_paddr);
}

nlohmann::json MemorySystem::stats_json() const {
    nlohmann::json j = stats_.to_json();
    j["reorder"] = reorder_.to_json();
    j["model"] = std::string(to_string(config_.model));
    return j;
}

} // namespace smpsim::cache_mesi
