#include "sim/litmus/test_hash.h"

#include "sim/litmus/insn.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <tuple>
#include <vector>

namespace smpsim::litmus {

namespace {

// MD5 as specified by RFC 1321.
std::array<u8, 16> md5(std::string_view data) {
    static const std::array<u32, 64> k = [] {
        std::array<u32, 64> t{};
        for (size_t i = 0; i < 64; ++i) // floor(|sin(i + 1)| * 2^32), exact in long double
            t[i] = static_cast<u32>(
                std::floor(std::fabs(std::sin(static_cast<long double>(i + 1))) * 4294967296.0L));
        return t;
    }();
    static const unsigned shift[4][4] = {{7, 12, 17, 22}, {5, 9, 14, 20}, {4, 11, 16, 23}, {6, 10, 15, 21}};
    u32 h[4] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476};
    std::string msg(data);
    const u64 bits = static_cast<u64>(data.size()) * 8;
    msg += static_cast<char>(0x80);
    while (msg.size() % 64 != 56)
        msg += '\0';
    for (unsigned b = 0; b < 8; ++b)
        msg += static_cast<char>((bits >> (8 * b)) & 0xff);
    for (size_t block = 0; block < msg.size(); block += 64) {
        u32 w[16];
        for (unsigned j = 0; j < 16; ++j) {
            w[j] = 0;
            for (unsigned b = 0; b < 4; ++b)
                w[j] |= static_cast<u32>(static_cast<u8>(msg[block + 4 * j + b])) << (8 * b);
        }
        u32 a = h[0], b = h[1], c = h[2], d = h[3];
        for (unsigned i = 0; i < 64; ++i) {
            u32 f;
            unsigned g;
            switch (i / 16) {
            case 0:
                f = (b & c) | (~b & d);
                g = i;
                break;
            case 1:
                f = (d & b) | (~d & c);
                g = (5 * i + 1) % 16;
                break;
            case 2:
                f = b ^ c ^ d;
                g = (3 * i + 5) % 16;
                break;
            default:
                f = c ^ (b | ~d);
                g = (7 * i) % 16;
                break;
            }
            const u32 sum = a + f + k[i] + w[g];
            const unsigned s = shift[i / 16][i % 4];
            a = d;
            d = c;
            c = b;
            b = b + ((sum << s) | (sum >> (32 - s)));
        }
        h[0] += a;
        h[1] += b;
        h[2] += c;
        h[3] += d;
    }
    std::array<u8, 16> out{};
    for (unsigned j = 0; j < 16; ++j)
        out[j] = static_cast<u8>(h[j / 4] >> (8 * (j % 4)));
    return out;
}

std::string raw(const std::array<u8, 16>& d) {
    return std::string(reinterpret_cast<const char*>(d.data()), d.size());
}

std::string upper(std::string_view s) {
    std::string o(s);
    for (char& c : o)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return o;
}

// A number as herd prints an int (decimal); other text unchanged.
std::string decimal(std::string_view s) {
    const std::string t(trim(s));
    if (t.empty()) return t;
    size_t i = t[0] == '-' || t[0] == '+' ? 1 : 0;
    if (i >= t.size() || !std::isdigit(static_cast<unsigned char>(t[i]))) return t;
    try {
        size_t used = 0;
        const long long v = std::stoll(t, &used, 0);
        if (used == t.size()) return std::to_string(v);
    } catch (...) {
    }
    return t;
}

// Splits operands at the commas outside parentheses and brackets.
std::vector<std::string> split_operands(std::string_view s) {
    std::vector<std::string> out;
    int depth = 0;
    std::string cur;
    for (char c : s) {
        if (c == '(' || c == '[') ++depth;
        if (c == ')' || c == ']') --depth;
        if (c == ',' && depth == 0) {
            out.emplace_back(trim(cur));
            cur.clear();
        } else {
            cur += c;
        }
    }
    if (!trim(cur).empty()) out.emplace_back(trim(cur));
    return out;
}

// AT&T operand as herd's X86_64 printer shows it.
std::string att_operand(std::string_view o) {
    std::string s(trim(o));
    // A segment override (`%cs:0(%rax)`) is not printed.
    if (s.size() > 1 && s[0] == '%') {
        const size_t colon = s.find(':');
        if (colon != std::string::npos && colon < s.find('(')) s = std::string(trim(s.substr(colon + 1)));
    }
    if (s.empty()) return s;
    if (s[0] == '%') return "%" + lower(s.substr(1));
    if (s[0] == '$') return "$" + decimal(s.substr(1));
    if (s[0] == '[' && s.back() == ']') return "(" + std::string(trim(s.substr(1, s.size() - 2))) + ")";
    const size_t open = s.find('(');
    if (open == std::string::npos || s.back() != ')') return "$" + decimal(s); // a bare immediate
    std::string offset = decimal(s.substr(0, open));
    if (offset == "0") offset.clear();
    const std::vector<std::string> parts = split_operands(s.substr(open + 1, s.size() - open - 2));
    auto reg = [](const std::string& r) { return r.empty() || r[0] != '%' ? r : "%" + lower(r.substr(1)); };
    if (parts.size() == 1) return offset + "(" + reg(parts[0]) + ")";
    std::string scale = parts.size() > 2 ? decimal(parts[2]) : "";
    if (scale == "0") scale.clear();
    return offset + "(" + reg(parts[0]) + ", " + (parts.size() > 1 ? reg(parts[1]) : "") + "," + scale + ")";
}

// Intel operand as herd's X86 printer shows it.
std::string intel_operand(std::string_view o) {
    std::string s(trim(o));
    if (s.empty()) return s;
    if (s[0] == '$') return "$" + decimal(s.substr(1));
    if (s[0] == '[') {
        const std::string inner(trim(s.substr(1, s.size() - 2)));
        return "[" + (lookup_gpr(inner) ? upper(inner) : inner) + "]";
    }
    if (lookup_gpr(s)) return upper(s);
    if (std::isdigit(static_cast<unsigned char>(s[0])) || s[0] == '-') return "$" + decimal(s);
    return s;
}

std::string label_of(const std::map<std::string, std::string>& labels, const std::string& l) {
    auto it = labels.find(l);
    return it == labels.end() ? l : it->second;
}

// One instruction as herd's dump_instruction prints it.
std::string herd_instruction(std::string_view text, Arch arch,
                             const std::map<std::string, std::string>& labels) {
    std::string_view t = trim(text);
    const bool intel = arch == Arch::X86;
    std::string prefix;
    if (t.size() > 4 && lower(t.substr(0, 4)) == "lock" &&
        (std::isspace(static_cast<unsigned char>(t[4])) || t[4] == ';')) {
        prefix = intel ? "LOCK; " : "lock; ";
        t = trim(t.substr(4));
        if (!t.empty() && t[0] == ';') t = trim(t.substr(1));
    }
    size_t e = 0;
    while (e < t.size() && !std::isspace(static_cast<unsigned char>(t[e])))
        ++e;
    std::string m = lower(t.substr(0, e));
    const std::string_view rest = trim(t.substr(e));
    if (m == "nop" || m == "nopl" || m == "nopw" || m == "nopq") return prefix + "NOP";
    if (intel) {
        if (m == "movb" || m == "movw" || m == "movl" || m == "movq" || m == "movt") m = "mov"; // norm_ins
        m = upper(m);
        if (m == "DEC" || m == "INC" || m == "CMP") m += " "; // herd's X86 printer has these spaces
    }
    if (rest.empty()) return prefix + m;
    if (m[0] == 'j' || m[0] == 'J') return prefix + m + " " + label_of(labels, std::string(rest));
    std::string out = prefix + m + " ";
    const std::vector<std::string> ops = split_operands(rest);
    for (size_t i = 0; i < ops.size(); ++i)
        out += (i ? "," : "") + (intel ? intel_operand(ops[i]) : att_operand(ops[i]));
    return out;
}

bool is_branch_text(std::string_view text) {
    std::string_view t = trim(text);
    if (t.size() > 4 && lower(t.substr(0, 4)) == "lock") return false;
    return !t.empty() && (t[0] == 'j' || t[0] == 'J');
}

std::string branch_target(std::string_view text) {
    std::string_view t = trim(text);
    size_t e = 0;
    while (e < t.size() && !std::isspace(static_cast<unsigned char>(t[e])))
        ++e;
    return std::string(trim(t.substr(e)));
}

} // namespace

std::string md5_hex(std::string_view data) {
    static const char* digits = "0123456789abcdef";
    std::string out;
    for (u8 b : md5(data)) {
        out += digits[b >> 4];
        out += digits[b & 15];
    }
    return out;
}

std::string hash_init_text(const LitmusTest& test) {
    // Registers (by thread, then name) before variables (by name); the first of equal locations stays.
    std::vector<const InitItem*> items;
    for (const InitItem& it : test.init_items)
        items.push_back(&it);
    auto key = [](const InitItem* i) { return std::make_tuple(i->thread < 0, i->thread, i->location); };
    std::stable_sort(items.begin(), items.end(), [&](auto* a, auto* b) { return key(a) < key(b); });
    std::string out;
    for (size_t i = 0; i < items.size(); ++i) {
        if (i > 0 && key(items[i]) == key(items[i - 1])) continue;
        out += (out.empty() ? "" : "; ") + items[i]->text;
    }
    return out;
}

std::string hash_code_text(const LitmusTest& test) {
    std::set<std::string> used;
    for (const Thread& th : test.threads)
        for (const Instruction& ins : th.code) {
            if (!ins.label.empty()) used.insert(ins.label);
            if (is_branch_text(ins.text)) used.insert(branch_target(ins.text));
        }
    std::map<std::string, std::string> labels;
    for (const std::string& l : used) {
        char name[16];
        std::snprintf(name, sizeof name, "L%02zu", labels.size());
        labels[l] = name;
    }
    std::vector<std::vector<std::string>> columns;
    size_t rows = 0;
    for (const Thread& th : test.threads) {
        std::vector<std::string> col;
        for (const Instruction& ins : th.code) {
            if (!ins.label.empty()) col.push_back(labels[ins.label] + ":");
            if (!ins.text.empty()) col.push_back(herd_instruction(ins.text, test.arch, labels));
        }
        rows = std::max(rows, col.size());
        columns.push_back(std::move(col));
    }
    std::string out;
    for (size_t r = 0; r < rows; ++r) {
        for (size_t c = 0; c < columns.size(); ++c) {
            size_t width = 0;
            for (const std::string& s : columns[c])
                width = std::max(width, s.size());
            const std::string cell = r < columns[c].size() ? columns[c][r] : "";
            out += (c ? "|" : "") + (" " + cell + std::string(width - cell.size(), ' ') + " ");
        }
        out += ";\n";
    }
    return out;
}

std::string hash_observed_text(const LitmusTest& test) {
    // herd's order: plain locations (registers by thread and name, then variables by name) before array
    // elements.
    std::set<std::tuple<int, int, std::string, unsigned>> locs;
    auto add = [&](const Location& l) {
        if (l.kind == Location::Kind::Register)
            locs.emplace(0, l.thread, l.reg.name, 0);
        else if (l.indexed)
            locs.emplace(2, 0, l.var, l.index);
        else
            locs.emplace(1, 0, l.var, 0);
    };
    for (const Location& l : test.locations)
        add(l);
    for (const Condition::Node& n : test.condition.nodes)
        if ((n.op == Condition::Op::Eq || n.op == Condition::Op::Ne) && n.loc < test.observed.size())
            add(test.observed[n.loc]);
    std::string out;
    for (const auto& [kind, thread, name, index] : locs) {
        std::string s = kind == 0 ? std::to_string(thread) + ":" + name : name;
        if (kind == 2) s += "[" + std::to_string(index) + "]";
        out += (out.empty() ? "" : "; ") + s;
    }
    return out;
}

std::string herd_hash(const LitmusTest& test) {
    for (const auto& [key, value] : test.metadata)
        if (key == "Hash") return value;
    return md5_hex(raw(md5(hash_init_text(test))) + raw(md5(hash_code_text(test))) +
                   raw(md5(hash_observed_text(test))));
}

} // namespace smpsim::litmus
