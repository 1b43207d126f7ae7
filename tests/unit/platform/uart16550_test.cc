#include "sim/platform/uart16550.h"

#include <gtest/gtest.h>

#include <vector>

namespace smpsim::platform {
namespace {

using U = Uart16550;

struct UartBench : ::testing::Test {
    std::vector<u8> sent;
    std::vector<bool> irq_changes;
    Uart16550 uart{[this](u8 b) { sent.push_back(b); }};
    void SetUp() override {
        uart.set_irq_callback([this](bool level) { irq_changes.push_back(level); });
    }
};

// 16550D datasheet, table "UART Reset Configuration": IER, LCR, MCR 0; IIR 0x01 (no interrupt pending);
// LSR 0x60 (THRE, TEMT); MSR bits 3:0 0 and bits 7:4 the modem inputs (connected: DCD, DSR, CTS).
TEST_F(UartBench, ResetState) {
    EXPECT_EQ(uart.read(U::kIer), 0x00);
    EXPECT_EQ(uart.read(U::kIirFcr), 0x01);
    EXPECT_EQ(uart.read(U::kLcr), 0x00);
    EXPECT_EQ(uart.read(U::kMcr), 0x00);
    EXPECT_EQ(uart.read(U::kLsr), 0x60); // THRE | TEMT
    EXPECT_EQ(uart.read(U::kMsr), 0xb0); // DCD | DSR | CTS
    EXPECT_EQ(uart.read(U::kScr), 0x00);
    EXPECT_FALSE(uart.irq_level());
    EXPECT_FALSE(uart.fifo_enabled());
}

// 16550D datasheet, "Register Summary": IER has four enable bits (7:4 read 0), MCR five (7:5 read 0),
// LSR and MSR ignore writes; FCR keeps enable, DMA mode and the trigger level (read back through
// fifo_enabled and the trigger behaviour: FCR itself is write-only).
TEST_F(UartBench, WritableBits) {
    uart.write(U::kIer, 0xff);
    EXPECT_EQ(uart.read(U::kIer), 0x0f);
    uart.write(U::kIer, 0);
    uart.write(U::kMcr, 0xff);
    EXPECT_EQ(uart.read(U::kMcr), 0x1f);
    uart.write(U::kMcr, 0);
    uart.write(U::kLsr, 0x00);
    EXPECT_EQ(uart.read(U::kLsr), 0x60);
    uart.read(U::kMsr);
    uart.write(U::kMsr, 0x0f);
    EXPECT_EQ(uart.read(U::kMsr), 0xb0);
    uart.write(U::kLcr, 0xff);
    EXPECT_EQ(uart.read(U::kLcr), 0xff);
    uart.write(U::kLcr, 0x03);
    uart.write(U::kIirFcr, 0xff); // enable, clear both FIFOs, DMA mode, trigger 14
    EXPECT_TRUE(uart.fifo_enabled());
    EXPECT_EQ(uart.read(U::kIirFcr), 0xc1); // FIFOs enabled, no interrupt
    EXPECT_EQ(uart.peek(U::kIirFcr), 0xc1);
}

TEST_F(UartBench, DlabSwitchesOffsetsZeroAndOne) {
    uart.write(U::kIer, 0x05);
    uart.write(U::kLcr, 0x83); // DLAB, 8N1
    uart.write(U::kRbrThr, 0x01);
    uart.write(U::kIer, 0x00); // DLM
    EXPECT_EQ(uart.divisor(), 1);
    EXPECT_EQ(uart.read(U::kRbrThr), 0x01);
    EXPECT_EQ(uart.read(U::kIer), 0x00);
    uart.write(U::kIer, 0x12);
    EXPECT_EQ(uart.divisor(), 0x1201);
    EXPECT_TRUE(sent.empty()); // divisor writes transmit nothing
    uart.write(U::kLcr, 0x03);
    EXPECT_EQ(uart.read(U::kLcr), 0x03);
    EXPECT_EQ(uart.read(U::kIer), 0x05); // IER untouched by the DLM writes
    uart.write(U::kRbrThr, 'A');
    EXPECT_EQ(sent, std::vector<u8>{'A'});
    EXPECT_EQ(uart.divisor(), 0x1201);
}

TEST_F(UartBench, TransmitIsImmediate) {
    for (char c : std::string("hi\n"))
        uart.write(U::kRbrThr, static_cast<u8>(c));
    EXPECT_EQ(sent, (std::vector<u8>{'h', 'i', '\n'}));
    EXPECT_EQ(uart.read(U::kLsr), 0x60);
}

TEST_F(UartBench, ReceiveThroughHoldingRegister) {
    EXPECT_EQ(uart.read(U::kLsr) & U::kLsrDr, 0);
    uart.push_input('x');
    uart.push_input('y');
    uart.push_input('z');
    EXPECT_EQ(uart.rx_fifo_count(), 1u); // FIFOs off: one holding register, the rest waits
    EXPECT_EQ(uart.input_backlog(), 2u);
    EXPECT_EQ(uart.read(U::kLsr), 0x61);
    EXPECT_EQ(uart.peek(U::kRbrThr), 'x');
    EXPECT_EQ(uart.read(U::kRbrThr), 'x');
    EXPECT_EQ(uart.read(U::kRbrThr), 'y');
    EXPECT_EQ(uart.read(U::kRbrThr), 'z');
    EXPECT_EQ(uart.read(U::kLsr), 0x60);
    EXPECT_EQ(uart.read(U::kRbrThr), 'z'); // empty: the last byte again
}

TEST_F(UartBench, FifoModeAndTriggerLevel) {
    uart.write(U::kIirFcr, 0x47); // enable, clear both, trigger level 4
    EXPECT_TRUE(uart.fifo_enabled());
    EXPECT_EQ(uart.read(U::kIirFcr), 0xc1); // FIFO bits, no interrupt
    for (int i = 0; i < 20; ++i)
        uart.push_input(static_cast<u8>(i));
    EXPECT_EQ(uart.rx_fifo_count(), 16u);
    EXPECT_EQ(uart.input_backlog(), 4u);
    uart.write(U::kIer, U::kIerRda);
    EXPECT_EQ(uart.read(U::kIirFcr), 0xc4); // at/above trigger: received data available
    for (int i = 0; i < 17; ++i)
        EXPECT_EQ(uart.read(U::kRbrThr), i);
    EXPECT_EQ(uart.rx_fifo_count(), 3u);
    EXPECT_EQ(uart.read(U::kIirFcr), 0xcc); // below trigger: character timeout
    uart.write(U::kIirFcr, 0x43);           // clear the receiver FIFO
    EXPECT_EQ(uart.rx_fifo_count(), 0u);
    EXPECT_EQ(uart.read(U::kIirFcr), 0xc1);
    uart.write(U::kIirFcr, 0x00); // FIFOs off
    EXPECT_EQ(uart.read(U::kIirFcr), 0x01);
}

TEST_F(UartBench, InterruptPriorities) {
    uart.write(U::kIer, U::kIerRda | U::kIerThre | U::kIerMsi);
    // Enabling the THRE interrupt with THR empty raises it at once.
    EXPECT_EQ(uart.read(U::kIirFcr), 0x02);
    EXPECT_EQ(uart.read(U::kIirFcr), 0x01); // reading IIR acknowledged it
    uart.write(U::kRbrThr, 'a');            // THR empty again after the byte left
    uart.push_input('b');
    EXPECT_EQ(uart.peek(U::kIirFcr), 0x04); // received data outranks THR empty
    EXPECT_EQ(uart.read(U::kIirFcr), 0x04);
    EXPECT_EQ(uart.read(U::kRbrThr), 'b');
    EXPECT_EQ(uart.read(U::kIirFcr), 0x02);
    EXPECT_EQ(uart.read(U::kIirFcr), 0x01);
    // Modem status comes last; reading MSR clears it.
    uart.write(U::kMcr, U::kMcrLoop | U::kMcrRts);
    EXPECT_EQ(uart.read(U::kIirFcr), 0x00);
    const u8 msr = uart.read(U::kMsr);
    EXPECT_EQ(msr & 0xf0, U::kMsrCts);
    EXPECT_NE(msr & 0x0f, 0);
    EXPECT_EQ(uart.read(U::kIirFcr), 0x01);
}

TEST_F(UartBench, ThreInterruptClearedByDisablingAndByIirRead) {
    uart.write(U::kIer, U::kIerThre);
    EXPECT_EQ(uart.peek(U::kIirFcr), 0x02);
    uart.write(U::kIer, 0);
    EXPECT_EQ(uart.peek(U::kIirFcr), 0x01);
    uart.write(U::kIer, U::kIerThre);
    EXPECT_EQ(uart.peek(U::kIirFcr), 0x02);
}

TEST_F(UartBench, ScratchRegister) {
    uart.write(U::kScr, 0x5a);
    EXPECT_EQ(uart.read(U::kScr), 0x5a);
    uart.write(U::kScr, 0xa5);
    EXPECT_EQ(uart.read(U::kScr), 0xa5);
    EXPECT_EQ(uart.read(8 + U::kScr), 0xa5); // offsets are taken modulo 8
    uart.write(U::kLsr, 0);                  // read-only: ignored
    EXPECT_EQ(uart.read(U::kLsr), 0x60);
}

TEST_F(UartBench, IrqLevelNeedsOut2) {
    uart.write(U::kIer, U::kIerRda);
    uart.push_input('q');
    EXPECT_TRUE(uart.interrupt_pending());
    EXPECT_FALSE(uart.irq_level()); // OUT2 clear: the PC's IRQ gate is closed
    EXPECT_TRUE(irq_changes.empty());
    uart.write(U::kMcr, U::kMcrOut2 | U::kMcrDtr | U::kMcrRts);
    EXPECT_TRUE(uart.irq_level());
    EXPECT_EQ(irq_changes, std::vector<bool>{true});
    uart.read(U::kRbrThr);
    EXPECT_FALSE(uart.irq_level());
    EXPECT_EQ(irq_changes, (std::vector<bool>{true, false}));
    uart.push_input('r');
    EXPECT_TRUE(uart.irq_level());
    uart.write(U::kMcr, U::kMcrOut2 | U::kMcrLoop); // loopback forces the OUT2 pin inactive
    EXPECT_FALSE(uart.irq_level());
    uart.write(U::kMcr, U::kMcrOut2);
    EXPECT_TRUE(uart.irq_level());
    uart.write(U::kIer, 0);
    EXPECT_FALSE(uart.irq_level());
    EXPECT_EQ(irq_changes, (std::vector<bool>{true, false, true, false, true, false}));
}

TEST_F(UartBench, LoopbackReturnsTransmittedBytes) {
    uart.write(U::kMcr, U::kMcrLoop | U::kMcrDtr | U::kMcrOut1);
    EXPECT_EQ(uart.read(U::kMsr) & 0xf0, U::kMsrDsr | U::kMsrRi);
    uart.write(U::kRbrThr, 0x55);
    EXPECT_TRUE(sent.empty());
    EXPECT_EQ(uart.read(U::kLsr) & U::kLsrDr, U::kLsrDr);
    EXPECT_EQ(uart.read(U::kRbrThr), 0x55);
    uart.write(U::kMcr, U::kMcrLoop); // RI falls: trailing-edge delta
    EXPECT_EQ(uart.read(U::kMsr) & U::kMsrTeri, U::kMsrTeri);
    uart.write(U::kMcr, 0);
    uart.write(U::kRbrThr, 0x66);
    EXPECT_EQ(sent, std::vector<u8>{0x66});
}

TEST_F(UartBench, ResetKeepsHostInput) {
    uart.write(U::kScr, 1);
    uart.write(U::kIer, 0x0f);
    uart.push_input('1');
    uart.push_input('2');
    uart.reset();
    EXPECT_EQ(uart.read(U::kScr), 0);
    EXPECT_EQ(uart.read(U::kIer), 0);
    EXPECT_EQ(uart.read(U::kRbrThr), '2'); // the byte in the receiver was lost, the backlog kept
}

} // namespace
} // namespace smpsim::platform
