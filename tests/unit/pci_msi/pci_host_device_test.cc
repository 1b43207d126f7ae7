// The SystemC wrapper: config mechanism #1, the memory window and the I/O window reached through TLM
// sockets with router-relative addresses. sc_start can run only one elaboration per process, so
// everything is one test in its own binary.
#include "sim/pci_msi/pci_host_device.h"

#include <gtest/gtest.h>
#include <tlm_utils/simple_initiator_socket.h>

#include <vector>

namespace smpsim::pci {
namespace {

constexpr u64 kMmioBase = 0xC0000000;
constexpr u32 kIoBase = 0xC000;

class Tester : public sc_core::sc_module {
  public:
    tlm_utils::simple_initiator_socket<Tester> config_socket;
    tlm_utils::simple_initiator_socket<Tester> mmio_socket;
    tlm_utils::simple_initiator_socket<Tester> io_socket;
    // Results, checked after sc_start.
    u32 host_id = 0, nic_id = 0, bar0_sized = 0, mmio_value = 0, io_value = 0, missing = 0;
    u16 vendor_word = 0;
    u64 mmio_wide = 0;
    tlm::tlm_response_status byte_enable_status = tlm::TLM_INCOMPLETE_RESPONSE;
    sc_core::sc_time delay_seen;

    explicit Tester(sc_core::sc_module_name name)
        : sc_module(name), config_socket("config_socket"), mmio_socket("mmio_socket"),
          io_socket("io_socket") {
        SC_HAS_PROCESS(Tester);
        SC_THREAD(run);
    }

    template <typename T>
    T access(tlm_utils::simple_initiator_socket<Tester>& socket, tlm::tlm_command cmd, u64 addr,
             T value = 0) {
        tlm::tlm_generic_payload trans;
        sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
        trans.set_command(cmd);
        trans.set_address(addr);
        trans.set_data_ptr(reinterpret_cast<unsigned char*>(&value));
        trans.set_data_length(sizeof(T));
        trans.set_streaming_width(sizeof(T));
        trans.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
        socket->b_transport(trans, delay);
        EXPECT_EQ(trans.get_response_status(), tlm::TLM_OK_RESPONSE);
        delay_seen = delay;
        return value;
    }
    // The router hands the config device addresses relative to 0xCF8.
    void select(u32 device, u32 reg) {
        access<u32>(config_socket, tlm::TLM_WRITE_COMMAND, 0, 0x80000000u | device << 11 | reg);
    }

    void run() {
        select(0, 0);
        host_id = access<u32>(config_socket, tlm::TLM_READ_COMMAND, 4);
        select(3, 0);
        nic_id = access<u32>(config_socket, tlm::TLM_READ_COMMAND, 4);
        vendor_word = access<u16>(config_socket, tlm::TLM_READ_COMMAND, 4);
        select(3, 0x10);
        access<u32>(config_socket, tlm::TLM_WRITE_COMMAND, 4, 0xFFFFFFFF);
        bar0_sized = access<u32>(config_socket, tlm::TLM_READ_COMMAND, 4);
        access<u32>(config_socket, tlm::TLM_WRITE_COMMAND, 4, u32(kMmioBase + 0x20000));
        select(3, 0x18);
        access<u32>(config_socket, tlm::TLM_WRITE_COMMAND, 4, kIoBase + 0x20);
        select(3, 0x04);
        access<u16>(config_socket, tlm::TLM_WRITE_COMMAND, 4, 0x0007);
        // BAR 0 at window offset 0x20000, the I/O BAR at window offset 0x20.
        mmio_value = access<u32>(mmio_socket, tlm::TLM_READ_COMMAND, 0x20010);
        mmio_wide = access<u64>(mmio_socket, tlm::TLM_READ_COMMAND, 0x20018);
        access<u32>(mmio_socket, tlm::TLM_WRITE_COMMAND, 0x20040, 0xABCD);
        io_value = access<u32>(io_socket, tlm::TLM_READ_COMMAND, 0x24);
        missing = access<u32>(mmio_socket, tlm::TLM_READ_COMMAND, 0x100);

        u32 word = 0;
        u8 enables[4] = {0xFF, 0xFF, 0xFF, 0xFF};
        tlm::tlm_generic_payload trans;
        sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
        trans.set_command(tlm::TLM_READ_COMMAND);
        trans.set_address(0x20010);
        trans.set_data_ptr(reinterpret_cast<unsigned char*>(&word));
        trans.set_data_length(4);
        trans.set_streaming_width(4);
        trans.set_byte_enable_ptr(enables);
        trans.set_byte_enable_length(4);
        mmio_socket->b_transport(trans, delay);
        byte_enable_status = trans.get_response_status();
    }
};

TEST(PciHostDevice, SocketsReachConfigSpaceAndBothWindows) {
    PciHostDevice host("pci", kMmioBase, kIoBase, sc_core::sc_time(10, sc_core::SC_NS));
    PciFunction nic(0x8086, 0x10C9, 0x020000, 1);
    std::vector<std::pair<u64, u64>> writes;
    nic.add_bar(0, {BarKind::Mem32, 128 << 10},
                {.read = [](u64 offset, unsigned size) { return 0x1000 + offset + (u64(size) << 32); },
                 .write = [&](u64 offset, unsigned, u64 value) { writes.emplace_back(offset, value); }});
    nic.add_bar(2, {BarKind::Io, 32},
                {.read = [](u64 offset, unsigned) { return 0x500 + offset; }, .write = {}});
    host.bridge().attach(3, 0, nic);
    Tester tester("tester");
    tester.config_socket.bind(host.config_socket);
    tester.mmio_socket.bind(host.mmio_socket);
    tester.io_socket.bind(host.io_socket);

    sc_core::sc_start();

    EXPECT_EQ(tester.host_id, 0x12378086u);
    EXPECT_EQ(tester.nic_id, 0x10C98086u);
    EXPECT_EQ(tester.vendor_word, 0x8086u);
    EXPECT_EQ(tester.bar0_sized, 0xFFFE0000u);
    EXPECT_EQ(nic.bar_address(0), kMmioBase + 0x20000);
    EXPECT_EQ(nic.bar_address(2), kIoBase + 0x20);
    EXPECT_EQ(nic.command(), 0x0007u);
    EXPECT_EQ(tester.mmio_value, 0x1010u);
    EXPECT_EQ(tester.mmio_wide, 0x0000000800001018ull);
    ASSERT_EQ(writes.size(), 1u);
    EXPECT_EQ(writes[0], std::make_pair(u64(0x40), u64(0xABCD)));
    EXPECT_EQ(tester.io_value, 0x504u);
    EXPECT_EQ(tester.missing, 0xFFFFFFFFu);
    EXPECT_EQ(host.bridge().unclaimed_accesses(), 1u);
    EXPECT_EQ(tester.byte_enable_status, tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
    EXPECT_EQ(tester.delay_seen, sc_core::sc_time(10, sc_core::SC_NS));
    EXPECT_EQ(host.describe(), "00:00.0 8086:1237 class 060000\n00:03.0 8086:10c9 class 020000\n");
}

} // namespace
} // namespace smpsim::pci
