// Zydis → DecodedInsn, and the decode cache.
#include "sim/cpu/cpu_impl.h"
#include "sim/cpu/decode_cache.h"

#include <algorithm>

#include <Zydis/Zydis.h>

#include <algorithm>
#include <mutex>

namespace smpsim::cpu {

static_assert(ZYDIS_MNEMONIC_MAX_VALUE < 2048, "handler table too small");

void handler_mov_system(CpuImpl& cpu, const DecodedInsn& d);

namespace {

HandlerTable build_handler_table() {
    HandlerTable t;
    t.fill(&handler_unimplemented);
    register_data_handlers(t);
    register_alu_handlers(t);
    register_control_handlers(t);
    register_string_handlers(t);
    register_system_handlers(t);
    return t;
}

const HandlerTable& handler_table() {
    static const HandlerTable table = build_handler_table();
    return table;
}

// Instructions after which a run may go on (DecodedInsn::continues_run), given that they carry no LOCK
// and no segment, control or debug register operand (checked by the caller). They change nothing the
// fetch path or the run loop's once-per-run checks depend on (mode, CS, paging, TF, the interrupt
// shadow); a change of RIP (a conditional branch taken, a REP string instruction not finished) the run
// loop sees and ends the run there; what a device access may cause (an interrupt, a stop request) sets
// events_pending_, which the run loop tests after every instruction. Everything else ends a run:
// unconditional branches, far transfers, IRET, HLT, STI, POPF, descriptor-table and control-register
// instructions, MSRs, and anything unimplemented.
bool continues_run(ZydisMnemonic m) {
    switch (m) {
    case ZYDIS_MNEMONIC_ADC:
    case ZYDIS_MNEMONIC_ADD:
    case ZYDIS_MNEMONIC_AND:
    case ZYDIS_MNEMONIC_BSF:
    case ZYDIS_MNEMONIC_BSR:
    case ZYDIS_MNEMONIC_BSWAP:
    case ZYDIS_MNEMONIC_BT:
    case ZYDIS_MNEMONIC_BTC:
    case ZYDIS_MNEMONIC_BTR:
    case ZYDIS_MNEMONIC_BTS:
    case ZYDIS_MNEMONIC_CBW:
    case ZYDIS_MNEMONIC_CDQ:
    case ZYDIS_MNEMONIC_CDQE:
    case ZYDIS_MNEMONIC_CLC:
    case ZYDIS_MNEMONIC_CLD:
    case ZYDIS_MNEMONIC_CMC:
    case ZYDIS_MNEMONIC_CMP:
    case ZYDIS_MNEMONIC_CMPXCHG:
    case ZYDIS_MNEMONIC_CQO:
    case ZYDIS_MNEMONIC_CWD:
    case ZYDIS_MNEMONIC_CWDE:
    case ZYDIS_MNEMONIC_DEC:
    case ZYDIS_MNEMONIC_DIV:
    case ZYDIS_MNEMONIC_IDIV:
    case ZYDIS_MNEMONIC_IMUL:
    case ZYDIS_MNEMONIC_INC:
    case ZYDIS_MNEMONIC_LAHF:
    case ZYDIS_MNEMONIC_LEA:
    case ZYDIS_MNEMONIC_LEAVE:
    case ZYDIS_MNEMONIC_MOV:
    case ZYDIS_MNEMONIC_MOVSX:
    case ZYDIS_MNEMONIC_MOVSXD:
    case ZYDIS_MNEMONIC_MOVZX:
    case ZYDIS_MNEMONIC_MUL:
    case ZYDIS_MNEMONIC_NEG:
    case ZYDIS_MNEMONIC_NOT:
    case ZYDIS_MNEMONIC_OR:
    case ZYDIS_MNEMONIC_POP:
    case ZYDIS_MNEMONIC_PUSH:
    case ZYDIS_MNEMONIC_RCL:
    case ZYDIS_MNEMONIC_RCR:
    case ZYDIS_MNEMONIC_ROL:
    case ZYDIS_MNEMONIC_ROR:
    case ZYDIS_MNEMONIC_SAHF:
    case ZYDIS_MNEMONIC_SAR:
    case ZYDIS_MNEMONIC_SBB:
    case ZYDIS_MNEMONIC_SHL:
    case ZYDIS_MNEMONIC_SHLD:
    case ZYDIS_MNEMONIC_SHR:
    case ZYDIS_MNEMONIC_SHRD:
    case ZYDIS_MNEMONIC_STC:
    case ZYDIS_MNEMONIC_STD:
    case ZYDIS_MNEMONIC_SUB:
    case ZYDIS_MNEMONIC_TEST:
    case ZYDIS_MNEMONIC_XADD:
    case ZYDIS_MNEMONIC_XCHG:
    case ZYDIS_MNEMONIC_XOR:
    case ZYDIS_MNEMONIC_CMOVB:
    case ZYDIS_MNEMONIC_CMOVBE:
    case ZYDIS_MNEMONIC_CMOVL:
    case ZYDIS_MNEMONIC_CMOVLE:
    case ZYDIS_MNEMONIC_CMOVNB:
    case ZYDIS_MNEMONIC_CMOVNBE:
    case ZYDIS_MNEMONIC_CMOVNL:
    case ZYDIS_MNEMONIC_CMOVNLE:
    case ZYDIS_MNEMONIC_CMOVNO:
    case ZYDIS_MNEMONIC_CMOVNP:
    case ZYDIS_MNEMONIC_CMOVNS:
    case ZYDIS_MNEMONIC_CMOVNZ:
    case ZYDIS_MNEMONIC_CMOVO:
    case ZYDIS_MNEMONIC_CMOVP:
    case ZYDIS_MNEMONIC_CMOVS:
    case ZYDIS_MNEMONIC_CMOVZ:
    case ZYDIS_MNEMONIC_SETB:
    case ZYDIS_MNEMONIC_SETBE:
    case ZYDIS_MNEMONIC_SETL:
    case ZYDIS_MNEMONIC_SETLE:
    case ZYDIS_MNEMONIC_SETNB:
    case ZYDIS_MNEMONIC_SETNBE:
    case ZYDIS_MNEMONIC_SETNL:
    case ZYDIS_MNEMONIC_SETNLE:
    case ZYDIS_MNEMONIC_SETNO:
    case ZYDIS_MNEMONIC_SETNP:
    case ZYDIS_MNEMONIC_SETNS:
    case ZYDIS_MNEMONIC_SETNZ:
    case ZYDIS_MNEMONIC_SETO:
    case ZYDIS_MNEMONIC_SETP:
    case ZYDIS_MNEMONIC_SETS:
    case ZYDIS_MNEMONIC_SETZ:
    case ZYDIS_MNEMONIC_NOP:
    case ZYDIS_MNEMONIC_PAUSE:
    case ZYDIS_MNEMONIC_ENDBR64:
    case ZYDIS_MNEMONIC_ENDBR32:
    case ZYDIS_MNEMONIC_PREFETCHT0:
    case ZYDIS_MNEMONIC_PREFETCHT1:
    case ZYDIS_MNEMONIC_PREFETCHT2:
    case ZYDIS_MNEMONIC_PREFETCHNTA:
    case ZYDIS_MNEMONIC_PREFETCHW:
    case ZYDIS_MNEMONIC_LFENCE:
    case ZYDIS_MNEMONIC_SFENCE:
    case ZYDIS_MNEMONIC_MFENCE:
    case ZYDIS_MNEMONIC_CLI:
    case ZYDIS_MNEMONIC_PUSHF:
    case ZYDIS_MNEMONIC_PUSHFD:
    case ZYDIS_MNEMONIC_PUSHFQ:
    case ZYDIS_MNEMONIC_RDTSC:
    case ZYDIS_MNEMONIC_RDTSCP:
    case ZYDIS_MNEMONIC_CPUID:
    case ZYDIS_MNEMONIC_IN:
    case ZYDIS_MNEMONIC_OUT:
    // Conditional control flow: the run goes on only where it falls through.
    case ZYDIS_MNEMONIC_JB:
    case ZYDIS_MNEMONIC_JBE:
    case ZYDIS_MNEMONIC_JL:
    case ZYDIS_MNEMONIC_JLE:
    case ZYDIS_MNEMONIC_JNB:
    case ZYDIS_MNEMONIC_JNBE:
    case ZYDIS_MNEMONIC_JNL:
    case ZYDIS_MNEMONIC_JNLE:
    case ZYDIS_MNEMONIC_JNO:
    case ZYDIS_MNEMONIC_JNP:
    case ZYDIS_MNEMONIC_JNS:
    case ZYDIS_MNEMONIC_JNZ:
    case ZYDIS_MNEMONIC_JO:
    case ZYDIS_MNEMONIC_JP:
    case ZYDIS_MNEMONIC_JS:
    case ZYDIS_MNEMONIC_JZ:
    case ZYDIS_MNEMONIC_JCXZ:
    case ZYDIS_MNEMONIC_JECXZ:
    case ZYDIS_MNEMONIC_JRCXZ:
    case ZYDIS_MNEMONIC_LOOP:
    case ZYDIS_MNEMONIC_LOOPE:
    case ZYDIS_MNEMONIC_LOOPNE:
    // String instructions; with REP, one not finished re-executes itself (a change of RIP).
    case ZYDIS_MNEMONIC_INSB:
    case ZYDIS_MNEMONIC_INSW:
    case ZYDIS_MNEMONIC_INSD:
    case ZYDIS_MNEMONIC_OUTSB:
    case ZYDIS_MNEMONIC_OUTSW:
    case ZYDIS_MNEMONIC_OUTSD:
    case ZYDIS_MNEMONIC_MOVSB:
    case ZYDIS_MNEMONIC_MOVSW:
    case ZYDIS_MNEMONIC_MOVSD:
    case ZYDIS_MNEMONIC_MOVSQ:
    case ZYDIS_MNEMONIC_STOSB:
    case ZYDIS_MNEMONIC_STOSW:
    case ZYDIS_MNEMONIC_STOSD:
    case ZYDIS_MNEMONIC_STOSQ:
    case ZYDIS_MNEMONIC_LODSB:
    case ZYDIS_MNEMONIC_LODSW:
    case ZYDIS_MNEMONIC_LODSD:
    case ZYDIS_MNEMONIC_LODSQ:
    case ZYDIS_MNEMONIC_CMPSB:
    case ZYDIS_MNEMONIC_CMPSW:
    case ZYDIS_MNEMONIC_CMPSD:
    case ZYDIS_MNEMONIC_CMPSQ:
    case ZYDIS_MNEMONIC_SCASB:
    case ZYDIS_MNEMONIC_SCASW:
    case ZYDIS_MNEMONIC_SCASD:
    case ZYDIS_MNEMONIC_SCASQ: return true;
    default: return false;
    }
}

// Base cost in cycles by instruction class; memory latency is added by the memory system.
u8 base_cost(ZydisMnemonic m) {
    switch (m) {
    case ZYDIS_MNEMONIC_MUL:
    case ZYDIS_MNEMONIC_IMUL: return 3;
    case ZYDIS_MNEMONIC_DIV:
    case ZYDIS_MNEMONIC_IDIV: return 26;
    case ZYDIS_MNEMONIC_CPUID: return 100;
    // The spin-wait hint: Intel's optimization manual gives about 10 cycles before Skylake and up to
    // 140 from Skylake on. A spin-wait loop of a few instructions spends most of its time in PAUSE.
    case ZYDIS_MNEMONIC_PAUSE: return 40;
    case ZYDIS_MNEMONIC_RDMSR:
    case ZYDIS_MNEMONIC_WRMSR: return 50;
    case ZYDIS_MNEMONIC_IN:
    case ZYDIS_MNEMONIC_OUT: return 30;
    case ZYDIS_MNEMONIC_MFENCE:
    case ZYDIS_MNEMONIC_LFENCE:
    case ZYDIS_MNEMONIC_SFENCE: return 4;
    case ZYDIS_MNEMONIC_CMPXCHG:
    case ZYDIS_MNEMONIC_XADD:
    case ZYDIS_MNEMONIC_XCHG: return 2;
    case ZYDIS_MNEMONIC_IRETQ:
    case ZYDIS_MNEMONIC_IRETD:
    case ZYDIS_MNEMONIC_IRET:
    case ZYDIS_MNEMONIC_INT: return 40;
    default: return 1;
    }
}

// Maps a Zydis GPR to 0..15, or 16..19 for AH/CH/DH/BH. Returns kNoReg for anything else.
u8 gpr_index(ZydisRegister r) {
    switch (r) {
    case ZYDIS_REGISTER_AH: return kHighByteBase + 0;
    case ZYDIS_REGISTER_CH: return kHighByteBase + 1;
    case ZYDIS_REGISTER_DH: return kHighByteBase + 2;
    case ZYDIS_REGISTER_BH: return kHighByteBase + 3;
    default: break;
    }
    switch (ZydisRegisterGetClass(r)) {
    case ZYDIS_REGCLASS_GPR8:
    case ZYDIS_REGCLASS_GPR16:
    case ZYDIS_REGCLASS_GPR32:
    case ZYDIS_REGCLASS_GPR64: {
        const ZydisRegister full = ZydisRegisterGetLargestEnclosing(ZYDIS_MACHINE_MODE_LONG_64, r);
        return u8(full - ZYDIS_REGISTER_RAX);
    }
    default: return kNoReg;
    }
}

bool convert_operand(const ZydisDecodedOperand& z, Operand& o, u16& far_selector) {
    o.size = u8((z.size + 7) / 8);
    switch (z.type) {
    case ZYDIS_OPERAND_TYPE_REGISTER: {
        const ZydisRegister r = z.reg.value;
        switch (ZydisRegisterGetClass(r)) {
        case ZYDIS_REGCLASS_SEGMENT:
            o.kind = OpKind::SegReg;
            o.reg = u8(r - ZYDIS_REGISTER_ES);
            return true;
        case ZYDIS_REGCLASS_CONTROL:
            o.kind = OpKind::CtrlReg;
            o.reg = u8(r - ZYDIS_REGISTER_CR0);
            return true;
        case ZYDIS_REGCLASS_DEBUG:
            o.kind = OpKind::DbgReg;
            o.reg = u8(r - ZYDIS_REGISTER_DR0);
            return true;
        default: break;
        }
        o.kind = OpKind::Reg;
        o.reg = gpr_index(r);
        return o.reg != kNoReg;
    }
    case ZYDIS_OPERAND_TYPE_MEMORY: {
        if (z.mem.type != ZYDIS_MEMOP_TYPE_MEM && z.mem.type != ZYDIS_MEMOP_TYPE_AGEN) return false;
        o.kind = OpKind::Mem;
        o.seg = z.mem.segment == ZYDIS_REGISTER_NONE ? u8(DS) : u8(z.mem.segment - ZYDIS_REGISTER_ES);
        if (o.seg >= kSegCount) return false;
        if (z.mem.base == ZYDIS_REGISTER_RIP || z.mem.base == ZYDIS_REGISTER_EIP) {
            o.base = kRipBase;
        } else if (z.mem.base != ZYDIS_REGISTER_NONE) {
            o.base = gpr_index(z.mem.base);
            if (o.base == kNoReg || o.base >= kHighByteBase) return false;
        }
        if (z.mem.index != ZYDIS_REGISTER_NONE) {
            o.index = gpr_index(z.mem.index);
            if (o.index == kNoReg || o.index >= kHighByteBase) return false;
            o.scale = u8(z.mem.scale == 8 ? 3 : z.mem.scale == 4 ? 2 : z.mem.scale == 2 ? 1 : 0);
        }
        o.imm = z.mem.disp.has_displacement ? z.mem.disp.value : 0;
        return true;
    }
    case ZYDIS_OPERAND_TYPE_IMMEDIATE:
        o.kind = z.imm.is_relative ? OpKind::Rel : OpKind::Imm;
        o.imm = z.imm.is_signed ? z.imm.value.s : i64(z.imm.value.u);
        return true;
    case ZYDIS_OPERAND_TYPE_POINTER:
        o.kind = OpKind::FarPtr;
        far_selector = z.ptr.segment;
        o.imm = z.ptr.offset;
        return true;
    default: return false;
    }
}

ZydisMachineMode zydis_mode(CpuMode m) {
    switch (m) {
    case CpuMode::Real16: return ZYDIS_MACHINE_MODE_REAL_16;
    case CpuMode::Prot16: return ZYDIS_MACHINE_MODE_LEGACY_16;
    case CpuMode::Prot32: return ZYDIS_MACHINE_MODE_LEGACY_32;
    case CpuMode::Compat16: return ZYDIS_MACHINE_MODE_LONG_COMPAT_16;
    case CpuMode::Compat32: return ZYDIS_MACHINE_MODE_LONG_COMPAT_32;
    case CpuMode::Long64: return ZYDIS_MACHINE_MODE_LONG_64;
    }
    return ZYDIS_MACHINE_MODE_LONG_64;
}

} // namespace

void handler_invalid_opcode(CpuImpl&, const DecodedInsn&) {
    raise_exception(kUD);
}

struct Decoder::ZydisState {
    // One decoder per CpuMode; the stack width follows the mode (SS.B is handled by the interpreter).
    ZydisDecoder decoders[6];
};

Decoder::Decoder() : zydis_(std::make_shared<ZydisState>()) {
    const CpuMode modes[] = {CpuMode::Real16,   CpuMode::Prot16,   CpuMode::Prot32,
                             CpuMode::Compat16, CpuMode::Compat32, CpuMode::Long64};
    for (CpuMode m : modes) {
        ZydisStackWidth sw = m == CpuMode::Long64                               ? ZYDIS_STACK_WIDTH_64
                             : (m == CpuMode::Prot32 || m == CpuMode::Compat32) ? ZYDIS_STACK_WIDTH_32
                                                                                : ZYDIS_STACK_WIDTH_16;
        ZydisDecoderInit(&zydis_->decoders[int(m)], zydis_mode(m), sw);
        // Our CPUID reports neither BMI1 nor ABM: F3 0F BC/BD are BSF/BSR with an ignored REP prefix,
        // as on CPUs without TZCNT/LZCNT (gcc emits `rep bsf` for __builtin_ctz).
        ZydisDecoderEnableMode(&zydis_->decoders[int(m)], ZYDIS_DECODER_MODE_TZCNT, ZYAN_FALSE);
        ZydisDecoderEnableMode(&zydis_->decoders[int(m)], ZYDIS_DECODER_MODE_LZCNT, ZYAN_FALSE);
    }
}

bool Decoder::decode(const u8* bytes, unsigned len, CpuMode mode, DecodedInsn& out) const {
    ZydisDecodedInstruction insn;
    ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
    const ZyanStatus status = ZydisDecoderDecodeFull(&zydis_->decoders[int(mode)], bytes, len, &insn, ops);
    out = DecodedInsn{};
    out.mode = mode;
    if (status == ZYDIS_STATUS_NO_MORE_DATA && len < ZYDIS_MAX_INSTRUCTION_LENGTH) return false;
    if (!ZYAN_SUCCESS(status)) {
        out.exec = &handler_invalid_opcode;
        out.length = 1;
        return true;
    }
    out.mnemonic = u16(insn.mnemonic);
    out.length = insn.length;
    out.opsize = u8(insn.operand_width / 8);
    out.addrsize = u8(insn.address_width / 8);
    out.stacksize = u8(insn.stack_width / 8);
    out.lock = insn.attributes & ZYDIS_ATTRIB_HAS_LOCK;
    out.rep = insn.attributes & (ZYDIS_ATTRIB_HAS_REP | ZYDIS_ATTRIB_HAS_REPE);
    out.repne = insn.attributes & ZYDIS_ATTRIB_HAS_REPNE;
    out.cond = insn.opcode & 0xf;
    out.cost = base_cost(insn.mnemonic);
    out.exec = handler_table()[insn.mnemonic];
    out.far_branch = insn.meta.branch_type == ZYDIS_BRANCH_TYPE_FAR;
    switch (insn.meta.isa_ext) {
    case ZYDIS_ISA_EXT_X87:
    case ZYDIS_ISA_EXT_MMX:
    case ZYDIS_ISA_EXT_SSE:
    case ZYDIS_ISA_EXT_SSE2:
    case ZYDIS_ISA_EXT_SSE3:
    case ZYDIS_ISA_EXT_SSSE3:
    case ZYDIS_ISA_EXT_SSE4:
    case ZYDIS_ISA_EXT_SSE4A:
    case ZYDIS_ISA_EXT_AVX:
    case ZYDIS_ISA_EXT_AVX2:
    case ZYDIS_ISA_EXT_F16C:
    case ZYDIS_ISA_EXT_FMA:
    case ZYDIS_ISA_EXT_FMA4:
    case ZYDIS_ISA_EXT_XSAVE:
    case ZYDIS_ISA_EXT_XSAVEC:
    case ZYDIS_ISA_EXT_XSAVEOPT:
    case ZYDIS_ISA_EXT_XSAVES:
        // Fences, PAUSE, CLFLUSH and prefetches belong to SSE/SSE2 too, and they are implemented.
        if (out.exec == &handler_unimplemented) out.fpu_simd = true;
        break;
    default: break;
    }
    static const std::pair<ZyanU64, u8> overrides[] = {
        {ZYDIS_ATTRIB_HAS_SEGMENT_ES, ES}, {ZYDIS_ATTRIB_HAS_SEGMENT_CS, CS},
        {ZYDIS_ATTRIB_HAS_SEGMENT_SS, SS}, {ZYDIS_ATTRIB_HAS_SEGMENT_DS, DS},
        {ZYDIS_ATTRIB_HAS_SEGMENT_FS, FS}, {ZYDIS_ATTRIB_HAS_SEGMENT_GS, GS}};
    for (const auto& [attr, seg] : overrides)
        if (insn.attributes & attr) out.src_seg = seg;

    bool system_operand = false;
    for (unsigned i = 0; i < insn.operand_count_visible && out.nops < 3; ++i) {
        // Visible operands (explicit and implicit, e.g. the accumulator of `or eax, imm32`), in the
        // order the SDM writes them; hidden ones (RDX:RAX of MUL...) are the handlers' business.
        if (ops[i].visibility == ZYDIS_OPERAND_VISIBILITY_HIDDEN) continue;
        Operand& o = out.op[out.nops++];
        if (!convert_operand(ops[i], o, out.far_selector)) {
            // XMM, x87, mask registers...: outside the modelled ISA.
            out.exec = &handler_unimplemented;
            out.fpu_simd = true;
            return true;
        }
        if (o.kind == OpKind::SegReg || o.kind == OpKind::CtrlReg || o.kind == OpKind::DbgReg)
            system_operand = true;
    }
    if (system_operand && insn.mnemonic == ZYDIS_MNEMONIC_MOV) {
        out.exec = &handler_mov_system;
    } else if (out.exec != &handler_unimplemented) {
        if (Handler h = specialize_data(out))
            out.exec = h;
        else if (Handler h2 = specialize_alu(out))
            out.exec = h2;
        else if (Handler h3 = specialize_control(out))
            out.exec = h3;
    }
    out.locked = out.lock || (insn.mnemonic == ZYDIS_MNEMONIC_XCHG &&
                              (out.op[0].kind == OpKind::Mem || out.op[1].kind == OpKind::Mem));
    // LOCK is only valid on read-modify-write instructions with a memory destination (SDM: #UD).
    if (out.lock && (out.nops == 0 || out.op[0].kind != OpKind::Mem)) out.exec = &handler_invalid_opcode;
    out.continues_run = continues_run(insn.mnemonic) && !out.locked && !system_operand &&
                        out.exec != &handler_unimplemented && out.exec != &handler_invalid_opcode;
    for (unsigned i = 0; i < out.nops; ++i)
        if (out.op[i].kind == OpKind::FarPtr) out.continues_run = false;
    return true;
}

CodePage& DecodeCache::page(u64 ppage) {
    // A fetch that moves to another page (a call, a return) asks here: recent pages skip the hash map.
    std::pair<u64, CodePage*>& recent = recent_[(ppage >> 12) & (kRecentPages - 1)];
    if (recent.first == ppage && recent.second) return *recent.second;
    auto it = pages_.find(ppage);
    if (it != pages_.end()) {
        recent = {ppage, it->second.get()};
        return *it->second;
    }
    auto fresh = std::make_unique<CodePage>();
    fresh->ppage = ppage;
    CodePage& ref = *fresh;
    pages_.emplace(ppage, std::move(fresh));
    mark(ppage, true);
    for (auto& listener : listeners_)
        listener(ppage);
    return ref;
}

unsigned DecodeCache::invalidate_written(u64 pa, u64 size) {
    unsigned dropped = 0;
    for (u64 at = pa, end = pa + size; size != 0 && at < end && at >= pa;) {
        const u64 page = at & ~0xfffull;
        const u64 chunk = std::min<u64>(end, page + 4096) - at;
        if (store_hits_code(at, unsigned(chunk))) {
            invalidate(page);
            ++dropped;
        }
        at += chunk;
    }
    return dropped;
}

void DecodeCache::invalidate(u64 ppage) {
    auto it = pages_.find(ppage);
    if (it == pages_.end()) return;
    std::unique_ptr<CodePage> dead = std::move(it->second);
    pages_.erase(it);
    mark(ppage, false);
    if (std::pair<u64, CodePage*>& recent = recent_[(ppage >> 12) & (kRecentPages - 1)];
        recent.first == ppage)
        recent = {};
    ++epoch_;
    ++invalidations_;
    for (auto& listener : drop_listeners_)
        listener();
    for (u64 dep : dead->dependents)
        invalidate(dep);
    graveyard_.push_back(std::move(dead));
}

} // namespace smpsim::cpu
