#include "sim/litmus/parser.h"

#include "sim/core/error.h"
#include "sim/litmus/insn.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <set>
#include <sstream>

namespace smpsim::litmus {

namespace {

bool is_ident_start(char c) {
    return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
}
bool is_ident_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

struct Tok {
    enum class Kind { Ident, Num, Punct, End } kind = Kind::End;
    std::string text;
    int line = 0;
    size_t col_end = 0; // column just past the token, in its line
};

class Parser {
  public:
    Parser(std::string_view text, std::string file) : file_(std::move(file)) {
        split_lines(strip_comments(text));
        test_.file = file_;
    }

    LitmusTest run();

  private:
    [[noreturn]] void fail(int line, const std::string& msg) const {
        throw InputError(file_ + ":" + std::to_string(line) + ": " + msg);
    }
    [[noreturn]] void unexpected(const Tok& t) const {
        if (t.kind == Tok::Kind::End) fail(t.line, "unexpected end of file");
        fail(t.line, "unexpected token '" + t.text + "'");
    }

    std::string strip_comments(std::string_view text);
    void split_lines(const std::string& text);
    bool blank(size_t li) const { return trim(lines_[li]).empty(); }
    int lineno(size_t li) const { return static_cast<int>(li) + 1; }

    // Tokens from (line li, column col) to end of file; `<< ... >>` blocks are skipped.
    std::vector<Tok> tokenize(size_t li, size_t col) const;

    void parse_header();
    void parse_preamble();
    void parse_init();
    void parse_table();
    void parse_tail();
    void finish();

    // Token-stream helpers (over toks_ / pos_).
    const Tok& peek(size_t k = 0) const { return toks_[std::min(pos_ + k, toks_.size() - 1)]; }
    const Tok& next() { return toks_[std::min(pos_++, toks_.size() - 1)]; }
    bool is(const Tok& t, const char* s) const { return t.kind != Tok::Kind::End && t.text == s; }
    bool is_kw(const Tok& t, const char* s) const { return t.kind == Tok::Kind::Ident && lower(t.text) == s; }
    void expect(const char* s) {
        const Tok& t = next();
        if (!is(t, s)) {
            if (t.kind == Tok::Kind::End)
                fail(t.line, std::string("unexpected end of file, expected '") + s + "'");
            fail(t.line, "unexpected token '" + t.text + "', expected '" + s + "'");
        }
    }

    void parse_init_item(std::vector<Tok>& item);
    Value parse_value(std::vector<Tok>& item, size_t& i, int line);
    i64 parse_int(const Tok& t, bool negative) const;
    unsigned type_size(const std::string& type, int line) const;
    Variable& variable(const std::string& name, int line, bool declare);

    // Conditions.
    Location parse_location(); // reads from toks_
    size_t observe(const Location& l);
    int parse_or(Condition& c);
    int parse_and(Condition& c);
    int parse_unary(Condition& c);
    Quantifier parse_quantifier();
    int thread_of(const Tok& t) const; // "0" or "P0"
    RegisterRef reg_of(const Tok& t) const;

    std::string file_;
    std::vector<std::string> lines_;
    size_t li_ = 0; // current line index
    LitmusTest test_;
    std::vector<Tok> toks_;
    size_t pos_ = 0;
    std::set<std::string> declared_;
};

std::string Parser::strip_comments(std::string_view text) {
    std::string out(text);
    int depth = 0, line = 1, start_line = 0;
    bool in_string = false;
    for (size_t i = 0; i < out.size(); ++i) {
        char c = out[i];
        if (c == '\n') {
            ++line;
            in_string = false; // doc strings spanning lines never contain comment markers
            continue;
        }
        if (depth == 0) {
            if (c == '"') in_string = !in_string;
            if (!in_string && c == '(' && i + 1 < out.size() && out[i + 1] == '*') {
                depth = 1;
                start_line = line;
                out[i] = out[i + 1] = ' ';
                ++i;
            }
            continue;
        }
        if (c == '(' && i + 1 < out.size() && out[i + 1] == '*') {
            ++depth;
            out[i] = out[i + 1] = ' ';
            ++i;
        } else if (c == '*' && i + 1 < out.size() && out[i + 1] == ')') {
            --depth;
            out[i] = out[i + 1] = ' ';
            ++i;
        } else {
            out[i] = ' ';
        }
    }
    if (depth > 0) fail(start_line, "unterminated comment '(*'");
    return out;
}

void Parser::split_lines(const std::string& text) {
    std::string cur;
    for (char c : text) {
        if (c == '\n') {
            if (!cur.empty() && cur.back() == '\r') cur.pop_back();
            lines_.push_back(cur);
            cur.clear();
        } else {
            cur += c;
        }
    }
    if (!cur.empty()) lines_.push_back(cur);
}

std::vector<Tok> Parser::tokenize(size_t li, size_t col) const {
    std::vector<Tok> out;
    bool in_block = false; // inside << ... >>
    int block_line = 0;
    for (; li < lines_.size(); ++li, col = 0) {
        const std::string& l = lines_[li];
        size_t i = col;
        while (i < l.size()) {
            char c = l[i];
            if (in_block) {
                if (c == '>' && i + 1 < l.size() && l[i + 1] == '>') {
                    in_block = false;
                    i += 2;
                } else {
                    ++i;
                }
                continue;
            }
            if (std::isspace(static_cast<unsigned char>(c))) {
                ++i;
                continue;
            }
            Tok t;
            t.line = lineno(li);
            size_t s = i;
            if (c == '<' && i + 1 < l.size() && l[i + 1] == '<') {
                in_block = true;
                block_line = t.line;
                i += 2;
                continue;
            }
            if (is_ident_start(c)) {
                while (i < l.size() && is_ident_char(l[i]))
                    ++i;
                t.kind = Tok::Kind::Ident;
            } else if (std::isdigit(static_cast<unsigned char>(c))) {
                if (c == '0' && i + 1 < l.size() && (l[i + 1] == 'x' || l[i + 1] == 'X')) {
                    i += 2;
                    while (i < l.size() && std::isxdigit(static_cast<unsigned char>(l[i])))
                        ++i;
                } else {
                    while (i < l.size() && std::isdigit(static_cast<unsigned char>(l[i])))
                        ++i;
                }
                t.kind = Tok::Kind::Num;
            } else if ((c == '/' && i + 1 < l.size() && l[i + 1] == '\\') ||
                       (c == '\\' && i + 1 < l.size() && l[i + 1] == '/') ||
                       (c == '!' && i + 1 < l.size() && l[i + 1] == '=')) {
                i += 2;
                t.kind = Tok::Kind::Punct;
            } else if (c == '"') {
                size_t e = l.find('"', i + 1);
                i = e == std::string::npos ? l.size() : e + 1;
                t.kind = Tok::Kind::Punct; // strings are never expected here
            } else {
                ++i;
                t.kind = Tok::Kind::Punct;
            }
            t.text = l.substr(s, i - s);
            t.col_end = i;
            out.push_back(t);
        }
    }
    if (in_block) fail(block_line, "unterminated '<<' block");
    Tok end;
    end.line = lines_.empty() ? 1 : static_cast<int>(lines_.size());
    out.push_back(end);
    return out;
}

void Parser::parse_header() {
    while (li_ < lines_.size() && blank(li_))
        ++li_;
    if (li_ >= lines_.size()) fail(1, "unexpected end of file, expected the 'X86 NAME' header");
    std::string_view l = trim(lines_[li_]);
    int line = lineno(li_);
    size_t i = 0;
    while (i < l.size() && !std::isspace(static_cast<unsigned char>(l[i])))
        ++i;
    std::string arch(l.substr(0, i));
    if (arch == "X86" || arch == "x86")
        test_.arch = Arch::X86;
    else if (arch == "X86_64" || arch == "x86_64")
        test_.arch = Arch::X86_64;
    else
        fail(line, "unsupported architecture '" + arch + "' (expected X86 or X86_64)");
    std::string_view rest = trim(l.substr(i));
    i = 0;
    while (i < rest.size() && !std::isspace(static_cast<unsigned char>(rest[i])) && rest[i] != '"')
        ++i;
    if (i == 0) fail(line, "missing test name after '" + arch + "'");
    test_.name = std::string(rest.substr(0, i));
    rest = trim(rest.substr(i));
    if (!rest.empty() && rest[0] == '(') {
        size_t e = rest.find(')');
        if (e == std::string_view::npos) fail(line, "unexpected token '" + std::string(rest) + "'");
        test_.alt_name = std::string(trim(rest.substr(1, e - 1)));
        rest = trim(rest.substr(e + 1));
    }
    ++li_;
    if (!rest.empty()) {
        if (rest[0] != '"') fail(line, "unexpected token '" + std::string(rest) + "'");
        // Doc string, possibly continued on the following lines.
        std::string doc(rest.substr(1));
        size_t e = doc.find('"');
        while (e == std::string::npos && li_ < lines_.size()) {
            doc += "\n" + lines_[li_++];
            e = doc.find('"');
        }
        if (e == std::string::npos) fail(line, "unterminated doc string");
        std::string_view after = trim(std::string_view(doc).substr(e + 1));
        if (!after.empty())
            fail(li_ == static_cast<size_t>(line) ? line : lineno(li_ - 1),
                 "unexpected token '" + std::string(after) + "'");
        test_.doc = doc.substr(0, e);
    }
}

void Parser::parse_preamble() {
    while (li_ < lines_.size()) {
        std::string_view l = trim(lines_[li_]);
        int line = lineno(li_);
        if (l.empty()) {
            ++li_;
            continue;
        }
        if (l[0] == '{') return;
        if (l[0] == '"') {
            std::string doc(l.substr(1));
            ++li_;
            size_t e = doc.find('"');
            while (e == std::string::npos && li_ < lines_.size()) {
                doc += "\n" + lines_[li_++];
                e = doc.find('"');
            }
            if (e == std::string::npos) fail(line, "unterminated doc string");
            std::string_view after = trim(std::string_view(doc).substr(e + 1));
            if (!after.empty()) fail(lineno(li_ - 1), "unexpected token '" + std::string(after) + "'");
            if (!test_.doc.empty()) test_.doc += "\n";
            test_.doc += doc.substr(0, e);
            continue;
        }
        size_t eq = l.find('=');
        if (eq != std::string_view::npos && eq > 0) {
            std::string_view key = trim(l.substr(0, eq));
            if (is_ident_start(key[0]) && std::all_of(key.begin(), key.end(), is_ident_char)) {
                test_.metadata.emplace_back(std::string(key), std::string(trim(l.substr(eq + 1))));
                ++li_;
                continue;
            }
        }
        size_t e = 0;
        while (e < l.size() && !std::isspace(static_cast<unsigned char>(l[e])))
            ++e;
        fail(line,
             "unexpected token '" + std::string(l.substr(0, e)) + "', expected the initial state '{ ... }'");
    }
    fail(lineno(lines_.empty() ? 0 : lines_.size() - 1),
         "unexpected end of file, expected the initial state '{ ... }'");
}

i64 Parser::parse_int(const Tok& t, bool negative) const {
    if (t.kind != Tok::Kind::Num) unexpected(t);
    u64 v = 0;
    try {
        v = std::stoull(t.text, nullptr, 0);
    } catch (...) {
        fail(t.line, "bad number '" + t.text + "'");
    }
    return negative ? -static_cast<i64>(v) : static_cast<i64>(v);
}

unsigned Parser::type_size(const std::string& type, int line) const {
    if (type.find('*') != std::string::npos) return 8;
    static const std::pair<const char*, unsigned> types[] = {
        {"char", 1},         {"int8_t", 1},        {"uint8_t", 1},    {"short", 2},    {"int16_t", 2},
        {"uint16_t", 2},     {"int", 4},           {"int32_t", 4},    {"uint32_t", 4}, {"unsigned", 4},
        {"unsigned int", 4}, {"long", 8},          {"int64_t", 8},    {"uint64_t", 8}, {"intptr_t", 8},
        {"long long", 8},    {"unsigned long", 8}, {"atomic_int", 4}, {"size_t", 8}};
    for (auto [name, size] : types)
        if (type == name) return size;
    fail(line, "unknown type '" + type + "'");
}

Variable& Parser::variable(const std::string& name, int line, bool declare) {
    for (auto& v : test_.variables)
        if (v.name == name) {
            if (declare) {
                if (declared_.count(name)) fail(line, "'" + name + "' is initialised twice");
                declared_.insert(name);
                v.line = line;
            }
            return v;
        }
    Variable v;
    v.name = name;
    v.line = declare ? line : 0;
    v.init.assign(1, Value{});
    if (declare) declared_.insert(name);
    test_.variables.push_back(v);
    return test_.variables.back();
}

int Parser::thread_of(const Tok& t) const {
    if (t.kind == Tok::Kind::Num) {
        i64 n = parse_int(t, false);
        if (n < 0 || n > 9999) fail(t.line, "bad thread '" + t.text + "'");
        return static_cast<int>(n);
    }
    if (t.kind == Tok::Kind::Ident && t.text.size() > 1 && (t.text[0] == 'P' || t.text[0] == 'p') &&
        std::all_of(t.text.begin() + 1, t.text.end(),
                    [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
        if (t.text.size() > 6) fail(t.line, "bad thread '" + t.text + "'");
        return std::stoi(t.text.substr(1));
    }
    unexpected(t);
}

RegisterRef Parser::reg_of(const Tok& t) const {
    if (t.kind != Tok::Kind::Ident) unexpected(t);
    auto r = lookup_gpr(t.text);
    if (!r) fail(t.line, "unknown register '" + t.text + "'");
    return *r;
}

Value Parser::parse_value(std::vector<Tok>& item, size_t& i, int line) {
    Value v;
    auto at = [&](size_t k) -> const Tok& {
        static Tok end;
        end.line = line;
        return k < item.size() ? item[k] : end;
    };
    bool neg = false;
    if (is(at(i), "-")) {
        neg = true;
        ++i;
    } else if (is(at(i), "&")) {
        ++i;
    }
    const Tok& t = at(i);
    if (t.kind == Tok::Kind::Num) {
        v.number = parse_int(t, neg);
        ++i;
    } else if (t.kind == Tok::Kind::Ident && !neg) {
        v.symbol = t.text;
        ++i;
        if (is(at(i), "+") || is(at(i), "-")) {
            bool n2 = is(at(i), "-");
            v.number = parse_int(at(i + 1), n2);
            i += 2;
        }
    } else {
        if (t.kind == Tok::Kind::End) fail(line, "missing value");
        unexpected(t);
    }
    return v;
}

void Parser::parse_init_item(std::vector<Tok>& item) {
    if (item.empty()) return;
    int line = item[0].line;
    size_t i = 0;
    auto at = [&](size_t k) -> const Tok& {
        static Tok end;
        end.line = item.back().line;
        return k < item.size() ? item[k] : end;
    };
    // Type words: identifiers followed by another identifier, '*' or a thread number.
    std::string type;
    while (i < item.size()) {
        const Tok& t = at(i);
        if (is(t, "*")) {
            type += "*";
            ++i;
            continue;
        }
        if (t.kind == Tok::Kind::Ident && !is(at(i + 1), ":") &&
            (at(i + 1).kind == Tok::Kind::Ident || is(at(i + 1), "*") || at(i + 1).kind == Tok::Kind::Num)) {
            if (!type.empty() && type.back() != '*') type += " ";
            type += t.text;
            ++i;
            continue;
        }
        break;
    }
    while (!type.empty() && type.back() == ' ')
        type.pop_back();
    const Tok& t = at(i);
    if (is(at(i + 1), ":")) {
        // Register: N:REG or PN:REG.
        RegisterInit ri;
        ri.thread = thread_of(t);
        ri.reg = reg_of(at(i + 2));
        ri.type = type;
        ri.line = t.line;
        i += 3;
        if (is(at(i), "=")) {
            ++i;
            ri.value = parse_value(item, i, line);
        }
        if (i < item.size()) unexpected(at(i));
        test_.reg_init.push_back(ri);
        return;
    }
    std::string name;
    if (is(t, "[")) {
        if (at(i + 1).kind != Tok::Kind::Ident) unexpected(at(i + 1));
        name = at(i + 1).text;
        if (!is(at(i + 2), "]")) unexpected(at(i + 2));
        i += 3;
    } else if (t.kind == Tok::Kind::Ident) {
        name = t.text;
        ++i;
    } else {
        unexpected(t);
    }
    Variable& v = variable(name, t.line, true);
    if (!type.empty()) {
        v.type = type;
        v.elem_size = type_size(type, t.line);
    }
    if (is(at(i), "[")) {
        i64 n = parse_int(at(i + 1), false);
        if (n < 1 || n > 4096) fail(at(i + 1).line, "bad array size '" + at(i + 1).text + "'");
        if (!is(at(i + 2), "]")) unexpected(at(i + 2));
        v.count = static_cast<unsigned>(n);
        v.init.assign(v.count, Value{});
        i += 3;
    }
    if (is(at(i), "=")) {
        ++i;
        if (is(at(i), "{")) {
            ++i;
            std::vector<Value> vals;
            while (!is(at(i), "}")) {
                if (at(i).kind == Tok::Kind::End) fail(line, "unterminated array initialiser");
                vals.push_back(parse_value(item, i, line));
                if (is(at(i), ","))
                    ++i;
                else if (!is(at(i), "}"))
                    unexpected(at(i));
            }
            ++i;
            if (vals.size() > v.count) fail(line, "too many initialisers for '" + name + "'");
            for (size_t k = 0; k < vals.size(); ++k)
                v.init[k] = vals[k];
        } else {
            v.init[0] = parse_value(item, i, line);
        }
    }
    if (i < item.size()) unexpected(at(i));
}

void Parser::parse_init() {
    // lines_[li_] starts with '{'.
    size_t col = lines_[li_].find('{');
    toks_ = tokenize(li_, col + 1);
    pos_ = 0;
    std::vector<Tok> item;
    int depth = 0;
    while (true) {
        const Tok& t = next();
        if (t.kind == Tok::Kind::End) fail(lineno(li_), "unterminated initial state: '{' without '}'");
        if (depth == 0 && (is(t, ";") || is(t, "}"))) {
            parse_init_item(item);
            item.clear();
            if (is(t, "}")) {
                li_ = static_cast<size_t>(t.line - 1);
                size_t end_col = t.col_end;
                if (is(peek(), ";") && peek().line == t.line) end_col = next().col_end;
                std::string_view after = trim(std::string_view(lines_[li_]).substr(end_col));
                if (!after.empty()) fail(t.line, "unexpected token '" + std::string(after) + "'");
                ++li_;
                return;
            }
            continue;
        }
        if (is(t, "{")) ++depth;
        if (is(t, "}")) --depth;
        item.push_back(t);
    }
}

bool starts_tail(std::string_view l) {
    l = trim(l);
    if (!l.empty() && l[0] == '~') return true;
    size_t i = 0;
    while (i < l.size() && is_ident_char(l[i]))
        ++i;
    std::string w = lower(l.substr(0, i));
    return w == "exists" || w == "forall" || w == "final" || w == "locations" || w == "filter";
}

void Parser::parse_table() {
    while (li_ < lines_.size() && blank(li_))
        ++li_;
    if (li_ >= lines_.size())
        fail(lineno(lines_.size() - 1), "unexpected end of file, expected the thread header 'P0 | P1 ;'");
    // Header row.
    {
        std::string_view l = trim(lines_[li_]);
        int line = lineno(li_);
        if (l.empty() || l.back() != ';')
            fail(line, "expected the thread header 'P0 | P1 ;', found '" + std::string(l) + "'");
        l.remove_suffix(1);
        size_t start = 0;
        int n = 0;
        for (size_t i = 0; i <= l.size(); ++i) {
            if (i == l.size() || l[i] == '|') {
                std::string cell(trim(l.substr(start, i - start)));
                if (cell != "P" + std::to_string(n))
                    fail(line, "unexpected token '" + cell + "' in thread header, expected 'P" +
                                   std::to_string(n) + "'");
                Thread th;
                th.id = n++;
                test_.threads.push_back(th);
                start = i + 1;
            }
        }
        ++li_;
    }
    const size_t nthreads = test_.threads.size();
    for (; li_ < lines_.size(); ++li_) {
        if (blank(li_)) continue;
        std::string_view l = trim(lines_[li_]);
        int line = lineno(li_);
        if (starts_tail(l)) break;
        if (l.back() != ';') {
            fail(line, "expected ';' at the end of the row '" + std::string(l) + "'");
        }
        l.remove_suffix(1);
        size_t start = 0, col = 0;
        for (size_t i = 0; i <= l.size(); ++i) {
            if (i < l.size() && l[i] != '|') continue;
            std::string_view cell = trim(l.substr(start, i - start));
            start = i + 1;
            if (col >= nthreads)
                fail(line, "row has more columns than the " + std::to_string(nthreads) + " threads");
            Thread& th = test_.threads[col++];
            if (cell.empty()) continue;
            Instruction ins;
            ins.line = line;
            // Label prefix `L0:`.
            size_t k = 0;
            while (k < cell.size() && is_ident_char(cell[k]))
                ++k;
            size_t c = k;
            while (c < cell.size() && std::isspace(static_cast<unsigned char>(cell[c])))
                ++c;
            if (k > 0 && is_ident_start(cell[0]) && c < cell.size() && cell[c] == ':') {
                ins.label = std::string(cell.substr(0, k));
                cell = trim(cell.substr(c + 1));
            }
            ins.text = std::string(cell);
            th.code.push_back(ins);
        }
    }
    // Check every instruction; collect the variables the code names and the labels.
    for (Thread& th : test_.threads) {
        std::set<std::string> labels;
        for (const Instruction& ins : th.code)
            if (!ins.label.empty() && !labels.insert(ins.label).second)
                fail(ins.line, "label '" + ins.label + "' defined twice in P" + std::to_string(th.id));
        for (const Instruction& ins : th.code) {
            if (ins.text.empty()) continue;
            ParsedInsn p;
            try {
                p = parse_instruction(ins.text, test_.arch);
            } catch (const SyntaxError& e) {
                fail(ins.line, "cannot parse instruction '" + ins.text + "' of P" + std::to_string(th.id) +
                                   ": " + e.what());
            }
            for (const Operand& op : p.ops) {
                if (op.symbol) variable(*op.symbol, ins.line, false);
                if (op.kind == Operand::Kind::Label && !labels.count(op.label))
                    fail(ins.line, "undefined label '" + op.label + "' in '" + ins.text + "' of P" +
                                       std::to_string(th.id));
            }
        }
    }
}

size_t Parser::observe(const Location& l) {
    for (size_t i = 0; i < test_.observed.size(); ++i)
        if (test_.observed[i].same_as(l)) return i;
    test_.observed.push_back(l);
    return test_.observed.size() - 1;
}

Location Parser::parse_location() {
    Location l;
    const Tok& t = next();
    if (is(peek(), ":")) {
        l.kind = Location::Kind::Register;
        l.thread = thread_of(t);
        next();
        l.reg = reg_of(next());
        if (l.thread < 0 || static_cast<size_t>(l.thread) >= test_.threads.size())
            fail(t.line, "thread " + std::to_string(l.thread) + " does not exist (the test has " +
                             std::to_string(test_.threads.size()) + ")");
        return l;
    }
    l.kind = Location::Kind::Memory;
    bool bracket = is(t, "[");
    const Tok& name = bracket ? next() : t;
    if (name.kind != Tok::Kind::Ident) unexpected(name);
    if (lookup_gpr(name.text) && !bracket)
        fail(name.line, "register '" + name.text + "' needs a thread: 0:" + name.text);
    l.var = name.text;
    if (is(peek(), "[")) {
        next();
        i64 idx = parse_int(next(), false);
        if (idx < 0 || idx > 0xffff) fail(name.line, "bad index for '" + l.var + "'");
        l.index = static_cast<unsigned>(idx);
        l.indexed = true;
        expect("]");
    }
    if (bracket) expect("]");
    Variable& v = variable(l.var, name.line, false);
    if (l.index >= v.count)
        fail(name.line, "index " + std::to_string(l.index) + " out of range for '" + l.var + "'");
    return l;
}

int Parser::parse_unary(Condition& c) {
    const Tok& t = peek();
    Condition::Node n;
    if (is(t, "~")) {
        next();
        n.op = Condition::Op::Not;
        n.lhs = parse_unary(c);
        c.nodes.push_back(n);
        return static_cast<int>(c.nodes.size() - 1);
    }
    if (is(t, "(")) {
        next();
        int r = parse_or(c);
        expect(")");
        return r;
    }
    if (is_kw(t, "true") || is_kw(t, "false")) {
        next();
        n.op = is_kw(t, "true") ? Condition::Op::True : Condition::Op::False;
        c.nodes.push_back(n);
        return static_cast<int>(c.nodes.size() - 1);
    }
    if (t.kind == Tok::Kind::End) fail(t.line, "unexpected end of file in the final condition");
    if (t.kind != Tok::Kind::Ident && t.kind != Tok::Kind::Num && !is(t, "[")) unexpected(t);
    Location l = parse_location();
    n.loc = observe(l);
    const Tok& op = next();
    if (is(op, "=")) {
        n.op = Condition::Op::Eq;
        if (is(peek(), "=")) next(); // `==`
    } else if (is(op, "!=")) {
        n.op = Condition::Op::Ne;
    } else {
        if (op.kind == Tok::Kind::End) fail(op.line, "unexpected end of file, expected '='");
        fail(op.line, "unexpected token '" + op.text + "', expected '='");
    }
    std::vector<Tok> rest(toks_.begin() + static_cast<long>(pos_), toks_.end());
    size_t i = 0;
    n.value = parse_value(rest, i, op.line);
    pos_ += i;
    if (n.value.symbol) variable(*n.value.symbol, op.line, false);
    c.nodes.push_back(n);
    return static_cast<int>(c.nodes.size() - 1);
}

int Parser::parse_and(Condition& c) {
    int l = parse_unary(c);
    while (is(peek(), "/\\")) {
        next();
        Condition::Node n;
        n.op = Condition::Op::And;
        n.lhs = l;
        n.rhs = parse_unary(c);
        c.nodes.push_back(n);
        l = static_cast<int>(c.nodes.size() - 1);
    }
    return l;
}

int Parser::parse_or(Condition& c) {
    int l = parse_and(c);
    while (is(peek(), "\\/")) {
        next();
        Condition::Node n;
        n.op = Condition::Op::Or;
        n.lhs = l;
        n.rhs = parse_and(c);
        c.nodes.push_back(n);
        l = static_cast<int>(c.nodes.size() - 1);
    }
    return l;
}

Quantifier Parser::parse_quantifier() {
    const Tok& t = next();
    if (is_kw(t, "exists")) return Quantifier::Exists;
    if (is_kw(t, "forall")) return Quantifier::Forall;
    if (is(t, "~")) {
        const Tok& u = next();
        if (is_kw(u, "exists")) return Quantifier::NotExists;
        unexpected(u);
    }
    unexpected(t);
}

void Parser::parse_tail() {
    toks_ = tokenize(li_, 0);
    pos_ = 0;
    bool have_condition = false;
    while (peek().kind != Tok::Kind::End) {
        const Tok& t = peek();
        if (have_condition) {
            if (is(t, ";")) {
                next();
                continue;
            }
            if (test_.legacy_final && is_kw(t, "with")) {
                next();
                // model: quantifier; ...
                while (peek().kind == Tok::Kind::Ident && is(peek(1), ":")) {
                    std::string model = next().text;
                    next();
                    test_.final_with[model] = parse_quantifier();
                    if (is(peek(), ";")) next();
                }
                continue;
            }
            fail(t.line, "unexpected token '" + t.text + "' after the final condition");
        }
        if (is_kw(t, "locations")) {
            next();
            expect("[");
            while (!is(peek(), "]")) {
                if (peek().kind == Tok::Kind::End)
                    fail(peek().line, "unexpected end of file in 'locations [...]'");
                Location l = parse_location();
                bool dup = false;
                for (const auto& x : test_.locations)
                    dup = dup || x.same_as(l);
                if (!dup) test_.locations.push_back(l);
                observe(l);
                if (is(peek(), ";"))
                    next();
                else if (!is(peek(), "]"))
                    unexpected(peek());
            }
            next();
            continue;
        }
        if (is_kw(t, "filter")) {
            next();
            Condition f;
            f.root = parse_or(f);
            test_.filter = f;
            continue;
        }
        if (is_kw(t, "final")) {
            next();
            test_.legacy_final = true;
            test_.quantifier = Quantifier::Exists;
        } else if (is_kw(t, "exists") || is_kw(t, "forall") || is(t, "~")) {
            test_.quantifier = parse_quantifier();
        } else {
            fail(t.line,
                 "unexpected token '" + t.text + "', expected 'exists', '~exists', 'forall' or 'locations'");
        }
        test_.condition_line = t.line;
        test_.condition.root = parse_or(test_.condition);
        have_condition = true;
    }
    if (!have_condition) fail(peek().line, "missing final condition (exists, ~exists or forall)");
}

void Parser::finish() {
    for (const RegisterInit& ri : test_.reg_init) {
        if (ri.thread < 0 || static_cast<size_t>(ri.thread) >= test_.threads.size())
            fail(ri.line, "thread " + std::to_string(ri.thread) + " does not exist (the test has " +
                              std::to_string(test_.threads.size()) + ")");
        if (ri.value.symbol) variable(*ri.value.symbol, ri.line, false);
    }
    for (const Variable& v : test_.variables)
        for (const Value& x : v.init)
            if (x.symbol && !test_.find_variable(*x.symbol))
                fail(v.line, "initial value of '" + v.name + "' names unknown variable '" + *x.symbol + "'");
    auto widths = [&](std::vector<Location>& locs) {
        for (Location& l : locs)
            if (l.kind == Location::Kind::Memory)
                if (const Variable* v = test_.find_variable(l.var)) l.mem_width = v->elem_size;
    };
    widths(test_.observed);
    widths(test_.locations);
    test_.condition.observed = test_.observed;
    if (test_.filter) test_.filter->observed = test_.observed;
}

LitmusTest Parser::run() {
    parse_header();
    parse_preamble();
    parse_init();
    parse_table();
    parse_tail();
    finish();
    return std::move(test_);
}

} // namespace

LitmusTest parse_litmus(std::string_view text, const std::string& file) {
    Parser p(text, file);
    return p.run();
}

LitmusTest parse_litmus_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InputError(path + ": cannot open file");
    std::ostringstream ss;
    ss << in.rdbuf();
    return parse_litmus(ss.str(), path);
}

} // namespace smpsim::litmus
