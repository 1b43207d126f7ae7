// The abstract syntax of one herd7 x86 litmus test (X86 = Intel syntax, X86_64 = AT&T syntax) and the
// evaluation of its final condition. The parser (parser.h) builds it; the assembler (assembler.h) turns
// its threads into machine code; the runner executes them and fills a FinalState.
//
// Observed locations. Every register or memory cell the final state must report (the `locations [...]`
// list first, then the condition's atoms in order of appearance, without duplicates) gets an index in
// LitmusTest::observed. A FinalState is one value per observed location, so a histogram of final states
// is a map from std::vector<u64> to a count, and the condition's atoms refer to locations by index.
#pragma once
#include "sim/core/types.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace smpsim::litmus {

enum class Arch { X86, X86_64 };
enum class Quantifier { Exists, NotExists, Forall };

const char* arch_name(Arch a);             // "X86", "X86_64"
const char* quantifier_name(Quantifier q); // "exists", "~exists", "forall"

// A numeric literal or the address of a variable (`0:EAX=x`, `int* p=x`), plus a byte offset.
struct Value {
    std::optional<std::string> symbol; // address of this variable when set
    i64 number = 0;                    // the literal, or the offset added to the symbol's address
    bool operator==(const Value&) const = default;
    std::string str() const;
};

// A shared memory variable. Variables mentioned only in code or in the condition are created with the
// default type `int` (4 bytes) and initial value 0, as herd does.
struct Variable {
    std::string name;
    std::string type = "int"; // as written: int, int64_t, uint64_t, char, ...
    unsigned elem_size = 4;   // bytes per element
    unsigned count = 1;       // > 1 for arrays (`int64_t t[2]={1,-1}`)
    std::vector<Value> init;  // one per element (missing elements are 0)
    int line = 0;             // where declared (0 if implicit)
    unsigned size_bytes() const { return elem_size * count; }
};

// A general-purpose register as named in the test. `gpr` is the x86 encoding number of the enclosing
// 64-bit register (0 = RAX, 1 = RCX, 2 = RDX, 3 = RBX, 4 = RSP, 5 = RBP, 6 = RSI, 7 = RDI, 8..15 = R8..R15),
// the same order as smpsim::cpu::Gpr. A value is read as (gpr >> shift) & mask(width).
struct RegisterRef {
    std::string name; // as written ("EAX", "rax", "%eax" without the %)
    unsigned gpr = 0;
    unsigned width = 4; // bytes: 1, 2, 4, 8
    unsigned shift = 0; // 8 for AH/BH/CH/DH
    u64 mask() const { return width >= 8 ? ~u64{0} : ((u64{1} << (8 * width)) - 1); }
    u64 read(u64 full) const { return (full >> shift) & mask(); }
};

struct RegisterInit {
    int thread = 0;
    RegisterRef reg;
    std::string type; // optional C type of a typed declaration (`int64_t 0:rcx;`)
    Value value;
    int line = 0;
};

// One cell of the thread table: an instruction, a label, or both (`L0: MOV EAX,[x]`). Label-only cells
// assemble to zero bytes.
struct Instruction {
    std::string label; // without the colon; empty if none
    std::string text;  // the instruction, trimmed; empty for a label-only cell
    int line = 0;      // source line
};

struct Thread {
    int id = 0; // N of PN
    std::vector<Instruction> code;
};

// A register of a thread or a memory cell (variable element) whose final value is observed.
struct Location {
    enum class Kind { Register, Memory } kind = Kind::Memory;
    int thread = -1;        // registers only
    RegisterRef reg;        // registers only
    std::string var;        // memory only
    unsigned index = 0;     // memory only: array element
    bool indexed = false;   // memory only: written with an index (`t[0]`)
    unsigned mem_width = 4; // memory only: element size in bytes (from the variable's type)
    u64 mask() const {
        unsigned w = kind == Kind::Register ? reg.width : mem_width;
        return w >= 8 ? ~u64{0} : ((u64{1} << (8 * w)) - 1);
    }
    // herd spelling: "0:EAX", "x", "t[1]".
    std::string str() const;
    bool same_as(const Location& o) const;
};

// Values of LitmusTest::observed, in that order. `layout` is needed only when the condition compares a
// location with the address of a variable (`0:EAX=x`).
struct FinalState {
    std::vector<u64> values;
    const std::map<std::string, u64>* layout = nullptr;
};

// The final condition (or a filter) as a tree. Atoms compare an observed location with a value,
// masked to the location's width (a 4-byte location equals -1 when it holds 0xffffffff).
class Condition {
  public:
    enum class Op { True, False, Eq, Ne, Not, And, Or };
    struct Node {
        Op op = Op::True;
        size_t loc = 0; // Eq/Ne: index into LitmusTest::observed
        Value value;    // Eq/Ne
        int lhs = -1;   // Not/And/Or: child node indices
        int rhs = -1;
    };

    bool eval(const FinalState& state) const;
    // herd spelling, fully parenthesised where needed: "0:EAX=0 /\ 1:EAX=0".
    std::string str() const;
    bool empty() const { return nodes.empty(); }

    // Filled by the parser.
    std::vector<Node> nodes;
    int root = -1;
    std::vector<Location> observed; // copy of LitmusTest::observed, for str() and width masks

  private:
    bool eval_atom(const Node& node, const FinalState& s) const; // True, False, Eq, Ne
};

// One item of the `{...}` block as written, for herd's test hash (test_hash.h).
struct InitItem {
    int thread = -1;      // a register of this thread, or -1 for memory
    std::string location; // the register's or variable's name as written
    std::string text;     // herd's normalised item: "0:EAX=1", "x=0x10", "int x=0", "int64_t t[2]"
};

struct LitmusTest {
    std::string file; // path as given to the parser (for messages)
    Arch arch = Arch::X86;
    std::string name;     // test name from the header (may contain '/', e.g. "cc/boehm7")
    std::string alt_name; // the optional parenthesised second name (`X86 n1 (nOne)`)
    std::string doc;      // the optional "..." doc string
    std::vector<std::pair<std::string, std::string>> metadata; // key=value lines (Cycle=..., ...)
    std::vector<Variable> variables;                           // declared first, then implicit ones
    std::vector<RegisterInit> reg_init;
    std::vector<InitItem> init_items; // the `{...}` block item by item, as written
    std::vector<Thread> threads;      // index i is thread Pi
    std::vector<Location> locations;  // the `locations [...]` list (also in observed)
    std::vector<Location> observed;   // locations + condition atoms, deduplicated
    Quantifier quantifier = Quantifier::Exists;
    bool legacy_final = false;                    // written as `final P; with tso: ...` (read as `exists P`)
    std::map<std::string, Quantifier> final_with; // the `with` clauses of a legacy `final`
    Condition condition;
    std::optional<Condition> filter; // `filter P`: runs whose state fails it are not counted
    int condition_line = 0;

    const Variable* find_variable(const std::string& name) const;
    // Registers of thread `t` the final state reads (gpr numbers, sorted, unique).
    std::vector<unsigned> observed_registers(int t) const;
    // The condition with its quantifier, as herd prints it: "exists (0:EAX=0 /\ 1:EAX=0)".
    std::string condition_str() const;
    // litmus7 style: "0:EAX=1; 1:EAX=0; x=1;".
    std::string format_state(const FinalState& s) const;
    // True if a run ending in `s` satisfies the condition (for `forall`/`exists` alike, the predicate
    // itself; the quantifier is applied over all runs by the caller).
    bool satisfies(const FinalState& s) const { return condition.eval(s); }
};

} // namespace smpsim::litmus
