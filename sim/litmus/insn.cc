#include "sim/litmus/insn.h"

#include <Zydis/Zydis.h>

#include <algorithm>
#include <cctype>
#include <unordered_map>

namespace smpsim::litmus {

namespace {

bool is_ident_start(char c) {
    return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
}
bool is_ident_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.';
}

// Every Zydis mnemonic by its lower-case name.
const std::unordered_map<std::string, ZydisMnemonic>& mnemonic_table() {
    static const auto table = [] {
        std::unordered_map<std::string, ZydisMnemonic> t;
        for (int m = 1; m <= ZYDIS_MNEMONIC_MAX_VALUE; ++m) {
            const char* s = ZydisMnemonicGetString(static_cast<ZydisMnemonic>(m));
            if (s) t.emplace(lower(s), static_cast<ZydisMnemonic>(m));
        }
        return t;
    }();
    return table;
}

// Assembler spellings of condition codes that Zydis names differently (JE -> jz).
std::string canonical_cc(const std::string& m) {
    static const std::pair<const char*, const char*> cc[] = {
        {"e", "z"},   {"ne", "nz"}, {"a", "nbe"}, {"ae", "nb"}, {"c", "b"},   {"nc", "nb"}, {"nae", "b"},
        {"na", "be"}, {"g", "nle"}, {"ge", "nl"}, {"nge", "l"}, {"ng", "le"}, {"pe", "p"},  {"po", "np"},
    };
    for (const char* prefix : {"j", "set", "cmov"}) {
        std::string p = prefix;
        if (m.size() > p.size() && m.compare(0, p.size(), p) == 0) {
            std::string rest = m.substr(p.size());
            for (auto [from, to] : cc)
                if (rest == from) return p + to;
        }
    }
    return m;
}

unsigned suffix_bytes(char c) {
    switch (c) {
    case 'b': return 1;
    case 'w': return 2;
    case 'l': return 4;
    case 'q': return 8;
    default: return 0;
    }
}

i64 parse_number(std::string_view s, std::string_view whole) {
    bool neg = false;
    if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
        neg = s[0] == '-';
        s.remove_prefix(1);
    }
    if (s.empty()) throw SyntaxError("unexpected token '" + std::string(whole) + "'");
    int base = 10;
    if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s.remove_prefix(2);
    }
    u64 v = 0;
    for (char c : s) {
        int d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (base == 16 && c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else if (base == 16 && c >= 'A' && c <= 'F')
            d = c - 'A' + 10;
        else
            throw SyntaxError("unexpected token '" + std::string(whole) + "'");
        v = v * static_cast<u64>(base) + static_cast<u64>(d);
    }
    return neg ? -static_cast<i64>(v) : static_cast<i64>(v);
}

bool looks_numeric(std::string_view s) {
    if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
    return !s.empty() && std::isdigit(static_cast<unsigned char>(s[0]));
}

// Splits at top-level commas.
std::vector<std::string_view> split_operands(std::string_view s) {
    std::vector<std::string_view> out;
    int depth = 0;
    size_t start = 0;
    for (size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (c == '(' || c == '[')
            ++depth;
        else if (c == ')' || c == ']')
            --depth;
        else if (c == ',' && depth == 0) {
            out.push_back(trim(s.substr(start, i - start)));
            start = i + 1;
        }
    }
    out.push_back(trim(s.substr(start)));
    return out;
}

RegisterRef need_reg(std::string_view name, std::string_view whole) {
    auto r = lookup_gpr(name);
    if (!r) throw SyntaxError("unknown register '" + std::string(whole) + "'");
    return *r;
}

bool is_segment(const std::string& s) {
    return s == "cs" || s == "ds" || s == "es" || s == "ss" || s == "fs" || s == "gs";
}

// symbol[+-number] or number, as a displacement term.
void parse_disp(std::string_view s, Operand& op, std::string_view whole) {
    s = trim(s);
    if (s.empty()) return;
    if (looks_numeric(s)) {
        op.disp += parse_number(s, whole);
        return;
    }
    size_t i = 0;
    if (!is_ident_start(s[0])) throw SyntaxError("unexpected token '" + std::string(whole) + "'");
    while (i < s.size() && is_ident_char(s[i]))
        ++i;
    op.symbol = std::string(s.substr(0, i));
    std::string_view rest = trim(s.substr(i));
    if (!rest.empty()) {
        if (rest[0] != '+' && rest[0] != '-')
            throw SyntaxError("unexpected token '" + std::string(rest) + "'");
        op.disp += parse_number(std::string(rest.substr(0, 1)) + std::string(trim(rest.substr(1))), whole);
    }
}

// Intel: [x], [x+4], [EAX], [x+EBX*4], [EBX+8].
Operand parse_intel_mem(std::string_view inner, std::string_view whole) {
    Operand op;
    op.kind = Operand::Kind::Mem;
    // Split into signed terms.
    std::vector<std::pair<char, std::string_view>> terms;
    char sign = '+';
    size_t start = 0;
    inner = trim(inner);
    if (inner.empty()) throw SyntaxError("empty memory operand '" + std::string(whole) + "'");
    for (size_t i = 0; i <= inner.size(); ++i) {
        if (i == inner.size() || ((inner[i] == '+' || inner[i] == '-') && i > start)) {
            terms.emplace_back(sign, trim(inner.substr(start, i - start)));
            if (i < inner.size()) sign = inner[i];
            start = i + 1;
        } else if ((inner[i] == '+' || inner[i] == '-') && i == start) {
            sign = inner[i] == '-' ? (sign == '-' ? '+' : '-') : sign;
            start = i + 1;
        }
    }
    for (auto [sg, t] : terms) {
        if (t.empty()) throw SyntaxError("unexpected token '" + std::string(whole) + "'");
        if (looks_numeric(t)) {
            i64 v = parse_number(t, whole);
            op.disp += sg == '-' ? -v : v;
            continue;
        }
        size_t star = t.find('*');
        std::string_view name = trim(t.substr(0, star));
        if (auto r = lookup_gpr(name)) {
            if (sg == '-') throw SyntaxError("unexpected token '-" + std::string(t) + "'");
            if (star != std::string_view::npos) {
                if (op.index) throw SyntaxError("two index registers in '" + std::string(whole) + "'");
                op.index = r;
                op.scale = static_cast<unsigned>(parse_number(trim(t.substr(star + 1)), whole));
            } else if (!op.base) {
                op.base = r;
            } else if (!op.index) {
                op.index = r;
            } else {
                throw SyntaxError("too many registers in '" + std::string(whole) + "'");
            }
            continue;
        }
        if (star != std::string_view::npos || !is_ident_start(t[0]))
            throw SyntaxError("unexpected token '" + std::string(t) + "'");
        for (char c : t)
            if (!is_ident_char(c)) throw SyntaxError("unexpected token '" + std::string(t) + "'");
        if (op.symbol) throw SyntaxError("two variables in '" + std::string(whole) + "'");
        if (sg == '-') throw SyntaxError("unexpected token '-" + std::string(t) + "'");
        op.symbol = std::string(t);
    }
    return op;
}

Operand parse_intel_operand(std::string_view s) {
    const std::string_view whole = s;
    Operand op;
    if (s.empty()) throw SyntaxError("missing operand");
    // Size keyword: BYTE/WORD/DWORD/QWORD [PTR].
    {
        std::string l = lower(s);
        static const std::pair<const char*, unsigned> sizes[] = {
            {"byte", 1}, {"word", 2}, {"dword", 4}, {"qword", 8}};
        for (auto [kw, n] : sizes) {
            size_t len = std::string_view(kw).size();
            if (l.compare(0, len, kw) == 0 && l.size() > len &&
                std::isspace(static_cast<unsigned char>(l[len]))) {
                std::string_view rest = trim(s.substr(len));
                if (lower(rest.substr(0, 3)) == "ptr") rest = trim(rest.substr(3));
                Operand m = parse_intel_operand(rest);
                if (m.kind != Operand::Kind::Mem)
                    throw SyntaxError("unexpected token '" + std::string(kw) + "'");
                m.size = n;
                return m;
            }
        }
    }
    // Segment override: CS:[x].
    if (s.size() > 3 && s[2] == ':' && is_segment(lower(s.substr(0, 2)))) {
        Operand m = parse_intel_operand(trim(s.substr(3)));
        if (m.kind != Operand::Kind::Mem) throw SyntaxError("unexpected token '" + std::string(whole) + "'");
        m.segment = lower(s.substr(0, 2));
        return m;
    }
    if (s.front() == '[') {
        if (s.back() != ']') throw SyntaxError("unexpected token '" + std::string(whole) + "' (missing ']')");
        return parse_intel_mem(s.substr(1, s.size() - 2), whole);
    }
    if (s.front() == '$') {
        op.kind = Operand::Kind::Imm;
        std::string_view v = trim(s.substr(1));
        if (!v.empty() && is_ident_start(v[0]))
            parse_disp(v, op, whole);
        else
            op.disp = parse_number(v, whole);
        return op;
    }
    if (looks_numeric(s)) {
        op.kind = Operand::Kind::Imm;
        op.disp = parse_number(s, whole);
        return op;
    }
    if (auto r = lookup_gpr(s)) {
        op.kind = Operand::Kind::Reg;
        op.reg = *r;
        return op;
    }
    if (is_ident_start(s[0]) && std::all_of(s.begin(), s.end(), is_ident_char)) {
        op.kind = Operand::Kind::Label;
        op.label = std::string(s);
        return op;
    }
    throw SyntaxError("unexpected token '" + std::string(whole) + "'");
}

// AT&T: %reg, $imm, $sym, N (herd reads a bare number as an immediate), label,
// [%seg:][disp|sym[+-N]](base[,index[,scale]]) where base may be a variable name: (x).
Operand parse_att_operand(std::string_view s) {
    const std::string_view whole = s;
    Operand op;
    if (s.empty()) throw SyntaxError("missing operand");
    if (s.front() == '$') {
        op.kind = Operand::Kind::Imm;
        std::string_view v = trim(s.substr(1));
        if (!v.empty() && is_ident_start(v[0]))
            parse_disp(v, op, whole);
        else
            op.disp = parse_number(v, whole);
        return op;
    }
    std::string segment;
    if (s.front() == '%') {
        size_t colon = s.find(':');
        if (colon != std::string_view::npos && is_segment(lower(trim(s.substr(1, colon - 1))))) {
            segment = lower(trim(s.substr(1, colon - 1)));
            s = trim(s.substr(colon + 1));
        } else {
            op.kind = Operand::Kind::Reg;
            op.reg = need_reg(trim(s.substr(1)), whole);
            return op;
        }
    }
    size_t paren = s.find('(');
    if (paren == std::string_view::npos) {
        if (!segment.empty()) throw SyntaxError("unexpected token '" + std::string(whole) + "'");
        if (looks_numeric(s)) {
            op.kind = Operand::Kind::Imm;
            op.disp = parse_number(s, whole);
            return op;
        }
        if (is_ident_start(s[0]) && std::all_of(s.begin(), s.end(), is_ident_char)) {
            op.kind = Operand::Kind::Label;
            op.label = std::string(s);
            return op;
        }
        throw SyntaxError("unexpected token '" + std::string(whole) + "'");
    }
    if (s.back() != ')') throw SyntaxError("unexpected token '" + std::string(whole) + "' (missing ')')");
    op.kind = Operand::Kind::Mem;
    op.segment = segment;
    parse_disp(s.substr(0, paren), op, whole);
    std::string_view inner = s.substr(paren + 1, s.size() - paren - 2);
    std::vector<std::string_view> parts = split_operands(inner);
    if (parts.size() > 3) throw SyntaxError("unexpected token '" + std::string(whole) + "'");
    if (!parts[0].empty()) {
        if (parts[0][0] == '%') {
            op.base = need_reg(trim(parts[0].substr(1)), whole);
        } else {
            // herd's (x): the variable itself.
            if (op.symbol) throw SyntaxError("two variables in '" + std::string(whole) + "'");
            Operand tmp;
            parse_disp(parts[0], tmp, whole);
            if (!tmp.symbol) throw SyntaxError("unexpected token '" + std::string(parts[0]) + "'");
            op.symbol = tmp.symbol;
            op.disp += tmp.disp;
        }
    }
    if (parts.size() >= 2) {
        if (parts[1].empty() || parts[1][0] != '%')
            throw SyntaxError("unexpected token '" + std::string(parts[1]) + "'");
        op.index = need_reg(trim(parts[1].substr(1)), whole);
    }
    if (parts.size() == 3) op.scale = static_cast<unsigned>(parse_number(parts[2], whole));
    return op;
}

} // namespace

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
        s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
        s.remove_suffix(1);
    return s;
}

std::optional<RegisterRef> lookup_gpr(std::string_view name_in) {
    std::string n = lower(trim(name_in));
    if (!n.empty() && n[0] == '%') n.erase(0, 1);
    static const char* legacy64[] = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi"};
    static const char* legacy32[] = {"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"};
    static const char* legacy16[] = {"ax", "cx", "dx", "bx", "sp", "bp", "si", "di"};
    static const char* legacy8[] = {"al", "cl", "dl", "bl", "spl", "bpl", "sil", "dil"};
    static const char* high8[] = {"ah", "ch", "dh", "bh"};
    RegisterRef r;
    r.name = std::string(trim(name_in));
    if (!r.name.empty() && r.name[0] == '%') r.name.erase(0, 1);
    static const struct {
        const char* const* names;
        unsigned width;
    } sizes[] = {{legacy64, 8}, {legacy32, 4}, {legacy16, 2}, {legacy8, 1}};
    for (unsigned i = 0; i < 8; ++i)
        for (const auto& size : sizes)
            if (n == size.names[i]) {
                r.gpr = i;
                r.width = size.width;
                return r;
            }
    for (unsigned i = 0; i < 4; ++i)
        if (n == high8[i]) {
            r.gpr = i;
            r.width = 1;
            r.shift = 8;
            return r;
        }
    if (n.size() >= 2 && n[0] == 'r' && std::isdigit(static_cast<unsigned char>(n[1]))) {
        size_t i = 1;
        unsigned num = 0;
        while (i < n.size() && std::isdigit(static_cast<unsigned char>(n[i])))
            num = num * 10 + (n[i++] - '0');
        if (num < 8 || num > 15) return std::nullopt;
        std::string suf = n.substr(i);
        r.gpr = num;
        if (suf.empty())
            r.width = 8;
        else if (suf == "d")
            r.width = 4;
        else if (suf == "w")
            r.width = 2;
        else if (suf == "b" || suf == "l")
            r.width = 1;
        else
            return std::nullopt;
        return r;
    }
    return std::nullopt;
}

int zydis_mnemonic(const std::string& mnemonic) {
    const auto& t = mnemonic_table();
    auto it = t.find(mnemonic);
    return it == t.end() ? 0 : static_cast<int>(it->second);
}

bool ParsedInsn::is_branch() const {
    return mnemonic == "jmp" || mnemonic == "call" || mnemonic == "jrcxz" || mnemonic == "jecxz" ||
           mnemonic.compare(0, 4, "loop") == 0 || (mnemonic.size() >= 2 && mnemonic[0] == 'j');
}

ParsedInsn parse_instruction(std::string_view text, Arch arch) {
    ParsedInsn insn;
    std::string_view s = trim(text);
    if (s.empty()) throw SyntaxError("empty instruction");
    const auto& table = mnemonic_table();
    // Prefixes and the mnemonic.
    std::string mn;
    while (true) {
        size_t i = 0;
        while (i < s.size() && !std::isspace(static_cast<unsigned char>(s[i])))
            ++i;
        std::string word = lower(s.substr(0, i));
        std::string_view rest = trim(s.substr(i));
        if (word == "lock") {
            insn.lock = true;
            s = rest;
            if (s.empty()) throw SyntaxError("LOCK without an instruction");
            continue;
        }
        if (word == "rep" || word == "repe" || word == "repz" || word == "repne" || word == "repnz") {
            insn.rep = (word == "rep" || word == "repe" || word == "repz") ? "rep" : "repne";
            s = rest;
            if (s.empty()) throw SyntaxError("unexpected end of instruction after '" + word + "'");
            continue;
        }
        mn = word;
        s = rest;
        break;
    }
    for (char c : mn)
        if (!is_ident_char(c)) throw SyntaxError("unexpected token '" + mn + "'");
    std::string m = canonical_cc(mn);
    if (arch == Arch::X86_64 && m == "movq") m = "movqq"; // AT&T movq between GPRs/memory: mov, 8 bytes
    if (m != "ret" && !table.count(m)) {
        bool ok = false;
        if (arch == Arch::X86_64 && m.size() > 1) {
            // AT&T size suffix: movl, xchgq, nopw, addb; and the two-suffix extensions.
            static const std::pair<const char*, std::pair<const char*, unsigned>> ext[] = {
                {"movzbw", {"movzx", 1}}, {"movzbl", {"movzx", 1}},  {"movzbq", {"movzx", 1}},
                {"movzwl", {"movzx", 2}}, {"movzwq", {"movzx", 2}},  {"movsbw", {"movsx", 1}},
                {"movsbl", {"movsx", 1}}, {"movsbq", {"movsx", 1}},  {"movswl", {"movsx", 2}},
                {"movswq", {"movsx", 2}}, {"movslq", {"movsxd", 4}}, {"cltq", {"cdqe", 0}},
                {"cqto", {"cqo", 0}},     {"cltd", {"cdq", 0}},      {"movqq", {"mov", 8}}};
            for (auto& [from, to] : ext)
                if (m == from) {
                    m = to.first;
                    insn.suffix_size = to.second;
                    ok = true;
                }
            unsigned sz = suffix_bytes(m.back());
            if (!ok && sz) {
                std::string stem = canonical_cc(m.substr(0, m.size() - 1));
                if (table.count(stem) || stem == "ret") {
                    m = stem;
                    insn.suffix_size = sz;
                    ok = true;
                }
            }
        }
        if (!ok) throw SyntaxError("unknown instruction '" + mn + "'");
        if (m == "movqq") m = "mov";
    }
    insn.mnemonic = m;
    if (!s.empty()) {
        for (std::string_view o : split_operands(s)) {
            if (o.empty()) throw SyntaxError("missing operand in '" + std::string(s) + "'");
            insn.ops.push_back(arch == Arch::X86 ? parse_intel_operand(o) : parse_att_operand(o));
        }
        if (arch == Arch::X86_64) std::reverse(insn.ops.begin(), insn.ops.end());
    }
    for (const Operand& op : insn.ops) {
        if (op.kind == Operand::Kind::Mem && op.scale != 0 && op.scale != 1 && op.scale != 2 &&
            op.scale != 4 && op.scale != 8)
            throw SyntaxError("bad scale factor " + std::to_string(op.scale));
        if (op.kind == Operand::Kind::Label && !insn.is_branch())
            throw SyntaxError("unexpected token '" + op.label +
                              "' (not a register, memory operand or immediate)");
    }
    return insn;
}

} // namespace smpsim::litmus
