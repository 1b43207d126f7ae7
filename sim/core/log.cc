#include "sim/core/log.h"

#include "sim/core/error.h"

#include <array>
#include <iostream>

namespace smpsim::log {

namespace {
constexpr std::array<CategoryInfo, size_t(Category::Count)> kCategories{{
    {"guest-errors", "the guest misprogrammed a device or the machine (on by default)"},
    {"unimp", "the guest used an instruction or register smpsim does not model (on by default)"},
    {"dma", "device DMA that reached no memory (master abort / unsupported request)"},
    {"mmio", "CPU accesses to physical addresses with nothing behind them"},
    {"irq", "interrupt messages to nowhere and other delivery oddities"},
    {"pci", "configuration accesses to absent PCI functions"},
}};
} // namespace

std::span<const CategoryInfo> categories() {
    return kCategories;
}

CategoryMask parse_categories(std::string_view list) {
    CategoryMask mask = 0;
    while (!list.empty()) {
        const size_t comma = list.find(',');
        const std::string_view name = list.substr(0, comma);
        list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
        if (name.empty()) continue;
        if (name == "all") {
            mask = mask_of(Category::Count) - 1;
            continue;
        }
        if (name == "none") {
            mask = 0;
            continue;
        }
        bool found = false;
        for (size_t i = 0; i < kCategories.size(); ++i)
            if (kCategories[i].name == name) {
                mask |= mask_of(Category(i));
                found = true;
            }
        if (!found) {
            std::string known;
            for (const CategoryInfo& info : kCategories)
                known += fmt::format("{}{}", known.empty() ? "" : ", ", info.name);
            throw InputError(fmt::format("--log: unknown category '{}' (known: {}, all, none)", name, known));
        }
    }
    return mask;
}

std::string categories_help() {
    std::string text;
    for (const CategoryInfo& info : kCategories)
        text += fmt::format("  {:<13} {}\n", info.name, info.help);
    return text;
}

void Logger::configure(CategoryMask enabled, bool every_occurrence, std::ostream* out) {
    enabled_ = enabled;
    every_ = every_occurrence;
    out_ = out;
}

bool Logger::note(Category c, std::string_view cause) {
    auto it = counts_.find(std::pair<Category, std::string_view>(c, cause));
    if (it == counts_.end()) it = counts_.emplace(std::pair(c, std::string(cause)), 0).first;
    const u64 n = ++it->second;
    return enabled(c) && (every_ || n == 1);
}

void Logger::print(Category c, std::string_view message) {
    std::ostream& out = out_ ? *out_ : std::cerr;
    out << "smpsim: " << kCategories[size_t(c)].name << ": " << message << "\n";
}

std::vector<CauseCount> Logger::counts() const {
    std::vector<CauseCount> result;
    for (const auto& [key, n] : counts_)
        result.push_back({key.first, key.second, n});
    return result;
}

u64 Logger::count(Category c, std::string_view cause) const {
    const auto it = counts_.find(std::pair<Category, std::string_view>(c, cause));
    return it == counts_.end() ? 0 : it->second;
}

void Logger::print_repeats() const {
    if (every_) return;
    std::ostream& out = out_ ? *out_ : std::cerr;
    for (const auto& [key, n] : counts_)
        if (enabled(key.first) && n > 1)
            out << fmt::format("smpsim: log: {}: {}: {} times ({} not printed)\n",
                               kCategories[size_t(key.first)].name, key.second, n, n - 1);
}

void Logger::reset() {
    *this = Logger{};
}

Logger& logger() {
    static Logger instance;
    return instance;
}

} // namespace smpsim::log
