// Diagnostics through categories the user switches on (`--log guest-errors,unimp,dma,...`, in the spirit
// of QEMU's `-d`). Every occurrence is counted, whether its category is on or not, so summaries can say
// how often something happened; a message is printed only when its category is on, and only the first
// time for each cause (a cause is the kind of event, e.g. "unknown register read", not its address),
// unless every occurrence was asked for. The counts of repeated causes are printed at the end.
#pragma once
#include "sim/core/types.h"

#include <fmt/format.h>

#include <map>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace smpsim::log {

enum class Category : u8 {
    GuestErrors, // the guest did something a real machine would not like (bad register values, bad DMA)
    Unimp,       // the guest used something smpsim does not model (instructions, registers)
    Dma,         // device bus-master accesses that reached no memory
    Mmio,        // CPU accesses to physical addresses with nothing behind them
    Irq,         // interrupt delivery oddities (messages to nowhere, spurious vectors)
    Pci,         // PCI configuration accesses to absent functions or registers
    Count,
};

struct CategoryInfo {
    std::string_view name;
    std::string_view help;
};

// Every category, indexed by Category.
std::span<const CategoryInfo> categories();
using CategoryMask = u32;
constexpr CategoryMask mask_of(Category c) {
    return CategoryMask(1) << unsigned(c);
}
// The categories on when the user names none: what a user would want to hear about at least once.
constexpr CategoryMask kDefaultCategories = mask_of(Category::GuestErrors) | mask_of(Category::Unimp);

// Parses a comma-separated list of category names, `all` or `none`. Throws InputError naming an unknown
// category and listing the known ones.
CategoryMask parse_categories(std::string_view list);
// One line a category, for --help.
std::string categories_help();

struct CauseCount {
    Category category;
    std::string cause;
    u64 count;
};

class Logger {
  public:
    // Which categories print, whether every occurrence prints, and where messages go (stderr if null).
    void configure(CategoryMask enabled, bool every_occurrence, std::ostream* out = nullptr);
    bool enabled(Category c) const { return (enabled_ & mask_of(c)) != 0; }

    // Counts one occurrence of `cause`; returns whether its message should be printed now.
    bool note(Category c, std::string_view cause);
    void print(Category c, std::string_view message);

    // Counts one occurrence and prints the formatted message if it should be printed.
    template <typename... Args>
    void report(Category c, std::string_view cause, fmt::format_string<Args...> format, Args&&... args) {
        if (note(c, cause)) print(c, fmt::format(format, std::forward<Args>(args)...));
    }

    // Every cause seen, in category then cause order (deterministic), with its count.
    std::vector<CauseCount> counts() const;
    u64 count(Category c, std::string_view cause) const;
    // Prints "smpsim: log: CATEGORY: CAUSE: N times (N-1 not printed)" for each cause of an enabled
    // category that occurred more often than it was printed.
    void print_repeats() const;
    // Forgets every count and restores the defaults (tests, and each new run in one process).
    void reset();

  private:
    CategoryMask enabled_ = kDefaultCategories;
    bool every_ = false;
    std::ostream* out_ = nullptr;
    // Ordered by category, then cause; transparent so a lookup needs no std::string.
    struct CauseLess {
        using is_transparent = void;
        template <typename A, typename B> bool operator()(const A& a, const B& b) const {
            return a.first != b.first ? a.first < b.first
                                      : std::string_view(a.second) < std::string_view(b.second);
        }
    };
    std::map<std::pair<Category, std::string>, u64, CauseLess> counts_;
};

// The process's logger: a simulation runs on one thread (SystemC), so one instance serves every model.
Logger& logger();

} // namespace smpsim::log
