#include "sim/pic8259/pic8259.h"

#include <stdexcept>

namespace smpsim::pic8259 {

// ---------------------------------------------------------------------------------------------------
// Pic8259

Pic8259::Pic8259(bool is_master) : master_(is_master) {
    reset();
}

void Pic8259::reset() {
    icw1(kIcw1Init); // the ICW1 side effects, with IC4 = 0 (ICW4 functions cleared)
    icw2_ = 0;
    icw3_ = 0;
    init_step_ = InitStep::Ready;
    update_int();
}

std::optional<unsigned> Pic8259::highest(u8 mask) const {
    // Walk from the highest priority (the level after the lowest) around the ring.
    for (unsigned i = 1; i <= 8; ++i) {
        const unsigned ir = (lowest_ + i) & 7;
        if ((mask >> ir) & 1) return ir;
    }
    return std::nullopt;
}

std::optional<unsigned> Pic8259::resolve() const {
    // No requests are presented while the init sequence is in progress (the vector base is not valid yet).
    if (init_step_ != InitStep::Ready) return std::nullopt;
    const auto request = highest(u8(irr_ & ~imr_));
    if (!request) return std::nullopt;
    // Special mask mode: a masked level does not inhibit other levels, even while it is in service.
    const u8 in_service = smm_ ? u8(isr_ & ~imr_) : isr_;
    const auto serving = highest(in_service);
    if (!serving || rank(*request) < rank(*serving)) return request;
    // Special fully nested mode (master): a slave input in service does not block further requests from
    // that slave, whose own priority logic decides.
    if (master_ && special_fully_nested() && *request == *serving && ((icw3_ >> *request) & 1))
        return request;
    return std::nullopt;
}

void Pic8259::update_int() {
    const bool level = int_output();
    if (level == last_int_) return;
    last_int_ = level;
    if (int_cb_) int_cb_(level);
}

void Pic8259::set_input(unsigned ir, bool level) {
    ir &= 7;
    const u8 bit = u8(1u << ir);
    if (bool(lines_ & bit) == level) return;
    if (level) {
        lines_ |= bit;
        if (level_mode(ir)) {
            irr_ |= bit;
        } else if (edge_armed_ & bit) {
            irr_ |= bit;
            edge_armed_ &= u8(~bit);
        }
    } else {
        lines_ &= u8(~bit);
        // The request is withdrawn (edge: the line must stay high until INTA; level: IRR follows the line).
        // INT stays up if it was up: the INTA that follows will be a spurious one.
        irr_ &= u8(~bit);
        edge_armed_ |= bit;
        if (last_int_ && !resolve()) stale_int_ = true;
    }
    update_int();
}

void Pic8259::set_level_triggered_mask(u8 mask) {
    elcr_ = mask;
    for (unsigned ir = 0; ir < 8; ++ir) {
        const u8 bit = u8(1u << ir);
        if (level_mode(ir)) {
            irr_ = u8((irr_ & ~bit) | (lines_ & bit));
        } else if (!(lines_ & bit)) {
            edge_armed_ |= bit;
        }
    }
    update_int();
}

void Pic8259::icw1(u8 value) {
    icw1_ = value;
    if (!(value & kIcw1Ic4)) icw4_ = 0;
    init_step_ = InitStep::Icw2;
    // Edge sense latches reset: a line that is high now must go low and high again to request.
    edge_armed_ = u8(~lines_);
    irr_ = 0;
    for (unsigned ir = 0; ir < 8; ++ir)
        if (level_mode(ir)) irr_ |= u8(lines_ & (1u << ir));
    isr_ = 0;
    imr_ = 0;
    stale_int_ = false;
    lowest_ = 7;
    smm_ = false;
    read_isr_ = false;
    poll_ = false;
    rotate_aeoi_ = false;
    update_int();
}

void Pic8259::write(bool a0, u8 value) {
    if (!a0) {
        if (value & 0x10)
            icw1(value);
        else if (value & 0x08)
            ocw3(value);
        else
            ocw2(value);
        return;
    }
    switch (init_step_) {
    case InitStep::Icw2:
        icw2_ = value;
        init_step_ = !(icw1_ & kIcw1Sngl) ? InitStep::Icw3
                     : (icw1_ & kIcw1Ic4) ? InitStep::Icw4
                                          : InitStep::Ready;
        break;
    case InitStep::Icw3:
        icw3_ = value;
        init_step_ = (icw1_ & kIcw1Ic4) ? InitStep::Icw4 : InitStep::Ready;
        break;
    case InitStep::Icw4:
        icw4_ = value;
        init_step_ = InitStep::Ready;
        break;
    case InitStep::Ready:
        imr_ = value; // OCW1
        break;
    }
    update_int();
}

void Pic8259::non_specific_eoi(bool rotate) {
    const auto level = highest(isr_);
    if (!level) return;
    isr_ &= u8(~(1u << *level));
    if (rotate) lowest_ = *level;
}

void Pic8259::ocw2(u8 value) {
    const unsigned level = value & 7;
    switch (value >> 5) {
    case 0b001: non_specific_eoi(false); break;
    case 0b011: isr_ &= u8(~(1u << level)); break;
    case 0b101: non_specific_eoi(true); break;
    case 0b100: rotate_aeoi_ = true; break;
    case 0b000: rotate_aeoi_ = false; break;
    case 0b111:
        isr_ &= u8(~(1u << level));
        lowest_ = level;
        break;
    case 0b110: lowest_ = level; break;
    default: break; // 010: no operation
    }
    update_int();
}

void Pic8259::ocw3(u8 value) {
    if (value & 0x02) read_isr_ = value & 0x01; // RR=1: RIS selects ISR (1) or IRR (0)
    if (value & 0x04) poll_ = true;
    if (value & 0x40) smm_ = value & 0x20; // ESMM=1: SMM sets or resets special mask mode
    update_int();
}

u8 Pic8259::poll_read() {
    poll_ = false;
    // The read is treated as an interrupt acknowledge.
    const auto level = acknowledge_level();
    return level ? u8(0x80 | *level) : u8(0);
}

u8 Pic8259::read(bool a0) {
    if (poll_) return poll_read();
    if (a0) return imr_;
    return read_isr_ ? isr_ : irr_;
}

std::optional<unsigned> Pic8259::acknowledge_level() {
    stale_int_ = false;
    const auto level = resolve();
    if (!level) {
        update_int();
        return std::nullopt;
    }
    const u8 bit = u8(1u << *level);
    irr_ &= u8(~bit);
    if (level_mode(*level) && (lines_ & bit)) irr_ |= bit; // IRR follows a level-triggered line
    if (auto_eoi()) {
        if (rotate_aeoi_) lowest_ = *level;
    } else {
        isr_ |= bit;
    }
    update_int();
    return level;
}

u8 Pic8259::acknowledge() {
    const auto level = acknowledge_level();
    return vector_for(level ? *level : 7);
}

// ---------------------------------------------------------------------------------------------------
// PicPair

PicPair::PicPair() : ports_("pic", kElcr2 + 1, register_table(), *this) {
    for (unsigned i = 0; i < inputs_.size(); ++i) {
        inputs_[i].pair = this;
        inputs_[i].n = i;
    }
    master_.set_int_callback([this](bool level) { master_int_changed(level); });
    slave_.set_int_callback([this](bool level) { master_.set_input(kCascadeIr, level); });
}

void PicPair::reset() {
    ports_.reset();
    master_.set_level_triggered_mask(0);
    slave_.set_level_triggered_mask(0);
    master_.reset();
    slave_.reset();
    master_.set_input(kCascadeIr, slave_.int_output());
}

void PicPair::program_bios_defaults() {
    io_write(kMasterCommand, 0x11); // ICW1: edge, cascade, ICW4 follows
    io_write(kMasterData, 0x08);    // ICW2: IRQ0-7 -> 0x08-0x0f
    io_write(kMasterData, 0x04);    // ICW3: slave on IR2
    io_write(kMasterData, 0x01);    // ICW4: 8086 mode, normal EOI
    io_write(kSlaveCommand, 0x11);
    io_write(kSlaveData, 0x70); // IRQ8-15 -> 0x70-0x77
    io_write(kSlaveData, 0x02); // slave ID 2
    io_write(kSlaveData, 0x01);
    io_write(kMasterData, 0xfb); // everything masked but the cascade
    io_write(kSlaveData, 0xff);
}

// 8259A datasheet (A0 selects the command or data port of each chip; what a port reaches depends on the
// ICW sequence and OCW3) and PIIX datasheet (ELCR1/ELCR2, reset 0: all edge; bits of IRQ 0, 1, 2, 8, 13
// read-only 0).
std::span<const PicPair::Register> PicPair::register_table() {
    using R = Register;
    static const R kTable[] = {
        R{"CMD", kMasterCommand}
            .array(2, kSlaveCommand - kMasterCommand)
            .read_with(&PicPair::read_command)
            .write_with(&PicPair::write_command),
        R{"DATA", kMasterData}
            .array(2, kSlaveData - kMasterData)
            .read_with(&PicPair::read_data)
            .write_with(&PicPair::write_data),
        R{"ELCR1", kElcr1}.mask(kElcr1Writable).write_with(&PicPair::write_elcr1),
        R{"ELCR2", kElcr2}.mask(kElcr2Writable).write_with(&PicPair::write_elcr2),
    };
    return kTable;
}

u8 PicPair::io_read(u16 port) {
    return ports_.read(port);
}

void PicPair::io_write(u16 port, u8 value) {
    ports_.write(port, value);
}

void PicPair::write_elcr1(unsigned, u8 value) {
    ports_.store(kElcr1, value);
    master_.set_level_triggered_mask(ports_.at(kElcr1));
}

void PicPair::write_elcr2(unsigned, u8 value) {
    ports_.store(kElcr2, value);
    slave_.set_level_triggered_mask(ports_.at(kElcr2));
}

InterruptLine& PicPair::irq(unsigned n) {
    if (n >= inputs_.size()) throw std::out_of_range("PicPair::irq: IRQ number out of range");
    return inputs_[n];
}

void PicPair::Input::set_level(bool level) {
    if (n == kCascadeIr) return; // not a PC interrupt input: the master's IR2 is the slave's INT
    if (n < 8)
        pair->master_.set_input(n, level);
    else
        pair->slave_.set_input(n - 8, level);
}

void PicPair::set_intr_callback(std::function<void(bool)> cb) {
    intr_cb_ = std::move(cb);
    if (intr_cb_) intr_cb_(intr());
}

void PicPair::connect_intr(InterruptLine* line) {
    intr_line_ = line;
    if (intr_line_) intr_line_->set_level(intr());
}

void PicPair::master_int_changed(bool level) {
    if (intr_cb_) intr_cb_(level);
    if (intr_line_) intr_line_->set_level(level);
}

u8 PicPair::acknowledge() {
    const auto level = master_.acknowledge_level();
    if (!level) return master_.vector_for(7); // spurious IRQ7
    if (!master_.single() && ((master_.icw3() >> *level) & 1)) {
        // Cascade: the slave whose ID (ICW3 bits 2-0) matches the cascade address answers the second INTA.
        // Only one slave exists, on IR2; another ID leaves the bus floating.
        if ((slave_.icw3() & 7) != *level) return 0xff;
        return slave_.acknowledge(); // IR7 of the slave (IRQ15) if its request vanished
    }
    return master_.vector_for(*level);
}

} // namespace smpsim::pic8259
