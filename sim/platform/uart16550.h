// The register file and behaviour of a 16550A UART, without SystemC: the platform's sc_module maps
// I/O ports base+0..7 onto read()/write() and drives the IRQ line from irq_level().
//
//   offset  DLAB=0 read / write          DLAB=1
//   0       RBR (receive) / THR (send)   DLL
//   1       IER                          DLM
//   2       IIR / FCR
//   3       LCR (bit 7 = DLAB)
//   4       MCR (bit 3 = OUT2 gates the IRQ on a PC, bit 4 = loopback)
//   5       LSR (bit 0 DR, bit 5 THRE, bit 6 TEMT)
//   6       MSR
//   7       SCR
//
// Model: a byte written to THR is transmitted at once (through the output callback, or into the
// receiver in loopback mode), so THRE and TEMT read back as 1 right after the write and the "THR empty"
// interrupt becomes pending at once. Received bytes come from an unbounded host-side input queue
// (push_input) that feeds the receiver FIFO (16 bytes, or a 1-byte holding register with FIFOs off) as
// the guest reads, so input is never lost and overrun never happens. With FIFOs on, "received data
// available" (IIR 0x4) is reported at or above the FCR trigger level, and below it "character timeout"
// (IIR 0xC) is reported at once, as if the four character times had passed. There are no line errors:
// the receiver line status interrupt never fires. Offsets are taken modulo 8.
#pragma once
#include "sim/core/register_bank.h"
#include "sim/core/types.h"

#include <deque>
#include <functional>
#include <span>

namespace smpsim::platform {

class Uart16550 {
  public:
    // Register offsets.
    static constexpr u32 kRbrThr = 0, kIer = 1, kIirFcr = 2, kLcr = 3, kMcr = 4, kLsr = 5, kMsr = 6, kScr = 7;
    // IER bits.
    static constexpr u8 kIerRda = 0x01, kIerThre = 0x02, kIerRls = 0x04, kIerMsi = 0x08;
    // IIR values (low 4 bits); bits 6-7 are 11 when FIFOs are enabled.
    static constexpr u8 kIirNone = 0x01, kIirRls = 0x06, kIirRda = 0x04, kIirTimeout = 0x0c, kIirThre = 0x02,
                        kIirMsi = 0x00, kIirFifoEnabled = 0xc0;
    // FCR bits.
    static constexpr u8 kFcrEnable = 0x01, kFcrClearRx = 0x02, kFcrClearTx = 0x04;
    // LCR / MCR bits.
    static constexpr u8 kLcrDlab = 0x80;
    static constexpr u8 kMcrDtr = 0x01, kMcrRts = 0x02, kMcrOut1 = 0x04, kMcrOut2 = 0x08, kMcrLoop = 0x10;
    // LSR bits.
    static constexpr u8 kLsrDr = 0x01, kLsrOe = 0x02, kLsrThre = 0x20, kLsrTemt = 0x40;
    // MSR bits.
    static constexpr u8 kMsrDcts = 0x01, kMsrDdsr = 0x02, kMsrTeri = 0x04, kMsrDdcd = 0x08, kMsrCts = 0x10,
                        kMsrDsr = 0x20, kMsrRi = 0x40, kMsrDcd = 0x80;
    static constexpr size_t kFifoSize = 16;

    using TxCallback = std::function<void(u8)>;
    using IrqCallback = std::function<void(bool)>;

    explicit Uart16550(TxCallback tx = {});

    // Back to the power-on state. The host input queue and the callbacks are kept.
    void reset();

    // Guest accesses. read() has the side effects of the real device: reading RBR takes a byte, reading
    // IIR clears a reported "THR empty" interrupt, reading MSR clears its delta bits.
    u8 read(u32 offset);
    void write(u32 offset, u8 value);
    // The value read() would return, without side effects (for debuggers and tests).
    u8 peek(u32 offset) const;

    // Host side.
    void push_input(u8 byte);
    void set_tx_callback(TxCallback tx) { tx_ = std::move(tx); }
    // Called with the new level whenever irq_level() changes.
    void set_irq_callback(IrqCallback cb) { irq_cb_ = std::move(cb); }

    // The level of the PC's IRQ line (IRQ4 for COM1): an interrupt is pending and MCR.OUT2 is set.
    // In loopback mode the OUT2 pin is forced inactive, so the line stays low (as on a PC).
    bool irq_level() const;
    // The UART's own INTRPT output (IIR bit 0 clear), before the OUT2 gate.
    bool interrupt_pending() const { return (iir_value() & 0x01) == 0; }

    u16 divisor() const { return static_cast<u16>(regs_.at(kDll) | (regs_.at(kDlm) << 8)); }
    bool fifo_enabled() const { return (regs_.at(kIirFcr) & kFcrEnable) != 0; }
    size_t rx_fifo_count() const { return rx_.size(); }
    size_t input_backlog() const { return backlog_.size(); }

  private:
    // The divisor latch, banked over offsets 0 and 1 while LCR.DLAB is set, has bank offsets of its own.
    static constexpr u32 kDll = 8, kDlm = 9, kBankSize = 10;
    using Register = regs::Register<u8, Uart16550>;
    static std::span<const Register> register_table();
    u32 decode(u32 offset) const; // the bank offset of a port offset, after the DLAB switch

    // Register handlers (named in the table).
    u8 read_rbr(unsigned);
    void write_thr(unsigned, u8 value);
    void write_ier(unsigned, u8 value);
    u8 read_iir(unsigned);
    void write_fcr(unsigned, u8 value);
    void write_mcr(unsigned, u8 value);
    u8 read_lsr(unsigned) { return lsr_value(); }
    u8 read_msr(unsigned);

    TxCallback tx_;
    IrqCallback irq_cb_;
    std::deque<u8> rx_;                      // receiver FIFO / holding register
    std::deque<u8> backlog_;                 // host input not yet in the receiver
    u8 rbr_last_ = 0;                        // value returned when the receiver is empty
    regs::RegisterBank<u8, Uart16550> regs_; // FCR is stored at the IIR/FCR offset
    u8 msr_deltas_ = 0;
    bool thre_pending_ = false; // "THR empty" interrupt latched
    bool last_irq_ = false;

    size_t rx_capacity() const { return fifo_enabled() ? kFifoSize : 1; }
    size_t rx_trigger() const;
    void refill();
    void receive(u8 byte);
    u8 msr_lines() const;
    u8 mcr() const { return regs_.at(kMcr); }
    u8 rbr_value() const { return rx_.empty() ? rbr_last_ : rx_.front(); }
    u8 iir_value() const;
    u8 lsr_value() const;
    u8 msr_value() const { return static_cast<u8>(msr_lines() | msr_deltas_); }
    void update_irq();
};

} // namespace smpsim::platform
