#include "sim/platform/pit_device.h"

#include <cmath>

namespace smpsim::platform {

namespace {
constexpr u64 kFsPerSecond = 1'000'000'000'000'000ull;

// Every port access converts the time: the resolution, fixed once simulated time exists, is read once
// (reading it costs a double conversion and an llround, which showed in boot profiles that poll the PIT).
u64 resolution_fs() {
    static const u64 fs =
        u64(std::llround(sc_core::sc_get_time_resolution().to_seconds() * double(kFsPerSecond)));
    return fs;
}
} // namespace

u64 PitDevice::ticks_at(const sc_core::sc_time& t) {
    const unsigned __int128 fs = (unsigned __int128)t.value() * resolution_fs();
    return u64(fs * Pit8254::kInputHz / kFsPerSecond);
}

sc_core::sc_time PitDevice::time_of_tick(u64 tick) {
    const unsigned __int128 num = (unsigned __int128)tick * kFsPerSecond;
    const unsigned __int128 fs = (num + Pit8254::kInputHz - 1) / Pit8254::kInputHz;
    const u64 res = resolution_fs();
    return sc_core::sc_time::from_value(sc_dt::uint64((fs + res - 1) / res));
}

PitDevice::PitDevice(sc_core::sc_module_name name, InterruptLine* irq0)
    : sc_module(name), socket("socket"), irq0_(irq0) {
    socket.register_b_transport(this, &PitDevice::b_transport);
    SC_METHOD(update);
    sensitive << change_ev_;
}

void PitDevice::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
    const u64 now = ticks_at(sc_core::sc_time_stamp() + delay);
    const u32 offset = u32(trans.get_address());
    u8* data = trans.get_data_ptr();
    const unsigned len = trans.get_data_length();
    for (unsigned i = 0; i < len; ++i) {
        if (offset + i > Pit8254::kControl) {
            if (trans.is_read()) data[i] = 0xff;
            continue;
        }
        if (trans.is_read())
            data[i] = pit_.read(offset + i, now);
        else if (trans.is_write())
            pit_.write(offset + i, data[i], now);
    }
    trans.set_response_status(tlm::TLM_OK_RESPONSE);
    // Re-evaluate OUT0 at the time of the access (an earlier pending wake-up wins and reschedules).
    if (trans.is_write()) change_ev_.notify(delay);
}

void PitDevice::set_gate(unsigned counter, bool level, const sc_core::sc_time& delay) {
    pit_.set_gate(counter, level, ticks_at(sc_core::sc_time_stamp() + delay));
    if (counter == 0) change_ev_.notify(delay);
}

bool PitDevice::output(unsigned counter, const sc_core::sc_time& delay) const {
    return pit_.output(counter, ticks_at(sc_core::sc_time_stamp() + delay));
}

void PitDevice::update() {
    const sc_core::sc_time stamp = sc_core::sc_time_stamp();
    const u64 now = ticks_at(stamp);
    const bool out = pit_.output(0, now);
    if (out != out0_) {
        out0_ = out;
        if (irq0_) irq0_->set_level(out);
    }
    if (const auto next = pit_.next_output_change(0, now)) change_ev_.notify(time_of_tick(*next) - stamp);
}

} // namespace smpsim::platform
