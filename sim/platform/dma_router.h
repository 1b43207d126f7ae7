// What a PCI bus master's writes and reads reach (the root complex's upstream side): message-signalled
// interrupts at 0xFEExxxxx go to the local APICs as APIC bus messages; everything else is memory, which
// is RAM through the coherent fabric in timing mode or directly otherwise. An access outside RAM is a
// DMA to nowhere: it fails with an address error and is counted, never fatal here (the device reports it).
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

    u64 messages() const { return messages_; }
    u64 bytes_read() const { return bytes_read_; }
    u64 bytes_written() const { return bytes_written_; }
    u64 faults() const { return faults_; }

  private:
    void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);

    std::span<u8> ram_;
    u64 now_cycles_ = 0; // the caches' clock at the current access
    std::unique_ptr<cache_mesi::DmaPort> coherent_;
    ApicBus& apic_bus_;
    sc_core::sc_time cycle_;
    std::function<void(u64, u64)> on_ram_write_;
    u64 messages_ = 0, bytes_read_ = 0, bytes_written_ = 0, faults_ = 0;
};

} // namespace smpsim::platform
