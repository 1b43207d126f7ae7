// The SystemC wrappers: MMIO through TLM sockets and the local APIC timer firing at the right simulated
// time. sc_start can run only one elaboration per process, so everything is one test in its own binary.
#include "sim/apic/apic_devices.h"

#include <gtest/gtest.h>
#include <tlm_utils/simple_initiator_socket.h>

#include <vector>

namespace smpsim::apic {
namespace {

using sc_core::SC_NS;
using sc_core::sc_time;

struct TimedCpu final : InterruptSink {
    std::vector<std::pair<sc_time, bool>> intr_changes;
    void set_intr(bool level) override { intr_changes.emplace_back(sc_core::sc_time_stamp(), level); }
    void raise_nmi() override {}
    void raise_init() override {}
    void raise_sipi(u8) override {}
};

class Tester : public sc_core::sc_module {
  public:
    tlm_utils::simple_initiator_socket<Tester> lapic_socket;
    tlm_utils::simple_initiator_socket<Tester> ioapic_socket;
    LocalApic* lapic = nullptr;
    // Results, checked after sc_start.
    u32 current_at_500 = 0, current_decoupled = 0, version = 0, ioapic_version = 0, ioapic_regsel = 0;
    u64 version_wide = 0;
    bool irr_at_999 = true, irr_at_1000 = false;
    int periodic_fires = 0;

    explicit Tester(sc_core::sc_module_name name)
        : sc_module(name), lapic_socket("lapic_socket"), ioapic_socket("ioapic_socket") {
        SC_HAS_PROCESS(Tester);
        SC_THREAD(run);
    }

    template <typename T>
    T access(tlm_utils::simple_initiator_socket<Tester>& socket, tlm::tlm_command cmd, u64 addr, T value = 0,
             sc_time delay = sc_core::SC_ZERO_TIME) {
        tlm::tlm_generic_payload trans;
        trans.set_command(cmd);
        trans.set_address(addr);
        trans.set_data_ptr(reinterpret_cast<unsigned char*>(&value));
        trans.set_data_length(sizeof(T));
        trans.set_streaming_width(sizeof(T));
        trans.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
        socket->b_transport(trans, delay);
        EXPECT_EQ(trans.get_response_status(), tlm::TLM_OK_RESPONSE);
        return value;
    }
    u32 lrd(u32 off, sc_time delay = sc_core::SC_ZERO_TIME) {
        return access<u32>(lapic_socket, tlm::TLM_READ_COMMAND, off, 0, delay);
    }
    void lwr(u32 off, u32 v) { access<u32>(lapic_socket, tlm::TLM_WRITE_COMMAND, off, v); }

    void run() {
        version = lrd(LocalApic::kVersion);
        version_wide = access<u64>(lapic_socket, tlm::TLM_READ_COMMAND, LocalApic::kVersion);
        lwr(LocalApic::kSvr, 0x1FF);
        lwr(LocalApic::kLvtTimer, 0x40);
        lwr(LocalApic::kTimerDivide, 0xB); // divide by 1: 1 GHz, one tick per ns
        lwr(LocalApic::kTimerInitial, 1000);
        wait(500, SC_NS);
        current_at_500 = lrd(LocalApic::kTimerCurrent);
        // A temporally decoupled reader 100 ns ahead of the kernel sees the count 100 ticks further.
        current_decoupled = lrd(LocalApic::kTimerCurrent, sc_time(100, SC_NS));
        wait(499, SC_NS);
        irr_at_999 = lapic->irr_bit(0x40);
        wait(1, SC_NS);
        wait(sc_core::SC_ZERO_TIME); // let the timer method run in this time step
        irr_at_1000 = lapic->irr_bit(0x40);
        lapic->acknowledge();
        lwr(LocalApic::kEoi, 0);
        // Periodic, 200 ns: fires at +200, +400, +600.
        lwr(LocalApic::kLvtTimer, LocalApic::kTimerPeriodic | 0x41);
        lwr(LocalApic::kTimerInitial, 200);
        for (int i = 0; i < 3; ++i) {
            wait(200, SC_NS);
            wait(sc_core::SC_ZERO_TIME);
            if (lapic->irr_bit(0x41)) ++periodic_fires;
            lapic->acknowledge();
            lwr(LocalApic::kEoi, 0);
        }
        lwr(LocalApic::kTimerInitial, 0);
        // I/O APIC: byte write to IOREGSEL, 32-bit read of IOWIN.
        access<u8>(ioapic_socket, tlm::TLM_WRITE_COMMAND, IoApic::kRegSel, 0x01);
        ioapic_regsel = access<u8>(ioapic_socket, tlm::TLM_READ_COMMAND, IoApic::kRegSel);
        ioapic_version = access<u32>(ioapic_socket, tlm::TLM_READ_COMMAND, IoApic::kWindow);
    }
};

// SDM 10.5.4: the timer counts down at the timer clock / divisor and interrupts at zero, here at the
// simulated time the count implies; MMIO reaches the registers through the TLM sockets.
TEST(ApicDevices, TimerFiresAtSimulatedTimeAndMmioWorks) {
    TimedCpu cpu;
    LocalApicDevice lapic("lapic", 0, 1'000'000'000);
    IoApicDevice ioapic("ioapic", 0);
    Tester tester("tester");
    tester.lapic = &lapic.core();
    lapic.core().set_sink(&cpu);
    tester.lapic_socket.bind(lapic.socket);
    tester.ioapic_socket.bind(ioapic.socket);

    EXPECT_EQ(lapic.ticks_at(sc_time(1500, SC_NS)), 1500u);
    EXPECT_EQ(lapic.time_of(1500), sc_time(1500, SC_NS));

    sc_core::sc_start(sc_time(5, sc_core::SC_US));

    EXPECT_EQ(tester.version, 0x00050014u);
    EXPECT_EQ(tester.version_wide, 0x00050014u); // bytes 4..7 of a register slot read 0
    EXPECT_EQ(tester.current_at_500, 500u);
    EXPECT_EQ(tester.current_decoupled, 400u);
    EXPECT_FALSE(tester.irr_at_999);
    EXPECT_TRUE(tester.irr_at_1000);
    ASSERT_FALSE(cpu.intr_changes.empty());
    EXPECT_EQ(cpu.intr_changes[0], std::make_pair(sc_time(1000, SC_NS), true));
    EXPECT_EQ(tester.periodic_fires, 3);
    EXPECT_EQ(tester.ioapic_regsel, 0x01u);
    EXPECT_EQ(tester.ioapic_version, 0x00170011u);
}

} // namespace
} // namespace smpsim::apic
