#include "sim/litmus/c_litmus_parser.h"

#include "sim/core/error.h"
#include "sim/litmus/lkmm_primitives.h"
#include "sim/litmus/parser.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <map>
#include <sys/stat.h>
#include <unistd.h>

namespace smpsim::litmus {

const CVariable* CLitmusTest::find_variable(const std::string& n) const {
    const int i = variable_index(n);
    return i < 0 ? nullptr : &variables[size_t(i)];
}

int CLitmusTest::variable_index(const std::string& n) const {
    for (size_t i = 0; i < variables.size(); ++i)
        if (variables[i].name == n) return int(i);
    return -1;
}

namespace {

enum class Tok { End, Ident, Number, Punct, String };

struct Token {
    Tok kind = Tok::End;
    std::string text;
    int line = 0;
    size_t begin = 0; // offsets in the source
    size_t end = 0;
};

bool is_ident_start(char c) {
    return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
}
bool is_ident_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-' || c == '+';
}

// A lexer with two modes: outside thread bodies `(* ... *)` is an OCaml comment and names may contain
// the characters of herd test names; inside them the tokens are C's.
class Lexer {
  public:
    Lexer(std::string_view text, const std::string& file) : s_(text), file_(file) {}

    [[noreturn]] void fail(int line, const std::string& msg) const {
        throw InputError(fmt::format("{}:{}: {}", file_, line, msg));
    }

    void set_c_mode(bool c) {
        c_mode_ = c;
        peeked_.reset();
        pos_ = resume_;
        line_ = resume_line_;
    }

    const Token& peek() {
        if (!peeked_) {
            resume_ = pos_;
            resume_line_ = line_;
            peeked_ = lex();
        }
        return *peeked_;
    }
    Token next() {
        Token t = peek();
        peeked_.reset();
        resume_ = pos_;
        resume_line_ = line_;
        return t;
    }
    bool accept(std::string_view punct) {
        if (peek().kind == Tok::Punct && peek().text == punct) {
            next();
            return true;
        }
        return false;
    }
    bool accept_ident(std::string_view word) {
        if (peek().kind == Tok::Ident && peek().text == word) {
            next();
            return true;
        }
        return false;
    }
    Token expect(std::string_view punct, std::string_view what) {
        const Token& t = peek();
        if (t.kind != Tok::Punct || t.text != punct)
            fail(t.line, fmt::format("expected '{}' {}, found {}", punct, what, describe(t)));
        return next();
    }
    Token expect_ident(std::string_view what) {
        const Token& t = peek();
        if (t.kind != Tok::Ident) fail(t.line, fmt::format("expected {}, found {}", what, describe(t)));
        return next();
    }
    static std::string describe(const Token& t) {
        if (t.kind == Tok::End) return "the end of the file";
        std::string shown = t.text.size() > 40 ? t.text.substr(0, 40) + "..." : t.text;
        for (char& c : shown)
            if (!std::isprint(static_cast<unsigned char>(c))) c = '?';
        return "'" + shown + "'";
    }
    // The rest of the current line (for the header), skipping nothing.
    std::string rest_of_line() {
        const Token t = peek();
        peeked_.reset();
        pos_ = t.begin;
        line_ = t.line;
        size_t e = pos_;
        while (e < s_.size() && s_[e] != '\n')
            ++e;
        std::string r(s_.substr(pos_, e - pos_));
        pos_ = resume_ = e;
        return r;
    }
    int line() const { return line_; }
    std::string_view source() const { return s_; }

  private:
    void skip_blanks() {
        for (;;) {
            while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) {
                if (s_[pos_] == '\n') ++line_;
                ++pos_;
            }
            if (pos_ + 1 < s_.size() && s_[pos_] == '/' && s_[pos_ + 1] == '/') {
                while (pos_ < s_.size() && s_[pos_] != '\n')
                    ++pos_;
                continue;
            }
            if (pos_ + 1 < s_.size() && s_[pos_] == '/' && s_[pos_ + 1] == '*') {
                const int start = line_;
                pos_ += 2;
                while (pos_ + 1 < s_.size() && !(s_[pos_] == '*' && s_[pos_ + 1] == '/')) {
                    if (s_[pos_] == '\n') ++line_;
                    ++pos_;
                }
                if (pos_ + 1 >= s_.size()) fail(start, "unterminated comment /*");
                pos_ += 2;
                continue;
            }
            if (!c_mode_ && pos_ + 1 < s_.size() && s_[pos_] == '(' && s_[pos_ + 1] == '*') {
                // OCaml comments nest.
                const int start = line_;
                size_t depth = 0;
                do {
                    if (pos_ + 1 < s_.size() && s_[pos_] == '(' && s_[pos_ + 1] == '*') {
                        ++depth;
                        pos_ += 2;
                    } else if (pos_ + 1 < s_.size() && s_[pos_] == '*' && s_[pos_ + 1] == ')') {
                        --depth;
                        pos_ += 2;
                    } else {
                        if (s_[pos_] == '\n') ++line_;
                        ++pos_;
                    }
                } while (depth > 0 && pos_ < s_.size());
                if (depth > 0) fail(start, "unterminated comment (*");
                continue;
            }
            return;
        }
    }

    Token lex() {
        skip_blanks();
        Token t;
        t.line = line_;
        t.begin = pos_;
        if (pos_ >= s_.size()) {
            t.end = pos_;
            return t;
        }
        const char c = s_[pos_];
        if (is_ident_start(c)) {
            size_t e = pos_ + 1;
            if (c_mode_)
                while (e < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[e])) || s_[e] == '_'))
                    ++e;
            else
                while (e < s_.size() && is_ident_char(s_[e]))
                    ++e;
            t.kind = Tok::Ident;
            t.text = std::string(s_.substr(pos_, e - pos_));
            pos_ = e;
        } else if (std::isdigit(static_cast<unsigned char>(c))) {
            size_t e = pos_ + 1;
            while (e < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[e])) || s_[e] == '_'))
                ++e;
            t.kind = Tok::Number;
            t.text = std::string(s_.substr(pos_, e - pos_));
            pos_ = e;
        } else if (c == '"') {
            size_t e = pos_ + 1;
            while (e < s_.size() && s_[e] != '"') {
                if (s_[e] == '\n') ++line_;
                ++e;
            }
            if (e >= s_.size()) fail(t.line, "unterminated string");
            t.kind = Tok::String;
            t.text = std::string(s_.substr(pos_ + 1, e - pos_ - 1));
            pos_ = e + 1;
        } else {
            static constexpr std::string_view kPuncts[] = {
                "<<=", ">>=", "/\\", "\\/", "->", "++", "--", "==", "!=", "<=", ">=", "&&",
                "||",  "+=",  "-=",  "*=",  "/=", "%=", "&=", "|=", "^=", "<<", ">>"};
            t.kind = Tok::Punct;
            for (std::string_view p : kPuncts)
                if (s_.substr(pos_, p.size()) == p) {
                    t.text = std::string(p);
                    break;
                }
            if (t.text.empty()) {
                if (!std::isprint(static_cast<unsigned char>(c)))
                    fail(line_, fmt::format("unexpected character 0x{:02x}", static_cast<unsigned char>(c)));
                t.text = std::string(1, c);
            }
            pos_ += t.text.size();
        }
        t.end = pos_;
        return t;
    }

    std::string_view s_;
    const std::string& file_;
    size_t pos_ = 0;
    int line_ = 1;
    size_t resume_ = 0; // where the peeked token started lexing (to re-lex in another mode)
    int resume_line_ = 1;
    bool c_mode_ = false;
    std::optional<Token> peeked_;
};

bool is_type_word(const std::string& w) {
    static const std::set<std::string> kWords = {
        "int",      "long",      "short",    "char",       "unsigned",   "signed", "void",    "bool",
        "intptr_t", "uintptr_t", "atomic_t", "atomic64_t", "spinlock_t", "u8",     "u16",     "u32",
        "u64",      "s8",        "s16",      "s32",        "s64",        "int8_t", "int16_t", "int32_t",
        "int64_t",  "uint8_t",   "uint16_t", "uint32_t",   "uint64_t",   "size_t", "const",   "volatile"};
    return kWords.count(w) != 0;
}

bool is_qualifier(const std::string& w) {
    return w == "const" || w == "volatile";
}

// Bytes of an object of the (base) type; pointers are 8.
unsigned type_size(const std::vector<std::string>& words, int stars) {
    if (stars > 0) return 8;
    bool is_long = false, is_short = false, is_char = false;
    for (const std::string& w : words) {
        if (w == "long" || w == "intptr_t" || w == "uintptr_t" || w == "u64" || w == "s64" ||
            w == "int64_t" || w == "uint64_t" || w == "size_t" || w == "atomic64_t")
            is_long = true;
        else if (w == "short" || w == "u16" || w == "s16" || w == "int16_t" || w == "uint16_t")
            is_short = true;
        else if (w == "char" || w == "u8" || w == "s8" || w == "int8_t" || w == "uint8_t" || w == "bool")
            is_char = true;
    }
    return is_long ? 8 : is_short ? 2 : is_char ? 1 : 4;
}

std::string type_text(const std::vector<std::string>& words, int stars) {
    std::string t;
    for (const std::string& w : words) {
        if (!t.empty()) t += ' ';
        t += w;
    }
    if (stars) t += ' ' + std::string(size_t(stars), '*');
    return t;
}

std::optional<i64> parse_number(const std::string& s) {
    if (s.empty()) return std::nullopt;
    errno = 0;
    char* end = nullptr;
    const unsigned long long v = std::strtoull(s.c_str(), &end, 0);
    if (errno != 0 || *end != '\0') return std::nullopt;
    return static_cast<i64>(v);
}

class CParser {
  public:
    CParser(std::string_view text, const std::string& file) : lex_(text, file), file_(file) {
        test_.file = file;
    }

    CLitmusTest parse() {
        parse_header();
        parse_init();
        while (lex_.peek().kind == Tok::Ident && is_thread_name(lex_.peek().text))
            parse_thread();
        if (test_.threads.empty())
            lex_.fail(lex_.peek().line, "expected a thread P0(...) after the init block");
        parse_final();
        finish();
        return std::move(test_);
    }

  private:
    static bool is_thread_name(const std::string& s) {
        return s.size() >= 2 && s[0] == 'P' && std::all_of(s.begin() + 1, s.end(), [](char c) {
                   return std::isdigit(static_cast<unsigned char>(c));
               });
    }

    void parse_header() {
        const Token t = lex_.peek();
        if (t.kind != Tok::Ident || t.text != "C")
            lex_.fail(t.line, fmt::format("expected the header 'C NAME', found {}", Lexer::describe(t)));
        lex_.next();
        const Token name = lex_.peek();
        if (name.kind == Tok::End || name.line != t.line)
            lex_.fail(t.line, "the header 'C NAME' has no name");
        std::string rest = lex_.rest_of_line();
        const size_t b = rest.find_first_not_of(" \t\r");
        rest = rest.substr(b);
        const size_t e = rest.find_first_of(" \t\r");
        test_.name = rest.substr(0, e);
        // herd7 drops a trailing ".litmus" from the name.
        if (test_.name.size() > 7 && test_.name.ends_with(".litmus"))
            test_.name.resize(test_.name.size() - 7);
        // Doc string and key=value metadata lines up to the init block.
        for (;;) {
            const Token& p = lex_.peek();
            if (p.kind == Tok::String) {
                lex_.next();
                continue;
            }
            if (p.kind == Tok::Ident && p.text != "P0") {
                const int line = p.line;
                const std::string l = lex_.rest_of_line();
                if (l.find('=') == std::string::npos)
                    lex_.fail(line,
                              fmt::format("expected the init block '{{' or a key=value line, found '{}'",
                                          l.substr(0, 40)));
                continue;
            }
            break;
        }
    }

    CVariable& variable(const std::string& name, int line) {
        for (CVariable& v : test_.variables)
            if (v.name == name) return v;
        if (test_.variables.size() >= 64) lex_.fail(line, "more than 64 shared variables");
        CVariable v;
        v.name = name;
        v.line = line;
        test_.variables.push_back(v);
        return test_.variables.back();
    }

    // A number, or '-' and a number, starting at t: its value into v.number (false: t starts neither).
    bool number_value(const Token& t, Value& v) {
        if (t.kind == Tok::Punct && t.text == "-") {
            const Token n = lex_.next();
            const auto num = n.kind == Tok::Number ? parse_number(n.text) : std::nullopt;
            if (!num)
                lex_.fail(n.line, fmt::format("expected a number after '-', found {}", Lexer::describe(n)));
            v.number = -*num;
            return true;
        }
        if (t.kind != Tok::Number) return false;
        const auto num = parse_number(t.text);
        if (!num) lex_.fail(t.line, fmt::format("bad number '{}'", t.text));
        v.number = *num;
        return true;
    }

    Value parse_init_value() {
        Value v;
        const Token t = lex_.next();
        if (t.kind == Tok::Punct && t.text == "&") {
            const Token n = lex_.expect_ident("a variable after '&'");
            v.symbol = n.text;
            variable(n.text, n.line);
            return v;
        }
        if (number_value(t, v)) return v;
        if (t.kind == Tok::Ident && (t.text == "ATOMIC_INIT" || t.text == "ATOMIC64_INIT")) {
            lex_.expect("(", "after ATOMIC_INIT");
            v = parse_init_value();
            lex_.expect(")", "closing ATOMIC_INIT(");
            return v;
        }
        if (t.kind == Tok::Ident && (t.text == "__SPIN_LOCK_UNLOCKED" || t.text == "NULL")) return v;
        if (t.kind == Tok::Ident) {
            v.symbol = t.text; // the address of a variable (herd: `y=a`)
            variable(t.text, t.line);
            return v;
        }
        lex_.fail(t.line, fmt::format("expected an initial value, found {}", Lexer::describe(t)));
    }

    void parse_init() {
        lex_.expect("{", "to open the init block");
        while (!lex_.accept("}")) {
            if (lex_.accept(";")) continue;
            const Token first = lex_.peek();
            if (first.kind == Tok::End) lex_.fail(first.line, "the init block is not closed with '}'");
            if (first.kind == Tok::Number) {
                // A thread's register: `0:r1=x`.
                lex_.next();
                lex_.expect(":", "after a thread number in the init block");
                const Token reg = lex_.expect_ident("a register name");
                lex_.expect("=", "after a register in the init block");
                const Value v = parse_init_value();
                const auto tid = parse_number(first.text);
                if (!tid || *tid < 0 || *tid >= i64(kMaxCThreads))
                    lex_.fail(first.line, fmt::format("bad thread number '{}'", first.text));
                reg_init_.push_back({int(*tid), reg.text, v, reg.line});
                lex_.expect(";", "after an init item");
                continue;
            }
            std::vector<std::string> words;
            while (lex_.peek().kind == Tok::Ident && is_type_word(lex_.peek().text))
                words.push_back(lex_.next().text);
            int stars = 0;
            while (lex_.accept("*"))
                ++stars;
            const Token name = lex_.expect_ident("a variable name in the init block");
            if (is_type_word(name.text) || name.text == "P0")
                lex_.fail(name.line, fmt::format("unknown type '{}' in the init block", name.text));
            if (lex_.peek().kind == Tok::Punct && lex_.peek().text == "[")
                lex_.fail(name.line, "arrays are not supported in C litmus tests");
            if (lex_.peek().kind == Tok::Ident)
                lex_.fail(name.line, fmt::format("unknown type '{}' in the init block", name.text));
            CVariable& v = variable(name.text, name.line);
            v.line = name.line;
            if (!words.empty() || stars) {
                std::vector<std::string> base;
                for (const std::string& w : words)
                    if (!is_qualifier(w)) base.push_back(w);
                if (base.empty()) lex_.fail(name.line, fmt::format("'{}' has no type", name.text));
                v.type = type_text(base, stars);
                v.size = type_size(base, stars);
                typed_.insert(name.text);
            }
            if (lex_.accept("=")) {
                // The value may name a variable not seen yet, which may move `v`: look it up again.
                const Value init = parse_init_value();
                variable(name.text, name.line).init = init;
            }
            const Token& end = lex_.peek();
            if (!(end.kind == Tok::Punct && (end.text == ";" || end.text == "}")))
                lex_.fail(end.line,
                          fmt::format("expected ';' after an init item, found {}", Lexer::describe(end)));
            lex_.accept(";");
        }
    }

    // ---- thread bodies ----

    struct Scope {
        CThread* thread;
        std::map<std::string, CRegister> locals;
        std::set<std::string> params;
        std::vector<std::pair<size_t, std::string>> inserts; // offset in source, text
        std::vector<std::string> implicit_order;
        std::set<std::string> derefed;
        size_t depth = 0;
    };

    void parse_thread() {
        const Token name = lex_.next();
        CThread th;
        th.id = int(std::strtol(name.text.c_str() + 1, nullptr, 10));
        th.line = name.line;
        if (th.id != int(test_.threads.size()))
            lex_.fail(name.line,
                      fmt::format("thread {} out of order: expected P{}", name.text, test_.threads.size()));
        if (test_.threads.size() >= kMaxCThreads)
            lex_.fail(name.line, fmt::format("more than {} threads", kMaxCThreads));
        lex_.expect("(", "after the thread name");
        Scope scope;
        scope.thread = &th;
        if (!lex_.accept(")")) {
            do {
                std::vector<std::string> words;
                while (lex_.peek().kind == Tok::Ident && is_type_word(lex_.peek().text))
                    words.push_back(lex_.next().text);
                int stars = 0;
                while (lex_.accept("*"))
                    ++stars;
                const Token pn = lex_.expect_ident("a parameter name");
                std::vector<std::string> base;
                for (const std::string& w : words)
                    if (!is_qualifier(w)) base.push_back(w);
                if (base.empty()) lex_.fail(pn.line, fmt::format("parameter '{}' has no type", pn.text));
                if (stars == 0)
                    lex_.fail(pn.line,
                              fmt::format("parameter '{}' must be a pointer to a shared variable", pn.text));
                if (scope.params.count(pn.text))
                    lex_.fail(pn.line, fmt::format("parameter '{}' twice", pn.text));
                scope.params.insert(pn.text);
                th.params.push_back({type_text(words, stars), pn.text});
                CVariable& v = variable(pn.text, pn.line);
                if (!typed_.count(pn.text)) {
                    // The object's type is the pointee's, unless the init block declared it.
                    v.type = type_text(base, stars - 1);
                    v.size = type_size(base, stars - 1);
                    typed_.insert(pn.text);
                }
            } while (lex_.accept(","));
            lex_.expect(")", "to close the parameter list");
        }
        const Token open = lex_.expect("{", "to open the thread body");
        lex_.set_c_mode(true);
        th.body_line = open.line;
        while (!(lex_.peek().kind == Tok::Punct && lex_.peek().text == "}")) {
            if (lex_.peek().kind == Tok::End)
                lex_.fail(open.line, fmt::format("P{}: body not closed with '}}'", th.id));
            statement(scope);
        }
        const Token close = lex_.next();
        lex_.set_c_mode(false);
        // The body text, with `= 0` after declarators that have no initialiser (herd's registers start
        // at 0).
        std::string body;
        size_t at = open.end;
        std::stable_sort(scope.inserts.begin(), scope.inserts.end(),
                         [](const auto& a, const auto& b) { return a.first < b.first; });
        for (const auto& [offset, text] : scope.inserts) {
            body += std::string(lex_.source().substr(at, offset - at)) + text;
            at = offset;
        }
        body += std::string(lex_.source().substr(at, close.begin - at));
        th.body = body;
        for (const std::string& r : scope.implicit_order) {
            CRegister reg;
            reg.name = r;
            reg.implicit = true;
            if (scope.derefed.count(r)) {
                reg.type = "int *";
                reg.width = 8;
            }
            th.implicit_registers.push_back(reg);
        }
        for (const auto& [n, r] : scope.locals)
            th.declared.push_back({n, r});
        test_.threads.push_back(std::move(th));
    }

    void nest(Scope& s, int line) {
        if (++s.depth > kMaxCNesting)
            lex_.fail(line,
                      fmt::format("statements or expressions nested deeper than {} levels", kMaxCNesting));
    }

    bool at_type(const Scope& s) {
        const Token& t = lex_.peek();
        return t.kind == Tok::Ident && is_type_word(t.text) && !s.locals.count(t.text);
    }

    void statement(Scope& s) {
        const Token t = lex_.peek();
        nest(s, t.line);
        if (t.kind == Tok::Punct && t.text == "{") {
            lex_.next();
            while (!lex_.accept("}")) {
                if (lex_.peek().kind == Tok::End) lex_.fail(t.line, "block not closed with '}'");
                statement(s);
            }
        } else if (t.kind == Tok::Punct && t.text == ";") {
            lex_.next();
        } else if (t.kind == Tok::Ident && t.text == "if") {
            lex_.next();
            lex_.expect("(", "after 'if'");
            expression(s);
            lex_.expect(")", "to close the condition of 'if'");
            statement(s);
            if (lex_.accept_ident("else")) statement(s);
        } else if (t.kind == Tok::Ident && t.text == "while") {
            lex_.next();
            lex_.expect("(", "after 'while'");
            expression(s);
            lex_.expect(")", "to close the condition of 'while'");
            statement(s);
        } else if (t.kind == Tok::Ident && t.text == "do") {
            lex_.next();
            statement(s);
            if (!lex_.accept_ident("while")) lex_.fail(lex_.peek().line, "expected 'while' after a do body");
            lex_.expect("(", "after 'while'");
            expression(s);
            lex_.expect(")", "to close the condition of 'while'");
            lex_.expect(";", "after do ... while (...)");
        } else if (t.kind == Tok::Ident &&
                   (t.text == "for" || t.text == "goto" || t.text == "switch" || t.text == "return" ||
                    t.text == "break" || t.text == "continue")) {
            lex_.fail(t.line, fmt::format("'{}' is not supported in C litmus threads", t.text));
        } else if (at_type(s)) {
            declaration(s);
        } else {
            expression(s);
            lex_.expect(";", "after a statement");
        }
        --s.depth;
    }

    void declaration(Scope& s) {
        std::vector<std::string> words;
        while (lex_.peek().kind == Tok::Ident && is_type_word(lex_.peek().text))
            words.push_back(lex_.next().text);
        std::vector<std::string> base;
        for (const std::string& w : words)
            if (!is_qualifier(w)) base.push_back(w);
        if (base.empty()) lex_.fail(lex_.peek().line, "a declaration without a type");
        do {
            int stars = 0;
            while (lex_.accept("*"))
                ++stars;
            const Token n = lex_.expect_ident("a variable name in a declaration");
            if (is_type_word(n.text)) lex_.fail(n.line, fmt::format("'{}' is a type, not a name", n.text));
            if (s.params.count(n.text))
                lex_.fail(n.line, fmt::format("'{}' is declared again (it is a parameter)", n.text));
            if (lex_.peek().kind == Tok::Punct && lex_.peek().text == "[")
                lex_.fail(n.line, "arrays are not supported in C litmus threads");
            CRegister reg;
            reg.name = n.text;
            reg.type = type_text(base, stars);
            reg.width = type_size(base, stars);
            s.locals[n.text] = reg;
            if (lex_.accept("="))
                assignment(s);
            else
                s.inserts.push_back({n.end, " = 0"});
        } while (lex_.accept(","));
        lex_.expect(";", "after a declaration");
    }

    void expression(Scope& s) {
        assignment(s);
        while (lex_.accept(","))
            assignment(s);
    }

    void assignment(Scope& s) {
        nest(s, lex_.peek().line);
        conditional(s);
        static const std::set<std::string> kAssign = {
            "=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "<<=", ">>="};
        if (lex_.peek().kind == Tok::Punct && kAssign.count(lex_.peek().text)) {
            lex_.next();
            assignment(s);
        }
        --s.depth;
    }

    void conditional(Scope& s) {
        binary(s, 0);
        if (lex_.accept("?")) {
            expression(s);
            lex_.expect(":", "in a ?: expression");
            conditional(s);
        }
    }

    static int precedence(const Token& t) {
        if (t.kind != Tok::Punct) return -1;
        static const std::map<std::string, int> kPrec = {
            {"||", 1}, {"&&", 2}, {"|", 3},  {"^", 4},  {"&", 5}, {"==", 6}, {"!=", 6}, {"<", 7},  {">", 7},
            {"<=", 7}, {">=", 7}, {"<<", 8}, {">>", 8}, {"+", 9}, {"-", 9},  {"*", 10}, {"/", 10}, {"%", 10}};
        const auto it = kPrec.find(t.text);
        return it == kPrec.end() ? -1 : it->second;
    }

    void binary(Scope& s, int min_prec) {
        unary(s);
        for (;;) {
            const int p = precedence(lex_.peek());
            if (p < 0 || p < min_prec) break;
            lex_.next();
            nest(s, lex_.peek().line);
            binary(s, p + 1);
            --s.depth;
        }
    }

    // A parenthesised type name: `(intptr_t **)`.
    bool cast(Scope& s) {
        if (!(lex_.peek().kind == Tok::Punct && lex_.peek().text == "(")) return false;
        // Look one token past the parenthesis without consuming it: re-lex from a copy.
        Lexer probe = lex_;
        probe.next();
        const Token& t = probe.peek();
        if (!(t.kind == Tok::Ident && is_type_word(t.text) && !s.locals.count(t.text))) return false;
        lex_.next();
        while (lex_.peek().kind == Tok::Ident && is_type_word(lex_.peek().text))
            lex_.next();
        while (lex_.accept("*")) {
        }
        lex_.expect(")", "to close a cast");
        return true;
    }

    void unary(Scope& s) {
        const Token t = lex_.peek();
        nest(s, t.line);
        if (t.kind == Tok::Punct && (t.text == "*" || t.text == "&" || t.text == "-" || t.text == "+" ||
                                     t.text == "!" || t.text == "~" || t.text == "++" || t.text == "--")) {
            lex_.next();
            if (t.text == "*" && lex_.peek().kind == Tok::Ident) s.derefed.insert(lex_.peek().text);
            unary(s);
        } else if (cast(s)) {
            unary(s);
        } else if (t.kind == Tok::Ident && t.text == "sizeof") {
            lex_.fail(t.line, "'sizeof' is not supported in C litmus threads");
        } else {
            postfix(s);
        }
        --s.depth;
    }

    void postfix(Scope& s) {
        const Token t = lex_.next();
        if (t.kind == Tok::Number) {
            if (!parse_number(t.text)) lex_.fail(t.line, fmt::format("bad number '{}'", t.text));
        } else if (t.kind == Tok::Punct && t.text == "(") {
            expression(s);
            lex_.expect(")", "to close '('");
        } else if (t.kind == Tok::Ident) {
            if (lex_.peek().kind == Tok::Punct && lex_.peek().text == "(") {
                call(s, t);
            } else {
                use_name(s, t);
            }
        } else {
            lex_.fail(t.line, fmt::format("expected an expression, found {}", Lexer::describe(t)));
        }
        for (;;) {
            if (lex_.accept("++") || lex_.accept("--")) continue;
            if (lex_.accept("->") || lex_.accept(".")) {
                const Token f = lex_.expect_ident("a field name");
                if (f.text != "counter")
                    lex_.fail(f.line, fmt::format("unknown field '{}' (only atomic_t's 'counter')", f.text));
                continue;
            }
            if (lex_.peek().kind == Tok::Punct && lex_.peek().text == "[")
                lex_.fail(lex_.peek().line, "array subscripts are not supported in C litmus threads");
            break;
        }
    }

    void call(Scope& s, const Token& name) {
        const auto prim = find_lkmm_primitive(name.text);
        if (!prim) {
            if (s.locals.count(name.text) || s.params.count(name.text))
                lex_.fail(name.line, fmt::format("'{}' is not a function", name.text));
            lex_.fail(name.line, fmt::format("unknown function '{}': not an LKMM primitive", name.text));
        }
        if (!prim->implemented)
            lex_.fail(name.line,
                      fmt::format("primitive '{}' is not implemented by the guest kernel", name.text));
        test_.primitives.insert(name.text);
        const Token open = lex_.expect("(", "after a function name");
        // herd's C is untyped: xchg() and cmpxchg() may be given an atomic_t; they act on its counter.
        const bool untyped_ptr = name.text.starts_with("xchg") || name.text.starts_with("cmpxchg");
        int args = 0;
        if (!lex_.accept(")")) {
            do {
                if (untyped_ptr && args == 0) s.inserts.push_back({open.end, "__lkmm_ptr("});
                assignment(s);
                if (untyped_ptr && args == 0) s.inserts.push_back({lex_.peek().begin, ")"});
                ++args;
            } while (lex_.accept(","));
            lex_.expect(")", fmt::format("to close the arguments of {}", name.text));
        }
        if (args != prim->arity)
            lex_.fail(name.line, fmt::format("{} takes {} argument{}, not {}", name.text, prim->arity,
                                             prim->arity == 1 ? "" : "s", args));
    }

    void use_name(Scope& s, const Token& n) {
        if (s.locals.count(n.text) || s.params.count(n.text)) return;
        if (n.text == "NULL" || n.text == "true" || n.text == "false") return;
        if (find_lkmm_primitive(n.text) || is_type_word(n.text) || n.text == "if" || n.text == "else" ||
            n.text == "while" || n.text == "do")
            lex_.fail(n.line, fmt::format("unexpected '{}'", n.text));
        // A register used without a declaration: herd allows it.
        if (std::find(s.implicit_order.begin(), s.implicit_order.end(), n.text) == s.implicit_order.end()) {
            if (s.implicit_order.size() >= 64) lex_.fail(n.line, "too many registers");
            s.implicit_order.push_back(n.text);
        }
    }

    // ---- locations, filter, final condition ----

    Location parse_location() {
        const Token t = lex_.next();
        Location l;
        if (t.kind == Tok::Number) {
            // herd's lexer (outside threads) reads `0:r0` as a number, then ':'.
            const auto tid = parse_number(t.text);
            lex_.expect(":", "after a thread number");
            const Token reg = lex_.expect_ident("a register name");
            if (!tid || *tid < 0 || size_t(*tid) >= test_.threads.size())
                lex_.fail(t.line, fmt::format("no thread {} for register {}:{}", t.text, t.text, reg.text));
            l.kind = Location::Kind::Register;
            l.thread = int(*tid);
            l.reg.name = reg.text;
            return l;
        }
        if (t.kind == Tok::Ident && t.text.size() > 1 && t.text[0] == 'P' && lex_.peek().text == ":") {
            // `P0:r0`
            lex_.next();
            const Token reg = lex_.expect_ident("a register name");
            const auto tid = parse_number(t.text.substr(1));
            if (!tid || *tid < 0 || size_t(*tid) >= test_.threads.size())
                lex_.fail(t.line, fmt::format("no thread {}", t.text));
            l.kind = Location::Kind::Register;
            l.thread = int(*tid);
            l.reg.name = reg.text;
            return l;
        }
        if (t.kind == Tok::Punct && t.text == "[") {
            const Token v = lex_.expect_ident("a variable name");
            lex_.expect("]", "after a variable");
            l.var = v.text;
            variable(v.text, v.line);
            return l;
        }
        if (t.kind == Tok::Ident) {
            l.var = t.text;
            variable(t.text, t.line);
            return l;
        }
        lex_.fail(t.line, fmt::format("expected a location, found {}", Lexer::describe(t)));
    }

    size_t observe(const Location& l) {
        for (size_t i = 0; i < test_.observed.size(); ++i) {
            const Location& o = test_.observed[i];
            if (o.kind == l.kind && o.thread == l.thread && o.var == l.var && o.reg.name == l.reg.name)
                return i;
        }
        test_.observed.push_back(l);
        return test_.observed.size() - 1;
    }

    Value parse_value() {
        Value v;
        const Token t = lex_.next();
        if (number_value(t, v)) return v;
        if (t.kind == Tok::Punct && t.text == "&") return parse_value();
        if (t.kind == Tok::Ident) {
            if (t.text == "NULL") return v;
            v.symbol = t.text;
            variable(t.text, t.line);
            return v;
        }
        lex_.fail(t.line, fmt::format("expected a value, found {}", Lexer::describe(t)));
    }

    // Condition grammar: or := and {\/ and}; and := un {/\ un}; un := ~un | (or) | true | false | atom.
    int cond_or(Condition& c, size_t depth) {
        int lhs = cond_and(c, depth);
        while (lex_.accept("\\/")) {
            const int rhs = cond_and(c, depth);
            lhs = node(c, {Condition::Op::Or, 0, {}, lhs, rhs});
        }
        return lhs;
    }
    int cond_and(Condition& c, size_t depth) {
        int lhs = cond_unary(c, depth);
        while (lex_.accept("/\\")) {
            const int rhs = cond_unary(c, depth);
            lhs = node(c, {Condition::Op::And, 0, {}, lhs, rhs});
        }
        return lhs;
    }
    int cond_unary(Condition& c, size_t depth) {
        const Token t = lex_.peek();
        if (depth > kMaxConditionDepth)
            lex_.fail(t.line, fmt::format("condition nested deeper than {} levels", kMaxConditionDepth));
        if (lex_.accept("~") || lex_.accept("!")) {
            const int child = cond_unary(c, depth + 1);
            return node(c, {Condition::Op::Not, 0, {}, child, -1});
        }
        if (lex_.accept("(")) {
            const int inner = cond_or(c, depth + 1);
            lex_.expect(")", "to close '(' in the condition");
            return inner;
        }
        if (lex_.accept_ident("true")) return node(c, {Condition::Op::True, 0, {}, -1, -1});
        if (lex_.accept_ident("false")) return node(c, {Condition::Op::False, 0, {}, -1, -1});
        if (++terms_ > kMaxConditionTerms)
            lex_.fail(t.line, fmt::format("condition has more than {} atoms", kMaxConditionTerms));
        const Location l = parse_location();
        Condition::Op op = Condition::Op::Eq;
        if (lex_.accept("!="))
            op = Condition::Op::Ne;
        else if (!lex_.accept("=") && !lex_.accept("=="))
            lex_.fail(lex_.peek().line,
                      fmt::format("expected '=' after {}, found {}", l.str(), Lexer::describe(lex_.peek())));
        const Value v = parse_value();
        return node(c, {op, observe(l), v, -1, -1});
    }
    static int node(Condition& c, const Condition::Node& n) {
        c.nodes.push_back(n);
        return int(c.nodes.size() - 1);
    }

    Condition parse_condition() {
        Condition c;
        c.root = cond_or(c, 0);
        return c;
    }

    void parse_final() {
        if (lex_.accept_ident("locations")) {
            lex_.expect("[", "after 'locations'");
            while (!lex_.accept("]")) {
                if (lex_.peek().kind == Tok::End) lex_.fail(lex_.peek().line, "'locations [' not closed");
                observe(parse_location());
                if (!lex_.accept(";") && !(lex_.peek().kind == Tok::Punct && lex_.peek().text == "]"))
                    lex_.fail(lex_.peek().line, fmt::format("expected ';' in 'locations', found {}",
                                                            Lexer::describe(lex_.peek())));
            }
        }
        if (lex_.accept_ident("filter")) test_.filter = parse_condition();
        const Token q = lex_.peek();
        test_.condition_line = q.line;
        if (lex_.accept_ident("exists")) {
            test_.quantifier = Quantifier::Exists;
        } else if (lex_.accept_ident("forall")) {
            test_.quantifier = Quantifier::Forall;
        } else if (lex_.accept("~")) {
            if (!lex_.accept_ident("exists"))
                lex_.fail(lex_.peek().line,
                          fmt::format("expected 'exists' after '~', found {}", Lexer::describe(lex_.peek())));
            test_.quantifier = Quantifier::NotExists;
        } else {
            lex_.fail(q.line,
                      fmt::format("expected the final condition (exists, ~exists or forall), found {}",
                                  Lexer::describe(q)));
        }
        test_.condition = parse_condition();
        if (lex_.peek().kind != Tok::End)
            lex_.fail(lex_.peek().line,
                      fmt::format("unexpected {} after the final condition", Lexer::describe(lex_.peek())));
    }

    // Registers get their slots and widths; observed memory gets its width.
    void finish() {
        for (Location& l : test_.observed) {
            if (l.kind == Location::Kind::Memory) {
                const CVariable* v = test_.find_variable(l.var);
                l.mem_width = v ? v->size : 4;
                if (l.mem_width > 8) l.mem_width = 8;
                continue;
            }
            CThread& th = test_.threads[size_t(l.thread)];
            CRegister reg;
            reg.name = l.reg.name;
            bool found = false;
            for (const auto& [n, r] : th.declared)
                if (n == l.reg.name) {
                    reg = r;
                    found = true;
                }
            for (const CRegister& r : th.implicit_registers)
                if (r.name == l.reg.name) {
                    reg = r;
                    found = true;
                }
            if (!found) {
                // Observed but never mentioned by the thread: herd reads it as 0.
                reg.implicit = true;
                th.implicit_registers.push_back(reg);
            }
            if (std::find_if(th.params.begin(), th.params.end(),
                             [&](const CParam& p) { return p.name == l.reg.name; }) != th.params.end())
                lex_.fail(test_.condition_line,
                          fmt::format("{}:{} is a parameter, not a register", l.thread, l.reg.name));
            size_t slot = th.observed.size();
            for (size_t i = 0; i < th.observed.size(); ++i)
                if (th.observed[i].name == reg.name) slot = i;
            if (slot == th.observed.size()) {
                if (slot >= 32)
                    lex_.fail(test_.condition_line,
                              fmt::format("P{} has more than 32 observed registers", l.thread));
                th.observed.push_back(reg);
            }
            l.reg.gpr = unsigned(slot);
            l.reg.width = reg.width;
        }
        for (const auto& ri : reg_init_) {
            if (size_t(ri.thread) >= test_.threads.size())
                lex_.fail(ri.line,
                          fmt::format("no thread {} for register {}:{}", ri.thread, ri.thread, ri.reg));
            reg_inits_.push_back(ri);
        }
        // Register initialisers become declarations with a value (`0:r1=x`: r1 starts as x's address).
        for (const auto& ri : reg_inits_) {
            CThread& th = test_.threads[size_t(ri.thread)];
            std::string value =
                ri.value.symbol ? "(long)&" + *ri.value.symbol : std::to_string(ri.value.number);
            if (ri.value.symbol && !test_.find_variable(*ri.value.symbol))
                lex_.fail(ri.line, fmt::format("unknown variable '{}'", *ri.value.symbol));
            th.body = fmt::format("\t{} = {};\n", ri.reg, value) + th.body;
        }
        test_.condition.observed = test_.observed;
        if (test_.filter) test_.filter->observed = test_.observed;
        for (const CVariable& v : test_.variables)
            if (v.init.symbol && !test_.find_variable(*v.init.symbol))
                lex_.fail(v.line, fmt::format("unknown variable '{}'", *v.init.symbol));
    }

    struct RegInit {
        int thread;
        std::string reg;
        Value value;
        int line;
    };

    Lexer lex_;
    const std::string& file_;
    CLitmusTest test_;
    std::set<std::string> typed_;
    std::vector<RegInit> reg_init_;
    std::vector<RegInit> reg_inits_;
    size_t terms_ = 0;
};

} // namespace

bool looks_like_c_litmus(std::string_view text) {
    size_t i = 0;
    for (;;) {
        while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i])))
            ++i;
        if (text.substr(i, 2) == "(*") {
            const size_t e = text.find("*)", i + 2);
            if (e == std::string_view::npos) return false;
            i = e + 2;
            continue;
        }
        break;
    }
    return text.substr(i, 1) == "C" && i + 1 < text.size() && (text[i + 1] == ' ' || text[i + 1] == '\t');
}

bool is_c_litmus_file(const std::string& path) {
    try {
        return looks_like_c_litmus(read_litmus_file(path, 4096));
    } catch (const InputError&) {
        return false; // the x86 parser reports it
    }
}

CLitmusTest parse_c_litmus(std::string_view text, const std::string& file) {
    if (text.size() > kMaxFileBytes)
        throw InputError(file + ": file is larger than the limit of " + std::to_string(kMaxFileBytes) +
                         " bytes");
    if (text.find('\0') != std::string_view::npos) {
        const size_t at = text.find('\0');
        const int line = 1 + int(std::count(text.begin(), text.begin() + long(at), '\n'));
        throw InputError(fmt::format("{}:{}: unexpected character 0x00", file, line));
    }
    return CParser(text, file).parse();
}

CLitmusTest parse_c_litmus_file(const std::string& path) {
    return parse_c_litmus(read_litmus_file(path), path);
}

} // namespace smpsim::litmus
