// One rule for bus faults (docs/FAULTS.md): an access that nothing answers completes as a master abort /
// unsupported request. A read returns all ones, a write is dropped, the initiator gets
// TLM_ADDRESS_ERROR_RESPONSE and records it; the run goes on. Checked at the DMA router (every bus
// master), at the address router (the CPUs' MMIO), and at the 82576 (its PCI Status and its summary).
// Its own binary: SystemC elaborates once per process.
#include "sim/apic/msi.h"
#include "sim/core/log.h"
#include "sim/core/tlm_payload.h"
#include "sim/igb/igb_device.h"
#include "sim/igb/igb_regs.h"
#include "sim/pci_msi/pci_regs.h"
#include "sim/platform/dma_router.h"
#include "sim/platform/ram.h"
#include "sim/platform/router.h"

#include <gtest/gtest.h>
#include <tlm_utils/simple_initiator_socket.h>

#include <cstring>
#include <string>
#include <vector>

namespace smpsim::platform {
namespace {

struct Initiator : sc_core::sc_module {
    tlm_utils::simple_initiator_socket<Initiator> socket{"socket"};
    explicit Initiator(sc_core::sc_module_name n) : sc_module(n) {}
    tlm::tlm_response_status access(tlm::tlm_command cmd, u64 addr, void* data, u32 size) {
        tlm::tlm_generic_payload t;
        prepare_payload(t, cmd, addr, data, size);
        sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
        socket->b_transport(t, delay);
        return t.get_response_status();
    }
    tlm::tlm_response_status read(u64 addr, void* data, u32 size) {
        return access(tlm::TLM_READ_COMMAND, addr, data, size);
    }
    tlm::tlm_response_status write(u64 addr, const void* data, u32 size) {
        return access(tlm::TLM_WRITE_COMMAND, addr, const_cast<void*>(data), size);
    }
};

struct RecordingApicBus final : ApicBus {
    std::vector<ApicMessage> sent;
    void send(const ApicMessage& m) override { sent.push_back(m); }
    void broadcast_eoi(u8) override {}
};

std::string unique(const char* base) {
    static int n = 0;
    return std::string(base) + std::to_string(n++);
}

struct DmaBench {
    std::vector<u8> ram = std::vector<u8>(1 << 20, 0x5a);
    RecordingApicBus bus;
    DmaRouter router{unique("dma_router").c_str(), ram, nullptr, bus, sc_core::sc_time(1, sc_core::SC_NS)};
    Initiator device{unique("device").c_str()};
    DmaBench() { device.socket.bind(router.socket); }
};

TEST(DmaRouterFault, ReadWithNothingBehindItReturnsAllOnes) {
    DmaBench b;
    for (u64 addr : {u64(1) << 20, u64(1) << 40, u64(0xfebc0000) /* a device BAR */, ~u64(0) - 3}) {
        u64 v = 0x1234;
        EXPECT_EQ(b.device.read(addr, &v, 8), tlm::TLM_ADDRESS_ERROR_RESPONSE) << std::hex << addr;
        EXPECT_EQ(v, ~u64(0)) << std::hex << addr;
    }
    EXPECT_EQ(b.router.faults(), 4u);
    EXPECT_EQ(b.router.bytes_read(), 0u);
}

TEST(DmaRouterFault, WriteWithNothingBehindItIsDroppedEvenWhereItStraddlesTheEndOfRam) {
    DmaBench b;
    const std::vector<u8> before = b.ram;
    const u64 v = 0x1122334455667788;
    EXPECT_EQ(b.device.write((1 << 20) - 4, &v, 8), tlm::TLM_ADDRESS_ERROR_RESPONSE);
    EXPECT_EQ(b.device.write(u64(1) << 36, &v, 8), tlm::TLM_ADDRESS_ERROR_RESPONSE);
    EXPECT_EQ(b.ram, before);
    EXPECT_EQ(b.router.faults(), 2u);
    EXPECT_EQ(b.router.bytes_written(), 0u);
}

TEST(DmaRouterFault, InterruptWindowTakesOnlyDwordMessageWrites) {
    DmaBench b;
    const u32 data = 0x41; // fixed, vector 0x41
    EXPECT_EQ(b.device.write(0xfee00000, &data, 4), tlm::TLM_OK_RESPONSE);
    ASSERT_EQ(b.bus.sent.size(), 1u);
    EXPECT_EQ(b.bus.sent[0].vector, 0x41);
    // A read of the local APIC window, or a narrow write there, is not a message: no memory.
    u32 r = 0;
    EXPECT_EQ(b.device.read(0xfee00020, &r, 4), tlm::TLM_ADDRESS_ERROR_RESPONSE);
    EXPECT_EQ(r, 0xffffffffu);
    const u16 narrow = 0x41;
    EXPECT_EQ(b.device.write(0xfee00000, &narrow, 2), tlm::TLM_ADDRESS_ERROR_RESPONSE);
    EXPECT_EQ(b.bus.sent.size(), 1u);
    EXPECT_EQ(b.router.faults(), 2u);
    EXPECT_EQ(b.router.messages(), 1u);
}

TEST(DmaRouterFault, TimingModeFollowsTheSameRule) {
    std::vector<u8> ram(1 << 20, 0);
    cache_mesi::CacheConfig config;
    config.cpus = 1;
    cache_mesi::MemorySystem caches(config, ram);
    RecordingApicBus bus;
    DmaRouter router(unique("dma_router").c_str(), ram, &caches, bus, sc_core::sc_time(1, sc_core::SC_NS));
    Initiator device(unique("device").c_str());
    device.socket.bind(router.socket);
    u32 v = 0;
    EXPECT_EQ(device.read(2 << 20, &v, 4), tlm::TLM_ADDRESS_ERROR_RESPONSE);
    EXPECT_EQ(v, 0xffffffffu);
    const u32 w = 7;
    EXPECT_EQ(device.write(0x1000, &w, 4), tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(device.read(0x1000, &v, 4), tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(v, 7u);
}

// The 82576 behind the DMA router: a ring at no memory, and an MSI-X message to no memory.
TEST(IgbDmaFault, RecordsReceivedMasterAbortCountsTheFaultAndGoesOn) {
    using namespace igb::reg;
    log::logger().reset();
    std::vector<u8> ram(1 << 20, 0);
    RecordingApicBus bus;
    DmaRouter router(unique("dma_router").c_str(), ram, nullptr, bus, sc_core::sc_time(1, sc_core::SC_NS));
    igb::IgbDevice nic(unique("igb").c_str(), igb::IgbConfig{});
    nic.dma_socket.bind(router.socket);
    std::vector<std::string> reports;
    nic.set_fault_handler([&](const std::string& r) { reports.push_back(r); });
    pci::PciFunction& fn = nic.function();
    fn.firmware_assign_bar(0, 0xfebc0000);
    fn.firmware_assign_bar(3, 0xfebf0000);
    fn.config_write(pci::reg::kCommand, 2, pci::command::kMemorySpace | pci::command::kBusMaster);
    igb::IgbCore& core = nic.core();
    // RX queue 0: a ring beyond RAM, one descriptor posted.
    core.write(rxq(0, kQBaseLow), 0);
    core.write(rxq(0, kQBaseHigh), 0x100); // 1 TiB
    core.write(rxq(0, kQLength), 8 * kDescriptorSize);
    core.write(rxq(0, kQHead), 0);
    core.write(rxq(0, kQTail), 1);
    core.write(rxq(0, kQDescCtl), kQueueEnable);
    core.write(RCTL, kRctlEnable | kRctlBroadcastAccept);
    std::vector<u8> frame(60, 0);
    std::fill(frame.begin(), frame.begin() + 6, 0xff); // broadcast
    frame[12] = 0x08;
    EXPECT_NE(core.receive(frame, 0).drop, igb::RxDrop::None);
    EXPECT_TRUE(fn.status() & pci::status::kReceivedMasterAbort);
    EXPECT_EQ(nic.stats().dma_faults, 1u);
    ASSERT_EQ(nic.stats().first_dma_faults.size(), 1u);
    const BusFault& f = nic.stats().first_dma_faults[0];
    EXPECT_EQ(f.addr, u64(0x100) << 32);
    EXPECT_FALSE(f.write);
    EXPECT_EQ(f.size, kDescriptorSize);
    EXPECT_EQ(f.what, "RX queue 0 descriptor read");
    ASSERT_EQ(reports.size(), 1u);
    EXPECT_EQ(reports[0],
              "igb: RX queue 0 descriptor read at physical address 0x10000000000 reached no memory");
    EXPECT_EQ(log::logger().count(log::Category::Dma, "device DMA to no memory"), 1u);
    // The driver clears the RW1C bit.
    fn.config_write(pci::reg::kStatus, 2, pci::status::kReceivedMasterAbort);
    EXPECT_FALSE(fn.status() & pci::status::kReceivedMasterAbort);

    // MSI-X vector 0 aimed at no memory: the message write is a fault like any other (a posted write:
    // the function's status stays clear), where it used to vanish silently.
    const u8 cap = fn.msix_capability();
    fn.config_write(cap + pci::msix::kControl, 2, pci::msix::kEnable);
    ASSERT_TRUE(fn.msix_enabled());
    const u64 table = fn.bar_address(3);
    ASSERT_TRUE(fn.mmio_write(table + pci::msix::kEntryAddressLow, 4, 0));
    ASSERT_TRUE(fn.mmio_write(table + pci::msix::kEntryAddressHigh, 4, 0x200));
    ASSERT_TRUE(fn.mmio_write(table + pci::msix::kEntryVectorControl, 4, 0));
    fn.msix_notify(0);
    EXPECT_EQ(nic.stats().dma_faults, 2u);
    ASSERT_EQ(nic.stats().first_dma_faults.size(), 2u);
    EXPECT_EQ(nic.stats().first_dma_faults[1].what, "interrupt message");
    EXPECT_TRUE(nic.stats().first_dma_faults[1].write);
    EXPECT_EQ(nic.stats().first_dma_faults[1].addr, u64(0x200) << 32);
    EXPECT_FALSE(fn.status() & pci::status::kReceivedMasterAbort);
    EXPECT_TRUE(bus.sent.empty());
}

// Router::map creates a socket, which SystemC allows only while a module is being built (as Machine
// does); the multi-socket's callbacks are bound at elaboration, so the accesses run in a thread, after
// sc_start. This is the binary's one sc_start: keep this test last.
struct RouterBench : sc_core::sc_module {
    Ram ram{"ram", 1 << 16};
    Router router{"router"};
    Initiator cpu0{"cpu0"}, cpu1{"cpu1"};
    struct Seen {
        int initiator;
        u64 addr;
        u32 size;
        bool write;
    };
    std::vector<Seen> seen;
    tlm::tlm_response_status unmapped_read = tlm::TLM_INCOMPLETE_RESPONSE, unmapped_write = unmapped_read,
                             mapped_write = unmapped_read;
    u32 read_value = 0;

    explicit RouterBench(sc_core::sc_module_name n) : sc_module(n) {
        router.map(0, ram.size(), "ram").bind(ram.socket);
        cpu0.socket.bind(router.target);
        cpu1.socket.bind(router.target);
        router.set_fault_listener([this](int initiator, u64 addr, u32 size, bool write) {
            seen.push_back({initiator, addr, size, write});
        });
        SC_HAS_PROCESS(RouterBench);
        SC_THREAD(run);
    }
    void run() {
        unmapped_read = cpu1.read(0xfed00000, &read_value, 4);
        const u16 w = 0xbeef;
        unmapped_write = cpu0.write(0x10000, &w, 2); // just past RAM
        mapped_write = cpu0.write(0xfffe, &w, 2);
    }
};

TEST(RouterFault, UnmappedAccessReadsAllOnesDropsWritesAndIsReported) {
    RouterBench b(unique("router_bench").c_str());
    sc_core::sc_start();
    EXPECT_EQ(b.unmapped_read, tlm::TLM_ADDRESS_ERROR_RESPONSE);
    EXPECT_EQ(b.read_value, 0xffffffffu);
    EXPECT_EQ(b.unmapped_write, tlm::TLM_ADDRESS_ERROR_RESPONSE);
    EXPECT_EQ(b.mapped_write, tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(b.router.unmapped_accesses(), 2u);
    ASSERT_EQ(b.seen.size(), 2u);
    EXPECT_EQ(b.seen[0].initiator, 1);
    EXPECT_EQ(b.seen[0].addr, 0xfed00000u);
    EXPECT_FALSE(b.seen[0].write);
    EXPECT_EQ(b.seen[1].initiator, 0);
    EXPECT_EQ(b.seen[1].size, 2u);
    EXPECT_TRUE(b.seen[1].write);
}

} // namespace
} // namespace smpsim::platform
