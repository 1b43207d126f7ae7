#include "sim/platform/uart16550.h"

namespace smpsim::platform {

// Every register, declared once (16550D datasheet, "Register Summary" and "Reset" tables: all stored
// registers reset to 0; IIR reads 0x01, LSR 0x60 and MSR the modem lines, computed by their handlers).
std::span<const Uart16550::Register> Uart16550::register_table() {
    using R = Register;
    static const R kTable[] = {
        R{"RBR/THR", kRbrThr}.read_with(&Uart16550::read_rbr).write_with(&Uart16550::write_thr),
        R{"IER", kIer}.mask(0x0f).write_with(&Uart16550::write_ier),
        // FCR: enable (0), DMA mode (3) and trigger level (7:6) are kept; the clear bits self-clear.
        R{"IIR/FCR", kIirFcr}.mask(0xc9).read_with(&Uart16550::read_iir).write_with(&Uart16550::write_fcr),
        R{"LCR", kLcr},
        R{"MCR", kMcr}.mask(0x1f).write_with(&Uart16550::write_mcr),
        R{"LSR", kLsr}.read_only().read_with(&Uart16550::read_lsr), // factory test register on some parts
        R{"MSR", kMsr}.read_only().read_with(&Uart16550::read_msr),
        R{"SCR", kScr},
        R{"DLL", kDll},
        R{"DLM", kDlm},
    };
    return kTable;
}

Uart16550::Uart16550(TxCallback tx) : tx_(std::move(tx)), regs_("uart", kBankSize, register_table(), *this) {
    reset();
}

void Uart16550::reset() {
    rx_.clear();
    rbr_last_ = 0;
    regs_.reset();
    msr_deltas_ = 0;
    thre_pending_ = false;
    refill();
    update_irq();
}

size_t Uart16550::rx_trigger() const {
    switch (regs_.at(kIirFcr) >> 6) {
    case 0: return 1;
    case 1: return 4;
    case 2: return 8;
    default: return 14;
    }
}

void Uart16550::refill() {
    while (rx_.size() < rx_capacity() && !backlog_.empty()) {
        rx_.push_back(backlog_.front());
        backlog_.pop_front();
    }
}

void Uart16550::receive(u8 byte) {
    backlog_.push_back(byte);
    refill();
}

void Uart16550::push_input(u8 byte) {
    receive(byte);
    update_irq();
}

// Modem status inputs. In loopback mode the modem control outputs drive them (RTS->CTS, DTR->DSR,
// OUT1->RI, OUT2->DCD); otherwise a connected, ready modem is reported (CTS, DSR, DCD), as QEMU does.
u8 Uart16550::msr_lines() const {
    if (!(mcr() & kMcrLoop)) return kMsrDcd | kMsrDsr | kMsrCts;
    u8 lines = 0;
    if (mcr() & kMcrRts) lines |= kMsrCts;
    if (mcr() & kMcrDtr) lines |= kMsrDsr;
    if (mcr() & kMcrOut1) lines |= kMsrRi;
    if (mcr() & kMcrOut2) lines |= kMsrDcd;
    return lines;
}

u8 Uart16550::lsr_value() const {
    u8 lsr = kLsrThre | kLsrTemt; // transmission is immediate
    if (!rx_.empty()) lsr |= kLsrDr;
    return lsr;
}

u8 Uart16550::iir_value() const {
    const u8 fifo_bits = fifo_enabled() ? kIirFifoEnabled : 0;
    // Priority: receiver line status (never: no line errors), received data, THR empty, modem status.
    if ((regs_.at(kIer) & kIerRda) && !rx_.empty()) {
        if (fifo_enabled() && rx_.size() < rx_trigger()) return fifo_bits | kIirTimeout;
        return fifo_bits | kIirRda;
    }
    if ((regs_.at(kIer) & kIerThre) && thre_pending_) return fifo_bits | kIirThre;
    if ((regs_.at(kIer) & kIerMsi) && (msr_deltas_ & 0x0f)) return fifo_bits | kIirMsi;
    return fifo_bits | kIirNone;
}

bool Uart16550::irq_level() const {
    return interrupt_pending() && (mcr() & kMcrOut2) && !(mcr() & kMcrLoop);
}

void Uart16550::update_irq() {
    const bool level = irq_level();
    if (level == last_irq_) return;
    last_irq_ = level;
    if (irq_cb_) irq_cb_(level);
}

u32 Uart16550::decode(u32 offset) const {
    offset &= 7;
    if ((regs_.at(kLcr) & kLcrDlab) && offset <= kIer) return offset == kRbrThr ? kDll : kDlm;
    return offset;
}

u8 Uart16550::peek(u32 offset) const {
    const u32 reg = decode(offset);
    switch (reg) {
    case kRbrThr: return rbr_value();
    case kIirFcr: return iir_value();
    case kLsr: return lsr_value();
    case kMsr: return msr_value();
    default: return regs_.peek(reg);
    }
}

u8 Uart16550::read(u32 offset) {
    const u8 value = regs_.read(decode(offset));
    update_irq();
    return value;
}

void Uart16550::write(u32 offset, u8 value) {
    regs_.write(decode(offset), value);
    update_irq();
}

u8 Uart16550::read_rbr(unsigned) {
    const u8 value = rbr_value();
    if (!rx_.empty()) {
        rbr_last_ = rx_.front();
        rx_.pop_front();
        refill();
    }
    return value;
}

void Uart16550::write_thr(unsigned, u8 value) {
    if (mcr() & kMcrLoop)
        receive(value);
    else if (tx_)
        tx_(value);
    thre_pending_ = true; // the byte left at once: THR is empty again
}

void Uart16550::write_ier(unsigned, u8 value) {
    const u8 old = regs_.at(kIer);
    regs_.store(kIer, value);
    const u8 ier = regs_.at(kIer);
    // Enabling the THRE interrupt while THR is empty (always, here) raises it at once.
    if ((ier & kIerThre) && !(old & kIerThre)) thre_pending_ = true;
    if (!(ier & kIerThre)) thre_pending_ = false;
}

u8 Uart16550::read_iir(unsigned) {
    const u8 value = iir_value();
    if ((value & 0x0f) == kIirThre) thre_pending_ = false; // reading IIR acknowledges "THR empty"
    return value;
}

void Uart16550::write_fcr(unsigned, u8 value) {
    const bool enable = (value & kFcrEnable) != 0;
    if (enable != fifo_enabled() || (enable && (value & kFcrClearRx))) rx_.clear();
    regs_.store(kIirFcr, enable ? value : 0);
    refill();
}

void Uart16550::write_mcr(unsigned, u8 value) {
    const u8 before = msr_lines();
    regs_.store(kMcr, value);
    const u8 after = msr_lines();
    const u8 changed = before ^ after;
    if (changed & kMsrCts) msr_deltas_ |= kMsrDcts;
    if (changed & kMsrDsr) msr_deltas_ |= kMsrDdsr;
    if (changed & kMsrDcd) msr_deltas_ |= kMsrDdcd;
    if ((before & kMsrRi) && !(after & kMsrRi)) msr_deltas_ |= kMsrTeri; // trailing edge of RI
}

u8 Uart16550::read_msr(unsigned) {
    const u8 value = msr_value();
    msr_deltas_ = 0;
    return value;
}

} // namespace smpsim::platform
