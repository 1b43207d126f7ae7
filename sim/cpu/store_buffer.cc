#include "sim/cpu/store_buffer.h"

#include "sim/core/error.h"

namespace smpsim::cpu {

namespace {
unsigned ring_size(unsigned capacity) {
    if (capacity == 0) throw InternalError("store buffer capacity must be at least 1");
    unsigned n = 1;
    while (n < capacity)
        n <<= 1;
    return n;
}
} // namespace

StoreBuffer::Entries::Entries(unsigned capacity)
    : slots_(ring_size(capacity)), mask_(unsigned(slots_.size() - 1)) {}

void StoreBuffer::Entries::erase(unsigned i) {
    if (i == 0) {
        head_ = (head_ + 1) & mask_;
    } else {
        for (unsigned j = i; j + 1 < count_; ++j)
            (*this)[j] = (*this)[j + 1];
    }
    --count_;
}

StoreBuffer::StoreBuffer(unsigned capacity, MemoryModel model, unsigned line_size)
    : entries_(capacity), capacity_(capacity), model_(model), line_size_(line_size) {
    if (line_size == 0 || (line_size & (line_size - 1)))
        throw InternalError("cache line size must be a power of two");
}

void StoreBuffer::push(u64 paddr, unsigned size, u64 value, u64 rip) {
    if (entries_.size() >= capacity_) throw InternalError("store buffer push when full");
    Entry& e = entries_.push_back();
    e.rip = rip;
    e.paddr = paddr;
    e.size = u8(size);
    e.value = size >= 8 ? value : (value & ((1ull << (size * 8)) - 1));
    e.seq = next_seq_++;
    e.epoch = epoch_;
    e.ownership_requested = false;
    e.ready_at = 0;
    e.passed_count = 0;
}

bool StoreBuffer::forward(u64 paddr, unsigned size, u64& memory_value) const {
    bool any = false;
    // Oldest to youngest, so the youngest store to a byte is the one that stays.
    for (const Entry& e : entries_) {
        const u64 lo = std::max(paddr, e.paddr);
        const u64 hi = std::min(paddr + size, e.paddr + e.size);
        for (u64 a = lo; a < hi; ++a) {
            const unsigned load_byte = unsigned(a - paddr);
            const unsigned store_byte = unsigned(a - e.paddr);
            const u64 byte = (e.value >> (8 * store_byte)) & 0xff;
            memory_value = (memory_value & ~(0xffull << (8 * load_byte))) | (byte << (8 * load_byte));
            any = true;
        }
    }
    return any;
}

void StoreBuffer::note_load(u64 paddr, u64 rip, u64 order, u64 cycle) {
    const u64 line = line_of(paddr);
    for (unsigned k = 0; k < entries_.size(); ++k) {
        Entry& e = entries_[k];
        if (line_of(e.paddr) == line || e.passed_count == Entry::kMaxPassedLoads) continue;
        bool known = false;
        for (unsigned i = 0; i < e.passed_count && !known; ++i)
            known = e.passed[i].rip == rip && line_of(e.passed[i].paddr) == line;
        if (!known) e.passed[e.passed_count++] = {rip, paddr, order, cycle};
    }
}

bool StoreBuffer::overlaps(u64 paddr, unsigned size) const {
    for (const Entry& e : entries_)
        if (e.paddr < paddr + size && paddr < e.paddr + e.size) return true;
    return false;
}

unsigned StoreBuffer::committable_weak(const std::function<bool(u64 line)>& owned) const {
    // The oldest entry may always commit (once it gets ownership, which the memory system arranges).
    // A younger one may overtake only within the oldest entry's SFENCE epoch, only onto a line already
    // owned, and never past an older store to its own line.
    if (owned(line_of(entries_[0].paddr))) return 0u;
    const u32 oldest_epoch = entries_[0].epoch;
    for (unsigned i = 1; i < entries_.size(); ++i) {
        const Entry& e = entries_[i];
        if (e.epoch != oldest_epoch) break;
        const u64 line = line_of(e.paddr);
        bool older_same_line = false;
        for (unsigned j = 0; j < i && !older_same_line; ++j)
            older_same_line = line_of(entries_[j].paddr) == line;
        if (!older_same_line && owned(line)) return i;
    }
    return 0u; // nothing can overtake: the oldest goes next, after acquiring its line
}

StoreBuffer::Entry StoreBuffer::take(unsigned index) {
    if (index >= entries_.size()) throw InternalError("store buffer take out of range");
    const Entry e = entries_[index];
    remove(index);
    return e;
}

void StoreBuffer::remove(unsigned index) {
    if (index >= entries_.size()) throw InternalError("store buffer remove out of range");
    entries_.erase(index);
}

} // namespace smpsim::cpu
