#include "sim/litmus/parser.h"

#include "sim/core/error.h"
#include "sim/litmus/insn.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <map>
#include <set>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

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
    static std::string tokens_text(const std::vector<Tok>& item, size_t from, size_t to);
    void add_init_item(int thread, const std::string& name, const std::string& type, const std::string& value,
                       unsigned array_size);
    Value parse_value(std::vector<Tok>& item, size_t& i, int line);
    i64 parse_int(const Tok& t, bool negative) const;
    unsigned type_size(const std::string& type, int line) const;
    Variable& variable(const std::string& name, int line, bool declare);

    // Conditions.
    Location parse_location(); // reads from toks_
    size_t observe(const Location& l);
    int parse_condition(Condition& c); // returns the root node
    int parse_atom(Condition& c);
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
    std::map<std::string, size_t> variable_index_; // name -> index in test_.variables
    std::map<std::string, size_t> observed_index_; // Location key -> index in test_.observed
    size_t condition_terms_ = 0;                   // atoms of the condition and filter so far
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
            const size_t from = doc.size(); // search only the new line: linear in the doc's length
            doc += "\n" + lines_[li_++];
            e = doc.find('"', from);
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
                const size_t from = doc.size();
                doc += "\n" + lines_[li_++];
                e = doc.find('"', from);
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
    // An index rather than a scan: a test naming many variables stays linear.
    if (auto it = variable_index_.find(name); it != variable_index_.end()) {
        Variable& v = test_.variables[it->second];
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
    variable_index_.emplace(name, test_.variables.size());
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
        std::string value_text = "0";
        if (is(at(i), "=")) {
            const size_t from = ++i;
            ri.value = parse_value(item, i, line);
            value_text = tokens_text(item, from, i);
        }
        if (i < item.size()) unexpected(at(i));
        test_.reg_init.push_back(ri);
        add_init_item(ri.thread, ri.reg.name, type, value_text, 0);
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
    std::string value_text = "0";
    bool array = false;
    if (is(at(i), "[")) {
        array = true;
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
            const size_t from = i;
            v.init[0] = parse_value(item, i, line);
            value_text = tokens_text(item, from, i);
        }
    }
    if (i < item.size()) unexpected(at(i));
    add_init_item(-1, name, type, value_text, v.count > 1 || array ? v.count : 0);
}

std::string Parser::tokens_text(const std::vector<Tok>& item, size_t from, size_t to) {
    std::string s;
    for (size_t k = from; k < to && k < item.size(); ++k)
        s += item[k].text;
    return s;
}

// herd's normalised form of one initial-state item (see test_hash.h).
void Parser::add_init_item(int thread, const std::string& name, const std::string& type,
                           const std::string& value, unsigned array_size) {
    InitItem it;
    it.thread = thread;
    it.location = name;
    const std::string loc = thread >= 0 ? std::to_string(thread) + ":" + name : name;
    if (array_size > 0) {
        it.text = type + " " + loc + "[" + std::to_string(array_size) + "]";
    } else if (type.empty()) {
        it.text = loc + "=" + value;
    } else if (type.back() == '*') {
        std::string base = type;
        while (!base.empty() && (base.back() == '*' || base.back() == ' '))
            base.pop_back();
        it.text = base.empty() ? "*" + loc + "=" + value : base + " *" + loc + "=" + value;
    } else {
        it.text = type + " " + loc + "=" + value;
    }
    test_.init_items.push_back(std::move(it));
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

// The identity Location::same_as compares, as a map key.
std::string location_key(const Location& l) {
    if (l.kind == Location::Kind::Register)
        return "R" + std::to_string(l.thread) + ":" + std::to_string(l.reg.gpr) + "/" +
               std::to_string(l.reg.width) + "/" + std::to_string(l.reg.shift);
    return "M" + l.var + "[" + std::to_string(l.index) + "]";
}

size_t Parser::observe(const Location& l) {
    auto [it, added] = observed_index_.emplace(location_key(l), test_.observed.size());
    if (added) test_.observed.push_back(l);
    return it->second;
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

int Parser::parse_atom(Condition& c) {
    const Tok& t = peek();
    Condition::Node n;
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
    n.value = parse_value(toks_, pos_, op.line);
    if (n.value.symbol) variable(*n.value.symbol, op.line, false);
    c.nodes.push_back(n);
    return static_cast<int>(c.nodes.size() - 1);
}

// Operator precedence parsing with explicit stacks (no recursion, linear in the number of tokens), so
// that neither deep nesting nor long chains can exhaust the host's stack. `~` binds tightest, then /\,
// then \/; both binary operators associate to the left. Nodes are appended children first, so every
// node's children have smaller indices than the node itself.
int Parser::parse_condition(Condition& c) {
    enum class Pending { Not, And, Or, Paren };
    std::vector<Pending> ops;
    std::vector<int> operands;
    auto add_node = [&](Condition::Op op, int lhs, int rhs) {
        Condition::Node n;
        n.op = op;
        n.lhs = lhs;
        n.rhs = rhs;
        c.nodes.push_back(n);
        return static_cast<int>(c.nodes.size() - 1);
    };
    size_t nesting = 0;   // `~` and `(` on `ops`
    auto reduce = [&]() { // applies the operator on top of `ops` to its operands
        const Pending op = ops.back();
        ops.pop_back();
        nesting -= op == Pending::Not;
        const int rhs = operands.back();
        operands.pop_back();
        if (op == Pending::Not) {
            operands.push_back(add_node(Condition::Op::Not, rhs, -1));
            return;
        }
        const int lhs = operands.back();
        operands.pop_back();
        operands.push_back(add_node(op == Pending::And ? Condition::Op::And : Condition::Op::Or, lhs, rhs));
    };
    auto rank = [](Pending p) {
        return p == Pending::Not ? 3 : p == Pending::And ? 2 : p == Pending::Or ? 1 : 0;
    };
    size_t open_parens = 0;
    while (true) {
        // An operand, after any number of `~` and `(`.
        while (is(peek(), "~") || is(peek(), "(")) {
            const Tok& t = next();
            if (++nesting > kMaxConditionDepth)
                fail(t.line,
                     "condition nested deeper than " + std::to_string(kMaxConditionDepth) + " levels");
            ops.push_back(is(t, "~") ? Pending::Not : Pending::Paren);
            open_parens += is(t, "(");
        }
        const int line = peek().line;
        if (++condition_terms_ > kMaxConditionTerms)
            fail(line, "condition has more than " + std::to_string(kMaxConditionTerms) + " terms");
        operands.push_back(parse_atom(c));
        // Then operators and closing parentheses, until the next operand or the end of the condition.
        while (true) {
            const Tok& t = peek();
            if (is(t, "/\\") || is(t, "\\/")) {
                const Pending op = is(t, "/\\") ? Pending::And : Pending::Or;
                while (!ops.empty() && rank(ops.back()) >= rank(op))
                    reduce();
                next();
                ops.push_back(op);
                break;
            }
            if (is(t, ")") && open_parens > 0) {
                next();
                while (ops.back() != Pending::Paren)
                    reduce();
                ops.pop_back();
                --open_parens;
                --nesting;
                continue;
            }
            // The end of the condition.
            if (open_parens > 0) {
                if (t.kind == Tok::Kind::End) fail(t.line, "unexpected end of file, expected ')'");
                fail(t.line, "unexpected token '" + t.text + "', expected ')'");
            }
            while (!ops.empty())
                reduce();
            return operands.back();
        }
    }
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
    std::set<std::string> listed; // location_key of test_.locations
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
                if (listed.insert(location_key(l)).second) test_.locations.push_back(l);
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
            f.root = parse_condition(f);
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
        test_.condition.root = parse_condition(test_.condition);
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

std::string read_litmus_file(const std::string& path, size_t limit) {
    // Opened without blocking (a FIFO would wait for a writer), then checked to be a regular file of at
    // most kMaxFileBytes before anything is read: /dev/zero or a huge file must not fill the memory.
    const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) throw InputError(path + ": cannot open file: " + std::strerror(errno));
    struct Closer {
        int fd;
        ~Closer() { ::close(fd); }
    } closer{fd};
    struct stat st {};
    if (::fstat(fd, &st) != 0) throw InputError(path + ": cannot read file: " + std::strerror(errno));
    if (!S_ISREG(st.st_mode)) throw InputError(path + ": not a regular file");
    const std::string too_large =
        path + ": file is larger than the limit of " + std::to_string(kMaxFileBytes) + " bytes";
    if (static_cast<unsigned long long>(st.st_size) > kMaxFileBytes) throw InputError(too_large);
    std::string text;
    char buf[65536];
    while (text.size() < limit) {
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw InputError(path + ": cannot read file: " + std::strerror(errno));
        }
        if (n == 0) break;
        text.append(buf, static_cast<size_t>(n));
        if (text.size() > kMaxFileBytes) throw InputError(too_large); // the file grew while being read
    }
    return text;
}

LitmusTest parse_litmus_file(const std::string& path) {
    return parse_litmus(read_litmus_file(path), path);
}

} // namespace smpsim::litmus
