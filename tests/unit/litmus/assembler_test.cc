// Unit tests of the litmus assembler: the code of small inline tests is decoded back with Zydis's decoder
// and compared instruction by instruction (mnemonic, prefixes, operands).
#include "sim/core/error.h"
#include "sim/litmus/assembler.h"
#include "sim/litmus/parser.h"

#include <Zydis/Zydis.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

namespace smpsim::litmus {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

const Layout kLayout{{"x", 0x1000}, {"y", 0x1040}, {"z", 0x1080}, {"t", 0x10c0}};

std::string hex(i64 v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, v < 0 ? "-0x%llx" : "0x%llx",
                  static_cast<unsigned long long>(v < 0 ? -v : v));
    return buf;
}

// One decoded instruction as "[lock ]mnemonic op, op": registers by name, memory as
// m<bits>[base+index*scale+disp] (disp in hex, rip-relative shown as the absolute target), immediates in
// decimal, branch targets as "@offset".
std::vector<std::string> disassemble(const AssembledThread& th) {
    ZydisDecoder dec;
    ZydisDecoderInit(&dec, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
    std::vector<std::string> out;
    size_t at = 0;
    while (at < th.code.size()) {
        ZydisDecodedInstruction insn;
        ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
        if (!ZYAN_SUCCESS(
                ZydisDecoderDecodeFull(&dec, th.code.data() + at, th.code.size() - at, &insn, ops))) {
            out.push_back("<bad>");
            break;
        }
        std::string s;
        if (insn.attributes & ZYDIS_ATTRIB_HAS_LOCK) s += "lock ";
        s += ZydisMnemonicGetString(insn.mnemonic);
        for (unsigned k = 0; k < insn.operand_count_visible; ++k) {
            const ZydisDecodedOperand& o = ops[k];
            s += k ? ", " : " ";
            switch (o.type) {
            case ZYDIS_OPERAND_TYPE_REGISTER: s += ZydisRegisterGetString(o.reg.value); break;
            case ZYDIS_OPERAND_TYPE_MEMORY: {
                s += "m" + std::to_string(o.size) + "[";
                std::string inner;
                if (o.mem.base == ZYDIS_REGISTER_RIP) {
                    inner =
                        "rip:" + hex(static_cast<i64>(th.code_address + at + insn.length) + o.mem.disp.value);
                } else {
                    if (o.mem.base != ZYDIS_REGISTER_NONE) inner += ZydisRegisterGetString(o.mem.base);
                    if (o.mem.index != ZYDIS_REGISTER_NONE) {
                        if (!inner.empty()) inner += "+";
                        inner += std::string(ZydisRegisterGetString(o.mem.index)) + "*" +
                                 std::to_string(o.mem.scale);
                    }
                    if (o.mem.disp.has_displacement && (o.mem.disp.value || inner.empty())) {
                        if (!inner.empty()) inner += "+";
                        inner += hex(o.mem.disp.value);
                    }
                }
                s += inner + "]";
                break;
            }
            case ZYDIS_OPERAND_TYPE_IMMEDIATE:
                if (o.imm.is_relative)
                    s += "@" + std::to_string(static_cast<i64>(at + insn.length) + o.imm.value.s);
                else
                    s += std::to_string(o.imm.is_signed ? o.imm.value.s : static_cast<i64>(o.imm.value.u));
                break;
            default: s += "?";
            }
        }
        if (insn.attributes & ZYDIS_ATTRIB_HAS_ADDRESSSIZE) s += " (addr32)"; // never wanted
        out.push_back(s);
        at += insn.length;
    }
    return out;
}

AssembledTest build(const std::string& text, const AssembleOptions& opt = {}) {
    LitmusTest t = parse_litmus(text, "a.litmus");
    return assemble(t, kLayout, opt);
}

std::string error_of(const std::string& text, const Layout& layout = kLayout) {
    try {
        LitmusTest t = parse_litmus(text, "a.litmus");
        assemble(t, layout);
    } catch (const InputError& e) {
        return e.what();
    }
    return "";
}

TEST(LitmusAssembler, IntelStoreBuffering) {
    AssembledTest a = build("X86 SB\n{ x=0; y=0; }\n P0 | P1 ;\n MOV [x],$1 | MOV [y],$1 ;\n"
                            " MFENCE | LFENCE ;\n MOV EAX,[y] | MOV EAX,[x] ;\n SFENCE | ;\n"
                            "exists (0:EAX=0 /\\ 1:EAX=0)\n");
    ASSERT_EQ(a.threads.size(), 2u);
    EXPECT_THAT(disassemble(a.threads[0]),
                ElementsAre("mov m32[0x1000], 1", "mfence", "mov eax, m32[0x1040]", "sfence"));
    EXPECT_THAT(disassemble(a.threads[1]),
                ElementsAre("mov m32[0x1040], 1", "lfence", "mov eax, m32[0x1000]"));
    // Absolute [disp32]: ModRM mod=00 rm=100 with SIB base=101 no index (position-independent code).
    const std::vector<u8> store{0xc7, 0x04, 0x25, 0x00, 0x10, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00};
    EXPECT_EQ(std::vector<u8>(a.threads[0].code.begin(), a.threads[0].code.begin() + 11), store);
    EXPECT_EQ(a.threads[0].observed_regs, std::vector<unsigned>{0});
    EXPECT_EQ(a.threads[1].observed_regs, std::vector<unsigned>{0});
}

TEST(LitmusAssembler, IntelLockedAndAluInstructions) {
    AssembledTest a =
        build("X86 L\n{ 0:EBX=2; }\n P0 ;\n XCHG [x],EAX ;\n xchg EAX,[y] ;\n LOCK ADD [x],$1 ;\n"
              " LOCK XADD [y],EAX ;\n LOCK CMPXCHG [x],EBX ;\n LOCK INC [z] ;\n LOCK DEC DWORD PTR [z] ;\n"
              " ADD EAX,$3 ;\n SUB EAX,EBX ;\n AND EAX,0xff ;\n OR EAX,[x] ;\n XOR EBX,EBX ;\n"
              " CMP EAX,$-1 ;\n INC ECX ;\n DEC EDX ;\n MOVNTI [y],ECX ;\n MOV QWORD PTR [t],$-2 ;\n"
              " MOV R9,[t] ;\nexists (0:EAX=0)\n");
    EXPECT_THAT(disassemble(a.threads[0]),
                ElementsAre("xchg m32[0x1000], eax", "xchg m32[0x1040], eax", "lock add m32[0x1000], 1",
                            "lock xadd m32[0x1040], eax", "lock cmpxchg m32[0x1000], ebx",
                            "lock inc m32[0x1080]", "lock dec m32[0x1080]", "add eax, 3", "sub eax, ebx",
                            "and eax, 255", "or eax, m32[0x1000]", "xor ebx, ebx", "cmp eax, -1", "inc ecx",
                            "dec edx", "movnti m32[0x1040], ecx", "mov m64[0x10c0], -2",
                            "mov r9, m64[0x10c0]"));
    EXPECT_THAT(a.threads[0].init_regs, ElementsAre(std::pair<unsigned, u64>{3, 2}));
}

TEST(LitmusAssembler, IntelRegisterIndirectAndDisplacement) {
    AssembledTest a = build("X86 R\n{ 0:EBX=x; }\n P0 ;\n MOV EAX,[EBX] ;\n MOV [x+4],$7 ;\n"
                            " MOV ECX,[x+EDX*4] ;\nexists (0:EAX=0)\n");
    EXPECT_THAT(disassemble(a.threads[0]),
                ElementsAre("mov eax, m32[rbx]", "mov m32[0x1004], 7", "mov ecx, m32[rdx*4+0x1000]"));
    // EBX holds the address of x.
    EXPECT_THAT(a.threads[0].init_regs, ElementsAre(std::pair<unsigned, u64>{3, 0x1000}));
}

TEST(LitmusAssembler, AttSyntax) {
    AssembledTest a = build("X86_64 A\n{ uint64_t t; 0:rbx=1; }\n P0 | P1 ;\n movl $1,(x) | movq (y),%rax ;\n"
                            " mfence | xchgl %eax,(x) ;\n lock addl $2,(y) | lock xaddq %rbx,(t) ;\n"
                            " movq %rbx,(t) | lock cmpxchgl %ecx,(x) ;\n movl (x),%eax | movb $1,(z) ;\n"
                            " shl 2,%eax | incl (z) ;\n and %eax,%eax | movzbl (z),%edx ;\n"
                            " nopl 0(%rax,%eax,0) | movq 0(%rax,%rbx,8),%rcx ;\n"
                            "exists (0:rax=1 /\\ 1:rax=0)\n");
    EXPECT_THAT(disassemble(a.threads[0]),
                ElementsAre("mov m32[0x1000], 1", "mfence", "lock add m32[0x1040], 2", "mov m64[0x10c0], rbx",
                            "mov eax, m32[0x1000]", "shl eax, 2", "and eax, eax", "nop m32[rax]"));
    EXPECT_THAT(disassemble(a.threads[1]),
                ElementsAre("mov rax, m64[0x1040]", "xchg m32[0x1000], eax", "lock xadd m64[0x10c0], rbx",
                            "lock cmpxchg m32[0x1000], ecx", "mov m8[0x1080], 1", "inc m32[0x1080]",
                            "movzx edx, m8[0x1080]", "mov rcx, m64[rax+rbx*8]"));
}

TEST(LitmusAssembler, BranchesLabelsAndRet) {
    AssembledTest a = build("X86_64 B\n{}\n P0 ;\n mov (y),%eax ;\n cmp $1,%eax ;\n je L1 ;\n L0: ;\n"
                            " mov %eax,(x) ;\n ret ;\n L1: ;\n movl $1,(z) ;\n jmp L0 ;\nexists (0:rax=1)\n");
    const AssembledThread& th = a.threads[0];
    // mov 7 bytes ([disp32], not 67 A1 moffs32), cmp 3, je rel32 6, [L0] mov 7, ret->jmp rel32 5,
    // [L1] mov 11, jmp rel32 5.
    ASSERT_EQ(th.insns.size(), 9u);
    EXPECT_EQ(th.offset_of(0), 0u);
    EXPECT_EQ(th.offset_of(3), 16u);
    EXPECT_EQ(th.insns[3].length, 0u);
    EXPECT_EQ(th.labels.at("L0"), 16u);
    EXPECT_EQ(th.labels.at("L1"), 28u);
    EXPECT_EQ(th.end_offset(), 44u);
    EXPECT_THAT(disassemble(th),
                ElementsAre("mov eax, m32[0x1040]", "cmp eax, 1", "jz @28", "mov m32[0x1000], eax", "jmp @44",
                            "mov m32[0x1080], 1", "jmp @16"));
    // Reverse mapping: offset -> table cell.
    EXPECT_EQ(th.index_at(0), 0u);
    EXPECT_EQ(th.index_at(12), 2u);
    EXPECT_EQ(th.index_at(16), 4u); // not the label-only cell 3
    EXPECT_EQ(th.index_at(44), std::nullopt);
}

TEST(LitmusAssembler, IntelBranches) {
    AssembledTest a =
        build("X86 B\n{}\n P0 ;\n L0: MOV EAX,[x] ;\n CMP EAX,$0 ;\n JNE L2 ;\n JMP L0 ;\n L2: ;\n"
              "exists (0:EAX=1)\n");
    EXPECT_THAT(disassemble(a.threads[0]),
                ElementsAre("mov eax, m32[0x1000]", "cmp eax, 0", "jnz @21", "jmp @0"));
}

TEST(LitmusAssembler, RipRelative) {
    AssembleOptions opt;
    opt.code_address = {0x400000};
    opt.rip_relative = true;
    AssembledTest a = build("X86 R\n{}\n P0 ;\n MOV [x],$1 ;\n MOV EAX,[y] ;\nexists (0:EAX=0)\n", opt);
    EXPECT_EQ(a.threads[0].code_address, 0x400000u);
    EXPECT_THAT(disassemble(a.threads[0]), ElementsAre("mov m32[rip:0x1000], 1", "mov eax, m32[rip:0x1040]"));
}

TEST(LitmusAssembler, MemoryInitRegisterInitAndObservedCells) {
    LitmusTest t = parse_litmus(
        "X86_64 M\n{ int64_t t[2]={1,-1}; x=x; int y=-1; 0:rax=t; 0:ebx=-1; 0:al=5; }\n"
        " P0 ;\n movq 8(%rax),%rcx ;\nlocations [y;]\nexists (0:rcx=-1 /\\ t[1]=-1 /\\ 0:AH=0)\n",
        "m.litmus");
    AssembledTest a = assemble(t, kLayout);
    ASSERT_EQ(a.memory.size(), 4u);
    EXPECT_EQ(a.memory[0].var, "t");
    EXPECT_EQ(a.memory[0].address, 0x10c0u);
    EXPECT_EQ(a.memory[0].size, 8u);
    EXPECT_EQ(a.memory[1].address, 0x10c8u);
    EXPECT_EQ(a.memory[1].value, ~0ull);
    EXPECT_EQ(a.memory[2].var, "x"); // x holds its own address
    EXPECT_EQ(a.memory[2].value, 0x1000u);
    EXPECT_EQ(a.memory[3].value, 0xffffffffu);
    EXPECT_THAT(a.threads[0].init_regs,
                ElementsAre(std::pair<unsigned, u64>{0, 0x1005}, std::pair<unsigned, u64>{3, 0xffffffffu}));
    ASSERT_EQ(a.observed.size(), 4u);
    EXPECT_FALSE(a.observed[0].is_register);
    EXPECT_EQ(a.observed[0].address, 0x1040u);
    EXPECT_EQ(a.observed[1].gpr, 1u);
    EXPECT_EQ(a.observed[2].address, 0x10c8u);
    EXPECT_EQ(a.observed[3].shift, 8u);
    EXPECT_EQ(a.threads[0].observed_regs, (std::vector<unsigned>{0, 1}));
    // read_state + eval.
    FinalState s = a.read_state([](int, unsigned gpr) -> u64 { return gpr == 1 ? ~0ull : 0x45; },
                                [](u64 addr, unsigned) -> u64 { return addr == 0x10c8 ? ~0ull : 0; });
    EXPECT_TRUE(t.satisfies(s));
    s = a.read_state([](int, unsigned gpr) -> u64 { return gpr == 1 ? ~0ull : 0x100; },
                     [](u64, unsigned) -> u64 { return ~0ull; });
    EXPECT_FALSE(t.satisfies(s)); // AH = 1
}

TEST(LitmusAssembler, DefaultLayout) {
    LitmusTest t =
        parse_litmus("X86_64 D\n{ int64_t t[16]; }\n P0 ;\n movl $1,(x) ;\nexists (x=1)\n", "d.litmus");
    Layout l = default_layout(t, 0x2000, 64);
    EXPECT_EQ(l.at("t"), 0x2000u);
    EXPECT_EQ(l.at("x"), 0x2080u); // t takes two lines
}

TEST(LitmusAssembler, Errors) {
    EXPECT_EQ(error_of("X86 E\n{}\n P0 ;\n MOV [x],[y] ;\nexists (x=1)\n"),
              "a.litmus:4: cannot assemble 'MOV [x],[y]' of P0: no x86-64 encoding for 'mov m32, m32'");
    EXPECT_EQ(error_of("X86 E\n{}\n P0 ;\n LOCK MOV [x],EAX ;\nexists (x=1)\n"),
              "a.litmus:4: cannot assemble 'LOCK MOV [x],EAX' of P0: no x86-64 encoding for 'mov m32, EAX' "
              "with LOCK");
    EXPECT_EQ(error_of("X86 E\n{}\n P0 ;\n MOV [x],$1 ;\nexists (x=1)\n", Layout{{"x", 0x100000000ull}}),
              "a.litmus:4: cannot assemble 'MOV [x],$1' of P0: address 4294967296 does not fit a 32-bit "
              "displacement (place variables below 2 GiB)");
    EXPECT_EQ(error_of("X86 E\n{}\n P0 ;\n MOV [x],$1 ;\nexists (y=1)\n", Layout{{"x", 0x1000}}),
              "a.litmus: no address for variable 'y' in the layout");
    EXPECT_EQ(error_of("X86_64 E\n{}\n P0 ;\n movzx (x),%eax ;\nexists (x=1)\n"),
              "a.litmus:4: cannot assemble 'movzx (x),%eax' of P0: the memory operand needs a size "
              "(BYTE PTR / WORD PTR)");
}

} // namespace
} // namespace smpsim::litmus
