// The register-bank facility every device declares its registers with (in the spirit of VCML's
// `reg<u32>` with `.on_read/.on_write` and QEMU's register tables). A device lists its registers once,
// in a table of Register rows: name, offset, array count and stride, aliases, reset value, writable bits,
// access kind and optional read/write handlers (member functions of the device). A RegisterBank built
// from the table stores one Word per register instance, decodes an offset through an array indexed by
// offset (one lookup, no search), applies the access rules, calls the handlers, and logs accesses to
// unknown offsets once per cause (log category `unimp`) while counting every one.
//
// Word is the register width: u8 for port-I/O devices (8259A, PIT, UART), u32 for the APICs and the igb.
// Offsets are in bytes (or register numbers, see the constructor); a register is Word-aligned, and an
// access is one whole Word (no sub-word access: byte-addressable registers make a bank of u8).
//
// PCI configuration space (sim/pci_msi/config_space.*) is not a bank: its layout is built at run time
// (capabilities are chained in as a function is assembled, BAR masks follow the BAR's size), software
// accesses it with 1, 2 or 4 bytes at any offset inside a dword, and its rules are per bit (Command and
// Status mix RW, RO and RW1C bits in one register), so it keeps its own per-byte writable and RW1C masks.
//
// Devices whose ports hide a state machine (the PIT's access modes, the 8259A's ICW sequence, the UART's
// DLAB bank switch) keep that logic in their own C++ and use the bank for decoding and metadata; a device
// may give banked registers offsets of their own past the real window and choose the offset to decode.
#pragma once
#include "sim/core/error.h"
#include "sim/core/log.h"
#include "sim/core/types.h"

#include <bit>
#include <concepts>
#include <limits>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace smpsim::regs {

enum class Access : u8 {
    ReadWrite,   // a write stores the writable bits
    ReadOnly,    // writes are ignored
    WriteOnly,   // reads return 0 (command registers)
    ReadClear,   // a read returns the value and clears it; writes are ignored (statistics counters)
    Write1Clear, // a 1 written to a writable bit clears it; 0s leave bits alone (status registers)
};

// One row of a register table. Handlers replace the plain read or write; they get the instance index
// (0 for a single register) and reach the stored value through the bank.
template <std::unsigned_integral Word, typename Owner> struct Register {
    using ReadHandler = Word (Owner::*)(unsigned index);
    using WriteHandler = void (Owner::*)(unsigned index, Word value);

    std::string_view name;
    u32 offset = 0;                 // instance 0
    u16 count = 1;                  // instances (arrays)
    u32 stride = sizeof(Word);      // bytes between instances
    Word reset = 0;                 // value after reset
    Word writable = Word(~Word(0)); // bits a plain write stores (or clears, for Write1Clear)
    Access access = Access::ReadWrite;
    ReadHandler on_read = nullptr;
    WriteHandler on_write = nullptr;
    u16 alias_count = 0; // the first alias_count instances also answer at alias_offset + i * alias_stride
    u32 alias_offset = 0;
    u32 alias_stride = 0;

    // Builders, so that a table keeps one line per register:
    //   R{"IMS", 0x1508}.init(0).mask(0x1FFFFFFF).write_with(&IgbCore::write_ims)
    constexpr Register init(Word value) const {
        return with([&](Register& r) { r.reset = value; });
    }
    constexpr Register mask(Word bits) const {
        return with([&](Register& r) { r.writable = bits; });
    }
    constexpr Register kind(Access a) const {
        return with([&](Register& r) { r.access = a; });
    }
    constexpr Register read_only() const { return kind(Access::ReadOnly); }
    constexpr Register write_only() const { return kind(Access::WriteOnly); }
    constexpr Register read_clear() const { return kind(Access::ReadClear); }
    constexpr Register write_1_clear() const { return kind(Access::Write1Clear); }
    constexpr Register array(u16 n, u32 bytes_between) const {
        return with([&](Register& r) {
            r.count = n;
            r.stride = bytes_between;
        });
    }
    constexpr Register alias(u16 n, u32 at, u32 bytes_between) const {
        return with([&](Register& r) {
            r.alias_count = n;
            r.alias_offset = at;
            r.alias_stride = bytes_between;
        });
    }
    constexpr Register read_with(ReadHandler h) const {
        return with([&](Register& r) { r.on_read = h; });
    }
    constexpr Register write_with(WriteHandler h) const {
        return with([&](Register& r) { r.on_write = h; });
    }

    constexpr u32 offset_of(unsigned index) const { return offset + index * stride; }

  private:
    template <typename F> constexpr Register with(F change) const {
        Register copy = *this;
        change(copy);
        return copy;
    }
};

// Shared by every bank (not a template): the unknown-offset report.
struct UnknownAccessLog {
    std::string read_cause, write_cause; // "<device> unknown register read|write"
    std::string device;
    int hex_digits = 1;
    u64 count = 0;
    void report(u32 offset, bool is_write);
};
UnknownAccessLog make_unknown_access_log(std::string_view device, u32 size);

// A named field of a register or table entry: bits First..First+Width-1 of a Raw word, with explicit
// shifts and masks (C++ bit-field layout is implementation-defined, so a struct of bit-fields would not
// say where a field lives). As in gem5's BitUnion: `using Vector = BitField<u64, 0, 8>;`.
template <std::unsigned_integral Raw, unsigned First, unsigned Width> struct BitField {
    static_assert(Width > 0 && First + Width <= sizeof(Raw) * 8, "field outside its word");
    static constexpr Raw kMask =
        Raw((Width == sizeof(Raw) * 8 ? Raw(~Raw(0)) : Raw((Raw(1) << Width) - 1)) << First);
    static constexpr Raw get(Raw raw) { return Raw((raw & kMask) >> First); }
    static constexpr Raw set(Raw raw, Raw value) {
        return Raw((raw & ~kMask) | (Raw(value << First) & kMask));
    }
};

template <std::unsigned_integral Word, typename Owner> class RegisterBank {
  public:
    using Spec = Register<Word, Owner>;
    // Called after an unknown access has been logged and counted (the local APIC sets an error bit).
    using UnknownHandler = void (Owner::*)(u32 offset, bool is_write);
    static constexpr u32 kWordBytes = sizeof(Word);

    // device: the name in log messages; size: the offsets the bank decodes (0..size-1). unit: how many
    // offsets one register takes, a power of two: sizeof(Word) when offsets are byte addresses (the
    // default), 1 when they are register numbers (an index/data pair such as the I/O APIC's IOREGSEL).
    // A register outside the window, misaligned, or overlapping another is a programming error
    // (InternalError).
    RegisterBank(std::string_view device, u32 size, std::span<const Spec> table, Owner& owner,
                 u32 unit = kWordBytes)
        : owner_(&owner), table_(table), unit_mask_(unit - 1), unit_shift_(shift_of(device, unit)),
          slot_index_(size >> unit_shift_, 0), log_(make_unknown_access_log(device, size)) {
        for (const Spec& spec : table) {
            if (spec.count == 0) throw InternalError(std::string(device) + ": empty register array");
            for (unsigned i = 0; i < spec.count; ++i) {
                const u32 index = u32(values_.size());
                values_.push_back(0);
                slots_.push_back(Slot{&spec, i});
                claim(spec, spec.offset_of(i), index);
                if (i < spec.alias_count) claim(spec, spec.alias_offset + i * spec.alias_stride, index);
            }
        }
        reset();
    }
    RegisterBank(const RegisterBank&) = delete;
    RegisterBank& operator=(const RegisterBank&) = delete;

    void set_unknown_handler(UnknownHandler handler) { on_unknown_ = handler; }

    // Every register to its reset value.
    void reset() {
        for (size_t i = 0; i < values_.size(); ++i)
            values_[i] = slots_[i].spec->reset;
    }

    // Guest accesses: handlers and access rules apply; unknown offsets read 0 and ignore writes.
    Word read(u32 offset) {
        const u32 slot = decode(offset);
        if (slot == 0) {
            unknown(offset, false);
            return 0;
        }
        const Slot& s = slots_[slot - 1];
        const Spec& spec = *s.spec;
        if (spec.on_read) return (owner_->*spec.on_read)(s.index);
        Word& value = values_[slot - 1];
        switch (spec.access) {
        case Access::WriteOnly: return 0;
        case Access::ReadClear: {
            const Word v = value;
            value = 0;
            return v;
        }
        case Access::ReadWrite:
        case Access::ReadOnly:
        case Access::Write1Clear: break;
        }
        return value;
    }

    void write(u32 offset, Word data) {
        const u32 slot = decode(offset);
        if (slot == 0) {
            unknown(offset, true);
            return;
        }
        const Slot& s = slots_[slot - 1];
        const Spec& spec = *s.spec;
        if (spec.on_write) return (owner_->*spec.on_write)(s.index, data);
        apply_write(spec, values_[slot - 1], data);
    }

    // The plain write of a known offset by its access rules, without its handler: a write handler calls
    // it to store what the guest wrote through the register's declared writable bits.
    void store(u32 offset, Word data) {
        const u32 slot = decode(offset);
        apply_write(*slots_[slot - 1].spec, values_[slot - 1], data);
    }

    bool contains(u32 offset) const { return decode(offset) != 0; }

    // The stored value of a known offset (handlers and the device's own logic use it). The offset must
    // be a register's: an unknown one is a programming error.
    Word& at(u32 offset) { return values_[decode(offset) - 1]; }
    Word at(u32 offset) const { return values_[decode(offset) - 1]; }

    // Raw access without side effects (no handlers, no read-clear, no logging); unknown offsets read 0
    // and ignore pokes. For tests, debuggers and reports.
    Word peek(u32 offset) const {
        const u32 slot = decode(offset);
        return slot ? values_[slot - 1] : 0;
    }
    void poke(u32 offset, Word value) {
        if (const u32 slot = decode(offset)) values_[slot - 1] = value;
    }

    // The row and instance that answer at `offset`, or null.
    const Spec* spec_at(u32 offset, unsigned* index = nullptr) const {
        const u32 slot = decode(offset);
        if (slot == 0) return nullptr;
        if (index) *index = slots_[slot - 1].index;
        return slots_[slot - 1].spec;
    }
    std::span<const Spec> table() const { return table_; }
    u64 unknown_accesses() const { return log_.count; }

  private:
    struct Slot {
        const Spec* spec = nullptr;
        unsigned index = 0;
    };

    static u32 shift_of(std::string_view device, u32 unit) {
        if (unit == 0 || (unit & (unit - 1)) != 0)
            throw InternalError(std::string(device) + ": register unit is not a power of two");
        return u32(std::countr_zero(unit));
    }
    static void apply_write(const Spec& spec, Word& value, Word data) {
        switch (spec.access) {
        case Access::ReadWrite: value = Word((value & ~spec.writable) | (data & spec.writable)); break;
        case Access::Write1Clear: value = Word(value & ~(data & spec.writable)); break;
        case Access::ReadOnly:
        case Access::WriteOnly:
        case Access::ReadClear: break;
        }
    }
    // Slot number + 1 of the register at `offset`, 0 when none answers there.
    u32 decode(u32 offset) const {
        if ((offset & unit_mask_) != 0 || (offset >> unit_shift_) >= slot_index_.size()) return 0;
        return slot_index_[offset >> unit_shift_];
    }
    void claim(const Spec& spec, u32 offset, u32 index) {
        const std::string where =
            log_.device + ": register " + std::string(spec.name) + " at " + std::to_string(offset);
        if ((offset & unit_mask_) != 0) throw InternalError(where + " is misaligned");
        if ((offset >> unit_shift_) >= slot_index_.size())
            throw InternalError(where + " is outside the bank");
        if (slot_index_[offset >> unit_shift_] != 0) throw InternalError(where + " overlaps another");
        slot_index_[offset >> unit_shift_] = index + 1;
    }
    void unknown(u32 offset, bool is_write) {
        log_.report(offset, is_write);
        if (on_unknown_) (owner_->*on_unknown_)(offset, is_write);
    }

    Owner* owner_;
    std::span<const Spec> table_;
    u32 unit_mask_;
    u32 unit_shift_;
    std::vector<Word> values_;    // one per register instance
    std::vector<Slot> slots_;     // which row and instance each value belongs to
    std::vector<u32> slot_index_; // per register unit of the window: index into values_ + 1, or 0 (unknown)
    UnknownAccessLog log_;
    UnknownHandler on_unknown_ = nullptr;
};

} // namespace smpsim::regs
