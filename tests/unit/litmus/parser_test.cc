// Unit tests of the herd x86 litmus parser and of final-condition evaluation. The tests are small inline
// litmus files written for these tests.
#include "sim/core/error.h"
#include "sim/litmus/assembler.h"
#include "sim/litmus/parser.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

namespace smpsim::litmus {
namespace {

using ::testing::HasSubstr;

LitmusTest parse(const std::string& text) {
    return parse_litmus(text, "t.litmus");
}

// The message of the InputError that parsing `text` throws ("" if none).
std::string error_of(const std::string& text) {
    try {
        parse(text);
    } catch (const InputError& e) {
        return e.what();
    }
    return "";
}

// A final state with values given per observed location (by herd spelling).
FinalState state(const LitmusTest& t, std::initializer_list<std::pair<const char*, u64>> values) {
    FinalState s;
    s.values.assign(t.observed.size(), 0);
    for (auto [name, v] : values) {
        bool found = false;
        for (size_t i = 0; i < t.observed.size(); ++i)
            if (t.observed[i].str() == name) {
                s.values[i] = v;
                found = true;
            }
        EXPECT_TRUE(found) << name;
    }
    return s;
}

const char* kSB = R"(X86 SB
"Fre PodWR Fre PodWR"
Cycle=Fre PodWR Fre PodWR
Relax=
{ x=0; y=0; }
 P0          | P1          ;
 MOV [x],$1  | MOV [y],$1  ;
 MOV EAX,[y] | MOV EAX,[x] ;
exists (0:EAX=0 /\ 1:EAX=0)
)";

TEST(LitmusParser, HeaderDocAndMetadata) {
    LitmusTest t = parse(kSB);
    EXPECT_EQ(t.arch, Arch::X86);
    EXPECT_EQ(t.name, "SB");
    EXPECT_EQ(t.doc, "Fre PodWR Fre PodWR");
    ASSERT_EQ(t.metadata.size(), 2u);
    EXPECT_EQ(t.metadata[0].first, "Cycle");
    EXPECT_EQ(t.metadata[0].second, "Fre PodWR Fre PodWR");
    EXPECT_EQ(t.metadata[1].first, "Relax");
    EXPECT_EQ(t.metadata[1].second, "");
}

TEST(LitmusParser, HeaderWithAltNameAndDocOnSameLine) {
    LitmusTest t = parse("X86 n1 (nOne) \"Read speculation\"\n{x = 0; y = 0};\n P0 ;\n mov [x], 1 ;\n"
                         "exists (x=1)\n");
    EXPECT_EQ(t.name, "n1");
    EXPECT_EQ(t.alt_name, "nOne");
    EXPECT_EQ(t.doc, "Read speculation");
}

TEST(LitmusParser, DocStringOverSeveralLines) {
    LitmusTest t = parse("X86 D \"first\nsecond\"\n{}\n P0 ;\n MFENCE ;\nforall (true)\n");
    EXPECT_EQ(t.doc, "first\nsecond");
}

TEST(LitmusParser, ThreadsAndLines) {
    LitmusTest t = parse(kSB);
    ASSERT_EQ(t.threads.size(), 2u);
    ASSERT_EQ(t.threads[0].code.size(), 2u);
    EXPECT_EQ(t.threads[0].code[0].text, "MOV [x],$1");
    EXPECT_EQ(t.threads[0].code[0].line, 7);
    EXPECT_EQ(t.threads[1].code[1].text, "MOV EAX,[x]");
    EXPECT_EQ(t.threads[1].code[1].line, 8);
}

TEST(LitmusParser, EmptyCellsAndShortRows) {
    LitmusTest t = parse("X86 T\n{}\n P0 | P1 | P2 ;\n MOV [x],$1 | | MOV EAX,[x] ;\n |  MOV [y],$1 ;\n"
                         "  |  | ;\nexists (2:EAX=1)\n");
    ASSERT_EQ(t.threads.size(), 3u);
    EXPECT_EQ(t.threads[0].code.size(), 1u);
    EXPECT_EQ(t.threads[1].code.size(), 1u);
    EXPECT_EQ(t.threads[1].code[0].line, 5);
    EXPECT_EQ(t.threads[2].code.size(), 1u);
}

TEST(LitmusParser, Labels) {
    LitmusTest t = parse("X86_64 L\n{}\n P0 ;\n movl (x),%eax ;\n cmpl $1,%eax ;\n jne L0 ;\n"
                         " movl $2,(y) ;\n L0: ;\n L1: movl $3,(z) ;\nexists (0:rax=1)\n");
    const auto& c = t.threads[0].code;
    ASSERT_EQ(c.size(), 6u);
    EXPECT_EQ(c[4].label, "L0");
    EXPECT_EQ(c[4].text, "");
    EXPECT_EQ(c[5].label, "L1");
    EXPECT_EQ(c[5].text, "movl $3,(z)");
}

TEST(LitmusParser, InitBlockValuesRegistersAndAddresses) {
    LitmusTest t = parse("X86 I\n{ x=0; y=1; [z]=-2; 0:EAX=1; 1:EBX=x; P1:ECX = 0x10; }\n P0 | P1 ;\n"
                         " MOV [x],EAX | MOV [y],EBX ;\nexists (x=1)\n");
    ASSERT_EQ(t.variables.size(), 3u);
    EXPECT_EQ(t.variables[0].name, "x");
    EXPECT_EQ(t.variables[1].init[0].number, 1);
    EXPECT_EQ(t.variables[2].name, "z");
    EXPECT_EQ(t.variables[2].init[0].number, -2);
    ASSERT_EQ(t.reg_init.size(), 3u);
    EXPECT_EQ(t.reg_init[0].thread, 0);
    EXPECT_EQ(t.reg_init[0].reg.gpr, 0u);
    EXPECT_EQ(t.reg_init[0].reg.width, 4u);
    EXPECT_EQ(t.reg_init[0].value.number, 1);
    EXPECT_EQ(t.reg_init[1].thread, 1);
    EXPECT_EQ(t.reg_init[1].reg.gpr, 3u); // EBX
    ASSERT_TRUE(t.reg_init[1].value.symbol.has_value());
    EXPECT_EQ(*t.reg_init[1].value.symbol, "x");
    EXPECT_EQ(t.reg_init[2].reg.gpr, 1u); // ECX
    EXPECT_EQ(t.reg_init[2].value.number, 16);
}

TEST(LitmusParser, TypedDeclarationsAndArrays) {
    LitmusTest t = parse("X86_64 A\n{\nint64_t t[2]={1,-1};\nuint64_t x;\nint y = 3;\n0:rax=t;\n"
                         "int64_t 0:rcx;\n}\n P0 ;\n movq 0(%rax,%rbx,8),%rcx ;\nforall 0:rcx = -1\n");
    const Variable* arr = t.find_variable("t");
    ASSERT_NE(arr, nullptr);
    EXPECT_EQ(arr->type, "int64_t");
    EXPECT_EQ(arr->elem_size, 8u);
    EXPECT_EQ(arr->count, 2u);
    EXPECT_EQ(arr->init[1].number, -1);
    EXPECT_EQ(t.find_variable("x")->elem_size, 8u);
    EXPECT_EQ(t.find_variable("y")->elem_size, 4u);
    EXPECT_EQ(t.find_variable("y")->init[0].number, 3);
    ASSERT_EQ(t.reg_init.size(), 2u);
    EXPECT_EQ(t.reg_init[1].type, "int64_t");
    EXPECT_EQ(t.reg_init[1].reg.width, 8u);
    EXPECT_EQ(t.quantifier, Quantifier::Forall);
}

TEST(LitmusParser, ImplicitVariablesFromCodeAndCondition) {
    LitmusTest t = parse("X86_64 I\n{ }\n P0 ;\n movl $1,(x) ;\n movl (y),%eax ;\nexists ([x]=1 /\\ w=0)\n");
    ASSERT_EQ(t.variables.size(), 3u);
    EXPECT_EQ(t.variables[0].name, "x");
    EXPECT_EQ(t.variables[1].name, "y");
    EXPECT_EQ(t.variables[2].name, "w");
    EXPECT_EQ(t.variables[0].elem_size, 4u); // herd's default int
    EXPECT_EQ(t.variables[0].init[0].number, 0);
}

TEST(LitmusParser, CommentsAndTrailingBlocks) {
    LitmusTest t = parse("X86 C\n(* a (* nested *) comment *)\n{x=0}\n(* between *)\n P0 ;\n"
                         " mov [x], 1 ; (* after a row *)\n~ exists (x = 2);\n<<\nshow 0\ngenprog a.tex\n>>\n"
                         "(* done *)\n");
    EXPECT_EQ(t.quantifier, Quantifier::NotExists);
    EXPECT_EQ(t.threads[0].code.size(), 1u);
}

TEST(LitmusParser, Locations) {
    LitmusTest t = parse("X86 L\n{}\n P0 | P1 ;\n MOV [x],$1 | MOV EAX,[x] ;\nlocations [x; 1:EAX; y;]\n"
                         "exists (1:EAX=1)\n");
    ASSERT_EQ(t.locations.size(), 3u);
    EXPECT_EQ(t.locations[0].str(), "x");
    EXPECT_EQ(t.locations[1].str(), "1:EAX");
    EXPECT_EQ(t.locations[2].str(), "y");
    // Observed: locations first, then the condition's atoms without duplicates.
    ASSERT_EQ(t.observed.size(), 3u);
    EXPECT_EQ(t.observed_registers(1), std::vector<unsigned>{0});
    EXPECT_TRUE(t.observed_registers(0).empty());
}

TEST(LitmusParser, Quantifiers) {
    EXPECT_EQ(parse("X86 Q\n{}\n P0 ;\n MFENCE ;\nexists (x=0)\n").quantifier, Quantifier::Exists);
    EXPECT_EQ(parse("X86 Q\n{}\n P0 ;\n MFENCE ;\n~exists (x=0)\n").quantifier, Quantifier::NotExists);
    EXPECT_EQ(parse("X86 Q\n{}\n P0 ;\n MFENCE ;\n~ exists (x=0)\n").quantifier, Quantifier::NotExists);
    EXPECT_EQ(parse("X86 Q\n{}\n P0 ;\n MFENCE ;\nforall (x=0)\n").quantifier, Quantifier::Forall);
    EXPECT_EQ(parse("X86 Q\n{}\n P0 ;\n MFENCE ;\nexists\n(x=0)\n").quantifier, Quantifier::Exists);
}

TEST(LitmusParser, LegacyFinalWith) {
    LitmusTest t = parse("X86 amd5\n{x = 0; y = 0};\n P0 | P1 ;\n mov [x], 1 | mov [y], 1 ;\n"
                         " mfence | mfence ;\n mov EAX, [y] | mov EBX, [x] ;\n"
                         "final (P0:EAX = 0 /\\ P1:EBX = 0);\nwith\ntso: ~exists;\ncc: exists;\n");
    EXPECT_TRUE(t.legacy_final);
    EXPECT_EQ(t.quantifier, Quantifier::Exists);
    ASSERT_EQ(t.final_with.size(), 2u);
    EXPECT_EQ(t.final_with.at("tso"), Quantifier::NotExists);
    EXPECT_EQ(t.final_with.at("cc"), Quantifier::Exists);
    EXPECT_EQ(t.condition_str(), "exists (0:EAX=0 /\\ 1:EBX=0)");
}

TEST(LitmusParser, Filter) {
    LitmusTest t = parse("X86 F\n{}\n P0 ;\n MOV EAX,[x] ;\nfilter (0:EAX=1)\nexists (x=0)\n");
    ASSERT_TRUE(t.filter.has_value());
    FinalState s = state(t, {{"0:EAX", 1}});
    EXPECT_TRUE(t.filter->eval(s));
    s = state(t, {{"0:EAX", 0}});
    EXPECT_FALSE(t.filter->eval(s));
}

TEST(LitmusParser, ConditionPrecedenceAndPrinting) {
    LitmusTest t = parse("X86 P\n{}\n P0 | P1 ;\n MOV EAX,[x] | MOV EBX,[y] ;\n"
                         "exists (0:EAX=1 \\/ 1:EBX=1 /\\ ~(x=1 \\/ [y]=2))\n");
    EXPECT_EQ(t.condition.str(), "0:EAX=1 \\/ 1:EBX=1 /\\ ~([x]=1 \\/ [y]=2)");
    // /\ binds tighter than \/.
    EXPECT_TRUE(t.satisfies(state(t, {{"0:EAX", 1}})));
    EXPECT_TRUE(t.satisfies(state(t, {{"1:EBX", 1}})));
    EXPECT_FALSE(t.satisfies(state(t, {{"1:EBX", 1}, {"x", 1}})));
    EXPECT_FALSE(t.satisfies(state(t, {{"1:EBX", 1}, {"y", 2}})));
    EXPECT_TRUE(t.satisfies(state(t, {{"0:EAX", 1}, {"y", 2}})));
    EXPECT_FALSE(t.satisfies(state(t, {})));
}

TEST(LitmusParser, ConditionAtomsOfEverySpelling) {
    LitmusTest t = parse("X86 A\n{}\n P0 | P1 ;\n MOV EAX,[x] | MOV EBX,[y] ;\n"
                         "exists (0:EAX=1 /\\ P1:EBX=2 /\\ x=3 /\\ [y]=4 /\\ 0:EAX!=7)\n");
    ASSERT_EQ(t.observed.size(), 4u);
    EXPECT_EQ(t.observed[1].kind, Location::Kind::Register);
    EXPECT_EQ(t.observed[1].thread, 1);
    EXPECT_EQ(t.observed[1].reg.gpr, 3u);
    EXPECT_TRUE(t.satisfies(state(t, {{"0:EAX", 1}, {"1:EBX", 2}, {"x", 3}, {"y", 4}})));
    EXPECT_FALSE(t.satisfies(state(t, {{"0:EAX", 1}, {"1:EBX", 2}, {"x", 3}, {"y", 5}})));
}

TEST(LitmusParser, ConditionValuesAreComparedAtTheLocationsWidth) {
    LitmusTest t = parse("X86 W\n{}\n P0 ;\n MOV EAX,[x] ;\nexists (0:EAX=-1 /\\ x=-1)\n");
    // EAX = 0xffffffff (upper half of RAX ignored), x is a 4-byte int.
    EXPECT_TRUE(t.satisfies(state(t, {{"0:EAX", 0xffffffffull}, {"x", 0xffffffffull}})));
    EXPECT_TRUE(t.satisfies(state(t, {{"0:EAX", 0x12345678ffffffffull}, {"x", 0xffffffffull}})));
    EXPECT_FALSE(t.satisfies(state(t, {{"0:EAX", 0xfffffffeull}, {"x", 0xffffffffull}})));
    LitmusTest t64 =
        parse("X86_64 W\n{ int64_t x; }\n P0 ;\n movq (x),%rax ;\nexists (0:rax=-1 /\\ [x]=-1)\n");
    EXPECT_FALSE(t64.satisfies(state(t64, {{"0:rax", 0xffffffffull}, {"x", ~0ull}})));
    EXPECT_TRUE(t64.satisfies(state(t64, {{"0:rax", ~0ull}, {"x", ~0ull}})));
}

TEST(LitmusParser, ConditionWithAddressValue) {
    LitmusTest t = parse("X86 P\n{ 0:EAX=y; }\n P0 ;\n MOV EBX,[x] ;\nexists (0:EAX=y /\\ 0:EBX=0)\n");
    std::map<std::string, u64> layout{{"x", 0x1000}, {"y", 0x1040}};
    FinalState s = state(t, {{"0:EAX", 0x1040}});
    s.layout = &layout;
    EXPECT_TRUE(t.satisfies(s));
    s.layout = nullptr;
    EXPECT_THROW(t.satisfies(s), InputError);
}

TEST(LitmusParser, TrueFalseAndFormatState) {
    LitmusTest t = parse("X86 T\n{}\n P0 ;\n MOV EAX,[x] ;\nlocations [x;]\nforall (true /\\ ~false)\n");
    EXPECT_TRUE(t.satisfies(state(t, {})));
    FinalState s = state(t, {{"x", 0xffffffffull}});
    EXPECT_EQ(t.format_state(s), "x=-1;");
}

TEST(LitmusParser, ConditionWithoutNewlineAtEndOfFile) {
    LitmusTest t = parse("X86 E\n{}\n P0 ;\n mov [x],1 ;\n~exists (x=1 /\\ y=1)");
    EXPECT_EQ(t.quantifier, Quantifier::NotExists);
    EXPECT_EQ(t.condition_str(), "~exists ([x]=1 /\\ [y]=1)");
}

// --- errors -------------------------------------------------------------------------------------

TEST(LitmusParserErrors, UnknownArchitecture) {
    EXPECT_EQ(error_of("AArch64 MP\n{}\n P0 ;\n MOV W0,#1 ;\nexists (x=1)\n"),
              "t.litmus:1: unsupported architecture 'AArch64' (expected X86 or X86_64)");
}

TEST(LitmusParserErrors, EmptyAndTruncatedFiles) {
    EXPECT_EQ(error_of(""), "t.litmus:1: unexpected end of file, expected the 'X86 NAME' header");
    EXPECT_THAT(error_of("X86 SB\n"), HasSubstr("expected the initial state"));
    EXPECT_EQ(error_of("X86 SB\n{ x=0;\n y=0;\n"), "t.litmus:2: unterminated initial state: '{' without '}'");
    EXPECT_THAT(error_of("X86 SB\n{}\n"), HasSubstr("expected the thread header"));
    EXPECT_EQ(error_of("X86 SB\n{}\n P0 | P1 ;\n MOV [x],$1 | MOV [y],$1 ;\n"),
              "t.litmus:4: missing final condition (exists, ~exists or forall)");
    EXPECT_EQ(error_of("X86 SB\n{}\n P0 ;\n MOV [x],$1 ;\nexists (0:EAX=0 /\\"),
              "t.litmus:5: unexpected end of file in the final condition");
    EXPECT_EQ(error_of("X86 SB\n{}\n P0 ;\n MOV [x],$1 ;\nexists (0:EAX=0"),
              "t.litmus:5: unexpected end of file, expected ')'");
    EXPECT_EQ(error_of("X86 SB\n(* never closed\n{}\n"), "t.litmus:2: unterminated comment '(*'");
}

TEST(LitmusParserErrors, BadCondition) {
    EXPECT_EQ(error_of("X86 B\n{}\n P0 ;\n MOV [x],$1 ;\nexists (x=1 /\\ /\\ y=1)\n"),
              "t.litmus:5: unexpected token '/\\'");
    EXPECT_EQ(error_of("X86 B\n{}\n P0 ;\n MOV [x],$1 ;\nexists (x=1 y=1)\n"),
              "t.litmus:5: unexpected token 'y', expected ')'");
    EXPECT_EQ(error_of("X86 B\n{}\n P0 ;\n MOV [x],$1 ;\nexists (x<1)\n"),
              "t.litmus:5: unexpected token '<', expected '='");
    EXPECT_EQ(error_of("X86 B\n{}\n P0 ;\n MOV [x],$1 ;\nexists (0:FOO=1)\n"),
              "t.litmus:5: unknown register 'FOO'");
    EXPECT_EQ(error_of("X86 B\n{}\n P0 ;\n MOV [x],$1 ;\nexists (3:EAX=1)\n"),
              "t.litmus:5: thread 3 does not exist (the test has 1)");
    EXPECT_EQ(error_of("X86 B\n{}\n P0 ;\n MOV [x],$1 ;\nexists (x=1)\nbogus\n"),
              "t.litmus:6: unexpected token 'bogus' after the final condition");
    EXPECT_EQ(error_of("X86 B\n{}\n P0 ;\n MOV [x],$1 ;\nexists (EAX=1)\n"),
              "t.litmus:5: register 'EAX' needs a thread: 0:EAX");
}

TEST(LitmusParserErrors, UnknownInstruction) {
    EXPECT_EQ(error_of("X86 U\n{}\n P0 | P1 ;\n MOV [x],$1 | FROB [y],$1 ;\nexists (x=1)\n"),
              "t.litmus:4: cannot parse instruction 'FROB [y],$1' of P1: unknown instruction 'frob'");
    EXPECT_EQ(error_of("X86 U\n{}\n P0 ;\n MOV [x],FOO BAR ;\nexists (x=1)\n"),
              "t.litmus:4: cannot parse instruction 'MOV [x],FOO BAR' of P0: unexpected token 'FOO BAR'");
    EXPECT_EQ(error_of("X86_64 U\n{}\n P0 ;\n movl $1,(x ;\nexists (x=1)\n"),
              "t.litmus:4: cannot parse instruction 'movl $1,(x' of P0: unexpected token '(x' (missing ')')");
    EXPECT_EQ(error_of("X86_64 U\n{}\n P0 ;\n movl %foo,(x) ;\nexists (x=1)\n"),
              "t.litmus:4: cannot parse instruction 'movl %foo,(x)' of P0: unknown register '%foo'");
    EXPECT_EQ(error_of("X86 U\n{}\n P0 ;\n JNE L9 ;\nexists (x=1)\n"),
              "t.litmus:4: undefined label 'L9' in 'JNE L9' of P0");
}

TEST(LitmusParserErrors, BadTable) {
    EXPECT_EQ(error_of("X86 T\n{}\n P0 | P2 ;\n MOV [x],$1 | MOV [y],$1 ;\nexists (x=1)\n"),
              "t.litmus:3: unexpected token 'P2' in thread header, expected 'P1'");
    EXPECT_EQ(error_of("X86 T\n{}\n P0 | P1 ;\n MOV [x],$1 | MOV [y],$1 | MFENCE ;\nexists (x=1)\n"),
              "t.litmus:4: row has more columns than the 2 threads");
    EXPECT_EQ(error_of("X86 T\n{}\n P0 | P1 ;\n MOV [x],$1 | MOV [y],$1\nexists (x=1)\n"),
              "t.litmus:4: expected ';' at the end of the row 'MOV [x],$1 | MOV [y],$1'");
}

TEST(LitmusParserErrors, BadInitAndPreamble) {
    EXPECT_EQ(error_of("X86 I\n{ x=0; x=1; }\n P0 ;\n MFENCE ;\nexists (x=1)\n"),
              "t.litmus:2: 'x' is initialised twice");
    EXPECT_EQ(error_of("X86 I\n{ x=; }\n P0 ;\n MFENCE ;\nexists (x=1)\n"), "t.litmus:2: missing value");
    EXPECT_EQ(error_of("X86 I\n{ x=0 y; }\n P0 ;\n MFENCE ;\nexists (x=1)\n"),
              "t.litmus:2: unexpected token 'y'");
    EXPECT_EQ(error_of("X86 I\n{ 0:EQX=0; }\n P0 ;\n MFENCE ;\nexists (x=1)\n"),
              "t.litmus:2: unknown register 'EQX'");
    EXPECT_EQ(error_of("X86 I\n{ 4:EAX=0; }\n P0 ;\n MFENCE ;\nexists (x=1)\n"),
              "t.litmus:2: thread 4 does not exist (the test has 1)");
    EXPECT_EQ(error_of("X86 I\n{ quux x=0; }\n P0 ;\n MFENCE ;\nexists (x=1)\n"),
              "t.litmus:2: unknown type 'quux'");
    EXPECT_EQ(error_of("X86 I\nthis is not metadata\n{}\n P0 ;\n MFENCE ;\nexists (x=1)\n"),
              "t.litmus:2: unexpected token 'this', expected the initial state '{ ... }'");
    EXPECT_EQ(error_of("X86 I\n{ x=0 } junk\n P0 ;\n MFENCE ;\nexists (x=1)\n"),
              "t.litmus:2: unexpected token 'junk'");
}

TEST(LitmusParserErrors, MissingFile) {
    EXPECT_THROW(parse_litmus_file("/nonexistent/dir/none.litmus"), InputError);
}

// Mutated inputs (bytes deleted, duplicated, replaced by syntax characters) either parse and assemble or
// fail with an InputError; nothing else escapes and nothing crashes (the sanitizer build runs this too).
TEST(LitmusParserErrors, MutatedInputsFailCleanly) {
    const std::string seeds[] = {
        kSB,
        "X86_64 A\n{ int64_t t[2]={1,-1}; 0:rax=t; uint64_t x; }\n P0 | P1 ;\n movq 0(%rax,%rbx,8),%rcx | "
        "lock xaddl %eax,(x) ;\n L0: cmpl $1,(x) | jne L1 ;\n je L0 | L1: ret ;\nlocations [x; t[1];]\n"
        "~exists (0:rcx=-1 \\/ [x]=2 /\\ 1:rax!=0)\n<< show >>\n",
        "X86 amd5 (five) \"doc\"\n{x = 0; y = 0; P0:EAX = 0};\n P0 | P1 ;\n mov [x], 1 | XCHG [y],EAX ;\n"
        " LOCK ADD DWORD PTR [x+4],$1 | mov EBX, [x] ;\nfinal (P0:EAX = 0 /\\ P1:EBX = 0);\nwith\ntso: "
        "~exists;\n"};
    const char junk[] = "{}[]();:=|,$%*~/\\\"\n -0x1LPab";
    std::mt19937 rng(12345);
    int parsed = 0, rejected = 0;
    for (int iter = 0; iter < 3000; ++iter) {
        std::string text = seeds[iter % 3];
        int edits = 1 + static_cast<int>(rng() % 3);
        for (int e = 0; e < edits && !text.empty(); ++e) {
            size_t at = rng() % text.size();
            switch (rng() % 3) {
            case 0: text.erase(at, 1 + rng() % 4); break;
            case 1: text.insert(at, 1, junk[rng() % (sizeof(junk) - 1)]); break;
            default: text[at] = junk[rng() % (sizeof(junk) - 1)]; break;
            }
        }
        try {
            LitmusTest t = parse(text);
            assemble(t, default_layout(t));
            ++parsed;
        } catch (const InputError& e) {
            EXPECT_EQ(std::string(e.what()).rfind("t.litmus", 0), 0u) << e.what();
            ++rejected;
        } catch (const std::exception& e) {
            ADD_FAILURE() << "unexpected exception " << e.what() << " for:\n" << text;
        }
    }
    EXPECT_GT(parsed, 0);
    EXPECT_GT(rejected, 0);
}

} // namespace
} // namespace smpsim::litmus

namespace smpsim::litmus {
namespace {

// A test whose condition is `cond`, on line 5.
std::string with_condition(const std::string& cond) {
    return "X86 L\n{ x=0; }\n P0 ;\n MOV EAX,[x] ;\nexists " + cond + "\n";
}

std::string repeat(const std::string& s, size_t n) {
    std::string out;
    out.reserve(s.size() * n);
    for (size_t i = 0; i < n; ++i)
        out += s;
    return out;
}

// A chain of `terms` distinct atoms joined by `op` (each atom reads its own variable).
std::string chain(size_t terms, const std::string& op) {
    std::string c = "(x0=0";
    for (size_t i = 1; i < terms; ++i)
        c += " " + op + " x" + std::to_string(i) + "=0";
    return c + ")";
}

TEST(LitmusParserLimits, DeepParenthesesAreAnErrorNotAStackOverflow) {
    // 20,000 levels used to overflow the recursive parser's stack (SIGSEGV).
    EXPECT_EQ(error_of(with_condition(repeat("(", 20000) + "x=0" + repeat(")", 20000))),
              "t.litmus:5: condition nested deeper than 1000 levels");
}

TEST(LitmusParserLimits, AMillionNotsAreAnErrorNotAStackOverflow) {
    EXPECT_EQ(error_of(with_condition("(" + repeat("~", 1000000) + "x=0)")),
              "t.litmus:5: condition nested deeper than 1000 levels");
}

TEST(LitmusParserLimits, NestingUpToTheLimitParsesAndEvaluates) {
    const size_t d = kMaxConditionDepth - 1; // one level is the condition's own parentheses
    LitmusTest t = parse(with_condition("(" + repeat("(", d) + "x=0" + repeat(")", d) + ")"));
    FinalState s;
    s.values.assign(t.observed.size(), 0);
    EXPECT_TRUE(t.satisfies(s));
    // An even number of ~ is the atom itself; evaluation and printing need no recursion either.
    t = parse(with_condition("(" + repeat("~", kMaxConditionDepth - 2) + "x=1)"));
    EXPECT_FALSE(t.satisfies(s));
    EXPECT_EQ(t.condition.str().size(), kMaxConditionDepth - 2 + 5);
}

TEST(LitmusParserLimits, TooManyTermsIsAnError) {
    // A flat 40,000-term chain used to crash the recursive evaluator.
    EXPECT_EQ(error_of(with_condition(chain(40000, "/\\"))),
              "t.litmus:5: condition has more than 10000 terms");
    // The filter's terms count too.
    EXPECT_EQ(error_of("X86 L\n{ x=0; }\n P0 ;\n MOV EAX,[x] ;\nfilter " + chain(6000, "\\/") + "\nexists " +
                       chain(6000, "\\/") + "\n"),
              "t.litmus:6: condition has more than 10000 terms");
}

TEST(LitmusParserLimits, LongChainsAtTheLimitParseAndEvaluate) {
    // The old parser was quadratic (10,000 terms took over a second; the suite would notice a regression
    // through its time, the test itself checks the results).
    for (const char* op : {"/\\", "\\/"}) {
        LitmusTest t = parse(with_condition(chain(kMaxConditionTerms, op)));
        ASSERT_EQ(t.observed.size(), kMaxConditionTerms);
        FinalState s;
        s.values.assign(t.observed.size(), 0);
        EXPECT_TRUE(t.satisfies(s)) << op;
        s.values.back() = 1;
        EXPECT_EQ(t.satisfies(s), std::string(op) == "\\/") << op;
        std::string printed = "[x0]=0";
        for (size_t i = 1; i < kMaxConditionTerms; ++i)
            printed += " " + std::string(op) + " [x" + std::to_string(i) + "]=0";
        EXPECT_EQ(t.condition.str(), printed);
    }
}

TEST(LitmusParserLimits, PrintingKeepsPrecedence) {
    LitmusTest t = parse(with_condition("(~(x=1 \\/ y=1) /\\ ~~z=1 \\/ (x=2 /\\ (y=2 \\/ z=2)))"));
    EXPECT_EQ(t.condition.str(), "~([x]=1 \\/ [y]=1) /\\ ~~[z]=1 \\/ [x]=2 /\\ ([y]=2 \\/ [z]=2)");
    EXPECT_EQ(error_of(with_condition("((x=1)")), "t.litmus:5: unexpected end of file, expected ')'");
    EXPECT_EQ(error_of(with_condition("(x=1 /\\ )")), "t.litmus:5: unexpected token ')'");
}

class TempFile {
  public:
    explicit TempFile(const std::string& contents) {
        char name[] = "/tmp/smpsim-litmus-XXXXXX";
        const int fd = ::mkstemp(name);
        path_ = name;
        FILE* f = ::fdopen(fd, "wb");
        std::fwrite(contents.data(), 1, contents.size(), f);
        std::fclose(f);
    }
    ~TempFile() { std::remove(path_.c_str()); }
    const std::string& path() const { return path_; }

  private:
    std::string path_;
};

std::string file_error_of(const std::string& path) {
    try {
        parse_litmus_file(path);
    } catch (const InputError& e) {
        return e.what();
    }
    return "";
}

TEST(LitmusParserLimits, OnlyRegularFilesOfBoundedSize) {
    EXPECT_EQ(file_error_of("/tmp"), "/tmp: not a regular file");
    EXPECT_EQ(file_error_of("/dev/zero"), "/dev/zero: not a regular file");
    EXPECT_EQ(file_error_of("/dev/urandom"), "/dev/urandom: not a regular file");
    // A FIFO without a writer: refused at once, not waited on.
    const std::string fifo = "/tmp/smpsim-litmus-fifo-" + std::to_string(::getpid());
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    EXPECT_EQ(file_error_of(fifo), fifo + ": not a regular file");
    std::remove(fifo.c_str());
    TempFile big(std::string(kMaxFileBytes + 1, ' '));
    EXPECT_EQ(file_error_of(big.path()), big.path() + ": file is larger than the limit of 1048576 bytes");
    TempFile ok("X86 SB\n{ x=0; }\n P0 ;\n MOV EAX,[x] ;\nexists (0:EAX=0)\n");
    EXPECT_EQ(file_error_of(ok.path()), "");
}

} // namespace
} // namespace smpsim::litmus
