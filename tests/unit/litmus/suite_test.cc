// Parses and assembles every third-party litmus test in ../shared/litmus/x86 and checks each against
// VERDICTS.tsv (architecture, quantifier and the condition itself). The folder is not part of the
// repository: without it the tests are skipped with a message.
#include "sim/core/error.h"
#include "sim/litmus/assembler.h"
#include "sim/litmus/parser.h"

#include <Zydis/Zydis.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#ifndef SMPSIM_SHARED_LITMUS_DIR
#define SMPSIM_SHARED_LITMUS_DIR ""
#endif

namespace smpsim::litmus {
namespace {

namespace fs = std::filesystem;

constexpr size_t kExpectedTests = 548;

// $SMPSIM_SHARED_LITMUS overrides the path compiled in (${PROJECT_SOURCE_DIR}/../shared/litmus).
fs::path suite_dir() {
    const char* env = std::getenv("SMPSIM_SHARED_LITMUS");
    return fs::path(env && *env ? env : SMPSIM_SHARED_LITMUS_DIR) / "x86";
}

struct Verdict {
    std::string name, file, condition, arch, quantifier, observation;
};

std::vector<Verdict> read_verdicts(const fs::path& tsv) {
    std::vector<Verdict> out;
    std::ifstream in(tsv);
    std::string line;
    std::getline(in, line); // header
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        std::vector<std::string> f;
        std::stringstream ss(line);
        std::string cell;
        while (std::getline(ss, cell, '\t'))
            f.push_back(cell);
        if (f.size() < 7) {
            ADD_FAILURE() << "VERDICTS.tsv: short line: " << line;
            continue;
        }
        out.push_back({f[0], f[1], f[3], f[4], f[5], f[6]});
    }
    return out;
}

// Spaces and case do not matter when comparing conditions (VERDICTS writes X86_64 registers in lower case).
std::string normalise(const std::string& s) {
    std::string out;
    for (char c : s)
        if (!std::isspace(static_cast<unsigned char>(c)))
            out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

class LitmusSuite : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = suite_dir();
        if (!fs::exists(dir_ / "VERDICTS.tsv"))
            GTEST_SKIP() << "litmus suite not found at " << dir_.string()
                         << " (../shared/litmus is not present; set SMPSIM_SHARED_LITMUS to its path)";
    }
    fs::path dir_;
};

TEST_F(LitmusSuite, CountMatchesVerdicts) {
    std::vector<Verdict> verdicts = read_verdicts(dir_ / "VERDICTS.tsv");
    EXPECT_EQ(verdicts.size(), kExpectedTests);
    std::set<std::string> listed;
    for (const Verdict& v : verdicts)
        listed.insert(v.file);
    EXPECT_EQ(listed.size(), verdicts.size()) << "a file is listed twice in VERDICTS.tsv";
    size_t files = 0;
    for (const auto& e : fs::recursive_directory_iterator(dir_)) {
        if (e.path().extension() != ".litmus") continue;
        ++files;
        std::string rel = fs::relative(e.path(), dir_).generic_string();
        EXPECT_TRUE(listed.count(rel)) << rel << " is not listed in VERDICTS.tsv";
    }
    EXPECT_EQ(files, kExpectedTests);
}

TEST_F(LitmusSuite, EveryFileParsesAndAssembles) {
    std::vector<Verdict> verdicts = read_verdicts(dir_ / "VERDICTS.tsv");
    size_t ok = 0;
    std::vector<std::string> failures;
    for (const Verdict& v : verdicts) {
        fs::path path = dir_ / v.file;
        try {
            LitmusTest t = parse_litmus_file(path.string());
            std::vector<std::string> problems;
            if (arch_name(t.arch) != v.arch) problems.push_back(std::string("arch ") + arch_name(t.arch));
            if (quantifier_name(t.quantifier) != v.quantifier)
                problems.push_back(std::string("quantifier ") + quantifier_name(t.quantifier) +
                                   ", VERDICTS.tsv says " + v.quantifier);
            if (normalise(t.condition_str()) != normalise(v.condition))
                problems.push_back("condition " + t.condition_str() + ", VERDICTS.tsv says " + v.condition);
            if (t.threads.empty()) problems.push_back("no threads");
            AssembledTest a = assemble(t, default_layout(t));
            size_t insns = 0, bytes = 0;
            for (size_t i = 0; i < a.threads.size(); ++i) {
                bytes += a.threads[i].code.size();
                for (const AssembledInsn& in : a.threads[i].insns)
                    insns += !in.text.empty();
                if (a.threads[i].insns.size() != t.threads[i].code.size())
                    problems.push_back("instruction count");
            }
            if (insns == 0 || bytes == 0) problems.push_back("no code");
            // The code decodes back instruction by instruction at the recorded offsets, with 64-bit
            // addressing only.
            ZydisDecoder dec;
            ZydisDecoderInit(&dec, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
            for (const AssembledThread& th : a.threads)
                for (const AssembledInsn& in : th.insns) {
                    if (in.text.empty()) continue;
                    ZydisDecodedInstruction d;
                    if (!ZYAN_SUCCESS(ZydisDecoderDecodeInstruction(&dec, nullptr, th.code.data() + in.offset,
                                                                    th.code.size() - in.offset, &d)) ||
                        d.length != in.length || (d.attributes & ZYDIS_ATTRIB_HAS_ADDRESSSIZE))
                        problems.push_back("'" + in.text + "' does not decode back");
                }
            if (a.observed.size() != t.observed.size()) problems.push_back("observed cells");
            if (!problems.empty()) {
                std::string msg = v.file + ":";
                for (const auto& p : problems)
                    msg += " " + p + ";";
                failures.push_back(msg);
                continue;
            }
            ++ok;
        } catch (const InputError& e) {
            failures.push_back(e.what());
        }
    }
    std::string all;
    for (const auto& f : failures)
        all += "  " + f + "\n";
    EXPECT_TRUE(failures.empty()) << failures.size() << " of " << verdicts.size() << " tests fail:\n" << all;
    EXPECT_EQ(ok, kExpectedTests);
    std::printf("[ litmus   ] %zu of %zu tests parse and assemble\n", ok, verdicts.size());
}

} // namespace
} // namespace smpsim::litmus
