// Cross-check of the litmus assembler (Zydis's encoder) against an independent encoder, GNU as.
//
// Every instruction form the litmus syntax accepts for the instructions litmus tests use (mnemonics x
// operand kinds: register, memory by variable / base / base+index*scale+disp, immediate, x sizes 1, 2, 4,
// 8 bytes, with and without LOCK) is written once in herd's Intel syntax (X86) and once in AT&T syntax
// (X86_64), assembled by smpsim and by `as --64`, and the machine-code bytes are compared. Variables
// become their layout addresses for `as` (`[x]` -> `[0x100000]`), which both encode as an absolute
// [disp32] with a SIB byte.
//
// When the bytes differ, both are decoded with Zydis and the instructions' semantics are compared
// instead (mnemonic, prefixes, every operand with its size, register, base, index, scale, displacement
// and immediate value). x86 has several valid encodings of many
// forms, and the two encoders legitimately choose differently: the direction bit of reg,reg ALU forms
// (01 /r vs 03 /r), the accumulator short forms (05 id vs 81 /0 id), the sign-extended imm8 forms (83)
// vs imm32, XCHG with EAX (90+r), and rel8 vs rel32 branches (smpsim always uses rel32, so that an
// instruction's length never depends on its label; branch targets are compared as the displacement
// from the next instruction). Those are the same instruction, so equal semantics
// is the right test there; anything else (another register, width, address or value) fails.
//
// `as` is a required tool (binutils, installed by scripts/setup): the test fails when it is missing.
#include "sim/core/error.h"
#include "sim/litmus/assembler.h"
#include "sim/litmus/insn.h"
#include "sim/litmus/parser.h"

#include <Zydis/Zydis.h>
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace smpsim::litmus {
namespace {

constexpr u64 kX = 0x100000; // where default_layout puts the first variable, x

struct Form {
    std::string smpsim; // the instruction as a litmus test writes it
    std::string gas;    // the same for `as` (variables replaced by their addresses)
    Arch arch = Arch::X86;
};

// --- The forms ---------------------------------------------------------------------------------------

struct Reg {
    const char* name;
    unsigned size;
};
const Reg kRegs[] = {{"al", 1},   {"cl", 1},  {"sil", 1}, {"r9b", 1}, {"ax", 2},  {"dx", 2},
                     {"r10w", 2}, {"eax", 4}, {"ebx", 4}, {"edi", 4}, {"r8d", 4}, {"r15d", 4},
                     {"rax", 8},  {"rcx", 8}, {"rsi", 8}, {"r12", 8}, {"r13", 8}};

const char* intel_ptr(unsigned size) {
    return size == 1 ? "BYTE PTR " : size == 2 ? "WORD PTR " : size == 4 ? "DWORD PTR " : "QWORD PTR ";
}
char att_suffix(unsigned size) {
    return size == 1 ? 'b' : size == 2 ? 'w' : size == 4 ? 'l' : 'q';
}
std::string hexnum(u64 v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
    return buf;
}

// Memory operands: {smpsim Intel, gas Intel, smpsim AT&T, gas AT&T}.
struct Mem {
    std::string intel, gas_intel, att, gas_att;
};
std::vector<Mem> memories() {
    return {{"[x]", "[" + hexnum(kX) + "]", "(x)", hexnum(kX)},
            {"[x+8]", "[" + hexnum(kX + 8) + "]", "8(x)", hexnum(kX + 8)},
            {"[RBX]", "[rbx]", "(%rbx)", "(%rbx)"},
            {"[R13]", "[r13]", "(%r13)", "(%r13)"},
            {"[RSP]", "[rsp]", "(%rsp)", "(%rsp)"},
            {"[RBX+RCX*4]", "[rbx+rcx*4]", "(%rbx,%rcx,4)", "(%rbx,%rcx,4)"},
            {"[R12+R9*8+16]", "[r12+r9*8+16]", "16(%r12,%r9,8)", "16(%r12,%r9,8)"}};
}

std::vector<i64> immediates(unsigned size) {
    std::vector<i64> v{0, 1, -1, 127};
    if (size >= 2) v.insert(v.end(), {128, -129, 0x1234});
    if (size >= 4) v.push_back(0x12345678);
    return v;
}

class Forms {
  public:
    std::vector<Form> all;

    // `ops` in Intel order; each op is {intel smpsim, intel gas, att smpsim, att gas}.
    void add(const std::string& mnemonic, const std::vector<Mem>& ops, unsigned att_size, bool lock = false) {
        std::string i = lock ? "LOCK " : "", g = lock ? "lock " : "";
        std::string ai = i.empty() ? "" : "lock ", ag = ai;
        i += upper(mnemonic);
        g += mnemonic;
        ai += mnemonic + (att_size ? std::string(1, att_suffix(att_size)) : "");
        ag += mnemonic + (att_size ? std::string(1, att_suffix(att_size)) : "");
        for (size_t k = 0; k < ops.size(); ++k) {
            i += (k ? "," : " ") + ops[k].intel;
            g += (k ? ", " : " ") + ops[k].gas_intel;
        }
        for (size_t k = ops.size(); k-- > 0;) { // AT&T: source first
            ai += (k + 1 == ops.size() ? " " : ",") + ops[k].att;
            ag += (k + 1 == ops.size() ? " " : ", ") + ops[k].gas_att;
        }
        all.push_back({i, ".intel_syntax noprefix\n" + g, Arch::X86});
        all.push_back({ai, ".att_syntax prefix\n" + ag, Arch::X86_64});
    }

    static std::string upper(std::string s) {
        for (char& c : s)
            c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        return s;
    }
    static Mem reg(const Reg& r) {
        return {upper(r.name), r.name, std::string("%") + r.name, std::string("%") + r.name};
    }
    static Mem mem(const Mem& m, unsigned size) {
        return {intel_ptr(size) + m.intel, intel_ptr(size) + m.gas_intel, m.att, m.gas_att};
    }
    static Mem imm(i64 v) {
        const std::string s = std::to_string(v);
        return {"$" + s, s, "$" + s, "$" + s};
    }
};

std::vector<Form> all_forms() {
    Forms f;
    const std::vector<Mem> mems = memories();
    auto regs_of = [](unsigned size) {
        std::vector<Reg> out;
        for (const Reg& r : kRegs)
            if (r.size == size) out.push_back(r);
        return out;
    };
    for (unsigned size : {1u, 2u, 4u, 8u}) {
        const std::vector<Reg> regs = regs_of(size);
        // Two-operand ALU forms and MOV.
        for (const char* m : {"mov", "add", "or", "adc", "sbb", "and", "sub", "xor", "cmp", "test"}) {
            for (const Reg& a : regs)
                for (const Reg& b : regs)
                    f.add(m, {Forms::reg(a), Forms::reg(b)}, size);
            for (const Mem& mm : mems) {
                f.add(m, {Forms::reg(regs[0]), Forms::mem(mm, size)}, size);
                f.add(m, {Forms::mem(mm, size), Forms::reg(regs.back())}, size);
            }
            for (i64 v : immediates(size)) {
                f.add(m, {Forms::reg(regs[0]), Forms::imm(v)}, size);
                f.add(m, {Forms::reg(regs.back()), Forms::imm(v)}, size);
                f.add(m, {Forms::mem(mems[0], size), Forms::imm(v)}, size);
            }
            if (std::string(m) != "mov" && std::string(m) != "cmp" && std::string(m) != "test") {
                f.add(m, {Forms::mem(mems[0], size), Forms::reg(regs[1])}, size, true);
                f.add(m, {Forms::mem(mems[5], size), Forms::imm(1)}, size, true);
            }
        }
        // Exchange and compare-exchange.
        for (const char* m : {"xchg", "xadd", "cmpxchg"}) {
            f.add(m, {Forms::reg(regs[1]), Forms::reg(regs[0])}, size);
            for (const Mem& mm : mems)
                f.add(m, {Forms::mem(mm, size), Forms::reg(regs[1])}, size);
            if (std::string(m) != "xchg")
                f.add(m, {Forms::mem(mems[0], size), Forms::reg(regs[1])}, size, true);
        }
        // One-operand forms.
        for (const char* m : {"inc", "dec", "neg", "not", "mul", "imul", "div", "idiv"}) {
            for (const Reg& r : regs)
                f.add(m, {Forms::reg(r)}, size);
            f.add(m, {Forms::mem(mems[0], size)}, size);
            f.add(m, {Forms::mem(mems[6], size)}, size);
            if (std::string(m) == "inc" || std::string(m) == "dec" || std::string(m) == "neg" ||
                std::string(m) == "not")
                f.add(m, {Forms::mem(mems[0], size)}, size, true);
        }
        // Shifts and rotates by 1, by an immediate and by CL.
        for (const char* m : {"shl", "shr", "sar", "rol", "ror"}) {
            for (i64 n : {1, 3})
                for (const Mem& op :
                     {Forms::reg(regs[0]), Forms::reg(regs.back()), Forms::mem(mems[0], size)})
                    f.add(m, {op, Forms::imm(n)}, size);
            f.add(m, {Forms::reg(regs.back()), Forms::reg({"cl", 1})}, size);
        }
        if (size >= 2) {
            // Bit tests, two- and three-operand IMUL, CMOVcc, LEA.
            for (const char* m : {"bt", "bts", "btr", "btc"}) {
                f.add(m, {Forms::reg(regs[0]), Forms::reg(regs[1])}, size);
                f.add(m, {Forms::mem(mems[0], size), Forms::reg(regs[1])}, size);
                f.add(m, {Forms::reg(regs[0]), Forms::imm(5)}, size);
                f.add(m, {Forms::mem(mems[0], size), Forms::imm(5)}, size);
                if (std::string(m) != "bt")
                    f.add(m, {Forms::mem(mems[0], size), Forms::reg(regs[1])}, size, true);
            }
            f.add("imul", {Forms::reg(regs[0]), Forms::reg(regs[1])}, size);
            f.add("imul", {Forms::reg(regs[0]), Forms::mem(mems[0], size)}, size);
            f.add("imul", {Forms::reg(regs[0]), Forms::reg(regs[1]), Forms::imm(3)}, size);
            f.add("imul", {Forms::reg(regs[0]), Forms::mem(mems[5], size), Forms::imm(1000)}, size);
            for (const char* m : {"cmove", "cmovne", "cmovl", "cmovbe"}) {
                f.add(m, {Forms::reg(regs[0]), Forms::reg(regs[1])}, size);
                f.add(m, {Forms::reg(regs.back()), Forms::mem(mems[0], size)}, size);
            }
            for (const Mem& mm : mems)
                f.add("lea", {Forms::reg(regs.back()), mm}, size);
        } else {
            for (const char* m : {"sete", "setne", "setl", "setb"}) {
                f.add(m, {Forms::reg(regs[0])}, 0);
                f.add(m, {Forms::reg(regs.back())}, 0);
                f.add(m, {Forms::mem(mems[0], 1)}, 0);
            }
        }
    }
    // Zero and sign extension: (AT&T spells them with both sizes, movzbl etc.).
    struct Ext {
        const char* intel;
        const char* att;
        const char* dst;
        const char* src;
        unsigned src_size;
    };
    for (const Ext& e : {Ext{"movzx", "movzbl", "eax", "cl", 1}, Ext{"movzx", "movzbq", "r8", "sil", 1},
                         Ext{"movzx", "movzwl", "ebx", "dx", 2}, Ext{"movzx", "movzbw", "ax", "cl", 1},
                         Ext{"movsx", "movsbl", "eax", "cl", 1}, Ext{"movsx", "movswq", "rax", "dx", 2},
                         Ext{"movsx", "movsbq", "r12", "r9b", 1}, Ext{"movsxd", "movslq", "rcx", "r8d", 4}}) {
        const std::string i = Forms::upper(e.intel), d = Forms::upper(e.dst);
        f.all.push_back({i + " " + d + "," + Forms::upper(e.src),
                         std::string(".intel_syntax noprefix\n") + e.intel + " " + e.dst + ", " + e.src,
                         Arch::X86});
        f.all.push_back({i + " " + d + "," + intel_ptr(e.src_size) + "[x]",
                         std::string(".intel_syntax noprefix\n") + e.intel + " " + e.dst + ", " +
                             intel_ptr(e.src_size) + "[" + hexnum(kX) + "]",
                         Arch::X86});
        f.all.push_back({std::string(e.att) + " %" + e.src + ",%" + e.dst,
                         std::string(".att_syntax prefix\n") + e.att + " %" + e.src + ", %" + e.dst,
                         Arch::X86_64});
        f.all.push_back({std::string(e.att) + " (x),%" + e.dst,
                         std::string(".att_syntax prefix\n") + e.att + " " + hexnum(kX) + ", %" + e.dst,
                         Arch::X86_64});
    }
    // No operands.
    for (const char* m : {"mfence", "lfence", "sfence", "nop", "pause", "cdq", "cqo", "cdqe", "cwde", "clc",
                          "stc", "cmc", "cld", "std", "ud2", "int3", "hlt", "cpuid", "rdtsc"}) {
        f.all.push_back({Forms::upper(m), std::string(".intel_syntax noprefix\n") + m, Arch::X86});
        f.all.push_back({m, std::string(".att_syntax prefix\n") + m, Arch::X86_64});
    }
    // Stack, and MOVNTI.
    for (const char* r : {"rax", "rbx", "r8", "r15"}) {
        f.add("push", {Forms::reg({r, 8})}, 0);
        f.add("pop", {Forms::reg({r, 8})}, 0);
    }
    f.add("movnti", {Forms::mem(memories()[0], 4), Forms::reg({"ecx", 4})}, 0);
    f.add("movnti", {Forms::mem(memories()[5], 8), Forms::reg({"r9", 8})}, 0);
    return f.all;
}

// --- Running both encoders -----------------------------------------------------------------------------

// The code of a one-thread test holding only `insn` (smpsim's assembler, at address 0).
std::vector<u8> smpsim_bytes(const Form& form) {
    const std::string text = std::string(form.arch == Arch::X86 ? "X86" : "X86_64") +
                             " F\n{ x=0; }\n P0 ;\n " + form.smpsim + " ;\nexists (x=0)\n";
    LitmusTest t = parse_litmus(text, "form.litmus");
    return assemble(t, default_layout(t)).threads.at(0).code;
}

// Assembles every form with one run of `as --64`, each form in its own section `.fN`, and reads the
// sections back from the ELF64 object. Returns one byte vector per form.
std::vector<std::vector<u8>> gas_bytes(const std::vector<Form>& forms, std::string& error) {
    namespace fs = std::filesystem;
    const fs::path dir = fs::temp_directory_path() / ("smpsim-gas-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    const fs::path src = dir / "forms.s", obj = dir / "forms.o", log = dir / "as.log";
    {
        std::ofstream s(src);
        for (size_t i = 0; i < forms.size(); ++i)
            s << ".section .f" << i << ",\"ax\"\n" << forms[i].gas << "\n";
    }
    const std::string cmd =
        "as --64 -o '" + obj.string() + "' '" + src.string() + "' 2>'" + log.string() + "'";
    const int status = std::system(cmd.c_str());
    std::vector<std::vector<u8>> out(forms.size());
    if (status != 0) {
        std::ifstream l(log);
        std::stringstream ss;
        ss << l.rdbuf();
        error = "`" + cmd + "` failed (status " + std::to_string(status) + "):\n" + ss.str().substr(0, 4000);
        fs::remove_all(dir);
        return out;
    }
    std::ifstream in(obj, std::ios::binary);
    const std::vector<char> elf((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    fs::remove_all(dir);
    auto rd = [&](size_t off, size_t n) {
        u64 v = 0;
        std::memcpy(&v, elf.data() + off, n); // ELF64 little endian, as the host
        return v;
    };
    if (elf.size() < 64 || std::memcmp(elf.data(),
                                       "\x7f"
                                       "ELF\x02\x01",
                                       6) != 0) {
        error = "as wrote no ELF64 object";
        return out;
    }
    const u64 shoff = rd(0x28, 8), shentsize = rd(0x3a, 2), shnum = rd(0x3c, 2), shstrndx = rd(0x3e, 2);
    const u64 strtab = rd(shoff + shstrndx * shentsize + 0x18, 8);
    for (u64 s = 0; s < shnum; ++s) {
        const u64 h = shoff + s * shentsize;
        const char* name = elf.data() + strtab + rd(h, 4);
        if (std::strncmp(name, ".f", 2) != 0) continue;
        const size_t index = std::stoul(name + 2);
        const u64 off = rd(h + 0x18, 8), size = rd(h + 0x20, 8);
        if (index < out.size()) out[index].assign(elf.begin() + long(off), elf.begin() + long(off + size));
    }
    return out;
}

// The semantics of one instruction as decoded by Zydis: mnemonic, lock/rep, and every visible operand.
// A relative branch target is shown as an absolute offset. Empty if the bytes are not exactly one
// instruction.
std::string semantics(const std::vector<u8>& code) {
    ZydisDecoder dec;
    ZydisDecoderInit(&dec, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
    ZydisDecodedInstruction insn;
    ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
    if (!ZYAN_SUCCESS(ZydisDecoderDecodeFull(&dec, code.data(), code.size(), &insn, ops)) ||
        insn.length != code.size())
        return "";
    std::ostringstream s;
    if (insn.attributes & ZYDIS_ATTRIB_HAS_LOCK) s << "lock ";
    if (insn.attributes & (ZYDIS_ATTRIB_HAS_REP | ZYDIS_ATTRIB_HAS_REPE | ZYDIS_ATTRIB_HAS_REPNE))
        s << "rep ";
    s << ZydisMnemonicGetString(insn.mnemonic) << " opsize" << unsigned(insn.operand_width);
    for (unsigned k = 0; k < insn.operand_count_visible; ++k) {
        const ZydisDecodedOperand& o = ops[k];
        s << (k ? ", " : " ");
        // The width of an immediate is an encoding choice (imm8 sign-extended or imm32); its value is not.
        if (o.type != ZYDIS_OPERAND_TYPE_IMMEDIATE) s << "size" << o.size << ":";
        switch (o.type) {
        case ZYDIS_OPERAND_TYPE_REGISTER: s << ZydisRegisterGetString(o.reg.value); break;
        case ZYDIS_OPERAND_TYPE_MEMORY:
            s << "[" << ZydisRegisterGetString(o.mem.segment) << ":"
              << (o.mem.base == ZYDIS_REGISTER_NONE ? "" : ZydisRegisterGetString(o.mem.base)) << "+"
              << (o.mem.index == ZYDIS_REGISTER_NONE ? "" : ZydisRegisterGetString(o.mem.index)) << "*"
              << unsigned(o.mem.scale) << "+" << o.mem.disp.value << "]";
            break;
        case ZYDIS_OPERAND_TYPE_IMMEDIATE:
            if (o.imm.is_relative) // the displacement from the next instruction, whatever this one's length
                s << "rel" << o.imm.value.s;
            else
                s << (o.imm.is_signed ? o.imm.value.s : static_cast<i64>(o.imm.value.u));
            break;
        default: s << "?";
        }
    }
    return s.str();
}

std::string hex_bytes(const std::vector<u8>& b) {
    std::string s;
    for (u8 x : b) {
        char buf[4];
        std::snprintf(buf, sizeof buf, "%02x", x);
        s += s.empty() ? "" : " ";
        s += buf;
    }
    return s;
}

TEST(LitmusAssemblerVsGas, AsIsInstalled) {
    // A required tool: its absence is a failure, not a skip.
    ASSERT_EQ(std::system("as --version >/dev/null 2>&1"), 0)
        << "GNU as (binutils) is required: run scripts/setup";
}

TEST(LitmusAssemblerVsGas, EveryFormEncodesLikeGnuAs) {
    ASSERT_EQ(std::system("as --version >/dev/null 2>&1"), 0)
        << "GNU as (binutils) is required: run scripts/setup";
    const std::vector<Form> forms = all_forms();
    std::string error;
    const std::vector<std::vector<u8>> gas = gas_bytes(forms, error);
    ASSERT_TRUE(error.empty()) << error;
    size_t identical = 0, equivalent = 0;
    for (size_t i = 0; i < forms.size(); ++i) {
        const Form& f = forms[i];
        std::vector<u8> ours;
        try {
            ours = smpsim_bytes(f);
        } catch (const InputError& e) {
            ADD_FAILURE() << "smpsim rejects '" << f.smpsim << "': " << e.what();
            continue;
        }
        if (ours == gas[i]) {
            ++identical;
            continue;
        }
        const std::string a = semantics(ours), b = semantics(gas[i]);
        if (!a.empty() && a == b) {
            ++equivalent;
            continue;
        }
        ADD_FAILURE() << "'" << f.smpsim << "': smpsim " << hex_bytes(ours) << " (" << a << "), as "
                      << hex_bytes(gas[i]) << " (" << b << ")";
    }
    std::printf("%zu forms: %zu byte-identical to GNU as, %zu another valid encoding of the same "
                "instruction\n",
                forms.size(), identical, equivalent);
    EXPECT_GT(forms.size(), 1000u);
    EXPECT_GT(identical, forms.size() / 2); // the comparison of bytes is the rule, not the exception
}

TEST(LitmusAssemblerVsGas, BranchesReachTheSameTarget) {
    // smpsim encodes branches as rel32, as picks rel8: compare the targets, not the bytes.
    for (const char* m : {"JMP", "JE", "JNE", "JL", "JGE", "JB", "JA"}) {
        const std::string text =
            std::string("X86 B\n{ }\n P0 ;\n ") + m + " L0 ;\n NOP ;\n L0: ;\nexists (0:EAX=0)\n";
        LitmusTest t = parse_litmus(text, "b.litmus");
        const std::vector<u8> code = assemble(t, default_layout(t)).threads.at(0).code;
        const std::vector<u8> branch(code.begin(), code.end() - 1); // without the NOP
        std::vector<Form> form{
            {"", std::string(".intel_syntax noprefix\n") + lower(m) + " 1f\nnop\n1:", Arch::X86}};
        std::string error;
        const std::vector<u8> gas = gas_bytes(form, error).at(0);
        ASSERT_TRUE(error.empty()) << error;
        const std::vector<u8> gas_branch(gas.begin(), gas.end() - 1);
        EXPECT_EQ(semantics(branch), semantics(gas_branch))
            << m << ": smpsim " << hex_bytes(branch) << ", as " << hex_bytes(gas_branch);
        EXPECT_FALSE(semantics(branch).empty());
    }
}

} // namespace
} // namespace smpsim::litmus
