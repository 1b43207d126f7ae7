// The log categories: parsing `--log`, once-per-cause printing, counting of what is not printed.
#include "sim/core/error.h"
#include "sim/core/log.h"

#include <gtest/gtest.h>

#include <sstream>

namespace {

using smpsim::log::Category;
using smpsim::log::Logger;
using smpsim::log::mask_of;
using smpsim::log::parse_categories;

TEST(LogCategories, ParsesNamesAllAndNone) {
    EXPECT_EQ(parse_categories("dma"), mask_of(Category::Dma));
    EXPECT_EQ(parse_categories("guest-errors,unimp"),
              mask_of(Category::GuestErrors) | mask_of(Category::Unimp));
    EXPECT_EQ(parse_categories("all"), (1u << unsigned(Category::Count)) - 1);
    EXPECT_EQ(parse_categories("none"), 0u);
    EXPECT_EQ(parse_categories("all,none,irq"), mask_of(Category::Irq));
    EXPECT_EQ(parse_categories(",dma,,"), mask_of(Category::Dma));
}

TEST(LogCategories, UnknownNameIsAnInputErrorListingTheKnownOnes) {
    try {
        parse_categories("dma,bogus");
        FAIL() << "no error";
    } catch (const smpsim::InputError& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("'bogus'"), std::string::npos) << what;
        EXPECT_NE(what.find("guest-errors"), std::string::npos) << what;
    }
}

TEST(Logger, PrintsTheFirstOccurrenceOfEachCauseAndCountsAll) {
    std::ostringstream out;
    Logger logger;
    logger.configure(mask_of(Category::Dma), false, &out);
    for (int i = 0; i < 3; ++i)
        logger.report(Category::Dma, "read to nowhere", "read at {:#x}", 0x1000 + i);
    logger.report(Category::Dma, "write to nowhere", "write at {:#x}", 0x2000);
    logger.report(Category::Irq, "message to nowhere", "not printed: irq is off");
    EXPECT_EQ(out.str(), "smpsim: dma: read at 0x1000\nsmpsim: dma: write at 0x2000\n");
    EXPECT_EQ(logger.count(Category::Dma, "read to nowhere"), 3u);
    EXPECT_EQ(logger.count(Category::Irq, "message to nowhere"), 1u);
    EXPECT_EQ(logger.count(Category::Irq, "never seen"), 0u);
    out.str("");
    logger.print_repeats();
    EXPECT_EQ(out.str(), "smpsim: log: dma: read to nowhere: 3 times (2 not printed)\n");
}

TEST(Logger, EveryOccurrenceModePrintsRepeats) {
    std::ostringstream out;
    Logger logger;
    logger.configure(mask_of(Category::Unimp), true, &out);
    logger.report(Category::Unimp, "x", "one");
    logger.report(Category::Unimp, "x", "two");
    EXPECT_EQ(out.str(), "smpsim: unimp: one\nsmpsim: unimp: two\n");
    out.str("");
    logger.print_repeats();
    EXPECT_EQ(out.str(), "");
}

TEST(Logger, CountsAreOrderedByCategoryThenCause) {
    Logger logger;
    logger.configure(0, false, nullptr);
    logger.report(Category::Irq, "b", "-");
    logger.report(Category::Dma, "z", "-");
    logger.report(Category::Irq, "a", "-");
    const auto counts = logger.counts();
    ASSERT_EQ(counts.size(), 3u);
    EXPECT_EQ(counts[0].category, Category::Dma);
    EXPECT_EQ(counts[1].cause, "a");
    EXPECT_EQ(counts[2].cause, "b");
}

TEST(Logger, ResetRestoresTheDefaults) {
    Logger logger;
    logger.configure(0, true, nullptr);
    logger.report(Category::Dma, "x", "-");
    logger.reset();
    EXPECT_TRUE(logger.enabled(Category::Unimp));
    EXPECT_TRUE(logger.enabled(Category::GuestErrors));
    EXPECT_FALSE(logger.enabled(Category::Dma));
    EXPECT_TRUE(logger.counts().empty());
}

} // namespace
