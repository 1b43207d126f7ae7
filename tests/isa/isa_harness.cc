// The differential runner: native stub, interpreter set-up, input generation and comparison.
#include "tests/isa/isa_harness.h"

#include "sim/core/memory_port.h"
#include "sim/cpu/cpu.h"

#include <cpuid.h>
#include <gtest/gtest.h>
#include <sys/mman.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <set>
#include <sstream>

// ---- native stub ---------------------------------------------------------------------------------------
// isa_native_run(NativeState*) loads RFLAGS and every GPR but RSP from the state, jumps to the code page
// (the instruction under test followed by an absolute jump to isa_native_return), then stores the GPRs
// and RFLAGS back. The state pointer lives in a static slot because the instruction may clobber any
// register; RSP stays the real stack, so forms must not use it.
extern "C" {
struct NativeState {
    smpsim::u64 gpr[16];
    smpsim::u64 rflags;
};
void isa_native_run(NativeState* state);
extern const unsigned char isa_native_return[];
extern smpsim::u64 isa_code_ptr;
}

asm(R"(
    .data
    .p2align 3
isa_state_ptr: .quad 0
isa_scratch:   .quad 0
    .globl isa_code_ptr
    .hidden isa_code_ptr
isa_code_ptr:  .quad 0

    .text
    .p2align 4
    .globl isa_native_run
    .hidden isa_native_run
    .type isa_native_run, @function
isa_native_run:
    push %rbx
    push %rbp
    push %r12
    push %r13
    push %r14
    push %r15
    mov %rdi, isa_state_ptr(%rip)
    pushq 128(%rdi)
    popfq
    mov 0(%rdi), %rax
    mov 8(%rdi), %rcx
    mov 16(%rdi), %rdx
    mov 24(%rdi), %rbx
    mov 40(%rdi), %rbp
    mov 48(%rdi), %rsi
    mov 64(%rdi), %r8
    mov 72(%rdi), %r9
    mov 80(%rdi), %r10
    mov 88(%rdi), %r11
    mov 96(%rdi), %r12
    mov 104(%rdi), %r13
    mov 112(%rdi), %r14
    mov 120(%rdi), %r15
    mov 56(%rdi), %rdi
    jmp *isa_code_ptr(%rip)
    .globl isa_native_return
    .hidden isa_native_return
isa_native_return:
    pushfq
    mov %rax, isa_scratch(%rip)
    mov isa_state_ptr(%rip), %rax
    mov %rcx, 8(%rax)
    mov %rdx, 16(%rax)
    mov %rbx, 24(%rax)
    mov %rbp, 40(%rax)
    mov %rsi, 48(%rax)
    mov %rdi, 56(%rax)
    mov %r8, 64(%rax)
    mov %r9, 72(%rax)
    mov %r10, 80(%rax)
    mov %r11, 88(%rax)
    mov %r12, 96(%rax)
    mov %r13, 104(%rax)
    mov %r14, 112(%rax)
    mov %r15, 120(%rax)
    mov isa_scratch(%rip), %rcx
    mov %rcx, 0(%rax)
    popq 128(%rax)
    cld
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %rbp
    pop %rbx
    ret
    .size isa_native_run, . - isa_native_run
)");

namespace smpsim::isa_test {

namespace {

using cpu::Cpu;
using cpu::StopReason;

// ---- registry ------------------------------------------------------------------------------------------

std::string make_name(const std::string& insn) {
    std::string n;
    for (char ch : insn) {
        if (std::isalnum(static_cast<unsigned char>(ch)))
            n += ch;
        else if (ch == '-')
            n += "m";
        else if (ch == '+')
            n += "_then_";
        else if (!n.empty() && n.back() != '_')
            n += '_';
    }
    while (!n.empty() && n.back() == '_')
        n.pop_back();
    return n;
}

// ---- random numbers (fixed seed per form) ----------------------------------------------------------------

struct Rng {
    u64 s;
    u64 next() {
        u64 z = (s += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
    }
    u64 below(u64 n) { return next() % n; }
};

u64 seed_for(const std::string& s) {
    u64 h = 0xcbf29ce484222325ull ^ 0x15a5eed; // fixed seed, mixed with the form's text
    for (char ch : s)
        h = (h ^ u8(ch)) * 0x100000001b3ull;
    return h;
}

u64 mask_of(unsigned size) {
    return size >= 8 ? ~0ull : (1ull << (size * 8)) - 1;
}

void add_unique(std::vector<u64>& v, u64 x) {
    if (std::find(v.begin(), v.end(), x) == v.end()) v.push_back(x);
}

std::vector<u64> edge_values(Vals kind, unsigned size) {
    const u64 m = mask_of(size);
    const unsigned w = size * 8;
    std::vector<u64> v;
    switch (kind) {
    case Vals::Edge: {
        const u64 sign = 1ull << (w - 1);
        for (u64 x : {0ull, 1ull, 2ull, 0xfull, 0x10ull, 0x7full, 0x80ull, 0xffull, 0x100ull, 0x7fffull,
                      0x8000ull, 0xffffull, 0x7fffffffull, 0x80000000ull, 0xffffffffull, 0x100000000ull})
            if (x <= m) add_unique(v, x);
        for (u64 x : {sign - 1, sign, sign + 1, m - 1, m})
            add_unique(v, x & m);
        break;
    }
    case Vals::Count:
        for (u64 x :
             {0u, 1u, 2u, 3u, w - 1, w, w + 1, 2 * w - 1, 16u, 17u, 31u, 32u, 33u, 63u, 64u, 65u, 127u, 255u})
            add_unique(v, x & 0xff);
        break;
    case Vals::BitOff:
        for (i64 x : {0, 1, 7, 8, 15, 16, 31, 32, 33, 63, 64, 65, 127, -1, -8, -32, -33, -64, -65})
            add_unique(v, u64(x) & m);
        add_unique(v, m >> 1);
        add_unique(v, (m >> 1) + 1);
        break;
    case Vals::BitOffMem: {
        const i64 lim = size == 2 ? 32767 : 65000;
        for (i64 x :
             {i64(0),   i64(1),   i64(7),   i64(8),   i64(15),   i64(16),  i64(17),    i64(31), i64(32),
              i64(33),  i64(63),  i64(64),  i64(65),  i64(1000), i64(-1),  i64(-2),    i64(-8), i64(-15),
              i64(-16), i64(-17), i64(-32), i64(-33), i64(-64),  i64(-65), i64(-1000), lim,     -lim - 1})
            add_unique(v, u64(x) & m);
        break;
    }
    case Vals::Flags:
        for (u64 i = 0; i < 64; ++i) {
            const u64 bits[6] = {kFlagCf, kFlagPf, kFlagAf, kFlagZf, kFlagSf, kFlagOf};
            u64 f = 0;
            for (int b = 0; b < 6; ++b)
                if (i & (1u << b)) f |= bits[b];
            v.push_back(f);
        }
        break;
    case Vals::Df: v = {0, kFlagDf}; break;
    case Vals::StrCount: v = {0, 1, 2, 3, 4, 7, 8, 15, 16, 17, 31, 33, 64}; break;
    case Vals::StrPos: v = {0, 1, 2, 3, 6, 15, 16, 40, 1000}; break;
    case Vals::All8:
        for (u64 i = 0; i < 256; ++i)
            v.push_back(i);
        break;
    case Vals::Rand: break; // filled by the caller from the form's generator
    case Vals::DivHigh:
        for (u64 x : {u64(0), u64(1), m, m >> 1, (m >> 1) + 1, u64(0x13)})
            add_unique(v, x & m);
        break;
    }
    return v;
}

u64 random_value(Vals kind, unsigned size, Rng& rng) {
    const u64 m = mask_of(size);
    switch (kind) {
    case Vals::Edge:
    case Vals::Rand: {
        const u64 r = rng.next();
        switch (rng.below(4)) {
        case 0: return r & 0xff & m;                       // small
        case 1: return ((r & 0xff) - 0x80 + (m >> 1)) & m; // near the sign boundary
        default: return r & m;
        }
    }
    case Vals::Count: return rng.below(256);
    case Vals::BitOff: return rng.next() & m;
    case Vals::BitOffMem: {
        const i64 lim = size == 2 ? 32767 : 65000;
        return u64(i64(rng.below(2 * lim + 1)) - lim) & m;
    }
    case Vals::Flags: return rng.next() & kArithFlags;
    case Vals::Df: return rng.below(2) ? kFlagDf : 0;
    case Vals::StrCount: return rng.below(65);
    case Vals::StrPos: return rng.below(70);
    case Vals::All8: return rng.below(256);
    case Vals::DivHigh: return rng.below(2) ? (rng.next() & 0xff & m) : m;
    }
    return 0;
}

// ---- interpreter environment ---------------------------------------------------------------------------

constexpr u64 kLowRamSize = 0x10000;
constexpr u64 kGdtAddr = 0x1000;
constexpr u64 kIdtAddr = 0x2000;
constexpr u64 kHandlerBase = 0x3000; // HLT for vector v at kHandlerBase + 16 * v
constexpr u64 kStackTop = 0x8000;    // interpreter RSP (natively RSP is the real stack)

// RAM in three page-aligned regions: low RAM (descriptor tables, handlers, stack), the code page and
// the data buffer. Anything else is unclaimed.
class TestMemory final : public MemoryPort {
  public:
    TestMemory() {
        regions_.push_back({0, std::vector<u8>(kLowRamSize)});
        regions_.push_back({kCodeAddr, std::vector<u8>(0x1000)});
        regions_.push_back({kDataAddr, std::vector<u8>(kDataSize)});
    }
    u8* at(u64 paddr, u64 size) {
        for (auto& r : regions_)
            if (paddr >= r.base && paddr + size <= r.base + r.bytes.size())
                return r.bytes.data() + (paddr - r.base);
        return nullptr;
    }
    MemoryResult read(u64 paddr, void* dst, u32 size, AccessKind) override {
        u8* p = at(paddr, size);
        if (!p) return {false, 0};
        std::memcpy(dst, p, size);
        return {};
    }
    MemoryResult write(u64 paddr, const void* src, u32 size, AccessKind) override {
        u8* p = at(paddr, size);
        if (!p) return {false, 0};
        std::memcpy(p, src, size);
        return {};
    }
    u8* direct_page(u64 paddr) override { return at(paddr & ~0xfffull, 0x1000); }

  private:
    struct Region {
        u64 base;
        std::vector<u8> bytes;
    };
    std::vector<Region> regions_;
};

class NullIo final : public IoPortSpace {
  public:
    u32 in(u16, u32) override { return ~0u; }
    void out(u16, u32, u32) override {}
};

void put64(u8* p, u64 v) {
    std::memcpy(p, &v, 8);
}
u64 get64(const u8* p) {
    u64 v;
    std::memcpy(&v, p, 8);
    return v;
}

void write_tables(TestMemory& mem) {
    u8* gdt = mem.at(kGdtAddr, 24);
    put64(gdt + 0, 0);
    put64(gdt + 8, 0x00af9a000000ffffull);  // 0x08: 64-bit code
    put64(gdt + 16, 0x00cf92000000ffffull); // 0x10: data
    for (u64 v = 0; v < 32; ++v) {
        const u64 off = kHandlerBase + 16 * v;
        const u64 lo = (off & 0xffff) | (0x08ull << 16) | (0x8eull << 40) | (((off >> 16) & 0xffff) << 48);
        put64(mem.at(kIdtAddr + 16 * v, 16), lo);
        put64(mem.at(kIdtAddr + 16 * v + 8, 8), off >> 32);
        *mem.at(off, 1) = 0xf4; // hlt
    }
}

void setup_cpu(Cpu& c) {
    c.reset();
    c.enter_flat_mode(64);
    c.state().gdtr = {kGdtAddr, 23};
    c.state().idtr = {kIdtAddr, 32 * 16 - 1};
    c.sync_state();
}

// ---- native environment --------------------------------------------------------------------------------

struct NativeEnv {
    u8* code = nullptr;
    u8* data = nullptr;
    std::string error;
};

NativeEnv& native_env() {
    static NativeEnv env = [] {
        NativeEnv e;
        auto map_at = [&](u64 addr, u64 size, int prot) -> u8* {
            void* p = mmap(reinterpret_cast<void*>(addr), size, prot,
                           MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
            if (p == MAP_FAILED) {
                e.error = "mmap at fixed address failed: " + std::string(std::strerror(errno));
                return nullptr;
            }
            if (p != reinterpret_cast<void*>(addr)) {
                munmap(p, size);
                e.error = "kernel ignored MAP_FIXED_NOREPLACE";
                return nullptr;
            }
            return static_cast<u8*>(p);
        };
        e.code = map_at(kCodeAddr, 0x1000, PROT_READ | PROT_WRITE);
        e.data = map_at(kDataAddr, kDataSize, PROT_READ | PROT_WRITE);
        return e;
    }();
    return env;
}

void load_native_code(const Form& f) {
    NativeEnv& env = native_env();
    mprotect(env.code, 0x1000, PROT_READ | PROT_WRITE);
    std::memset(env.code, 0xcc, 0x1000);
    std::memcpy(env.code, f.code, f.length);
    // jmp *0(%rip); .quad isa_native_return
    static const u8 jmp[6] = {0xff, 0x25, 0, 0, 0, 0};
    std::memcpy(env.code + f.length, jmp, 6);
    put64(env.code + f.length + 6, reinterpret_cast<u64>(isa_native_return));
    mprotect(env.code, 0x1000, PROT_READ | PROT_EXEC);
    isa_code_ptr = kCodeAddr;
}

// ---- cases ---------------------------------------------------------------------------------------------

void put_value(Case& c, const Slot& s, u64 v) {
    switch (s.kind) {
    case Slot::Reg:
        if (s.reg >= AH) {
            u64& g = c.gpr[s.reg - AH];
            g = (g & ~0xff00ull) | ((v & 0xff) << 8);
        } else {
            const u64 m = mask_of(s.size);
            c.gpr[s.reg] = (c.gpr[s.reg] & ~m) | (v & m);
        }
        break;
    case Slot::Mem: std::memcpy(c.buf.data() + kMemOff + s.off, &v, s.size); break;
    case Slot::Flags: c.rflags |= v; break;
    case Slot::Param: break;
    }
}

// Calls `each` for every case of the form (one at a time: cases carry a copy of the data buffer).
void for_each_case(const Form& f, const std::function<void(const Case&)>& each) {
    const Spec& sp = f.spec;
    Rng rng{seed_for(f.insn)};
    std::vector<u8> pattern(kDataSize);
    for (auto& b : pattern)
        b = u8(rng.next());

    std::vector<std::vector<u64>> lists;
    for (const Slot& s : sp.slots) {
        std::vector<u64> l = edge_values(s.vals, s.size);
        if (s.vals == Vals::Rand)
            for (int i = 0; i < 4; ++i)
                l.push_back(rng.next() & mask_of(s.size));
        lists.push_back(std::move(l));
    }
    const bool has_flag_slot =
        std::any_of(sp.slots.begin(), sp.slots.end(), [](const Slot& s) { return s.kind == Slot::Flags; });

    auto base_case = [&] {
        Case c;
        for (auto& g : c.gpr)
            g = rng.next();
        c.gpr[RSP] = kStackTop;
        c.buf = pattern;
        c.rflags = 0x202;
        return c;
    };
    auto finish = [&](Case& c, const std::vector<u64>& vals) {
        c.vals = vals;
        for (size_t i = 0; i < sp.slots.size(); ++i)
            put_value(c, sp.slots[i], vals[i]);
        for (const auto& [reg, v] : sp.fixed)
            c.gpr[reg] = v;
        if (sp.prep) sp.prep(c);
    };

    // Edge values: the full product of the slots' lists, or a fixed-seed sample of it when it is large.
    u64 product = 1;
    for (const auto& l : lists)
        product *= std::max<size_t>(l.size(), 1);
    const u64 limit = 4096;
    const u64 n = std::min(product, u64(2048));
    const std::vector<u64> flag_variants =
        has_flag_slot ? std::vector<u64>{0} : std::vector<u64>{0, kArithFlags};
    for (u64 k = 0; k < (product <= limit ? product : n); ++k) {
        std::vector<u64> vals;
        u64 idx = product <= limit ? k : rng.below(product);
        for (const auto& l : lists) {
            vals.push_back(l.empty() ? 0 : l[idx % l.size()]);
            idx /= std::max<size_t>(l.size(), 1);
        }
        for (u64 fv : flag_variants) {
            Case c = base_case();
            c.rflags |= fv;
            finish(c, vals);
            each(c);
        }
    }
    // Random values (fixed seed): 32 cases with every slot and the flags random.
    for (int k = 0; k < 32; ++k) {
        std::vector<u64> vals;
        for (const Slot& s : sp.slots)
            vals.push_back(random_value(s.vals, s.size, rng));
        Case c = base_case();
        if (!has_flag_slot) c.rflags |= rng.next() & kArithFlags;
        finish(c, vals);
        each(c);
    }
}

// ---- running -------------------------------------------------------------------------------------------

struct Result {
    u64 gpr[16];
    u64 rflags;
    std::vector<u8> buf;
    u64 rip = 0;
    u64 exceptions = 0;
    StopReason stop = StopReason::None;
    std::string stop_message;
};

Result run_native(const Case& c) {
    NativeEnv& env = native_env();
    std::memcpy(env.data, c.buf.data(), kDataSize);
    NativeState st{};
    std::memcpy(st.gpr, c.gpr, sizeof st.gpr);
    st.rflags = c.rflags;
    isa_native_run(&st);
    Result r;
    std::memcpy(r.gpr, st.gpr, sizeof r.gpr);
    r.gpr[RSP] = c.gpr[RSP];
    r.rflags = st.rflags;
    r.buf.assign(env.data, env.data + kDataSize);
    return r;
}

class Interp {
  public:
    explicit Interp(const Form& f) : cpu_(mem_, io_), length_(f.length) {
        write_tables(mem_);
        std::memcpy(mem_.at(kCodeAddr, f.length), f.code, f.length);
        setup_cpu(cpu_);
    }
    Result run(const Case& c) {
        if (dirty_) setup_cpu(cpu_);
        dirty_ = false;
        std::memcpy(mem_.at(kDataAddr, kDataSize), c.buf.data(), kDataSize);
        std::memset(mem_.at(kStackTop - 0x100, 0x100), 0, 0x100);
        for (unsigned i = 0; i < 16; ++i)
            cpu_.set_gpr(i, c.gpr[i]);
        cpu_.set_rip(kCodeAddr);
        cpu_.set_rflags(c.rflags);
        const u64 exc0 = cpu_.stats().exceptions;
        Result r;
        // Run until RIP leaves the form (a form may be a short sequence; a REP string instruction executes
        // in chunks and restarts itself).
        for (int i = 0; i < 4096; ++i) {
            const cpu::StopInfo s = cpu_.run(1);
            r.stop = s.reason;
            r.stop_message = s.message;
            if (cpu_.rip() < kCodeAddr || cpu_.rip() >= kCodeAddr + length_ ||
                s.reason != StopReason::InsnLimit || cpu_.stats().exceptions != exc0)
                break;
        }
        for (unsigned i = 0; i < 16; ++i)
            r.gpr[i] = cpu_.gpr(i);
        r.rflags = cpu_.rflags();
        r.rip = cpu_.rip();
        r.exceptions = cpu_.stats().exceptions - exc0;
        r.buf.assign(mem_.at(kDataAddr, kDataSize), mem_.at(kDataAddr, kDataSize) + kDataSize);
        if (r.exceptions != 0 || r.stop != StopReason::InsnLimit) dirty_ = true;
        return r;
    }
    // The vector whose handler ran (the handler is a HLT; RIP is just past it), or -1.
    static int handled_vector(const Result& r) {
        if (r.rip <= kHandlerBase || r.rip > kHandlerBase + 32 * 16) return -1;
        return int((r.rip - 1 - kHandlerBase) / 16);
    }
    u64 stack_u64(u64 addr) { return get64(mem_.at(addr, 8)); }

  private:
    TestMemory mem_;
    NullIo io_;
    Cpu cpu_;
    u64 length_;
    bool dirty_ = false;
};

const char* const kRegNames[16] = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
                                   "r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15"};

std::string flag_string(u64 f) {
    std::string s;
    const std::pair<u64, const char*> names[] = {{kFlagCf, "CF"}, {kFlagPf, "PF"}, {kFlagAf, "AF"},
                                                 {kFlagZf, "ZF"}, {kFlagSf, "SF"}, {kFlagOf, "OF"},
                                                 {kFlagDf, "DF"}};
    for (const auto& [bit, name] : names)
        if (f & bit) s += std::string(s.empty() ? "" : " ") + name;
    return s.empty() ? "-" : s;
}

std::string describe_case(const Form& f, const Case& c) {
    std::ostringstream o;
    o << "  form: " << f.insn << "\n  slots:";
    for (size_t i = 0; i < c.vals.size(); ++i)
        o << " 0x" << std::hex << c.vals[i];
    o << "\n  input flags: " << flag_string(c.rflags) << "\n  input regs:";
    for (int i = 0; i < 16; ++i)
        o << (i % 4 == 0 ? "\n    " : " ") << kRegNames[i] << "=" << std::hex << c.gpr[i];
    o << "\n";
    return o.str();
}

// ISA_UNMASK=name,name... (names from masks.h, or "all") compares those parts anyway: a diagnostic that
// shows where this host and smpsim's chosen behaviour differ. Unset in CI.
bool unmasked(Why w) {
    static const std::string list = [] {
        const char* e = std::getenv("ISA_UNMASK");
        return e ? "," + std::string(e) + "," : std::string();
    }();
    if (list.empty()) return false;
    return list == ",all," || list.find("," + std::string(reason_of(w).name) + ",") != std::string::npos;
}

struct FormOutcome {
    u64 cases = 0;
    u64 native_runs = 0;
    u64 fault_checks = 0;
    u64 failures = 0;
};

FormOutcome run_form(const Form& f) {
    FormOutcome out;
    NativeEnv& env = native_env();
    if (!env.error.empty()) {
        ADD_FAILURE() << "cannot set up the native environment: " << env.error;
        return out;
    }
    load_native_code(f);
    Interp interp(f);
    const Spec& sp = f.spec;
    const u64 compared_flags = kArithFlags | kFlagDf;
    for_each_case(f, [&](const Case& c) {
        ++out.cases;
        Undef u;
        for (const MaskUse& m : sp.masks) {
            if (unmasked(m.why)) continue;
            u.flags |= m.flags;
            if (m.fn) m.fn(c, u);
        }
        if (sp.fault) sp.fault(c, u);
        const Result s = interp.run(c);
        std::ostringstream err;
        if (u.fault >= 0) {
            // Natively this raises an exception (SIGFPE); the interpreter must deliver the same vector,
            // with the faulting instruction's RIP on the stack and nothing changed.
            ++out.fault_checks;
            const int vec = Interp::handled_vector(s);
            if (s.exceptions != 1 || vec != u.fault)
                err << "  expected exception vector " << u.fault << ", got " << s.exceptions
                    << " exception(s), handler vector " << vec << ", rip " << std::hex << s.rip << " stop "
                    << s.stop_message << "\n";
            else if (interp.stack_u64(s.gpr[RSP]) != kCodeAddr)
                err << "  exception frame RIP " << std::hex << interp.stack_u64(s.gpr[RSP])
                    << " is not the faulting instruction\n";
            for (int i = 0; i < 16; ++i)
                if (i != RSP && s.gpr[i] != c.gpr[i])
                    err << "  " << kRegNames[i] << " changed by a faulting instruction: " << std::hex
                        << c.gpr[i] << " -> " << s.gpr[i] << "\n";
            if (s.buf != c.buf) err << "  memory changed by a faulting instruction\n";
        } else {
            ++out.native_runs;
            const Result n = run_native(c);
            if (s.exceptions != 0 || s.stop != StopReason::InsnLimit)
                err << "  interpreter raised " << s.exceptions << " exception(s) (handler vector "
                    << Interp::handled_vector(s) << ") " << s.stop_message << "\n";
            if (s.rip != kCodeAddr + f.length)
                err << "  rip " << std::hex << s.rip << ", expected " << kCodeAddr + f.length << "\n";
            for (int i = 0; i < 16; ++i) {
                if (i == RSP) {
                    if (s.gpr[i] != kStackTop) err << "  rsp changed to " << std::hex << s.gpr[i] << "\n";
                    continue;
                }
                if ((s.gpr[i] ^ n.gpr[i]) & ~u.gpr[i])
                    err << "  " << kRegNames[i] << ": host " << std::hex << n.gpr[i] << " interp " << s.gpr[i]
                        << " (input " << c.gpr[i] << ")\n";
            }
            const u64 fdiff = (s.rflags ^ n.rflags) & compared_flags & ~u.flags;
            if (fdiff)
                err << "  flags: host [" << flag_string(n.rflags & compared_flags) << "] interp ["
                    << flag_string(s.rflags & compared_flags) << "] differ in [" << flag_string(fdiff)
                    << "]\n";
            for (u64 i = 0; i < kDataSize && s.buf != n.buf; ++i) {
                if (u.mem && i >= kMemOff && i < kMemOff + 16) continue;
                if (s.buf[i] != n.buf[i]) {
                    err << "  memory differs at " << std::hex << kDataAddr + i << ": host "
                        << unsigned(n.buf[i]) << " interp " << unsigned(s.buf[i]) << "\n";
                    break;
                }
            }
        }
        if (!err.str().empty()) {
            ++out.failures;
            if (out.failures <= 6)
                ADD_FAILURE() << "mismatch on host " << host_cpu_description() << "\n"
                              << describe_case(f, c) << err.str();
        }
    });
    if (out.failures > 6) ADD_FAILURE() << out.failures << " failing cases in total for " << f.insn;
    return out;
}

} // namespace

std::vector<Form>& registry() {
    static std::vector<Form> forms;
    return forms;
}

std::string Spec::why() const {
    std::string s;
    std::vector<Why> seen;
    for (const MaskUse& m : masks) {
        if (std::find(seen.begin(), seen.end(), m.why) != seen.end()) continue;
        seen.push_back(m.why);
        s += std::string(s.empty() ? "" : "; ") + reason_of(m.why).name + ": " + reason_of(m.why).text;
    }
    if (!fault_why.empty()) s += std::string(s.empty() ? "" : "; ") + "fault: " + fault_why;
    return s;
}

Form make_form(const char* insn, const unsigned char* begin, const unsigned char* end) {
    Form f;
    f.insn = insn;
    f.name = make_name(insn);
    f.code = begin;
    f.length = unsigned(end - begin);
    return f;
}

InterpResult run_interpreter(const Form& f, const Case& in) {
    Case c = in;
    c.gpr[RSP] = kStackTop;
    c.buf.resize(kDataSize);
    Interp interp(f);
    const Result r = interp.run(c);
    InterpResult out{};
    std::memcpy(out.gpr, r.gpr, sizeof out.gpr);
    out.rflags = r.rflags;
    out.vector = r.exceptions ? Interp::handled_vector(r) : -1;
    return out;
}

std::string host_cpu_description() {
    unsigned a = 0, b = 0, c = 0, d = 0;
    if (!__get_cpuid(0, &a, &b, &c, &d)) return "(no CPUID)";
    char vendor[13] = {};
    std::memcpy(vendor, &b, 4);
    std::memcpy(vendor + 4, &d, 4);
    std::memcpy(vendor + 8, &c, 4);
    __get_cpuid(1, &a, &b, &c, &d);
    // Family and model as the SDM and APM combine them (extended fields for family 0xf, model for 6 too).
    const unsigned base_family = (a >> 8) & 0xf, ext_family = (a >> 20) & 0xff;
    const unsigned family = base_family == 0xf ? base_family + ext_family : base_family;
    const unsigned model = (base_family == 0x6 || base_family == 0xf)
                               ? (((a >> 16) & 0xf) << 4) | ((a >> 4) & 0xf)
                               : (a >> 4) & 0xf;
    char brand[49] = {};
    unsigned max_ext = __get_cpuid_max(0x80000000, nullptr);
    if (max_ext >= 0x80000004)
        for (unsigned i = 0; i < 3; ++i)
            __get_cpuid(0x80000002 + i, reinterpret_cast<unsigned*>(brand + 16 * i),
                        reinterpret_cast<unsigned*>(brand + 16 * i + 4),
                        reinterpret_cast<unsigned*>(brand + 16 * i + 8),
                        reinterpret_cast<unsigned*>(brand + 16 * i + 12));
    std::string brand_s(brand);
    while (!brand_s.empty() && brand_s.back() == ' ')
        brand_s.pop_back();
    char line[200];
    std::snprintf(line, sizeof line, "%s family 0x%x (%u) model 0x%x (%u) stepping %u", vendor, family,
                  family, model, model, a & 0xf);
    return std::string(line) + (brand_s.empty() ? "" : " (" + brand_s + ")");
}

bool register_form(const char* insn, const unsigned char* begin, const unsigned char* end, Spec spec) {
    Form f = make_form(insn, begin, end);
    f.spec = std::move(spec);
    std::string base = make_name(insn);
    if (!f.spec.family.empty()) base = make_name(f.spec.family) + "_" + base;
    f.name = base;
    for (int k = 2;
         std::any_of(registry().begin(), registry().end(), [&](const Form& g) { return g.name == f.name; });
         ++k)
        f.name = base + "_v" + std::to_string(k);
    registry().push_back(std::move(f));
    return true;
}

// Test parameters print as their instruction text.
void PrintTo(const Form* f, std::ostream* os) {
    *os << f->insn;
}

namespace {

std::vector<const Form*> sorted_forms() {
    std::vector<const Form*> v;
    for (const Form& f : registry())
        v.push_back(&f);
    std::sort(v.begin(), v.end(), [](const Form* a, const Form* b) { return a->name < b->name; });
    return v;
}

// Every test process prints the host CPU once, so that a failing CI log says where it ran (ctest runs
// each test in its own process, and shows its output on failure).
class HostCpuBanner : public ::testing::Environment {
  public:
    void SetUp() override { std::printf("host CPU: %s\n", host_cpu_description().c_str()); }
};
[[maybe_unused]] ::testing::Environment* const kHostCpuBanner =
    ::testing::AddGlobalTestEnvironment(new HostCpuBanner);

TEST(IsaSuite, HostCpu) {
    const std::string host = host_cpu_description();
    RecordProperty("host_cpu", host);
    std::printf("differential tests compare against: %s\n", host.c_str());
    EXPECT_NE(host, "(no CPUID)");
    // The masks in masks.h cover Intel's and AMD's known differences; say so when neither runs here.
    if (host.rfind("GenuineIntel", 0) != 0 && host.rfind("AuthenticAMD", 0) != 0)
        std::printf("note: neither an Intel nor an AMD host; masks.h may miss this vendor's choices\n");
}

// How many forms mask something, and for which reasons (masks.h).
TEST(IsaSuite, MaskSummary) {
    size_t masked = 0, faulting = 0, everything = 0;
    size_t per_reason[size_t(Why::kCount)] = {};
    for (const Form& f : registry()) {
        bool seen[size_t(Why::kCount)] = {};
        for (const MaskUse& m : f.spec.masks)
            seen[size_t(m.why)] = true;
        for (size_t w = 0; w < size_t(Why::kCount); ++w)
            per_reason[w] += seen[w];
        masked += !f.spec.masks.empty();
        faulting += bool(f.spec.fault);
        everything += f.spec.masks.empty() && !f.spec.fault;
    }
    std::printf("%zu forms: %zu compare everything, %zu mask something, %zu check "
                "expected faults (#DE, #UD) in the interpreter\n",
                registry().size(), everything, masked, faulting);
    for (size_t w = 0; w < size_t(Why::kCount); ++w) {
        std::printf("  %-18s %4zu forms: %s\n", kMaskReasons[w].name, per_reason[w], kMaskReasons[w].text);
        EXPECT_GT(per_reason[w], 0u) << kMaskReasons[w].name << " is declared but no form uses it";
    }
}

class IsaForm : public ::testing::TestWithParam<const Form*> {};

TEST_P(IsaForm, MatchesHost) {
    const Form& f = *GetParam();
    const std::string why = f.spec.why();
    if (!why.empty()) RecordProperty("masked", why);
    const FormOutcome o = run_form(f);
    EXPECT_GT(o.cases, 20u);
    std::printf("%s: %llu cases (%llu native, %llu fault checks)%s%s\n", f.insn.c_str(),
                static_cast<unsigned long long>(o.cases), static_cast<unsigned long long>(o.native_runs),
                static_cast<unsigned long long>(o.fault_checks),
                why.empty() ? "" : "; masked: ", why.c_str());
}

INSTANTIATE_TEST_SUITE_P(Isa, IsaForm, ::testing::ValuesIn(sorted_forms()),
                         [](const ::testing::TestParamInfo<const Form*>& info) { return info.param->name; });

TEST(IsaSuite, CoversAtLeast300Forms) {
    std::map<std::string, int> families;
    std::set<unsigned> sizes;
    for (const Form& f : registry())
        ++families[f.spec.family];
    std::printf("%zu instruction forms in %zu families:", registry().size(), families.size());
    for (const auto& [name, count] : families)
        std::printf(" %s(%d)", name.c_str(), count);
    std::printf("\n");
    EXPECT_GE(registry().size(), 300u);
}

// Division faults are checked in the interpreter only (natively they are SIGFPE): the divide forms'
// cases include them (Undef::fault), and this test pins down a few explicitly, for every operand size.
TEST(IsaSuite, DivideErrorsRaiseDE) {
    int checked = 0;
    for (const Form& f : registry()) {
        if (f.spec.family != "DIV" && f.spec.family != "IDIV") continue;
        if (f.spec.slots.size() < 2) continue;
        const bool is_signed = f.spec.family == "IDIV";
        Interp interp(f);
        // Slot order of the divide forms: divisor, dividend low, [dividend high].
        const Slot& div = f.spec.slots[0];
        for (int variant = 0; variant < 2; ++variant) {
            Case c;
            for (auto& g : c.gpr)
                g = 0x1111111111111111ull * (1 + (&g - c.gpr));
            c.gpr[RSP] = kStackTop;
            c.buf.assign(kDataSize, 0x5a);
            const unsigned w = div.size * 8;
            const u64 sign = 1ull << (w - 1);
            std::vector<u64> vals;
            if (variant == 0) {
                vals = {0, 5, 0}; // divisor 0
            } else if (is_signed) {
                // most negative dividend / -1: the quotient does not fit
                vals = {mask_of(div.size), div.size == 1 ? u64(0x8000) : u64(0),
                        div.size == 1 ? u64(0) : sign};
            } else {
                vals = {1, 0, 1}; // high half >= divisor
                if (div.size == 1) vals = {1, 0x100, 0};
            }
            vals.resize(f.spec.slots.size());
            for (size_t i = 0; i < f.spec.slots.size(); ++i)
                put_value(c, f.spec.slots[i], vals[i]);
            for (const auto& [reg, v] : f.spec.fixed)
                c.gpr[reg] = v;
            const Result r = interp.run(c);
            EXPECT_EQ(r.exceptions, 1u) << f.insn << " variant " << variant;
            EXPECT_EQ(Interp::handled_vector(r), 0) << f.insn << " variant " << variant << ": not #DE";
            EXPECT_EQ(interp.stack_u64(r.gpr[RSP]), kCodeAddr)
                << f.insn << ": #DE must report the faulting RIP";
            for (int i = 0; i < 16; ++i)
                if (i != RSP) {
                    EXPECT_EQ(r.gpr[i], c.gpr[i]) << f.insn << ": " << kRegNames[i] << " changed";
                }
            ++checked;
        }
    }
    EXPECT_GE(checked, 16);
}

} // namespace

} // namespace smpsim::isa_test
