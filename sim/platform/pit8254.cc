#include "sim/platform/pit8254.h"

namespace smpsim::platform {

namespace {
u32 count_of(u16 cr) {
    return cr ? cr : 65536u;
}
} // namespace

Pit8254::Pit8254() : ports_("pit", kControl + 1, register_table(), *this) {
    reset();
}

void Pit8254::reset() {
    for (auto& c : counters_) {
        c = Counter{};
        c.cur.mode = 0;
        c.cur.pre_out = false; // as after a mode 0 control word: OUT low, nothing counting
    }
}

// ---------------------------------------------------------------------------------------------------
// A counting phase as formulas of time.

bool Pit8254::phase_out(const Phase& p, u64 t) {
    if (p.load == kNever || t < p.load) return p.pre_out;
    const u64 e = t - p.load;
    switch (p.mode) {
    case 0: return p.expired || e >= p.n;
    case 1: return p.expired || e >= p.n;
    case 2:
        if (p.n < 2) return true;
        return e % p.n != p.n - 1;
    case 3: {
        if (p.n < 2) return true;
        const u64 pos = e % p.n;
        return p.start_low ? pos >= p.n / 2 : pos < (p.n + 1) / 2;
    }
    default: // 4, 5
        return p.expired || e != p.n;
    }
}

u16 Pit8254::phase_value(const Phase& p, u64 t) {
    if (p.load == kNever || t < p.load) return p.pre_value;
    const u64 e = t - p.load;
    switch (p.mode) {
    case 2: return u16(p.n - e % p.n);
    case 3: {
        // Counts down by 2 per pulse; with an odd count the high half takes one extra pulse (the first
        // pulse of the high half subtracts 1, the first of the low half 3).
        const u64 pos = e % p.n;
        const u64 h1 = p.start_low ? p.n / 2 : (p.n + 1) / 2;
        const bool first = pos < h1;
        const u64 j = first ? pos : pos - h1;
        const bool high = first != p.start_low;
        if (j == 0) return u16(p.n);
        if (p.n & 1) return u16(high ? p.n + 1 - 2 * j : p.n - 1 - 2 * j);
        return u16(p.n - 2 * j);
    }
    default: return u16(u64(p.n) - e); // modes 0, 1, 4, 5: down by one, wrapping past 0
    }
}

std::optional<u64> Pit8254::phase_next_change(const Phase& p, u64 t) {
    if (p.load == kNever) return std::nullopt;
    if (t < p.load) {
        if (phase_out(p, p.load) != p.pre_out) return p.load;
        return phase_next_change(p, p.load);
    }
    const u64 e = t - p.load;
    switch (p.mode) {
    case 0:
    case 1:
        if (!p.expired && e < p.n) return p.load + p.n;
        return std::nullopt;
    case 2: {
        if (p.n < 2) return std::nullopt;
        const u64 pos = e % p.n;
        return pos == p.n - 1 ? t + 1 : t + (p.n - 1 - pos);
    }
    case 3: {
        if (p.n < 2) return std::nullopt;
        const u64 pos = e % p.n;
        const u64 h1 = p.start_low ? p.n / 2 : (p.n + 1) / 2;
        return pos < h1 ? t + (h1 - pos) : t + (p.n - pos);
    }
    default: // 4, 5
        if (p.expired || e > p.n) return std::nullopt;
        return e < p.n ? p.load + p.n : t + 1;
    }
}

const Pit8254::Phase& Pit8254::phase_at(const Counter& c, u64 t) const {
    return (c.has_pending && t >= c.pending.load) ? c.pending : c.cur;
}

void Pit8254::settle(Counter& c, u64 now) {
    if (c.has_pending && now >= c.pending.load) {
        c.cur = c.pending;
        c.has_pending = false;
    }
}

// ---------------------------------------------------------------------------------------------------
// Queries.

bool Pit8254::output(unsigned counter, u64 now) const {
    const Counter& c = counters_.at(counter);
    return phase_out(phase_at(c, now), now);
}

std::optional<u64> Pit8254::next_output_change(unsigned counter, u64 now) const {
    const Counter& c = counters_.at(counter);
    if (!c.has_pending || now >= c.pending.load) return phase_next_change(phase_at(c, now), now);
    // A reload with a new count at r = pending.load: changes before r follow the current phase, after it
    // the new one.
    const u64 r = c.pending.load;
    const auto before = phase_next_change(c.cur, now);
    if (before && *before < r) return before;
    if (phase_out(c.pending, r) != phase_out(c.cur, now)) return r;
    return phase_next_change(c.pending, r);
}

u16 Pit8254::count(unsigned counter, u64 now) const {
    const Counter& c = counters_.at(counter);
    return phase_value(phase_at(c, now), now);
}

u8 Pit8254::status(unsigned counter, u64 now) const {
    const Counter& c = counters_.at(counter);
    u8 s = u8((c.rw << 4) | (c.mode << 1) | (c.bcd ? 1 : 0));
    if (output(counter, now)) s |= 0x80;
    if (now < c.null_until) s |= 0x40;
    return s;
}

// ---------------------------------------------------------------------------------------------------
// Programming.

void Pit8254::latch_count(Counter& c, u64 now) {
    if (c.count_latched) return; // ignored until the latched count is read
    c.latched_count = phase_value(phase_at(c, now), now);
    c.count_latched = true;
}

void Pit8254::latch_status(Counter& c, u64 now, unsigned index) {
    if (c.status_latched) return;
    c.latched_status = status(index, now);
    c.status_latched = true;
}

void Pit8254::control_word(u8 value, u64 now) {
    const unsigned sc = value >> 6;
    if (sc == 3) {
        // Read-back: bit 5 = 0 latches the counts, bit 4 = 0 the status, bits 3-1 select counters 2-0.
        for (unsigned i = 0; i < kCounters; ++i) {
            if (!(value & (2u << i))) continue;
            Counter& c = counters_[i];
            settle(c, now);
            if (!(value & 0x10)) latch_status(c, now, i);
            if (!(value & 0x20)) latch_count(c, now);
        }
        return;
    }
    Counter& c = counters_[sc];
    settle(c, now);
    const u8 rw = (value >> 4) & 3;
    if (rw == 0) {
        latch_count(c, now);
        return;
    }
    const u16 value_now = phase_value(c.cur, now);
    c.rw = rw;
    c.mode = (value >> 1) & 7;
    if (c.mode > 5) c.mode -= 4; // 110 and 111 are modes 2 and 3
    c.bcd = value & 1;
    c.write_msb_next = false;
    c.read_msb_next = false;
    c.count_latched = false;
    c.status_latched = false;
    c.armed = false;
    c.has_pending = false;
    c.null_until = kNever;
    // Counting stops; OUT goes to its initial state: low in mode 0, high in every other mode.
    c.cur = Phase{};
    c.cur.mode = c.mode;
    c.cur.pre_out = c.mode != 0;
    c.cur.pre_value = value_now;
}

void Pit8254::load_count(Counter& c, u64 now) {
    const u32 n = count_of(c.cr);
    const u16 value_now = phase_value(c.cur, now);
    const bool counting = c.armed && c.cur.load != kNever && c.cur.load <= now;
    c.armed = true;
    Phase p;
    p.mode = c.mode;
    p.n = n;
    p.pre_value = value_now;
    switch (c.mode) {
    case 0:
    case 4:
        // Loaded on the next pulse, restarting the count; mode 0's OUT goes (or stays) low.
        p.pre_out = c.mode != 0;
        if (c.gate) {
            p.load = now + 1;
        } else {
            p.pre_value = u16(n); // loaded, but GATE low holds the count
        }
        c.cur = p;
        c.has_pending = false;
        c.null_until = now + 1;
        break;
    case 1:
    case 5:
        // The count waits in the count register for a GATE trigger.
        c.null_until = kNever;
        break;
    default: // 2, 3
        if (!c.gate) {
            c.null_until = kNever; // loaded on GATE's rising edge
            break;
        }
        if (!counting) {
            p.pre_out = true;
            p.load = now + 1;
            c.cur = p;
            c.has_pending = false;
            c.null_until = now + 1;
            break;
        }
        {
            // Counting goes on; the new count is loaded at the next reload (mode 2) or the end of the
            // current half-cycle (mode 3).
            const Phase& cur = c.cur;
            const u64 from = now + 1;
            const u64 base = cur.load + (from - cur.load) / cur.n * cur.n;
            u64 r = base;
            if (c.mode == 2) {
                if (r < from) r += cur.n;
            } else {
                const u64 h1 = cur.n < 2 ? cur.n : cur.start_low ? cur.n / 2 : (cur.n + 1) / 2;
                bool at_mid = false;
                if (r < from) {
                    r = base + h1;
                    at_mid = true;
                    if (r < from || h1 == cur.n) {
                        r = base + cur.n;
                        at_mid = false;
                    }
                }
                const bool first_half_high = !cur.start_low;
                const bool ended_high = at_mid ? first_half_high : !first_half_high;
                p.start_low = ended_high;
            }
            p.load = r;
            p.pre_out = true; // not used: before r the current phase applies
            c.pending = p;
            c.has_pending = true;
            c.null_until = r;
        }
        break;
    }
}

void Pit8254::write_counter(Counter& c, u8 value, u64 now) {
    switch (c.rw) {
    case 1: c.cr = value; break;
    case 2: c.cr = u16(value << 8); break;
    default:
        if (!c.write_msb_next) {
            c.write_lsb = value;
            c.write_msb_next = true;
            if (c.mode == 0) {
                // Writing the first byte stops counting and drives OUT low at once.
                Phase p;
                p.mode = 0;
                p.pre_out = false;
                p.pre_value = phase_value(c.cur, now);
                c.cur = p;
                c.has_pending = false;
            }
            return;
        }
        c.write_msb_next = false;
        c.cr = u16(c.write_lsb | (value << 8));
        break;
    }
    load_count(c, now);
}

u8 Pit8254::read_counter(Counter& c, u64 now) {
    if (c.status_latched) {
        c.status_latched = false;
        return c.latched_status;
    }
    const bool latched = c.count_latched;
    const u16 v = latched ? c.latched_count : phase_value(phase_at(c, now), now);
    bool last_byte = true;
    u8 byte;
    switch (c.rw) {
    case 1: byte = u8(v); break;
    case 2: byte = u8(v >> 8); break;
    default:
        byte = c.read_msb_next ? u8(v >> 8) : u8(v);
        last_byte = c.read_msb_next;
        c.read_msb_next = !c.read_msb_next;
        break;
    }
    if (latched && last_byte) c.count_latched = false;
    return byte;
}

// 8254 datasheet, "Read/Write Operations Summary": A1-A0 select counter 0, 1, 2 or the control word
// register, which is write-only.
std::span<const Pit8254::Register> Pit8254::register_table() {
    using R = Register;
    static const R kTable[] = {
        R{"COUNTER", 0}
            .array(kCounters, 1)
            .read_with(&Pit8254::read_counter_port)
            .write_with(&Pit8254::write_counter_port),
        R{"CONTROL", kControl}
            .write_only()
            .read_with(&Pit8254::read_control_port)
            .write_with(&Pit8254::write_control_port),
    };
    return kTable;
}

u8 Pit8254::read(u32 offset, u64 now) {
    now_ = now;
    return ports_.read(offset);
}

void Pit8254::write(u32 offset, u8 value, u64 now) {
    now_ = now;
    ports_.write(offset, value);
}

u8 Pit8254::read_counter_port(unsigned index) {
    Counter& c = counters_[index];
    settle(c, now_);
    return read_counter(c, now_);
}

void Pit8254::write_counter_port(unsigned index, u8 value) {
    Counter& c = counters_[index];
    settle(c, now_);
    write_counter(c, value, now_);
}

void Pit8254::set_gate(unsigned counter, bool level, u64 now) {
    Counter& c = counters_.at(counter);
    settle(c, now);
    if (c.gate == level) return;
    c.gate = level;
    const Phase& cur = c.cur;
    const bool out_now = phase_out(cur, now);
    const u16 value_now = phase_value(cur, now);
    Phase p;
    p.mode = c.mode;
    switch (c.mode) {
    case 0:
    case 4:
        if (!level) {
            // Counting is suspended: the count and OUT hold.
            const bool started = cur.load != kNever && now >= cur.load;
            p.expired = cur.expired ||
                        (started && now - cur.load >= cur.n && (c.mode == 0 || now - cur.load > cur.n));
            p.pre_out = out_now;
            p.pre_value = value_now;
            c.cur = p;
        } else if (c.armed) {
            // Counting resumes from the held count.
            p.expired = cur.expired;
            p.pre_out = out_now;
            p.pre_value = value_now;
            p.n = count_of(value_now);
            p.load = now + 1;
            c.cur = p;
            if (c.null_until == kNever) c.null_until = now + 1;
        }
        break;
    case 2:
    case 3:
        if (!level) {
            // OUT goes high at once and counting stops.
            p.pre_out = true;
            p.pre_value = value_now;
            c.cur = p;
            c.has_pending = false;
        } else if (c.armed) {
            // The rising edge reloads the counter from the count register on the next pulse.
            p.n = count_of(c.cr);
            p.load = now + 1;
            p.pre_out = true;
            p.pre_value = value_now;
            c.cur = p;
            c.null_until = now + 1;
        }
        break;
    default: // 1, 5: a rising edge triggers (retriggers) with the last written count
        if (level && c.armed) {
            p.n = count_of(c.cr);
            p.load = now + 1;
            p.pre_out = c.mode == 1 ? out_now : true;
            p.pre_value = value_now;
            c.cur = p;
            c.null_until = now + 1;
        }
        break;
    }
}

} // namespace smpsim::platform
