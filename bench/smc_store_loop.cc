// Guest MIPS of a loop that stores to a counter in the same 4 KiB page as its own code, against the
// same loop with the counter in another page: the cost of self-modifying-code detection for data that
// merely shares a page with code. Runs the bare CPU of the unit tests (long mode, identity-mapped
// RAM), no platform. Prints one Markdown table row per placement.
//
//   smc_store_loop [ITERATIONS] [RUNS]
#include "sim/cpu/cpu.h"
#include "tests/unit/cpu/test_machine.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <vector>

using namespace smpsim;
using namespace smpsim::cpu;
using namespace smpsim::cpu::test;

namespace {

struct Result {
    double mips;
    u64 instructions;
    u64 smc_invalidations;
};

Result run_once(u64 counter_addr, u32 iterations) {
    Ram ram(16u << 20);
    RecordingIo io;
    Cpu cpu(ram, io);
    enter_long_mode(cpu, ram);
    const u32 addr = u32(counter_addr);
    ram.put(kCode, {
                       0xb9, u8(iterations), u8(iterations >> 8), u8(iterations >> 16),
                       u8(iterations >> 24), // mov ecx,iterations
                       0xff, 0x04, 0x25, u8(addr), u8(addr >> 8), u8(addr >> 16),
                       u8(addr >> 24), // L: inc DWORD PTR ds:addr
                       0xff, 0xc9,     // dec ecx
                       0x75, 0xf5,     // jne L
                       0xf4,           // hlt
                   });
    cpu.set_rip(kCode);
    const auto start = std::chrono::steady_clock::now();
    const StopInfo stop = cpu.run(~0ull);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (stop.reason != StopReason::HaltedForever || ram.get<u32>(counter_addr) != iterations) {
        fmt::print(stderr, "smc_store_loop: the loop did not run to its end: {}\n", stop.message);
        std::exit(1);
    }
    return {double(cpu.stats().instructions) / seconds / 1e6, cpu.stats().instructions,
            cpu.stats().smc_invalidations};
}

} // namespace

int main(int argc, char** argv) {
    const u32 iterations = argc > 1 ? u32(std::strtoul(argv[1], nullptr, 0)) : 3'000'000;
    const int runs = argc > 2 ? std::atoi(argv[2]) : 5;
    if (iterations == 0 || runs <= 0) {
        fmt::print(stderr, "usage: smc_store_loop [ITERATIONS>0] [RUNS>0]\n");
        return 2;
    }
    fmt::print("| counter | guest instructions | SMC invalidations | guest MIPS (median of {}) |\n", runs);
    fmt::print("|---|---:|---:|---:|\n");
    for (const auto& [name, addr] :
         {std::pair{"same page as the loop", kCode + 0x800}, std::pair{"another page", kData}}) {
        std::vector<double> mips;
        Result r{};
        for (int i = 0; i < runs; ++i) {
            r = run_once(addr, iterations);
            mips.push_back(r.mips);
        }
        std::sort(mips.begin(), mips.end());
        fmt::print("| {} | {} | {} | {:.2f} |\n", name, r.instructions, r.smc_invalidations,
                   mips[mips.size() / 2]);
    }
    return 0;
}
