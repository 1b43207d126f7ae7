// The TLM-2.0 face of the coherent memory system for bus-master devices: a target socket whose reads
// and writes are DMA accesses (a write invalidates cached copies, a read gets modified data from its
// owner). A thin wrapper: the behaviour is MemorySystem::dma_read/dma_write.
#pragma once
#include "sim/cache_mesi/memory_system.h"

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

namespace smpsim::cache_mesi {

class DmaTarget : public sc_core::sc_module {
  public:
    tlm_utils::simple_target_socket<DmaTarget> socket;

    // `cycle` is the length of a cycle of the clock the caches count in (the CPU clock).
    DmaTarget(sc_core::sc_module_name name, MemorySystem& memory, sc_core::sc_time cycle);

  private:
    void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);

    MemorySystem& memory_;
    sc_core::sc_time cycle_;
};

} // namespace smpsim::cache_mesi
