// A bare machine for CPU unit tests: flat RAM behind a MemoryPort, a port space that records what the
// guest does, and builders for the GDT, IDT, TSS and page tables the tests place in that RAM.
#pragma once
#include "sim/core/memory_port.h"
#include "sim/cpu/cpu.h"
#include "sim/mmu/paging.h"

#include <cstring>
#include <initializer_list>
#include <vector>

namespace smpsim::cpu::test {

// Physical (and, under the identity map, linear) layout of test RAM.
inline constexpr u64 kGdt = 0x1000;
inline constexpr u64 kIdt = 0x2000; // 256 gates of 16 bytes (long mode) or 8 bytes (protected mode)
inline constexpr u64 kTss = 0x3000;
inline constexpr u64 kPml4 = 0x10000; // 4-level tables: PML4, PDPT, PD, one PT for the first 2 MiB
inline constexpr u64 kPdpt = 0x11000;
inline constexpr u64 kPd = 0x12000;
inline constexpr u64 kPt = 0x13000;
inline constexpr u64 kPd32 = 0x14000; // 32-bit paging: page directory and one PT for the first 4 MiB
inline constexpr u64 kPt32 = 0x15000;
inline constexpr u64 kHandlers = 0x20000; // exception handler of vector v at kHandlers + 16 * v: HLT
inline constexpr u64 kHandlerStride = 16;
inline constexpr u64 kRsp0 = 0x70000; // ring-0 stack of the TSS
inline constexpr u64 kStackTop = 0x80000;
inline constexpr u64 kCode = 0x100000;
inline constexpr u64 kData = 0x180000; // 4K-mapped data pages for paging tests

// GDT selectors.
inline constexpr u16 kCode32Sel = 0x08;
inline constexpr u16 kDataSel = 0x10;
inline constexpr u16 kCode64Sel = 0x18;
inline constexpr u16 kUserCode64Sel = 0x28 | 3;
inline constexpr u16 kUserDataSel = 0x30 | 3;
inline constexpr u16 kTssSel = 0x40;
inline constexpr u32 kGdtLimit = 0x4f;

// Paging-structure entry bits.
inline constexpr u64 kP = mmu::kEntP, kRW = mmu::kEntRw, kUS = mmu::kEntUs, kPS = mmu::kEntPs,
                     kG = mmu::kEntG, kXD = mmu::kEntXd;

class Ram final : public MemoryPort {
  public:
    explicit Ram(std::size_t size) : bytes(size) {}

    MemoryResult read(u64 paddr, void* dst, u32 size, AccessKind) override {
        if (!in_range(paddr, size)) return {false, 0};
        std::memcpy(dst, bytes.data() + paddr, size);
        return {true, 0};
    }
    MemoryResult write(u64 paddr, const void* src, u32 size, AccessKind) override {
        if (!in_range(paddr, size)) return {false, 0};
        std::memcpy(bytes.data() + paddr, src, size);
        return {true, 0};
    }
    u8* direct_page(u64 paddr) override {
        return paddr < bytes.size() ? bytes.data() + (paddr & ~0xfffull) : nullptr;
    }

    void put(u64 addr, std::initializer_list<u8> code) {
        std::memcpy(bytes.data() + addr, code.begin(), code.size());
    }
    void put(u64 addr, const std::vector<u8>& code) {
        std::memcpy(bytes.data() + addr, code.data(), code.size());
    }
    template <typename T> void set(u64 addr, T v) { std::memcpy(bytes.data() + addr, &v, sizeof v); }
    template <typename T = u64> T get(u64 addr) const {
        T v;
        std::memcpy(&v, bytes.data() + addr, sizeof v);
        return v;
    }

    std::vector<u8> bytes;

  private:
    bool in_range(u64 paddr, u32 size) const { return paddr < bytes.size() && bytes.size() - paddr >= size; }
};

// Records port writes and reads; IN returns a value derived from the port so tests can check it.
class RecordingIo final : public IoPortSpace {
  public:
    struct Access {
        u16 port;
        u32 size;
        u32 value;
        bool operator==(const Access&) const = default;
    };
    static u32 in_value(u16 port) { return 0xa1b2c3d4u ^ port; }

    u32 in(u16 port, u32 size) override {
        const u32 v = in_value(port) & (size == 4 ? ~0u : (1u << (size * 8)) - 1);
        ins.push_back({port, size, v});
        return v;
    }
    void out(u16 port, u32 size, u32 value) override { outs.push_back({port, size, value}); }

    std::vector<Access> ins, outs;
};

// ---- descriptor tables ------------------------------------------------------------------------------

inline u64 segment_descriptor(u32 base, u32 limit, u16 type_attrs /* bits 40..47 */,
                              u8 flags /* G D L AVL */) {
    return (limit & 0xffff) | (u64(base & 0xffffff) << 16) | (u64(type_attrs & 0xff) << 40) |
           (u64((limit >> 16) & 0xf) << 48) | (u64(flags & 0xf) << 52) | (u64(base >> 24) << 56);
}

// Flat GDT with 32-bit and 64-bit code, data, user segments and a 64-bit TSS descriptor.
inline void write_gdt(Ram& ram) {
    ram.set<u64>(kGdt + 0x00, 0);
    ram.set<u64>(kGdt + 0x08, segment_descriptor(0, 0xfffff, 0x9a, 0xc)); // code32, DPL 0
    ram.set<u64>(kGdt + 0x10, segment_descriptor(0, 0xfffff, 0x92, 0xc)); // data, DPL 0
    ram.set<u64>(kGdt + 0x18, segment_descriptor(0, 0xfffff, 0x9a, 0xa)); // code64 (L = 1), DPL 0
    ram.set<u64>(kGdt + 0x20, 0);
    ram.set<u64>(kGdt + 0x28, segment_descriptor(0, 0xfffff, 0xfa, 0xa));    // code64, DPL 3
    ram.set<u64>(kGdt + 0x30, segment_descriptor(0, 0xfffff, 0xf2, 0xc));    // data, DPL 3
    ram.set<u64>(kGdt + 0x38, segment_descriptor(0, 0xfffff, 0xfa, 0xc));    // code32, DPL 3
    ram.set<u64>(kGdt + 0x40, segment_descriptor(u32(kTss), 0x67, 0x89, 0)); // 64-bit TSS, available
    ram.set<u64>(kGdt + 0x48, 0);                                            // TSS base bits 63..32
    ram.set<u64>(kTss + 4, kRsp0);                                           // RSP0 (64-bit TSS)
}

inline void set_gate64(Ram& ram, unsigned vector, u64 handler, u16 selector = kCode64Sel, u8 type = 0xe,
                       u8 dpl = 0, bool present = true, u8 ist = 0) {
    const u64 lo = (handler & 0xffff) | (u64(selector) << 16) | (u64(ist & 7) << 32) | (u64(type) << 40) |
                   (u64(dpl) << 45) | (u64(present) << 47) | (((handler >> 16) & 0xffff) << 48);
    ram.set<u64>(kIdt + vector * 16, lo);
    ram.set<u64>(kIdt + vector * 16 + 8, handler >> 32);
}

inline void set_gate32(Ram& ram, unsigned vector, u32 handler, u16 selector = kCode32Sel, u8 type = 0xe,
                       u8 dpl = 0, bool present = true) {
    const u64 lo = (handler & 0xffff) | (u64(selector) << 16) | (u64(type) << 40) | (u64(dpl) << 45) |
                   (u64(present) << 47) | (u64(handler >> 16) << 48);
    ram.set<u64>(kIdt + vector * 8, lo);
}

// Every vector gets an interrupt gate to its own HLT stub; vectors 3 and 4 (INT3, INTO) are DPL 3.
inline void write_handlers(Ram& ram) {
    for (unsigned v = 0; v < 256; ++v) {
        ram.set<u8>(kHandlers + v * kHandlerStride, 0xf4); // hlt
    }
}
inline void write_idt64(Ram& ram) {
    write_handlers(ram);
    for (unsigned v = 0; v < 256; ++v)
        set_gate64(ram, v, kHandlers + v * kHandlerStride, kCode64Sel, 0xe, (v == 3 || v == 4) ? 3 : 0);
}
inline void write_idt32(Ram& ram) {
    write_handlers(ram);
    for (unsigned v = 0; v < 256; ++v)
        set_gate32(ram, v, u32(kHandlers + v * kHandlerStride), kCode32Sel, 0xe, (v == 3 || v == 4) ? 3 : 0);
}

// ---- page tables ------------------------------------------------------------------------------------

// 4-level identity map of the first 16 MiB: 4K pages below 2 MiB (one PT at kPt), 2M pages above.
inline void write_page_tables64(Ram& ram) {
    std::memset(ram.bytes.data() + kPml4, 0, 0x4000);
    ram.set<u64>(kPml4, kPdpt | kP | kRW | kUS);
    ram.set<u64>(kPdpt, kPd | kP | kRW | kUS);
    ram.set<u64>(kPd, kPt | kP | kRW | kUS);
    for (u64 i = 0; i < 512; ++i)
        ram.set<u64>(kPt + i * 8, (i << 12) | kP | kRW | kUS);
    for (u64 i = 1; i < 8; ++i)
        ram.set<u64>(kPd + i * 8, (i << 21) | kP | kRW | kUS | kPS);
}
inline u64 pte64(u64 lin) {
    return kPt + (lin >> 12) * 8;
} // for lin below 2 MiB

// 32-bit paging identity map of the first 16 MiB: 4K pages below 4 MiB, 4M pages above (CR4.PSE).
inline void write_page_tables32(Ram& ram) {
    std::memset(ram.bytes.data() + kPd32, 0, 0x2000);
    ram.set<u32>(kPd32, u32(kPt32 | kP | kRW | kUS));
    for (u32 i = 0; i < 1024; ++i)
        ram.set<u32>(kPt32 + i * 4, (i << 12) | kP | kRW | kUS);
    for (u32 i = 1; i < 4; ++i)
        ram.set<u32>(kPd32 + i * 4, (i << 22) | kP | kRW | kUS | kPS);
}
inline u64 pte32(u64 lin) {
    return kPt32 + (lin >> 12) * 4;
} // for lin below 4 MiB

// ---- CPU set-up ---------------------------------------------------------------------------------------

// 64-bit mode as a kernel runs it: paging on (CR0.PG|WP, CR4.PAE), GDT, IDT, TSS, CS = kCode64Sel.
inline void enter_long_mode(Cpu& cpu, Ram& ram, bool with_idt = true) {
    write_gdt(ram);
    write_page_tables64(ram);
    if (with_idt) write_idt64(ram);
    cpu.enter_flat_mode(64);
    CpuState& s = cpu.state();
    s.gdtr = {kGdt, kGdtLimit};
    s.idtr = with_idt ? DescriptorTable{kIdt, 256 * 16 - 1} : DescriptorTable{0, 0};
    s.cr4 |= mmu::kCr4Pae;
    s.cr3 = kPml4;
    s.cr0 |= mmu::kCr0Pg | mmu::kCr0Wp;
    s.seg[CS].selector = kCode64Sel;
    s.tr = Segment{kTssSel, kTss, 0x67, 0x8b};
    cpu.sync_state();
    cpu.set_gpr(RSP, kStackTop);
}

// 32-bit protected mode with flat segments, an IDT and optionally 32-bit paging.
inline void enter_protected_mode(Cpu& cpu, Ram& ram, bool paging, bool with_idt = true) {
    write_gdt(ram);
    if (with_idt) write_idt32(ram);
    cpu.enter_flat_mode(32);
    CpuState& s = cpu.state();
    s.gdtr = {kGdt, kGdtLimit};
    s.idtr = with_idt ? DescriptorTable{kIdt, 256 * 8 - 1} : DescriptorTable{0, 0};
    if (paging) {
        write_page_tables32(ram);
        s.cr4 |= mmu::kCr4Pse;
        s.cr3 = kPd32;
        s.cr0 |= mmu::kCr0Pg | mmu::kCr0Wp;
    }
    cpu.sync_state();
    cpu.set_gpr(RSP, kStackTop);
}

// The vector whose HLT stub the CPU stopped in, or -1.
inline int handler_vector(const Cpu& cpu) {
    const u64 rip = cpu.rip();
    if (rip <= kHandlers || rip > kHandlers + 256 * kHandlerStride) return -1;
    const u64 off = rip - 1 - kHandlers;
    return off % kHandlerStride == 0 ? int(off / kHandlerStride) : -1;
}

} // namespace smpsim::cpu::test
