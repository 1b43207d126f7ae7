// What a PCI bus master's writes and reads reach (the root complex's upstream side): message-signalled
// interrupts at 0xFEExxxxx go to the local APICs as APIC bus messages; everything else is memory, which
// is RAM through the coherent fabric in timing mode or directly otherwise.
//
// One rule for everything else a bus master aims at: RAM beyond its end, addresses with nothing behind
// them, an access straddling the end of RAM, a read or a non-dword write in the MSI window, and MMIO
// ranges the CPUs see (the local APIC window, the I/O APIC, any device's BAR, the NIC's own included)
// are "no memory". Peer-to-peer DMA between devices is not modelled. The request completes as an
// unsupported request: a read returns all ones, a write is dropped, and the response is
// TLM_ADDRESS_ERROR_RESPONSE. It is counted here and never fatal here: the device records it (its PCI
// Status register, the run's summary) and the platform decides whether to stop.
#pragma once
#include "sim/cache_mesi/ports.h"
#include "sim/core/interrupt.h"
#include "sim/core/memory_port.h"
#include "sim/core/types.h"

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include <functional>
#include <memory>
#include <span>

namespace smpsim::platform {

class DmaRouter : public sc_core::sc_module {
  public:
    tlm_utils::simple_target_socket<DmaRouter> socket;

    // `caches` (null in functional mode) is the coherent memory system; `ram` the backing store;
    // `cycle` the period of the clock the caches count in. The ram-write listener hears of every write
    // (the decode cache drops code pages a device overwrote).
    DmaRouter(sc_core::sc_module_name name, std::span<u8> ram, cache_mesi::MemorySystem* caches,
              ApicBus& apic_bus, sc_core::sc_time cycle);
    void set_ram_write_listener(std::function<void(u64 paddr, u64 size)> listener) {
        on_ram_write_ = std::move(listener);
    }
    // Hears of every MSI/MSI-X message (the write's address and data) as it goes to the APIC bus.
    void set_msi_listener(std::function<void(u64 address, u32 data)> listener) {
        on_msi_ = std::move(listener);
    }

    u64 messages() const { return messages_; }
    u64 bytes_read() const { return bytes_read_; }
    u64 bytes_written() const { return bytes_written_; }
    u64 faults() const { return faults_; }

  private:
    void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
    void unsupported_request(tlm::tlm_generic_payload& trans); // reads all ones, writes dropped

    std::span<u8> ram_;
    u64 now_cycles_ = 0; // the caches' clock at the current access
    std::unique_ptr<cache_mesi::DmaPort> coherent_;
    ApicBus& apic_bus_;
    sc_core::sc_time cycle_;
    std::function<void(u64, u64)> on_ram_write_;
    std::function<void(u64, u32)> on_msi_;
    u64 messages_ = 0, bytes_read_ = 0, bytes_written_ = 0, faults_ = 0;
};

} // namespace smpsim::platform
