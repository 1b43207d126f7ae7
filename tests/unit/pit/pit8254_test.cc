// Unit tests of the 8254 core (Pit8254). Times are PIT input clock ticks; comments cite the Intel 8254
// datasheet's description of each behaviour.
#include "sim/platform/pit8254.h"

#include "sim/core/log.h"

#include <gtest/gtest.h>

#include <sstream>

namespace smpsim::platform {
namespace {

// Control word for counter c, LSB-then-MSB access, binary.
u8 control(unsigned c, unsigned mode) {
    return u8((c << 6) | 0x30 | (mode << 1));
}

void program(Pit8254& pit, unsigned c, unsigned mode, u16 count, u64 now) {
    pit.write(3, control(c, mode), now);
    pit.write(c, u8(count), now);
    pit.write(c, u8(count >> 8), now);
}

u16 read16(Pit8254& pit, unsigned c, u64 now) {
    const u8 lo = pit.read(c, now);
    const u8 hi = pit.read(c, now);
    return u16(lo | (hi << 8));
}

// Mode 0: "OUT will be initially low ... for an initial count of N, OUT does not go high until N + 1 CLK
// pulses after the initial count is written", and stays high.
TEST(Pit8254Test, Mode0OutputRisesAtTerminalCount) {
    Pit8254 pit;
    pit.write(3, control(0, 0), 90);
    EXPECT_FALSE(pit.output(0, 90));
    pit.write(0, 10, 100);
    pit.write(0, 0, 100);
    EXPECT_FALSE(pit.output(0, 100));
    EXPECT_FALSE(pit.output(0, 110));
    EXPECT_TRUE(pit.output(0, 111));
    EXPECT_TRUE(pit.output(0, 100000));
    EXPECT_EQ(pit.next_output_change(0, 100), 111u);
    EXPECT_EQ(pit.next_output_change(0, 111), std::nullopt);
}

// Mode 0: the count is loaded on the pulse after the write, then decrements each pulse and keeps
// counting (wrapping to 0xFFFF) after the terminal count.
TEST(Pit8254Test, Mode0CountsDownAndWrapsAfterTerminalCount) {
    Pit8254 pit;
    program(pit, 0, 0, 10, 100);
    EXPECT_EQ(pit.count(0, 101), 10);
    EXPECT_EQ(pit.count(0, 105), 6);
    EXPECT_EQ(pit.count(0, 111), 0);
    EXPECT_EQ(pit.count(0, 112), 0xffff);
}

// Mode 0: "Writing the first byte disables counting. OUT is set low immediately"; the second byte loads
// the new count on the next pulse.
TEST(Pit8254Test, Mode0ReprogrammingMidCountRestartsTheCount) {
    Pit8254 pit;
    program(pit, 0, 0, 100, 0);
    EXPECT_EQ(pit.count(0, 50), 51);
    pit.write(0, 10, 50);
    EXPECT_FALSE(pit.output(0, 200)); // counting stopped, OUT low
    EXPECT_EQ(pit.count(0, 60), 51);
    pit.write(0, 0, 60);
    EXPECT_EQ(pit.count(0, 61), 10);
    EXPECT_FALSE(pit.output(0, 70));
    EXPECT_TRUE(pit.output(0, 71));
}

// Mode 0 after terminal count: a new count drives OUT low again until the new terminal count.
TEST(Pit8254Test, Mode0NewCountAfterTerminalCountLowersOutAgain) {
    Pit8254 pit;
    program(pit, 0, 0, 5, 0);
    EXPECT_TRUE(pit.output(0, 10));
    pit.write(0, 3, 20);
    pit.write(0, 0, 20);
    EXPECT_FALSE(pit.output(0, 20));
    EXPECT_EQ(pit.next_output_change(0, 20), 24u);
}

// Mode 2: "OUT will initially be high. When the initial count has decremented to 1, OUT goes low for one
// CLK pulse. OUT then goes high again, the Counter reloads the initial count and the process is repeated."
TEST(Pit8254Test, Mode2PeriodicPulseIsLowForOneTick) {
    Pit8254 pit;
    program(pit, 0, 2, 5, 0); // loaded at tick 1
    EXPECT_TRUE(pit.output(0, 0));
    for (u64 t = 1; t < 30; ++t)
        EXPECT_EQ(pit.output(0, t), (t - 1) % 5 != 4) << t;
    EXPECT_EQ(pit.next_output_change(0, 0), 5u);
    EXPECT_EQ(pit.next_output_change(0, 5), 6u);
    EXPECT_EQ(pit.next_output_change(0, 6), 10u);
    EXPECT_EQ(pit.count(0, 1), 5);
    EXPECT_EQ(pit.count(0, 5), 1);
    EXPECT_EQ(pit.count(0, 6), 5);
}

// Mode 2: "If a new count is written during counting, it does not affect the current counting sequence";
// the new count is used from the next reload.
TEST(Pit8254Test, Mode2ReprogrammingTakesEffectAtNextReload) {
    Pit8254 pit;
    program(pit, 0, 2, 10, 0); // reloads at 1, 11, 21, ...
    pit.write(0, 4, 13);
    pit.write(0, 0, 13);
    EXPECT_EQ(pit.status(0, 13) & 0x40, 0x40); // NULL COUNT until the reload
    EXPECT_EQ(pit.next_output_change(0, 13), 20u);
    EXPECT_EQ(pit.next_output_change(0, 20), 21u);
    EXPECT_EQ(pit.next_output_change(0, 21), 24u);
    EXPECT_FALSE(pit.output(0, 24));
    EXPECT_TRUE(pit.output(0, 25));
    EXPECT_FALSE(pit.output(0, 28));
    EXPECT_EQ(pit.status(0, 21) & 0x40, 0);
    EXPECT_EQ(pit.count(0, 22), 3);
}

// Mode 3, even count: OUT high for N/2 pulses, low for N/2.
TEST(Pit8254Test, Mode3SquareWaveEvenCountHasEqualHalves) {
    Pit8254 pit;
    program(pit, 0, 3, 10, 0); // loaded at tick 1
    for (u64 t = 1; t < 41; ++t)
        EXPECT_EQ(pit.output(0, t), (t - 1) % 10 < 5) << t;
    EXPECT_EQ(pit.next_output_change(0, 1), 6u);
    EXPECT_EQ(pit.next_output_change(0, 6), 11u);
    // Counting by two.
    EXPECT_EQ(pit.count(0, 1), 10);
    EXPECT_EQ(pit.count(0, 2), 8);
    EXPECT_EQ(pit.count(0, 6), 10);
    EXPECT_EQ(pit.count(0, 7), 8);
}

// Mode 3, odd count: "OUT will be high for (N + 1)/2 counts and low for (N - 1)/2 counts."
TEST(Pit8254Test, Mode3SquareWaveOddCountIsHighOneTickLonger) {
    Pit8254 pit;
    program(pit, 0, 3, 5, 0);
    for (u64 t = 1; t < 31; ++t)
        EXPECT_EQ(pit.output(0, t), (t - 1) % 5 < 3) << t;
    // High half: first pulse subtracts 1, then 2 (5, 4, 2); low half: first subtracts 3 (5, 2).
    EXPECT_EQ(pit.count(0, 1), 5);
    EXPECT_EQ(pit.count(0, 2), 4);
    EXPECT_EQ(pit.count(0, 3), 2);
    EXPECT_EQ(pit.count(0, 4), 5);
    EXPECT_EQ(pit.count(0, 5), 2);
}

// Mode 3: a new count written during counting is loaded at the end of the current half-cycle.
TEST(Pit8254Test, Mode3ReprogrammingTakesEffectAtEndOfHalfCycle) {
    Pit8254 pit;
    program(pit, 0, 3, 10, 0); // high [1,6), low [6,11)
    pit.write(0, 4, 2);
    pit.write(0, 0, 2);
    EXPECT_TRUE(pit.output(0, 5));
    // At 6 the high half ends: OUT low with the new count: low [6,8), high [8,10), low [10,12)...
    EXPECT_EQ(pit.next_output_change(0, 2), 6u);
    EXPECT_EQ(pit.next_output_change(0, 6), 8u);
    EXPECT_FALSE(pit.output(0, 7));
    EXPECT_TRUE(pit.output(0, 8));
    EXPECT_TRUE(pit.output(0, 9));
    EXPECT_FALSE(pit.output(0, 10));
}

// Counter latch command (RW=00): the count at the time of the command is read back (LSB then MSB) while
// the counter keeps counting; the latch is released once read, later reads see the live count.
TEST(Pit8254Test, CounterLatchHoldsValueWhileCountingContinues) {
    Pit8254 pit;
    program(pit, 0, 2, 1000, 0); // loaded at 1
    pit.write(3, 0x00, 101);     // latch counter 0: 1000 - 100 = 900 = 0x384
    EXPECT_EQ(pit.read(0, 500), 0x84);
    EXPECT_EQ(pit.read(0, 600), 0x03);
    EXPECT_EQ(read16(pit, 0, 700), 1000 - 699);
}

// "If a Counter is latched and then, some time later, latched again before the count is read, the second
// Counter Latch Command is ignored."
TEST(Pit8254Test, SecondLatchBeforeReadIsIgnored) {
    Pit8254 pit;
    program(pit, 1, 2, 1000, 0);
    pit.write(3, 0x40, 11);
    pit.write(3, 0x40, 51);
    EXPECT_EQ(read16(pit, 1, 60), 990);
}

// Read-back command: status byte = OUTPUT, NULL COUNT, RW1-0, M2-M0, BCD; NULL COUNT is set from the
// control word/count write until the count is loaded into the counting element. With both count and
// status latched, the status is read first.
TEST(Pit8254Test, ReadBackLatchesStatusByteAndCount) {
    Pit8254 pit;
    pit.write(3, 0x36, 0);           // counter 0, LSB/MSB, mode 3
    pit.write(3, 0xe2, 0);           // read-back status of counter 0
    EXPECT_EQ(pit.read(0, 0), 0xf6); // OUT high, NULL COUNT, rw 3, mode 3
    pit.write(0, 0x00, 0);
    pit.write(0, 0x10, 0); // 0x1000
    pit.write(3, 0xe2, 0);
    EXPECT_EQ(pit.read(0, 0), 0xf6);  // not loaded yet
    pit.write(3, 0xc2, 11);           // status and count
    EXPECT_EQ(pit.read(0, 20), 0xb6); // loaded: NULL COUNT clear
    EXPECT_EQ(read16(pit, 0, 30), 0x1000 - 20);
    pit.write(3, 0x70, 40); // counter 1, mode 0
    pit.write(3, 0xe4, 40);
    EXPECT_EQ(pit.read(1, 40), 0x70); // OUT low, NULL COUNT, rw 3, mode 0
    EXPECT_EQ(pit.read(3, 40), 0xff); // the control register is write-only
}

// The datasheet leaves the power-on state undefined; the model's: every counter as after control word
// "mode 0, LSB then MSB, binary" with no count written: status OUT low, NULL COUNT, RW 11, mode 0 (0x70).
// Ports 0-3 are the only ones: others are reported once in the unimp category.
TEST(Pit8254Test, PowerOnStatusAndPorts) {
    std::ostringstream out;
    log::logger().reset();
    log::logger().configure(log::kDefaultCategories, false, &out);
    Pit8254 pit;
    for (unsigned c = 0; c < 3; ++c) {
        pit.write(3, u8(0xe0 | (2u << c)), 0); // read-back: status only
        EXPECT_EQ(pit.read(c, 0), 0x70) << c;
    }
    EXPECT_EQ(pit.read(3, 0), 0xff);
    EXPECT_EQ(pit.read(4, 0), 0);
    pit.write(4, 0, 0);
    EXPECT_EQ(out.str(), "smpsim: unimp: pit: unknown register read at 0x4\n"
                         "smpsim: unimp: pit: unknown register write at 0x4\n");
    log::logger().reset();
}

// RW=01 writes/reads the LSB only (MSB = 0), RW=10 the MSB only (LSB = 0), RW=11 LSB then MSB through a
// flip-flop; reads and writes have their own byte sequencing and may be interleaved.
TEST(Pit8254Test, LobyteHibyteAccessUsesFlipFlop) {
    Pit8254 pit;
    pit.write(3, 0x10 | (0 << 1), 0); // counter 0, LSB only, mode 0
    pit.write(0, 0x34, 0);
    EXPECT_EQ(pit.initial_count(0), 0x0034);
    EXPECT_EQ(pit.read(0, 1), 0x34);
    pit.write(3, 0x20 | (0 << 1), 10); // MSB only
    pit.write(0, 0x12, 10);
    EXPECT_EQ(pit.initial_count(0), 0x1200);
    EXPECT_EQ(pit.read(0, 11), 0x12);
    pit.write(3, 0x30 | (4 << 1), 20); // LSB then MSB, mode 4
    pit.write(0, 0xcd, 20);
    EXPECT_EQ(pit.initial_count(0), 0x1200); // incomplete
    pit.write(0, 0xab, 20);
    EXPECT_EQ(pit.initial_count(0), 0xabcd);
    pit.write(3, 0x00, 21); // latch 0xabcd
    EXPECT_EQ(pit.read(0, 30), 0xcd);
    pit.write(0, 0x01, 30); // interleaved write of a new LSB
    EXPECT_EQ(pit.read(0, 30), 0xab);
    pit.write(0, 0x02, 30);
    EXPECT_EQ(pit.initial_count(0), 0x0201);
}

// "Count 0 ... is equivalent to 2^16 for binary counting."
TEST(Pit8254Test, CountZeroMeans65536) {
    Pit8254 pit;
    program(pit, 0, 2, 0, 0); // loaded at 1
    EXPECT_EQ(pit.count(0, 1), 0);
    EXPECT_EQ(pit.count(0, 2), 0xffff);
    EXPECT_EQ(pit.next_output_change(0, 1), 65536u);
    EXPECT_EQ(pit.next_output_change(0, 65536), 65537u);
    program(pit, 1, 3, 0, 0);
    EXPECT_EQ(pit.next_output_change(1, 1), 1u + 32768);
    program(pit, 2, 0, 0, 0);
    EXPECT_EQ(pit.next_output_change(2, 0), 1u + 65536);
}

// Mode 4: OUT high, "OUT strobes low N + 1 CLK pulses after the initial count is written", for one pulse.
TEST(Pit8254Test, Mode4StrobesLowOnceAtTerminalCount) {
    Pit8254 pit;
    program(pit, 0, 4, 3, 0); // load 1, low at 4
    EXPECT_TRUE(pit.output(0, 3));
    EXPECT_FALSE(pit.output(0, 4));
    EXPECT_TRUE(pit.output(0, 5));
    EXPECT_EQ(pit.next_output_change(0, 0), 4u);
    EXPECT_EQ(pit.next_output_change(0, 4), 5u);
    EXPECT_EQ(pit.next_output_change(0, 5), std::nullopt);
}

// Modes 1 and 5 are started by a rising GATE edge (counter 2's gate is port 0x61 bit 0 on a PC):
// mode 1 drives OUT low for N pulses, mode 5 strobes low once after N.
TEST(Pit8254Test, Modes1And5AreTriggeredByGate) {
    Pit8254 pit;
    pit.set_gate(2, false, 0);
    program(pit, 2, 1, 4, 0);
    EXPECT_TRUE(pit.output(2, 10));
    EXPECT_EQ(pit.next_output_change(2, 10), std::nullopt);
    pit.set_gate(2, true, 10); // trigger: load at 11, OUT low [11, 15)
    EXPECT_FALSE(pit.output(2, 11));
    EXPECT_TRUE(pit.output(2, 15));
    pit.set_gate(2, false, 20);
    program(pit, 2, 5, 4, 20);
    pit.set_gate(2, true, 30); // load at 31, strobe at 35
    EXPECT_TRUE(pit.output(2, 34));
    EXPECT_FALSE(pit.output(2, 35));
    EXPECT_TRUE(pit.output(2, 36));
    // Without a gate edge nothing happens in these modes, and nothing crashes.
    program(pit, 0, 1, 4, 0);
    program(pit, 1, 5, 4, 0);
    EXPECT_TRUE(pit.output(0, 100));
    EXPECT_TRUE(pit.output(1, 100));
}

// GATE low in mode 2/3 forces OUT high and stops counting; the rising edge reloads the count.
TEST(Pit8254Test, GateLowInMode2HoldsOutHighAndRisingEdgeReloads) {
    Pit8254 pit;
    program(pit, 2, 2, 10, 0);
    pit.set_gate(2, false, 5);
    EXPECT_TRUE(pit.output(2, 10));
    EXPECT_EQ(pit.next_output_change(2, 10), std::nullopt);
    pit.set_gate(2, true, 100); // reload at 101, low at 110
    EXPECT_EQ(pit.next_output_change(2, 100), 110u);
}

// GATE low in mode 0 suspends counting; OUT and the count hold until GATE returns high.
TEST(Pit8254Test, GateLowInMode0SuspendsCounting) {
    Pit8254 pit;
    program(pit, 2, 0, 100, 0); // loaded at 1
    pit.set_gate(2, false, 51);
    EXPECT_EQ(pit.count(2, 500), 50);
    EXPECT_FALSE(pit.output(2, 500));
    pit.set_gate(2, true, 500);
    EXPECT_TRUE(pit.next_output_change(2, 500).has_value());
    EXPECT_TRUE(pit.output(2, 600));
}

// Modes 6 and 7 are aliases of modes 2 and 3 (M2 is a don't-care for them).
TEST(Pit8254Test, ModeBitsX10AndX11AreModes2And3) {
    Pit8254 pit;
    pit.write(3, 0x3c, 0); // 0011 1100: mode 6
    EXPECT_EQ(pit.mode(0), 2);
    pit.write(3, 0x3e, 0);
    EXPECT_EQ(pit.mode(0), 3);
}

} // namespace
} // namespace smpsim::platform
