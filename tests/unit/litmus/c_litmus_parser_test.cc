// The LKMM C litmus parser and translator; also parses every test of ../shared/litmus/lkmm (skipped with
// a message when that folder is absent).
#include "sim/core/error.h"
#include "sim/litmus/c_litmus_parser.h"
#include "sim/litmus/c_translator.h"
#include "sim/litmus/lkmm_primitives.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <random>

namespace smpsim::litmus {
namespace {

constexpr const char* kMp = R"(C MP+wmb+rmb
"a doc string"
Cycle=Rfe Fre
{
	x=0;
	y=0;
}

P0(int *x, int *y)
{
	WRITE_ONCE(*x, 1);
	smp_wmb();
	WRITE_ONCE(*y, 1);
}

P1(int *x, int *y)
{
	int r0;
	int r1 = 5;

	r0 = READ_ONCE(*y);
	smp_rmb();
	if (r0 == 1) {
		r1 = READ_ONCE(*x);
	} else
		r1 = -1;
}

exists (1:r0=1 /\ 1:r1=0)
)";

TEST(CLitmusParser, ParsesMessagePassing) {
    const CLitmusTest t = parse_c_litmus(kMp, "mp.litmus");
    EXPECT_EQ(t.name, "MP+wmb+rmb");
    ASSERT_EQ(t.threads.size(), 2u);
    ASSERT_EQ(t.variables.size(), 2u);
    EXPECT_EQ(t.variables[0].name, "x");
    EXPECT_EQ(t.variables[0].size, 4u);
    EXPECT_EQ(t.quantifier, Quantifier::Exists);
    ASSERT_EQ(t.observed.size(), 2u);
    EXPECT_EQ(t.observed[0].kind, Location::Kind::Register);
    EXPECT_EQ(t.observed[0].thread, 1);
    EXPECT_EQ(t.observed[0].reg.name, "r0");
    EXPECT_EQ(t.observed[1].reg.gpr, 1u); // r1's slot
    EXPECT_TRUE(t.primitives.count("smp_rmb"));
    // Declarations without a value start at 0, as herd's registers.
    EXPECT_NE(t.threads[1].body.find("int r0 = 0;"), std::string::npos);
    EXPECT_NE(t.threads[1].body.find("int r1 = 5;"), std::string::npos);
    FinalState s;
    s.values = {1, 0};
    EXPECT_TRUE(t.condition.eval(s));
    s.values = {1, 1};
    EXPECT_FALSE(t.condition.eval(s));
}

TEST(CLitmusParser, InitBlockTypesPointersAndImplicitRegisters) {
    const CLitmusTest t = parse_c_litmus(R"(C ptr
{
	int *p = &a;
	atomic_t v = ATOMIC_INIT(-3);
	spinlock_t s;
	y = b;
}
P0(int **p, atomic_t *v, spinlock_t *s, int *y)
{
	spin_lock(s);
	r1 = rcu_dereference(*p);
	r2 = READ_ONCE(*r1);
	atomic_inc(v);
	r3 = xchg_acquire(v, 2);
	spin_unlock(s);
}
locations [v; y;]
forall (0:r1=a \/ 0:r1=b) /\ ~(v=7)
)",
                                         "ptr.litmus");
    const CVariable* p = t.find_variable("p");
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(p->size, 8u);
    ASSERT_TRUE(p->init.symbol);
    EXPECT_EQ(*p->init.symbol, "a");
    EXPECT_EQ(t.find_variable("v")->init.number, -3);
    EXPECT_EQ(t.find_variable("v")->type, "atomic_t");
    EXPECT_EQ(*t.find_variable("y")->init.symbol, "b");
    ASSERT_NE(t.find_variable("b"), nullptr);
    EXPECT_EQ(t.quantifier, Quantifier::Forall);
    ASSERT_EQ(t.threads[0].implicit_registers.size(), 3u);
    EXPECT_EQ(t.threads[0].implicit_registers[0].type, "int *"); // dereferenced
    EXPECT_EQ(t.threads[0].implicit_registers[1].type, "int");
    // xchg on an atomic_t acts on its counter.
    EXPECT_NE(t.threads[0].body.find("xchg_acquire(__lkmm_ptr(v), 2)"), std::string::npos);
    const std::string c = translate_c_litmus(t);
    EXPECT_NE(c.find("#include \"lkmm_kernel.h\""), std::string::npos);
    EXPECT_NE(c.find("#line 9 \"ptr.litmus\""), std::string::npos);
    EXPECT_NE(c.find("lkmm_regs[0] = (long)(r1);"), std::string::npos);
}

std::string error_of(const std::string& text) {
    try {
        parse_c_litmus(text, "bad.litmus");
    } catch (const InputError& e) {
        return e.what();
    }
    return "";
}

TEST(CLitmusParser, ErrorsNameFileLineAndPrimitive) {
    EXPECT_EQ(error_of("C t\n{}\nP0(int *x)\n{\n\tr0 = srcu_read_lock(x);\n}\nexists (0:r0=0)\n"),
              "bad.litmus:5: primitive 'srcu_read_lock' is not implemented by the guest kernel");
    EXPECT_EQ(error_of("C t\n{}\nP0(int *x)\n{\n\tfoo(x);\n}\nexists (0:r0=0)\n"),
              "bad.litmus:5: unknown function 'foo': not an LKMM primitive");
    EXPECT_EQ(error_of("C t\n{}\nP0(int *x)\n{\n\tWRITE_ONCE(*x);\n}\nexists (x=0)\n"),
              "bad.litmus:5: WRITE_ONCE takes 2 arguments, not 1");
    EXPECT_EQ(error_of("C t\n{}\nP0(int *x)\n{\n\tWRITE_ONCE(*x, 1)\n}\nexists (x=0)\n"),
              "bad.litmus:6: expected ';' after a statement, found '}'");
    EXPECT_EQ(error_of("C t\n{}\nP0(int *x)\n{\n}\nexists (2:r0=0)\n"),
              "bad.litmus:6: no thread 2 for register 2:r0");
    EXPECT_EQ(error_of("X86 t\n"), "bad.litmus:1: expected the header 'C NAME', found 'X86'");
    EXPECT_EQ(error_of("C t\n{}\nP1(int *x)\n{\n}\nexists (x=0)\n"),
              "bad.litmus:3: thread P1 out of order: expected P0");
    EXPECT_EQ(error_of("C t\n{}\nP0(int *x)\n{\n\tWRITE_ONCE(*x, 1);\n"),
              "bad.litmus:4: P0: body not closed with '}'");
}

TEST(CLitmusParser, KnowsWhichPrimitivesTheGuestHas) {
    for (const char* p : {"READ_ONCE",
                          "WRITE_ONCE",
                          "smp_load_acquire",
                          "smp_store_release",
                          "smp_mb",
                          "smp_rmb",
                          "smp_wmb",
                          "smp_mb__before_atomic",
                          "smp_mb__after_atomic",
                          "rcu_dereference",
                          "rcu_assign_pointer",
                          "rcu_read_lock",
                          "rcu_read_unlock",
                          "synchronize_rcu",
                          "xchg",
                          "xchg_relaxed",
                          "xchg_acquire",
                          "xchg_release",
                          "cmpxchg",
                          "cmpxchg_relaxed",
                          "atomic_read",
                          "atomic_set",
                          "atomic_add",
                          "atomic_sub",
                          "atomic_inc",
                          "atomic_dec",
                          "atomic_add_return",
                          "atomic_add_return_relaxed",
                          "atomic_xchg",
                          "atomic_cmpxchg",
                          "spin_lock",
                          "spin_unlock",
                          "spin_trylock"}) {
        const auto prim = find_lkmm_primitive(p);
        ASSERT_TRUE(prim) << p;
        EXPECT_TRUE(prim->implemented) << p;
    }
    EXPECT_FALSE(find_lkmm_primitive("srcu_read_lock")->implemented);
    EXPECT_FALSE(find_lkmm_primitive("printf"));
}

// Random mutations of a valid test (bytes deleted, duplicated, replaced): always either a test or a
// one-line InputError naming the file and a line, never a crash or another exception.
TEST(CLitmusParser, MutationsGiveOneLineErrors) {
    std::mt19937 rng(12);
    const std::string base = kMp;
    const std::string alphabet = "{}()[];,*&=~/\\:01xyrP \n\t\"-+<>!";
    for (int i = 0; i < 2000; ++i) {
        std::string s = base;
        const int edits = 1 + int(rng() % 4);
        for (int e = 0; e < edits && !s.empty(); ++e) {
            const size_t at = rng() % s.size();
            switch (rng() % 3) {
            case 0: s.erase(at, 1 + rng() % 8); break;
            case 1: s.insert(at, 1, alphabet[rng() % alphabet.size()]); break;
            default: s[at] = alphabet[rng() % alphabet.size()]; break;
            }
        }
        try {
            parse_c_litmus(s, "m.litmus");
        } catch (const InputError& e) {
            const std::string msg = e.what();
            EXPECT_EQ(msg.rfind("m.litmus:", 0), 0u) << msg;
            EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
        }
    }
}

TEST(CLitmusParser, ParsesEverySharedLkmmTest) {
    namespace fs = std::filesystem;
    const fs::path dir = fs::path(SMPSIM_SHARED_LITMUS_DIR) / "lkmm" / "tests";
    if (!fs::is_directory(dir)) GTEST_SKIP() << dir << " is absent (third-party LKMM tests)";
    size_t parsed = 0;
    for (const auto& e : fs::directory_iterator(dir)) {
        if (e.path().extension() != ".litmus") continue;
        EXPECT_TRUE(is_c_litmus_file(e.path().string())) << e.path();
        EXPECT_NO_THROW(translate_c_litmus(parse_c_litmus_file(e.path().string()))) << e.path();
        ++parsed;
    }
    EXPECT_EQ(parsed, 145u);
}

} // namespace
} // namespace smpsim::litmus
