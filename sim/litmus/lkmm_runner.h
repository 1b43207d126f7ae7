// Runs an LKMM C litmus test on the guest kernel's own primitives, as klitmus7 does in Linux.
//
// The test is translated to C (c_translator.h), compiled by the host gcc with the guest's flags and
// headers together with the guest harness (guest/litmus: harness.c, stubs.c) and the guest's own
// kernel/rcu.c into a small image, which is cached by the hash of everything that went into it. The
// image is loaded into a machine of one CPU per thread (store buffers, MESI L1s with invalidate queues,
// the chosen memory model) and runs every iteration itself: a synchronised start, the thread bodies, an
// end barrier, and a report on an I/O port where the final state is read. The CPUs are interleaved one
// instruction at a time by a seeded scheduler that also drains store buffers at random moments, as for
// the x86 tests (runner.h).
#pragma once
#include "sim/litmus/c_litmus.h"
#include "sim/litmus/runner.h"

#include <array>
#include <map>
#include <string>
#include <vector>

namespace smpsim::litmus {

enum class LkmmSync { Spin, Timebase };
// Deliberately broken guest builds, to show that the suite exercises the guest's barriers.
enum class LkmmDebug { None, RmbCompilerBarrier, ReleasePlainStore };

struct LkmmOptions {
    std::string barriers = "auto"; // the guest's barrier build: auto (as the model), tso or weak
    LkmmDebug debug = LkmmDebug::None;
    LkmmSync sync = LkmmSync::Timebase;
    u64 timebase_delay = 256; // timebase ticks between CPU 0's publication and the start
    unsigned stride = 64;     // bytes between the variables of one set
    unsigned sets = 8;        // fresh variable sets, used in turn by successive iterations
    std::string cache_dir;    // empty: $XDG_CACHE_HOME/smpsim/lkmm or ~/.cache/smpsim/lkmm
    std::string guest_source; // empty: the guest/ directory smpsim was built from
};

struct LkmmRunInfo {
    std::string barriers; // the barrier build that ran: "tso", "weak", "weak+broken-rmb", ...
    bool cached = false;  // the image came from the cache
    double compile_seconds = 0;
    std::string image;                 // path of the cached image
    std::map<std::string, u64> layout; // the variables' addresses as the final states show them
    // Per final state: runs in which a store-buffer commit overtook an older store ([0]) and runs in which
    // a load of a variable hit a stale line ([1]), inside the thread bodies.
    std::map<std::vector<u64>, std::array<u64, 2>> mechanisms;
};

LkmmDebug parse_lkmm_debug(const std::string& s); // none, rmb-compiler-barrier, release-plain-store
LkmmSync parse_lkmm_sync(const std::string& s);   // spin, timebase

// Compiles (or finds in the cache) and runs the test. Throws InputError for a test gcc rejects (one
// line, gcc's first error), a guest panic, or an iteration that does not finish.
RunResult run_c_litmus(const CLitmusTest& test, const RunOptions& run, const LkmmOptions& options,
                       LkmmRunInfo* info);

bool validated(const CLitmusTest& test, const RunResult& result);

// litmus7's log of the test (as litmus7_log for x86 tests), plus a line naming the model, the guest's
// barrier build and the reorderings each mechanism produced.
std::string lkmm_log(const CLitmusTest& test, const RunResult& result, const std::string& model,
                     const LkmmRunInfo& info);

// "0:r0=1; x=2;" with addresses shown as the variables' names.
std::string format_c_state(const CLitmusTest& test, const std::vector<u64>& values,
                           const std::map<std::string, u64>& layout);
// herd's spelling of the condition: "exists (0:r0=1 /\ 1:r1=0)".
std::string c_condition_str(const CLitmusTest& test);

} // namespace smpsim::litmus
