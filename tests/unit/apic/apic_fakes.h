// Test doubles for the APIC tests: what the CPU would see, an 8259A stand-in and a recording bus.
#pragma once
#include "sim/core/interrupt.h"

#include <deque>
#include <vector>

namespace smpsim::apic::test {

struct FakeCpu final : InterruptSink {
    bool intr = false;
    int intr_changes = 0;
    int nmis = 0;
    int inits = 0;
    std::vector<u8> sipis;
    void set_intr(bool level) override {
        if (level != intr) ++intr_changes;
        intr = level;
    }
    void raise_nmi() override { ++nmis; }
    void raise_init() override { ++inits; }
    void raise_sipi(u8 vector) override { sipis.push_back(vector); }
};

// The 8259A pair as an ExtINT source: hands out queued vectors, else its spurious IRQ7 vector.
struct FakeExtInt final : InterruptSource {
    std::deque<u8> vectors;
    int acks = 0;
    bool has_pending() override { return !vectors.empty(); }
    u8 acknowledge() override {
        ++acks;
        if (vectors.empty()) return 0x27;
        const u8 v = vectors.front();
        vectors.pop_front();
        return v;
    }
};

struct RecordingBus final : ApicBus {
    std::vector<ApicMessage> sent;
    std::vector<u8> eois;
    void send(const ApicMessage& m) override { sent.push_back(m); }
    void broadcast_eoi(u8 vector) override { eois.push_back(vector); }
};

} // namespace smpsim::apic::test
