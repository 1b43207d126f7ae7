// Unit tests of the CPU's system behaviour: mode switches, exception and interrupt delivery, HLT,
// self-modifying code, TLB maintenance seen through the CPU, port I/O, CPUID, RDTSC, FS/GS bases.
// Guest code is machine code assembled with the host `as` (Intel syntax); the assembly is in comments.
#include "test_machine.h"

#include "sim/cpu/cpu.h"
#include "sim/cpu/decode_cache.h"

#include <gtest/gtest.h>

#include <array>
#include <string>
#include <vector>

namespace smpsim::cpu::test {
namespace {

// x86 exception vectors.
constexpr int kDE = 0, kDB = 1, kBP = 3, kUD = 6, kNM = 7, kDF = 8, kGP = 13, kPF = 14, kAC = 17;

class CpuSystemTest : public ::testing::Test {
  protected:
    CpuSystemTest() : ram(16u << 20), cpu(ram, io, CpuConfig{.apic_id = 3}) {}

    // Places code at kCode (or `at`) and runs it.
    StopInfo run_at(u64 at, std::initializer_list<u8> code, u64 budget = 1000) {
        ram.put(at, code);
        cpu.set_rip(at);
        return cpu.run(budget);
    }
    StopInfo run_code(std::initializer_list<u8> code, u64 budget = 1000) {
        return run_at(kCode, code, budget);
    }

    // Single-steps until RIP == target; false if the CPU stops for another reason first.
    bool step_until(u64 target, int limit = 1000) {
        for (int i = 0; i < limit && cpu.rip() != target; ++i)
            if (cpu.run(1).reason != StopReason::InsnLimit) return false;
        return cpu.rip() == target;
    }

    // The long-mode exception frame at RSP (SDM vol. 3, 6.14.2).
    struct Frame64 {
        u64 error = 0, rip, cs, rflags, rsp, ss;
    };
    Frame64 frame64(bool has_error) const {
        u64 sp = cpu.gpr(RSP);
        Frame64 f;
        if (has_error) f.error = ram.get(sp), sp += 8;
        f.rip = ram.get(sp);
        f.cs = ram.get(sp + 8);
        f.rflags = ram.get(sp + 16);
        f.rsp = ram.get(sp + 24);
        f.ss = ram.get(sp + 32);
        return f;
    }
    // The protected-mode frame without a privilege change: [error] EIP CS EFLAGS.
    struct Frame32 {
        u32 error = 0, eip, cs, eflags;
    };
    Frame32 frame32(bool has_error) const {
        u64 sp = cpu.gpr(RSP) & 0xffffffff;
        Frame32 f;
        if (has_error) f.error = ram.get<u32>(sp), sp += 4;
        f.eip = ram.get<u32>(sp);
        f.cs = ram.get<u32>(sp + 4);
        f.eflags = ram.get<u32>(sp + 8);
        return f;
    }

    // Checks that an exception without a privilege change reached vector's HLT stub in 64-bit mode with
    // the frame of the instruction at `rip`.
    void expect_exception64(const StopInfo& stop, int vector, u64 rip, bool has_error, u64 error = 0) {
        EXPECT_EQ(stop.reason, StopReason::HaltedForever) << stop.message;
        EXPECT_EQ(handler_vector(cpu), vector);
        EXPECT_EQ(cpu.state().seg[CS].selector, kCode64Sel);
        EXPECT_EQ(cpu.gpr(RSP), kStackTop - (has_error ? 48 : 40));
        const Frame64 f = frame64(has_error);
        EXPECT_EQ(f.rip, rip);
        EXPECT_EQ(f.cs, kCode64Sel);
        EXPECT_EQ(f.rsp, kStackTop);
        EXPECT_EQ(f.ss, kDataSel);
        EXPECT_EQ(f.rflags & 0x2, 0x2u);
        if (has_error) {
            EXPECT_EQ(f.error, error);
        }
    }

    Ram ram;
    RecordingIo io;
    Cpu cpu;
};

// ---- 1. mode transitions ------------------------------------------------------------------------------

TEST_F(CpuSystemTest, ResetStateIsRealModeAtTheResetVector) {
    cpu.reset();
    const CpuState& s = cpu.state();
    EXPECT_EQ(s.seg[CS].selector, 0xf000);
    EXPECT_EQ(s.seg[CS].base, 0xffff0000u);
    EXPECT_EQ(cpu.rip(), 0xfff0u);
    EXPECT_EQ(s.cr0, 0x60000010u);
    EXPECT_EQ(s.efer, 0u);
    EXPECT_EQ(cpu.rflags(), 0x2u);
    EXPECT_EQ(cpu.gpr(RDX), 0x600u);
}

TEST_F(CpuSystemTest, RealToProtectedToLongModeAsAKernelDoes) {
    write_gdt(ram);
    write_page_tables64(ram);
    ram.set<u16>(0x8200, kGdtLimit); // GDT pointer for LGDT
    ram.set<u32>(0x8202, u32(kGdt));
    // Real mode at 0000:8000 (the reset vector is outside this RAM).
    cpu.reset();
    cpu.state().seg[CS] = Segment{0, 0, 0xffff, 0x9b};
    cpu.set_rip(0x8000);
    cpu.sync_state();
    ram.put(0x8000, {
                        0xfa,                         // cli
                        0x31, 0xc0,                   // xor ax,ax
                        0x8e, 0xd8,                   // mov ds,ax
                        0x8e, 0xd0,                   // mov ss,ax
                        0xbc, 0x00, 0x70,             // mov sp,0x7000
                        0x0f, 0x01, 0x16, 0x00, 0x82, // lgdtw ds:0x8200
                        0x0f, 0x20, 0xc0,             // mov eax,cr0
                        0x0c, 0x01,                   // or al,0x1
                        0x0f, 0x22, 0xc0,             // mov cr0,eax
                        0xea, 0x40, 0x80, 0x08, 0x00, // jmp 0x8:0x8040
                    });
    ram.put(0x8040, {
                        0x66, 0xb8, 0x10, 0x00,       // mov ax,0x10
                        0x8e, 0xd8,                   // mov ds,eax
                        0x8e, 0xc0,                   // mov es,eax
                        0x8e, 0xd0,                   // mov ss,eax
                        0xbc, 0x00, 0x00, 0x08, 0x00, // mov esp,0x80000
                        0xb8, 0x05, 0x00, 0x00, 0x00, // mov eax,0x5
                        0x48,                         // dec eax        (a REX.W prefix in 64-bit mode)
                        0x89, 0xc3,                   // mov ebx,eax
                        0x89, 0xde,                   // mov esi,ebx
                        0x0f, 0x20, 0xe0,             // mov eax,cr4
                        0x83, 0xc8, 0x20,             // or eax,0x20    (PAE)
                        0x0f, 0x22, 0xe0,             // mov cr4,eax
                        0xb8, 0x00, 0x00, 0x01, 0x00, // mov eax,0x10000
                        0x0f, 0x22, 0xd8,             // mov cr3,eax
                        0xb9, 0x80, 0x00, 0x00, 0xc0, // mov ecx,0xc0000080
                        0x0f, 0x32,                   // rdmsr
                        0x0d, 0x00, 0x01, 0x00, 0x00, // or eax,0x100   (EFER.LME)
                        0x0f, 0x30,                   // wrmsr
                        0x0f, 0x20, 0xc0,             // mov eax,cr0
                        0x0d, 0x00, 0x00, 0x00, 0x80, // or eax,0x80000000
                        0x0f, 0x22, 0xc0,             // mov cr0,eax
                        0xea, 0xa0, 0x80, 0x00, 0x00, 0x18, 0x00, // jmp 0x18:0x80a0
                    });
    ram.put(0x80a0,
            {
                0x48, 0xb8, 0xf0, 0xde, 0xbc, 0x9a, 0x78, 0x56, 0x34, 0x12, // movabs rax,0x123456789abcdef0
                0x48, 0x89, 0xc3,                                           // mov rbx,rax
                0x49, 0x89, 0xc0,                                           // mov r8,rax
                0x50,                                                       // push rax
                0xf4,                                                       // hlt
            });
    const CpuState& s = cpu.state();

    ASSERT_TRUE(step_until(0x8040));
    EXPECT_TRUE(s.cr0 & mmu::kCr0Pe);
    EXPECT_EQ(s.gdtr.base, kGdt);
    EXPECT_EQ(s.gdtr.limit, kGdtLimit);
    EXPECT_EQ(s.seg[CS].selector, kCode32Sel);
    EXPECT_TRUE(s.seg[CS].default_big());
    EXPECT_EQ(cpu.gpr(RSP) & 0xffff, 0x7000u);

    ASSERT_TRUE(step_until(0x8083)); // at the far jump to 64-bit code: compatibility mode
    EXPECT_EQ(s.seg[SS].selector, kDataSel);
    EXPECT_EQ(cpu.gpr(RSP), kStackTop);
    EXPECT_EQ(cpu.gpr(RSI), 4u) << "0x48 is DEC EAX outside 64-bit mode";
    EXPECT_TRUE(s.cr0 & mmu::kCr0Pg);
    EXPECT_TRUE(s.cr4 & mmu::kCr4Pae);
    EXPECT_EQ(s.cr3, kPml4);
    EXPECT_TRUE(s.efer & mmu::kEferLme);
    EXPECT_TRUE(s.efer & mmu::kEferLma) << "CR0.PG with EFER.LME activates IA-32e mode";
    EXPECT_FALSE(s.seg[CS].long_mode());

    const StopInfo stop = cpu.run(100);
    EXPECT_EQ(stop.reason, StopReason::HaltedForever);
    EXPECT_EQ(cpu.rip(), 0x80b2u);
    EXPECT_EQ(s.seg[CS].selector, kCode64Sel);
    EXPECT_TRUE(s.seg[CS].long_mode());
    EXPECT_EQ(cpu.gpr(RAX), 0x123456789abcdef0u);
    EXPECT_EQ(cpu.gpr(RBX), 0x123456789abcdef0u) << "0x48 is REX.W in 64-bit mode";
    EXPECT_EQ(cpu.gpr(R8), 0x123456789abcdef0u);
    EXPECT_EQ(cpu.gpr(RSP), kStackTop - 8) << "64-bit PUSH";
    EXPECT_EQ(ram.get(kStackTop - 8), 0x123456789abcdef0u);
}

// ---- 2. exceptions in long mode -----------------------------------------------------------------------

class LongModeTest : public CpuSystemTest {
  protected:
    void SetUp() override { enter_long_mode(cpu, ram); }
};

TEST_F(LongModeTest, DivideByZeroRaisesDeAtTheDivide) {
    const StopInfo stop = run_code({
        0x31, 0xc9, // xor ecx,ecx
        0xf7, 0xf1, // div ecx
    });
    expect_exception64(stop, kDE, kCode + 2, false);
    EXPECT_EQ(cpu.stats().exceptions, 1u);
}

// Watchpoints see what the CPU reads and writes by itself: the IDT gate and the exception frame.
TEST_F(LongModeTest, DebugHooksSeeTheImplicitAccessesOfAnExceptionDelivery) {
    struct Access {
        u64 linear;
        unsigned size;
        bool write;
    };
    struct RecordingHooks final : DebugHooks {
        std::vector<Access> accesses;
        void on_slice(unsigned) override {}
        void before_insn(unsigned) override {}
        void on_access(unsigned, u64 linear, unsigned size, bool write) override {
            accesses.push_back({linear, size, write});
        }
    } hooks;
    cpu.set_debug_hooks(&hooks, 0);
    cpu.set_debug_checks(false, true);
    expect_exception64(run_code({0x0f, 0x0b}), kUD, kCode, false); // ud2
    const u64 gate = cpu.state().idtr.base + u64(kUD) * 16;
    bool gate_read = false;
    u64 frame_bytes = 0;
    for (const Access& a : hooks.accesses) {
        gate_read |= !a.write && a.linear == gate;
        if (a.write && a.linear >= kStackTop - 40 && a.linear + a.size <= kStackTop) frame_bytes += a.size;
    }
    EXPECT_TRUE(gate_read) << "the IDT gate of #UD";
    EXPECT_EQ(frame_bytes, 40u) << "RIP, CS, RFLAGS, RSP and SS pushed";
    cpu.set_debug_hooks(nullptr, 0);
}

TEST_F(LongModeTest, Ud2RaisesUd) {
    expect_exception64(run_code({0x0f, 0x0b}), kUD, kCode, false); // ud2
}

TEST_F(LongModeTest, UnsupportedSseInstructionRaisesUdAndIsNamedOnce) {
    // #UD handler: skip the 3-byte instruction and return.
    ram.put(kHandlers + kUD * kHandlerStride, {
                                                  0x48, 0x83, 0x04, 0x24, 0x03, // add qword ptr [rsp],0x3
                                                  0x48, 0xcf,                   // iretq
                                              });
    testing::internal::CaptureStderr();
    const StopInfo stop = run_code({
        0x0f, 0x58, 0xc1, // addps xmm0,xmm1
        0x0f, 0x58, 0xc1, // addps xmm0,xmm1
        0xf4,             // hlt
    });
    const std::string err = testing::internal::GetCapturedStderr();
    EXPECT_EQ(stop.reason, StopReason::HaltedForever);
    EXPECT_EQ(cpu.rip(), kCode + 7);
    EXPECT_EQ(cpu.stats().exceptions, 2u);
    const auto first = err.find("addps");
    ASSERT_NE(first, std::string::npos) << err;
    EXPECT_EQ(err.find("addps", first + 1), std::string::npos) << "reported once: " << err;
    EXPECT_NE(err.find("#UD"), std::string::npos) << err;
}

TEST_F(LongModeTest, NonCanonicalLoadRaisesGp) {
    const StopInfo stop = run_code({
        0x48, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80, // movabs rax,0x8000000000000000
        0x48, 0x8b, 0x18,                                           // mov rbx,QWORD PTR [rax]
    });
    expect_exception64(stop, kGP, kCode + 10, true, 0);
}

TEST_F(LongModeTest, NonCanonicalStackDoubleFaultsOntoTheIstStack) {
    // PUSH with a non-canonical RSP raises #SS; its frame cannot be pushed on that stack either, so the
    // CPU raises #DF, whose gate switches to IST1 as a kernel's does.
    constexpr u64 kIst1 = 0x74000;
    ram.set<u64>(kTss + 36, kIst1);
    set_gate64(ram, kDF, kHandlers + kDF * kHandlerStride, kCode64Sel, 0xe, 0, true, /*ist=*/1);
    const StopInfo stop = run_code({
        0x48, 0xbc, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80, // movabs rsp,0x8000000000001000
        0x50,                                                       // push rax
    });
    EXPECT_EQ(stop.reason, StopReason::HaltedForever) << stop.message;
    EXPECT_EQ(handler_vector(cpu), kDF);
    EXPECT_EQ(cpu.gpr(RSP), kIst1 - 48);
    const Frame64 f = frame64(true);
    EXPECT_EQ(f.error, 0u);
    EXPECT_EQ(f.rip, kCode + 10);
    EXPECT_EQ(f.rsp, 0x8000000000001000u);
}

TEST_F(LongModeTest, WrmsrToUnknownMsrRaisesGp) {
    const StopInfo stop = run_code({
        0xb9, 0x78, 0x56, 0x34, 0x12, // mov ecx,0x12345678
        0x31, 0xc0,                   // xor eax,eax
        0x31, 0xd2,                   // xor edx,edx
        0x0f, 0x30,                   // wrmsr
    });
    expect_exception64(stop, kGP, kCode + 9, true, 0);
}

TEST_F(LongModeTest, MovToCr4WithReservedBitRaisesGp) {
    const u64 cr4 = cpu.state().cr4;
    const StopInfo stop = run_code({
        0x0f, 0x20, 0xe0,                   // mov rax,cr4
        0x48, 0x0d, 0x00, 0x80, 0x00, 0x00, // or rax,0x8000   (bit 15 is reserved)
        0x0f, 0x22, 0xe0,                   // mov cr4,rax
    });
    expect_exception64(stop, kGP, kCode + 9, true, 0);
    EXPECT_EQ(cpu.state().cr4, cr4);
}

TEST_F(LongModeTest, PageFaultOnNotPresentPage) {
    ram.set<u64>(pte64(kData), 0);
    const StopInfo stop =
        run_code({0x8b, 0x04, 0x25, 0x10, 0x00, 0x18, 0x00}); // mov eax,DWORD PTR ds:0x180010
    expect_exception64(stop, kPF, kCode, true, 0);
    EXPECT_EQ(cpu.state().cr2, kData + 0x10);
}

TEST_F(LongModeTest, PageFaultOnWriteToReadOnlyPageWithCr0Wp) {
    ram.set<u64>(pte64(kData), kData | kP | kUS);
    ram.set<u32>(kData, 0x1111);
    cpu.set_gpr(RAX, 0x2222);
    const StopInfo stop =
        run_code({0x89, 0x04, 0x25, 0x00, 0x00, 0x18, 0x00}); // mov DWORD PTR ds:0x180000,eax
    expect_exception64(stop, kPF, kCode, true, mmu::kPfPresent | mmu::kPfWrite);
    EXPECT_EQ(cpu.state().cr2, kData);
    EXPECT_EQ(ram.get<u32>(kData), 0x1111u);
}

// A read-modify-write ALU instruction checks the write before it changes anything, flags included.
TEST_F(LongModeTest, AddToAReadOnlyPageFaultsBeforeItChangesTheFlags) {
    ram.set<u64>(pte64(kData), kData | kP | kUS);
    ram.set<u32>(kData, 0xffffffff);
    cpu.set_gpr(RBX, kData);
    const StopInfo stop = run_code({
        0x31, 0xc0,       // xor eax,eax (ZF=1, CF=0)
        0x83, 0x03, 0x01, // add DWORD PTR [rbx],0x1 (would set CF, ZF)
    });
    expect_exception64(stop, kPF, kCode + 2, true, mmu::kPfPresent | mmu::kPfWrite);
    const u64 flags = frame64(true).rflags;
    EXPECT_TRUE(flags & kFlagZf);
    EXPECT_FALSE(flags & kFlagCf) << "the faulting ADD set no flags";
    EXPECT_TRUE(flags & kFlagPf) << "XOR's flags";
    EXPECT_EQ(ram.get<u32>(kData), 0xffffffffu);
}

TEST_F(LongModeTest, SupervisorWriteToReadOnlyPageSucceedsWithoutCr0Wp) {
    ram.set<u64>(pte64(kData), kData | kP | kUS);
    cpu.state().cr0 &= ~mmu::kCr0Wp;
    cpu.sync_state();
    cpu.set_gpr(RAX, 0x2222);
    const StopInfo stop = run_code({
        0x89, 0x04, 0x25, 0x00, 0x00, 0x18, 0x00, // mov DWORD PTR ds:0x180000,eax
        0xf4,                                     // hlt
    });
    EXPECT_EQ(stop.reason, StopReason::HaltedForever);
    EXPECT_EQ(cpu.rip(), kCode + 8);
    EXPECT_EQ(ram.get<u32>(kData), 0x2222u);
}

TEST_F(LongModeTest, PageFaultOnInstructionFetchFromNoExecutePage) {
    cpu.state().efer |= mmu::kEferNxe;
    cpu.sync_state();
    ram.set<u64>(pte64(kData), kData | kP | kRW | kXD);
    ram.set<u8>(kData, 0x90); // nop
    cpu.set_rip(kData);
    const StopInfo stop = cpu.run(10);
    expect_exception64(stop, kPF, kData, true, mmu::kPfPresent | mmu::kPfFetch);
    EXPECT_EQ(cpu.state().cr2, kData);
}

TEST_F(LongModeTest, UserAccessToSupervisorPageFaultsAndSwitchesToTheTssStack) {
    ram.set<u64>(pte64(kData), kData | kP | kRW); // supervisor only
    // Ring 0: IRETQ to ring 3 at kCode + 0x100 with the user stack at 0x60000.
    ram.put(kCode + 0x100, {0x8b, 0x04, 0x25, 0x10, 0x00, 0x18, 0x00}); // mov eax,DWORD PTR ds:0x180010
    const StopInfo stop = run_code({
        0x6a, 0x33,                   // push 0x33         (SS: user data, RPL 3)
        0x68, 0x00, 0x00, 0x06, 0x00, // push 0x60000      (RSP)
        0x6a, 0x02,                   // push 0x2          (RFLAGS)
        0x6a, 0x2b,                   // push 0x2b         (CS: user code64, RPL 3)
        0x68, 0x00, 0x01, 0x10, 0x00, // push 0x100100     (RIP)
        0x48, 0xcf,                   // iretq
    });
    EXPECT_EQ(stop.reason, StopReason::HaltedForever) << stop.message;
    EXPECT_EQ(handler_vector(cpu), kPF);
    EXPECT_EQ(cpu.state().seg[CS].selector, kCode64Sel);
    EXPECT_EQ(cpu.gpr(RSP), kRsp0 - 48) << "the handler runs on RSP0 from the TSS";
    const Frame64 f = frame64(true);
    EXPECT_EQ(f.error, mmu::kPfPresent | mmu::kPfUser);
    EXPECT_EQ(f.rip, kCode + 0x100);
    EXPECT_EQ(f.cs, kUserCode64Sel);
    EXPECT_EQ(f.rsp, 0x60000u);
    EXPECT_EQ(f.ss, kUserDataSel);
    EXPECT_EQ(cpu.state().cr2, kData + 0x10);
}

// SDM 17.3.1.4: with TF set at the start of an instruction, #DB is a trap after it, DR6.BS set. POPF that
// sets TF does not trap itself; the instruction after it does.
TEST_F(LongModeTest, SingleStepTrapsAfterTheFirstInstructionRunWithTf) {
    const StopInfo stop = run_code({
        0x9c,                                           // pushfq
        0x48, 0x81, 0x0c, 0x24, 0x00, 0x01, 0x00, 0x00, // or qword ptr [rsp],0x100
        0x9d,                                           // popfq            (sets TF)
        0x90,                                           // nop              (runs, then #DB)
        0x90,                                           // nop
    });
    expect_exception64(stop, kDB, kCode + 11, false);
    EXPECT_TRUE(cpu.state().dr[6] & (1u << 14)) << "DR6.BS";
    EXPECT_TRUE(frame64(false).rflags & 0x100) << "the pushed RFLAGS still has TF";
}

// SDM 2.5 (CR0.TS): x87/SSE instructions raise #NM while TS is set, so a kernel can switch FPU state
// lazily. smpsim models no FPU state: without TS they raise #UD.
TEST_F(LongModeTest, FpuInstructionWithCr0TsRaisesNm) {
    const StopInfo stop = run_code({
        0x0f, 0x20, 0xc0,       // mov rax,cr0
        0x48, 0x83, 0xc8, 0x08, // or rax,0x8  (TS)
        0x0f, 0x22, 0xc0,       // mov cr0,rax
        0xd9, 0xe8,             // fld1
    });
    expect_exception64(stop, kNM, kCode + 10, false);
}

TEST_F(LongModeTest, FpuInstructionWithoutCr0TsRaisesUd) {
    expect_exception64(run_code({0xd9, 0xe8}), kUD, kCode, false); // fld1
}

// SDM 6.15, interrupt 17: a misaligned data access at CPL 3 with CR0.AM and EFLAGS.AC set raises #AC(0).
TEST_F(LongModeTest, MisalignedUserAccessWithAmAndAcRaisesAc) {
    ram.set<u64>(pte64(kData), kData | kP | kRW | kUS);
    ram.put(kCode + 0x100,
            {
                0x8b, 0x04, 0x25, 0x10, 0x00, 0x18, 0x00, // mov eax,[0x180010]   aligned: fine
                0x8b, 0x04, 0x25, 0x11, 0x00, 0x18, 0x00, // mov eax,[0x180011]   misaligned: #AC
            });
    const StopInfo stop = run_code({
        0x0f, 0x20, 0xc0,             // mov rax,cr0
        0x48, 0x0f, 0xba, 0xe8, 0x12, // bts rax,18   (AM)
        0x0f, 0x22, 0xc0,             // mov cr0,rax
        0x6a, 0x33,                   // push 0x33         (SS)
        0x68, 0x00, 0x00, 0x06, 0x00, // push 0x60000      (RSP)
        0x68, 0x02, 0x00, 0x04, 0x00, // push 0x40002      (RFLAGS with AC)
        0x6a, 0x2b,                   // push 0x2b         (CS: user code64)
        0x68, 0x00, 0x01, 0x10, 0x00, // push 0x100100     (RIP)
        0x48, 0xcf,                   // iretq
    });
    EXPECT_EQ(stop.reason, StopReason::HaltedForever) << stop.message;
    EXPECT_EQ(handler_vector(cpu), kAC);
    const Frame64 f = frame64(true);
    EXPECT_EQ(f.error, 0u);
    EXPECT_EQ(f.rip, kCode + 0x107) << "the aligned load went through";
    EXPECT_EQ(f.cs, kUserCode64Sel);
}

// The same misaligned access at CPL 0 is not checked.
TEST_F(LongModeTest, MisalignedSupervisorAccessIsNotChecked) {
    const StopInfo stop = run_code({
        0x0f, 0x20, 0xc0,                         // mov rax,cr0
        0x48, 0x0f, 0xba, 0xe8, 0x12,             // bts rax,18   (AM)
        0x0f, 0x22, 0xc0,                         // mov cr0,rax
        0x68, 0x02, 0x00, 0x04, 0x00,             // push 0x40002
        0x9d,                                     // popfq (AC)
        0x8b, 0x04, 0x25, 0x11, 0x00, 0x18, 0x00, // mov eax,[0x180011]
        0xf4,                                     // hlt
    });
    EXPECT_EQ(stop.reason, StopReason::HaltedForever) << stop.message;
    EXPECT_EQ(cpu.stats().exceptions, 0u);
}

TEST_F(LongModeTest, SoftwareInterruptFromRing3ChecksTheGateDpl) {
    // INT3's gate is DPL 3: allowed from ring 3. INT 0x80's is DPL 0: #GP with the IDT error code.
    ram.put(kCode + 0x100, {0xcd, 0x80}); // int 0x80
    const StopInfo stop = run_code({
        0x6a, 0x33, 0x68, 0x00, 0x00, 0x06, 0x00, 0x6a, 0x02, // push 0x33; push 0x60000; push 0x2
        0x6a, 0x2b, 0x68, 0x00, 0x01, 0x10, 0x00, 0x48, 0xcf, // push 0x2b; push 0x100100; iretq
    });
    EXPECT_EQ(stop.reason, StopReason::HaltedForever);
    EXPECT_EQ(handler_vector(cpu), kGP);
    const Frame64 f = frame64(true);
    EXPECT_EQ(f.error, 0x80u * 8 + 2) << "IDT index, IDT bit";
    EXPECT_EQ(f.rip, kCode + 0x100);
    EXPECT_EQ(f.cs, kUserCode64Sel);

    // (New code at new addresses: RAM written behind the CPU's back is not seen by its decode cache.)
    cpu.reset();
    enter_long_mode(cpu, ram);
    ram.put(kCode + 0x300, {0xcc}); // int3
    EXPECT_EQ(
        run_at(kCode + 0x200,
               {
                   0x6a, 0x33, 0x68, 0x00, 0x00, 0x06, 0x00, 0x6a, 0x02, // push 0x33; push 0x60000; push 0x2
                   0x6a, 0x2b, 0x68, 0x00, 0x03, 0x10, 0x00, 0x48, 0xcf, // push 0x2b; push 0x100300; iretq
               })
            .reason,
        StopReason::HaltedForever);
    EXPECT_EQ(handler_vector(cpu), kBP);
    EXPECT_EQ(frame64(false).rip, kCode + 0x301);
    EXPECT_EQ(frame64(false).cs, kUserCode64Sel);
}

TEST_F(LongModeTest, FetchOfAnInstructionCrossingIntoANotPresentPageFaultsOnTheSecondPage) {
    ram.set<u64>(pte64(kData), 0);
    const StopInfo stop = run_at(
        kData - 8, {
                       0x90, 0x90, 0x90, 0x90, 0x90, // nop x5
                       0xb8, 0x01, 0x00, // mov eax,imm32: the immediate runs into the not-present kData
                   });
    // I/D stays 0: it is set only with EFER.NXE (or CR4.SMEP), SDM vol. 3, 4.7.
    expect_exception64(stop, kPF, kData - 3, true, 0);
    EXPECT_EQ(cpu.state().cr2, kData);
}

TEST_F(LongModeTest, Int3PushesTheAddressAfterTheInstruction) {
    expect_exception64(run_code({0xcc}), kBP, kCode + 1, false); // int3
}

TEST_F(LongModeTest, Int3HandlerReturnsWithIretq) {
    ram.put(kHandlers + kBP * kHandlerStride, {0x48, 0xcf}); // iretq
    const StopInfo stop = run_code({
        0xcc,                         // int3
        0xb8, 0x2a, 0x00, 0x00, 0x00, // mov eax,0x2a
        0xf4,                         // hlt
    });
    EXPECT_EQ(stop.reason, StopReason::HaltedForever);
    EXPECT_EQ(cpu.rip(), kCode + 7);
    EXPECT_EQ(cpu.gpr(RAX), 42u);
    EXPECT_EQ(cpu.gpr(RSP), kStackTop);
}

// #NM is never raised: the modelled CPU has no FPU/SSE state, and x87/SSE instructions raise #UD.
// #AC is not implemented (CR0.AM/EFLAGS.AC alignment checks are ignored), so it is not tested.

TEST_F(LongModeTest, PageFaultThroughNotPresentGateBecomesDoubleFault) {
    set_gate64(ram, kPF, kHandlers + kPF * kHandlerStride, kCode64Sel, 0xe, 0, /*present=*/false);
    ram.set<u64>(pte64(kData), 0);
    const StopInfo stop =
        run_code({0x8b, 0x04, 0x25, 0x10, 0x00, 0x18, 0x00}); // mov eax,DWORD PTR ds:0x180010
    expect_exception64(stop, kDF, kCode, true, 0);
    EXPECT_EQ(cpu.state().cr2, kData + 0x10);
}

TEST_F(LongModeTest, HandlerThatFaultsAgainLoopsOnlyUntilTheBudget) {
    // The #PF handler itself lives on a not-present page: every delivery faults again on its fetch, as
    // it would forever on hardware. run() must still return, and simulated time must advance.
    ram.set<u64>(pte64(kData), 0);
    set_gate64(ram, kPF, kData);
    const u64 cycles = cpu.stats().cycles;
    const StopInfo stop = run_code({0x8b, 0x04, 0x25, 0x10, 0x00, 0x18, 0x00}, 100); // mov eax,[0x180010]
    EXPECT_EQ(stop.reason, StopReason::InsnLimit);
    EXPECT_EQ(cpu.stats().exceptions, 101u) << "at most budget + 1 exceptions per run";
    EXPECT_EQ(cpu.stats().instructions, 0u) << "no instruction retired";
    EXPECT_GT(cpu.stats().cycles, cycles);
    EXPECT_EQ(cpu.rip(), kData);
    EXPECT_EQ(cpu.state().cr2, kData);
}

TEST_F(LongModeTest, NoValidIdtGivesTripleFaultWithRegisterDump) {
    cpu.state().idtr = {0, 0};
    cpu.set_gpr(R12, 0xfeedface12345678);
    const StopInfo stop = run_code({0x0f, 0x0b}); // ud2
    EXPECT_EQ(stop.reason, StopReason::TripleFault);
    EXPECT_NE(stop.message.find("triple fault"), std::string::npos) << stop.message;
    EXPECT_NE(stop.message.find("RIP:"), std::string::npos) << stop.message;
    EXPECT_NE(stop.message.find("feedface12345678"), std::string::npos) << stop.message;
    EXPECT_NE(stop.message.find("CR0:"), std::string::npos) << stop.message;
    EXPECT_EQ(cpu.stop_info().reason, StopReason::TripleFault);
}

// ---- 2b. exceptions in 32-bit protected mode ------------------------------------------------------------

class ProtectedModeTest : public CpuSystemTest {
  protected:
    void SetUp() override { enter_protected_mode(cpu, ram, /*paging=*/true); }
    void expect_exception32(const StopInfo& stop, int vector, u32 eip, bool has_error, u32 error = 0) {
        EXPECT_EQ(stop.reason, StopReason::HaltedForever) << stop.message;
        EXPECT_EQ(handler_vector(cpu), vector);
        EXPECT_EQ(cpu.gpr(RSP), kStackTop - (has_error ? 16 : 12));
        const Frame32 f = frame32(has_error);
        EXPECT_EQ(f.eip, eip);
        EXPECT_EQ(f.cs, kCode32Sel);
        EXPECT_EQ(f.eflags & 0x2, 0x2u);
        if (has_error) {
            EXPECT_EQ(f.error, error);
        }
    }
};

TEST_F(ProtectedModeTest, DivideByZeroPushesEipCsEflags) {
    expect_exception32(run_code({0x31, 0xc9, 0xf7, 0xf1}), kDE, kCode + 2, false); // xor ecx,ecx; div ecx
}

TEST_F(ProtectedModeTest, Ud2RaisesUd) {
    expect_exception32(run_code({0x0f, 0x0b}), kUD, kCode, false); // ud2
}

TEST_F(ProtectedModeTest, SegmentLoadBeyondGdtLimitRaisesGpWithSelector) {
    const StopInfo stop = run_code({
        0x66, 0xb8, 0x38, 0x12, // mov ax,0x1238
        0x8e, 0xd8,             // mov ds,eax
    });
    expect_exception32(stop, kGP, kCode + 4, true, 0x1238);
}

TEST_F(ProtectedModeTest, PageFaultOnNotPresentPageWithTwoLevelPaging) {
    ram.set<u32>(pte32(kData), 0);
    const StopInfo stop = run_code({0xa1, 0x10, 0x00, 0x18, 0x00}); // mov eax,ds:0x180010
    expect_exception32(stop, kPF, kCode, true, 0);
    EXPECT_EQ(cpu.state().cr2, kData + 0x10);
}

TEST_F(ProtectedModeTest, PageFaultOnWriteToReadOnlyPageWithTwoLevelPaging) {
    ram.set<u32>(pte32(kData), u32(kData | kP));
    const StopInfo stop = run_code({0xa3, 0x00, 0x00, 0x18, 0x00}); // mov ds:0x180000,eax
    expect_exception32(stop, kPF, kCode, true, mmu::kPfPresent | mmu::kPfWrite);
    EXPECT_EQ(cpu.state().cr2, kData);
}

TEST_F(ProtectedModeTest, UserPageFaultSwitchesToTheTssStack) {
    constexpr u64 kEsp0 = 0x74000;
    ram.set<u32>(kTss + 4, u32(kEsp0)); // 32-bit TSS: ESP0, SS0
    ram.set<u32>(kTss + 8, kDataSel);
    cpu.state().tr = Segment{kTssSel, kTss, 0x67, 0x8b};
    cpu.sync_state();
    ram.set<u32>(pte32(kData), u32(kData | kP | kRW));      // supervisor only
    ram.put(kCode + 0x100, {0xa1, 0x10, 0x00, 0x18, 0x00}); // mov eax,ds:0x180010
    const StopInfo stop = run_code({
        0x6a, 0x33,                   // push 0x33         (SS: user data, RPL 3)
        0x68, 0x00, 0x00, 0x06, 0x00, // push 0x60000      (ESP)
        0x6a, 0x02,                   // push 0x2          (EFLAGS)
        0x6a, 0x3b,                   // push 0x3b         (CS: user code32, RPL 3)
        0x68, 0x00, 0x01, 0x10, 0x00, // push 0x100100     (EIP)
        0xcf,                         // iretd
    });
    EXPECT_EQ(stop.reason, StopReason::HaltedForever) << stop.message;
    EXPECT_EQ(handler_vector(cpu), kPF);
    EXPECT_EQ(cpu.state().seg[SS].selector, kDataSel);
    EXPECT_EQ(cpu.gpr(RSP), kEsp0 - 24);
    const u64 sp = kEsp0 - 24;
    EXPECT_EQ(ram.get<u32>(sp), mmu::kPfPresent | mmu::kPfUser);
    EXPECT_EQ(ram.get<u32>(sp + 4), kCode + 0x100);
    EXPECT_EQ(ram.get<u32>(sp + 8), 0x3bu);
    EXPECT_EQ(ram.get<u32>(sp + 16), 0x60000u);
    EXPECT_EQ(ram.get<u32>(sp + 20), kUserDataSel);
    EXPECT_EQ(cpu.state().cr2, kData + 0x10);
}

TEST_F(ProtectedModeTest, SoftwareInterruptPushesTheNextEip) {
    expect_exception32(run_code({0xcd, 0x30}), 0x30, kCode + 2, false); // int 0x30
}

TEST_F(ProtectedModeTest, NoValidIdtGivesTripleFault) {
    cpu.state().idtr = {0, 0};
    const StopInfo stop = run_code({0x31, 0xc9, 0xf7, 0xf1}); // xor ecx,ecx; div ecx
    EXPECT_EQ(stop.reason, StopReason::TripleFault);
    EXPECT_NE(stop.message.find("RIP:"), std::string::npos) << stop.message;
}

// ---- 3. real-mode interrupts through the IVT ------------------------------------------------------------

TEST_F(CpuSystemTest, RealModeIntAndIretGoThroughTheIvt) {
    cpu.reset();
    cpu.state().seg[CS] = Segment{0x0800, 0x8000, 0xffff, 0x9b};
    cpu.set_rip(0);
    cpu.sync_state();
    ram.set<u32>(0x21 * 4, 0x01000500); // INT 21h -> 0100:0500
    ram.set<u32>(0 * 4, 0x00000600);    // #DE     -> 0000:0600
    ram.put(0x1500, {
                        0xbb, 0x34, 0x12, // mov bx,0x1234
                        0xcf,             // iret
                    });
    ram.put(0x0600, {
                        0xbe, 0xef, 0xbe, // mov si,0xbeef
                        0xf4,             // hlt
                    });
    ram.put(0x8000, {
                        0xbc, 0x00, 0x70, // mov sp,0x7000
                        0xfb,             // sti
                        0xcd, 0x21,       // int 0x21
                        0x89, 0xd9,       // mov cx,bx
                        0x31, 0xd2,       // xor dx,dx
                        0xb8, 0x01, 0x00, // mov ax,0x1
                        0x30, 0xdb,       // xor bl,bl
                        0xf6, 0xf3,       // div bl
                        0xf4,             // hlt
                    });
    ASSERT_EQ(cpu.run(3).reason, StopReason::InsnLimit);
    const CpuState& s = cpu.state();
    EXPECT_EQ(s.seg[CS].selector, 0x0100);
    EXPECT_EQ(s.seg[CS].base, 0x1000u);
    EXPECT_EQ(cpu.rip(), 0x0500u);
    EXPECT_FALSE(cpu.rflags() & kFlagIf) << "INT clears IF";
    EXPECT_EQ(cpu.gpr(RSP), 0x6ffau);
    EXPECT_EQ(ram.get<u16>(0x6ffa), 0x0006) << "IP after INT";
    EXPECT_EQ(ram.get<u16>(0x6ffc), 0x0800) << "CS";
    EXPECT_TRUE(ram.get<u16>(0x6ffe) & kFlagIf) << "FLAGS with IF";

    const StopInfo stop = cpu.run(100);
    EXPECT_EQ(stop.reason, StopReason::HaltedForever);
    EXPECT_EQ(cpu.gpr(RCX) & 0xffff, 0x1234u) << "IRET returned after INT";
    EXPECT_EQ(cpu.gpr(RSI) & 0xffff, 0xbeefu) << "#DE went through IVT entry 0";
    EXPECT_EQ(s.seg[CS].selector, 0);
    EXPECT_EQ(ram.get<u16>(0x6ffa), 0x000f) << "#DE pushes the IP of the DIV";
    EXPECT_EQ(ram.get<u16>(0x6ffc), 0x0800);
}

// ---- 4. HLT ---------------------------------------------------------------------------------------------

class FakePic final : public InterruptSource {
  public:
    bool has_pending() override { return pending; }
    u8 acknowledge() override {
        pending = false;
        ++acks;
        return vector;
    }
    bool pending = false;
    u8 vector = 0x40;
    int acks = 0;
};

TEST_F(LongModeTest, HltWithInterruptsDisabledHaltsForever) {
    const StopInfo stop = run_code({0xfa, 0xf4}); // cli; hlt
    EXPECT_EQ(stop.reason, StopReason::HaltedForever);
    EXPECT_FALSE(stop.message.empty());
    EXPECT_EQ(cpu.rip(), kCode + 2);
    EXPECT_EQ(cpu.run(10).reason, StopReason::HaltedForever) << "stays halted";
}

TEST_F(LongModeTest, HltWithInterruptsEnabledHaltsAndWakesOnAnInterrupt) {
    FakePic pic;
    cpu.set_interrupt_source(&pic);
    StopInfo stop = run_code({0xfb, 0xf4}); // sti; hlt
    EXPECT_EQ(stop.reason, StopReason::Halted);
    EXPECT_EQ(cpu.rip(), kCode + 2);
    EXPECT_EQ(cpu.run(10).reason, StopReason::Halted) << "nothing pending: still halted";

    pic.pending = true;
    cpu.interrupt_sink().set_intr(true);
    stop = cpu.run(10);
    EXPECT_EQ(stop.reason, StopReason::HaltedForever); // in the vector 0x40 stub, IF cleared by the gate
    EXPECT_EQ(handler_vector(cpu), 0x40);
    EXPECT_EQ(pic.acks, 1);
    EXPECT_EQ(cpu.stats().interrupts, 1u);
    const Frame64 f = frame64(false);
    EXPECT_EQ(f.rip, kCode + 2) << "returns after the HLT";
    EXPECT_TRUE(f.rflags & kFlagIf);
}

TEST_F(LongModeTest, StiHltTakesAnInterruptPendingAtStiOnlyAfterTheHlt) {
    // The STI shadow: the instruction after STI runs before a pending interrupt is recognised, so the
    // `sti; hlt` idle idiom cannot lose a wake-up (the interrupt returns after the HLT, not before it).
    FakePic pic;
    pic.pending = true;
    cpu.set_interrupt_source(&pic);
    cpu.interrupt_sink().set_intr(true);
    const StopInfo stop = run_code({0xfb, 0xf4, 0xf4}); // sti; hlt; hlt
    EXPECT_EQ(stop.reason, StopReason::HaltedForever);
    EXPECT_EQ(handler_vector(cpu), 0x40);
    EXPECT_EQ(frame64(false).rip, kCode + 2);
}

TEST_F(LongModeTest, InterruptIsTakenRightAfterTheInstructionFollowingSti) {
    FakePic pic;
    pic.pending = true;
    cpu.set_interrupt_source(&pic);
    cpu.interrupt_sink().set_intr(true);
    const StopInfo stop = run_code({
        0xfb,                         // sti
        0xb8, 0x01, 0x00, 0x00, 0x00, // mov eax,0x1
        0xb8, 0x02, 0x00, 0x00, 0x00, // mov eax,0x2
        0xf4,                         // hlt
    });
    EXPECT_EQ(stop.reason, StopReason::HaltedForever);
    EXPECT_EQ(handler_vector(cpu), 0x40);
    EXPECT_EQ(frame64(false).rip, kCode + 6);
    EXPECT_EQ(cpu.gpr(RAX), 1u);
}

TEST_F(LongModeTest, ExternalInterruptWithoutAValidIdtStopsBeforeAnyInstruction) {
    FakePic pic;
    pic.pending = true;
    cpu.set_interrupt_source(&pic);
    cpu.interrupt_sink().set_intr(true);
    cpu.state().idtr = {0, 0};
    cpu.set_rflags(kFlagIf);
    const StopInfo stop = run_code({0x90, 0x90, 0xf4}); // nop; nop; hlt
    EXPECT_EQ(stop.reason, StopReason::TripleFault);
    EXPECT_EQ(cpu.stats().instructions, 0u);
}

TEST_F(LongModeTest, NmiWakesACpuHaltedWithInterruptsDisabled) {
    const StopInfo stop = run_code({0xfa, 0xf4, 0xf4}); // cli; hlt; hlt
    ASSERT_EQ(stop.reason, StopReason::HaltedForever);
    cpu.interrupt_sink().raise_nmi();
    EXPECT_EQ(cpu.run(10).reason, StopReason::HaltedForever); // in the NMI stub
    EXPECT_EQ(handler_vector(cpu), 2);
    EXPECT_EQ(frame64(false).rip, kCode + 2);
}

TEST(CpuStartup, ApWaitsForSipiThenStartsInRealModeAtTheVector) {
    Ram ram(16u << 20);
    RecordingIo io;
    Cpu ap(ram, io, CpuConfig{.apic_id = 1, .bootstrap = false});
    ram.put(0x8000, {0xfa, 0xf4}); // cli; hlt
    EXPECT_EQ(ap.run(100).reason, StopReason::WaitForSipi);
    EXPECT_EQ(ap.run(100).reason, StopReason::WaitForSipi) << "still waiting";
    ap.interrupt_sink().raise_sipi(0x08);
    StopInfo stop = ap.run(100);
    EXPECT_EQ(stop.reason, StopReason::HaltedForever) << stop.message;
    EXPECT_EQ(ap.state().seg[CS].selector, 0x0800);
    EXPECT_EQ(ap.state().seg[CS].base, 0x8000u);
    EXPECT_EQ(ap.rip(), 2u);
    EXPECT_EQ(ap.stats().instructions, 2u);

    // INIT parks it again (from `cli; hlt`), the next SIPI restarts it.
    ap.interrupt_sink().raise_init();
    EXPECT_EQ(ap.run(100).reason, StopReason::WaitForSipi);
    ap.interrupt_sink().raise_sipi(0x08);
    stop = ap.run(100);
    EXPECT_EQ(stop.reason, StopReason::HaltedForever) << stop.message;
    EXPECT_EQ(ap.rip(), 2u);
    EXPECT_EQ(ap.stats().instructions, 4u);
}

// ---- 5. self-modifying code -----------------------------------------------------------------------------

TEST_F(LongModeTest, StoreIntoAnExecutedImmediateTakesEffect) {
    const StopInfo stop = run_code({
        0xb9, 0x03, 0x00, 0x00, 0x00,                                     // mov ecx,0x3
        0x31, 0xdb,                                                       // xor ebx,ebx
        0xb8, 0x01, 0x00, 0x00, 0x00,                                     // L: mov eax,0x1
        0x01, 0xc3,                                                       // add ebx,eax
        0xc7, 0x04, 0x25, 0x08, 0x00, 0x10, 0x00, 0x05, 0x00, 0x00, 0x00, // mov DWORD PTR ds:L+1,0x5
        0xff, 0xc9,                                                       // dec ecx
        0x75, 0xea,                                                       // jne L
        0xf4,                                                             // hlt
    });
    EXPECT_EQ(stop.reason, StopReason::HaltedForever);
    EXPECT_EQ(cpu.gpr(RBX), 1u + 5 + 5);
    EXPECT_GT(cpu.stats().smc_invalidations, 0u);
}

TEST_F(LongModeTest, StoreIntoTheNextInstructionTakesEffect) {
    // On the first pass the store writes data and the MOV after it runs as decoded; on the second the
    // store rewrites that MOV's immediate, and the new one must run, not the one decoded before (a run
    // loop that followed decoded instructions from one to the next would have to notice the drop).
    const StopInfo stop = run_code({
        0xb9, 0x02, 0x00, 0x00, 0x00, // mov ecx,0x2
        0xba, 0x00, 0x00, 0x18, 0x00, // mov edx,kData
        0x31, 0xdb,                   // xor ebx,ebx
        0x89, 0x0a,                   // L: mov DWORD PTR [rdx],ecx
        0xb8, 0x07, 0x00, 0x00, 0x00, // M: mov eax,0x7
        0x01, 0xc3,                   // add ebx,eax
        0xba, 0x0f, 0x00, 0x10, 0x00, // mov edx,M+1
        0xff, 0xc9,                   // dec ecx
        0x75, 0xee,                   // jne L
        0xf4,                         // hlt
    });
    EXPECT_EQ(stop.reason, StopReason::HaltedForever);
    EXPECT_EQ(cpu.gpr(RBX), 7u + 1);
    EXPECT_GT(cpu.stats().smc_invalidations, 0u);
}

TEST_F(LongModeTest, StoreIntoTheSecondPageOfACrossPageInstructionTakesEffect) {
    // MOV EAX, imm32 at 0x100ffd: its immediate occupies 0x100ffe..0x101001, across the page boundary.
    ram.put(kCode + 0xffd, {
                               0xb8, 0x01, 0x00, 0x00, 0x00, // X: mov eax,0x1
                               0xe9, 0x05, 0xf0, 0xff, 0xff, // jmp back
                           });
    const StopInfo stop = run_code({
        0xb9, 0x03, 0x00, 0x00, 0x00,                   // mov ecx,0x3
        0x31, 0xdb,                                     // xor ebx,ebx
        0xe9, 0xf1, 0x0f, 0x00, 0x00,                   // L: jmp X
        0x01, 0xc3,                                     // back: add ebx,eax
        0xc6, 0x04, 0x25, 0x00, 0x10, 0x10, 0x00, 0x01, // mov BYTE PTR ds:0x101000,0x1 (imm byte 2)
        0xff, 0xc9,                                     // dec ecx
        0x75, 0xed,                                     // jne L
        0xf4,                                           // hlt
    });
    EXPECT_EQ(stop.reason, StopReason::HaltedForever);
    EXPECT_EQ(cpu.rip(), kCode + 0x1b);
    EXPECT_EQ(cpu.gpr(RBX), 1u + 0x10001 + 0x10001);
    EXPECT_GT(cpu.stats().smc_invalidations, 0u);
}

TEST_F(LongModeTest, StoresBesideCodeInItsPageDropNoDecodedInstruction) {
    // A counter in the same 4 KiB page as the loop that increments it: only a store into bytes that a
    // decoded instruction came from is self-modifying code (as QEMU tracks it per byte, not per page).
    const StopInfo stop = run_code(
        {
            0xb9, 0xe8, 0x03, 0x00, 0x00,             // mov ecx,1000
            0xff, 0x04, 0x25, 0x00, 0x08, 0x10, 0x00, // L: inc DWORD PTR ds:0x100800
            0xc6, 0x04, 0x25, 0x19, 0x00, 0x10, 0x00, // mov BYTE PTR ds:0x100019,0x90 (the byte after hlt)
            0x90,                                     //
            0xff, 0xc9,                               // dec ecx
            0x75, 0xed,                               // jne L
            0xf4,                                     // hlt
        },
        10000);
    EXPECT_EQ(stop.reason, StopReason::HaltedForever) << stop.message;
    EXPECT_EQ(ram.get<u32>(kCode + 0x800), 1000u);
    EXPECT_EQ(ram.get<u8>(kCode + 0x19), 0x90u);
    EXPECT_EQ(cpu.stats().smc_invalidations, 0u);
}

TEST_F(LongModeTest, StoreIntoTheLastByteOfAnInstructionTakesEffect) {
    // The decoded bytes end exactly where the instruction ends: its last byte is code, the next is not.
    const StopInfo stop = run_code({
        0xb9, 0x02, 0x00, 0x00, 0x00,                   // mov ecx,0x2
        0x31, 0xdb,                                     // xor ebx,ebx
        0xb8, 0x01, 0x00, 0x00, 0x00,                   // L: mov eax,0x1
        0x01, 0xc3,                                     // add ebx,eax
        0xc6, 0x04, 0x25, 0x0b, 0x00, 0x10, 0x00, 0x01, // mov BYTE PTR ds:L+4,0x1 (imm's top byte)
        0xff, 0xc9,                                     // dec ecx
        0x75, 0xed,                                     // jne L
        0xf4,                                           // hlt
    });
    EXPECT_EQ(stop.reason, StopReason::HaltedForever) << stop.message;
    EXPECT_EQ(cpu.gpr(RBX), 1u + 0x01000001);
    EXPECT_EQ(cpu.stats().smc_invalidations, 2u); // one per store into the instruction's bytes
}

// ---- 5b. runs of decoded instructions ------------------------------------------------------------------
// The run loop executes the instructions that follow one another in a code page back to back, without
// the fetch path (CpuImpl::run_loop). A run is built once its instructions have been decoded, so these
// tests loop: the later passes run complete runs.

// A second machine beside the fixture's: the reference without runs, or a CPU with its own I/O.
struct SecondMachine {
    explicit SecondMachine(CpuConfig config, IoPortSpace* port_space = nullptr)
        : ram(16u << 20), cpu(ram, port_space ? *port_space : io, config) {
        enter_long_mode(cpu, ram);
    }
    Ram ram;
    RecordingIo io;
    Cpu cpu;
};

// Runs `code` at kCode on `cpu` (IF clear: the final HLT halts for good) in budgets of 1..7
// instructions, which end runs at every position, and checks after each budget that a CPU without runs,
// stepped one instruction at a time, is in the same state.
void run_in_budgets_against_single_steps(Cpu& cpu, Ram& ram, std::initializer_list<u8> code) {
    SecondMachine reference(CpuConfig{.decoded_runs = false});
    ram.put(kCode, code);
    reference.ram.put(kCode, code);
    cpu.set_rip(kCode);
    reference.cpu.set_rip(kCode);
    cpu.set_rflags(0x2);
    reference.cpu.set_rflags(0x2);
    u64 steps = 0;
    for (u64 budget = 1;; budget = budget % 7 + 1) {
        const StopInfo stop = cpu.run(budget);
        for (u64 i = 0; i < budget && reference.cpu.run(1).reason == StopReason::InsnLimit; ++i) {
        }
        steps += budget;
        ASSERT_EQ(cpu.rip(), reference.cpu.rip()) << "after " << steps << " instructions";
        for (unsigned r = 0; r < 16; ++r)
            ASSERT_EQ(cpu.gpr(r), reference.cpu.gpr(r)) << "register " << r << " after " << steps;
        ASSERT_EQ(cpu.rflags(), reference.cpu.rflags()) << "after " << steps;
        ASSERT_EQ(cpu.stats().instructions, reference.cpu.stats().instructions) << "after " << steps;
        ASSERT_EQ(cpu.stats().cycles, reference.cpu.stats().cycles);
        if (stop.reason != StopReason::InsnLimit) break;
    }
}

TEST_F(LongModeTest, RunsStoppedByTheInstructionLimitResumeWhereOneInstructionAtATimeWould) {
    // Budgets of 1..7 instructions end runs at every position; a CPU without runs, stepped one
    // instruction at a time, must be in the same state after each budget.
    const std::initializer_list<u8> code = {
        0xb9, 0x32, 0x00, 0x00, 0x00,             // mov ecx,50
        0x31, 0xc0,                               // xor eax,eax
        0x01, 0xc8,                               // L: add eax,ecx
        0x8d, 0x1c, 0x48,                         // lea ebx,[rax+rcx*2]
        0x31, 0xda,                               // xor edx,ebx
        0x6b, 0xf2, 0x03,                         // imul esi,edx,0x3
        0x89, 0x34, 0x25, 0x00, 0x00, 0x18, 0x00, // mov DWORD PTR ds:0x180000,esi
        0x03, 0x3c, 0x25, 0x00, 0x00, 0x18, 0x00, // add edi,DWORD PTR ds:0x180000
        0xc1, 0xe2, 0x03,                         // shl edx,0x3
        0xff, 0xc9,                               // dec ecx
        0x75, 0xe1,                               // jne L
        0xf4,                                     // hlt
    };
    ASSERT_NO_FATAL_FAILURE(run_in_budgets_against_single_steps(cpu, ram, code));
    EXPECT_EQ(cpu.stats().instructions, 2u + 50 * 9 + 1);
    EXPECT_EQ(cpu.gpr(RCX), 0u);
}

TEST_F(LongModeTest, FusedComparesAndBranchesStopExactlyAtTheInstructionLimit) {
    // In runs, CMP/TEST/SUB/AND with a register destination and the Jcc after it are one step
    // (fuse_alu_jcc). Budgets of 1..7 land between the two of every pair in turn: the limit must still
    // count each instruction, and the state match a CPU without runs stepped one at a time.
    const std::initializer_list<u8> code = {
        0xb9, 0x28, 0x00, 0x00, 0x00, // mov ecx,40
        0x31, 0xc0,                   // xor eax,eax
        0xbb, 0x07, 0x00, 0x00, 0x00, // mov ebx,7
        0x31, 0xd2,                   // xor edx,edx
        0x01, 0xc8,                   // L: add eax,ecx
        0x83, 0xf8, 0x64,             // cmp eax,100        (register, immediate, 32-bit)
        0x72, 0x02,                   // jb S
        0x29, 0xd8,                   // sub eax,ebx
        0x48, 0x85, 0xc0,             // S: test rax,rax    (register, register, 64-bit)
        0x74, 0x03,                   // je Z
        0x48, 0x01, 0xc2,             // add rdx,rax
        0x48, 0x39, 0xda,             // Z: cmp rdx,rbx
        0x7f, 0x00,                   // jg G               (taken or not, the same next address)
        0x25, 0xff, 0x03, 0x00, 0x00, // G: and eax,0x3ff
        0x75, 0x00,                   // jne N
        0x83, 0xe9, 0x01,             // N: sub ecx,1
        0x75, 0xde,                   // jne L
        0xf4,                         // hlt
    };
    ASSERT_NO_FATAL_FAILURE(run_in_budgets_against_single_steps(cpu, ram, code));
    EXPECT_EQ(cpu.gpr(RCX), 0u);
    EXPECT_GT(cpu.stats().instructions, 4u + 40 * 10) << "every iteration ran";
}

TEST_F(LongModeTest, StoreIntoTheTargetOfARunsBranchTakesEffect) {
    // The run that ends in the JMP rewrites the first instruction of the run the JMP goes to.
    const StopInfo stop = run_code({
        0xb9, 0x03, 0x00, 0x00, 0x00,             // mov ecx,0x3
        0x31, 0xdb,                               // xor ebx,ebx
        0x88, 0x0c, 0x25, 0x21, 0x00, 0x10, 0x00, // L: mov BYTE PTR ds:T+1,cl
        0xeb, 0x10,                               // jmp T
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0xb8, 0x00, 0x01, 0x00, 0x00, // T: mov eax,0x100
        0x01, 0xc3,                                                 // add ebx,eax
        0xff, 0xc9,                                                 // dec ecx
        0x75, 0xdc,                                                 // jne L
        0xf4,                                                       // hlt
    });
    EXPECT_EQ(stop.reason, StopReason::HaltedForever) << stop.message;
    EXPECT_EQ(cpu.gpr(RBX), 0x103u + 0x102 + 0x101);
}

TEST_F(LongModeTest, StoreByAnotherCpuIntoARunStoppedMidwayTakesEffect) {
    // CPU 0 stops inside a complete run (third pass, after the two NOPs); CPU 1, sharing the decode
    // cache, rewrites the MOV that comes next in that run; CPU 0 must run the new MOV.
    DecodeCache cache;
    Cpu cpu0(ram, io, cache, CpuConfig{.apic_id = 0});
    Cpu cpu1(ram, io, cache, CpuConfig{.apic_id = 1});
    enter_long_mode(cpu0, ram);
    enter_long_mode(cpu1, ram);
    ram.put(kCode, {
                       0xb9, 0x03, 0x00, 0x00, 0x00, // mov ecx,0x3
                       0x31, 0xdb,                   // xor ebx,ebx
                       0x90,                         // L: nop
                       0x90,                         // nop
                       0xb8, 0x01, 0x00, 0x00, 0x00, // M: mov eax,0x1
                       0x01, 0xc3,                   // add ebx,eax
                       0xff, 0xc9,                   // dec ecx
                       0x75, 0xf3,                   // jne L
                       0xf4,                         // hlt
                   });
    // In the same page: mov BYTE PTR ds:M+1,0x55; hlt
    ram.put(kCode + 0x800, {0xc6, 0x04, 0x25, 0x0a, 0x00, 0x10, 0x00, 0x55, 0xf4});
    cpu0.set_rip(kCode);
    cpu1.set_rip(kCode + 0x800);
    cpu0.set_rflags(0x2);
    cpu1.set_rflags(0x2);
    ASSERT_EQ(cpu0.run(2 + 6 + 6 + 2).reason, StopReason::InsnLimit);
    ASSERT_EQ(cpu0.rip(), kCode + 9);
    EXPECT_EQ(cpu1.run(10).reason, StopReason::HaltedForever);
    EXPECT_EQ(cpu0.run(100).reason, StopReason::HaltedForever);
    EXPECT_EQ(cpu0.gpr(RBX), 1u + 1 + 0x55);
}

// Port 0x80 writes raise an interrupt (through a FakePic) or an INIT on the n-th write.
class SignalOnOut final : public IoPortSpace {
  public:
    u32 in(u16, u32) override { return 0; }
    void out(u16, u32, u32) override {
        if (++writes != at_write || !cpu) return;
        if (init) {
            cpu->interrupt_sink().raise_init();
        } else {
            pic.pending = true;
            cpu->interrupt_sink().set_intr(true);
        }
    }
    Cpu* cpu = nullptr;
    FakePic pic;
    bool init = false;
    int at_write = 2;
    int writes = 0;
};

constexpr std::initializer_list<u8> kOutLoop = {
    0xfb,                                     // sti
    0xb9, 0x03, 0x00, 0x00, 0x00,             // mov ecx,0x3
    0xe6, 0x80,                               // L: out 0x80,al
    0xff, 0x04, 0x25, 0x00, 0x00, 0x18, 0x00, // inc DWORD PTR ds:0x180000
    0xff, 0xc9,                               // dec ecx
    0x75, 0xf3,                               // jne L
    0xf4,                                     // hlt
};

TEST_F(LongModeTest, InterruptRaisedByAnInstructionOfARunIsTakenRightAfterIt) {
    SignalOnOut port;
    port.at_write = 3; // the third pass runs a complete run
    SecondMachine m(CpuConfig{}, &port);
    port.cpu = &m.cpu;
    m.cpu.set_interrupt_source(&port.pic);
    m.ram.put(kCode, kOutLoop);
    m.cpu.set_rip(kCode);
    const StopInfo stop = m.cpu.run(1000);
    EXPECT_EQ(stop.reason, StopReason::HaltedForever) << stop.message;
    EXPECT_EQ(handler_vector(m.cpu), 0x40);
    EXPECT_EQ(m.ram.get(m.cpu.gpr(RSP)), kCode + 8) << "returns to the INC after the OUT";
    EXPECT_EQ(m.ram.get<u32>(kData), 2u) << "the INC after the third OUT has not run";
}

TEST_F(LongModeTest, InitRaisedByAnInstructionOfARunStopsTheCpuRightAfterIt) {
    SignalOnOut port;
    port.at_write = 3;
    port.init = true;
    SecondMachine m(CpuConfig{}, &port);
    port.cpu = &m.cpu;
    m.ram.put(kCode, kOutLoop);
    m.cpu.set_rip(kCode);
    const StopInfo stop = m.cpu.run(1000);
    EXPECT_EQ(stop.reason, StopReason::WaitForSipi) << stop.message;
    EXPECT_EQ(m.ram.get<u32>(kData), 2u) << "the INC after the third OUT has not run";
    EXPECT_EQ(m.cpu.stats().instructions, 2u + 4 + 4 + 1);
}

TEST_F(LongModeTest, SingleStepTrapsAfterTheFirstInstructionOfACompleteRun) {
    // The run at N is complete by the third pass, which sets TF just before it: #DB after one NOP.
    const StopInfo stop = run_code({
        0xb9, 0x03, 0x00, 0x00, 0x00,                   // mov ecx,0x3
        0x83, 0xf9, 0x01,                               // L: cmp ecx,0x1
        0x75, 0x0a,                                     // jne N
        0x9c,                                           // pushfq
        0x48, 0x81, 0x0c, 0x24, 0x00, 0x01, 0x00, 0x00, // or QWORD PTR [rsp],0x100
        0x9d,                                           // popfq (sets TF)
        0x90,                                           // N: nop
        0x90,                                           // nop
        0x90,                                           // nop
        0xff, 0xc9,                                     // dec ecx
        0x75, 0xea,                                     // jne L
        0xf4,                                           // hlt
    });
    expect_exception64(stop, kDB, kCode + 0x15, false);
    EXPECT_EQ(cpu.gpr(RCX), 1u);
}

// ---- 6. TLB maintenance seen through the CPU ----------------------------------------------------------

TEST_F(LongModeTest, ChangedPteIsIgnoredUntilInvlpg) {
    ram.set<u64>(pte64(kData), 0x190000 | kP | kRW);
    ram.set<u32>(0x190000, 0x1111);
    ram.set<u32>(0x191000, 0x2222);
    const StopInfo stop = run_code({
        0x8b, 0x04, 0x25, 0x00, 0x00, 0x18, 0x00, // mov eax,DWORD PTR ds:0x180000
        0x41, 0x89, 0xc0,                         // mov r8d,eax
        0x48, 0xc7, 0x04, 0x25, 0x00, 0x3c, 0x01, 0x00,
        0x03, 0x10, 0x19, 0x00,                         // mov QWORD PTR ds:0x13c00,0x191003
        0x8b, 0x04, 0x25, 0x00, 0x00, 0x18, 0x00,       // mov eax,DWORD PTR ds:0x180000
        0x41, 0x89, 0xc1,                               // mov r9d,eax
        0x0f, 0x01, 0x3c, 0x25, 0x00, 0x00, 0x18, 0x00, // invlpg BYTE PTR ds:0x180000
        0x8b, 0x04, 0x25, 0x00, 0x00, 0x18, 0x00,       // mov eax,DWORD PTR ds:0x180000
        0x41, 0x89, 0xc2,                               // mov r10d,eax
        0xf4,                                           // hlt
    });
    ASSERT_EQ(pte64(kData), 0x13c00u);
    EXPECT_EQ(stop.reason, StopReason::HaltedForever);
    EXPECT_EQ(cpu.gpr(R8), 0x1111u);
    EXPECT_EQ(cpu.gpr(R9), 0x1111u) << "stale TLB entry still used";
    EXPECT_EQ(cpu.gpr(R10), 0x2222u) << "INVLPG dropped it";
}

// The 64-bit PUSH/POP/CALL/RET handlers: PUSH RSP pushes the value before the push, POP RSP loads the
// value read, and an indirect CALL reads its target before pushing.
TEST_F(LongModeTest, PushPopCallAndRetOfRspAndThroughTheStackIn64BitMode) {
    const StopInfo stop = run_code({
        0x48, 0x89, 0xe3,                         // mov rbx,rsp
        0x54,                                     // push rsp
        0x41, 0x58,                               // pop r8
        0x48, 0x8d, 0x4c, 0x24, 0xc0,             // lea rcx,[rsp-0x40]
        0x51,                                     // push rcx
        0x5c,                                     // pop rsp
        0x49, 0x89, 0xe1,                         // mov r9,rsp
        0x48, 0x89, 0xdc,                         // mov rsp,rbx
        0x48, 0x8d, 0x05, 0x09, 0x00, 0x00, 0x00, // lea rax,[rip+0x9] (F)
        0x50,                                     // push rax
        0xff, 0x14, 0x24,                         // call QWORD PTR [rsp]
        0x4c, 0x8b, 0x14, 0x24,                   // mov r10,QWORD PTR [rsp]
        0xf4,                                     // hlt
        0x4c, 0x8b, 0x1c, 0x24,                   // F: mov r11,QWORD PTR [rsp]
        0x48, 0x89, 0xe6,                         // mov rsi,rsp
        0xc3,                                     // ret
    });
    EXPECT_EQ(stop.reason, StopReason::HaltedForever) << stop.message;
    const u64 top = cpu.gpr(RBX);
    EXPECT_EQ(cpu.gpr(R8), top) << "PUSH RSP pushes RSP as it was before the push";
    EXPECT_EQ(cpu.gpr(R9), top - 0x40) << "POP RSP loads the value read";
    EXPECT_EQ(cpu.gpr(R11), kCode + 30) << "the return address";
    EXPECT_EQ(cpu.gpr(RSI), top - 16);
    EXPECT_EQ(cpu.gpr(R10), kCode + 35) << "RET popped its address: [RSP] is F again";
    EXPECT_EQ(cpu.gpr(RSP), top - 8);
    EXPECT_EQ(cpu.rip(), kCode + 35);
}

// A run holds instructions of one address size (set once per run): an address-size prefix in the
// middle of straight-line code must still truncate its effective address, and the next instruction not.
// The loop's second pass runs as a run.
TEST_F(LongModeTest, AddressSizePrefixInARunTruncatesOnlyItsOwnAddress) {
    ram.set<u32>(kData + 0x10, 0x1234);
    const StopInfo stop = run_code({
        0x31, 0xf6,                                                 // xor esi,esi
        0xb9, 0x02, 0x00, 0x00, 0x00,                               // mov ecx,0x2
        0x48, 0xbb, 0x10, 0x00, 0x18, 0x00, 0x01, 0x00, 0x00, 0x00, // L: movabs rbx,0x100180010
        0x67, 0x8b, 0x03,                                           // mov eax,DWORD PTR [ebx]
        0x01, 0xc6,                                                 // add esi,eax
        0x48, 0x89, 0xdf,                                           // mov rdi,rbx
        0x48, 0xc1, 0xef, 0x20,                                     // shr rdi,0x20
        0x48, 0x8d, 0x14, 0x3b,                                     // lea rdx,[rbx+rdi*1]
        0xff, 0xc9,                                                 // dec ecx
        0x75, 0xe2,                                                 // jne L
        0xf4,                                                       // hlt
    });
    EXPECT_EQ(stop.reason, StopReason::HaltedForever) << stop.message;
    EXPECT_EQ(cpu.gpr(RSI), 2u * 0x1234) << "[ebx] is kData + 0x10 in both passes";
    EXPECT_EQ(cpu.gpr(RDX), 0x100180011u) << "LEA after it uses 64-bit addresses";
}

// REP MOVS/STOS copy runs of elements at once where the host TLB maps both pages: a destination one
// byte above the source must still replicate the first byte, as one element at a time does.
TEST_F(LongModeTest, RepMovsbOntoItsSourceOneByteUpReplicatesTheFirstByte) {
    ram.set<u8>(0x90000, 0xab);
    const StopInfo stop = run_code({
        0x48, 0xc7, 0xc7, 0x01, 0x00, 0x09, 0x00, // mov rdi,0x90001
        0x48, 0xc7, 0xc6, 0x00, 0x00, 0x09, 0x00, // mov rsi,0x90000
        0xb9, 0x64, 0x00, 0x00, 0x00,             // mov ecx,0x64
        0xf3, 0xa4,                               // rep movsb
        0xf4,                                     // hlt
    });
    EXPECT_EQ(stop.reason, StopReason::HaltedForever) << stop.message;
    for (u64 a = 0x90000; a <= 0x90064; ++a)
        ASSERT_EQ(ram.get<u8>(a), 0xab) << "at " << std::hex << a;
    EXPECT_EQ(ram.get<u8>(0x90065), 0u);
    EXPECT_EQ(cpu.gpr(RCX), 0u);
}

// ...and one that runs into a page that is not present faults on the first element there, with RCX,
// RSI and RDI counting the elements before it.
TEST_F(LongModeTest, RepMovsqIntoANotPresentPageFaultsAtTheFirstElementThere) {
    ram.set<u64>(pte64(kData), 0x190000 | kP | kRW);
    ram.set<u64>(pte64(kData + 0x1000), 0);
    ram.set<u64>(0x90000, 0x1111111111111111);
    ram.set<u64>(0x90008, 0x2222222222222222);
    const StopInfo stop = run_code({
        0x48, 0xc7, 0xc7, 0xf0, 0x0f, 0x18, 0x00, // mov rdi,0x180ff0
        0x48, 0xc7, 0xc6, 0x00, 0x00, 0x09, 0x00, // mov rsi,0x90000
        0xb9, 0x08, 0x00, 0x00, 0x00,             // mov ecx,0x8
        0xf3, 0x48, 0xa5,                         // rep movsq
        0xf4,                                     // hlt
    });
    expect_exception64(stop, kPF, kCode + 19, true, 2);
    EXPECT_EQ(cpu.state().cr2, kData + 0x1000);
    EXPECT_EQ(cpu.gpr(RCX), 6u);
    EXPECT_EQ(cpu.gpr(RSI), 0x90010u);
    EXPECT_EQ(cpu.gpr(RDI), kData + 0x1000);
    EXPECT_EQ(ram.get(0x190ff0), 0x1111111111111111u);
    EXPECT_EQ(ram.get(0x190ff8), 0x2222222222222222u);
}

// The code TLB keeps the code pages of recent fetches by linear page: a call into a page remapped since,
// or rewritten since, must run what is there now. (The callee's page, 0x181000, and the caller's have
// different code-TLB slots.)
class CodeTlbTest : public LongModeTest {
  protected:
    static constexpr u64 kCallee = kData + 0x1000;
    // Calls kCallee, runs `between`, calls kCallee again, and halts; R8 and R9 get the two calls' EAX.
    StopInfo call_twice_around(const std::vector<u8>& between) {
        std::vector<u8> code;
        const auto call = [&] {
            const u64 next = kCode + code.size() + 5;
            const u32 rel = u32(kCallee - next);
            code.insert(code.end(), {0xe8, u8(rel), u8(rel >> 8), u8(rel >> 16), u8(rel >> 24)});
        };
        call();
        code.insert(code.end(), {0x41, 0x89, 0xc0}); // mov r8d,eax
        code.insert(code.end(), between.begin(), between.end());
        call();
        code.insert(code.end(), {0x41, 0x89, 0xc1, 0xf4}); // mov r9d,eax; hlt
        ram.put(kCode, code);
        cpu.set_rip(kCode);
        return cpu.run(1000);
    }
};

TEST_F(CodeTlbTest, CallIntoACodePageRemappedWithInvlpgRunsTheNewPage) {
    ram.set<u64>(pte64(kCallee), 0x190000 | kP | kRW);
    ram.put(0x190000, {0xb8, 0x01, 0x00, 0x00, 0x00, 0xc3}); // mov eax,0x1; ret
    ram.put(0x191000, {0xb8, 0x02, 0x00, 0x00, 0x00, 0xc3}); // mov eax,0x2; ret
    const StopInfo stop = call_twice_around({
        0x48, 0xc7, 0x04, 0x25, 0x08, 0x3c, 0x01, 0x00,
        0x03, 0x10, 0x19, 0x00,                         // mov QWORD PTR ds:0x13c08,0x191003
        0x0f, 0x01, 0x3c, 0x25, 0x00, 0x10, 0x18, 0x00, // invlpg BYTE PTR ds:0x181000
    });
    EXPECT_EQ(stop.reason, StopReason::HaltedForever) << stop.message;
    EXPECT_EQ(cpu.gpr(R8), 1u);
    EXPECT_EQ(cpu.gpr(R9), 2u) << "INVLPG dropped the code page's translation";
}

TEST_F(CodeTlbTest, CallIntoACodePageRewrittenSinceRunsTheNewCode) {
    ram.set<u64>(pte64(kCallee), 0x190000 | kP | kRW);
    ram.put(0x190000, {0xb8, 0x01, 0x00, 0x00, 0x00, 0xc3}); // mov eax,0x1; ret
    const StopInfo stop =
        call_twice_around({0xc6, 0x04, 0x25, 0x01, 0x10, 0x18, 0x00, 0x07}); // mov BYTE PTR ds:0x181001,0x7
    EXPECT_EQ(stop.reason, StopReason::HaltedForever) << stop.message;
    EXPECT_EQ(cpu.gpr(R8), 1u);
    EXPECT_EQ(cpu.gpr(R9), 7u) << "the store dropped the callee's decoded page";
}

TEST_F(LongModeTest, Cr3WriteFlushesNonGlobalEntriesOnlyWhenPgeIsSet) {
    cpu.state().cr4 |= mmu::kCr4Pge;
    cpu.sync_state();
    ram.set<u64>(pte64(kData), 0x190000 | kP | kRW);
    ram.set<u64>(pte64(kData + 0x1000), 0x192000 | kP | kRW | kG);
    ram.set<u32>(0x190000, 0x1111);
    ram.set<u32>(0x191000, 0x2222);
    ram.set<u32>(0x192000, 0x3333);
    ram.set<u32>(0x193000, 0x4444);
    const StopInfo stop = run_code({
        0x8b, 0x04, 0x25, 0x00, 0x00, 0x18, 0x00, // mov eax,DWORD PTR ds:0x180000
        0x8b, 0x04, 0x25, 0x00, 0x10, 0x18, 0x00, // mov eax,DWORD PTR ds:0x181000
        0x48, 0xc7, 0x04, 0x25, 0x00, 0x3c, 0x01, 0x00,
        0x03, 0x10, 0x19, 0x00, // mov QWORD PTR ds:0x13c00,0x191003
        0x48, 0xc7, 0x04, 0x25, 0x08, 0x3c, 0x01, 0x00,
        0x03, 0x31, 0x19, 0x00,                         // mov QWORD PTR ds:0x13c08,0x193103
        0x0f, 0x20, 0xd8,                               // mov rax,cr3
        0x0f, 0x22, 0xd8,                               // mov cr3,rax
        0x44, 0x8b, 0x04, 0x25, 0x00, 0x00, 0x18, 0x00, // mov r8d,DWORD PTR ds:0x180000
        0x44, 0x8b, 0x0c, 0x25, 0x00, 0x10, 0x18, 0x00, // mov r9d,DWORD PTR ds:0x181000
        0x0f, 0x20, 0xe0,                               // mov rax,cr4
        0x25, 0x7f, 0xff, 0xff, 0xff,                   // and eax,0xffffff7f (PGE off)
        0x0f, 0x22, 0xe0,                               // mov cr4,rax
        0x44, 0x8b, 0x14, 0x25, 0x00, 0x10, 0x18, 0x00, // mov r10d,DWORD PTR ds:0x181000
        0xf4,                                           // hlt
    });
    EXPECT_EQ(stop.reason, StopReason::HaltedForever) << stop.message;
    EXPECT_EQ(cpu.gpr(R8), 0x2222u) << "MOV CR3 flushed the non-global entry";
    EXPECT_EQ(cpu.gpr(R9), 0x3333u) << "the global entry survived MOV CR3";
    EXPECT_EQ(cpu.gpr(R10), 0x4444u) << "clearing CR4.PGE flushes global entries too";
}

// ---- 7. port I/O, CPUID, RDTSC, FS/GS ------------------------------------------------------------------

TEST_F(LongModeTest, InAndOutReachThePortSpace) {
    const StopInfo stop = run_code({
        0xb0, 0x5a,                   // mov al,0x5a
        0xe6, 0x80,                   // out 0x80,al
        0x66, 0xba, 0xf8, 0x03,       // mov dx,0x3f8
        0x66, 0xb8, 0x34, 0x12,       // mov ax,0x1234
        0x66, 0xef,                   // out dx,ax
        0xb8, 0xef, 0xbe, 0xad, 0xde, // mov eax,0xdeadbeef
        0xef,                         // out dx,eax
        0xe4, 0x60,                   // in al,0x60
        0x49, 0x89, 0xc0,             // mov r8,rax
        0x66, 0xed,                   // in ax,dx
        0x49, 0x89, 0xc1,             // mov r9,rax
        0xed,                         // in eax,dx
        0x49, 0x89, 0xc2,             // mov r10,rax
        0xf4,                         // hlt
    });
    EXPECT_EQ(stop.reason, StopReason::HaltedForever);
    using A = RecordingIo::Access;
    EXPECT_EQ(io.outs, (std::vector<A>{{0x80, 1, 0x5a}, {0x3f8, 2, 0x1234}, {0x3f8, 4, 0xdeadbeef}}));
    EXPECT_EQ(io.ins, (std::vector<A>{{0x60, 1, RecordingIo::in_value(0x60) & 0xff},
                                      {0x3f8, 2, RecordingIo::in_value(0x3f8) & 0xffff},
                                      {0x3f8, 4, RecordingIo::in_value(0x3f8)}}));
    EXPECT_EQ(cpu.gpr(R8), 0xdeadbe00u | (RecordingIo::in_value(0x60) & 0xff)) << "IN AL keeps bits 8..63";
    EXPECT_EQ(cpu.gpr(R9), (cpu.gpr(R8) & ~0xffffull) | (RecordingIo::in_value(0x3f8) & 0xffff));
    EXPECT_EQ(cpu.gpr(R10), RecordingIo::in_value(0x3f8)) << "IN EAX zero-extends";
}

TEST_F(LongModeTest, PortIoAtCpl3AboveIoplRaisesGp) {
    ram.put(kCode + 0x100, {0xe6, 0x80}); // out 0x80,al
    const StopInfo stop = run_code({
        0x6a, 0x33, 0x68, 0x00, 0x00, 0x06, 0x00, 0x6a, 0x02, // push 0x33; push 0x60000; push 0x2
        0x6a, 0x2b, 0x68, 0x00, 0x01, 0x10, 0x00, 0x48, 0xcf, // push 0x2b; push 0x100100; iretq
    });
    EXPECT_EQ(stop.reason, StopReason::HaltedForever);
    EXPECT_EQ(handler_vector(cpu), kGP);
    EXPECT_TRUE(io.outs.empty());
}

TEST_F(LongModeTest, CpuidReportsTheModelledCpu) {
    // Each leaf in a fresh CPU state (HLT leaves the CPU halted until reset).
    auto leaf = [&](u32 l) {
        cpu.reset();
        enter_long_mode(cpu, ram);
        cpu.set_gpr(RAX, l);
        cpu.set_gpr(RCX, 0);
        EXPECT_EQ(run_code({0x0f, 0xa2, 0xf4}, 10).reason, StopReason::HaltedForever); // cpuid; hlt
        return std::array<u32, 4>{u32(cpu.gpr(RAX)), u32(cpu.gpr(RBX)), u32(cpu.gpr(RCX)), u32(cpu.gpr(RDX))};
    };
    auto str4 = [](const char* s) {
        return u32(u8(s[0])) | u32(u8(s[1])) << 8 | u32(u8(s[2])) << 16 | u32(u8(s[3])) << 24;
    };

    const auto l0 = leaf(0);
    EXPECT_EQ(l0[0], 7u) << "highest basic leaf";
    EXPECT_EQ(l0[1], str4("Genu"));
    EXPECT_EQ(l0[3], str4("ineI"));
    EXPECT_EQ(l0[2], str4("ntel"));

    const auto l1 = leaf(1);
    EXPECT_EQ(l1[0], 0x000106a5u);
    EXPECT_EQ(l1[1] >> 24, 3u) << "initial APIC ID from CpuConfig";
    EXPECT_EQ((l1[1] >> 8) & 0xff, 8u) << "CLFLUSH line size in qwords";
    EXPECT_EQ(l1[2], 1u << 13) << "CMPXCHG16B only: no SSE3, no x2APIC, no hypervisor bit";
    const u32 expected_edx = (1u << 3) | (1u << 4) | (1u << 5) | (1u << 6) | (1u << 8) | (1u << 9) |
                             (1u << 13) | (1u << 15) | (1u << 16) | (1u << 19);
    EXPECT_EQ(l1[3], expected_edx) << "PSE TSC MSR PAE CX8 APIC PGE CMOV PAT CLFSH; no FPU, no SSE";

    const auto ext = leaf(0x80000001);
    EXPECT_EQ(ext[2], 1u) << "LAHF/SAHF in 64-bit mode";
    EXPECT_EQ(ext[3], (1u << 20) | (1u << 26) | (1u << 27) | (1u << 29)) << "NX 1G-pages RDTSCP LM";

    EXPECT_EQ(leaf(0x80000000)[0], 0x80000008u);
    EXPECT_EQ(leaf(0x80000008)[0] & 0xff, mmu::kMaxPhysAddrBits);
}

TEST_F(LongModeTest, RdtscIncreases) {
    const StopInfo stop = run_code({
        0x0f, 0x31,       // rdtsc
        0x41, 0x89, 0xc0, // mov r8d,eax
        0x41, 0x89, 0xd1, // mov r9d,edx
        0x90,             // nop
        0x90,             // nop
        0x0f, 0x31,       // rdtsc
        0xf4,             // hlt
    });
    EXPECT_EQ(stop.reason, StopReason::HaltedForever);
    const u64 first = (cpu.gpr(R9) << 32) | cpu.gpr(R8);
    const u64 second = (cpu.gpr(RDX) << 32) | cpu.gpr(RAX);
    EXPECT_GT(second, first);
    EXPECT_LE(cpu.gpr(RAX), 0xffffffffu) << "RDTSC zero-extends into RAX";
}

TEST_F(LongModeTest, FsGsBaseMsrsAndSwapgsAffectSegmentRelativeLoads) {
    for (u64 page = 0; page < 4; ++page)
        ram.set<u64>(kData + page * 0x1000 + 8, 0xaaaa0000 + page);
    const StopInfo stop = run_code({
        0xb9, 0x00, 0x01, 0x00, 0xc0,                         // mov ecx,0xc0000100   (FS_BASE)
        0xb8, 0x00, 0x00, 0x18, 0x00,                         // mov eax,0x180000
        0x31, 0xd2,                                           // xor edx,edx
        0x0f, 0x30,                                           // wrmsr
        0xb9, 0x01, 0x01, 0x00, 0xc0,                         // mov ecx,0xc0000101   (GS_BASE)
        0xb8, 0x00, 0x10, 0x18, 0x00,                         // mov eax,0x181000
        0x0f, 0x30,                                           // wrmsr
        0xb9, 0x02, 0x01, 0x00, 0xc0,                         // mov ecx,0xc0000102   (KERNEL_GS_BASE)
        0xb8, 0x00, 0x20, 0x18, 0x00,                         // mov eax,0x182000
        0x0f, 0x30,                                           // wrmsr
        0x64, 0x4c, 0x8b, 0x04, 0x25, 0x08, 0x00, 0x00, 0x00, // mov r8,QWORD PTR fs:0x8
        0x65, 0x4c, 0x8b, 0x0c, 0x25, 0x08, 0x00, 0x00, 0x00, // mov r9,QWORD PTR gs:0x8
        0x0f, 0x01, 0xf8,                                     // swapgs
        0x65, 0x4c, 0x8b, 0x14, 0x25, 0x08, 0x00, 0x00, 0x00, // mov r10,QWORD PTR gs:0x8
        0xb9, 0x02, 0x01, 0x00, 0xc0,                         // mov ecx,0xc0000102
        0x0f, 0x32,                                           // rdmsr
        0x41, 0x89, 0xc3,                                     // mov r11d,eax
        0x0f, 0x01, 0xf8,                                     // swapgs
        0x65, 0x4c, 0x8b, 0x24, 0x25, 0x08, 0x00, 0x00, 0x00, // mov r12,QWORD PTR gs:0x8
        0x0f, 0x20, 0xe0,                                     // mov rax,cr4
        0x0d, 0x00, 0x00, 0x01, 0x00,                         // or eax,0x10000       (FSGSBASE)
        0x0f, 0x22, 0xe0,                                     // mov cr4,rax
        0xb8, 0x00, 0x30, 0x18, 0x00,                         // mov eax,0x183000
        0xf3, 0x48, 0x0f, 0xae, 0xd0,                         // wrfsbase rax
        0x64, 0x4c, 0x8b, 0x2c, 0x25, 0x08, 0x00, 0x00, 0x00, // mov r13,QWORD PTR fs:0x8
        0xf4,                                                 // hlt
    });
    EXPECT_EQ(stop.reason, StopReason::HaltedForever) << stop.message;
    EXPECT_EQ(cpu.gpr(R8), 0xaaaa0000u);
    EXPECT_EQ(cpu.gpr(R9), 0xaaaa0001u);
    EXPECT_EQ(cpu.gpr(R10), 0xaaaa0002u) << "SWAPGS brought in KERNEL_GS_BASE";
    EXPECT_EQ(cpu.gpr(R11), 0x181000u) << "and put the old GS base in KERNEL_GS_BASE";
    EXPECT_EQ(cpu.gpr(R12), 0xaaaa0001u) << "a second SWAPGS swaps back";
    EXPECT_EQ(cpu.gpr(R13), 0xaaaa0003u) << "WRFSBASE";
    EXPECT_EQ(cpu.state().seg[FS].base, 0x183000u);
    EXPECT_EQ(cpu.state().kernel_gs_base, 0x182000u);
}

TEST_F(LongModeTest, SwapgsOutsideRing0RaisesGp) {
    ram.put(kCode + 0x100, {0x0f, 0x01, 0xf8}); // swapgs
    const StopInfo stop = run_code({
        0x6a, 0x33, 0x68, 0x00, 0x00, 0x06, 0x00, 0x6a, 0x02, // push 0x33; push 0x60000; push 0x2
        0x6a, 0x2b, 0x68, 0x00, 0x01, 0x10, 0x00, 0x48, 0xcf, // push 0x2b; push 0x100100; iretq
    });
    EXPECT_EQ(stop.reason, StopReason::HaltedForever);
    EXPECT_EQ(handler_vector(cpu), kGP);
    EXPECT_EQ(frame64(true).rip, kCode + 0x100);
}

} // namespace
} // namespace smpsim::cpu::test
