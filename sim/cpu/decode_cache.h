// Decoded instructions cached by physical address and shared by all CPUs of a machine. Decoding with
// Zydis costs ~100 ns; an instruction is decoded once per physical location and CPU mode. A store into
// a page holding decoded code drops the page (self-modifying code), on whichever CPU or device wrote it.
#pragma once
#include "sim/core/types.h"
#include "sim/cpu/decoded_insn.h"

#include <array>
#include <deque>
#include <functional>
#include <memory>
#include <unordered_map>
#include <vector>

namespace smpsim::cpu {

struct CodePage {
    u64 ppage = 0;
    std::array<const DecodedInsn*, 4096> slot{};
    std::deque<DecodedInsn> storage;
    // Pages whose instructions run into this one (an instruction crossing a page boundary is cached in
    // the page where it starts); they are dropped with this one.
    std::vector<u64> dependents;
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
    bool is_code_page(u64 ppage) const { return pages_.count(ppage) != 0; }
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
    const Decoder& decoder() const { return decoder_; }
    u64 invalidations() const { return invalidations_; }

  private:
    Decoder decoder_;
    std::unordered_map<u64, std::unique_ptr<CodePage>> pages_;
    std::vector<std::unique_ptr<CodePage>> graveyard_;
    std::vector<std::function<void(u64)>> listeners_;
    u64 epoch_ = 1;
    u64 invalidations_ = 0;
};

} // namespace smpsim::cpu
