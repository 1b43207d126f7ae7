// The PicDevice TLM wrapper, driven through its three target sockets by an initiator thread. One TEST
// per binary: sc_start can run only once per process.
#include "sim/pic8259/pic_device.h"

#include <gtest/gtest.h>
#include <tlm_utils/simple_initiator_socket.h>

#include <vector>

namespace smpsim::pic8259 {
namespace {

struct Driver : sc_core::sc_module {
    tlm_utils::simple_initiator_socket<Driver> master{"master"}, slave{"slave"}, elcr{"elcr"};
    PicDevice* pic = nullptr;
    std::vector<u8> results;
    std::vector<bool> intr;
    bool done = false;

    SC_HAS_PROCESS(Driver);
    explicit Driver(sc_core::sc_module_name name) : sc_module(name) { SC_THREAD(run); }

    void access(tlm_utils::simple_initiator_socket<Driver>& socket, u64 offset, u8* data, unsigned len,
                bool write) {
        tlm::tlm_generic_payload trans;
        sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
        trans.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
        trans.set_address(offset);
        trans.set_data_ptr(data);
        trans.set_data_length(len);
        trans.set_streaming_width(len);
        trans.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
        socket->b_transport(trans, delay);
        EXPECT_EQ(trans.get_response_status(), tlm::TLM_OK_RESPONSE);
    }
    void out(tlm_utils::simple_initiator_socket<Driver>& socket, u64 offset, u8 value) {
        access(socket, offset, &value, 1, true);
    }
    u8 in(tlm_utils::simple_initiator_socket<Driver>& socket, u64 offset) {
        u8 value = 0;
        access(socket, offset, &value, 1, false);
        return value;
    }

    void run() {
        // Linux's init_8259A sequence through the sockets (offsets relative to each window).
        out(master, 1, 0xff);
        out(slave, 1, 0xff);
        out(master, 0, 0x11);
        out(master, 1, 0x30);
        out(master, 1, 0x04);
        out(master, 1, 0x01);
        out(slave, 0, 0x11);
        out(slave, 1, 0x38);
        out(slave, 1, 0x02);
        out(slave, 1, 0x01);
        out(master, 1, 0xfa); // IRQ0 and the cascade unmasked
        out(slave, 1, 0xef);  // IRQ12 unmasked
        out(elcr, 1, 0xff);
        results.push_back(in(master, 1));
        results.push_back(in(slave, 1));
        results.push_back(in(elcr, 0));
        results.push_back(in(elcr, 1));
        pic->pair().irq(12).set_level(true);
        results.push_back(pic->pair().acknowledge());
        out(slave, 0, 0x0b); // read ISR
        results.push_back(in(slave, 0));
        // A 2-byte access covers both ports of the window; a 4-byte one runs past it (0xff).
        u8 wide[4] = {0, 0, 0, 0};
        access(master, 0, wide, 4, false);
        results.insert(results.end(), wide, wide + 4);
        pic->pair().irq(12).set_level(false); // IRQ12 is level-triggered: lower it before the EOIs
        out(slave, 0, 0x20);
        out(master, 0, 0x20);
        done = true;
    }
};

// The device answers at its three windows (master 0x20, slave 0xA0, ELCR 0x4D0), each socket seeing
// offsets 0-1; interrupts flow to the INTR callback and the pair acknowledges through the cascade.
TEST(PicDeviceTest, PortWindowsThroughTlmSocketsProgramAndReadThePair) {
    PicDevice pic("pic");
    Driver driver("driver");
    driver.pic = &pic;
    driver.master.bind(pic.master_socket);
    driver.slave.bind(pic.slave_socket);
    driver.elcr.bind(pic.elcr_socket);
    pic.pair().set_intr_callback([&](bool level) { driver.intr.push_back(level); });
    sc_core::sc_start();
    ASSERT_TRUE(driver.done);
    // IMR master/slave, ELCR1/ELCR2 (PIIX read-only zero bits for IRQ 0-2, 8, 13), vector 0x38+4,
    // slave ISR, then the 4-byte read: master IRR, IMR, 0xff, 0xff.
    EXPECT_EQ(driver.results, (std::vector<u8>{0xfa, 0xef, 0x00, 0xde, 0x3c, 0x10, 0x00, 0xfa, 0xff, 0xff}));
    EXPECT_EQ(driver.intr, (std::vector<bool>{false, true, false}));
}

} // namespace
} // namespace smpsim::pic8259
