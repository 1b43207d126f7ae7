// The interpreter's own compact form of a decoded instruction. Zydis decodes once; this form is what
// the execution loop reads every time the instruction runs, so it holds only what handlers need.
#pragma once
#include "sim/core/types.h"

namespace smpsim::cpu {

class CpuImpl;
struct DecodedInsn;
using Handler = void (*)(CpuImpl&, const DecodedInsn&);

enum class OpKind : u8 {
    None,
    Reg,     // general-purpose register; reg = 0..15, or 16..19 for AH/CH/DH/BH
    Mem,     // memory operand (also the address of LEA)
    Imm,     // immediate, sign- or zero-extended to 64 bits as the instruction defines
    Rel,     // relative branch displacement (imm holds it)
    SegReg,  // reg = SegReg
    CtrlReg, // reg = CR number
    DbgReg,  // reg = DR number
    FarPtr,  // ptr16:16/32 immediate: imm = offset, reg unused, selector in DecodedInsn::far_selector
};

inline constexpr u8 kNoReg = 0xff;
inline constexpr u8 kRipBase = 0xfe;
inline constexpr u8 kHighByteBase = 16; // AH = 16, CH = 17, DH = 18, BH = 19

struct Operand {
    OpKind kind = OpKind::None;
    u8 size = 0; // bytes
    u8 reg = kNoReg;
    u8 seg = 0; // SegReg of a memory operand (after overrides)
    u8 base = kNoReg;
    u8 index = kNoReg;
    u8 scale = 0;
    i64 imm = 0; // immediate, displacement of a memory operand, or branch displacement
};

// Decoding depends on the CPU mode; a cached instruction is reused only in the mode it was decoded for.
enum class CpuMode : u8 { Real16, Prot16, Prot32, Compat16, Compat32, Long64 };

struct DecodedInsn {
    Handler exec = nullptr;
    u16 mnemonic = 0; // ZydisMnemonic, for reports
    u8 length = 0;
    u8 opsize = 0;    // effective operand size in bytes
    u8 addrsize = 0;  // effective address size in bytes
    u8 stacksize = 0; // stack width in bytes
    u8 nops = 0;      // explicit operands
    CpuMode mode = CpuMode::Long64;
    bool lock = false;
    bool rep = false;        // REP / REPE / REPZ
    bool repne = false;      // REPNE / REPNZ
    u8 cost = 1;             // base cycles of the instruction class
    u8 cond = 0;             // condition code for Jcc / SETcc / CMOVcc (x86 encoding 0..15)
    bool far_branch = false; // far JMP/CALL/RET
    bool fpu_simd = false;   // x87/MMX/SSE/AVX: not modelled; #NM when CR0.TS, else #UD
    bool locked = false;     // LOCK prefix or XCHG with memory: atomic, and a full memory barrier
    u8 src_seg = 3;          // segment of string-instruction sources (DS unless overridden)
    u16 far_selector = 0;    // of a FarPtr operand (JMP/CALL ptr16:16/32)
    // A run (below) may go on after this instruction where it falls through: it changes nothing the
    // fetch path or the run loop's once-per-run checks depend on (see continues_run() in decoder.cc).
    bool continues_run = false;
    // In a run's copies only: the step that starts here covers step_length bytes of code, and the next
    // step's copy is step_stride bytes further (an add where an index would need a multiply). A step of
    // two copies (an ALU instruction and its Jcc, fuse_alu_jcc) has a stride of two.
    u8 step_length = 0;
    u16 step_stride = 0;
    bool fused_step() const { return step_stride != sizeof(DecodedInsn); }
    Operand op[3];

    // The run that starts here (CpuImpl::run_loop), filled in when the run loop first starts one at this
    // instruction: copies of the instructions that follow it in its code page on the fall-through path,
    // back to back, up to one that ends runs. An open run stopped at an instruction not decoded yet; it is
    // rebuilt once that one is (run_end is its page offset). The copies live in the code page.
    mutable const DecodedInsn* run = nullptr;
    mutable u16 run_len = 0;
    mutable u16 run_end = 0;
    mutable bool run_open = false;
};
// A run's steps read their copies one after another: the smaller, the fewer cache lines a run touches.
static_assert(sizeof(Operand) == 16 && sizeof(DecodedInsn) <= 96);

} // namespace smpsim::cpu
