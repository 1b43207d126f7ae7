#include "sim/report/c2c.h"

#include "sim/core/error.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <fstream>

namespace smpsim::report {

namespace {

constexpr const char* kLineStatsSchema = "smpsim.cache_mesi.lines/1";
constexpr unsigned long long kMaxStatsBytes = 1ull << 30;

// The per-line and per-CPU counters of the file, in the file's names (masks apart).
struct CounterField {
    const char* name;
    u64 C2cCounters::*member;
};
constexpr CounterField kCounterFields[] = {
    {"loads", &C2cCounters::loads},
    {"stores", &C2cCounters::stores},
    {"hits", &C2cCounters::hits},
    {"misses", &C2cCounters::misses},
    {"stale_hits", &C2cCounters::stale_hits},
    {"rfos", &C2cCounters::rfos},
    {"upgrades", &C2cCounters::upgrades},
    {"inv_sent", &C2cCounters::inv_sent},
    {"inv_received", &C2cCounters::inv_received},
    {"hitm", &C2cCounters::hitm},
    {"writebacks", &C2cCounters::writebacks},
    {"sb_stall_cycles", &C2cCounters::sb_stall_cycles},
    {"iq_depth_max", &C2cCounters::iq_depth_max},
};

class StatsParser {
  public:
    explicit StatsParser(const std::string& origin) : origin_(origin) {}

    [[noreturn]] void fail(const std::string& where, const std::string& why) const {
        throw InputError(fmt::format("{}: {}{}{}", origin_, where, where.empty() ? "" : ": ", why));
    }

    const nlohmann::json& member(const nlohmann::json& obj, const char* key, const std::string& where) const {
        auto it = obj.find(key);
        if (it == obj.end()) fail(where, fmt::format("missing \"{}\"", key));
        return *it;
    }

    u64 number(const nlohmann::json& obj, const char* key, const std::string& where) const {
        const nlohmann::json& v = member(obj, key, where);
        if (!v.is_number_unsigned() && !(v.is_number_integer() && v.get<long long>() >= 0))
            fail(where, fmt::format("\"{}\" is not a whole number", key));
        return v.get<u64>();
    }

    u64 mask(const nlohmann::json& obj, const char* key, const std::string& where) const {
        const nlohmann::json& v = member(obj, key, where);
        const std::string text = v.is_string() ? v.get<std::string>() : std::string{};
        u64 value = 0;
        const char* begin = text.data() + 2;
        const char* end = text.data() + text.size();
        if (text.size() < 3 || text.size() > 18 || text[0] != '0' || (text[1] != 'x' && text[1] != 'X') ||
            std::from_chars(begin, end, value, 16).ptr != end)
            fail(where, fmt::format("\"{}\" is not a 64-bit hex mask such as \"0x00000000000000ff\"", key));
        return value;
    }

    C2cCounters counters(const nlohmann::json& obj, const std::string& where) const {
        C2cCounters c;
        for (const CounterField& f : kCounterFields)
            c.*f.member = number(obj, f.name, where);
        c.read_mask = mask(obj, "read_mask", where);
        c.write_mask = mask(obj, "write_mask", where);
        return c;
    }

    C2cInput parse(const nlohmann::json& doc) const {
        if (!doc.is_object()) fail("", "not a line statistics file (expected a JSON object)");
        auto schema = doc.find("schema");
        if (schema == doc.end() || !schema->is_string() || schema->get<std::string>() != kLineStatsSchema)
            fail("",
                 fmt::format("not a line statistics file (expected schema \"{}\", as `smpsim boot --model "
                             "tso --stats FILE` writes)",
                             kLineStatsSchema));
        C2cInput in;
        in.cpus = u32(std::min<u64>(number(doc, "cpus", ""), 1u << 16));
        in.line_size = u32(number(doc, "line_size", ""));
        if (in.line_size != 64)
            fail("", fmt::format("line_size {} (only 64-byte lines are supported)", in.line_size));
        if (auto m = doc.find("model"); m != doc.end() && m->is_string()) in.model = m->get<std::string>();
        const nlohmann::json& lines = member(doc, "lines", "");
        if (!lines.is_array()) fail("", "\"lines\" is not an array");
        in.lines.reserve(lines.size());
        for (std::size_t i = 0; i < lines.size(); ++i) {
            const std::string where = fmt::format("lines[{}]", i);
            const nlohmann::json& l = lines[i];
            if (!l.is_object()) fail(where, "not an object");
            C2cLineStats s;
            s.paddr = number(l, "paddr", where);
            if (s.paddr % 64) fail(where, "paddr is not the start of a 64-byte line");
            s.dma_reads = number(l, "dma_reads", where);
            s.dma_writes = number(l, "dma_writes", where);
            const nlohmann::json& cpus = member(l, "cpus", where);
            if (!cpus.is_array()) fail(where, "\"cpus\" is not an array");
            for (std::size_t k = 0; k < cpus.size(); ++k) {
                const std::string cwhere = fmt::format("{}.cpus[{}]", where, k);
                if (!cpus[k].is_object()) fail(cwhere, "not an object");
                const u64 cpu = number(cpus[k], "cpu", cwhere);
                if (cpu >= in.cpus)
                    fail(cwhere, fmt::format("cpu {} but the file has {} CPUs", cpu, in.cpus));
                s.cpus.push_back({u32(cpu), counters(cpus[k], cwhere)});
            }
            if (auto code = l.find("code"); code != l.end()) {
                if (!code->is_array()) fail(where, "\"code\" is not an array");
                for (std::size_t k = 0; k < code->size(); ++k) {
                    const std::string cwhere = fmt::format("{}.code[{}]", where, k);
                    const nlohmann::json& c = (*code)[k];
                    if (!c.is_object()) fail(cwhere, "not an object");
                    const u64 cpu = number(c, "cpu", cwhere);
                    if (cpu >= in.cpus)
                        fail(cwhere, fmt::format("cpu {} but the file has {} CPUs", cpu, in.cpus));
                    s.code.push_back({number(c, "rip", cwhere), u32(cpu), number(c, "misses", cwhere),
                                      number(c, "hitm", cwhere), number(c, "rfos", cwhere),
                                      number(c, "upgrades", cwhere), number(c, "stale_hits", cwhere)});
                }
                in.code_addresses = true;
            }
            in.lines.push_back(std::move(s));
        }
        return in;
    }

  private:
    std::string origin_;
};

std::vector<u32> cpus_touching(const C2cLineStats& line, u64 bytes, bool writes) {
    std::vector<u32> out;
    for (const C2cCpuStats& c : line.cpus)
        if ((writes ? c.counters.write_mask : c.counters.read_mask) & bytes) out.push_back(c.cpu);
    return out;
}

// Which CPUs read and which wrote byte b of a line (bit i: CPU i's position in line.cpus).
std::pair<u64, u64> byte_accessors(const C2cLineStats& line, u32 b) {
    u64 readers = 0, writers = 0;
    for (std::size_t i = 0; i < line.cpus.size() && i < 64; ++i) {
        if (line.cpus[i].counters.read_mask >> b & 1) readers |= u64{1} << i;
        if (line.cpus[i].counters.write_mask >> b & 1) writers |= u64{1} << i;
    }
    return {readers, writers};
}

// The touched bytes of a line grouped by the symbol that holds them and, within a symbol, by the CPUs
// that read and wrote them: the members of a struct that different CPUs write (false sharing) are
// fields of their own, each named by the symbol and its offset. Bytes outside every symbol form one
// field per contiguous run.
std::vector<C2cField> line_fields(const C2cLineStats& line, const C2cCounters& total,
                                  const Symbolizer& symbols) {
    std::vector<C2cField> fields;
    std::vector<std::pair<u64, u64>> accessors; // per field
    const u64 touched = total.read_mask | total.write_mask;
    for (u32 b = 0; b < 64; ++b) {
        if (!(touched >> b & 1)) continue;
        Symbolization s = symbols.symbolize(line.paddr + b);
        const std::pair<u64, u64> who = byte_accessors(line, b);
        C2cField* field = nullptr;
        for (std::size_t i = 0; i < fields.size(); ++i) {
            const C2cField& f = fields[i];
            const bool same = s.has_symbol ? f.symbol.has_symbol && f.symbol.symbol_start == s.symbol_start &&
                                                 f.symbol.name == s.name && accessors[i] == who
                                           : !f.symbol.has_symbol && f.last_byte + 1 == b;
            if (same) field = &fields[i];
        }
        if (!field) {
            fields.push_back({std::move(s), b, b, 0, {}, {}});
            accessors.push_back(who);
            field = &fields.back();
        }
        field->last_byte = b;
        field->bytes |= u64{1} << b;
    }
    for (C2cField& f : fields) {
        f.readers = cpus_touching(line, f.bytes, false);
        f.writers = cpus_touching(line, f.bytes, true);
    }
    return fields;
}

} // namespace

C2cLine make_c2c_line(const C2cLineStats& stats, const Symbolizer& symbols) {
    C2cLine l;
    l.stats = stats;
    l.total = stats.total();
    l.false_sharing = stats.false_sharing();
    l.fields = line_fields(stats, l.total, symbols);
    // The code addresses, over CPUs.
    for (const C2cCodeStats& c : stats.code) {
        auto it = std::find_if(l.code.begin(), l.code.end(),
                               [&](const C2cCode& x) { return x.symbol.address == c.rip; });
        if (it == l.code.end()) {
            l.code.push_back({symbols.symbolize(c.rip), {}, 0, 0, 0, 0, 0});
            it = l.code.end() - 1;
        }
        if (std::find(it->cpus.begin(), it->cpus.end(), c.cpu) == it->cpus.end()) it->cpus.push_back(c.cpu);
        it->misses += c.misses;
        it->hitm += c.hitm;
        it->rfos += c.rfos;
        it->upgrades += c.upgrades;
        it->stale_hits += c.stale_hits;
    }
    for (C2cCode& c : l.code)
        std::sort(c.cpus.begin(), c.cpus.end());
    std::sort(l.code.begin(), l.code.end(), [](const C2cCode& a, const C2cCode& b) {
        if (a.hitm != b.hitm) return a.hitm > b.hitm;
        if (a.misses != b.misses) return a.misses > b.misses;
        if (a.stale_hits != b.stale_hits) return a.stale_hits > b.stale_hits;
        return a.symbol.address < b.symbol.address;
    });
    // The symbol at the line's start, or (padding there) the first touched byte that has one.
    l.symbol = symbols.symbolize(stats.paddr);
    if (!l.symbol.has_symbol)
        for (const C2cField& f : l.fields)
            if (f.symbol.has_symbol) {
                l.symbol = f.symbol;
                break;
            }
    return l;
}

namespace {

nlohmann::json source_json(const Symbolization& s) {
    if (s.file.empty()) return nullptr;
    return fmt::format("{}:{}", s.file, s.line);
}

void counters_json(nlohmann::json& j, const C2cCounters& c) {
    for (const CounterField& f : kCounterFields)
        if (std::string_view(f.name) != "iq_depth_max") j[f.name] = c.*f.member;
}

} // namespace

nlohmann::json c2c_line_json(const C2cLine& l, std::size_t rank) {
    nlohmann::json j;
    j["rank"] = rank;
    j["paddr"] = l.stats.paddr;
    j["paddr_hex"] = fmt::format("{:#x}", l.stats.paddr);
    j["symbol"] = Symbolizer::format_symbol(l.symbol);
    j["source"] = source_json(l.symbol);
    j["false_sharing"] = l.false_sharing;
    counters_json(j, l.total);
    j["invalidations"] = l.total.inv_received;
    j["dma_reads"] = l.stats.dma_reads;
    j["dma_writes"] = l.stats.dma_writes;
    nlohmann::json cpus = nlohmann::json::array();
    for (const C2cCpuStats& c : l.stats.cpus) {
        nlohmann::json cj;
        cj["cpu"] = c.cpu;
        counters_json(cj, c.counters);
        cj["iq_depth_max"] = c.counters.iq_depth_max;
        cj["read_bytes"] = byte_ranges(c.counters.read_mask);
        cj["write_bytes"] = byte_ranges(c.counters.write_mask);
        cpus.push_back(std::move(cj));
    }
    j["cpus"] = std::move(cpus);
    nlohmann::json fields = nlohmann::json::array();
    for (const C2cField& f : l.fields)
        fields.push_back({{"symbol", Symbolizer::format_symbol(f.symbol)},
                          {"source", source_json(f.symbol)},
                          {"first_byte", f.first_byte},
                          {"last_byte", f.last_byte},
                          {"bytes", byte_ranges(f.bytes)},
                          {"readers", f.readers},
                          {"writers", f.writers}});
    j["fields"] = std::move(fields);
    nlohmann::json code = nlohmann::json::array();
    for (const C2cCode& c : l.code)
        code.push_back({{"rip", c.symbol.address},
                        {"rip_hex", fmt::format("{:#x}", c.symbol.address)},
                        {"symbol", Symbolizer::format_symbol(c.symbol)},
                        {"source", source_json(c.symbol)},
                        {"cpus", c.cpus},
                        {"misses", c.misses},
                        {"hitm", c.hitm},
                        {"rfos", c.rfos},
                        {"upgrades", c.upgrades},
                        {"stale_hits", c.stale_hits}});
    j["code"] = std::move(code);
    return j;
}

namespace {

const char* kRule = "=================================================================================\n";

// The text renders the JSON form, so that a saved report (report.json) prints the same text again.
u64 num(const nlohmann::json& j, const char* key) {
    return j.at(key).get<u64>();
}

std::string location(const nlohmann::json& j) {
    const std::string symbol = j.at("symbol").get<std::string>();
    const nlohmann::json& source = j.at("source");
    return source.is_string() ? fmt::format("{} ({})", symbol, source.get<std::string>()) : symbol;
}

std::string cpu_list(const nlohmann::json& cpus) {
    if (cpus.empty()) return "-";
    std::string out;
    for (const nlohmann::json& c : cpus)
        out += fmt::format("{}{}", out.empty() ? "" : ",", c.get<u64>());
    return out;
}

void table(std::string& out, const nlohmann::json& lines) {
    out += fmt::format("{:>3}  {:<18} {:>9} {:>9} {:>9} {:>9} {:>11} {:>9}  {:<2}  {}\n", "#", "Cacheline",
                       "HITM", "Inval", "RFO", "Upgrade", "Loads", "Stores", "FS", "Symbol");
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const nlohmann::json& l = lines[i];
        out += fmt::format("{:>3}  {:<18} {:>9} {:>9} {:>9} {:>9} {:>11} {:>9}  {:<2}  {}\n", i,
                           l.at("paddr_hex").get<std::string>(), num(l, "hitm"), num(l, "inv_received"),
                           num(l, "rfos"), num(l, "upgrades"), num(l, "loads"), num(l, "stores"),
                           l.at("false_sharing").get<bool>() ? "FS" : "-", location(l));
    }
}

void distribution(std::string& out, const nlohmann::json& l, const std::string& label) {
    out += fmt::format("\n{} {}  {}{}\n", label, l.at("paddr_hex").get<std::string>(), location(l),
                       l.at("false_sharing").get<bool>() ? "  [false sharing]" : "");
    out += fmt::format("  {:>4} {:>11} {:>9} {:>11} {:>9} {:>8} {:>8} {:>8} {:>8} {:>8} {:>6}  {:<14} {}\n",
                       "CPU", "Loads", "Stores", "Hits", "Misses", "HITM", "RFO", "Upgrade", "InvSent",
                       "InvRecv", "WB", "Read bytes", "Written bytes");
    for (const nlohmann::json& k : l.at("cpus"))
        out +=
            fmt::format("  {:>4} {:>11} {:>9} {:>11} {:>9} {:>8} {:>8} {:>8} {:>8} {:>8} {:>6}  {:<14} {}\n",
                        num(k, "cpu"), num(k, "loads"), num(k, "stores"), num(k, "hits"), num(k, "misses"),
                        num(k, "hitm"), num(k, "rfos"), num(k, "upgrades"), num(k, "inv_sent"),
                        num(k, "inv_received"), num(k, "writebacks"), k.at("read_bytes").get<std::string>(),
                        k.at("write_bytes").get<std::string>());
    if (num(l, "dma_reads") || num(l, "dma_writes"))
        out += fmt::format("  DMA: {} reads, {} writes\n", num(l, "dma_reads"), num(l, "dma_writes"));
    for (const nlohmann::json& f : l.at("fields"))
        out +=
            fmt::format("  bytes {:<8} {:<40} readers {:<8} writers {}\n", f.at("bytes").get<std::string>(),
                        location(f), cpu_list(f.at("readers")), cpu_list(f.at("writers")));
    if (auto code = l.find("code"); code != l.end() && code->is_array() && !code->empty()) {
        out += fmt::format("  {:>11} {:>8} {:>8} {:>8} {:>8}  {:<8} {}\n", "Misses", "HITM", "RFO", "Upgrade",
                           "Stale", "CPUs", "Code address");
        for (const nlohmann::json& c : *code)
            out += fmt::format("  {:>11} {:>8} {:>8} {:>8} {:>8}  {:<8} {}\n", num(c, "misses"),
                               num(c, "hitm"), num(c, "rfos"), num(c, "upgrades"), num(c, "stale_hits"),
                               cpu_list(c.at("cpus")), location(c));
    }
}

} // namespace

C2cCounters C2cLineStats::total() const {
    C2cCounters t;
    for (const C2cCpuStats& c : cpus)
        t += c.counters;
    return t;
}

bool C2cLineStats::false_sharing() const {
    int users = 0;
    bool any_write = false;
    for (const C2cCpuStats& a : cpus) {
        const u64 a_touched = a.counters.read_mask | a.counters.write_mask;
        if (!a_touched) continue;
        ++users;
        any_write |= a.counters.write_mask != 0;
        for (const C2cCpuStats& b : cpus)
            if (b.cpu != a.cpu && (a.counters.write_mask & (b.counters.read_mask | b.counters.write_mask)))
                return false;
    }
    return users >= 2 && any_write;
}

C2cInput parse_line_stats(const nlohmann::json& doc, const std::string& origin) {
    return StatsParser(origin).parse(doc);
}

C2cInput read_line_stats_file(const std::string& path) {
    check_input_file(path, "statistics", kMaxStatsBytes);
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InputError(fmt::format("{}: cannot open the statistics file", path));
    nlohmann::json doc;
    try {
        doc = nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& e) {
        throw InputError(fmt::format("{}: not a JSON file: {}", path, e.what()));
    }
    return parse_line_stats(doc, path);
}

std::string byte_ranges(u64 mask) {
    std::string out;
    for (u32 b = 0; b < 64;) {
        if (!(mask >> b & 1)) {
            ++b;
            continue;
        }
        u32 e = b;
        while (e + 1 < 64 && (mask >> (e + 1) & 1))
            ++e;
        out += fmt::format("{}{}", out.empty() ? "" : ",",
                           b == e ? fmt::format("{}", b) : fmt::format("{}-{}", b, e));
        b = e + 1;
    }
    return out;
}

C2cReport build_c2c(const C2cInput& input, const Symbolizer& symbols, const C2cOptions& options) {
    C2cReport r;
    r.code_addresses = input.code_addresses;
    r.model = input.model;
    r.cpus = input.cpus;
    r.line_size = input.line_size;
    struct Ranked {
        const C2cLineStats* line;
        C2cCounters total;
    };
    std::vector<Ranked> ranked;
    ranked.reserve(input.lines.size());
    for (const C2cLineStats& l : input.lines) {
        const C2cCounters t = l.total();
        ++r.totals.lines;
        r.totals.lines_with_hitm += t.hitm != 0;
        r.totals.false_sharing_lines += l.false_sharing();
        r.totals.dma_reads += l.dma_reads;
        r.totals.dma_writes += l.dma_writes;
        r.totals.counters += t;
        ranked.push_back({&l, t});
    }
    std::vector<Ranked> by_hitm;
    for (const Ranked& x : ranked)
        if (x.total.hitm) by_hitm.push_back(x);
    std::sort(by_hitm.begin(), by_hitm.end(), [](const Ranked& a, const Ranked& b) {
        if (a.total.hitm != b.total.hitm) return a.total.hitm > b.total.hitm;
        if (a.total.inv_received != b.total.inv_received) return a.total.inv_received > b.total.inv_received;
        const u64 ta = a.total.rfos + a.total.upgrades, tb = b.total.rfos + b.total.upgrades;
        if (ta != tb) return ta > tb;
        return a.line->paddr < b.line->paddr;
    });
    std::vector<Ranked> by_inval;
    for (const Ranked& x : ranked)
        if (x.total.inv_received) by_inval.push_back(x);
    std::sort(by_inval.begin(), by_inval.end(), [](const Ranked& a, const Ranked& b) {
        if (a.total.inv_received != b.total.inv_received) return a.total.inv_received > b.total.inv_received;
        if (a.total.hitm != b.total.hitm) return a.total.hitm > b.total.hitm;
        return a.line->paddr < b.line->paddr;
    });
    for (std::size_t i = 0; i < by_hitm.size() && i < options.top; ++i)
        r.by_hitm.push_back(make_c2c_line(*by_hitm[i].line, symbols));
    for (std::size_t i = 0; i < by_inval.size() && i < options.top; ++i)
        r.by_invalidations.push_back(make_c2c_line(*by_inval[i].line, symbols));
    return r;
}

nlohmann::json c2c_json(const C2cReport& r) {
    nlohmann::json j;
    j["schema"] = "smpsim.report.c2c/1";
    j["model"] = r.model;
    j["cpus"] = r.cpus;
    j["line_size"] = r.line_size;
    const C2cCounters& t = r.totals.counters;
    j["totals"] = {{"lines", r.totals.lines},
                   {"lines_with_hitm", r.totals.lines_with_hitm},
                   {"false_sharing_lines", r.totals.false_sharing_lines},
                   {"loads", t.loads},
                   {"stores", t.stores},
                   {"hitm", t.hitm},
                   {"rfos", t.rfos},
                   {"upgrades", t.upgrades},
                   {"invalidations", t.inv_received},
                   {"writebacks", t.writebacks},
                   {"dma_reads", r.totals.dma_reads},
                   {"dma_writes", r.totals.dma_writes}};
    nlohmann::json by_hitm = nlohmann::json::array();
    for (std::size_t i = 0; i < r.by_hitm.size(); ++i)
        by_hitm.push_back(c2c_line_json(r.by_hitm[i], i));
    j["by_hitm"] = std::move(by_hitm);
    nlohmann::json by_inval = nlohmann::json::array();
    for (std::size_t i = 0; i < r.by_invalidations.size(); ++i)
        by_inval.push_back(c2c_line_json(r.by_invalidations[i], i));
    j["by_invalidations"] = std::move(by_inval);
    j["code_addresses"] = r.code_addresses;
    j["notes"] = {
        r.code_addresses
            ? "code: the instructions whose accesses missed (HITM, RFO, upgrade) or read the line stale; "
              "hits are not attributed"
            : "code: the line statistics do not record which instructions touched a line",
        "symbols: physical addresses are taken as the guest's virtual addresses (identity-mapped "
        "kernel); per-CPU copies of DEFINE_PER_CPU data are not named"};
    return j;
}

std::string c2c_text(const C2cReport& r) {
    return c2c_text_from_json(c2c_json(r));
}

std::string c2c_text_from_json(const nlohmann::json& c2c) {
    std::string out;
    const nlohmann::json& t = c2c.at("totals");
    const std::string model = c2c.at("model").get<std::string>();
    out += kRule;
    out += "            Cache Line Statistics (smpsim c2c)\n";
    out += kRule;
    out += fmt::format("  {:<34}: {} ({} CPUs)\n", "Memory model", model.empty() ? "?" : model,
                       num(c2c, "cpus"));
    out += fmt::format("  {:<34}: {}\n", "Cache lines touched", num(t, "lines"));
    out += fmt::format("  {:<34}: {}\n", "Lines with HITM", num(t, "lines_with_hitm"));
    out += fmt::format("  {:<34}: {}\n", "False-sharing lines", num(t, "false_sharing_lines"));
    out += fmt::format("  {:<34}: {}\n", "Loads", num(t, "loads"));
    out += fmt::format("  {:<34}: {}\n", "Stores", num(t, "stores"));
    out += fmt::format("  {:<34}: {}\n", "HITM (hits in a remote Modified)", num(t, "hitm"));
    out += fmt::format("  {:<34}: {}\n", "RFOs", num(t, "rfos"));
    out += fmt::format("  {:<34}: {}\n", "Upgrades (S -> M)", num(t, "upgrades"));
    out += fmt::format("  {:<34}: {}\n", "Invalidations (copies)", num(t, "invalidations"));
    out += fmt::format("  {:<34}: {}\n", "Write-backs", num(t, "writebacks"));
    out += fmt::format("  {:<34}: {} reads, {} writes\n", "DMA", num(t, "dma_reads"), num(t, "dma_writes"));
    out += "\n";
    out += kRule;
    out += "            Shared Data Cache Line Table (by HITM)\n";
    out += kRule;
    table(out, c2c.at("by_hitm"));
    out += "\n";
    out += kRule;
    out += "            Shared Data Cache Line Table (by invalidations)\n";
    out += kRule;
    table(out, c2c.at("by_invalidations"));
    out += "\n";
    out += kRule;
    out += "            Shared Cache Line Distribution\n";
    out += kRule;
    const nlohmann::json& by_hitm = c2c.at("by_hitm");
    for (std::size_t i = 0; i < by_hitm.size(); ++i)
        distribution(out, by_hitm[i], fmt::format("HITM #{}", i));
    const nlohmann::json& by_inval = c2c.at("by_invalidations");
    for (std::size_t i = 0; i < by_inval.size(); ++i) {
        const u64 paddr = num(by_inval[i], "paddr");
        if (std::none_of(by_hitm.begin(), by_hitm.end(),
                         [&](const nlohmann::json& l) { return num(l, "paddr") == paddr; }))
            distribution(out, by_inval[i], fmt::format("Inval #{}", i));
    }
    out += "\nFS: false sharing (several CPUs, no CPU's writes overlap another's accesses). Inval: copies\n"
           "of the line invalidated in some L1. ";
    out +=
        c2c.at("code_addresses").get<bool>()
            ? "Code addresses: the instructions whose accesses missed or read\nthe line stale (hits are not "
              "attributed).\n"
            : "Code addresses are not recorded by the line statistics.\n";
    return out;
}

} // namespace smpsim::report
