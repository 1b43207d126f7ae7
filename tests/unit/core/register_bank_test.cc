// The register-bank facility: access kinds, writable masks, arrays, aliases, handlers, unknown offsets
// (logged once per cause, counted), 8- and 32-bit banks, and the table checks at construction.
#include "sim/core/error.h"
#include "sim/core/log.h"
#include "sim/core/register_bank.h"

#include <gtest/gtest.h>

#include <sstream>

namespace {

using namespace smpsim;
using regs::Access;

// A 32-bit test device with every access kind, an array with aliases, and handlers.
struct Dev32 {
    using R = regs::Register<u32, Dev32>;
    static std::span<const R> table();

    regs::RegisterBank<u32, Dev32> bank{"dev32", 0x200, table(), *this};
    u32 reads = 0;
    std::vector<std::pair<unsigned, u32>> slot_writes;
    std::vector<std::pair<u32, bool>> unknown;

    u32 read_live(unsigned) { return 0x1000 + ++reads; }
    void write_live(unsigned, u32 value) { bank.at(0x14) = value * 2; }
    void write_slot(unsigned index, u32 value) {
        slot_writes.emplace_back(index, value);
        bank.store(0x20 + 4 * index, value + 1); // through SLOT's writable bits
    }
    void note_unknown(u32 offset, bool is_write) { unknown.emplace_back(offset, is_write); }
};

std::span<const Dev32::R> Dev32::table() {
    static const R kTable[] = {
        R{"CTRL", 0x00}.init(0x00000041).mask(0x0000FFFF),
        R{"STATUS", 0x04}.init(0x80000000).read_only(),
        R{"CMD", 0x08}.write_only(),
        R{"COUNT", 0x0C}.read_clear(),
        R{"CAUSE", 0x10}.init(0xF0).mask(0x0F).write_1_clear(),
        R{"QUEUE", 0x100}.array(4, 0x40).init(7).mask(0xFF).alias(2, 0x80, 0x10),
        R{"LIVE", 0x14}.read_with(&Dev32::read_live).write_with(&Dev32::write_live),
        R{"SLOT", 0x20}.array(3, 4).mask(0xFF).write_with(&Dev32::write_slot),
    };
    return kTable;
}

// An 8-bit port device: eight one-byte registers.
struct Dev8 {
    using R = regs::Register<u8, Dev8>;
    static constexpr R kTable[] = {
        R{"DATA", 0}.init(0xA5),
        R{"MASKED", 1}.mask(0x0F),
        R{"STAT", 2}.init(0x60).read_only(),
        R{"PAIR", 4}.array(2, 2).init(0x11),
    };
    regs::RegisterBank<u8, Dev8> bank{"dev8", 8, kTable, *this};
};

class RegisterBankTest : public testing::Test {
  protected:
    void SetUp() override {
        log::logger().reset();
        log::logger().configure(log::kDefaultCategories, false, &out_);
    }
    void TearDown() override { log::logger().reset(); }
    std::ostringstream out_;
};

TEST_F(RegisterBankTest, ReadWriteStoresOnlyWritableBits) {
    Dev32 d;
    EXPECT_EQ(d.bank.read(0x00), 0x41u);
    d.bank.write(0x00, 0xFFFFFFFF);
    EXPECT_EQ(d.bank.read(0x00), 0x0000FFFFu);
    d.bank.write(0x00, 0x12340000);
    EXPECT_EQ(d.bank.read(0x00), 0u);
}

TEST_F(RegisterBankTest, ReadOnlyIgnoresWrites) {
    Dev32 d;
    d.bank.write(0x04, 0);
    EXPECT_EQ(d.bank.read(0x04), 0x80000000u);
}

TEST_F(RegisterBankTest, WriteOnlyReadsZero) {
    Dev32 d;
    d.bank.write(0x08, 0x55); // without a handler, a write-only register stores nothing
    EXPECT_EQ(d.bank.read(0x08), 0u);
    d.bank.poke(0x08, 9);
    EXPECT_EQ(d.bank.read(0x08), 0u);
    EXPECT_EQ(d.bank.peek(0x08), 9u);
}

TEST_F(RegisterBankTest, ReadClearReturnsThenClearsAndIgnoresWrites) {
    Dev32 d;
    d.bank.poke(0x0C, 123);
    d.bank.write(0x0C, 5);
    EXPECT_EQ(d.bank.read(0x0C), 123u);
    EXPECT_EQ(d.bank.read(0x0C), 0u);
}

TEST_F(RegisterBankTest, WriteOneClearsOnlyWritableOnes) {
    Dev32 d;
    d.bank.poke(0x10, 0xFF);
    d.bank.write(0x10, 0x05); // clears bits 0 and 2
    EXPECT_EQ(d.bank.read(0x10), 0xFAu);
    d.bank.write(0x10, 0xF0); // bits 7:4 are not writable: they stay
    EXPECT_EQ(d.bank.read(0x10), 0xFAu);
    d.bank.write(0x10, 0);
    EXPECT_EQ(d.bank.read(0x10), 0xFAu);
}

TEST_F(RegisterBankTest, ArraysHaveOneValuePerInstanceAndAliasesShareThem) {
    Dev32 d;
    for (u32 i = 0; i < 4; ++i)
        EXPECT_EQ(d.bank.read(0x100 + 0x40 * i), 7u) << i;
    d.bank.write(0x100 + 0x40 * 1, 0x1FF);
    EXPECT_EQ(d.bank.read(0x140), 0xFFu);
    EXPECT_EQ(d.bank.read(0x100), 7u);
    // Instances 0 and 1 also answer at 0x80 and 0x90; instance 2 has no alias.
    EXPECT_EQ(d.bank.read(0x90), 0xFFu);
    d.bank.write(0x80, 0x33);
    EXPECT_EQ(d.bank.read(0x100), 0x33u);
    EXPECT_FALSE(d.bank.contains(0xA0));
    unsigned index = 99;
    ASSERT_NE(d.bank.spec_at(0x90, &index), nullptr);
    EXPECT_EQ(d.bank.spec_at(0x90)->name, "QUEUE");
    EXPECT_EQ(index, 1u);
    EXPECT_EQ(d.bank.spec_at(0x180, &index)->name, "QUEUE");
    EXPECT_EQ(index, 2u);
}

TEST_F(RegisterBankTest, HandlersReplaceThePlainAccessAndGetTheIndex) {
    Dev32 d;
    EXPECT_EQ(d.bank.read(0x14), 0x1001u);
    EXPECT_EQ(d.bank.read(0x14), 0x1002u);
    d.bank.write(0x14, 21);
    EXPECT_EQ(d.bank.peek(0x14), 42u);
    d.bank.write(0x28, 5);
    ASSERT_EQ(d.slot_writes.size(), 1u);
    EXPECT_EQ(d.slot_writes[0], std::make_pair(2u, 5u));
    EXPECT_EQ(d.bank.read(0x28), 6u); // no read handler: the stored value
    d.bank.write(0x28, 0x1FF);        // the handler stores 0x200 through the mask 0xFF
    EXPECT_EQ(d.bank.read(0x28), 0u);
}

TEST_F(RegisterBankTest, ResetRestoresEveryResetValue) {
    Dev32 d;
    d.bank.write(0x00, 0xFFFF);
    d.bank.write(0x1C0, 1);
    d.bank.poke(0x04, 0);
    d.bank.reset();
    EXPECT_EQ(d.bank.read(0x00), 0x41u);
    EXPECT_EQ(d.bank.read(0x1C0), 7u);
    EXPECT_EQ(d.bank.read(0x04), 0x80000000u);
}

TEST_F(RegisterBankTest, UnknownOffsetsReadZeroAreLoggedOncePerCauseAndCounted) {
    Dev32 d;
    d.bank.set_unknown_handler(&Dev32::note_unknown);
    EXPECT_EQ(d.bank.read(0x18), 0u);
    EXPECT_EQ(d.bank.read(0x18), 0u);
    d.bank.write(0x18, 1);
    d.bank.write(0x1C, 1);
    EXPECT_EQ(d.bank.read(0x02), 0u);  // misaligned
    EXPECT_EQ(d.bank.read(0x200), 0u); // past the window
    EXPECT_EQ(d.bank.unknown_accesses(), 6u);
    EXPECT_EQ(log::logger().count(log::Category::Unimp, "dev32 unknown register read"), 4u);
    EXPECT_EQ(log::logger().count(log::Category::Unimp, "dev32 unknown register write"), 2u);
    EXPECT_EQ(out_.str(), "smpsim: unimp: dev32: unknown register read at 0x018\n"
                          "smpsim: unimp: dev32: unknown register write at 0x018\n");
    ASSERT_EQ(d.unknown.size(), 6u);
    EXPECT_EQ(d.unknown[2], std::make_pair(0x18u, true));
    EXPECT_EQ(d.unknown[5], std::make_pair(0x200u, false));
    // peek/poke of unknown offsets: silent, not counted.
    EXPECT_EQ(d.bank.peek(0x18), 0u);
    d.bank.poke(0x18, 1);
    EXPECT_EQ(d.bank.unknown_accesses(), 6u);
}

TEST_F(RegisterBankTest, ByteWideBank) {
    Dev8 d;
    EXPECT_EQ(d.bank.read(0), 0xA5);
    d.bank.write(1, 0xFF);
    EXPECT_EQ(d.bank.read(1), 0x0F);
    d.bank.write(2, 0);
    EXPECT_EQ(d.bank.read(2), 0x60);
    EXPECT_EQ(d.bank.read(4), 0x11);
    d.bank.write(6, 0x22);
    EXPECT_EQ(d.bank.read(6), 0x22);
    EXPECT_EQ(d.bank.read(4), 0x11);
    EXPECT_EQ(d.bank.read(3), 0); // a hole
    EXPECT_EQ(d.bank.read(5), 0);
    EXPECT_EQ(d.bank.unknown_accesses(), 2u);
    EXPECT_EQ(out_.str(), "smpsim: unimp: dev8: unknown register read at 0x3\n");
}

// Registers addressed by number (an index/data pair): 32-bit registers, one offset each.
struct Indexed {
    using R = regs::Register<u32, Indexed>;
    static constexpr R kTable[] = {
        R{"ID", 0x00}.mask(0x0F000000),
        R{"VER", 0x01}.init(0x00170011).read_only(),
        R{"LOW", 0x10}.array(3, 2).init(0x10000),
        R{"HIGH", 0x11}.array(3, 2).mask(0xFF000000),
    };
    regs::RegisterBank<u32, Indexed> bank{"indexed", 0x100, kTable, *this, 1};
};

TEST_F(RegisterBankTest, RegistersAddressedByNumber) {
    Indexed d;
    EXPECT_EQ(d.bank.read(0x01), 0x00170011u);
    d.bank.write(0x00, 0xFFFFFFFF);
    EXPECT_EQ(d.bank.read(0x00), 0x0F000000u);
    EXPECT_EQ(d.bank.read(0x14), 0x10000u); // LOW[2]
    d.bank.write(0x15, 0xFFFFFFFF);         // HIGH[2]
    EXPECT_EQ(d.bank.read(0x15), 0xFF000000u);
    EXPECT_EQ(d.bank.read(0x13), 0u); // HIGH[1], untouched
    EXPECT_EQ(d.bank.read(0x16), 0u); // past the arrays
    EXPECT_EQ(d.bank.read(0x02), 0u);
    EXPECT_EQ(d.bank.unknown_accesses(), 2u);
    EXPECT_EQ(out_.str(), "smpsim: unimp: indexed: unknown register read at 0x16\n");
}

TEST(BitField, GetsAndSetsOnlyItsBits) {
    using Vector = regs::BitField<u64, 0, 8>;
    using Mode = regs::BitField<u64, 8, 3>;
    using Destination = regs::BitField<u64, 56, 8>;
    using Whole = regs::BitField<u32, 0, 32>;
    static_assert(Mode::kMask == 0x700);
    static_assert(Destination::kMask == 0xFF00000000000000ull);
    static_assert(Whole::kMask == 0xFFFFFFFFu);
    u64 raw = 0x00000000000100FFull;
    EXPECT_EQ(Vector::get(raw), 0xFFu);
    raw = Mode::set(raw, 0xF); // too wide: only 3 bits land
    EXPECT_EQ(raw, 0x00000000000107FFull);
    raw = Destination::set(raw, 0xA5);
    EXPECT_EQ(Destination::get(raw), 0xA5u);
    EXPECT_EQ(raw, 0xA5000000000107FFull);
    raw = Vector::set(raw, 0x31);
    EXPECT_EQ(raw, 0xA500000000010731ull);
}

struct BadTable {
    using R = regs::Register<u32, BadTable>;
};

TEST_F(RegisterBankTest, OverlappingMisplacedOrMisalignedRegistersAreRejected) {
    BadTable owner;
    using R = BadTable::R;
    static constexpr R kOverlap[] = {R{"A", 0x0}.array(4, 4), R{"B", 0x8}};
    EXPECT_THROW((regs::RegisterBank<u32, BadTable>("bad", 0x100, kOverlap, owner)), smpsim::InternalError);
    static constexpr R kAliasOverlap[] = {R{"A", 0x0}.alias(1, 0x10, 0), R{"B", 0x10}};
    EXPECT_THROW((regs::RegisterBank<u32, BadTable>("bad", 0x100, kAliasOverlap, owner)),
                 smpsim::InternalError);
    static constexpr R kOutside[] = {R{"A", 0x100}};
    EXPECT_THROW((regs::RegisterBank<u32, BadTable>("bad", 0x100, kOutside, owner)), smpsim::InternalError);
    static constexpr R kMisaligned[] = {R{"A", 0x2}};
    EXPECT_THROW((regs::RegisterBank<u32, BadTable>("bad", 0x100, kMisaligned, owner)),
                 smpsim::InternalError);
    EXPECT_THROW((regs::RegisterBank<u32, BadTable>("bad", 0x100, kOutside, owner, 3)),
                 smpsim::InternalError);
    static constexpr R kFine[] = {R{"A", 0x0}.array(4, 8), R{"B", 0x4}.array(4, 8)};
    EXPECT_NO_THROW((regs::RegisterBank<u32, BadTable>("fine", 0x100, kFine, owner)));
}

} // namespace
