// The store buffer between a CPU and its L1 cache (McKenney, "Memory Barriers: a Hardware View", 3.1).
// Retired stores wait here until they commit to the cache; loads see them through store-to-load
// forwarding, byte by byte, so partial overlaps read the program-order-latest bytes. Which entry may
// commit next is the memory model:
//   tso  - oldest first (FIFO): other CPUs see this CPU's stores in program order;
//   weak - any entry whose line the cache already owns (M/E) may commit before older entries still
//          waiting for ownership, unless an SFENCE lies between them; stores to the same line always
//          commit in program order (coherence).
// Pure logic: the CPU pushes, the memory system asks for the next committable entry.
#pragma once
#include "sim/core/memory_model.h"
#include "sim/core/types.h"

#include <array>
#include <functional>
#include <optional>
#include <vector>

namespace smpsim::cpu {

class StoreBuffer {
  public:
    struct Entry {
        u64 paddr = 0;
        u8 size = 0; // 1, 2, 4 or 8; never crosses a cache line (the CPU splits such stores)
        u64 value = 0;
        u64 seq = 0;   // program order
        u32 epoch = 0; // SFENCEs executed before this store: entries of one epoch may reorder (weak)
        u64 rip = 0;   // the store's instruction (reports attribute the commit's coherence events to it)
        // Background drain (CPUs that commit on their own): the cycle at which the read-for-ownership the
        // entry asked for completes, once it asked (the CPU's clock; see CpuImpl::drain_due_stores).
        bool ownership_requested = false;
        u64 ready_at = 0;
        // Reports (tso reorderings): the first few distinct loads of other lines that were performed
        // while this store waited here, each with the memory system's access order and the CPU's clock
        // at the load. The CPU evaluates them when the store commits.
        struct PassedLoad {
            u64 rip = 0;
            u64 paddr = 0;
            u64 order = 0;
            u64 cycle = 0;
        };
        static constexpr unsigned kMaxPassedLoads = 4;
        std::array<PassedLoad, kMaxPassedLoads> passed; // [0, passed_count) are set
        u8 passed_count = 0;
    };

    // The entries, oldest first, in a ring of fixed capacity: a push and a take touch one or a few slots
    // and never allocate (this runs on every store of a timing-mode CPU).
    class Entries {
      public:
        class const_iterator {
          public:
            const_iterator(const Entries* q, unsigned i) : q_(q), i_(i) {}
            const Entry& operator*() const { return (*q_)[i_]; }
            const Entry* operator->() const { return &(*q_)[i_]; }
            const_iterator& operator++() {
                ++i_;
                return *this;
            }
            bool operator==(const const_iterator& o) const { return i_ == o.i_; }

          private:
            const Entries* q_;
            unsigned i_;
        };

        explicit Entries(unsigned capacity);
        unsigned size() const { return count_; }
        bool empty() const { return count_ == 0; }
        const Entry& operator[](unsigned i) const { return slots_[(head_ + i) & mask_]; }
        Entry& operator[](unsigned i) { return slots_[(head_ + i) & mask_]; }
        const Entry& front() const { return (*this)[0]; }
        const Entry& back() const { return (*this)[count_ - 1]; }
        const_iterator begin() const { return {this, 0}; }
        const_iterator end() const { return {this, count_}; }
        // A new youngest slot, its fields as the previous occupant left them (the caller sets them all).
        Entry& push_back() { return (*this)[count_++]; }
        void erase(unsigned i);
        void clear() { head_ = count_ = 0; }

      private:
        std::vector<Entry> slots_;
        unsigned mask_;
        unsigned head_ = 0;
        unsigned count_ = 0;
    };

    explicit StoreBuffer(unsigned capacity = 16, MemoryModel model = MemoryModel::Tso,
                         unsigned line_size = 64);

    bool full() const { return entries_.size() >= capacity_; }
    bool empty() const { return entries_.empty(); }
    unsigned size() const { return unsigned(entries_.size()); }
    unsigned capacity() const { return capacity_; }
    MemoryModel model() const { return model_; }
    const Entries& entries() const { return entries_; }
    Entry& entry(unsigned index) { return entries_[index]; }

    // Appends a retired store. The caller drains first when full() (the CPU stalls).
    void push(u64 paddr, unsigned size, u64 value, u64 rip = 0);
    // SFENCE: later stores may not commit before earlier ones. (MFENCE and locked instructions drain
    // the whole buffer instead; the CPU does that with pop_committable until empty.)
    void fence() { ++epoch_; }

    // Store-to-load forwarding for a load of `size` bytes at paddr: merges the youngest buffered bytes
    // over `memory_value` (the value the cache returned). Returns whether any byte came from the buffer.
    bool forward(u64 paddr, unsigned size, u64& memory_value) const;
    // A load of paddr by the instruction at rip was performed at memory access order `order` and CPU
    // clock `cycle` while the buffered stores to other lines were still waiting: each of those entries
    // records it (a load instruction once per entry, the first few distinct ones only).
    void note_load(u64 paddr, u64 rip, u64 order, u64 cycle = 0);
    // Whether any buffered store overlaps [paddr, paddr + size).
    bool overlaps(u64 paddr, unsigned size) const;

    // Index of the entry to commit next (nullopt only when empty): under tso the oldest; under weak the
    // oldest if its line is owned, else the oldest younger entry whose line `owned` says the cache holds
    // in M/E, of the same SFENCE epoch as the oldest and with no older entry to its line, else the
    // oldest (which then waits for ownership).
    template <typename Owned> std::optional<unsigned> committable(const Owned& owned) const {
        if (entries_.empty()) return std::nullopt;
        if (model_ == MemoryModel::Tso) return 0u;
        return committable_weak(std::function<bool(u64)>(owned));
    }
    // Removes and returns entry `index` (as given by committable()).
    Entry take(unsigned index);
    // Removes entry `index`.
    void remove(unsigned index);

    void clear() {
        entries_.clear();
        epoch_ = 0;
    }

  private:
    unsigned committable_weak(const std::function<bool(u64 line)>& owned) const;
    u64 line_of(u64 paddr) const { return paddr & ~u64(line_size_ - 1); }

    Entries entries_;
    unsigned capacity_;
    MemoryModel model_;
    unsigned line_size_;
    u64 next_seq_ = 0;
    u32 epoch_ = 0;
};

} // namespace smpsim::cpu
