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
    return eval_node(root, state);
}

bool Condition::eval_node(int n, const FinalState& s) const {
    const Node& node = nodes[static_cast<size_t>(n)];
    switch (node.op) {
    case Op::True: return true;
    case Op::False: return false;
    case Op::Not: return !eval_node(node.lhs, s);
    case Op::And: return eval_node(node.lhs, s) && eval_node(node.rhs, s);
    case Op::Or: return eval_node(node.lhs, s) || eval_node(node.rhs, s);
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
    }
    return false;
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
    return root < 0 ? "true" : str_node(root, 0);
}

std::string Condition::str_node(int n, int parent_prec) const {
    const Node& node = nodes[static_cast<size_t>(n)];
    std::string out;
    switch (node.op) {
    case Op::True: return "true";
    case Op::False: return "false";
    case Op::Eq:
    case Op::Ne: {
        std::string l =
            node.loc < observed.size() ? observed[node.loc].str() : "#" + std::to_string(node.loc);
        if (node.loc < observed.size() && observed[node.loc].kind == Location::Kind::Memory)
            l = "[" + l + "]";
        return l + (node.op == Op::Eq ? "=" : "!=") + node.value.str();
    }
    case Op::Not: return "~" + str_node(node.lhs, 3);
    case Op::And: out = str_node(node.lhs, 2) + " /\\ " + str_node(node.rhs, 2); break;
    case Op::Or: out = str_node(node.lhs, 1) + " \\/ " + str_node(node.rhs, 1); break;
    }
    return prec(node.op) < parent_prec ? "(" + out + ")" : out;
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
