#include "sim/platform/uart16550.h"

namespace smpsim::platform {

Uart16550::Uart16550(TxCallback tx) : tx_(std::move(tx)) {
    reset();
}

void Uart16550::reset() {
    rx_.clear();
    rbr_last_ = 0;
    ier_ = fcr_ = lcr_ = mcr_ = msr_deltas_ = scr_ = dll_ = dlm_ = 0;
    thre_pending_ = false;
    refill();
    update_irq();
}

size_t Uart16550::rx_trigger() const {
    switch (fcr_ >> 6) {
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
    if (!(mcr_ & kMcrLoop)) return kMsrDcd | kMsrDsr | kMsrCts;
    u8 lines = 0;
    if (mcr_ & kMcrRts) lines |= kMsrCts;
    if (mcr_ & kMcrDtr) lines |= kMsrDsr;
    if (mcr_ & kMcrOut1) lines |= kMsrRi;
    if (mcr_ & kMcrOut2) lines |= kMsrDcd;
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
    if ((ier_ & kIerRda) && !rx_.empty()) {
        if (fifo_enabled() && rx_.size() < rx_trigger()) return fifo_bits | kIirTimeout;
        return fifo_bits | kIirRda;
    }
    if ((ier_ & kIerThre) && thre_pending_) return fifo_bits | kIirThre;
    if ((ier_ & kIerMsi) && (msr_deltas_ & 0x0f)) return fifo_bits | kIirMsi;
    return fifo_bits | kIirNone;
}

bool Uart16550::irq_level() const {
    return interrupt_pending() && (mcr_ & kMcrOut2) && !(mcr_ & kMcrLoop);
}

void Uart16550::update_irq() {
    const bool level = irq_level();
    if (level == last_irq_) return;
    last_irq_ = level;
    if (irq_cb_) irq_cb_(level);
}

u8 Uart16550::peek(u32 offset) const {
    const bool dlab = (lcr_ & kLcrDlab) != 0;
    switch (offset & 7) {
    case kRbrThr: return dlab ? dll_ : (rx_.empty() ? rbr_last_ : rx_.front());
    case kIer: return dlab ? dlm_ : ier_;
    case kIirFcr: return iir_value();
    case kLcr: return lcr_;
    case kMcr: return mcr_;
    case kLsr: return lsr_value();
    case kMsr: return static_cast<u8>(msr_lines() | msr_deltas_);
    default: return scr_;
    }
}

u8 Uart16550::read(u32 offset) {
    const u8 value = peek(offset);
    const bool dlab = (lcr_ & kLcrDlab) != 0;
    switch (offset & 7) {
    case kRbrThr:
        if (!dlab && !rx_.empty()) {
            rbr_last_ = rx_.front();
            rx_.pop_front();
            refill();
        }
        break;
    case kIirFcr:
        if ((value & 0x0f) == kIirThre) thre_pending_ = false; // reading IIR acknowledges "THR empty"
        break;
    case kMsr: msr_deltas_ = 0; break;
    default: break;
    }
    update_irq();
    return value;
}

void Uart16550::write(u32 offset, u8 value) {
    const bool dlab = (lcr_ & kLcrDlab) != 0;
    switch (offset & 7) {
    case kRbrThr:
        if (dlab) {
            dll_ = value;
            break;
        }
        if (mcr_ & kMcrLoop)
            receive(value);
        else if (tx_)
            tx_(value);
        thre_pending_ = true; // the byte left at once: THR is empty again
        break;
    case kIer:
        if (dlab) {
            dlm_ = value;
            break;
        }
        {
            const u8 old = ier_;
            ier_ = value & 0x0f;
            // Enabling the THRE interrupt while THR is empty (always, here) raises it at once.
            if ((ier_ & kIerThre) && !(old & kIerThre)) thre_pending_ = true;
            if (!(ier_ & kIerThre)) thre_pending_ = false;
        }
        break;
    case kIirFcr: {
        const bool enable = (value & kFcrEnable) != 0;
        if (enable != fifo_enabled() || (enable && (value & kFcrClearRx))) rx_.clear();
        // Bits 0, 3 (DMA mode) and 6-7 (trigger level) are kept; the clear bits self-clear.
        fcr_ = enable ? (value & 0xc9) : 0;
        refill();
        break;
    }
    case kLcr: lcr_ = value; break;
    case kMcr: {
        const u8 before = msr_lines();
        mcr_ = value & 0x1f;
        const u8 after = msr_lines();
        const u8 changed = before ^ after;
        if (changed & kMsrCts) msr_deltas_ |= kMsrDcts;
        if (changed & kMsrDsr) msr_deltas_ |= kMsrDdsr;
        if (changed & kMsrDcd) msr_deltas_ |= kMsrDdcd;
        if ((before & kMsrRi) && !(after & kMsrRi)) msr_deltas_ |= kMsrTeri; // trailing edge of RI
        break;
    }
    case kLsr: break; // read-only (factory test register on some parts)
    case kMsr: break; // read-only
    default: scr_ = value; break;
    }
    update_irq();
}

} // namespace smpsim::platform
