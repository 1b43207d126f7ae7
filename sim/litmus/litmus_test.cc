#include "sim/litmus/litmus_test.h"

#include "sim/core/error.h"

#include <algorithm>

namespace smpsim::litmus {

const char* arch_name(Arch a) {
    return a == Arch::X86 ? "X86" : "X86_64";
}

const char* quantifier_name(Quantifier q) {
    switch (q) {
    case Quantifier::Exists: return "exists";
    case Quantifier::NotExists: return "~exists";
    case Quantifier::Forall: return "forall";
    }
    return "?";
}

std::string Value::str() const {
    if (!symbol) return std::to_string(number);
    if (number == 0) return *symbol;
    return *symbol + (number > 0 ? "+" : "") + std::to_string(number);
}

std::string Location::str() const {
    if (kind == Kind::Register) return std::to_string(thread) + ":" + reg.name;
    return indexed || index ? var + "[" + std::to_string(index) + "]" : var;
}

bool Location::same_as(const Location& o) const {
    if (kind != o.kind) return false;
    if (kind == Kind::Register)
        return thread == o.thread && reg.gpr == o.reg.gpr && reg.width == o.reg.width &&
               reg.shift == o.reg.shift;
    return var == o.var && index == o.index;
}

bool Condition::eval(const FinalState& state) const {
    if (root < 0) return true;
    // Post-order walk with an explicit stack (a long /\ chain is a deep left spine), short-circuiting
    // /\ and \/ as && and || do. `stage` counts the children already evaluated.
    struct Frame {
        int node;
        int stage;
    };
    // Reused across calls: the runners evaluate the condition once or twice per iteration, and an
    // allocation each time was a measurable part of a short test's iteration.
    static thread_local std::vector<Frame> stack;
    stack.clear();
    stack.push_back({root, 0});
    bool value = false; // the value of the node popped last
    while (!stack.empty()) {
        Frame& f = stack.back();
        const Node& node = nodes[static_cast<size_t>(f.node)];
        switch (node.op) {
        case Op::Not:
            if (f.stage++ == 0) {
                stack.push_back({node.lhs, 0});
                continue;
            }
            value = !value;
            break;
        case Op::And:
        case Op::Or:
            if (f.stage == 0 || (f.stage == 1 && value == (node.op == Op::And))) {
                const int child = f.stage++ == 0 ? node.lhs : node.rhs;
                stack.push_back({child, 0});
                continue;
            }
            break; // the left side decided, or the right side's value is the result
        default: value = eval_atom(node, state); break;
        }
        stack.pop_back();
    }
    return value;
}

bool Condition::eval_atom(const Node& node, const FinalState& s) const {
    switch (node.op) {
    case Op::True: return true;
    case Op::False: return false;
    case Op::Eq:
    case Op::Ne: {
        if (node.loc >= s.values.size())
            throw InputError("litmus: final state has " + std::to_string(s.values.size()) +
                             " values, condition reads location #" + std::to_string(node.loc));
        u64 expected = static_cast<u64>(node.value.number);
        if (node.value.symbol) {
            if (!s.layout)
                throw InputError("litmus: condition compares with the address of '" + *node.value.symbol +
                                 "' but no memory layout was given");
            auto it = s.layout->find(*node.value.symbol);
            if (it == s.layout->end())
                throw InputError("litmus: no address for variable '" + *node.value.symbol + "'");
            expected += it->second;
        }
        u64 mask = node.loc < observed.size() ? observed[node.loc].mask() : ~u64{0};
        bool eq = ((s.values[node.loc] ^ expected) & mask) == 0;
        return node.op == Op::Eq ? eq : !eq;
    }
    default: return false;
    }
}

namespace {
int prec(Condition::Op op) {
    switch (op) {
    case Condition::Op::Or: return 1;
    case Condition::Op::And: return 2;
    default: return 3;
    }
}
} // namespace

std::string Condition::str() const {
    if (root < 0) return "true";
    // In-order walk with an explicit stack, appending to one string (linear, no recursion).
    struct Frame {
        int node;
        int parent_prec;
        int stage;
    };
    std::string out;
    std::vector<Frame> stack{{root, 0, 0}};
    while (!stack.empty()) {
        Frame& f = stack.back();
        const Node& node = nodes[static_cast<size_t>(f.node)];
        const bool parens = prec(node.op) < f.parent_prec;
        switch (node.op) {
        case Op::Not:
            if (f.stage++ == 0) {
                out += '~';
                stack.push_back({node.lhs, 3, 0});
                continue;
            }
            break;
        case Op::And:
        case Op::Or: {
            const int p = prec(node.op);
            if (f.stage == 0) {
                if (parens) out += '(';
                ++f.stage;
                stack.push_back({node.lhs, p, 0});
                continue;
            }
            if (f.stage == 1) {
                out += node.op == Op::And ? " /\\ " : " \\/ ";
                ++f.stage;
                stack.push_back({node.rhs, p, 0});
                continue;
            }
            if (parens) out += ')';
            break;
        }
        case Op::True: out += "true"; break;
        case Op::False: out += "false"; break;
        case Op::Eq:
        case Op::Ne: {
            std::string l =
                node.loc < observed.size() ? observed[node.loc].str() : "#" + std::to_string(node.loc);
            if (node.loc < observed.size() && observed[node.loc].kind == Location::Kind::Memory)
                l = "[" + l + "]";
            out += l + (node.op == Op::Eq ? "=" : "!=") + node.value.str();
            break;
        }
        }
        stack.pop_back();
    }
    return out;
}

const Variable* LitmusTest::find_variable(const std::string& n) const {
    for (const auto& v : variables)
        if (v.name == n) return &v;
    return nullptr;
}

std::vector<unsigned> LitmusTest::observed_registers(int t) const {
    std::vector<unsigned> regs;
    for (const auto& l : observed)
        if (l.kind == Location::Kind::Register && l.thread == t) regs.push_back(l.reg.gpr);
    std::sort(regs.begin(), regs.end());
    regs.erase(std::unique(regs.begin(), regs.end()), regs.end());
    return regs;
}

std::string LitmusTest::condition_str() const {
    return std::string(quantifier_name(quantifier)) + " (" + condition.str() + ")";
}

std::string LitmusTest::format_state(const FinalState& s) const {
    std::string out;
    for (size_t i = 0; i < observed.size() && i < s.values.size(); ++i) {
        const Location& l = observed[i];
        u64 v = s.values[i] & l.mask();
        unsigned bits = 8 * (l.kind == Location::Kind::Register ? l.reg.width : l.mem_width);
        // Signed, as herd prints values.
        i64 shown =
            bits < 64 && (v >> (bits - 1)) ? static_cast<i64>(v - (u64{1} << bits)) : static_cast<i64>(v);
        if (!out.empty()) out += ' ';
        out += l.str() + "=" + std::to_string(shown) + ";";
    }
    return out;
}

} // namespace smpsim::litmus
