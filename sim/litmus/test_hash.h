// herd7's test hash: the `Hash=` line of herd7 and litmus7 logs, which herdtools' log tools (mcompare7,
// msum7...) use to check that two logs ran the same test.
//
// herd computes it as the hex MD5 of the concatenated raw MD5 digests of three normalised texts (facts
// read from herdtools7's lib/testHash.ml; no code is taken from it):
//  - the initial state: one item per declaration of the `{...}` block, sorted (registers by thread and
//    name as written, then variables by name), duplicates dropped, joined by "; ". An item is
//    `LOC=VALUE` (the value as written, 0 if none), `TYPE LOC=VALUE` when typed, `TYPE *LOC=VALUE` for a
//    pointer type and `TYPE LOC[N]` for an array;
//  - the code: herd's printing of each instruction (X86: Intel, upper case, `$` before immediates;
//    X86_64: AT&T, lower case), labels renamed L00, L01... in sorted order, as herd's table: one line
//    per row, each thread a column padded to its widest entry, cells " %-*s " joined by "|", lines ending
//    in ";\n"; empty cells are dropped and a label is an entry of its own;
//  - the observed locations: those of `locations [...]` and of the final condition (not the filter),
//    sorted as herd does, joined by "; ".
// A test that carries its own `Hash=` metadata line keeps it, as herd does.
//
// Checked against herd7's logs of herdtools7's X86_64 instruction tests (all ten in ../shared match);
// no herd7 log of an X86 (Intel syntax) test with its hash was available, so X86 hashes follow herd's
// printer as read from its source but are unverified.
#pragma once
#include "sim/litmus/litmus_test.h"

#include <string>
#include <string_view>

namespace smpsim::litmus {

// The 32 hex digits of the MD5 digest of `data` (RFC 1321).
std::string md5_hex(std::string_view data);

// The test's hash as herd7 prints it on its `Hash=` line.
std::string herd_hash(const LitmusTest& test);

// The three normalised texts the hash digests (exposed for tests and for debugging a mismatch).
std::string hash_init_text(const LitmusTest& test);
std::string hash_code_text(const LitmusTest& test);
std::string hash_observed_text(const LitmusTest& test);

} // namespace smpsim::litmus
