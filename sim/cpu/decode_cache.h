// Decoded instructions cached by physical address and shared by all CPUs of a machine. Decoding with
// Zydis costs ~100 ns; an instruction is decoded once per physical location and CPU mode. A store into
// bytes that a decoded instruction of a page came from drops the page (self-modifying code), on
// whichever CPU wrote it. Stores to the other bytes of the page (data beside code) drop nothing: a
// bitmap per page records which bytes decoded instructions cover, as QEMU's does for translated code.
#pragma once
#include "sim/core/types.h"
#include "sim/cpu/decoded_insn.h"

#include <algorithm>
#include <array>
#include <deque>
#include <functional>
#include <memory>
#include <unordered_map>
#include <utility>
#include <vector>

namespace smpsim::cpu {

struct CodePage {
    u64 ppage = 0;
    std::array<const DecodedInsn*, 4096> slot{};
    std::deque<DecodedInsn> storage;
    // The runs of DecodedInsn::run: they live and die with the page's instructions.
    std::deque<std::vector<DecodedInsn>> runs;
    // Pages whose instructions run into this one (an instruction crossing a page boundary is cached in
    // the page where it starts); they are dropped with this one.
    std::vector<u64> dependents;
    // One bit per byte of the page that a decoded instruction (of any mode) was read from.
    std::array<u64, 64> code_bytes{};

    // Marks bytes [off, off + len) of this page, clamped to its end, as decoded code.
    void cover(unsigned off, unsigned len) {
        for (unsigned b = off, end = std::min(off + len, 4096u); b < end; ++b)
            code_bytes[b >> 6] |= u64(1) << (b & 63);
    }
    // Whether any of bytes [off, off + len) (clamped to the page) is decoded code.
    bool covers_any(unsigned off, unsigned len) const {
        for (unsigned b = off, end = std::min(off + len, 4096u); b < end; ++b)
            if (code_bytes[b >> 6] >> (b & 63) & 1) return true;
        return false;
    }
};

// Turns instruction bytes into the interpreter's DecodedInsn.
class Decoder {
  public:
    Decoder();
    // Decodes bytes[0..len) in mode. Returns false if more bytes are needed to decide (the instruction
    // runs past len); otherwise fills `out` (an invalid encoding gets the #UD handler).
    bool decode(const u8* bytes, unsigned len, CpuMode mode, DecodedInsn& out) const;

  private:
    struct ZydisState;
    std::shared_ptr<ZydisState> zydis_;
};

class DecodeCache {
  public:
    DecodeCache() = default;
    DecodeCache(const DecodeCache&) = delete;
    DecodeCache& operator=(const DecodeCache&) = delete;

    // The cached page for ppage, created (and announced to listeners) on first use.
    CodePage& page(u64 ppage);
    bool is_code_page(u64 ppage) const {
        return ppage < kMappedBytes ? (page_bits_[ppage >> 18] >> (ppage >> 12 & 63) & 1) != 0
                                    : pages_.count(ppage) != 0;
    }
    // Whether a store to [pa, pa + size) (within one page) overwrites bytes of a decoded instruction.
    // Timing-mode CPUs ask on every store: a page with no decoded code is answered from a bitmap.
    bool store_hits_code(u64 pa, unsigned size) const {
        if (pa < kMappedBytes && !is_code_page(pa & ~0xfffull)) return false;
        const auto it = pages_.find(pa & ~0xfffull);
        return it != pages_.end() && it->second->covers_any(unsigned(pa & 0xfff), size);
    }
    // A write by something other than a CPU (device DMA) to [pa, pa + size): drops every page whose
    // decoded bytes it overwrites. Returns how many pages that were (dependents not counted).
    unsigned invalidate_written(u64 pa, u64 size);
    // Drops a page and its dependents. Their DecodedInsn objects stay alive until collect_garbage(), so
    // the instruction that caused the write can finish.
    void invalidate(u64 ppage);
    // Called between instructions, when no DecodedInsn is in use.
    void collect_garbage() {
        if (!graveyard_.empty()) graveyard_.clear();
    }
    // Changes whenever a page is dropped; CPUs compare it with the value their fetch fast path saw.
    u64 epoch() const { return epoch_; }
    // Notified when a page becomes a code page: CPUs drop direct write access to it.
    void add_listener(std::function<void(u64 ppage)> on_new_code_page) {
        listeners_.push_back(std::move(on_new_code_page));
    }
    // Notified whenever a page is dropped: a CPU running a run of its instructions stops after the
    // instruction it is in (the rest of the run may be stale) and fetches again.
    void add_drop_listener(std::function<void()> on_page_dropped) {
        drop_listeners_.push_back(std::move(on_page_dropped));
    }
    const Decoder& decoder() const { return decoder_; }
    u64 invalidations() const { return invalidations_; }

  private:
    // One bit per page of the first 4 GiB of physical memory: set while the page has a CodePage.
    static constexpr u64 kMappedBytes = u64{1} << 32;
    void mark(u64 ppage, bool code) {
        if (ppage >= kMappedBytes) return;
        u64& word = page_bits_[ppage >> 18];
        const u64 bit = u64{1} << (ppage >> 12 & 63);
        word = code ? (word | bit) : (word & ~bit);
    }

    static constexpr u64 kRecentPages = 64;
    std::array<std::pair<u64, CodePage*>, kRecentPages> recent_{}; // by page number; {} when dropped

    Decoder decoder_;
    std::vector<u64> page_bits_ = std::vector<u64>(kMappedBytes >> 18);
    std::unordered_map<u64, std::unique_ptr<CodePage>> pages_;
    std::vector<std::unique_ptr<CodePage>> graveyard_;
    std::vector<std::function<void(u64)>> listeners_;
    std::vector<std::function<void()>> drop_listeners_;
    u64 epoch_ = 1;
    u64 invalidations_ = 0;
};

} // namespace smpsim::cpu
