// The PitDevice TLM wrapper in a running simulation: programmed through its socket, it drives IRQ0 at
// the ticks the core computes. One TEST per binary: sc_start can run only once per process.
#include "sim/platform/pit_device.h"

#include <gtest/gtest.h>
#include <tlm_utils/simple_initiator_socket.h>

#include <utility>
#include <vector>

namespace smpsim::platform {
namespace {

using sc_core::SC_MS;
using sc_core::sc_time;
using sc_core::SC_US;

struct Recorder : InterruptLine {
    std::vector<std::pair<u64, bool>> edges; // (tick, level)
    void set_level(bool level) override {
        edges.emplace_back(PitDevice::ticks_at(sc_core::sc_time_stamp()), level);
    }
};

struct Driver : sc_core::sc_module {
    tlm_utils::simple_initiator_socket<Driver> socket{"socket"};
    std::vector<u8> reads;
    bool done = false;

    SC_HAS_PROCESS(Driver);
    explicit Driver(sc_core::sc_module_name name) : sc_module(name) { SC_THREAD(run); }

    void access(u64 offset, u8& value, bool write, sc_time delay) {
        tlm::tlm_generic_payload trans;
        trans.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
        trans.set_address(offset);
        trans.set_data_ptr(&value);
        trans.set_data_length(1);
        trans.set_streaming_width(1);
        socket->b_transport(trans, delay);
        EXPECT_EQ(trans.get_response_status(), tlm::TLM_OK_RESPONSE);
    }
    void out(u64 offset, u8 value, sc_time delay = sc_core::SC_ZERO_TIME) {
        access(offset, value, true, delay);
    }
    u8 in(u64 offset, sc_time delay = sc_core::SC_ZERO_TIME) {
        u8 value = 0;
        access(offset, value, false, delay);
        return value;
    }

    void run() {
        // Mode 2, count 1193 (~1 kHz), as a kernel programs its tick, issued with a 10 us TLM delay.
        const sc_time d(10, SC_US);
        out(3, 0x34, d);
        out(0, 1193 & 0xff, d);
        out(0, 1193 >> 8, d);
        wait(sc_time(10, SC_MS));
        out(3, 0x00); // latch counter 0
        reads.push_back(in(0));
        reads.push_back(in(0));
        done = true;
    }
};

// OUT0 in mode 2 reaches the IRQ line: high at the control word, then low for one tick every 1193 ticks,
// the count being loaded one tick after the write (which happened at its annotated time).
TEST(PitDeviceTest, Mode2DrivesIrq0WithOneTickPulsesAtTheProgrammedRate) {
    // Time conversion: exact inverses, 1193182 ticks per second.
    EXPECT_EQ(PitDevice::ticks_at(sc_time(1, sc_core::SC_SEC)), 1193182u);
    for (u64 k : {0ull, 1ull, 2ull, 1193ull, 1234567ull, 10'000'000'000ull})
        EXPECT_EQ(PitDevice::ticks_at(PitDevice::time_of_tick(k)), k) << k;

    Recorder irq;
    PitDevice pit("pit", &irq);
    Driver driver("driver");
    driver.socket.bind(pit.socket);
    sc_core::sc_start(sc_time(20, SC_MS));
    ASSERT_TRUE(driver.done);

    const u64 w = PitDevice::ticks_at(sc_time(10, SC_US)); // the write tick
    ASSERT_GE(irq.edges.size(), 10u);
    EXPECT_EQ(irq.edges[0], std::make_pair(w, true)); // mode 2 control word: OUT high
    // Loaded at w+1: low at w+1+1192, high one tick later, every 1193 ticks.
    for (unsigned k = 0; k < 8; ++k) {
        const u64 low = w + 1 + 1192 + 1193 * k;
        EXPECT_EQ(irq.edges[1 + 2 * k], std::make_pair(low, false)) << k;
        EXPECT_EQ(irq.edges[2 + 2 * k], std::make_pair(low + 1, true)) << k;
    }
    // 20 ms = 23863 ticks: 19 full periods after the load.
    EXPECT_EQ(irq.edges.size(), 1u + 2 * 19);
    // The count latched at 10 ms (the thread's wait started at 0: the writes' delay was not waited).
    const u64 at = PitDevice::ticks_at(sc_time(10, SC_MS));
    const u16 expected = u16(1193 - (at - (w + 1)) % 1193);
    EXPECT_EQ(u16(driver.reads[0] | (driver.reads[1] << 8)), expected);
}

} // namespace
} // namespace smpsim::platform
