// The 8259A programmable interrupt controller, without SystemC: one chip (Pic8259) and the PC's
// master/slave pair with the PIIX edge/level control registers (PicPair).
//
// Facts from the Intel 8259A datasheet (order no. 231468) and the PIIX/PIIX3 datasheet (ELCR):
//
//   port A0=0 write, D4=1  ICW1   bit 0 IC4 (ICW4 follows), 1 SNGL (no ICW3), 2 ADI, 3 LTIM (all inputs
//                                 level-triggered); starts the init sequence ICW2, [ICW3], [ICW4]
//   port A0=1 write (init)  ICW2  vector base (bits 7-3 used in 8086 mode)
//                           ICW3  master: bit i = a slave on IR i; slave: bits 2-0 = its ID
//                           ICW4  bit 0 uPM (8086), 1 AEOI, 2 M/S, 3 BUF, 4 SFNM (special fully nested)
//   port A0=1 write         OCW1  interrupt mask register (IMR)
//   port A0=0 write, D4-3=00 OCW2 bits 7-5 R/SL/EOI, bits 2-0 level:
//                                 001 non-specific EOI      011 specific EOI       101 rotate on n-s EOI
//                                 100 rotate in AEOI (set)  000 rotate in AEOI (clear)
//                                 111 rotate on specific EOI 110 set priority     010 no operation
//   port A0=0 write, D4-3=01 OCW3 bits 1-0 RR/RIS (10 read IRR, 11 read ISR), bit 2 P (poll),
//                                 bits 6-5 ESMM/SMM (11 set special mask mode, 10 reset it)
//   port A0=0 read          IRR or ISR (as OCW3 selected; IRR after ICW1), or the poll word after a poll
//   port A0=1 read          IMR
//
// Model choices (all documented behaviour of the part unless stated):
// - Edge-triggered inputs (LTIM=0 and the ELCR bit clear) set their IRR bit on a rising edge; a line held
//   high does not request again until it has gone low. If the line goes low before the acknowledge, the
//   request is withdrawn (IRR cleared): "the request on the IR input must remain active until after the
//   falling edge of the first INTA pulse", else the acknowledge yields the default IR7 vector.
// - Level-triggered inputs: IRR follows the line; the in-service bit keeps a still-high line from being
//   delivered again until the EOI.
// - INT, once raised, is not lowered by a request being withdrawn at the pin: the CPU has already seen it
//   and will run an INTA cycle. That acknowledge then finds no request and yields a spurious interrupt:
//   the IR7 vector (base+7) with no ISR bit set. On the pair, a slave request withdrawn this way keeps the
//   slave's INT (the master's IR2) high, so the master acknowledges IR2 (its ISR bit 2 is set) and the
//   slave answers with its IR7 vector: a spurious IRQ15 that needs an EOI to the master only.
//   Such a held INT is cleared only by that acknowledge (or a poll, or ICW1); otherwise INT follows the
//   priority resolver (masking a pending request lowers it, an EOI may raise it).
// - ICW1 clears IRR (edge sense latches are reset, so a line already high must go low and high again),
//   ISR and IMR, makes IR7 the lowest priority, clears special mask mode and selects the IRR for reads,
//   and clears the ICW4 functions when IC4=0.
// - MCS-80/85 mode (uPM=0) is not modelled: acknowledge() returns base|level in both modes (an x86 CPU
//   only runs the 8086 INTA cycle); mcs80_mode() tells whether the guest programmed it.
// - A poll (OCW3 P=1) makes the next read of either port return the poll word (bit 7 = request,
//   bits 2-0 = highest level) and acknowledges that request like an INTA (ISR set, AEOI honoured).
// - No request is presented (INT stays low) while an ICW sequence is in progress.
// - ICW1's ADI and address bits, ICW4's BUF and M/S are stored and otherwise ignored.
#pragma once
#include "sim/core/interrupt.h"
#include "sim/core/register_bank.h"
#include "sim/core/types.h"

#include <array>
#include <functional>
#include <optional>
#include <span>

namespace smpsim::pic8259 {

class Pic8259 {
  public:
    using IntCallback = std::function<void(bool)>;

    // is_master only matters for the cascade (ICW3 meaning, special fully nested mode).
    explicit Pic8259(bool is_master = true);

    // Back to the power-on state (as after ICW1 with IC4 = 0, vector base 0, edge-triggered). Input line
    // levels and the callback are kept.
    void reset();

    // Port accesses: a0 is address line A0 (0 = command/status port, 1 = data/mask port).
    u8 read(bool a0);
    void write(bool a0, u8 value);

    // An IR input pin changed level (idempotent; only changes matter).
    void set_input(unsigned ir, bool level);
    bool input(unsigned ir) const { return (lines_ >> ir) & 1; }

    // Per-input level-triggered mode (the PIIX ELCR bits for this chip). LTIM in ICW1 makes all level.
    void set_level_triggered_mask(u8 mask);
    u8 level_triggered_mask() const { return elcr_; }

    // The INT output: an unmasked request whose priority beats everything in service, or a raised INT
    // whose request was withdrawn at the pin before the acknowledge (see above).
    bool int_output() const { return stale_int_ || resolve().has_value(); }
    // Called with the new INT level whenever it changes.
    void set_int_callback(IntCallback cb) { int_cb_ = std::move(cb); }

    // The INTA sequence. Returns the IR level acknowledged (its ISR bit is set, its IRR bit cleared, or
    // with AEOI the ISR bit is cleared at once), or nullopt for a spurious interrupt (no request left:
    // the chip answers with IR7's vector and sets no ISR bit).
    std::optional<unsigned> acknowledge_level();
    // The vector the chip puts on the bus for a level (base | level), for level 7 when spurious.
    u8 vector_for(unsigned level) const { return u8((icw2_ & 0xf8) | (level & 7)); }
    // Both in one: the vector of acknowledge_level() (base+7 when spurious).
    u8 acknowledge();

    // State, for the cascade, tests and debuggers.
    u8 irr() const { return irr_; }
    u8 isr() const { return isr_; }
    u8 imr() const { return imr_; }
    u8 vector_base() const { return icw2_ & 0xf8; }
    u8 icw3() const { return icw3_; }
    bool initializing() const { return init_step_ != InitStep::Ready; }
    bool auto_eoi() const { return icw4_ & kIcw4Aeoi; }
    bool special_mask_mode() const { return smm_; }
    bool special_fully_nested() const { return icw4_ & kIcw4Sfnm; }
    bool single() const { return icw1_ & kIcw1Sngl; }
    bool mcs80_mode() const { return !(icw4_ & kIcw4Upm); }
    bool rotate_in_aeoi() const { return rotate_aeoi_; }
    // The IR level that currently has the lowest priority (7 after ICW1; rotation moves it).
    unsigned lowest_priority() const { return lowest_; }
    bool is_master() const { return master_; }

    // ICW1 / ICW4 bits.
    static constexpr u8 kIcw1Ic4 = 0x01, kIcw1Sngl = 0x02, kIcw1Adi = 0x04, kIcw1Ltim = 0x08,
                        kIcw1Init = 0x10;
    static constexpr u8 kIcw4Upm = 0x01, kIcw4Aeoi = 0x02, kIcw4Ms = 0x04, kIcw4Buf = 0x08, kIcw4Sfnm = 0x10;

  private:
    enum class InitStep : u8 { Ready, Icw2, Icw3, Icw4 };

    bool master_;
    IntCallback int_cb_;
    u8 lines_ = 0;      // current levels of the IR pins
    u8 edge_armed_ = 0; // edge inputs that have been low since their last request (may trigger on rising)
    u8 elcr_ = 0;
    u8 irr_ = 0, isr_ = 0, imr_ = 0;
    u8 icw1_ = 0, icw2_ = 0, icw3_ = 0, icw4_ = 0;
    InitStep init_step_ = InitStep::Ready;
    unsigned lowest_ = 7;
    bool rotate_aeoi_ = false;
    bool read_isr_ = false;
    bool poll_ = false;
    bool smm_ = false;
    bool last_int_ = false;
    bool stale_int_ = false; // INT held high for a request withdrawn at the pin

    bool level_mode(unsigned ir) const { return (icw1_ & kIcw1Ltim) || ((elcr_ >> ir) & 1); }
    // Priority rank of a level: 0 = highest.
    unsigned rank(unsigned ir) const { return (ir + 7 - lowest_) & 7; }
    // Highest-priority set bit of mask (nullopt if none).
    std::optional<unsigned> highest(u8 mask) const;
    // The request the chip would deliver now, if any.
    std::optional<unsigned> resolve() const;
    void icw1(u8 value);
    void ocw2(u8 value);
    void ocw3(u8 value);
    void non_specific_eoi(bool rotate);
    u8 poll_read();
    void update_int();
};

// The PC's pair: master at 0x20/0x21, slave at 0xA0/0xA1 on master IR2 (slave ID 2), ELCR at 0x4D0/0x4D1.
// ELCR bits for IRQ 0, 1, 2, 8 and 13 are read-only 0 (edge), as on the PIIX.
// IRQ n (n = 0..15) inputs: irq(n). irq(2) is not connected to anything (the master's IR2 pin is the
// slave's INT output; ISA IRQ2 is wired to IRQ9 on a PC): setting its level has no effect.
class PicPair final : public InterruptSource {
  public:
    static constexpr u16 kMasterCommand = 0x20, kMasterData = 0x21, kSlaveCommand = 0xa0, kSlaveData = 0xa1,
                         kElcr1 = 0x4d0, kElcr2 = 0x4d1;
    static constexpr unsigned kCascadeIr = 2;
    static constexpr u8 kElcr1Writable = 0xf8; // IRQ 3-7
    static constexpr u8 kElcr2Writable = 0xde; // IRQ 9-12, 14, 15

    PicPair();
    PicPair(const PicPair&) = delete;
    PicPair& operator=(const PicPair&) = delete;

    // Power-on state: both chips as after ICW1 without ICW4 (vector base 0, not cascaded), ELCR all edge.
    void reset();
    // The state a PC BIOS leaves behind (as if the firmware had run the ICW sequence): 8086 mode, master
    // vectors 0x08-0x0f, slave 0x70-0x77 on IR2, all inputs masked except the cascade. For platforms that
    // boot a kernel directly; a guest kernel reprograms both chips anyway.
    void program_bios_defaults();

    // Port I/O. Ports other than the six above read 0xff and ignore writes.
    u8 io_read(u16 port);
    void io_write(u16 port, u8 value);

    // The IRQ input lines, 0..15 (out of range throws std::out_of_range).
    InterruptLine& irq(unsigned n);

    // The master's INT pin: a callback and/or an InterruptLine (e.g. a local APIC LINT0), both called
    // with the new level on every change and once with the current level when connected.
    void set_intr_callback(std::function<void(bool)> cb);
    void connect_intr(InterruptLine* line);
    bool intr() const { return master_.int_output(); }

    // InterruptSource (the CPU's INTA cycle): ack on the master; if the master's level has a slave
    // (ICW3 bit), the slave supplies the vector (its IR7 vector if its request vanished, while the master's
    // ISR bit for the cascade input stays set).
    bool has_pending() override { return master_.int_output(); }
    u8 acknowledge() override;

    u8 elcr(unsigned which) const { return ports_.at(which == 0 ? kElcr1 : kElcr2); }
    Pic8259& master() { return master_; }
    Pic8259& slave() { return slave_; }
    const Pic8259& master() const { return master_; }
    const Pic8259& slave() const { return slave_; }

  private:
    class Input final : public InterruptLine {
      public:
        void set_level(bool level) override;
        PicPair* pair = nullptr;
        unsigned n = 0;
    };

    // The six ports, by port number (declared in pic8259.cc). The chips' ICW/OCW sequencing stays in
    // Pic8259; the ELCRs are stored here.
    using Register = regs::Register<u8, PicPair>;
    static std::span<const Register> register_table();
    Pic8259& chip(unsigned index) { return index == 0 ? master_ : slave_; }
    u8 read_command(unsigned chip_index) { return chip(chip_index).read(false); }
    void write_command(unsigned chip_index, u8 value) { chip(chip_index).write(false, value); }
    u8 read_data(unsigned chip_index) { return chip(chip_index).read(true); }
    void write_data(unsigned chip_index, u8 value) { chip(chip_index).write(true, value); }
    void write_elcr1(unsigned, u8 value);
    void write_elcr2(unsigned, u8 value);

    Pic8259 master_{true};
    Pic8259 slave_{false};
    std::array<Input, 16> inputs_;
    regs::RegisterBank<u8, PicPair> ports_;
    std::function<void(bool)> intr_cb_;
    InterruptLine* intr_line_ = nullptr;

    void master_int_changed(bool level);
};

} // namespace smpsim::pic8259
