#include "sim/litmus/assembler.h"

#include "sim/core/error.h"
#include "sim/litmus/insn.h"

#include <Zydis/Zydis.h>

#include <algorithm>
#include <climits>
#include <cstring>

namespace smpsim::litmus {

namespace {

ZydisRegister zydis_reg(const RegisterRef& r) {
    switch (r.width) {
    case 8: return static_cast<ZydisRegister>(ZYDIS_REGISTER_RAX + r.gpr);
    case 4: return static_cast<ZydisRegister>(ZYDIS_REGISTER_EAX + r.gpr);
    case 2: return static_cast<ZydisRegister>(ZYDIS_REGISTER_AX + r.gpr);
    default:
        if (r.shift == 8) return static_cast<ZydisRegister>(ZYDIS_REGISTER_AH + r.gpr);
        if (r.gpr < 4) return static_cast<ZydisRegister>(ZYDIS_REGISTER_AL + r.gpr);
        if (r.gpr < 8) return static_cast<ZydisRegister>(ZYDIS_REGISTER_SPL + (r.gpr - 4));
        return static_cast<ZydisRegister>(ZYDIS_REGISTER_R8B + (r.gpr - 8));
    }
}

ZydisRegister zydis_reg64(const RegisterRef& r) {
    return static_cast<ZydisRegister>(ZYDIS_REGISTER_RAX + r.gpr);
}

bool is_shift(const std::string& m) {
    return m == "shl" || m == "shr" || m == "sal" || m == "sar" || m == "rol" || m == "ror" || m == "rcl" ||
           m == "rcr";
}

// For MOV between the accumulator and an absolute address Zydis picks the short `67 A0..A3 moffs32`
// form, which uses a 32-bit address size. Rewrite it as the equivalent 8A/8B/88/89 with ModRM 04 SIB 25
// [disp32], so that all litmus code uses 64-bit addressing only (one byte longer).
std::vector<u8> without_moffs32(const std::vector<u8>& in) {
    std::vector<u8> out;
    size_t i = 0;
    bool addr32 = false;
    for (; i < in.size(); ++i) {
        u8 b = in[i];
        if (b == 0x67) {
            addr32 = true;
            continue;
        }
        if (b == 0x2e || b == 0x36 || b == 0x3e || b == 0x26 || b == 0x64 || b == 0x65 || b == 0x66 ||
            b == 0xf0 || b == 0xf2 || b == 0xf3 || (b >= 0x40 && b <= 0x4f)) {
            out.push_back(b);
            continue;
        }
        break;
    }
    if (!addr32 || i >= in.size() || in[i] < 0xa0 || in[i] > 0xa3 || in.size() - i != 5) return in;
    static const u8 op[] = {0x8a, 0x8b, 0x88, 0x89};
    out.push_back(op[in[i] - 0xa0]);
    out.push_back(0x04); // ModRM: mod=00 reg=accumulator rm=100 (SIB)
    out.push_back(0x25); // SIB: no index, base=101 -> disp32
    out.insert(out.end(), in.begin() + static_cast<long>(i) + 1, in.end());
    return out;
}

class ThreadAssembler {
  public:
    ThreadAssembler(const LitmusTest& test, const Thread& th, const Layout& layout,
                    const AssembleOptions& opt, u64 code_address)
        : test_(test), th_(th), layout_(layout), opt_(opt), base_(code_address) {}

    AssembledThread run();

  private:
    [[noreturn]] void fail(const Instruction& ins, const std::string& why) const {
        throw InputError(test_.file + ":" + std::to_string(ins.line) + ": cannot assemble '" + ins.text +
                         "' of P" + std::to_string(th_.id) + ": " + why);
    }
    u64 address_of(const std::string& var, const Instruction& ins) const {
        auto it = layout_.find(var);
        if (it == layout_.end()) fail(ins, "no address for variable '" + var + "' in the layout");
        return it->second;
    }
    // Encodes instruction `i` at offset `at`; label offsets from `labels`.
    std::vector<u8> encode(const Instruction& ins, const ParsedInsn& p, u32 at, u32 end,
                           const std::map<std::string, u32>& labels) const;

    const LitmusTest& test_;
    const Thread& th_;
    const Layout& layout_;
    const AssembleOptions& opt_;
    u64 base_;
};

std::vector<u8> ThreadAssembler::encode(const Instruction& ins, const ParsedInsn& p, u32 at, u32 end,
                                        const std::map<std::string, u32>& labels) const {
    ZydisEncoderRequest req;
    std::memset(&req, 0, sizeof(req));
    req.machine_mode = ZYDIS_MACHINE_MODE_LONG_64;
    const u64 here = base_ + at;

    // XCHG and TEST are symmetric; Zydis only knows the memory operand first (GNU as swaps them too).
    std::vector<Operand> ops = p.ops;
    if ((p.mnemonic == "xchg" || p.mnemonic == "test") && ops.size() == 2 &&
        ops[0].kind == Operand::Kind::Reg && ops[1].kind == Operand::Kind::Mem)
        std::swap(ops[0], ops[1]);

    if (p.mnemonic == "ret") {
        // herd: RET ends the thread. Jump to the end of the code, where the runner's epilogue is.
        if (!p.ops.empty()) fail(ins, "RET with an operand is not supported");
        req.mnemonic = ZYDIS_MNEMONIC_JMP;
        req.branch_type = ZYDIS_BRANCH_TYPE_NEAR;
        req.branch_width = ZYDIS_BRANCH_WIDTH_32;
        req.operand_count = 1;
        req.operands[0].type = ZYDIS_OPERAND_TYPE_IMMEDIATE;
        req.operands[0].imm.u = base_ + end;
    } else {
        req.mnemonic = static_cast<ZydisMnemonic>(zydis_mnemonic(p.mnemonic));
        if (req.mnemonic == ZYDIS_MNEMONIC_INVALID) fail(ins, "unknown instruction '" + p.mnemonic + "'");
        if (p.lock) req.prefixes |= ZYDIS_ATTRIB_HAS_LOCK;
        if (p.rep == "rep") req.prefixes |= ZYDIS_ATTRIB_HAS_REP;
        if (p.rep == "repne") req.prefixes |= ZYDIS_ATTRIB_HAS_REPNE;
        if (p.ops.size() > ZYDIS_ENCODER_MAX_OPERANDS) fail(ins, "too many operands");

        // Memory access size.
        const bool extend = p.mnemonic == "movzx" || p.mnemonic == "movsx" || p.mnemonic == "movsxd";
        unsigned msize = 0;
        for (const Operand& op : p.ops)
            if (op.kind == Operand::Kind::Mem && op.size) msize = op.size;
        if (!msize && p.suffix_size) msize = p.suffix_size;
        if (!msize && !extend)
            for (const Operand& op : p.ops)
                if (op.kind == Operand::Kind::Reg && !(is_shift(p.mnemonic) && &op != &p.ops[0])) {
                    msize = op.reg.width;
                    break;
                }
        if (!msize && extend) {
            for (const Operand& op : p.ops)
                if (op.kind == Operand::Kind::Mem)
                    fail(ins, "the memory operand needs a size (BYTE PTR / WORD PTR)");
        }
        if (!msize) msize = 4; // herd's default int
        if (p.mnemonic == "movsxd" && !p.suffix_size) msize = 4;
        // SETcc always writes one byte. LEA accesses no memory: Zydis reads its operand's size as the
        // address size, which is 64 bits here (a smaller one would add 0x67 and truncate the address).
        if (p.mnemonic.rfind("set", 0) == 0) msize = 1;
        if (p.mnemonic == "lea") msize = 8;

        if (p.is_branch()) {
            req.branch_type = ZYDIS_BRANCH_TYPE_NEAR;
            req.branch_width = ZYDIS_BRANCH_WIDTH_32;
        }
        req.operand_count = static_cast<ZyanU8>(ops.size());
        for (size_t k = 0; k < ops.size(); ++k) {
            const Operand& op = ops[k];
            ZydisEncoderOperand& zo = req.operands[k];
            switch (op.kind) {
            case Operand::Kind::Reg:
                zo.type = ZYDIS_OPERAND_TYPE_REGISTER;
                zo.reg.value = zydis_reg(op.reg);
                break;
            case Operand::Kind::Imm: {
                zo.type = ZYDIS_OPERAND_TYPE_IMMEDIATE;
                i64 v = op.disp;
                if (op.symbol) v += static_cast<i64>(address_of(*op.symbol, ins));
                zo.imm.s = v;
                break;
            }
            case Operand::Kind::Label: {
                auto it = labels.find(op.label);
                if (it == labels.end()) fail(ins, "undefined label '" + op.label + "'");
                zo.type = ZYDIS_OPERAND_TYPE_IMMEDIATE;
                zo.imm.u = base_ + it->second;
                break;
            }
            case Operand::Kind::Mem: {
                zo.type = ZYDIS_OPERAND_TYPE_MEMORY;
                zo.mem.size = static_cast<ZyanU16>(msize);
                i64 disp = op.disp;
                if (op.symbol) disp += static_cast<i64>(address_of(*op.symbol, ins));
                bool has_index = op.index && op.scale != 0;
                zo.mem.base = op.base ? zydis_reg64(*op.base) : ZYDIS_REGISTER_NONE;
                zo.mem.index = has_index ? zydis_reg64(*op.index) : ZYDIS_REGISTER_NONE;
                zo.mem.scale = has_index ? static_cast<ZyanU8>(op.scale) : 0;
                if (!op.base && !has_index && opt_.rip_relative) {
                    zo.mem.base = ZYDIS_REGISTER_RIP;
                    i64 rel = disp - static_cast<i64>(here);
                    if (rel < INT32_MIN / 2 || rel > INT32_MAX / 2)
                        fail(ins,
                             "address of the operand is too far from the code for RIP-relative addressing");
                } else if (disp < INT32_MIN || disp > INT32_MAX) {
                    fail(ins, "address " + std::to_string(disp) +
                                  " does not fit a 32-bit displacement (place variables below 2 GiB)");
                }
                zo.mem.displacement = disp;
                // CS/DS/ES/SS overrides have no effect in 64-bit mode (Zydis refuses to encode them): they
                // are dropped. FS/GS keep their prefix.
                if (op.segment == "fs") req.prefixes |= ZYDIS_ATTRIB_HAS_SEGMENT_FS;
                if (op.segment == "gs") req.prefixes |= ZYDIS_ATTRIB_HAS_SEGMENT_GS;
                break;
            }
            }
        }
        // Without a register or memory operand to size it (`PUSH $1`, `MOV [x],$1` is sized by memory),
        // the AT&T suffix decides.
        if (p.suffix_size) {
            switch (p.suffix_size) {
            case 1: req.operand_size_hint = ZYDIS_OPERAND_SIZE_HINT_8; break;
            case 2: req.operand_size_hint = ZYDIS_OPERAND_SIZE_HINT_16; break;
            case 4: req.operand_size_hint = ZYDIS_OPERAND_SIZE_HINT_32; break;
            case 8: req.operand_size_hint = ZYDIS_OPERAND_SIZE_HINT_64; break;
            }
            if (extend) req.operand_size_hint = ZYDIS_OPERAND_SIZE_HINT_NONE;
        }
    }
    u8 buf[ZYDIS_MAX_INSTRUCTION_LENGTH];
    ZyanUSize len = sizeof(buf);
    ZydisEncoderRequest copy = req;
    ZyanStatus st = ZydisEncoderEncodeInstructionAbsolute(&copy, buf, &len, here);
    if (!ZYAN_SUCCESS(st)) {
        // Zydis only says which operand combination it could not find; name the whole form.
        std::string form = p.mnemonic;
        for (size_t k = 0; k < ops.size(); ++k) {
            const Operand& op = ops[k];
            form += k ? ", " : " ";
            switch (op.kind) {
            case Operand::Kind::Reg: form += op.reg.name; break;
            case Operand::Kind::Imm: form += "imm"; break;
            case Operand::Kind::Label: form += "label"; break;
            case Operand::Kind::Mem: form += "m" + std::to_string(8 * req.operands[k].mem.size); break;
            }
        }
        fail(ins, "no x86-64 encoding for '" + form + "'" + (p.lock ? " with LOCK" : ""));
    }
    return without_moffs32(std::vector<u8>(buf, buf + len));
}

AssembledThread ThreadAssembler::run() {
    AssembledThread out;
    out.id = th_.id;
    out.code_address = base_;
    std::vector<ParsedInsn> parsed(th_.code.size());
    for (size_t i = 0; i < th_.code.size(); ++i) {
        const Instruction& ins = th_.code[i];
        if (ins.text.empty()) continue;
        try {
            parsed[i] = parse_instruction(ins.text, test_.arch);
        } catch (const SyntaxError& e) {
            fail(ins, e.what());
        }
    }
    // Pass 1: lengths (branches are rel32, so they do not depend on the targets).
    std::map<std::string, u32> labels;
    std::vector<u32> offsets(th_.code.size()), lengths(th_.code.size());
    for (const Instruction& ins : th_.code)
        if (!ins.label.empty()) labels[ins.label] = 0;
    u32 at = 0;
    for (size_t i = 0; i < th_.code.size(); ++i) {
        const Instruction& ins = th_.code[i];
        offsets[i] = at;
        if (!ins.label.empty()) labels[ins.label] = at;
        if (ins.text.empty()) continue;
        lengths[i] = static_cast<u32>(encode(ins, parsed[i], at, at, labels).size());
        at += lengths[i];
    }
    const u32 end = at;
    for (size_t i = 0; i < th_.code.size(); ++i)
        if (!th_.code[i].label.empty()) labels[th_.code[i].label] = offsets[i];
    // Pass 2: final bytes.
    for (size_t i = 0; i < th_.code.size(); ++i) {
        const Instruction& ins = th_.code[i];
        AssembledInsn a;
        a.index = i;
        a.line = ins.line;
        a.label = ins.label;
        a.text = ins.text;
        a.offset = offsets[i];
        if (!ins.text.empty()) {
            std::vector<u8> bytes = encode(ins, parsed[i], offsets[i], end, labels);
            if (bytes.size() != lengths[i]) fail(ins, "instruction length changed between passes");
            out.code.insert(out.code.end(), bytes.begin(), bytes.end());
            a.length = lengths[i];
        }
        out.insns.push_back(a);
    }
    out.labels = labels;
    return out;
}

u64 resolve(const Value& v, const Layout& layout, const std::string& where) {
    u64 x = static_cast<u64>(v.number);
    if (v.symbol) {
        auto it = layout.find(*v.symbol);
        if (it == layout.end())
            throw InputError(where + ": no address for variable '" + *v.symbol + "' in the layout");
        x += it->second;
    }
    return x;
}

} // namespace

std::optional<size_t> AssembledThread::index_at(u32 offset) const {
    for (const AssembledInsn& a : insns)
        if (a.length && offset >= a.offset && offset < a.offset + a.length) return a.index;
    return std::nullopt;
}

Layout default_layout(const LitmusTest& test, u64 base, u64 stride) {
    Layout l;
    u64 at = base;
    for (const Variable& v : test.variables) {
        l[v.name] = at;
        u64 size = std::max<u64>(v.size_bytes(), 1);
        at += (size + stride - 1) / stride * stride;
    }
    return l;
}

AssembledTest assemble(const LitmusTest& test, const Layout& layout, const AssembleOptions& options) {
    AssembledTest out;
    out.layout = layout;
    for (const Variable& v : test.variables)
        if (!layout.count(v.name))
            throw InputError(test.file + (v.line ? ":" + std::to_string(v.line) : std::string()) +
                             ": no address for variable '" + v.name + "' in the layout");
    for (size_t t = 0; t < test.threads.size(); ++t) {
        u64 addr = t < options.code_address.size() ? options.code_address[t] : 0;
        ThreadAssembler ta(test, test.threads[t], layout, options, addr);
        AssembledThread th = ta.run();
        th.observed_regs = test.observed_registers(static_cast<int>(t));
        for (const RegisterInit& ri : test.reg_init) {
            if (ri.thread != static_cast<int>(t)) continue;
            u64 v = resolve(ri.value, layout, test.file + ":" + std::to_string(ri.line));
            u64 field = ri.reg.mask() << ri.reg.shift;
            auto it = std::find_if(th.init_regs.begin(), th.init_regs.end(),
                                   [&](const auto& p) { return p.first == ri.reg.gpr; });
            if (it == th.init_regs.end()) {
                th.init_regs.emplace_back(ri.reg.gpr, 0);
                it = th.init_regs.end() - 1;
            }
            it->second = (it->second & ~field) | ((v << ri.reg.shift) & field);
        }
        out.threads.push_back(std::move(th));
    }
    for (const Variable& v : test.variables) {
        for (unsigned i = 0; i < v.count; ++i) {
            MemoryInit m;
            m.var = v.name;
            m.index = i;
            m.address = layout.at(v.name) + u64{i} * v.elem_size;
            m.size = v.elem_size;
            u64 x =
                i < v.init.size() ? resolve(v.init[i], layout, test.file + ":" + std::to_string(v.line)) : 0;
            m.value = v.elem_size >= 8 ? x : x & ((u64{1} << (8 * v.elem_size)) - 1);
            out.memory.push_back(m);
        }
    }
    for (const Location& l : test.observed) {
        ObservedCell c;
        if (l.kind == Location::Kind::Register) {
            c.is_register = true;
            c.thread = l.thread;
            c.gpr = l.reg.gpr;
            c.shift = l.reg.shift;
        } else {
            const Variable* v = test.find_variable(l.var);
            c.address = layout.at(l.var) + u64{l.index} * (v ? v->elem_size : 4);
            c.size = v ? v->elem_size : 4;
        }
        out.observed.push_back(c);
    }
    return out;
}

} // namespace smpsim::litmus
