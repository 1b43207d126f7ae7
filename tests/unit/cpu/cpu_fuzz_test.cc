// Robustness: random bytes executed as guest code, in 64-bit, 32-bit and real mode, with and without an
// IDT and paging, over partly random RAM and random port values. Every sequence must end in a guest
// exception (delivered or a triple fault), a halt or the instruction budget: never a host crash, a hang
// or a sanitizer report.
#include "test_machine.h"

#include "sim/cpu/cpu.h"
#include "sim/cpu/decode_cache.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <random>

namespace smpsim::cpu::test {
namespace {

// 200000 sequences take ~3 s at -O2 and ~21 s even in a Debug ASan/UBSan build, so every tree runs them all.
constexpr int kSequences = 200000;
constexpr u64 kBudget = 64;

// Port reads return random values; writes are dropped.
class RandomIo final : public IoPortSpace {
  public:
    explicit RandomIo(std::mt19937_64& rng) : rng_(rng) {}
    u32 in(u16, u32) override { return u32(rng_()); }
    void out(u16, u32, u32) override {}

  private:
    std::mt19937_64& rng_;
};

enum class GuestSetup { Long64Idt, Long64NoIdt, Prot32PagedIdt, Prot32FlatIdt, Prot32NoIdt, Real16, kCount };

TEST(CpuRobustness, RandomBytesAsGuestCodeNeverCrashTheHost) {
    std::mt19937_64 rng(0x5eed'c0de);
    Ram ram(16u << 20);
    RandomIo io(rng);
    DecodeCache cache;
    Cpu cpu(ram, io, cache);

    // Random data where random pointers are likely to land; the system structures are rebuilt before
    // every sequence (random stores may hit them).
    for (u64 a = 0x100000; a < 0x400000; a += 8)
        ram.set<u64>(a, rng());
    auto fill_random = [&](u64 addr, u64 len) {
        for (u64 i = 0; i < len; ++i)
            ram.bytes[addr + i] = u8(rng());
    };
    // Direct RAM writes bypass the CPU: drop decoded code of the pages touched.
    auto invalidate = [&](u64 addr, u64 len) {
        for (u64 p = addr & ~0xfffull; p < addr + len; p += 0x1000)
            cache.invalidate(p);
    };

    std::array<u64, 7> stops{};
    u64 exceptions_before = 0;
    u64 sequences_with_exception = 0;
    for (int i = 0; i < kSequences; ++i) {
        const GuestSetup setup = GuestSetup(rng() % u64(GuestSetup::kCount));
        cpu.reset();
        invalidate(0, 0x22000); // system area (tables, handlers, real-mode IVT)
        switch (setup) {
        case GuestSetup::Long64Idt: enter_long_mode(cpu, ram, true); break;
        case GuestSetup::Long64NoIdt: enter_long_mode(cpu, ram, false); break;
        case GuestSetup::Prot32PagedIdt: enter_protected_mode(cpu, ram, true, true); break;
        case GuestSetup::Prot32FlatIdt: enter_protected_mode(cpu, ram, false, true); break;
        case GuestSetup::Prot32NoIdt: enter_protected_mode(cpu, ram, false, false); break;
        case GuestSetup::Real16:
            for (u64 v = 0; v < 256; ++v)
                ram.set<u32>(v * 4, u32(0x2000'0000 + v * kHandlerStride)); // 2000:v*16
            write_handlers(ram);
            break;
        case GuestSetup::kCount: break;
        }

        // 16..64 random bytes somewhere in 0x100000..0x1fffff (sometimes across a page boundary), with a
        // random neighbourhood.
        const u64 len = 16 + rng() % 49;
        u64 code = 0x100000 + rng() % (0x100000 - 128);
        if (rng() % 4 == 0) code = (code & ~0xfffull) + 0x1000 - rng() % 16; // straddle a page boundary
        fill_random(code, len);
        invalidate(code, len + 16);
        const u64 data = 0x100000 + rng() % (0x300000 - 4096);
        fill_random(data, 256);
        invalidate(data, 256);

        if (setup == GuestSetup::Real16) {
            // CS:IP with CS chosen so that the code is reachable: CS = code >> 4, IP = code & 15.
            cpu.state().seg[CS] = Segment{u16(code >> 4), code & ~0xfull, 0xffff, 0x9b};
            cpu.sync_state();
            cpu.set_rip(code & 0xf);
        } else {
            cpu.set_rip(code);
        }
        // Registers: random, small (likely RAM addresses) or zero.
        for (unsigned r = 0; r < 16; ++r) {
            if (r == RSP) continue;
            switch (rng() % 4) {
            case 0: cpu.set_gpr(r, rng()); break;
            case 1: cpu.set_gpr(r, rng() % (24u << 20)); break;
            case 2: cpu.set_gpr(r, 0); break;
            default: cpu.set_gpr(r, rng() & 0xffff); break;
            }
        }
        if (setup == GuestSetup::Real16)
            cpu.set_gpr(RSP, 0x7000);
        else if (rng() % 8 == 0)
            cpu.set_gpr(RSP, rng());
        cpu.set_rflags(rng() & (kArithFlags | kFlagIf | kFlagDf));

        const u64 insns_before = cpu.stats().instructions;
        const StopInfo stop = cpu.run(kBudget);
        ++stops[std::size_t(stop.reason)];
        ASSERT_TRUE(stop.reason == StopReason::InsnLimit || stop.reason == StopReason::Halted ||
                    stop.reason == StopReason::HaltedForever || stop.reason == StopReason::TripleFault)
            << "sequence " << i << ": unexpected stop " << int(stop.reason) << " " << stop.message;
        if (stop.reason == StopReason::TripleFault) {
            ASSERT_NE(stop.message.find("RIP:"), std::string::npos) << stop.message;
        }
        // Bounded work: at most kBudget instructions and kBudget + 1 exceptions (an exception loop ends).
        ASSERT_LE(cpu.stats().instructions - insns_before, kBudget) << "sequence " << i;
        ASSERT_LE(cpu.stats().exceptions - exceptions_before, kBudget + 1) << "sequence " << i;
        if (cpu.stats().exceptions != exceptions_before) ++sequences_with_exception;
        exceptions_before = cpu.stats().exceptions;
    }

    std::printf("%d sequences: %llu budget, %llu halted, %llu halted forever, %llu triple faults; "
                "%llu raised an exception; %llu instructions\n",
                kSequences, static_cast<unsigned long long>(stops[std::size_t(StopReason::InsnLimit)]),
                static_cast<unsigned long long>(stops[std::size_t(StopReason::Halted)]),
                static_cast<unsigned long long>(stops[std::size_t(StopReason::HaltedForever)]),
                static_cast<unsigned long long>(stops[std::size_t(StopReason::TripleFault)]),
                static_cast<unsigned long long>(sequences_with_exception),
                static_cast<unsigned long long>(cpu.stats().instructions));
    // The generator must actually reach the interesting outcomes.
    EXPECT_GT(stops[std::size_t(StopReason::HaltedForever)], 0u);
    EXPECT_GT(stops[std::size_t(StopReason::TripleFault)], 0u);
    EXPECT_GT(sequences_with_exception, u64(kSequences) / 4);
}

} // namespace
} // namespace smpsim::cpu::test
