// The register table and the registers' access rules: reset values, writable bits, read-clear, aliases,
// unknown offsets, EEPROM, MDIC, reset, the software semaphore.
#include "core_test_support.h"

#include "sim/core/error.h"
#include "sim/core/log.h"

#include <fmt/format.h>

#include <map>
#include <set>

namespace smpsim::igb::test {
namespace {

// What the datasheet says about each register, written out here rather than read back from the table
// under test. Kinds: Plain (stores exactly `writable`), ReadOnly, WriteOnly (a command: reads 0),
// ReadClear (a statistics counter), Handled (behaviour with side effects: reset value checked here, the
// rest by the tests below). `writable` is given for Plain registers only. Where the datasheet leaves a
// reset value to the NVM, the value a default NVM image loads is used.
enum class K { Plain, ReadOnly, WriteOnly, ReadClear, Handled };
struct Expected {
    std::string_view name;
    u32 offset;
    unsigned count;
    u32 stride;
    u32 reset;
    u32 writable;
    K kind;
};

// clang-format off
constexpr Expected kExpected[] = {
    // General: 82576 datasheet, General Register Descriptions (CTRL, STATUS, EEC, EERD, CTRL_EXT, MDIC, FC*, VET,
    // LEDCTL), Packet Buffer Size (PBA, RXPBS, TXPBS), PCIe (GCR), semaphores (SWSM, FWSM, SW_FW_SYNC),
    // wake-up and manageability (WUC, WUFC, MANC).
    {"CTRL", 0x00000, 1, 0x4, 0x00000201, 0, K::Handled},
    {"STATUS", 0x00008, 1, 0x4, 0x00000081, 0, K::Handled},
    {"EECD", 0x00010, 1, 0x4, 0x00000300, 0, K::Handled},
    {"EERD", 0x00014, 1, 0x4, 0x00000000, 0, K::Handled},
    {"CTRL_EXT", 0x00018, 1, 0x4, 0x00000000, 0xFFFFFFFF, K::Plain},
    {"MDIC", 0x00020, 1, 0x4, 0x10000000, 0, K::Handled},
    {"FCAL", 0x00028, 1, 0x4, 0x00000000, 0xFFFFFFFF, K::Plain},
    {"FCAH", 0x0002C, 1, 0x4, 0x00000000, 0x0000FFFF, K::Plain},
    {"FCT", 0x00030, 1, 0x4, 0x00000000, 0x0000FFFF, K::Plain},
    {"CONNSW", 0x00034, 1, 0x4, 0x00000000, 0xFFFFFFFF, K::Plain},
    {"VET", 0x00038, 1, 0x4, 0x81008100, 0xFFFFFFFF, K::Plain},
    {"FCTTV", 0x00170, 1, 0x4, 0x00000000, 0x0000FFFF, K::Plain},
    {"LEDCTL", 0x00E00, 1, 0x4, 0x07068302, 0xFFFFFFFF, K::Plain},
    {"PBA", 0x01000, 1, 0x4, 0x00000040, 0xFFFFFFFF, K::Plain},
    {"EEMNGCTL", 0x01010, 1, 0x4, 0x80000000, 0xFFFFFFFF, K::Plain},
    {"FCRTL", 0x02160, 1, 0x4, 0x00000000, 0xFFFFFFFF, K::Plain},
    {"FCRTH", 0x02168, 1, 0x4, 0x00000000, 0xFFFFFFFF, K::Plain},
    {"RXPBS", 0x02404, 1, 0x4, 0x00000040, 0xFFFFFFFF, K::Plain},
    {"TXPBS", 0x03404, 1, 0x4, 0x00000028, 0xFFFFFFFF, K::Plain},
    {"GCR", 0x05B00, 1, 0x4, 0x00000000, 0xFFFFFFFF, K::Plain},
    {"SWSM", 0x05B50, 1, 0x4, 0x00000000, 0, K::Handled},
    {"FWSM", 0x05B54, 1, 0x4, 0x00000000, 0, K::ReadOnly},
    {"SW_FW_SYNC", 0x05B5C, 1, 0x4, 0x00000000, 0xFFFFFFFF, K::Plain},
    {"WUC", 0x05800, 1, 0x4, 0x00000000, 0xFFFFFFFF, K::Plain},
    {"WUFC", 0x05808, 1, 0x4, 0x00000000, 0xFFFFFFFF, K::Plain},
    {"MANC", 0x05820, 1, 0x4, 0x00000000, 0xFFFFFFFF, K::Plain},
    // Interrupts: datasheet, Interrupt Register Descriptions. ICR/EICR are read-to-clear and write-1-to-clear
    // (handlers); ICS/IMC/EICS/EIMC are write-only commands; IMS bits 0x77D4FBFD are the causes an 82576 has;
    // EITR keeps its interval (14:2) and LLI moderation (15); IVAR entries are 5-bit vectors + valid (bit 7).
    {"ICR", 0x000C0, 1, 0x4, 0x00000000, 0, K::Handled},
    {"ICS", 0x000C8, 1, 0x4, 0x00000000, 0, K::WriteOnly},
    {"IMS", 0x000D0, 1, 0x4, 0x00000000, 0, K::Handled},
    {"IMC", 0x000D8, 1, 0x4, 0x00000000, 0, K::WriteOnly},
    {"IAM", 0x000E0, 1, 0x4, 0x00000000, 0x77D4FBFD, K::Plain},
    {"GPIE", 0x01514, 1, 0x4, 0x00000000, 0, K::Handled},
    {"EICS", 0x01520, 1, 0x4, 0x00000000, 0, K::WriteOnly},
    {"EIMS", 0x01524, 1, 0x4, 0x00000000, 0, K::Handled},
    {"EIMC", 0x01528, 1, 0x4, 0x00000000, 0, K::WriteOnly},
    {"EIAC", 0x0152C, 1, 0x4, 0x00000000, 0x01FFFFFF, K::Plain},
    {"EIAM", 0x01530, 1, 0x4, 0x00000000, 0xC1FFFFFF, K::Plain},
    {"EICR", 0x01580, 1, 0x4, 0x00000000, 0, K::Handled},
    {"EITR", 0x01680, 25, 0x4, 0x00000000, 0x0000FFFC, K::Plain},
    {"IVAR", 0x01700, 8, 0x4, 0x00000000, 0x9F9F9F9F, K::Plain},
    {"IVAR_MISC", 0x01740, 1, 0x4, 0x00000000, 0x00009F9F, K::Plain},
    // Receive: datasheet, Receive Register Descriptions and Filtering Register Descriptions. RXCSUM resets
    // with IPOFLD and TUOFLD on (0x300); RLPML 0x2600; SRRCTL 2 KB packet buffers and 256-byte headers
    // (0x402); RXDCTL/TXDCTL WTHRESH 1 (0x10000); ring base low 16-byte aligned, length a multiple of 128.
    {"RCTL", 0x00100, 1, 0x4, 0x00000000, 0x07FFF3FE, K::Plain},
    {"RXCSUM", 0x05000, 1, 0x4, 0x00000300, 0x000033FF, K::Plain},
    {"RLPML", 0x05004, 1, 0x4, 0x00002600, 0x00003FFF, K::Plain},
    {"RFCTL", 0x05008, 1, 0x4, 0x00000000, 0xFFFFFFFF, K::Plain},
    {"MTA", 0x05200, 128, 0x4, 0x00000000, 0xFFFFFFFF, K::Plain},
    {"RAL", 0x05400, 16, 0x8, 0x00000000, 0xFFFFFFFF, K::Plain},
    {"RAH", 0x05404, 16, 0x8, 0x00000000, 0x83FFFFFF, K::Plain},
    {"RAL16", 0x054E0, 8, 0x8, 0x00000000, 0xFFFFFFFF, K::Plain},
    {"RAH16", 0x054E4, 8, 0x8, 0x00000000, 0x83FFFFFF, K::Plain},
    {"PSRTYPE", 0x05480, 8, 0x4, 0x00000000, 0xFFFFFFFF, K::Plain},
    {"VFTA", 0x05600, 128, 0x4, 0x00000000, 0xFFFFFFFF, K::Plain},
    {"MRQC", 0x05818, 1, 0x4, 0x00000000, 0xFFFFFFFF, K::Plain},
    {"VT_CTL", 0x0581C, 1, 0x4, 0x00000000, 0xFFFFFFFF, K::Plain},
    {"RETA", 0x05C00, 32, 0x4, 0x00000000, 0xFFFFFFFF, K::Plain},
    {"RSSRK", 0x05C80, 10, 0x4, 0x00000000, 0xFFFFFFFF, K::Plain},
    {"RDBAL", 0x0C000, 16, 0x40, 0x00000000, 0xFFFFFFF0, K::Plain},
    {"RDBAH", 0x0C004, 16, 0x40, 0x00000000, 0xFFFFFFFF, K::Plain},
    {"RDLEN", 0x0C008, 16, 0x40, 0x00000000, 0x000FFF80, K::Plain},
    {"SRRCTL", 0x0C00C, 16, 0x40, 0x00000402, 0x8FF00F7F, K::Plain},
    {"RDH", 0x0C010, 16, 0x40, 0x00000000, 0x0000FFFF, K::Plain},
    {"RXCTL", 0x0C014, 16, 0x40, 0x00000000, 0xFFFFFFFF, K::Plain},
    {"RDT", 0x0C018, 16, 0x40, 0x00000000, 0x0000FFFF, K::Plain},
    {"RXDCTL", 0x0C028, 16, 0x40, 0x00010000, 0, K::Handled},
    {"RQDPC", 0x0C030, 16, 0x40, 0x00000000, 0, K::ReadClear},
    // Transmit: datasheet, Transmit Register Descriptions. TCTL 0xA40400F8 (PSP, CT 0xF, COLD 0x40,
    // RTLC, bits 31:28 0xA); TIPG 0x00601008 (IPGT 8, IPGR1 4, IPGR 6); TDWBAL bit 1 is reserved.
    {"TCTL", 0x00400, 1, 0x4, 0xA40400F8, 0, K::Handled},
    {"TCTL_EXT", 0x00404, 1, 0x4, 0x00000000, 0xFFFFFFFF, K::Plain},
    {"TIPG", 0x00410, 1, 0x4, 0x00601008, 0xFFFFFFFF, K::Plain},
    {"DTXCTL", 0x03590, 1, 0x4, 0x00000000, 0xFFFFFFFF, K::Plain},
    {"TDBAL", 0x0E000, 16, 0x40, 0x00000000, 0xFFFFFFF0, K::Plain},
    {"TDBAH", 0x0E004, 16, 0x40, 0x00000000, 0xFFFFFFFF, K::Plain},
    {"TDLEN", 0x0E008, 16, 0x40, 0x00000000, 0x000FFF80, K::Plain},
    {"TDH", 0x0E010, 16, 0x40, 0x00000000, 0x0000FFFF, K::Plain},
    {"TXCTL", 0x0E014, 16, 0x40, 0x00000000, 0xFFFFFFFF, K::Plain},
    {"TDT", 0x0E018, 16, 0x40, 0x00000000, 0, K::Handled},
    {"TXDCTL", 0x0E028, 16, 0x40, 0x00010000, 0, K::Handled},
    {"TDWBAL", 0x0E038, 16, 0x40, 0x00000000, 0xFFFFFFFD, K::Plain},
    {"TDWBAH", 0x0E03C, 16, 0x40, 0x00000000, 0xFFFFFFFF, K::Plain},
    // Statistics: datasheet, Statistics Register Descriptions. All read-to-clear, reset 0.
    {"CRCERRS", 0x04000, 1, 0x4, 0x00000000, 0, K::ReadClear},
    {"ALGNERRC", 0x04004, 1, 0x4, 0x00000000, 0, K::ReadClear},
    {"SYMERRS", 0x04008, 1, 0x4, 0x00000000, 0, K::ReadClear},
    {"RXERRC", 0x0400C, 1, 0x4, 0x00000000, 0, K::ReadClear},
    {"MPC", 0x04010, 1, 0x4, 0x00000000, 0, K::ReadClear},
    {"SCC", 0x04014, 1, 0x4, 0x00000000, 0, K::ReadClear},
    {"ECOL", 0x04018, 1, 0x4, 0x00000000, 0, K::ReadClear},
    {"MCC", 0x0401C, 1, 0x4, 0x00000000, 0, K::ReadClear},
    {"LATECOL", 0x04020, 1, 0x4, 0x00000000, 0, K::ReadClear},
    {"COLC", 0x04028, 1, 0x4, 0x00000000, 0, K::ReadClear},
    {"CBTMPC", 0x0402C, 1, 0x4, 0x00000000, 0, K::ReadClear},
    {"DC", 0x04030, 1, 0x4, 0x00000000, 0, K::ReadClear},
    {"TNCRS", 0x04034, 1, 0x4, 0x00000000, 0, K::ReadClear},
    {"SEC", 0x04038, 1, 0x4, 0x00000000, 0, K::ReadClear},
    {"HTDPMC", 0x0403C, 1, 0x4, 0x00000000, 0, K::ReadClear},
    {"RLEC", 0x04040, 1, 0x4, 0x00000000, 0, K::ReadClear},
    {"XONRXC", 0x04048, 1, 0x4, 0x00000000, 0, K::ReadClear},
    {"XONTXC", 0x0404C, 1, 0x4, 0x00000000, 0, K::ReadClear},
    {"XOFFRXC", 0x04050, 1, 0x4, 0x00000000, 0, K::ReadClear},
    {"XOFFTXC", 0x04054, 1, 0x4, 0x00000000, 0, K::ReadClear},
    {"FCRUC", 0x04058, 1, 0x4, 0x00000000, 0, K::ReadClear},
    {"PRC64", 0x0405C, 1, 0x4, 0x00000000, 0, K::ReadClear},
    {"PRC127", 0x04060, 1, 0x4, 0x00000000, 0, K::ReadClear},
    {"PRC255", 0x04064, 1, 0x4, 0x00000000, 0, K::ReadClear},
    {"PRC511", 0x04068, 1, 0x4, 0x00000000, 0, K::ReadClear},
    {"PRC1023", 0x0406C, 1, 0x4, 0x00000000, 0, K::ReadClear},
    {"PRC1522", 0x04070, 1, 0x4, 0x00000000, 0, K::ReadClear},
    {"GPRC", 0x04074, 1, 0x4, 0x00000000, 0, K::ReadClear},
    {"BPRC", 0x04078, 1, 0x4, 0x00000000, 0, K::ReadClear},
    {"MPRC", 0x0407C, 1, 0x4, 0x00000000, 0, K::ReadClear},
    {"GPTC", 0x04080, 1, 0x4, 0x00000000, 0, K::ReadClear},
    {"GORCL", 0x04088, 1, 0x4, 0x00000000, 0, K::ReadClear},
    {"GORCH", 0x0408C, 1, 0x4, 0x00000000, 0, K::ReadClear},
    {"GOTCL", 0x04090, 1, 0x4, 0x00000000, 0, K::ReadClear},
    {"GOTCH", 0x04094, 1, 0x4, 0x00000000, 0, K::ReadClear},
    {"RNBC", 0x040A0, 1, 0x4, 0x00000000, 0, K::ReadClear},
    {"RUC", 0x040A4, 1, 0x4, 0x00000000, 0, K::ReadClear},
    {"RFC", 0x040A8, 1, 0x4, 0x00000000, 0, K::ReadClear},
    {"ROC", 0x040AC, 1, 0x4, 0x00000000, 0, K::ReadClear},
    {"RJC", 0x040B0, 1, 0x4, 0x00000000, 0, K::ReadClear},
    {"MGTPRC", 0x040B4, 1, 0x4, 0x00000000, 0, K::ReadClear},
    {"MGTPDC", 0x040B8, 1, 0x4, 0x00000000, 0, K::ReadClear},
    {"MGTPTC", 0x040BC, 1, 0x4, 0x00000000, 0, K::ReadClear},
    {"TORL", 0x040C0, 1, 0x4, 0x00000000, 0, K::ReadClear},
    {"TORH", 0x040C4, 1, 0x4, 0x00000000, 0, K::ReadClear},
    {"TOTL", 0x040C8, 1, 0x4, 0x00000000, 0, K::ReadClear},
    {"TOTH", 0x040CC, 1, 0x4, 0x00000000, 0, K::ReadClear},
    {"TPR", 0x040D0, 1, 0x4, 0x00000000, 0, K::ReadClear},
    {"TPT", 0x040D4, 1, 0x4, 0x00000000, 0, K::ReadClear},
    {"PTC64", 0x040D8, 1, 0x4, 0x00000000, 0, K::ReadClear},
    {"PTC127", 0x040DC, 1, 0x4, 0x00000000, 0, K::ReadClear},
    {"PTC255", 0x040E0, 1, 0x4, 0x00000000, 0, K::ReadClear},
    {"PTC511", 0x040E4, 1, 0x4, 0x00000000, 0, K::ReadClear},
    {"PTC1023", 0x040E8, 1, 0x4, 0x00000000, 0, K::ReadClear},
    {"PTC1522", 0x040EC, 1, 0x4, 0x00000000, 0, K::ReadClear},
    {"MPTC", 0x040F0, 1, 0x4, 0x00000000, 0, K::ReadClear},
    {"BPTC", 0x040F4, 1, 0x4, 0x00000000, 0, K::ReadClear},
    {"TSCTC", 0x040F8, 1, 0x4, 0x00000000, 0, K::ReadClear},
    {"TSCTFC", 0x040FC, 1, 0x4, 0x00000000, 0, K::ReadClear},
    {"IAC", 0x04100, 1, 0x4, 0x00000000, 0, K::ReadClear},
    {"RPTHC", 0x04104, 1, 0x4, 0x00000000, 0, K::ReadClear},
    {"HGPTC", 0x04118, 1, 0x4, 0x00000000, 0, K::ReadClear},
    {"HTCBDPC", 0x04124, 1, 0x4, 0x00000000, 0, K::ReadClear},
    {"HGORCL", 0x04128, 1, 0x4, 0x00000000, 0, K::ReadClear},
    {"HGORCH", 0x0412C, 1, 0x4, 0x00000000, 0, K::ReadClear},
    {"HGOTCL", 0x04130, 1, 0x4, 0x00000000, 0, K::ReadClear},
    {"HGOTCH", 0x04134, 1, 0x4, 0x00000000, 0, K::ReadClear},
    {"LENERRS", 0x04138, 1, 0x4, 0x00000000, 0, K::ReadClear},
    {"PQGPRC", 0x10010, 16, 0x100, 0x00000000, 0, K::ReadClear},
    {"PQGPTC", 0x10014, 16, 0x100, 0x00000000, 0, K::ReadClear},
    {"PQGORC", 0x10018, 16, 0x100, 0x00000000, 0, K::ReadClear},
    {"PQGOTC", 0x10034, 16, 0x100, 0x00000000, 0, K::ReadClear},
    {"PQMPRC", 0x10038, 16, 0x100, 0x00000000, 0, K::ReadClear},
};
// clang-format on

// Per-queue registers of queues 0..3 also answer at their 82575-compatible offsets (datasheet, "Register
// Summary": RDBAL0 at 0x2800 and 0xC000, TDBAL0 at 0x3800 and 0xE000, 0x100 apart instead of 0x40).
constexpr u32 kRxAlias = 0x2800, kTxAlias = 0x3800;
constexpr u32 kRxPerQueue = 0xC000, kTxPerQueue = 0xE000;

struct Instance {
    const Expected* expected;
    unsigned index;
    u32 offset;
};

std::vector<Instance> all_instances() {
    std::vector<Instance> out;
    for (const Expected& e : kExpected) {
        for (unsigned i = 0; i < e.count; ++i) {
            out.push_back({&e, i, e.offset + i * e.stride});
            const bool per_queue = e.stride == 0x40 && (e.offset & ~0x3Fu) == kRxPerQueue;
            const bool per_queue_tx = e.stride == 0x40 && (e.offset & ~0x3Fu) == kTxPerQueue;
            if (i < 4 && per_queue) out.push_back({&e, i, kRxAlias + (e.offset & 0x3F) + 0x100 * i});
            if (i < 4 && per_queue_tx) out.push_back({&e, i, kTxAlias + (e.offset & 0x3F) + 0x100 * i});
        }
    }
    return out;
}

std::string describe(const Instance& r) {
    return fmt::format("{}[{}] at {:#07x}", r.expected->name, r.index, r.offset);
}

TEST(IgbRegisterTable, DeclaresExactlyTheDatasheetRegisters) {
    // Same names, offsets and array shapes in the model's table as in kExpected, so that every register
    // the model answers has its expectations written out above.
    std::map<std::string_view, const Expected*> expected;
    for (const Expected& e : kExpected)
        EXPECT_TRUE(expected.emplace(e.name, &e).second) << "duplicate " << e.name;
    size_t seen = 0;
    for (const RegisterSpec& spec : IgbCore::register_table()) {
        auto it = expected.find(spec.name);
        ASSERT_NE(it, expected.end()) << spec.name << " has no expectations in this test";
        EXPECT_EQ(spec.offset, it->second->offset) << spec.name;
        EXPECT_EQ(spec.count, it->second->count) << spec.name;
        if (spec.count > 1) {
            EXPECT_EQ(spec.stride, it->second->stride) << spec.name;
        }
        ++seen;
    }
    EXPECT_EQ(seen, expected.size());
}

TEST(IgbRegisterTable, EveryRegisterReadsItsResetValue) {
    FakeHost host;
    IgbCore core(IgbConfig{}, host);
    std::set<u32> offsets;
    for (const Instance& r : all_instances()) {
        EXPECT_TRUE(offsets.insert(r.offset).second) << describe(r) << " listed twice";
        if (r.offset == RAL0 || r.offset == RAH0) continue; // loaded from the NVM, checked below
        const u32 expected = r.expected->kind == K::WriteOnly ? 0 : r.expected->reset;
        EXPECT_EQ(core.read(r.offset), expected) << describe(r);
    }
    EXPECT_EQ(core.unknown_register_accesses(), 0u);
}

TEST(IgbRegisterTable, RegistersFollowTheirAccessRules) {
    FakeHost host;
    IgbCore core(IgbConfig{}, host);
    for (const Instance& r : all_instances()) {
        const Expected& e = *r.expected;
        const u32 before = core.peek(r.offset);
        switch (e.kind) {
        case K::Plain:
            core.write(r.offset, 0xFFFFFFFF);
            EXPECT_EQ(core.read(r.offset), (before & ~e.writable) | e.writable) << describe(r);
            core.write(r.offset, 0);
            EXPECT_EQ(core.read(r.offset), before & ~e.writable) << describe(r);
            core.write(r.offset, 0xA5A5A5A5);
            EXPECT_EQ(core.read(r.offset), (before & ~e.writable) | (0xA5A5A5A5 & e.writable)) << describe(r);
            break;
        case K::ReadOnly:
            core.write(r.offset, ~before);
            EXPECT_EQ(core.read(r.offset), before) << describe(r);
            break;
        case K::ReadClear:
            core.write(r.offset, 77); // writes are ignored
            EXPECT_EQ(core.peek(r.offset), 0u) << describe(r);
            core.poke(r.offset, 123);
            EXPECT_EQ(core.read(r.offset), 123u) << describe(r);
            EXPECT_EQ(core.read(r.offset), 0u) << describe(r) << " is not clear-on-read";
            break;
        case K::WriteOnly: EXPECT_EQ(core.read(r.offset), 0u) << describe(r); break;
        case K::Handled: break;
        }
    }
}

TEST(IgbRegisters, InterruptMaskAndGpieStoreOnlyTheirDefinedBits) {
    FakeHost host;
    IgbCore core(IgbConfig{}, host);
    core.write(IMS, 0xFFFFFFFF); // datasheet, IMS: the causes an 82576 has
    EXPECT_EQ(core.read(IMS), 0x77D4FBFDu);
    core.write(IMC, 0xFFFFFFFF);
    EXPECT_EQ(core.read(IMS), 0u);
    // GPIE: NSICR (0), Multiple_MSIX (4), LL interval (11:7), EIAME (30), PBA support (31).
    core.write(GPIE, 0xFFFFFFFF);
    EXPECT_EQ(core.read(GPIE), 0xC0000F91u);
    core.write(rxq(1, kQDescCtl), 0xFFFFFFFF & ~kQueueSoftwareFlush); // PTHRESH, HTHRESH, WTHRESH, ENABLE
    EXPECT_EQ(core.read(rxq(1, kQDescCtl)), 0x021F1F1Fu);
}

TEST(IgbRegisterTable, QueueZeroToThreeAnswerAtTheirAliases) {
    FakeHost host;
    IgbCore core(IgbConfig{}, host);
    core.write(0x2800 + 0x100 * 2, 0x12345670); // RDBAL2, 82575-compatible alias
    EXPECT_EQ(core.read(rxq(2, kQBaseLow)), 0x12345670u);
    core.write(txq(3, kQTail), 5);
    EXPECT_EQ(core.read(0x3818 + 0x100 * 3), 5u);
    // Queue 4 has no alias: 0x2800 + 0x400 is not a register.
    EXPECT_EQ(core.read(0x2C00), 0u);
    EXPECT_EQ(core.unknown_register_accesses(), 1u);
}

TEST(IgbRegisters, UnknownOffsetsReadZeroIgnoreWritesAndAreLoggedOnce) {
    FakeHost host;
    IgbCore core(IgbConfig{}, host);
    smpsim::log::logger().reset();
    testing::internal::CaptureStderr();
    EXPECT_EQ(core.read(0x0004), 0u);
    EXPECT_EQ(core.read(0x0004), 0u);
    core.write(0x0004, 0xDEAD);
    EXPECT_EQ(core.read(0x0004), 0u);
    core.write(0x1FFFC, 1);            // last dword of BAR0, unknown
    EXPECT_EQ(core.read(0x20000), 0u); // past BAR0
    EXPECT_EQ(core.read(0x0002), 0u);  // misaligned
    const std::string log = testing::internal::GetCapturedStderr();
    EXPECT_EQ(core.unknown_register_accesses(), 7u);
    // Printed once per cause (read, write), counted every time.
    EXPECT_NE(log.find("igb: unknown register read at 0x00004"), std::string::npos) << log;
    EXPECT_NE(log.find("igb: unknown register write at 0x00004"), std::string::npos) << log;
    EXPECT_EQ(log.find("unknown register", log.find("unknown register write") + 1), std::string::npos)
        << "logged more than once per cause: " << log;
    EXPECT_EQ(smpsim::log::logger().count(smpsim::log::Category::Unimp, "igb unknown register read"), 5u);
    EXPECT_EQ(smpsim::log::logger().count(smpsim::log::Category::Unimp, "igb unknown register write"), 2u);
}

TEST(IgbRegisters, EepromHoldsTheMacAndTheChecksum) {
    FakeHost host;
    IgbCore core(IgbConfig{.mac = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55}}, host);
    auto eerd = [&](u32 word) {
        core.write(EERD, (word << kEerdAddrShift) | kEerdStart);
        const u32 v = core.read(EERD);
        EXPECT_TRUE(v & kEerdDone);
        EXPECT_EQ((v >> kEerdAddrShift) & kEerdAddrMask, word);
        return u16(v >> kEerdDataShift);
    };
    EXPECT_EQ(eerd(0), 0x1102);
    EXPECT_EQ(eerd(1), 0x3322);
    EXPECT_EQ(eerd(2), 0x5544);
    u16 sum = 0;
    for (u32 w = 0; w < 64; ++w)
        sum = u16(sum + eerd(w));
    EXPECT_EQ(sum, 0xBABA);
    EXPECT_EQ(eerd(200), 0xFFFF); // past the image: erased
    // EECD: NVM present, auto-read done, 64-word size field (0).
    EXPECT_EQ(core.read(EECD) & (kEecdPresent | kEecdAutoReadDone), kEecdPresent | kEecdAutoReadDone);
    EXPECT_EQ(core.read(EECD) & 0x7800, 0u);
    // RAL0/RAH0 are loaded from the NVM's MAC, valid.
    EXPECT_EQ(core.read(RAL0), 0x33221102u);
    EXPECT_EQ(core.read(RAH0), 0x5544u | kRahAddressValid);
}

TEST(IgbRegisters, EecdGrantsDirectAccessOnRequest) {
    FakeHost host;
    IgbCore core(IgbConfig{}, host);
    core.write(EECD, core.read(EECD) | kEecdRequest);
    EXPECT_TRUE(core.read(EECD) & kEecdGrant);
    core.write(EECD, core.read(EECD) & ~kEecdRequest);
    EXPECT_FALSE(core.read(EECD) & kEecdGrant);
    EXPECT_TRUE(core.read(EECD) & kEecdPresent);
}

TEST(IgbRegisters, MdicReadsThePhyAndCompletesAtOnce) {
    FakeHost host;
    IgbCore core(IgbConfig{}, host);
    auto phy_read = [&](u32 reg) {
        core.write(MDIC, kMdicOpRead | (1u << kMdicPhyShift) | (reg << kMdicRegShift));
        const u32 v = core.read(MDIC);
        EXPECT_TRUE(v & kMdicReady);
        EXPECT_FALSE(v & kMdicError);
        return u16(v & kMdicDataMask);
    };
    EXPECT_EQ((u32(phy_read(2)) << 16 | (phy_read(3) & 0xFFF0)), 0x02A80390u); // IGP3 PHY ID
    EXPECT_EQ(phy_read(1) & 0x4, 0); // link down before set_link(true)
    core.set_link(true);
    EXPECT_EQ(phy_read(1) & 0x24, 0x24); // link up, autonegotiation complete
    core.write(MDIC, kMdicOpWrite | (1u << kMdicPhyShift) | (4u << kMdicRegShift) | 0x01E1);
    EXPECT_TRUE(core.read(MDIC) & kMdicReady);
    EXPECT_EQ(phy_read(4), 0x01E1);
    core.write(MDIC, kMdicOpWrite | (0u << kMdicRegShift) | 0x9140); // BMCR reset: self-clearing
    EXPECT_EQ(phy_read(0), 0x1140);
    core.write(MDIC, (3u << 26)); // reserved opcode
    EXPECT_TRUE(core.read(MDIC) & kMdicError);
}

TEST(IgbRegisters, StatusReportsLinkSpeedAndDuplex) {
    FakeHost host;
    IgbCore core(IgbConfig{}, host);
    EXPECT_EQ(core.read(STATUS) & kStatusLinkUp, 0u);
    core.set_link(true);
    const u32 status = core.read(STATUS);
    EXPECT_TRUE(status & kStatusLinkUp);
    EXPECT_TRUE(status & kStatusFullDuplex);
    EXPECT_EQ(status & (3u << 6), kStatusSpeed1000);
    EXPECT_TRUE(core.read(ICR) & kIcrLinkStatusChange);
    EXPECT_FALSE(core.read(STATUS) & kStatusGioMasterEnable);
    core.set_bus_master(true);
    EXPECT_TRUE(core.read(STATUS) & kStatusGioMasterEnable);
    core.write(CTRL, core.read(CTRL) | kCtrlGioMasterDisable);
    EXPECT_FALSE(core.read(STATUS) & kStatusGioMasterEnable);
}

TEST(IgbRegisters, CtrlResetSelfClearsAndRestoresResetValues) {
    FakeHost host;
    IgbCore core(IgbConfig{}, host);
    core.set_link(true);
    core.write(IMS, kIcrRxDescWritten);
    core.write(RCTL, kRctlEnable);
    core.write(MTA0 + 8, 0xFFFF);
    core.write(RAL0, 0);
    core.write(CTRL, core.read(CTRL) | kCtrlSetLinkUp | kCtrlReset);
    EXPECT_EQ(core.read(CTRL) & kCtrlReset, 0u);
    EXPECT_EQ(core.read(IMS), 0u);
    EXPECT_EQ(core.read(RCTL), 0u);
    EXPECT_EQ(core.read(MTA0 + 8), 0u);
    EXPECT_EQ(core.read(RAL0), 0x12005452u);        // reloaded from the NVM
    EXPECT_TRUE(core.read(STATUS) & kStatusLinkUp); // the wire did not change
    core.write(CTRL, kCtrlSetLinkUp | kCtrlVlanModeEnable);
    EXPECT_EQ(core.read(CTRL), kCtrlSetLinkUp | kCtrlVlanModeEnable);
}

TEST(IgbRegisters, SoftwareSemaphoreIsTakenByTheFirstRead) {
    FakeHost host;
    IgbCore core(IgbConfig{}, host);
    EXPECT_EQ(core.read(SWSM) & kSwsmSemaphore, 0u); // free: this read took it
    EXPECT_EQ(core.read(SWSM) & kSwsmSemaphore, 1u); // taken
    core.write(SWSM, 0);                             // released
    EXPECT_EQ(core.read(SWSM) & kSwsmSemaphore, 0u);
}

TEST(IgbRegisters, EitrKeepsIntervalAndReadsCountersAsZero) {
    FakeHost host;
    IgbCore core(IgbConfig{}, host);
    core.write(eitr(3), 196 | kEitrCounterIgnore);
    EXPECT_EQ(core.read(eitr(3)), 196u);
    core.write(eitr(24), 0xFFFFFFFF);
    EXPECT_EQ(core.read(eitr(24)), kEitrIntervalMask | kEitrLowLatencyEnable);
}

TEST(IgbRegisters, RxDescCtlEnableReadsBack) {
    FakeHost host;
    IgbCore core(IgbConfig{}, host);
    core.write(rxq(5, kQDescCtl), kQueueEnable | kQueueSoftwareFlush | 0x10);
    EXPECT_EQ(core.read(rxq(5, kQDescCtl)), kQueueEnable | 0x10);
    core.write(txq(5, kQDescCtl), kQueueEnable);
    EXPECT_EQ(core.read(txq(5, kQDescCtl)), kQueueEnable);
}

TEST(IgbRegisters, MulticastMacIsAnInternalError) {
    FakeHost host;
    EXPECT_THROW(IgbCore(IgbConfig{.mac = {0x01, 0, 0x5e, 0, 0, 1}}, host), InternalError);
}

TEST(IgbCrc, MatchesTheCrc32CheckValue) {
    const std::string check = "123456789";
    EXPECT_EQ(ethernet_crc32(std::span<const u8>(reinterpret_cast<const u8*>(check.data()), check.size())),
              0xCBF43926u);
    EXPECT_EQ(ethernet_crc32({}), 0u);
}

} // namespace
} // namespace smpsim::igb::test
