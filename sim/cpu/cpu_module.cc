#include "sim/cpu/cpu_module.h"

#include "sim/core/tlm_payload.h"

#include <algorithm>

namespace smpsim::cpu {

using sc_core::sc_time;

CpuModule::CpuModule(sc_core::sc_module_name name, DecodeCache& decode_cache, const CpuModuleConfig& config)
    : sc_module(name), mem_socket("mem_socket"), io_socket("io_socket"), apic_socket("apic_socket"),
      cpu_(static_cast<MemoryPort&>(*this), static_cast<IoPortSpace&>(*this), decode_cache, config.cpu),
      period_(1e6 / config.mhz, sc_core::SC_PS), quantum_cycles_(std::max<u64>(1, config.quantum_cycles)) {
    tlm_utils::tlm_quantumkeeper::set_global_quantum(period_ * double(quantum_cycles_));
    jitter_ = config.jitter_seed != 0;
    jitter_rng_.seed(config.jitter_seed);
    SC_HAS_PROCESS(CpuModule);
    SC_THREAD(thread);
}

void CpuModule::stop() {
    stop_requested_ = true;
    cpu_.request_stop(StopReason::ExitRequested);
    wake_pending_ = true;
    wake_.notify(sc_core::SC_ZERO_TIME);
}

void CpuModule::thread() {
    quantum_.reset();
    u64 executed_total = 0;
    while (!stop_requested_) {
        u64 batch = quantum_cycles_;
        if (jitter_) batch = std::max<u64>(1, quantum_cycles_ / 2 + jitter_rng_() % (quantum_cycles_ + 1));
        if (insn_limit_) batch = std::min(batch, insn_limit_ - executed_total);
        const u64 cycles_before = cpu_.stats().cycles;
        const u64 insns_before = cpu_.stats().instructions;
        wake_pending_ = false; // run() sees every interrupt line change made before this point
        const StopInfo info = cpu_.run(batch);
        executed_total += cpu_.stats().instructions - insns_before;
        quantum_.inc(period_ * double(cpu_.stats().cycles - cycles_before));
        if (quantum_.need_sync()) quantum_.sync();
        switch (info.reason) {
        case StopReason::InsnLimit:
            if (insn_limit_ && executed_total >= insn_limit_) {
                finished_ = true;
                if (on_stop_) on_stop_(*this, info);
                return;
            }
            break;
        case StopReason::Halted:
            // Sleep until an interrupt line changes; time passes meanwhile.
            sleep();
            break;
        case StopReason::HaltedForever:
        case StopReason::WaitForSipi:
            deep_sleep_ = true;
            if (on_stop_) on_stop_(*this, info);
            if (stop_requested_) break;
            sleep();
            deep_sleep_ = false;
            break;
        default:
            finished_ = true;
            quantum_.sync();
            if (on_stop_) on_stop_(*this, info);
            return;
        }
    }
    finished_ = true;
}

void CpuModule::sleep() {
    quantum_.sync();
    const sc_time start = sc_core::sc_time_stamp();
    // A wake-up that came while the thread synchronised (or ran) is not lost: events do not persist,
    // the flag does.
    if (!wake_pending_) sc_core::wait(wake_);
    // The cycles slept count (the TSC and the cycle totals follow simulated time).
    cpu_.add_idle_cycles(u64((sc_core::sc_time_stamp() - start) / period_));
    quantum_.reset();
}

MemoryResult CpuModule::transport(tlm::tlm_command cmd, u64 addr, void* data, u32 size,
                                  tlm_utils::simple_initiator_socket<CpuModule>& socket) {
    // One payload per CPU, reused: constructing and destroying one per MMIO or port access showed
    // in profiles, and a CPU has at most one access in flight (targets never call back into it).
    tlm::tlm_generic_payload& trans = payload_;
    prepare_payload(trans, cmd, addr, data, size);
    sc_time delay = quantum_.get_local_time();
    socket->b_transport(trans, delay);
    quantum_.set(delay);
    MemoryResult r;
    r.ok = trans.get_response_status() == tlm::TLM_OK_RESPONSE;
    return r;
}

bool CpuModule::is_apic_access(u64 paddr) const {
    const u64 apic_base = static_cast<const Cpu&>(cpu_).state().apic_base;
    constexpr u64 kApicGlobalEnable = 1ull << 11;
    return (apic_base & kApicGlobalEnable) && (paddr & ~0xfffull) == (apic_base & 0xffffff000ull);
}

MemoryResult CpuModule::read(u64 paddr, void* dst, u32 size, AccessKind kind) {
    if (ram_port_ && paddr < ram_size_) return ram_port_->read(paddr, dst, size, kind);
    if (u8* page = direct_page(paddr)) {
        std::memcpy(dst, page + (paddr & 0xfff), size);
        return {};
    }
    if (is_apic_access(paddr)) return transport(tlm::TLM_READ_COMMAND, paddr & 0xfff, dst, size, apic_socket);
    return transport(tlm::TLM_READ_COMMAND, paddr, dst, size, mem_socket);
}

MemoryResult CpuModule::write(u64 paddr, const void* src, u32 size, AccessKind kind) {
    if (ram_port_ && paddr < ram_size_) return ram_port_->write(paddr, src, size, kind);
    if (u8* page = direct_page(paddr)) {
        std::memcpy(page + (paddr & 0xfff), src, size);
        return {};
    }
    if (is_apic_access(paddr))
        return transport(tlm::TLM_WRITE_COMMAND, paddr & 0xfff, const_cast<void*>(src), size, apic_socket);
    return transport(tlm::TLM_WRITE_COMMAND, paddr, const_cast<void*>(src), size, mem_socket);
}

u8* CpuModule::direct_page(u64 paddr) {
    if (ram_port_) return nullptr; // timing mode: every access goes through the caches
    if (paddr >= dmi_start_ && paddr <= dmi_end_) [[likely]]
        return dmi_ptr_ + ((paddr - dmi_start_) & ~0xfffull);
    if (!dmi_checked_) {
        // Ask once for DMI to RAM (which starts at physical 0 on a PC).
        dmi_checked_ = true;
        tlm::tlm_generic_payload trans;
        tlm::tlm_dmi dmi;
        trans.set_command(tlm::TLM_READ_COMMAND);
        trans.set_address(0);
        if (mem_socket->get_direct_mem_ptr(trans, dmi) && dmi.is_read_write_allowed()) {
            dmi_ptr_ = dmi.get_dmi_ptr();
            dmi_start_ = dmi.get_start_address();
            dmi_end_ = dmi.get_end_address();
            if (paddr >= dmi_start_ && paddr <= dmi_end_)
                return dmi_ptr_ + ((paddr - dmi_start_) & ~0xfffull);
        }
    }
    return nullptr;
}

u32 CpuModule::in(u16 port, u32 size) {
    u32 value = 0;
    const MemoryResult r = transport(tlm::TLM_READ_COMMAND, port, &value, size, io_socket);
    if (!r.ok) return u32(size >= 4 ? 0xffffffffu : (1u << (size * 8)) - 1);
    return value;
}

void CpuModule::out(u16 port, u32 size, u32 value) {
    transport(tlm::TLM_WRITE_COMMAND, port, &value, size, io_socket);
}

void CpuModule::set_intr(bool level) {
    cpu_.interrupt_sink().set_intr(level);
    wake_pending_ = true;
    wake_.notify(sc_core::SC_ZERO_TIME);
}
void CpuModule::raise_nmi() {
    cpu_.interrupt_sink().raise_nmi();
    wake_pending_ = true;
    wake_.notify(sc_core::SC_ZERO_TIME);
}
void CpuModule::raise_init() {
    cpu_.interrupt_sink().raise_init();
    wake_pending_ = true;
    wake_.notify(sc_core::SC_ZERO_TIME);
}
void CpuModule::raise_sipi(u8 vector) {
    cpu_.interrupt_sink().raise_sipi(vector);
    wake_pending_ = true;
    wake_.notify(sc_core::SC_ZERO_TIME);
}

} // namespace smpsim::cpu
