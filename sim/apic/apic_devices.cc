#include "sim/apic/apic_devices.h"

#include <cstring>
#include <functional>

namespace smpsim::apic {

namespace {

using unsigned128 = unsigned __int128;
constexpr u64 kPsPerSecond = 1'000'000'000'000ull;

// Both APICs have 32-bit registers at 16-byte-aligned offsets. A read returns, for each byte, the byte of
// the register it falls in (bytes 4..15 of each 16-byte slot read 0); a write narrower than the register
// merges into its current value, and bytes outside bytes 0..3 are ignored.
void access_registers(tlm::tlm_generic_payload& trans, u32 window_mask, const std::function<u32(u32)>& read,
                      const std::function<void(u32, u32)>& write) {
    const u32 offset = u32(trans.get_address()) & window_mask;
    u8* data = trans.get_data_ptr();
    const unsigned len = trans.get_data_length();
    if (trans.get_byte_enable_ptr()) {
        trans.set_response_status(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
        return;
    }
    if (trans.is_read()) {
        for (unsigned i = 0; i < len;) {
            const u32 addr = offset + i, reg = addr & ~0xFu, byte = addr & 0xF;
            if (byte >= 4) {
                data[i++] = 0;
                continue;
            }
            const u32 value = read(reg);
            for (; i < len && ((offset + i) & ~0xFu) == reg; ++i) {
                const u32 b = (offset + i) & 0xF;
                data[i] = b < 4 ? u8(value >> (8 * b)) : 0;
            }
        }
    } else if (trans.is_write()) {
        for (unsigned i = 0; i < len;) {
            const u32 addr = offset + i, reg = addr & ~0xFu;
            u32 value = 0, mask = 0;
            for (; i < len && ((offset + i) & ~0xFu) == reg; ++i) {
                const u32 b = (offset + i) & 0xF;
                if (b < 4) {
                    value |= u32(data[i]) << (8 * b);
                    mask |= 0xFFu << (8 * b);
                }
            }
            if (mask == 0) continue;
            if (mask != 0xFFFFFFFF) value = (read(reg) & ~mask) | value;
            write(reg, value);
        }
    }
    trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

} // namespace

LocalApicDevice::LocalApicDevice(sc_core::sc_module_name name, u8 apic_id, u64 timer_hz)
    : sc_module(name), socket("socket"), core_(apic_id, timer_hz) {
    socket.register_b_transport(this, &LocalApicDevice::b_transport);
    SC_HAS_PROCESS(LocalApicDevice);
    SC_METHOD(timer_method);
    sensitive << timer_event_;
    dont_initialize();
}

u64 LocalApicDevice::ticks_at(const sc_core::sc_time& t) const {
    const u64 ps = u64(t / sc_core::sc_time(1, sc_core::SC_PS));
    return u64(unsigned128(ps) * core_.timer_hz() / kPsPerSecond);
}

sc_core::sc_time LocalApicDevice::time_of(u64 ticks) const {
    // Rounded up, so that ticks_at(time_of(t)) >= t.
    const unsigned128 scaled = unsigned128(ticks) * kPsPerSecond;
    const u64 ps = u64((scaled + core_.timer_hz() - 1) / core_.timer_hz());
    return sc_core::sc_time(double(ps), sc_core::SC_PS);
}

void LocalApicDevice::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
    const u64 now = ticks_at(sc_core::sc_time_stamp() + delay);
    access_registers(
        trans, LocalApic::kPageSize - 1, [&](u32 reg) { return core_.read(reg, now); },
        [&](u32 reg, u32 value) { core_.write(reg, value, now); });
    reschedule(now);
}

void LocalApicDevice::timer_method() {
    const u64 now = ticks_at(sc_core::sc_time_stamp());
    core_.advance(now);
    reschedule(now);
}

void LocalApicDevice::sync() {
    reschedule(ticks_at(sc_core::sc_time_stamp()));
}

void LocalApicDevice::reschedule(u64 now) {
    timer_event_.cancel();
    const auto next = core_.next_timer_event(now);
    if (!next) return;
    const sc_core::sc_time at = time_of(*next), stamp = sc_core::sc_time_stamp();
    timer_event_.notify(at > stamp ? at - stamp : sc_core::SC_ZERO_TIME);
}

IoApicDevice::IoApicDevice(sc_core::sc_module_name name, u8 id)
    : sc_module(name), socket("socket"), core_(id) {
    socket.register_b_transport(this, &IoApicDevice::b_transport);
}

void IoApicDevice::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time&) {
    access_registers(
        trans, IoApic::kMmioSize - 1, [&](u32 reg) { return core_.read(reg); },
        [&](u32 reg, u32 value) { core_.write(reg, value); });
}

} // namespace smpsim::apic
