// Coherent DMA through the TLM socket: a device write invalidates a CPU's cached copy, a device read
// sees a CPU's modified line, an address beyond RAM is an address error. Its own binary: sc_start
// runs once per process.
#include "sim/cache_mesi/dma_target.h"

#include <gtest/gtest.h>
#include <tlm_utils/simple_initiator_socket.h>

#include <vector>

// Under ASan, LeakSanitizer's exit-time scan crashes on SystemC's coroutine stacks.
extern "C" const char* __asan_default_options() {
    return "detect_leaks=0";
}

namespace smpsim::cache_mesi {
namespace {

struct Device : sc_core::sc_module {
    tlm_utils::simple_initiator_socket<Device> socket{"socket"};
    explicit Device(sc_core::sc_module_name n) : sc_module(n) {}
    tlm::tlm_response_status access(tlm::tlm_command cmd, u64 addr, void* data, u32 size) {
        tlm::tlm_generic_payload t;
        t.set_command(cmd);
        t.set_address(addr);
        t.set_data_ptr(static_cast<unsigned char*>(data));
        t.set_data_length(size);
        t.set_streaming_width(size);
        sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
        socket->b_transport(t, delay);
        return t.get_response_status();
    }
};

TEST(DmaTarget, DeviceAccessesAreCoherentWithCpuCaches) {
    std::vector<u8> ram(1 << 20);
    CacheConfig config;
    config.cpus = 2;
    MemorySystem memory(config, ram);
    DmaTarget target("dma", memory, sc_core::sc_time(1, sc_core::SC_NS));
    Device device("device");
    device.socket.bind(target.socket);

    // CPU 0 holds 0x1000 modified: a device read must see its value, not RAM's.
    memory.store(0, 0x1000, 4, 0x11223344, 0);
    u32 v = 0;
    EXPECT_EQ(device.access(tlm::TLM_READ_COMMAND, 0x1000, &v, 4), tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(v, 0x11223344u);

    // CPU 1 caches 0x2000: a device write must not leave it reading the old value.
    memory.load(1, 0x2000, 4, 0);
    u32 w = 0xcafef00d;
    EXPECT_EQ(device.access(tlm::TLM_WRITE_COMMAND, 0x2000, &w, 4), tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(memory.load(1, 0x2000, 4, 1).value, 0xcafef00du);

    // Beyond RAM: an unsupported request, as at the platform's DMA router: the read returns all ones.
    u32 x = 0;
    EXPECT_EQ(device.access(tlm::TLM_READ_COMMAND, 2 << 20, &x, 4), tlm::TLM_ADDRESS_ERROR_RESPONSE);
    EXPECT_EQ(x, 0xffffffffu);
}

} // namespace
} // namespace smpsim::cache_mesi

int sc_main(int, char**) {
    return 0;
}
