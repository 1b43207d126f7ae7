// A first c2c report, in the spirit of `perf c2c report`: the Shared Data Cache Line Table built from the
// per-cache-line statistics of the timing mode (the JSON that `smpsim boot --model tso --stats FILE`
// writes, schema "smpsim.cache_mesi.lines/1", described in sim/cache_mesi/line_stats.h), with each line's
// guest data symbols. docs/REPORTS.md describes the output.
//
// The report reads the statistics file, not the cache classes: it depends on the file's schema only.
// The guest is identity-mapped (guest/README.md), so a line's physical address is the kernel image's
// virtual address that the symbolizer knows.
//
// JSON (c2c_json), one object:
//   { "schema": "smpsim.report.c2c/1",
//     "model": "tso", "cpus": 4, "line_size": 64,
//     "totals": { "lines", "lines_with_hitm", "false_sharing_lines", "loads", "stores", "hitm", "rfos",
//                 "upgrades", "invalidations", "writebacks", "dma_reads", "dma_writes" },
//     "by_hitm": [ LINE... ],           // lines with HITM, most first (ties: invalidations, RFOs+upgrades,
//                                       // address)
//     "by_invalidations": [ LINE... ],  // lines whose copies were invalidated, most first (ties: HITM,
//                                       // address)
//     "code_addresses": true | false,   // the line statistics recorded the instructions behind misses
//     "notes": [ "..." ] }
//   LINE = { "rank": 0, "paddr": 1300224, "paddr_hex": "0x13d700",
//            "symbol": "seq_torn+0x0", "source": "guest/kernel/test_seqlock.c:20" | null,
//            "false_sharing": false,
//            "loads", "stores", "hits", "misses", "hitm", "rfos", "upgrades", "invalidations" (copies of the
//            line invalidated: inv_received summed over the CPUs), "inv_sent", "writebacks", "stale_hits",
//            "sb_stall_cycles", "dma_reads", "dma_writes",
//            "cpus": [ { "cpu": 0, "loads", "stores", "hits", "misses", "hitm", "rfos", "upgrades",
//                        "inv_sent", "inv_received", "writebacks", "stale_hits", "sb_stall_cycles",
//                        "read_bytes": "0-3,8", "write_bytes": "8" } ],
//            "fields": [ { "symbol": "seq_lock+0x0", "source": "guest/...:N" | null,
//                          "first_byte": 32, "last_byte": 39, "bytes": "32-39",
//                          "readers": [0, 1], "writers": [1] } ],
//            "code": [ { "rip": 1052672, "rip_hex": "0x101000", "symbol": "spin_lock+0x12",
//                        "source": "guest/...:N" | null, "cpus": [0, 2], "misses", "hitm", "rfos",
//                        "upgrades", "stale_hits" } ] }   // most HITM first (then misses, address)
#pragma once
#include "sim/cache_mesi/line_stats.h"
#include "sim/core/types.h"
#include "sim/report/symbols.h"

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

namespace smpsim::report {

// The counters of one CPU on one line, as the statistics file has them: the cache model's own struct
// (its operator+= sums them, takes the max of iq_depth_max and ORs the byte masks).
using C2cCounters = cache_mesi::CpuLineStats;

struct C2cCpuStats {
    u32 cpu = 0;
    C2cCounters counters;
};

// The instructions behind one line's misses and stale reads, per CPU (the file's "code" list).
struct C2cCodeStats {
    u64 rip = 0;
    u32 cpu = 0;
    u64 misses = 0, hitm = 0, rfos = 0, upgrades = 0, stale_hits = 0;
};

struct C2cLineStats {
    u64 paddr = 0;
    u64 dma_reads = 0;
    u64 dma_writes = 0;
    std::vector<C2cCodeStats> code;
    std::vector<C2cCpuStats> cpus; // the CPUs the file lists for the line
    C2cCounters total() const;
    // Several CPUs touched the line, someone wrote it, and no CPU's writes overlap another CPU's reads or
    // writes: the CPUs share the line but not its bytes (the rule of LineStats::false_sharing()).
    bool false_sharing() const;
};

struct C2cInput {
    bool code_addresses = false; // some line has a "code" list
    std::string model;
    u32 cpus = 0;
    u32 line_size = 64;
    std::vector<C2cLineStats> lines;
};

// Reads the statistics JSON; InputError naming `origin` for anything but a "smpsim.cache_mesi.lines/1"
// document.
C2cInput parse_line_stats(const nlohmann::json& doc, const std::string& origin);
C2cInput read_line_stats_file(const std::string& path);

// The bytes of a line that belong to one symbol (or to no symbol), and who touched them.
struct C2cField {
    Symbolization symbol; // of the first touched byte
    u32 first_byte = 0;
    u32 last_byte = 0;
    u64 bytes = 0; // mask of the touched bytes of this field
    std::vector<u32> readers;
    std::vector<u32> writers;
};

// One code address of a line, over the CPUs that ran it, named by the guest's symbols.
struct C2cCode {
    Symbolization symbol;
    std::vector<u32> cpus;
    u64 misses = 0, hitm = 0, rfos = 0, upgrades = 0, stale_hits = 0;
};

struct C2cLine {
    std::vector<C2cCode> code; // most HITM first, then misses, then address
    C2cLineStats stats;
    C2cCounters total;
    Symbolization symbol; // of the line's first byte, or of its first touched byte with a symbol
    bool false_sharing = false;
    std::vector<C2cField> fields;
};

struct C2cTotals {
    u64 lines = 0;
    u64 lines_with_hitm = 0;
    u64 false_sharing_lines = 0;
    u64 dma_reads = 0;
    u64 dma_writes = 0;
    C2cCounters counters;
};

struct C2cReport {
    bool code_addresses = false;
    std::string model;
    u32 cpus = 0;
    u32 line_size = 64;
    C2cTotals totals;
    std::vector<C2cLine> by_hitm;
    std::vector<C2cLine> by_invalidations;
};

struct C2cOptions {
    std::size_t top = 10; // lines in each table
};

// One line named by the guest's symbols (its fields grouped by symbol), and its JSON object.
C2cLine make_c2c_line(const C2cLineStats& stats, const Symbolizer& symbols);
nlohmann::json c2c_line_json(const C2cLine& line, std::size_t rank);

C2cReport build_c2c(const C2cInput& input, const Symbolizer& symbols, const C2cOptions& options = {});
nlohmann::json c2c_json(const C2cReport& report);
std::string c2c_text(const C2cReport& report);
// The same text from the JSON form (c2c_json's object, e.g. read back from a saved report.json).
std::string c2c_text_from_json(const nlohmann::json& c2c);

// "0-3,8,10-11": the set bits of a byte mask as ranges ("" for none).
std::string byte_ranges(u64 mask);

} // namespace smpsim::report
