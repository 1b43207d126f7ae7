// The abstract syntax of one LKMM C litmus test (herd7's C dialect, as in Linux's tools/memory-model),
// as c_litmus_parser.h reads it. The thread bodies stay C text: they are compiled against the guest's
// own headers (c_translator.h), so the parser only has to check their shape and the primitives they
// call. Final conditions reuse the x86 tests' Condition and Location (litmus_test.h): a register
// location's `reg.gpr` is its slot in the thread's result array, `reg.width` its size in bytes.
#pragma once
#include "sim/litmus/litmus_test.h"

#include <optional>
#include <set>
#include <string>
#include <vector>

namespace smpsim::litmus {

// A shared variable: declared in the init block, or named by a thread's parameter, a value or the
// condition (then `int`, initially 0, as herd does).
struct CVariable {
    std::string name;
    std::string type = "int"; // the object's type: int, intptr_t, atomic_t, spinlock_t, int* ...
    unsigned size = 4;        // bytes
    Value init;               // a number, or the address of another variable
    int line = 0;
};

struct CParam {
    std::string type; // as written, without the name: "int *", "volatile int*", "spinlock_t *"
    std::string name; // the shared variable it points to
};

// A thread register: a local of Pn that the final state reads.
struct CRegister {
    std::string name;
    std::string type = "int";
    unsigned width = 4;
    bool implicit = false; // used without a declaration (herd allows it): declared by the translator
};

struct CThread {
    int id = 0;
    int line = 0;
    std::vector<CParam> params;
    std::string body; // the text between the braces, with `= 0` added to declarations without one
    int body_line = 0;
    std::vector<CRegister> implicit_registers;               // to declare before the body
    std::vector<CRegister> observed;                         // slot i of the result array is observed[i]
    std::vector<std::pair<std::string, CRegister>> declared; // locals: name, declared type
};

struct CLitmusTest {
    std::string file;
    std::string name;
    std::vector<CVariable> variables;
    std::vector<CThread> threads;
    std::vector<Location> observed; // `locations` first, then the condition's, deduplicated
    Quantifier quantifier = Quantifier::Exists;
    Condition condition;
    std::optional<Condition> filter;
    int condition_line = 0;
    std::set<std::string> primitives; // the kernel primitives the threads call

    const CVariable* find_variable(const std::string& name) const;
    int variable_index(const std::string& name) const; // -1 if none
};

} // namespace smpsim::litmus
