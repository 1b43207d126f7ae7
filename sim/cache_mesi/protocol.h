// The L1 MESI protocol as a transition table a reader can audit (in the spirit of gem5's
// MESI_Two_Level-L1cache.sm: states with their permissions, events as an enum, one rule per
// (state, event), latencies as named parameters in CacheConfig). Pure data: no cache, no time.
//
// Fabric requests (what a CPU's L1 puts on the snooping bus, see memory_system.h) and the event each
// other L1 sees for it:
//
//   GetS     read miss: wants a readable copy             -> others see FwdGetS
//   GetM     write miss (RFO): wants data and ownership   -> others see FwdGetM
//   Upgrade  write to an S line: ownership without data   -> others see Inv
//
// The invalidate queue (weak model, after McKenney, "Memory Barriers: a Hardware View", section 4) adds
// one state, S_Q: the line was S, an invalidation arrived and was acknowledged at once, and it waits in
// the invalidate queue. The line is no longer a sharer as far as the fabric is concerned (the writer
// already owns the line), but its stale data stays readable until the queue entry is applied (event
// InvApply). As McKenney requires, the CPU sends no protocol message for a line whose invalidation is
// pending: a store or a replacement first applies the queue up to and including that line's entry
// (FIFO order is kept), then proceeds as from I. In the tso model invalidations are applied on arrival,
// so S_Q is unreachable and every (S_Q, event) rule of the tso table is Impossible.
#pragma once
#include "sim/core/memory_model.h"
#include "sim/core/types.h"

#include <array>
#include <string>
#include <string_view>

namespace smpsim::cache_mesi {

// Tso: invalidations applied on arrival (x86-TSO); Weak: acknowledged at once and queued, so loads may
// hit stale lines.
using MemoryModel = smpsim::MemoryModel;
inline constexpr int kNumModels = 2;

// Stable L1 states with the permission each grants.
enum class State : u8 {
    I,   // invalid: none
    S,   // shared, clean: read
    E,   // exclusive, clean: read; a store turns it into M without a fabric request
    M,   // modified, dirty: read and write; the only up-to-date copy of the line
    S_Q, // weak only: S whose invalidation is acknowledged and queued: read (possibly stale data)
};
inline constexpr int kNumStates = 5;

enum class Event : u8 {
    // from the own CPU
    Load,        // data load, instruction fetch, page-walk read
    Store,       // store-buffer commit, locked read-modify-write, page-walk A/D update
    Replacement, // the frame is chosen as a victim
    InvApply,    // this line's invalidate-queue entry is applied (delay elapsed, barrier, queue full)
    // from the fabric: another CPU's request, snooped
    FwdGetS, // another CPU's GetS
    FwdGetM, // another CPU's GetM (RFO)
    Inv,     // another CPU's Upgrade
    // from a DMA master on the fabric
    DmaRead,
    DmaWrite,
};
inline constexpr int kNumEvents = 9;

// Actions, performed by the memory system in the order listed here.
enum Action : u16 {
    kNone = 0,
    kImpossible = 1u << 0,      // the pair cannot occur; reaching it is a simulator bug
    kApplyQueueTo = 1u << 1,    // apply the own invalidate queue up to and including this line's entry
    kIssueGetS = 1u << 2,       // fabric GetS; fill the line
    kIssueGetM = 1u << 3,       // fabric GetM; fill the line
    kIssueUpgrade = 1u << 4,    // fabric Upgrade (no data)
    kExclusiveIfSole = 1u << 5, // after GetS: next state is E instead of S when no other L1 holds it valid
    kReadHit = 1u << 6,         // serve the load from the line
    kReadStale = 1u << 7,       // ... and the data may be stale (counted as a stale hit)
    kWrite = 1u << 8,           // perform the store into the line
    kSupplyData = 1u << 9,      // forward the line's data to the requester (cache-to-cache, HITM if M)
    kWriteBack = 1u << 10,      // copy the line's data to memory
    kQueueInv = 1u << 11,       // acknowledge at once, append to the invalidate queue
    kInvalidate = 1u << 12,     // drop the copy (acknowledged)
};

struct Transition {
    State next;
    u16 actions;
};

// Models a rule applies to.
enum class Models : u8 { Both, TsoOnly, WeakOnly };

struct Rule {
    State state;
    Event event;
    Models models;
    State next;
    u16 actions;
};

// clang-format off
// The protocol. One line per (state, event[, model]); the build checks that every (model, state, event)
// is covered exactly once.
inline constexpr Rule kRules[] = {
    // state      event               models            next      actions
    // ---- I: no copy
    {State::I,   Event::Load,        Models::Both,     State::S, kIssueGetS | kExclusiveIfSole},
    {State::I,   Event::Store,       Models::Both,     State::M, kIssueGetM | kWrite},
    {State::I,   Event::Replacement, Models::Both,     State::I, kImpossible},
    {State::I,   Event::InvApply,    Models::Both,     State::I, kImpossible},
    {State::I,   Event::FwdGetS,     Models::Both,     State::I, kNone},
    {State::I,   Event::FwdGetM,     Models::Both,     State::I, kNone},
    {State::I,   Event::Inv,         Models::Both,     State::I, kNone},
    {State::I,   Event::DmaRead,     Models::Both,     State::I, kNone},
    {State::I,   Event::DmaWrite,    Models::Both,     State::I, kNone},
    // ---- S: clean, shared
    {State::S,   Event::Load,        Models::Both,     State::S, kReadHit},
    {State::S,   Event::Store,       Models::Both,     State::M, kIssueUpgrade | kWrite},
    {State::S,   Event::Replacement, Models::Both,     State::I, kInvalidate},
    {State::S,   Event::InvApply,    Models::Both,     State::S, kImpossible},
    {State::S,   Event::FwdGetS,     Models::Both,     State::S, kNone},
    {State::S,   Event::FwdGetM,     Models::TsoOnly,  State::I, kInvalidate},
    {State::S,   Event::FwdGetM,     Models::WeakOnly, State::S_Q, kQueueInv},
    {State::S,   Event::Inv,         Models::TsoOnly,  State::I, kInvalidate},
    {State::S,   Event::Inv,         Models::WeakOnly, State::S_Q, kQueueInv},
    {State::S,   Event::DmaRead,     Models::Both,     State::S, kNone},
    {State::S,   Event::DmaWrite,    Models::TsoOnly,  State::I, kInvalidate},
    {State::S,   Event::DmaWrite,    Models::WeakOnly, State::S_Q, kQueueInv},
    // ---- E: clean, exclusive
    {State::E,   Event::Load,        Models::Both,     State::E, kReadHit},
    {State::E,   Event::Store,       Models::Both,     State::M, kWrite},
    {State::E,   Event::Replacement, Models::Both,     State::I, kInvalidate},
    {State::E,   Event::InvApply,    Models::Both,     State::E, kImpossible},
    {State::E,   Event::FwdGetS,     Models::Both,     State::S, kNone},        // memory supplies (clean)
    {State::E,   Event::FwdGetM,     Models::Both,     State::I, kInvalidate},
    {State::E,   Event::Inv,         Models::Both,     State::E, kImpossible},  // an Upgrade needs an S copy
    {State::E,   Event::DmaRead,     Models::Both,     State::E, kNone},
    {State::E,   Event::DmaWrite,    Models::Both,     State::I, kInvalidate},
    // ---- M: dirty, exclusive
    {State::M,   Event::Load,        Models::Both,     State::M, kReadHit},
    {State::M,   Event::Store,       Models::Both,     State::M, kWrite},
    {State::M,   Event::Replacement, Models::Both,     State::I, kWriteBack | kInvalidate},
    {State::M,   Event::InvApply,    Models::Both,     State::M, kImpossible},
    {State::M,   Event::FwdGetS,     Models::Both,     State::S, kSupplyData | kWriteBack},
    {State::M,   Event::FwdGetM,     Models::Both,     State::I, kSupplyData | kInvalidate},
    {State::M,   Event::Inv,         Models::Both,     State::M, kImpossible},
    {State::M,   Event::DmaRead,     Models::Both,     State::E, kSupplyData | kWriteBack},
    {State::M,   Event::DmaWrite,    Models::Both,     State::I, kWriteBack | kInvalidate},
    // ---- S_Q: invalidation queued (weak only)
    {State::S_Q, Event::Load,        Models::WeakOnly, State::S_Q, kReadHit | kReadStale},
    {State::S_Q, Event::Store,       Models::WeakOnly, State::M, kApplyQueueTo | kIssueGetM | kWrite},
    {State::S_Q, Event::Replacement, Models::WeakOnly, State::I, kApplyQueueTo},
    {State::S_Q, Event::InvApply,    Models::WeakOnly, State::I, kInvalidate},
    {State::S_Q, Event::FwdGetS,     Models::WeakOnly, State::S_Q, kNone},      // not a sharer any more
    {State::S_Q, Event::FwdGetM,     Models::WeakOnly, State::S_Q, kNone},      // already acknowledged
    {State::S_Q, Event::Inv,         Models::WeakOnly, State::S_Q, kNone},
    {State::S_Q, Event::DmaRead,     Models::WeakOnly, State::S_Q, kNone},
    {State::S_Q, Event::DmaWrite,    Models::WeakOnly, State::S_Q, kNone},
    // S_Q is unreachable under tso
    {State::S_Q, Event::Load,        Models::TsoOnly,  State::S_Q, kImpossible},
    {State::S_Q, Event::Store,       Models::TsoOnly,  State::S_Q, kImpossible},
    {State::S_Q, Event::Replacement, Models::TsoOnly,  State::S_Q, kImpossible},
    {State::S_Q, Event::InvApply,    Models::TsoOnly,  State::S_Q, kImpossible},
    {State::S_Q, Event::FwdGetS,     Models::TsoOnly,  State::S_Q, kImpossible},
    {State::S_Q, Event::FwdGetM,     Models::TsoOnly,  State::S_Q, kImpossible},
    {State::S_Q, Event::Inv,         Models::TsoOnly,  State::S_Q, kImpossible},
    {State::S_Q, Event::DmaRead,     Models::TsoOnly,  State::S_Q, kImpossible},
    {State::S_Q, Event::DmaWrite,    Models::TsoOnly,  State::S_Q, kImpossible},
};
// clang-format on

namespace detail {
using Table = std::array<std::array<std::array<Transition, kNumEvents>, kNumStates>, kNumModels>;

constexpr bool rule_applies(Models m, MemoryModel model) {
    return m == Models::Both || (m == Models::TsoOnly) == (model == MemoryModel::Tso);
}

constexpr int count_rules(MemoryModel model, State s, Event e) {
    int n = 0;
    for (const Rule& r : kRules)
        if (r.state == s && r.event == e && rule_applies(r.models, model)) ++n;
    return n;
}

constexpr bool table_complete() {
    for (int m = 0; m < kNumModels; ++m)
        for (int s = 0; s < kNumStates; ++s)
            for (int e = 0; e < kNumEvents; ++e)
                if (count_rules(MemoryModel(m), State(s), Event(e)) != 1) return false;
    return true;
}

constexpr Table build_table() {
    Table t{};
    for (int m = 0; m < kNumModels; ++m)
        for (const Rule& r : kRules)
            if (rule_applies(r.models, MemoryModel(m)))
                t[m][int(r.state)][int(r.event)] = Transition{r.next, r.actions};
    return t;
}
} // namespace detail

static_assert(detail::table_complete(), "every (model, state, event) needs exactly one rule");
inline constexpr detail::Table kTransitions = detail::build_table();

constexpr Transition transition(MemoryModel model, State s, Event e) {
    return kTransitions[int(model)][int(s)][int(e)];
}

std::string_view to_string(State s);
std::string_view to_string(Event e);
std::string_view to_string(MemoryModel m);
// "IssueGetM|Write" etc.
std::string action_names(u16 actions);

} // namespace smpsim::cache_mesi
