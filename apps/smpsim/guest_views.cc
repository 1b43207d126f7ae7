#include "apps/smpsim/guest_views.h"

#include <charconv>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace smpsim::app {

namespace {

std::vector<std::string> console_lines(std::string_view console) {
    std::vector<std::string> lines;
    size_t start = 0;
    while (start < console.size()) {
        size_t end = console.find('\n', start);
        if (end == std::string_view::npos) end = console.size();
        std::string line(console.substr(start, end - start));
        while (!line.empty() && line.back() == '\r')
            line.pop_back();
        if (line.starts_with("~ ")) line.erase(0, 2);
        lines.push_back(std::move(line));
        start = end + 1;
    }
    return lines;
}

bool is_conntrack_entry(const std::string& line) {
    static const std::regex entry(R"(^[a-z0-9]+ +[0-9]+ [0-9]+ .*use=[0-9]+$)");
    return std::regex_match(line, entry);
}

} // namespace

nlohmann::json conntrack_json_from_console(std::string_view console) {
    const std::vector<std::string> lines = console_lines(console);
    nlohmann::json ct = nlohmann::json::object();
    bool any = false;
    nlohmann::json table = nlohmann::json::array(), events = nlohmann::json::array();
    static const std::regex event(R"(^\[(NEW|UPDATE|DESTROY)\] .*)");
    static const std::regex prerouting(
        R"(^prerouting ct state packets: new=([0-9]+) established=([0-9]+) related=([0-9]+) invalid=([0-9]+) untracked=([0-9]+)\s*$)");
    for (size_t i = 0; i < lines.size(); ++i) {
        const std::string& line = lines[i];
        std::smatch m;
        if (line == "/proc/net/nf_conntrack:") {
            any = true;
            table = nlohmann::json::array();
            while (i + 1 < lines.size() && is_conntrack_entry(lines[i + 1]))
                table.push_back(lines[++i]);
        } else if (std::regex_match(line, event)) {
            events.push_back(line);
        } else if (std::regex_match(line, m, prerouting)) {
            any = true;
            const char* names[] = {"new", "established", "related", "invalid", "untracked"};
            nlohmann::json counts = nlohmann::json::object();
            for (size_t k = 0; k < 5; ++k)
                counts[names[k]] = std::stoull(m[k + 1].str());
            ct["prerouting"] = counts;
        } else if (line == "/proc/net/stat/nf_conntrack:" && i + 1 < lines.size()) {
            // A header of column names, then one line of hex fields per CPU.
            std::vector<std::string> names;
            std::istringstream header(lines[++i]);
            for (std::string name; header >> name;)
                names.push_back(name);
            nlohmann::json per_cpu = nlohmann::json::array();
            while (i + 1 < lines.size()) {
                std::istringstream row(lines[i + 1]);
                std::vector<unsigned long long> values;
                for (std::string field; row >> field;) {
                    unsigned long long value = 0;
                    const auto [end, ec] =
                        std::from_chars(field.data(), field.data() + field.size(), value, 16);
                    if (ec != std::errc() || end != field.data() + field.size()) {
                        values.clear();
                        break;
                    }
                    values.push_back(value);
                }
                if (values.size() != names.size() || names.empty()) break;
                nlohmann::json cpu = nlohmann::json::object();
                for (size_t k = 0; k < names.size(); ++k)
                    cpu[names[k]] = values[k];
                per_cpu.push_back(cpu);
                ++i;
            }
            ct["stat_per_cpu"] = per_cpu;
        } else if (line.starts_with("Ip: ") && i + 1 < lines.size() && lines[i + 1].starts_with("Ip: ")) {
            std::istringstream names(line), values(lines[i + 1]);
            std::string name, value;
            while (names >> name && values >> value)
                if (name == "ForwDatagrams") ct["forwarded"] = std::stoull(value);
        }
    }
    if (!any) return nullptr;
    ct["table"] = table;
    ct["entries"] = table.size();
    ct["events"] = events;
    return ct;
}

} // namespace smpsim::app
