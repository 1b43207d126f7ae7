// Robustness: random bytes executed as guest code, in 64-bit, 32-bit and real mode, with and without an
// IDT and paging, over partly random RAM and random port values. Every sequence must end in a guest
// exception (delivered or a triple fault), a halt or the instruction budget: never a host crash, a hang
// or a sanitizer report. A second test runs the same random code on a CPU with runs of decoded
// instructions and on one without, in budgets that end anywhere, and requires the same states.
#include "test_machine.h"

#include "sim/cpu/cpu.h"
#include "sim/cpu/decode_cache.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <random>
#include <vector>

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

// One machine of the differential test: RAM, ports whose reads replay a seeded sequence, a decode cache.
struct FuzzMachine {
    explicit FuzzMachine(bool decoded_runs)
        : ram(16u << 20), io(port_rng),
          cpu(ram, io, cache, CpuConfig{.report_unimplemented = false, .decoded_runs = decoded_runs}) {}
    std::mt19937_64 port_rng;
    Ram ram;
    RandomIo io;
    DecodeCache cache;
    Cpu cpu;
};

// Random 64-bit code that mostly decodes and runs: instructions drawn from the kinds runs hold and end
// with (ALU, MOV, LEA, shifts, stores into the data window and into the code itself, port I/O, string
// instructions, locked instructions, conditional branches forward and back, POPF with random TF...).
std::vector<u8> random_code64(std::mt19937_64& rng, u64 code, u64 data) {
    std::vector<u8> out;
    const unsigned count = 8 + unsigned(rng() % 24);
    auto reg = [&] { return u8(rng() % 8 == 4 ? 3 : rng() % 8); }; // not RSP
    auto disp32 = [&](u64 addr) {
        for (int b = 0; b < 4; ++b)
            out.push_back(u8(addr >> (8 * b)));
    };
    auto target = [&] { return rng() % 8 == 0 ? code + rng() % 64 : data + rng() % 252; }; // 1 in 8: SMC
    for (unsigned i = 0; i < count; ++i) {
        switch (rng() % 16) {
        case 0: out.push_back(u8(0xb8 + reg())), disp32(rng() % 4 ? rng() % 64 : rng()); break; // mov r,imm
        case 1:
        case 2: { // ALU or MOV register, register (32 or 64 bits)
            static constexpr u8 ops[] = {0x01, 0x09, 0x11, 0x19, 0x21, 0x29, 0x31, 0x39, 0x85, 0x89};
            if (rng() % 2) out.push_back(0x48);
            out.insert(out.end(), {ops[rng() % 10], u8(0xc0 | reg() << 3 | reg())});
            break;
        }
        case 3: { // ALU or MOV with a memory operand: [disp32]
            static constexpr u8 ops[] = {0x01, 0x03, 0x29, 0x31, 0x39, 0x89, 0x8b, 0x88};
            out.insert(out.end(), {ops[rng() % 8], u8(0x04 | reg() << 3), 0x25});
            disp32(target());
            break;
        }
        case 4: out.insert(out.end(), {0xff, u8((rng() % 2 ? 0xc0 : 0xc8) | reg())}); break; // inc/dec
        case 5: { // shl/shr/sar r,imm8
            static constexpr u8 kinds[] = {0xe0, 0xe8, 0xf8};
            out.insert(out.end(), {0xc1, u8(kinds[rng() % 3] | reg()), u8(rng() % 40)});
            break;
        }
        case 6: out.insert(out.end(), {0x8d, u8(0x44 | reg() << 3), u8(rng()), u8(rng())}); break; // lea
        case 7: // Jcc rel8: forward over a few bytes, or back into the code (loops)
            out.insert(out.end(),
                       {u8(0x70 + rng() % 16),
                        u8(rng() % 3 ? rng() % 12 : -int(rng() % std::min<u64>(out.size() + 1, 100) + 2))});
            break;
        case 8: out.push_back(u8((rng() % 2 ? 0x50 : 0x58) + reg())); break; // push/pop
        case 9: { // port I/O, RDTSC, CPUID, PAUSE, NOP
            static constexpr u8 one[][2] = {
                {0xe6, 0x80}, {0xe4, 0x80}, {0x0f, 0x31}, {0x0f, 0xa2}, {0xf3, 0x90}};
            const auto& o = one[rng() % 5];
            out.insert(out.end(), {o[0], o[1]});
            break;
        }
        case 10:
            out.insert(out.end(), {0xb9, u8(rng() % 8), 0, 0, 0, 0xbf}), disp32(target());
            break;                                                                  // ecx,edi
        case 11: out.insert(out.end(), {0xf3, u8(rng() % 2 ? 0xaa : 0xab)}); break; // rep stos
        case 12: // lock add [disp32],r / xchg [disp32],r
            if (rng() % 2) out.push_back(0xf0);
            out.insert(out.end(), {u8(rng() % 2 ? 0x01 : 0x87), u8(0x04 | reg() << 3), 0x25});
            disp32(target());
            break;
        case 13: // pushfq; popfq with a random TF, or cli/sti
            if (rng() % 2)
                out.insert(out.end(), {0x9c, 0x48, 0x81, 0x34, 0x24, u8(rng() % 4 ? 0 : 1), 1, 0, 0, 0x9d});
            else
                out.push_back(rng() % 2 ? 0xfa : 0xfb);
            break;
        case 14: out.insert(out.end(), {0xeb, u8(rng() % 8)}); break; // jmp rel8 forward
        default: out.insert(out.end(), {0x0f, u8(0x90 + rng() % 16), u8(0xc0 | reg())}); break; // setcc
        }
    }
    out.insert(out.end(), {0xff, 0xc9, 0x75, u8(-int(std::min<u64>(out.size() + 4, 128))),
                           0xf4}); // dec ecx; jne start; hlt
    return out;
}

TEST(CpuRobustness, RandomCodeRunsTheSameWithAndWithoutRunsOfDecodedInstructions) {
    constexpr int kDiffSequences = 20000;
    constexpr int kPasses = 3; // the same code again: the later passes find its runs built
    constexpr u64 kDiffBudget = 256;
    std::mt19937_64 rng(0xd1ff'5eed);
    FuzzMachine with_runs(true), without_runs(false);
    FuzzMachine* const machines[] = {&with_runs, &without_runs};
    for (u64 a = 0x100000; a < 0x400000; a += 8) {
        const u64 v = rng();
        for (FuzzMachine* m : machines)
            m->ram.set<u64>(a, v);
    }
    auto put = [&](u64 addr, const std::vector<u8>& bytes) {
        for (FuzzMachine* m : machines) {
            m->ram.put(addr, bytes);
            for (u64 p = addr & ~0xfffull; p < addr + bytes.size(); p += 0x1000)
                m->cache.invalidate(p);
        }
    };
    auto same_state = [&](int seq, u64 done) {
        const Cpu& a = with_runs.cpu;
        const Cpu& b = without_runs.cpu;
        bool same = a.rip() == b.rip() && a.rflags() == b.rflags() &&
                    a.stats().instructions == b.stats().instructions &&
                    a.stats().cycles == b.stats().cycles && a.stats().exceptions == b.stats().exceptions &&
                    a.stats().interrupts == b.stats().interrupts;
        for (unsigned r = 0; r < 16; ++r)
            same = same && a.gpr(r) == b.gpr(r);
        EXPECT_TRUE(same) << "sequence " << seq << " after a budget ending at " << done << ": RIP " << a.rip()
                          << " / " << b.rip() << ", instructions " << a.stats().instructions << " / "
                          << b.stats().instructions;
        return same;
    };

    u64 compared = 0;
    for (int i = 0; i < kDiffSequences; ++i) {
        const bool structured = rng() % 4 != 0; // else random bytes in any protected or long mode
        const GuestSetup setup =
            structured ? GuestSetup::Long64Idt : GuestSetup(rng() % u64(GuestSetup::Real16));
        const u64 port_seed = rng();
        for (FuzzMachine* m : machines) {
            m->cpu.reset();
            for (u64 p = 0; p < 0x22000; p += 0x1000)
                m->cache.invalidate(p);
            m->port_rng.seed(port_seed);
            switch (setup) {
            case GuestSetup::Long64Idt: enter_long_mode(m->cpu, m->ram, true); break;
            case GuestSetup::Long64NoIdt: enter_long_mode(m->cpu, m->ram, false); break;
            case GuestSetup::Prot32PagedIdt: enter_protected_mode(m->cpu, m->ram, true, true); break;
            case GuestSetup::Prot32FlatIdt: enter_protected_mode(m->cpu, m->ram, false, true); break;
            default: enter_protected_mode(m->cpu, m->ram, false, false); break;
            }
        }
        u64 code = 0x100000 + rng() % (0x100000 - 512);
        if (rng() % 4 == 0) code = (code & ~0xfffull) + 0x1000 - rng() % 64; // across a page boundary
        const u64 data = 0x200000 + rng() % (0x100000 - 4096);
        std::vector<u8> bytes(16 + rng() % 49);
        if (structured)
            bytes = random_code64(rng, code, data);
        else
            for (u8& b : bytes)
                b = u8(rng());
        put(code, bytes);

        for (int pass = 0; pass < kPasses; ++pass) {
            std::array<u64, 16> regs{};
            for (unsigned r = 0; r < 16; ++r)
                regs[r] = rng() % 2 ? 0x200000 + rng() % 0x100000 : rng() & 0xffff;
            regs[RCX] = 1 + rng() % 4; // the closing loop's count
            const u64 rflags = rng() & (kArithFlags | kFlagDf | kFlagIf);
            for (FuzzMachine* m : machines) {
                m->cpu.set_rip(code);
                for (unsigned r = 0; r < 16; ++r)
                    if (r != RSP) m->cpu.set_gpr(r, regs[r]);
                m->cpu.set_rflags(rflags);
            }
            // Budgets of 1..32 instructions: runs end at the budget anywhere in them.
            StopReason reason = StopReason::InsnLimit;
            for (u64 done = 0; done < kDiffBudget && reason == StopReason::InsnLimit;) {
                const u64 budget = 1 + rng() % 32;
                const u64 before = with_runs.cpu.stats().instructions;
                reason = with_runs.cpu.run(budget).reason;
                ASSERT_EQ(without_runs.cpu.run(budget).reason, reason) << "sequence " << i;
                compared += with_runs.cpu.stats().instructions - before;
                done += budget;
                ASSERT_TRUE(same_state(i, done));
            }
            if (reason != StopReason::InsnLimit) break; // halted or triple-faulted: the CPU stays so
        }
        if (i % 512 == 0 || i == kDiffSequences - 1) {
            ASSERT_TRUE(with_runs.ram.bytes == without_runs.ram.bytes) << "RAM differs after sequence " << i;
        }
    }
    const u64 smc = with_runs.cpu.stats().smc_invalidations;
    std::printf("%llu instructions compared, %llu code pages dropped by stores\n",
                static_cast<unsigned long long>(compared), static_cast<unsigned long long>(smc));
    EXPECT_GT(compared, u64(kDiffSequences) * 100);
    EXPECT_GT(smc, u64(kDiffSequences) / 20);
}

} // namespace
} // namespace smpsim::cpu::test
