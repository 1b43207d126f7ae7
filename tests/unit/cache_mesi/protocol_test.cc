// Every (model, state, event) pair of the L1 protocol: the table's rule, and - for every pair that can
// occur - the behaviour of the memory system when CPU 0 holds the line in that state and the event
// happens. The expectations below are the protocol written out again by hand, independently of
// protocol.h's rule list.
#include "sim/cache_mesi/memory_system.h"

#include <gtest/gtest.h>

#include <cstring>
#include <optional>
#include <string>
#include <vector>

namespace smpsim::cache_mesi {
namespace {

constexpr u64 kX = 0x1000;
constexpr u32 kSets = 4;
constexpr u64 kSetStride = kSets * kLineSize; // lines kX + k*kSetStride share kX's set

struct Expect {
    MemoryModel model;
    State state;
    Event event;
    std::optional<State> next; // nullopt: the pair cannot occur
};

constexpr auto I = State::I, S = State::S, E = State::E, M = State::M, SQ = State::S_Q;
constexpr std::nullopt_t kImp = std::nullopt;

std::vector<Expect> expectations() {
    std::vector<Expect> v;
    const Event events[] = {Event::Load,    Event::Store, Event::Replacement, Event::InvApply, Event::FwdGetS,
                            Event::FwdGetM, Event::Inv,   Event::DmaRead,     Event::DmaWrite};
    // Rows: next state for each event in the order above.
    struct Row {
        State s;
        std::optional<State> n[9];
    };
    const Row tso[] = {
        {I, {E, M, kImp, kImp, I, I, I, I, I}}, // Load from I alone gives E (ExclusiveIfSole)
        {S, {S, M, I, kImp, S, I, I, S, I}},    {E, {E, M, I, kImp, S, I, kImp, E, I}},
        {M, {M, M, I, kImp, S, I, kImp, E, I}}, {SQ, {kImp, kImp, kImp, kImp, kImp, kImp, kImp, kImp, kImp}},
    };
    const Row weak[] = {
        {I, {E, M, kImp, kImp, I, I, I, I, I}},  {S, {S, M, I, kImp, S, SQ, SQ, S, SQ}},
        {E, {E, M, I, kImp, S, I, kImp, E, I}},  {M, {M, M, I, kImp, S, I, kImp, E, I}},
        {SQ, {SQ, M, I, I, SQ, SQ, SQ, SQ, SQ}},
    };
    for (const Row& r : tso)
        for (int e = 0; e < 9; ++e)
            v.push_back({MemoryModel::Tso, r.s, events[e], r.n[e]});
    for (const Row& r : weak)
        for (int e = 0; e < 9; ++e)
            v.push_back({MemoryModel::Weak, r.s, events[e], r.n[e]});
    return v;
}

std::string name_of(const testing::TestParamInfo<Expect>& info) {
    return std::string(to_string(info.param.model)) + "_" + std::string(to_string(info.param.state)) + "_" +
           std::string(to_string(info.param.event));
}

class ProtocolPair : public testing::TestWithParam<Expect> {
  protected:
    void SetUp() override {
        ram_.assign(64 * 1024, 0);
        for (std::size_t i = 0; i < ram_.size(); ++i)
            ram_[i] = u8(i * 7);
        CacheConfig cfg;
        cfg.cpus = 3;
        cfg.model = GetParam().model;
        cfg.l1_sets = kSets;
        cfg.l1_ways = 2;
        cfg.invalidate_queue_delay = 1000;
        ms_.emplace(cfg, std::span<u8>(ram_));
    }

    // CPU 0 gets line kX in `s`; the value of kX's first 8 bytes is then `value_`.
    void enter(State s) {
        value_ = 0;
        std::memcpy(&value_, ram_.data() + kX, 8);
        switch (s) {
        case State::I: break;
        case State::S:
            ms_->load(0, kX, 8, 0);
            ms_->load(2, kX, 8, 0);
            break;
        case State::E: ms_->load(0, kX, 8, 0); break;
        case State::M:
            ms_->store(0, kX, 8, 0xaaaa, 0);
            value_ = 0xaaaa;
            break;
        case State::S_Q:
            ms_->load(0, kX, 8, 0);
            ms_->load(2, kX, 8, 0);
            ms_->store(2, kX, 8, 0xbbbb, 0); // Upgrade: CPU 0 acknowledges and queues
            stale_ = value_;
            value_ = 0xbbbb;
            break;
        }
        ASSERT_EQ(ms_->state_of(0, kX), s);
    }

    // Makes `ev` happen to CPU 0's copy of kX (only called for pairs that can occur).
    void trigger(Event ev, State from) {
        switch (ev) {
        case Event::Load: {
            const AccessResult r = ms_->load(0, kX, 8, 1);
            EXPECT_EQ(r.value, from == State::S_Q ? stale_ : value_);
            EXPECT_EQ(r.stale, from == State::S_Q);
            EXPECT_EQ(r.hit, from != State::I);
            break;
        }
        case Event::Store:
            ms_->store(0, kX, 8, 0xcccc, 1);
            value_ = 0xcccc;
            break;
        case Event::Replacement: // two other lines of the same set: kX becomes the LRU victim
            ms_->load(0, kX + kSetStride, 8, 1);
            ms_->load(0, kX + 2 * kSetStride, 8, 1);
            break;
        case Event::InvApply: EXPECT_EQ(ms_->drain_invalidate_queue(0), from == State::S_Q ? 1u : 0u); break;
        case Event::FwdGetS: EXPECT_EQ(ms_->load(1, kX, 8, 1).value, value_); break;
        case Event::FwdGetM:
            ms_->store(1, kX, 8, 0xdddd, 1);
            value_ = 0xdddd;
            break;
        case Event::Inv:
            ms_->load(1, kX, 8, 1);
            if (from == State::I) ms_->load(2, kX, 8, 1); // CPU 1 alone would hold E
            ASSERT_EQ(ms_->state_of(1, kX), State::S);
            ms_->store(1, kX, 8, 0xeeee, 1); // an Upgrade from S
            value_ = 0xeeee;
            break;
        case Event::DmaRead: {
            u64 v = 0;
            ms_->dma_read(kX, &v, 8, 1);
            EXPECT_EQ(v, value_);
            break;
        }
        case Event::DmaWrite: {
            const u64 v = 0xffff;
            ms_->dma_write(kX, &v, 8, 1);
            value_ = v;
            break;
        }
        }
    }

    // Single writer / multiple readers among valid copies, and every clean copy equals memory.
    void expect_coherent() {
        int owners = 0, sharers = 0;
        for (u32 c = 0; c < 3; ++c) {
            const State s = ms_->state_of(c, kX);
            owners += s == State::M || s == State::E;
            sharers += s == State::S;
            if (s == State::S || s == State::E) {
                EXPECT_EQ(0, std::memcmp(ms_->line_data(c, kX), ram_.data() + kX, 64));
            }
        }
        EXPECT_LE(owners, 1);
        if (owners) {
            EXPECT_EQ(sharers, 0);
        }
        u64 v = 0;
        ms_->peek(kX, &v, 8);
        EXPECT_EQ(v, value_);
    }

    std::vector<u8> ram_;
    std::optional<MemorySystem> ms_;
    u64 value_ = 0;
    u64 stale_ = 0;
};

TEST_P(ProtocolPair, FollowsTheTransitionTable) {
    const Expect& x = GetParam();
    const Transition t = transition(x.model, x.state, x.event);
    if (!x.next) {
        EXPECT_TRUE(t.actions & kImpossible) << action_names(t.actions);
        return;
    }
    ASSERT_FALSE(t.actions & kImpossible);
    // The table's next state (a GetS fill alone is upgraded to E by kExclusiveIfSole).
    const State table_next = (t.actions & kExclusiveIfSole) ? State::E : t.next;
    EXPECT_EQ(table_next, *x.next) << action_names(t.actions);

    enter(x.state);
    if (HasFatalFailure()) return;
    trigger(x.event, x.state);
    if (HasFatalFailure()) return;
    EXPECT_EQ(ms_->state_of(0, kX), *x.next);
    expect_coherent();
}

INSTANTIATE_TEST_SUITE_P(AllPairs, ProtocolPair, testing::ValuesIn(expectations()), name_of);

TEST(ProtocolTable, CoversEveryModelStateAndEventExactlyOnce) {
    for (int m = 0; m < kNumModels; ++m)
        for (int s = 0; s < kNumStates; ++s)
            for (int e = 0; e < kNumEvents; ++e)
                EXPECT_EQ(detail::count_rules(MemoryModel(m), State(s), Event(e)), 1)
                    << to_string(MemoryModel(m)) << " " << to_string(State(s)) << " " << to_string(Event(e));
    EXPECT_EQ(expectations().size(), std::size_t(kNumModels * kNumStates * kNumEvents));
}

TEST(ProtocolTable, TsoNeverQueuesAnInvalidation) {
    for (int s = 0; s < kNumStates; ++s)
        for (int e = 0; e < kNumEvents; ++e) {
            const Transition t = transition(MemoryModel::Tso, State(s), Event(e));
            EXPECT_FALSE(t.actions & (kQueueInv | kReadStale));
            if (!(t.actions & kImpossible)) {
                EXPECT_NE(t.next, State::S_Q);
            }
        }
}

TEST(ProtocolTable, NamesAreReadable) {
    EXPECT_EQ(action_names(kIssueGetM | kWrite), "IssueGetM|Write");
    EXPECT_EQ(action_names(kNone), "None");
    EXPECT_EQ(to_string(State::S_Q), "S_Q");
    EXPECT_EQ(to_string(Event::FwdGetM), "FwdGetM");
}

} // namespace
} // namespace smpsim::cache_mesi
