// A Target for the protocol tests: CPUs with a register array each, one flat memory with a hole, and a
// record of stop points and monitor commands.
#pragma once
#include "sim/gdb/protocol.h"
#include "sim/gdb/registers.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <map>
#include <vector>

namespace smpsim::gdb {

class FakeTarget : public Target {
  public:
    static constexpr u64 kMemBase = 0x1000, kMemSize = 0x2000; // mapped: [0x1000, 0x3000)
    explicit FakeTarget(unsigned cpus = 2) : regs(cpus), memory(kMemSize) {
        for (unsigned c = 0; c < cpus; ++c)
            for (unsigned r = 0; r < kRegCount; ++r)
                regs[c][r] = register_modelled(r) ? (u64(c + 1) << 32 | r) : 0;
    }
    unsigned cpu_count() const override { return unsigned(regs.size()); }
    u64 read_register(unsigned cpu, unsigned reg) override { return regs.at(cpu).at(reg); }
    bool write_register(unsigned cpu, unsigned reg, u64 value) override {
        if (reg == kCs) return false; // as a real target might refuse a selector
        regs.at(cpu).at(reg) = value;
        return true;
    }
    size_t read_memory(unsigned, u64 addr, u8* out, size_t len) override {
        size_t n = 0;
        for (; n < len && addr + n >= kMemBase && addr + n < kMemBase + kMemSize; ++n)
            out[n] = memory[addr + n - kMemBase];
        return n;
    }
    size_t write_memory(unsigned, u64 addr, const u8* data, size_t len) override {
        size_t n = 0;
        for (; n < len && addr + n >= kMemBase && addr + n < kMemBase + kMemSize; ++n)
            memory[addr + n - kMemBase] = data[n];
        return n;
    }
    std::string thread_extra_info(unsigned cpu) override { return cpu == 0 ? "long mode" : "halted"; }
    bool insert_stop_point(StopPointType type, u64 addr, u64 len) override {
        if (points.size() >= 4 && type != StopPointType::SoftwareBreak) return false;
        points.push_back({type, addr, len});
        return true;
    }
    bool remove_stop_point(StopPointType type, u64 addr, u64 len) override {
        auto it = std::find_if(points.begin(), points.end(), [&](const Point& p) {
            return p.type == type && p.addr == addr && p.len == len;
        });
        if (it == points.end()) return false;
        points.erase(it);
        return true;
    }
    std::string monitor(std::string_view command) override {
        commands.emplace_back(command);
        return command == "quiet" ? "" : "did " + std::string(command) + "\n";
    }

    struct Point {
        StopPointType type;
        u64 addr, len;
    };
    std::vector<std::array<u64, kRegCount>> regs;
    std::vector<u8> memory;
    std::vector<Point> points;
    std::vector<std::string> commands;
};

} // namespace smpsim::gdb
