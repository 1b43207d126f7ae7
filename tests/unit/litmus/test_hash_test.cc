// herd7's test hash: MD5 against RFC 1321's test vectors, the normalised texts of a small inline test, and
// the hashes herd7 itself printed for herdtools7's X86_64 instruction tests (the `.expected` logs in
// ../shared/litmus/x86/herdtools7/instructions-X86_64; skipped with a message when absent).
#include "sim/litmus/parser.h"
#include "sim/litmus/test_hash.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#ifndef SMPSIM_SHARED_LITMUS_DIR
#define SMPSIM_SHARED_LITMUS_DIR ""
#endif

namespace smpsim::litmus {
namespace {

namespace fs = std::filesystem;

TEST(LitmusHash, Md5MatchesRfc1321) {
    EXPECT_EQ(md5_hex(""), "d41d8cd98f00b204e9800998ecf8427e");
    EXPECT_EQ(md5_hex("a"), "0cc175b9c0f1b6a831c399e269772661");
    EXPECT_EQ(md5_hex("abc"), "900150983cd24fb0d6963f7d28e17f72");
    EXPECT_EQ(md5_hex("message digest"), "f96b697d7cb7938d525a2f31aaf161d0");
    EXPECT_EQ(md5_hex("abcdefghijklmnopqrstuvwxyz"), "c3fcd3d76192e4007dfb496cca67e13b");
    EXPECT_EQ(md5_hex("12345678901234567890123456789012345678901234567890123456789012345678901234567890"),
              "57edf4a22be3c955ac49da2e2107b67a");
}

// herd's code table: one line per row, each column padded to its widest cell, " cell " joined by "|".
std::string table(const std::vector<std::vector<std::string>>& columns) {
    size_t rows = 0;
    for (const auto& c : columns)
        rows = std::max(rows, c.size());
    std::string out;
    for (size_t r = 0; r < rows; ++r) {
        for (size_t c = 0; c < columns.size(); ++c) {
            size_t width = 0;
            for (const auto& s : columns[c])
                width = std::max(width, s.size());
            std::string cell = r < columns[c].size() ? columns[c][r] : "";
            cell.resize(width, ' ');
            out += (c ? "|" : "") + (" " + cell + " ");
        }
        out += ";\n";
    }
    return out;
}

TEST(LitmusHash, NormalisedTextsOfAnAttTest) {
    const LitmusTest t = parse_litmus(R"(X86_64 T
{ uint64_t y; 1:RBX=0x10; [x]=0; int* p=x; }
  P0             | P1              ;
 lock addl $0x2,(x) | L1: movq (y),%RAX ;
 movl $1,8(%rbx)  | jne L1          ;
                 | movq 0(%rax,%rbx,8),%rcx ;
locations [0:rax;]
exists (1:RAX=1 /\ y=2)
)",
                                      "t.litmus");
    EXPECT_EQ(hash_init_text(t), "1:RBX=0x10; int *p=x; x=0; uint64_t y=0");
    EXPECT_EQ(hash_code_text(t), table({{"lock; addl $2,(x)", "movl $1,8(%rbx)"},
                                        {"L00:", "movq (y),%rax", "jne L00", "movq (%rax, %rbx,8),%rcx"}}));
    EXPECT_EQ(hash_code_text(t).substr(0, 30), " lock; addl $2,(x) | L00:     ");
    EXPECT_EQ(hash_observed_text(t), "0:rax; 1:RAX; y");
}

TEST(LitmusHash, IntelTestFollowsHerdsX86Printer) {
    const LitmusTest t = parse_litmus("X86 I\n{ x=0; 0:EAX=1; }\n P0 ;\n MOV [x],$1 ;\n INC [x] ;\n"
                                      " LOCK XCHG [x],EAX ;\n MFENCE ;\nexists (0:EAX=0)\n",
                                      "i.litmus");
    EXPECT_EQ(hash_code_text(t), table({{"MOV [x],$1", "INC  [x]", "LOCK; XCHG [x],EAX", "MFENCE"}}));
}

TEST(LitmusHash, AHashGivenInTheTestIsKept) {
    const LitmusTest t = parse_litmus("X86 H\nHash=0123456789abcdef0123456789abcdef\n{ x=0; }\n P0 ;\n"
                                      " MOV EAX,[x] ;\nexists (0:EAX=0)\n",
                                      "h.litmus");
    EXPECT_EQ(herd_hash(t), "0123456789abcdef0123456789abcdef");
}

TEST(LitmusHash, SameAsHerd7OnHerdtoolsInstructionTests) {
    const char* env = std::getenv("SMPSIM_SHARED_LITMUS");
    const fs::path dir =
        fs::path(env && *env ? env : SMPSIM_SHARED_LITMUS_DIR) / "x86" / "herdtools7" / "instructions-X86_64";
    if (!fs::is_directory(dir)) GTEST_SKIP() << dir << " not found (the shared litmus suites are absent)";
    size_t compared = 0;
    for (const auto& e : fs::directory_iterator(dir)) {
        const std::string path = e.path().string();
        if (e.path().extension() != ".expected") continue;
        std::ifstream in(path);
        std::string line, hash;
        while (std::getline(in, line))
            if (line.rfind("Hash=", 0) == 0) hash = line.substr(5);
        if (hash.empty()) continue;
        const std::string litmus = path.substr(0, path.size() - std::string(".expected").size());
        const LitmusTest t = parse_litmus_file(litmus);
        EXPECT_EQ(herd_hash(t), hash) << litmus << "\ninit: " << hash_init_text(t) << "\ncode:\n"
                                      << hash_code_text(t) << "observed: " << hash_observed_text(t);
        ++compared;
    }
    EXPECT_GE(compared, 10u);
}

} // namespace
} // namespace smpsim::litmus
