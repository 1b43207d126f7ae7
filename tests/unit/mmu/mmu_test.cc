// Unit tests of the MMU: page walks in every format and page size, #PF error codes, A/D updates, TLBs.
// A fake MemoryPort over a byte vector holds hand-built page tables and logs every access.
#include "sim/mmu/paging.h"

#include "sim/core/error.h"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

namespace smpsim::mmu {
namespace {

// Short names for the paging-entry bits of paging.h.
constexpr u64 P = kEntP, RW = kEntRw, US = kEntUs, A = kEntA, D = kEntD, PS = kEntPs, G = kEntG, XD = kEntXd;
constexpr u64 PAT_LARGE = 1ull << 12; // PAT bit of a large-page entry
constexpr u64 URW = P | RW | US;

constexpr u32 kLatency = 7;

struct AccessRecord {
    bool write;
    u64 paddr;
    u32 size;
    AccessKind kind;
};

class FakeMemory final : public MemoryPort {
  public:
    explicit FakeMemory(std::size_t size = 8u << 20) : bytes_(size) {}

    MemoryResult read(u64 paddr, void* dst, u32 size, AccessKind kind) override {
        log.push_back({false, paddr, size, kind});
        if (!in_range(paddr, size)) return {false, kLatency};
        std::memcpy(dst, bytes_.data() + paddr, size);
        return {true, kLatency};
    }
    MemoryResult write(u64 paddr, const void* src, u32 size, AccessKind kind) override {
        log.push_back({true, paddr, size, kind});
        if (!in_range(paddr, size)) return {false, kLatency};
        std::memcpy(bytes_.data() + paddr, src, size);
        return {true, kLatency};
    }

    u64 get64(u64 paddr) const {
        u64 v;
        std::memcpy(&v, bytes_.data() + paddr, 8);
        return v;
    }
    u32 get32(u64 paddr) const {
        u32 v;
        std::memcpy(&v, bytes_.data() + paddr, 4);
        return v;
    }
    void set64(u64 paddr, u64 v) { std::memcpy(bytes_.data() + paddr, &v, 8); }
    void set32(u64 paddr, u32 v) { std::memcpy(bytes_.data() + paddr, &v, 4); }

    std::size_t writes() const {
        std::size_t n = 0;
        for (const AccessRecord& r : log)
            n += r.write;
        return n;
    }

    std::vector<AccessRecord> log;

  private:
    bool in_range(u64 paddr, u32 size) const {
        return paddr <= bytes_.size() && size <= bytes_.size() - paddr;
    }
    std::vector<u8> bytes_;
};

constexpr AccessRequest kSupRead{Access::Read, false};
constexpr AccessRequest kSupWrite{Access::Write, false};
constexpr AccessRequest kSupFetch{Access::Execute, false};
constexpr AccessRequest kUserRead{Access::Read, true};
constexpr AccessRequest kUserWrite{Access::Write, true};
constexpr AccessRequest kUserFetch{Access::Execute, true};

// ---------------------------------------------------------------------------------------------------
// 4-level paging. The linear address uses a different, non-zero index at every level.

constexpr u64 kLin = (3ull << 39) | (5ull << 30) | (7ull << 21) | (9ull << 12) | 0x123;
constexpr u64 kPml4 = 0x1000, kPdpt = 0x2000, kPd = 0x3000, kPt = 0x4000;
constexpr u64 kPml4e = kPml4 + 3 * 8, kPdpte = kPdpt + 5 * 8, kPde = kPd + 7 * 8, kPte = kPt + 9 * 8;
constexpr u64 kEntries4[4] = {kPml4e, kPdpte, kPde, kPte};
constexpr u64 kFrame = 0xabc000;

PagingRegs long_regs(bool nxe = true, bool wp = true, bool pge = false) {
    PagingRegs r;
    r.cr0 = kCr0Pe | kCr0Pg | (wp ? kCr0Wp : 0);
    r.cr3 = kPml4;
    r.cr4 = kCr4Pae | (pge ? kCr4Pge : 0);
    r.efer = kEferLme | kEferLma | (nxe ? kEferNxe : 0);
    return r;
}

class FourLevel : public testing::Test {
  protected:
    // Maps kLin to kFrame with 4K pages; `flags` go into every level.
    void map4k(u64 flags = URW, u64 leaf_extra = 0) {
        mem.set64(kPml4e, kPdpt | flags);
        mem.set64(kPdpte, kPd | flags);
        mem.set64(kPde, kPt | flags);
        mem.set64(kPte, kFrame | flags | leaf_extra);
    }
    TranslateResult walk(const AccessRequest& req, const PagingRegs& regs = long_regs(), u64 linear = kLin) {
        mem.log.clear();
        return walker.walk(linear, req, regs, &filled);
    }

    FakeMemory mem;
    PageWalker walker{mem};
    Translation filled;
};

TEST_F(FourLevel, Walks4KPageThroughAllFourLevels) {
    map4k();
    const TranslateResult r = walk(kSupRead);
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(r.physical, kFrame + 0x123);
    EXPECT_EQ(filled.page_size, 4096u);
    EXPECT_EQ(filled.linear_page, kLin & ~0xfffull);
    EXPECT_EQ(filled.physical_page, kFrame);
    EXPECT_TRUE(filled.writable);
    EXPECT_TRUE(filled.user);
    EXPECT_TRUE(filled.executable);
    EXPECT_FALSE(filled.global);
    EXPECT_FALSE(filled.dirty);
}

TEST_F(FourLevel, Walks2MPageFromPdeWithPs) {
    map4k();
    mem.set64(kPde, 0x600000 | URW | PS);
    const TranslateResult r = walk(kSupRead);
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(r.physical, 0x600000 + (kLin & 0x1fffff));
    EXPECT_EQ(filled.page_size, 2ull << 20);
    EXPECT_EQ(filled.linear_page, kLin & ~0x1fffffull);
    EXPECT_EQ(filled.physical_page, 0x600000u);
}

TEST_F(FourLevel, Walks1GPageFromPdpteWithPs) {
    map4k();
    mem.set64(kPdpte, 0x40000000 | URW | PS);
    const TranslateResult r = walk(kSupRead);
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(r.physical, 0x40000000 + (kLin & 0x3fffffff));
    EXPECT_EQ(filled.page_size, 1ull << 30);
    EXPECT_EQ(filled.linear_page, kLin & ~0x3fffffffull);
    // Only PML4E and PDPTE were read.
    EXPECT_EQ(mem.log[0].paddr, kPml4e);
    EXPECT_EQ(mem.log[1].paddr, kPdpte);
    ASSERT_EQ(mem.log.size(), 4u);
    EXPECT_TRUE(mem.log[2].write);
}

TEST_F(FourLevel, PatBitOfLargePagesIsNotPartOfTheAddress) {
    map4k();
    mem.set64(kPde, 0x600000 | PAT_LARGE | URW | PS);
    TranslateResult r = walk(kSupRead);
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(r.physical, 0x600000 + (kLin & 0x1fffff));

    mem.set64(kPdpte, 0x40000000 | PAT_LARGE | URW | PS);
    r = walk(kSupRead);
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(r.physical, 0x40000000 + (kLin & 0x3fffffff));
}

TEST_F(FourLevel, PhysicalAddressUsesBitsUpToMaxPhysAddr) {
    static_assert(kMaxPhysAddrBits == 40);
    map4k();
    mem.set64(kPte, 0xfffffff000ull | URW);
    const TranslateResult r = walk(kSupRead);
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(r.physical, 0xfffffff123ull);
}

TEST_F(FourLevel, Bits52To62AreIgnored) {
    map4k();
    mem.set64(kPte, kFrame | URW | (0x7ffull << 52));
    const TranslateResult r = walk(kSupRead);
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(r.physical, kFrame + 0x123);
}

TEST_F(FourLevel, WalkReadsEachLevelWith8BytePageWalkAccessesAndSumsLatency) {
    map4k();
    const TranslateResult r = walk(kSupRead);
    ASSERT_TRUE(r.ok);
    ASSERT_EQ(mem.log.size(), 8u); // 4 reads + 4 A-bit updates
    for (unsigned i = 0; i < 4; ++i) {
        EXPECT_FALSE(mem.log[i].write);
        EXPECT_EQ(mem.log[i].paddr, kEntries4[i]);
        EXPECT_EQ(mem.log[i].size, 8u);
        EXPECT_EQ(mem.log[i].kind, AccessKind::PageWalk);
        EXPECT_TRUE(mem.log[4 + i].write);
        EXPECT_EQ(mem.log[4 + i].paddr, kEntries4[i]);
        EXPECT_EQ(mem.log[4 + i].size, 8u);
        EXPECT_EQ(mem.log[4 + i].kind, AccessKind::PageWalk);
    }
    EXPECT_EQ(r.latency_cycles, 8 * kLatency);
}

TEST_F(FourLevel, ReadWalkSetsAccessedAtEveryLevelButNotDirty) {
    map4k();
    ASSERT_TRUE(walk(kSupRead).ok);
    EXPECT_EQ(mem.get64(kPml4e), kPdpt | URW | A);
    EXPECT_EQ(mem.get64(kPdpte), kPd | URW | A);
    EXPECT_EQ(mem.get64(kPde), kPt | URW | A);
    EXPECT_EQ(mem.get64(kPte), kFrame | URW | A);
    EXPECT_FALSE(filled.dirty);
}

TEST_F(FourLevel, WriteWalkSetsDirtyInLeafOnly) {
    map4k();
    ASSERT_TRUE(walk(kSupWrite).ok);
    EXPECT_EQ(mem.get64(kPml4e), kPdpt | URW | A);
    EXPECT_EQ(mem.get64(kPdpte), kPd | URW | A);
    EXPECT_EQ(mem.get64(kPde), kPt | URW | A);
    EXPECT_EQ(mem.get64(kPte), kFrame | URW | A | D);
    EXPECT_TRUE(filled.dirty);
}

TEST_F(FourLevel, WriteWalkSetsDirtyInLargePageLeaves) {
    map4k();
    mem.set64(kPde, 0x600000 | URW | PS);
    ASSERT_TRUE(walk(kSupWrite).ok);
    EXPECT_EQ(mem.get64(kPdpte), kPd | URW | A);
    EXPECT_EQ(mem.get64(kPde), 0x600000 | URW | PS | A | D);

    mem.set64(kPdpte, 0x40000000 | URW | PS);
    ASSERT_TRUE(walk(kSupWrite).ok);
    EXPECT_EQ(mem.get64(kPml4e), kPdpt | URW | A);
    EXPECT_EQ(mem.get64(kPdpte), 0x40000000 | URW | PS | A | D);
}

TEST_F(FourLevel, EntriesWithAccessedAndDirtyAlreadySetAreNotRewritten) {
    map4k(URW | A, D);
    const TranslateResult r = walk(kSupWrite);
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(mem.writes(), 0u);
    EXPECT_EQ(r.latency_cycles, 4 * kLatency);
    EXPECT_TRUE(filled.dirty);
}

TEST_F(FourLevel, ReadWalkReportsDirtyAlreadySetInLeaf) {
    map4k(URW, D);
    ASSERT_TRUE(walk(kSupRead).ok);
    EXPECT_TRUE(filled.dirty);
}

TEST_F(FourLevel, NotPresentAtEachLevelFaultsWithPresentBitClear) {
    for (unsigned level = 0; level < 4; ++level) {
        SCOPED_TRACE(level);
        map4k();
        mem.set64(kEntries4[level], mem.get64(kEntries4[level]) & ~P);
        TranslateResult r = walk(kSupRead);
        ASSERT_FALSE(r.ok);
        EXPECT_EQ(r.fault.linear, kLin);
        EXPECT_EQ(r.fault.error_code, 0u);
        EXPECT_EQ(r.latency_cycles, (level + 1) * kLatency);

        r = walk(kUserWrite);
        ASSERT_FALSE(r.ok);
        EXPECT_EQ(r.fault.error_code, kPfWrite | kPfUser);

        r = walk(kUserFetch);
        ASSERT_FALSE(r.ok);
        EXPECT_EQ(r.fault.error_code, kPfUser | kPfFetch);
        EXPECT_EQ(mem.writes(), 0u);
    }
}

TEST_F(FourLevel, NotPresentFetchReportsIdBitOnlyWithNxe) {
    mem.set64(kPml4e, 0);
    TranslateResult r = walk(kSupFetch, long_regs(/*nxe=*/true));
    ASSERT_FALSE(r.ok);
    EXPECT_EQ(r.fault.error_code, kPfFetch);
    r = walk(kSupFetch, long_regs(/*nxe=*/false));
    ASSERT_FALSE(r.ok);
    EXPECT_EQ(r.fault.error_code, 0u);
}

TEST_F(FourLevel, ReservedBitAboveMaxPhysAddrAtEachLevelFaultsWithRsvd) {
    for (unsigned level = 0; level < 4; ++level) {
        SCOPED_TRACE(level);
        map4k();
        mem.set64(kEntries4[level], mem.get64(kEntries4[level]) | (1ull << kMaxPhysAddrBits));
        TranslateResult r = walk(kSupRead);
        ASSERT_FALSE(r.ok);
        EXPECT_EQ(r.fault.error_code, kPfPresent | kPfReservedBit);
        r = walk(kUserWrite);
        ASSERT_FALSE(r.ok);
        EXPECT_EQ(r.fault.error_code, kPfPresent | kPfReservedBit | kPfWrite | kPfUser);
        EXPECT_EQ(mem.writes(), 0u);
        // Bit 51 is the highest reserved address bit.
        map4k();
        mem.set64(kEntries4[level], mem.get64(kEntries4[level]) | (1ull << 51));
        r = walk(kSupRead);
        ASSERT_FALSE(r.ok);
        EXPECT_EQ(r.fault.error_code, kPfPresent | kPfReservedBit);
    }
}

TEST_F(FourLevel, ReservedBitFaultStopsTheWalkBeforeLowerLevels) {
    map4k();
    mem.set64(kPdpte, mem.get64(kPdpte) | (1ull << 45));
    mem.set64(kPde, 0); // not present, but never reached
    const TranslateResult r = walk(kSupRead);
    ASSERT_FALSE(r.ok);
    EXPECT_EQ(r.fault.error_code, kPfPresent | kPfReservedBit);
    EXPECT_EQ(mem.log.size(), 2u);
}

TEST_F(FourLevel, ReservedFetchFaultReportsIdBitWithNxe) {
    map4k();
    mem.set64(kPte, mem.get64(kPte) | (1ull << 47));
    const TranslateResult r = walk(kUserFetch);
    ASSERT_FALSE(r.ok);
    EXPECT_EQ(r.fault.error_code, kPfPresent | kPfReservedBit | kPfUser | kPfFetch);
}

TEST_F(FourLevel, PsInPml4eIsReserved) {
    map4k();
    mem.set64(kPml4e, kPdpt | URW | PS);
    const TranslateResult r = walk(kSupRead);
    ASSERT_FALSE(r.ok);
    EXPECT_EQ(r.fault.error_code, kPfPresent | kPfReservedBit);
}

TEST_F(FourLevel, BitsBetweenPatAndFrameOf2MPageAreReserved) {
    for (unsigned bit : {13u, 16u, 20u}) {
        SCOPED_TRACE(bit);
        map4k();
        mem.set64(kPde, 0x600000 | URW | PS | (1ull << bit));
        const TranslateResult r = walk(kSupRead);
        ASSERT_FALSE(r.ok);
        EXPECT_EQ(r.fault.error_code, kPfPresent | kPfReservedBit);
    }
}

TEST_F(FourLevel, BitsBetweenPatAndFrameOf1GPageAreReserved) {
    for (unsigned bit : {13u, 21u, 29u}) {
        SCOPED_TRACE(bit);
        map4k();
        mem.set64(kPdpte, 0x40000000 | URW | PS | (1ull << bit));
        const TranslateResult r = walk(kSupRead);
        ASSERT_FALSE(r.ok);
        EXPECT_EQ(r.fault.error_code, kPfPresent | kPfReservedBit);
    }
}

TEST_F(FourLevel, LowAddressBitsOfNonLeafEntriesAreNotReserved) {
    // Bits 20:13 of a PDE that points to a page table are address bits.
    map4k();
    mem.set64(kPde, 0x1fe000 | URW);
    mem.set64(0x1fe000 + 9 * 8, kFrame | URW);
    const TranslateResult r = walk(kSupRead);
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(r.physical, kFrame + 0x123);
}

TEST_F(FourLevel, XdIsReservedWithoutNxe) {
    for (unsigned level = 0; level < 4; ++level) {
        SCOPED_TRACE(level);
        map4k();
        mem.set64(kEntries4[level], mem.get64(kEntries4[level]) | XD);
        TranslateResult r = walk(kSupRead, long_regs(/*nxe=*/false));
        ASSERT_FALSE(r.ok);
        EXPECT_EQ(r.fault.error_code, kPfPresent | kPfReservedBit);
        r = walk(kSupRead, long_regs(/*nxe=*/true));
        EXPECT_TRUE(r.ok);
    }
}

TEST_F(FourLevel, FetchFromXdPageFaultsWithNxeAtAnyLevel) {
    for (unsigned level = 0; level < 4; ++level) {
        SCOPED_TRACE(level);
        map4k();
        mem.set64(kEntries4[level], mem.get64(kEntries4[level]) | XD);
        TranslateResult r = walk(kSupFetch);
        ASSERT_FALSE(r.ok);
        EXPECT_EQ(r.fault.error_code, kPfPresent | kPfFetch);
        r = walk(kUserFetch);
        ASSERT_FALSE(r.ok);
        EXPECT_EQ(r.fault.error_code, kPfPresent | kPfUser | kPfFetch);
        EXPECT_EQ(mem.writes(), 0u);
        // Data accesses to the page are fine.
        r = walk(kUserWrite);
        EXPECT_TRUE(r.ok);
        EXPECT_FALSE(filled.executable);
    }
}

TEST_F(FourLevel, ReadOnlyAtAnyLevelMakesThePageReadOnly) {
    for (unsigned level = 0; level < 4; ++level) {
        SCOPED_TRACE(level);
        map4k();
        mem.set64(kEntries4[level], mem.get64(kEntries4[level]) & ~RW);
        TranslateResult r = walk(kSupRead);
        ASSERT_TRUE(r.ok);
        EXPECT_FALSE(filled.writable);
        EXPECT_TRUE(filled.user);
        r = walk(kUserWrite);
        ASSERT_FALSE(r.ok);
        EXPECT_EQ(r.fault.error_code, kPfPresent | kPfWrite | kPfUser);
    }
}

TEST_F(FourLevel, SupervisorAtAnyLevelMakesThePageSupervisor) {
    for (unsigned level = 0; level < 4; ++level) {
        SCOPED_TRACE(level);
        map4k();
        mem.set64(kEntries4[level], mem.get64(kEntries4[level]) & ~US);
        TranslateResult r = walk(kSupWrite);
        ASSERT_TRUE(r.ok);
        EXPECT_FALSE(filled.user);
        EXPECT_TRUE(filled.writable);
        r = walk(kUserRead);
        ASSERT_FALSE(r.ok);
        EXPECT_EQ(r.fault.error_code, kPfPresent | kPfUser);
    }
}

TEST_F(FourLevel, SupervisorWriteToReadOnlyPageFaultsOnlyWithCr0Wp) {
    map4k();
    mem.set64(kPte, kFrame | P | US);
    TranslateResult r = walk(kSupWrite, long_regs(true, /*wp=*/true));
    ASSERT_FALSE(r.ok);
    EXPECT_EQ(r.fault.error_code, kPfPresent | kPfWrite);
    EXPECT_EQ(mem.writes(), 0u);

    r = walk(kSupWrite, long_regs(true, /*wp=*/false));
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(r.physical, kFrame + 0x123);
    EXPECT_EQ(mem.get64(kPte), kFrame | P | US | A | D);
}

TEST_F(FourLevel, UserWriteToReadOnlyPageFaultsRegardlessOfCr0Wp) {
    map4k();
    mem.set64(kPte, kFrame | P | US);
    for (bool wp : {false, true}) {
        const TranslateResult r = walk(kUserWrite, long_regs(true, wp));
        ASSERT_FALSE(r.ok);
        EXPECT_EQ(r.fault.error_code, kPfPresent | kPfWrite | kPfUser);
    }
}

TEST_F(FourLevel, UserAccessToSupervisorPageFaults) {
    map4k();
    mem.set64(kPte, kFrame | P | RW);
    TranslateResult r = walk(kUserRead);
    ASSERT_FALSE(r.ok);
    EXPECT_EQ(r.fault.error_code, kPfPresent | kPfUser);
    r = walk(kUserWrite);
    ASSERT_FALSE(r.ok);
    EXPECT_EQ(r.fault.error_code, kPfPresent | kPfWrite | kPfUser);
    r = walk(kUserFetch);
    ASSERT_FALSE(r.ok);
    EXPECT_EQ(r.fault.error_code, kPfPresent | kPfUser | kPfFetch);
}

TEST_F(FourLevel, SupervisorMayReadWriteAndFetchUserPages) {
    map4k();
    EXPECT_TRUE(walk(kSupRead).ok);
    EXPECT_TRUE(walk(kSupWrite).ok);
    EXPECT_TRUE(walk(kSupFetch).ok); // SMEP is not modelled
}

TEST_F(FourLevel, FaultingWalkLeavesAccessedAndDirtyBitsAlone) {
    map4k();
    mem.set64(kPte, kFrame | P | RW); // supervisor page
    const TranslateResult r = walk(kUserWrite);
    ASSERT_FALSE(r.ok);
    EXPECT_EQ(mem.writes(), 0u);
    EXPECT_EQ(mem.get64(kPml4e), kPdpt | URW);
    EXPECT_EQ(mem.get64(kPte), kFrame | P | RW);
}

TEST_F(FourLevel, GlobalComesFromLeafGBitOnlyWithCr4Pge) {
    map4k(URW, G);
    ASSERT_TRUE(walk(kSupRead, long_regs(true, true, /*pge=*/true)).ok);
    EXPECT_TRUE(filled.global);
    ASSERT_TRUE(walk(kSupRead, long_regs(true, true, /*pge=*/false)).ok);
    EXPECT_FALSE(filled.global);
    // G in a non-leaf entry does not make the translation global.
    map4k(URW | G);
    mem.set64(kPte, kFrame | URW);
    ASSERT_TRUE(walk(kSupRead, long_regs(true, true, true)).ok);
    EXPECT_FALSE(filled.global);
}

TEST_F(FourLevel, UnansweredTableReadReadsAllOnesAndFaultsWithRsvd) {
    map4k();
    PagingRegs regs = long_regs();
    regs.cr3 = 0x80000000; // beyond the fake RAM
    const TranslateResult r = walk(kSupRead, regs);
    ASSERT_FALSE(r.ok);
    EXPECT_EQ(r.fault.error_code, kPfPresent | kPfReservedBit);
}

TEST_F(FourLevel, PagingDisabledWalkIsIdentity) {
    PagingRegs regs = long_regs();
    regs.cr0 &= ~kCr0Pg;
    const TranslateResult r = walk(kUserWrite, regs, 0x12345678);
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(r.physical, 0x12345678u);
    EXPECT_EQ(r.latency_cycles, 0u);
    EXPECT_TRUE(mem.log.empty());
}

// ---------------------------------------------------------------------------------------------------
// PAE paging. CR3 is 32-byte aligned but not page aligned.

constexpr u64 kPaeCr3 = 0x5020;
constexpr u64 kPaeLin = (2ull << 30) | (7ull << 21) | (9ull << 12) | 0x123;
constexpr u64 kPaePdpte = kPaeCr3 + 2 * 8, kPaePd = 0x6000, kPaePt = 0x7000;
constexpr u64 kPaePde = kPaePd + 7 * 8, kPaePte = kPaePt + 9 * 8;

PagingRegs pae_regs(bool nxe = true) {
    PagingRegs r;
    r.cr0 = kCr0Pe | kCr0Pg | kCr0Wp;
    r.cr3 = kPaeCr3;
    r.cr4 = kCr4Pae;
    r.efer = nxe ? kEferNxe : 0;
    return r;
}

class Pae : public testing::Test {
  protected:
    void map4k() {
        mem.set64(kPaePdpte, kPaePd | P);
        mem.set64(kPaePde, kPaePt | URW);
        mem.set64(kPaePte, kFrame | URW);
    }
    TranslateResult walk(const AccessRequest& req, const PagingRegs& regs = pae_regs(),
                         u64 linear = kPaeLin) {
        mem.log.clear();
        return walker.walk(linear, req, regs, &filled);
    }
    FakeMemory mem;
    PageWalker walker{mem};
    Translation filled;
};

TEST_F(Pae, Walks4KPageThroughPdptFromCr3Bits31To5) {
    map4k();
    const TranslateResult r = walk(kSupRead);
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(r.physical, kFrame + 0x123);
    EXPECT_EQ(filled.page_size, 4096u);
    ASSERT_EQ(mem.log.size(), 5u); // 3 reads + A in PDE and PTE
    EXPECT_EQ(mem.log[0].paddr, kPaePdpte);
    EXPECT_EQ(mem.log[0].size, 8u);
    EXPECT_EQ(r.latency_cycles, 5 * kLatency);
}

TEST_F(Pae, Walks2MPageFromPdeWithPs) {
    map4k();
    mem.set64(kPaePde, 0xe00000 | URW | PS);
    const TranslateResult r = walk(kSupRead);
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(r.physical, 0xe00000 + (kPaeLin & 0x1fffff));
    EXPECT_EQ(filled.page_size, 2ull << 20);
    EXPECT_EQ(filled.linear_page, kPaeLin & ~0x1fffffull);
}

TEST_F(Pae, LargePagesDoNotNeedCr4Pse) {
    map4k();
    mem.set64(kPaePde, 0xe00000 | URW | PS);
    PagingRegs regs = pae_regs();
    regs.cr4 &= ~kCr4Pse;
    EXPECT_TRUE(walk(kSupRead, regs).ok);
    EXPECT_EQ(filled.page_size, 2ull << 20);
}

TEST_F(Pae, ReadWalkSetsAccessedInPdeAndPteButNotInPdpte) {
    map4k();
    ASSERT_TRUE(walk(kSupWrite).ok);
    EXPECT_EQ(mem.get64(kPaePdpte), kPaePd | P);
    EXPECT_EQ(mem.get64(kPaePde), kPaePt | URW | A);
    EXPECT_EQ(mem.get64(kPaePte), kFrame | URW | A | D);
}

TEST_F(Pae, NotPresentAtEachLevelFaults) {
    for (u64 entry : {kPaePdpte, kPaePde, kPaePte}) {
        SCOPED_TRACE(entry);
        map4k();
        mem.set64(entry, mem.get64(entry) & ~P);
        TranslateResult r = walk(kUserWrite);
        ASSERT_FALSE(r.ok);
        EXPECT_EQ(r.fault.error_code, kPfWrite | kPfUser);
        r = walk(kSupFetch);
        ASSERT_FALSE(r.ok);
        EXPECT_EQ(r.fault.error_code, kPfFetch);
        r = walk(kSupFetch, pae_regs(/*nxe=*/false));
        ASSERT_FALSE(r.ok);
        EXPECT_EQ(r.fault.error_code, 0u);
    }
}

TEST_F(Pae, PdpteReservedBitsFaultWithRsvd) {
    for (unsigned bit : {1u, 2u, 5u, 6u, 7u, 8u, kMaxPhysAddrBits, 62u, 63u}) {
        SCOPED_TRACE(bit);
        map4k();
        mem.set64(kPaePdpte, kPaePd | P | (1ull << bit));
        const TranslateResult r = walk(kSupRead);
        ASSERT_FALSE(r.ok);
        EXPECT_EQ(r.fault.error_code, kPfPresent | kPfReservedBit);
    }
}

TEST_F(Pae, Bits62ToMaxPhysAddrOfPdeAndPteAreReserved) {
    for (u64 entry : {kPaePde, kPaePte}) {
        for (unsigned bit : {kMaxPhysAddrBits, 52u, 62u}) {
            SCOPED_TRACE(bit);
            map4k();
            mem.set64(entry, mem.get64(entry) | (1ull << bit));
            const TranslateResult r = walk(kSupRead);
            ASSERT_FALSE(r.ok);
            EXPECT_EQ(r.fault.error_code, kPfPresent | kPfReservedBit);
        }
    }
}

TEST_F(Pae, BitsBetweenPatAndFrameOf2MPageAreReserved) {
    map4k();
    mem.set64(kPaePde, 0xe00000 | URW | PS | PAT_LARGE);
    ASSERT_TRUE(walk(kSupRead).ok);
    mem.set64(kPaePde, 0xe00000 | URW | PS | (1ull << 13));
    const TranslateResult r = walk(kSupRead);
    ASSERT_FALSE(r.ok);
    EXPECT_EQ(r.fault.error_code, kPfPresent | kPfReservedBit);
}

TEST_F(Pae, XdIsReservedWithoutNxeAndForbidsFetchWithNxe) {
    map4k();
    mem.set64(kPaePte, kFrame | URW | XD);
    TranslateResult r = walk(kSupRead, pae_regs(/*nxe=*/false));
    ASSERT_FALSE(r.ok);
    EXPECT_EQ(r.fault.error_code, kPfPresent | kPfReservedBit);
    r = walk(kUserFetch, pae_regs(/*nxe=*/true));
    ASSERT_FALSE(r.ok);
    EXPECT_EQ(r.fault.error_code, kPfPresent | kPfUser | kPfFetch);
    EXPECT_TRUE(walk(kUserRead, pae_regs(true)).ok);
}

TEST_F(Pae, UsesOnlyTheLow32BitsOfTheLinearAddress) {
    map4k();
    const TranslateResult r = walk(kSupRead, pae_regs(), kPaeLin | (0xffull << 32));
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(r.physical, kFrame + 0x123);
}

// ---------------------------------------------------------------------------------------------------
// 32-bit paging.

constexpr u64 kCr3_32 = 0x8000;
constexpr u64 kLin32 = (0x2a5ull << 22) | (0x1c3ull << 12) | 0x123;
constexpr u64 kPde32 = kCr3_32 + 0x2a5 * 4, kPt32 = 0x9000, kPte32 = kPt32 + 0x1c3 * 4;

PagingRegs regs32(bool pse = true, bool wp = true) {
    PagingRegs r;
    r.cr0 = kCr0Pe | kCr0Pg | (wp ? kCr0Wp : 0);
    r.cr3 = kCr3_32;
    r.cr4 = pse ? kCr4Pse : 0;
    return r;
}

class Paging32 : public testing::Test {
  protected:
    void map4k() {
        mem.set32(kPde32, kPt32 | URW);
        mem.set32(kPte32, kFrame | URW);
    }
    TranslateResult walk(const AccessRequest& req, const PagingRegs& regs = regs32(), u64 linear = kLin32) {
        mem.log.clear();
        return walker.walk(linear, req, regs, &filled);
    }
    FakeMemory mem;
    PageWalker walker{mem};
    Translation filled;
};

TEST_F(Paging32, Walks4KPageWith4ByteEntries) {
    map4k();
    const TranslateResult r = walk(kSupRead);
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(r.physical, kFrame + 0x123);
    EXPECT_EQ(filled.page_size, 4096u);
    EXPECT_EQ(filled.linear_page, kLin32 & ~0xfffull);
    ASSERT_EQ(mem.log.size(), 4u);
    EXPECT_EQ(mem.log[0].paddr, kPde32);
    EXPECT_EQ(mem.log[1].paddr, kPte32);
    for (const AccessRecord& a : mem.log) {
        EXPECT_EQ(a.size, 4u);
        EXPECT_EQ(a.kind, AccessKind::PageWalk);
    }
    EXPECT_EQ(r.latency_cycles, 4 * kLatency);
}

TEST_F(Paging32, Walks4MPageWithPdePsAndCr4Pse) {
    mem.set32(kPde32, 0xc00000 | URW | PS);
    const TranslateResult r = walk(kSupRead);
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(r.physical, 0xc00000 + (kLin32 & 0x3fffff));
    EXPECT_EQ(filled.page_size, 4ull << 20);
    EXPECT_EQ(filled.linear_page, kLin32 & ~0x3fffffull);
    EXPECT_EQ(mem.log.size(), 2u); // PDE read + A update
}

TEST_F(Paging32, FourMegPagePdeBits13To20AreAddressBits32To39) {
    mem.set32(kPde32, 0xc00000 | (0xabu << 13) | URW | PS);
    const TranslateResult r = walk(kSupRead);
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(r.physical, (0xabull << 32) + 0xc00000 + (kLin32 & 0x3fffff));
}

TEST_F(Paging32, FourMegPagePdeBit21IsReserved) {
    mem.set32(kPde32, 0xc00000 | (1u << 21) | URW | PS);
    TranslateResult r = walk(kUserWrite);
    ASSERT_FALSE(r.ok);
    EXPECT_EQ(r.fault.error_code, kPfPresent | kPfReservedBit | kPfWrite | kPfUser);
}

TEST_F(Paging32, PdePsIsIgnoredWithoutCr4Pse) {
    map4k();
    mem.set32(kPde32, kPt32 | URW | PS);
    const TranslateResult r = walk(kSupRead, regs32(/*pse=*/false));
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(r.physical, kFrame + 0x123);
    EXPECT_EQ(filled.page_size, 4096u);
}

TEST_F(Paging32, AccessedSetInPdeAndPteDirtyOnlyInPte) {
    map4k();
    ASSERT_TRUE(walk(kSupRead).ok);
    EXPECT_EQ(mem.get32(kPde32), kPt32 | URW | A);
    EXPECT_EQ(mem.get32(kPte32), kFrame | URW | A);
    ASSERT_TRUE(walk(kSupWrite).ok);
    EXPECT_EQ(mem.get32(kPde32), kPt32 | URW | A);
    EXPECT_EQ(mem.get32(kPte32), kFrame | URW | A | D);
    ASSERT_EQ(mem.log.size(), 3u); // 2 reads + D update
    EXPECT_TRUE(mem.log[2].write);
    EXPECT_EQ(mem.log[2].size, 4u);
    // The neighbouring entry is not clobbered by the 4-byte write.
    EXPECT_EQ(mem.get32(kPte32 + 4), 0u);
}

TEST_F(Paging32, FourMegPageWriteSetsAccessedAndDirtyInPde) {
    mem.set32(kPde32, 0xc00000 | URW | PS);
    ASSERT_TRUE(walk(kSupWrite).ok);
    EXPECT_EQ(mem.get32(kPde32), 0xc00000 | URW | PS | A | D);
    EXPECT_TRUE(filled.dirty);
}

TEST_F(Paging32, NotPresentPdeAndPteFaultWithoutIdBitEvenWithNxe) {
    for (u64 entry : {kPde32, kPte32}) {
        SCOPED_TRACE(entry);
        map4k();
        mem.set32(entry, mem.get32(entry) & ~P);
        PagingRegs regs = regs32();
        regs.efer = kEferNxe;
        TranslateResult r = walk(kUserFetch, regs);
        ASSERT_FALSE(r.ok);
        EXPECT_EQ(r.fault.error_code, kPfUser);
        r = walk(kSupWrite, regs);
        ASSERT_FALSE(r.ok);
        EXPECT_EQ(r.fault.error_code, kPfWrite);
    }
}

TEST_F(Paging32, HighBitsOfEntriesAreAddressNotReserved) {
    map4k();
    mem.set32(kPte32, 0xfffff000u | URW);
    const TranslateResult r = walk(kSupRead);
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(r.physical, 0xfffff123u);
}

TEST_F(Paging32, RightsCombineAcrossPdeAndPte) {
    map4k();
    mem.set32(kPde32, kPt32 | P | US); // read-only directory
    TranslateResult r = walk(kUserWrite);
    ASSERT_FALSE(r.ok);
    EXPECT_EQ(r.fault.error_code, kPfPresent | kPfWrite | kPfUser);
    mem.set32(kPde32, kPt32 | P | RW); // supervisor directory
    r = walk(kUserRead);
    ASSERT_FALSE(r.ok);
    EXPECT_EQ(r.fault.error_code, kPfPresent | kPfUser);
    // No execute-disable in 32-bit paging: a user fetch of a supervisor page has no I/D bit.
    r = walk(kUserFetch);
    ASSERT_FALSE(r.ok);
    EXPECT_EQ(r.fault.error_code, kPfPresent | kPfUser);
}

TEST_F(Paging32, SupervisorWriteToReadOnlyPageFaultsOnlyWithCr0Wp) {
    map4k();
    mem.set32(kPte32, kFrame | P);
    TranslateResult r = walk(kSupWrite, regs32(true, /*wp=*/true));
    ASSERT_FALSE(r.ok);
    EXPECT_EQ(r.fault.error_code, kPfPresent | kPfWrite);
    r = walk(kSupWrite, regs32(true, /*wp=*/false));
    EXPECT_TRUE(r.ok);
}

// ---------------------------------------------------------------------------------------------------
// check_rights on its own.

TEST(CheckRights, FollowsSdmRulesForEveryAccessKind) {
    struct Case {
        bool writable, user, executable;
        AccessRequest req;
        bool wp, nxe;
        std::optional<u32> expected;
    };
    const u32 Pr = kPfPresent, W = kPfWrite, U = kPfUser, I = kPfFetch;
    const Case cases[] = {
        {false, false, false, kSupRead, true, true, std::nullopt},
        {false, true, true, kSupRead, true, true, std::nullopt},
        {false, false, true, kUserRead, true, true, Pr | U},
        {false, true, false, kUserRead, true, true, std::nullopt},
        {false, false, true, kSupWrite, true, true, Pr | W},
        {false, false, true, kSupWrite, false, true, std::nullopt},
        {true, false, true, kSupWrite, true, true, std::nullopt},
        {false, true, true, kUserWrite, false, true, Pr | W | U},
        {true, false, true, kUserWrite, false, true, Pr | W | U},
        {true, true, true, kUserWrite, true, true, std::nullopt},
        {true, true, false, kSupFetch, true, true, Pr | I},
        {true, true, false, kSupFetch, true, false, std::nullopt}, // XD has no effect without NXE
        {true, true, true, kSupFetch, true, true, std::nullopt},   // no SMEP
        {true, false, true, kUserFetch, true, true, Pr | U | I},
        {true, false, true, kUserFetch, true, false, Pr | U}, // I/D only with NXE
        {true, true, false, kUserFetch, true, true, Pr | U | I},
        {true, true, true, kUserFetch, true, true, std::nullopt},
    };
    for (std::size_t i = 0; i < std::size(cases); ++i) {
        SCOPED_TRACE(i);
        const Case& c = cases[i];
        Translation t;
        t.writable = c.writable;
        t.user = c.user;
        t.executable = c.executable;
        PagingRegs regs = long_regs(c.nxe, c.wp);
        EXPECT_EQ(check_rights(t, c.req, regs), c.expected);
    }
}

// ---------------------------------------------------------------------------------------------------
// Tlb on its own.

Translation page(u64 linear, u64 physical, u64 size = 4096, bool global = false) {
    Translation t;
    t.linear_page = linear;
    t.physical_page = physical;
    t.page_size = size;
    t.writable = t.user = t.executable = true;
    t.global = global;
    return t;
}

TEST(Tlb, LookupHitsAfterInsertAndCountsHitsAndMisses) {
    Tlb tlb(64, 4);
    EXPECT_EQ(tlb.lookup(0x5123), nullptr);
    tlb.insert(page(0x5000, 0x9000));
    const Translation* t = tlb.lookup(0x5fff);
    ASSERT_NE(t, nullptr);
    EXPECT_EQ(t->physical(0x5fff), 0x9fffu);
    EXPECT_EQ(tlb.lookup(0x6000), nullptr);
    EXPECT_EQ(tlb.stats().hits, 1u);
    EXPECT_EQ(tlb.stats().misses, 2u);
}

TEST(Tlb, ReplacesLeastRecentlyUsedWayOfTheSet) {
    Tlb tlb(2, 2); // one set of two ways
    tlb.insert(page(0x1000, 0xa000));
    tlb.insert(page(0x2000, 0xb000));
    ASSERT_NE(tlb.lookup(0x1000), nullptr); // 0x2000 is now least recently used
    tlb.insert(page(0x3000, 0xc000));
    EXPECT_EQ(tlb.lookup(0x2000), nullptr);
    EXPECT_NE(tlb.lookup(0x1000), nullptr);
    EXPECT_NE(tlb.lookup(0x3000), nullptr);
}

TEST(Tlb, PagesInDifferentSetsDoNotEvictEachOther) {
    Tlb tlb(8, 2);                    // 4 sets, indexed by linear page number mod 4
    tlb.insert(page(0x1000, 0xa000)); // set 1
    for (u64 vpn : {0u, 4u, 8u, 12u})
        tlb.insert(page(vpn << 12, 0xb000)); // all set 0
    EXPECT_NE(tlb.lookup(0x1000), nullptr);
    EXPECT_EQ(tlb.lookup(0x0000), nullptr);
    EXPECT_EQ(tlb.lookup(0x4000), nullptr);
    EXPECT_NE(tlb.lookup(0x8000), nullptr);
    EXPECT_NE(tlb.lookup(0xc000), nullptr);
}

TEST(Tlb, InsertOfACachedPageReplacesItsEntry) {
    Tlb tlb(2, 2);
    tlb.insert(page(0x1000, 0xa000));
    tlb.insert(page(0x1000, 0xb000));
    const Translation* t = tlb.lookup(0x1000);
    ASSERT_NE(t, nullptr);
    EXPECT_EQ(t->physical_page, 0xb000u);
    tlb.insert(page(0x2000, 0xc000));
    EXPECT_NE(tlb.lookup(0x1000), nullptr); // both fit: no duplicate took a way
    EXPECT_NE(tlb.lookup(0x2000), nullptr);
}

TEST(Tlb, LargePageEntryHitsForAnyAddressInside) {
    Tlb tlb(64, 4);
    tlb.insert(page(0x40200000, 0x800000, 2u << 20));
    tlb.insert(page(0x80000000, 0xc0000000, 1u << 30));
    tlb.insert(page(0x00c00000, 0x400000, 4u << 20));
    for (u64 a : {0x40200000ull, 0x40201234ull, 0x402fffffull, 0x403fffffull}) {
        const Translation* t = tlb.lookup(a);
        ASSERT_NE(t, nullptr) << std::hex << a;
        EXPECT_EQ(t->physical(a), 0x800000 + (a - 0x40200000));
    }
    for (u64 a : {0x80000000ull, 0x9abcdef0ull, 0xbfffffffull}) {
        const Translation* t = tlb.lookup(a);
        ASSERT_NE(t, nullptr) << std::hex << a;
        EXPECT_EQ(t->physical(a), 0xc0000000 + (a - 0x80000000));
    }
    EXPECT_NE(tlb.lookup(0x00fff000), nullptr);
    EXPECT_EQ(tlb.lookup(0x401fffff), nullptr);
    EXPECT_EQ(tlb.lookup(0x40400000), nullptr);
    EXPECT_EQ(tlb.lookup(0xc0000000), nullptr);
}

TEST(Tlb, InvalidatePageDropsLargeEntryCoveringTheAddressOnly) {
    Tlb tlb(64, 4);
    tlb.insert(page(0x40200000, 0x800000, 2u << 20));
    tlb.insert(page(0x40400000, 0xa00000, 2u << 20));
    tlb.invalidate_page(0x40345678);
    EXPECT_EQ(tlb.lookup(0x40200000), nullptr);
    EXPECT_NE(tlb.lookup(0x40400000), nullptr);
    EXPECT_EQ(tlb.stats().invlpgs, 1u);
}

TEST(Tlb, InvalidatePageDropsOnlyThatPage) {
    Tlb tlb(64, 4);
    tlb.insert(page(0x1000, 0xa000));
    tlb.insert(page(0x2000, 0xb000));
    tlb.invalidate_page(0x1abc);
    EXPECT_EQ(tlb.lookup(0x1000), nullptr);
    EXPECT_NE(tlb.lookup(0x2000), nullptr);
}

TEST(Tlb, LargePageArrayReplacesLeastRecentlyUsed) {
    Tlb tlb(4, 4, /*large_entries=*/2);
    tlb.insert(page(0x200000, 0, 2u << 20));
    tlb.insert(page(0x400000, 0, 2u << 20));
    ASSERT_NE(tlb.lookup(0x200000), nullptr);
    tlb.insert(page(0x600000, 0, 2u << 20));
    EXPECT_EQ(tlb.lookup(0x400000), nullptr);
    EXPECT_NE(tlb.lookup(0x200000), nullptr);
    EXPECT_NE(tlb.lookup(0x600000), nullptr);
}

// find() remembers the 4K pages it last found in large entries; a remembered page must count as a use
// of its entry for the LRU and as a hit, and an insert must end it.
TEST(Tlb, RepeatedLookupsOfAPageInALargeEntryKeepItRecentlyUsedAndCountAsHits) {
    Tlb tlb(4, 4, /*large_entries=*/2);
    tlb.insert(page(0x200000, 0, 2u << 20));
    tlb.insert(page(0x400000, 0, 2u << 20));
    ASSERT_NE(tlb.lookup(0x201000), nullptr);
    ASSERT_NE(tlb.lookup(0x400000), nullptr);
    ASSERT_NE(tlb.lookup(0x201008), nullptr); // the same 4K page again: now the most recently used
    EXPECT_EQ(tlb.stats().hits, 3u);
    tlb.insert(page(0x600000, 0, 2u << 20));
    EXPECT_EQ(tlb.lookup(0x400000), nullptr) << "the least recently used large entry is replaced";
    EXPECT_NE(tlb.lookup(0x201000), nullptr);
}

TEST(Tlb, A4KEntryFilledForAPageOfALargeEntryAnswersForIt) {
    Tlb tlb(64, 4);
    tlb.insert(page(0x200000, 0x800000, 2u << 20));
    ASSERT_EQ(tlb.lookup(0x201000)->physical(0x201000), 0x801000u);
    tlb.insert(page(0x201000, 0x5000));
    const Translation* t = tlb.lookup(0x201000);
    ASSERT_NE(t, nullptr);
    EXPECT_EQ(t->physical(0x201000), 0x5000u) << "4K entries are looked up first";
}

TEST(Tlb, OverlappingLargeEntriesAnswerAsTheScanDoesWhateverWasFoundLast) {
    // A 2M entry, then a 1G entry holding it (filled after a page-table change without INVLPG): an
    // address in both gets the entry the scan finds first, even right after the other was found.
    Tlb tlb(64, 4);
    tlb.insert(page(0x40200000, 0x800000, 2u << 20));
    tlb.insert(page(0x40000000, 0x80000000, 1u << 30));
    const Translation* first = tlb.lookup(0x40201000);
    ASSERT_NE(first, nullptr);
    const u64 expected = first->physical(0x40201000);
    for (u64 other : {0x40000000ull, 0x7fffffffull, 0x40201000ull, 0x50000000ull}) {
        ASSERT_NE(tlb.lookup(other), nullptr) << std::hex << other;
        const Translation* again = tlb.lookup(0x40201000);
        ASSERT_NE(again, nullptr);
        EXPECT_EQ(again->physical(0x40201000), expected) << "after looking up " << std::hex << other;
    }
    // Without the overlap, the 1G entry answers for all of it.
    tlb.invalidate_page(0x40200000); // drops both: INVLPG drops every entry that covers the address
    tlb.insert(page(0x40000000, 0x80000000, 1u << 30));
    tlb.insert(page(0x80200000, 0x800000, 2u << 20));
    ASSERT_NE(tlb.lookup(0x80201000), nullptr);
    const Translation* big = tlb.lookup(0x40201000);
    ASSERT_NE(big, nullptr);
    EXPECT_EQ(big->physical(0x40201000), 0x80201000u);
    EXPECT_EQ(tlb.lookup(0x80201000)->physical(0x80201000), 0x801000u);
}

TEST(Tlb, FlushKeepingGlobalsDropsOnlyNonGlobalEntries) {
    Tlb tlb(64, 4);
    tlb.insert(page(0x1000, 0xa000, 4096, /*global=*/true));
    tlb.insert(page(0x2000, 0xb000, 4096, false));
    tlb.insert(page(0x400000, 0x800000, 2u << 20, true));
    tlb.insert(page(0x600000, 0xa00000, 2u << 20, false));
    tlb.flush(/*keep_global=*/true);
    EXPECT_NE(tlb.lookup(0x1000), nullptr);
    EXPECT_EQ(tlb.lookup(0x2000), nullptr);
    EXPECT_NE(tlb.lookup(0x400000), nullptr);
    EXPECT_EQ(tlb.lookup(0x600000), nullptr);
    tlb.flush(/*keep_global=*/false);
    EXPECT_EQ(tlb.lookup(0x1000), nullptr);
    EXPECT_EQ(tlb.lookup(0x400000), nullptr);
    EXPECT_EQ(tlb.stats().flushes, 2u);
}

TEST(Tlb, RejectsGeometryWithoutPowerOfTwoSets) {
    EXPECT_THROW(Tlb(48, 4), InternalError); // 12 sets
    EXPECT_THROW(Tlb(10, 4), InternalError); // not a multiple
    EXPECT_THROW(Tlb(2, 4), InternalError);  // fewer entries than ways
    EXPECT_THROW(Tlb(4, 0), InternalError);
    EXPECT_NO_THROW(Tlb(64, 4));
    EXPECT_NO_THROW(Tlb(4, 4));
    EXPECT_NO_THROW(Tlb(1, 1));
}

// ---------------------------------------------------------------------------------------------------
// Mmu: TLBs in front of the walker (4-level tables).

class MmuTest : public FourLevel {
  protected:
    TranslateResult tr(const AccessRequest& req, u64 linear = kLin, const PagingRegs& regs = long_regs()) {
        mem.log.clear();
        return mmu.translate(linear, req, regs);
    }
    Mmu mmu{mem};
};

TEST_F(MmuTest, PagingDisabledIsIdentityWithoutTlb) {
    PagingRegs regs = long_regs();
    regs.cr0 &= ~kCr0Pg;
    const TranslateResult r = tr(kUserWrite, 0xfee00020, regs);
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(r.physical, 0xfee00020u);
    EXPECT_EQ(r.latency_cycles, 0u);
    EXPECT_TRUE(mem.log.empty());
    EXPECT_EQ(mmu.dtlb().stats().hits + mmu.dtlb().stats().misses, 0u);
}

TEST_F(MmuTest, SecondAccessHitsTlbWithoutMemoryAccessOrLatency) {
    map4k();
    TranslateResult r = tr(kSupRead);
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(r.latency_cycles, 8 * kLatency);
    r = tr(kSupRead, kLin + 0x10);
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(r.physical, kFrame + 0x133);
    EXPECT_EQ(r.latency_cycles, 0u);
    EXPECT_TRUE(mem.log.empty());
    EXPECT_EQ(mmu.dtlb().stats().misses, 1u);
    EXPECT_EQ(mmu.dtlb().stats().hits, 1u);
}

TEST_F(MmuTest, FetchesUseTheItlbAndDataUsesTheDtlb) {
    map4k();
    ASSERT_TRUE(tr(kSupRead).ok);
    ASSERT_TRUE(tr(kSupFetch).ok);
    EXPECT_FALSE(mem.log.empty()); // the ITLB missed and walked
    EXPECT_EQ(mmu.itlb().stats().misses, 1u);
    ASSERT_TRUE(tr(kSupFetch).ok);
    EXPECT_TRUE(mem.log.empty());
    EXPECT_EQ(mmu.itlb().stats().hits, 1u);
    EXPECT_EQ(mmu.dtlb().stats().misses, 1u);
    EXPECT_EQ(mmu.dtlb().stats().hits, 0u);
}

TEST_F(MmuTest, StaleTranslationIsUsedAfterPteChangeWithoutInvlpg) {
    map4k();
    ASSERT_EQ(tr(kSupRead).physical, kFrame + 0x123);
    mem.set64(kPte, 0xdef000 | URW | A); // remap without a shootdown
    TranslateResult r = tr(kSupRead);
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(r.physical, kFrame + 0x123); // the old mapping, as on hardware
    mem.set64(kPte, 0);                    // even unmapping is not seen
    EXPECT_TRUE(tr(kSupRead).ok);
    mem.set64(kPte, 0xdef000 | URW | A);
    mmu.invlpg(kLin);
    r = tr(kSupRead);
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(r.physical, 0xdef123u);
}

TEST_F(MmuTest, InvlpgDropsTheEntryFromBothTlbs) {
    map4k();
    ASSERT_TRUE(tr(kSupRead).ok);
    ASSERT_TRUE(tr(kSupFetch).ok);
    mmu.invlpg(kLin + 0xabc);
    ASSERT_TRUE(tr(kSupRead).ok);
    EXPECT_FALSE(mem.log.empty());
    ASSERT_TRUE(tr(kSupFetch).ok);
    EXPECT_FALSE(mem.log.empty());
    EXPECT_EQ(mmu.itlb().stats().invlpgs, 1u);
    EXPECT_EQ(mmu.dtlb().stats().invlpgs, 1u);
}

TEST_F(MmuTest, Cr3FlushKeepsGlobalEntriesOnlyWhenAsked) {
    map4k();
    mem.set64(kPte, kFrame | URW | G);   // kLin: global
    mem.set64(kPte + 8, 0x777000 | URW); // kLin + 4K: not global
    const PagingRegs regs = long_regs(true, true, /*pge=*/true);
    ASSERT_TRUE(tr(kSupRead, kLin, regs).ok);
    ASSERT_TRUE(tr(kSupRead, kLin + 0x1000, regs).ok);

    mmu.flush(/*keep_global=*/true);
    ASSERT_TRUE(tr(kSupRead, kLin, regs).ok);
    EXPECT_TRUE(mem.log.empty()); // still cached
    ASSERT_TRUE(tr(kSupRead, kLin + 0x1000, regs).ok);
    EXPECT_FALSE(mem.log.empty()); // walked again

    mmu.flush(/*keep_global=*/false);
    ASSERT_TRUE(tr(kSupRead, kLin, regs).ok);
    EXPECT_FALSE(mem.log.empty());
    EXPECT_EQ(mmu.dtlb().stats().flushes, 2u);
    EXPECT_EQ(mmu.itlb().stats().flushes, 2u);
}

TEST_F(MmuTest, GBitWithoutCr4PgeDoesNotSurviveCr3Flush) {
    map4k(URW, G);
    ASSERT_TRUE(tr(kSupRead, kLin, long_regs(true, true, /*pge=*/false)).ok);
    mmu.flush(/*keep_global=*/true);
    ASSERT_TRUE(tr(kSupRead, kLin, long_regs(true, true, false)).ok);
    EXPECT_FALSE(mem.log.empty());
}

TEST_F(MmuTest, LargePageEntryHitsForAnyAddressInsideAndInvlpgAnywhereDropsIt) {
    map4k();
    mem.set64(kPde, 0x600000 | URW | PS);
    const u64 base = kLin & ~0x1fffffull;
    ASSERT_TRUE(tr(kSupRead).ok);
    for (u64 offset : {0x0ull, 0x1000ull, 0xfffffull, 0x1fffffull}) {
        const TranslateResult r = tr(kSupRead, base + offset);
        ASSERT_TRUE(r.ok);
        EXPECT_EQ(r.physical, 0x600000 + offset);
        EXPECT_TRUE(mem.log.empty()) << std::hex << offset;
    }
    mmu.invlpg(base + 0x1abcde);
    ASSERT_TRUE(tr(kSupRead, base).ok);
    EXPECT_FALSE(mem.log.empty());
}

TEST_F(MmuTest, OneGigPageEntryHitsForAnyAddressInside) {
    map4k();
    mem.set64(kPdpte, 0x40000000 | URW | PS);
    const u64 base = kLin & ~0x3fffffffull;
    ASSERT_TRUE(tr(kSupRead).ok);
    for (u64 offset : {0x0ull, 0x12345678ull, 0x3fffffffull}) {
        const TranslateResult r = tr(kSupRead, base + offset);
        ASSERT_TRUE(r.ok);
        EXPECT_EQ(r.physical, 0x40000000 + offset);
        EXPECT_TRUE(mem.log.empty());
    }
}

TEST_F(MmuTest, WriteHittingCleanEntryWalksAgainAndSetsDirty) {
    map4k();
    ASSERT_TRUE(tr(kSupRead).ok);
    EXPECT_EQ(mem.get64(kPte), kFrame | URW | A);
    const TranslateResult r = tr(kSupWrite);
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(r.physical, kFrame + 0x123);
    EXPECT_GT(r.latency_cycles, 0u);
    EXPECT_EQ(mem.get64(kPte), kFrame | URW | A | D);
    // The entry is now dirty: further writes hit without touching memory.
    ASSERT_TRUE(tr(kSupWrite, kLin + 8).ok);
    EXPECT_TRUE(mem.log.empty());
}

TEST_F(MmuTest, WriteHittingEntryFilledDirtyDoesNotWalk) {
    map4k(URW, D);
    ASSERT_TRUE(tr(kSupRead).ok);
    ASSERT_TRUE(tr(kSupWrite).ok);
    EXPECT_TRUE(mem.log.empty());
}

TEST_F(MmuTest, RightsAreCheckedOnTlbHits) {
    map4k();
    mem.set64(kPte, kFrame | P | RW); // supervisor page
    ASSERT_TRUE(tr(kSupRead).ok);
    const TranslateResult r = tr(kUserRead);
    ASSERT_FALSE(r.ok);
    EXPECT_EQ(r.fault.linear, kLin);
    EXPECT_EQ(r.fault.error_code, kPfPresent | kPfUser);
    EXPECT_TRUE(mem.log.empty()); // decided from the TLB entry
}

TEST_F(MmuTest, Cr0WpIsReadAtEachHit) {
    map4k();
    mem.set64(kPte, kFrame | P);                                        // read-only supervisor page
    ASSERT_TRUE(tr(kSupWrite, kLin, long_regs(true, /*wp=*/false)).ok); // fills a dirty read-only entry
    ASSERT_TRUE(tr(kSupWrite, kLin, long_regs(true, /*wp=*/false)).ok);
    EXPECT_TRUE(mem.log.empty()); // allowed from the TLB
    const TranslateResult r = tr(kSupWrite, kLin, long_regs(true, /*wp=*/true));
    ASSERT_FALSE(r.ok);
    EXPECT_EQ(r.fault.error_code, kPfPresent | kPfWrite);
    EXPECT_TRUE(mem.log.empty()); // denied from the same TLB entry
}

TEST_F(MmuTest, ExecuteDisableOfATlbEntryAppliesOnlyWithNxe) {
    Translation t;
    t.linear_page = kLin & ~0xfffull;
    t.physical_page = kFrame;
    t.writable = t.user = true;
    t.executable = false;
    mmu.itlb().insert(t);
    TranslateResult r = tr(kUserFetch, kLin, long_regs(/*nxe=*/false));
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(r.physical, kFrame + 0x123);
    EXPECT_TRUE(mem.log.empty());
    r = tr(kUserFetch, kLin, long_regs(/*nxe=*/true));
    ASSERT_FALSE(r.ok);
    EXPECT_EQ(r.fault.error_code, kPfPresent | kPfUser | kPfFetch);
    EXPECT_TRUE(mem.log.empty());
}

TEST_F(MmuTest, EachTranslateCountsOneTlbHitOrMiss) {
    map4k();
    ASSERT_TRUE(tr(kSupRead).ok);  // miss
    ASSERT_TRUE(tr(kSupWrite).ok); // hit on a clean entry, then a walk
    ASSERT_TRUE(tr(kSupWrite).ok); // hit
    EXPECT_EQ(mmu.dtlb().stats().misses, 1u);
    EXPECT_EQ(mmu.dtlb().stats().hits, 2u);
}

TEST_F(MmuTest, FaultNeverFillsTheTlb) {
    map4k();
    mem.set64(kPte, 0);
    TranslateResult r = tr(kSupRead);
    ASSERT_FALSE(r.ok);
    EXPECT_EQ(r.fault.error_code, 0u);
    mem.set64(kPte, kFrame | URW); // the handler maps the page; no INVLPG needed
    r = tr(kSupRead);
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(r.physical, kFrame + 0x123);

    mem.set64(kPte + 8, kFrame | P); // supervisor page
    r = tr(kUserRead, kLin + 0x1000);
    ASSERT_FALSE(r.ok);
    r = tr(kSupRead, kLin + 0x1000);
    ASSERT_TRUE(r.ok);
    EXPECT_FALSE(mem.log.empty()); // the failed user access left no entry behind
}

TEST_F(MmuTest, PageFaultOnTlbHitInvalidatesTheStaleEntry) {
    map4k();
    mem.set64(kPte, kFrame | P | US); // read-only
    ASSERT_TRUE(tr(kUserRead).ok);
    mem.set64(kPte, kFrame | URW | A); // made writable without INVLPG (e.g. copy-on-write resolved)
    TranslateResult r = tr(kUserWrite);
    ASSERT_FALSE(r.ok); // spurious fault from the stale read-only entry
    EXPECT_EQ(r.fault.error_code, kPfPresent | kPfWrite | kPfUser);
    EXPECT_TRUE(mem.log.empty());
    r = tr(kUserWrite); // the fault dropped the entry: the retry walks and succeeds
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(mem.get64(kPte), kFrame | URW | A | D);
}

TEST_F(MmuTest, TranslatesPaeAnd32BitTablesToo) {
    mem.set64(kPaePdpte, kPaePd | P);
    mem.set64(kPaePde, 0xe00000 | URW | PS);
    TranslateResult r = tr(kSupRead, kPaeLin, pae_regs());
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(r.physical, 0xe00000 + (kPaeLin & 0x1fffff));
    mmu.flush(false);
    mem.set32(kPde32, 0xc00000 | URW | PS);
    r = tr(kSupRead, kLin32, regs32());
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(r.physical, 0xc00000 + (kLin32 & 0x3fffff));
    r = tr(kSupRead, kLin32 + 0x1000, regs32());
    ASSERT_TRUE(r.ok);
    EXPECT_TRUE(mem.log.empty());
}

TEST_F(MmuTest, RejectsBadTlbGeometry) {
    MmuConfig config;
    config.dtlb_entries = 48;
    EXPECT_THROW(Mmu(mem, config), InternalError);
}

} // namespace
} // namespace smpsim::mmu
