// Architectural state of one x86-64 CPU: registers, segments with their hidden parts, control registers
// and MSRs. Plain data; the interpreter in cpu.h owns the behaviour.
#pragma once
#include "sim/core/types.h"

namespace smpsim::cpu {

enum Gpr : u8 { RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8, R9, R10, R11, R12, R13, R14, R15 };
enum SegReg : u8 { ES, CS, SS, DS, FS, GS, kSegCount };

// RFLAGS bits.
inline constexpr u64 kFlagCf = 1ull << 0;
inline constexpr u64 kFlagPf = 1ull << 2;
inline constexpr u64 kFlagAf = 1ull << 4;
inline constexpr u64 kFlagZf = 1ull << 6;
inline constexpr u64 kFlagSf = 1ull << 7;
inline constexpr u64 kFlagTf = 1ull << 8;
inline constexpr u64 kFlagIf = 1ull << 9;
inline constexpr u64 kFlagDf = 1ull << 10;
inline constexpr u64 kFlagOf = 1ull << 11;
inline constexpr u64 kFlagIopl = 3ull << 12;
inline constexpr u64 kFlagNt = 1ull << 14;
inline constexpr u64 kFlagRf = 1ull << 16;
inline constexpr u64 kFlagVm = 1ull << 17;
inline constexpr u64 kFlagAc = 1ull << 18;
inline constexpr u64 kFlagId = 1ull << 21;
inline constexpr u64 kArithFlags = kFlagCf | kFlagPf | kFlagAf | kFlagZf | kFlagSf | kFlagOf;

// A segment register with the descriptor fields the CPU caches when it is loaded.
struct Segment {
    u16 selector = 0;
    u64 base = 0;
    u32 limit = 0xffff;
    // Descriptor attribute bits 40..47 and 52..55 packed as in VMX: type(4) s(1) dpl(2) p(1), then
    // avl(1) l(1) db(1) g(1) at bits 12..15.
    u16 attrs = 0x93;
    bool present() const { return attrs & 0x80; }
    bool long_mode() const { return attrs & 0x2000; }   // L bit of a code segment
    bool default_big() const { return attrs & 0x4000; } // D/B bit
    u8 dpl() const { return (attrs >> 5) & 3; }
};

struct DescriptorTable {
    u64 base = 0;
    u32 limit = 0xffff;
};

// MSR numbers the CPU implements.
inline constexpr u32 kMsrApicBase = 0x1b;
inline constexpr u32 kMsrTsc = 0x10;
inline constexpr u32 kMsrPat = 0x277;
inline constexpr u32 kMsrEfer = 0xc0000080;
inline constexpr u32 kMsrStar = 0xc0000081;
inline constexpr u32 kMsrLstar = 0xc0000082;
inline constexpr u32 kMsrCstar = 0xc0000083;
inline constexpr u32 kMsrFmask = 0xc0000084;
inline constexpr u32 kMsrFsBase = 0xc0000100;
inline constexpr u32 kMsrGsBase = 0xc0000101;
inline constexpr u32 kMsrKernelGsBase = 0xc0000102;
inline constexpr u32 kMsrTscAux = 0xc0000103;

struct CpuState {
    u64 gpr[16] = {};
    u64 rip = 0;
    Segment seg[kSegCount];
    DescriptorTable gdtr, idtr;
    Segment ldtr, tr;
    u64 cr0 = 0x60000010;
    u64 cr2 = 0;
    u64 cr3 = 0;
    u64 cr4 = 0;
    u64 cr8 = 0;
    u64 efer = 0;
    u64 dr[8] = {0, 0, 0, 0, 0, 0, 0xffff0ff0, 0x400};
    u64 apic_base = 0xfee00900; // BSP flag set; APs clear it
    u64 pat = 0x0007040600070406ull;
    u64 star = 0, lstar = 0, cstar = 0, fmask = 0;
    u64 kernel_gs_base = 0;
    u64 tsc_aux = 0;
    u64 tsc_offset = 0;
};

} // namespace smpsim::cpu
