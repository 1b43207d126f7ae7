#include "sim/pci_msi/pci_function.h"

#include "sim/core/error.h"

#include <algorithm>
#include <bit>
#include <string>

namespace smpsim::pci {
namespace {

std::string hex(u64 value) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string s;
    do {
        s.insert(s.begin(), kDigits[value & 0xF]);
        value >>= 4;
    } while (value != 0);
    return "0x" + s;
}

u64 size_mask(unsigned size) {
    return size >= 8 ? ~u64(0) : (u64(1) << (8 * size)) - 1;
}

void check_mmio_size(unsigned size) {
    if (size != 1 && size != 2 && size != 4 && size != 8)
        throw InternalError("PCI memory access of " + std::to_string(size) + " bytes (1, 2, 4 or 8 allowed)");
}

void check_io_size(unsigned size) {
    if (size != 1 && size != 2 && size != 4)
        throw InternalError("PCI I/O access of " + std::to_string(size) + " bytes (1, 2 or 4 allowed)");
}

// Writable bits of an MSI-X table entry byte at `pos` (0..15): the address is dword aligned (bits 1:0
// read 0) and only the mask bit of Vector Control is implemented (PCI 3.0, 6.8.2.6-6.8.2.9).
u8 msix_entry_writable(unsigned pos) {
    if (pos == msix::kEntryAddressLow) return 0xFC;
    if (pos < msix::kEntryVectorControl) return 0xFF;
    if (pos == msix::kEntryVectorControl) return u8(msix::kVectorMasked);
    return 0;
}

} // namespace

PciFunction::PciFunction(u16 vendor_id, u16 device_id, u32 class_code, u8 revision) {
    if (class_code > 0xFFFFFF)
        throw InternalError("PCI class code " + hex(class_code) + " is wider than 24 bits");
    config_.set16(reg::kVendorId, vendor_id);
    config_.set16(reg::kDeviceId, device_id);
    config_.set32(reg::kRevisionId, u32(revision) | class_code << 8);
    config_.set_writable(reg::kCommand, 2, command::kWritable);
    config_.set_write_one_to_clear(reg::kStatus, 2, status::kWriteOneToClear);
    config_.set_writable(reg::kCacheLineSize, 1, 0xFF);
    config_.set_writable(reg::kLatencyTimer, 1, 0xFF);
    config_.set_writable(reg::kInterruptLine, 1, 0xFF);
}

void PciFunction::set_subsystem(u16 vendor, u16 id) {
    config_.set16(reg::kSubsystemVendorId, vendor);
    config_.set16(reg::kSubsystemId, id);
}

void PciFunction::set_interrupt_pin(u8 pin) {
    if (pin > 4)
        throw InternalError("PCI interrupt pin " + std::to_string(pin) + " (0 none, 1-4 INTA#-INTD#)");
    config_.set8(reg::kInterruptPin, pin);
    update_intx_line();
}

void PciFunction::set_multifunction(bool multifunction) {
    const u8 type = config_.get8(reg::kHeaderType);
    config_.set8(reg::kHeaderType, multifunction ? u8(type | header_type::kMultiFunction)
                                                 : u8(type & ~header_type::kMultiFunction));
}

void PciFunction::add_bar(unsigned index, BarSpec spec, BarHandler handler) {
    const std::string what = "PCI BAR " + std::to_string(index);
    const bool wide = spec.kind == BarKind::Mem64;
    if (index >= kBarCount || (wide && index + 1 >= kBarCount))
        throw InternalError(what + ": index out of range (0-5; a 64-bit BAR needs two slots)");
    if (bars_[index].present || bars_[index].upper_half || (wide && (bars_[index + 1].present)))
        throw InternalError(what + " is already in use");
    if (!std::has_single_bit(spec.size))
        throw InternalError(what + ": size " + hex(spec.size) + " is not a power of 2");
    if (spec.kind == BarKind::Io) {
        if (spec.size < bar::kMinIoSize || spec.size > bar::kMaxIoSize)
            throw InternalError(what + ": I/O size " + hex(spec.size) + " outside 4-256 bytes");
        if (spec.prefetchable) throw InternalError(what + ": an I/O BAR cannot be prefetchable");
    } else {
        if (spec.size < bar::kMinMemSize)
            throw InternalError(what + ": memory size " + hex(spec.size) + " below 16");
        if (spec.kind == BarKind::Mem32 && spec.size > (u64(1) << 31))
            throw InternalError(what + ": a 32-bit memory BAR cannot exceed 2 GiB");
    }

    const u16 offset = u16(reg::kBar0 + 4 * index);
    const u64 address_mask = ~(spec.size - 1);
    if (spec.kind == BarKind::Io) {
        config_.set32(offset, bar::kIoSpace);
        config_.set_writable(offset, 4, u32(address_mask) & ~bar::kIoTypeBits);
    } else {
        u32 type = spec.prefetchable ? bar::kPrefetchable : 0;
        if (wide) type |= bar::kMem64;
        config_.set32(offset, type);
        config_.set_writable(offset, 4, u32(address_mask) & ~bar::kMemTypeBits);
        if (wide) {
            config_.set32(offset + 4, 0);
            config_.set_writable(offset + 4, 4, u32(address_mask >> 32));
            bars_[index + 1].upper_half = true;
        }
    }
    bars_[index].present = true;
    bars_[index].spec = spec;
    bars_[index].handler = std::move(handler);
}

const BarSpec& PciFunction::bar_spec(unsigned index) const {
    if (!has_bar(index)) throw InternalError("PCI BAR " + std::to_string(index) + " is not implemented");
    return bars_[index].spec;
}

u64 PciFunction::bar_address(unsigned index) const {
    const BarSpec& spec = bar_spec(index);
    const u16 offset = u16(reg::kBar0 + 4 * index);
    const u32 low = config_.get32(offset);
    switch (spec.kind) {
    case BarKind::Io: return low & ~bar::kIoTypeBits;
    case BarKind::Mem32: return low & ~bar::kMemTypeBits;
    case BarKind::Mem64: return (low & ~bar::kMemTypeBits) | u64(config_.get32(offset + 4)) << 32;
    }
    return 0;
}

u8 PciFunction::add_pm_capability() {
    if (pm_cap_) throw InternalError("PCI function already has a power management capability");
    const u8 at = config_.add_capability(cap_id::kPowerManagement, pm::kSize);
    // PM 1.2, no D1/D2, no PME. No_Soft_Reset: leaving D3hot keeps the function's configuration, so the
    // model needs no internal reset.
    config_.set16(at + pm::kCapabilities, pm::kVersion12);
    config_.set16(at + pm::kControlStatus, pm::kNoSoftReset);
    config_.set_writable(at + pm::kControlStatus, 2, pm::kPowerStateMask);
    pm_cap_ = at;
    return at;
}

unsigned PciFunction::power_state() const {
    return pm_cap_ ? config_.get16(pm_cap_ + pm::kControlStatus) & pm::kPowerStateMask : 0;
}

u8 PciFunction::add_msi_capability(unsigned multiple_message_capable_log2, bool address64,
                                   bool per_vector_masking) {
    if (msi_cap_) throw InternalError("PCI function already has an MSI capability");
    if (multiple_message_capable_log2 > msi::kMaxVectorsLog2)
        throw InternalError("MSI Multiple Message Capable " + std::to_string(multiple_message_capable_log2) +
                            " (at most 5, 32 vectors)");
    const u8 at = config_.add_capability(cap_id::kMsi, msi::size(address64, per_vector_masking));
    u16 control = u16(multiple_message_capable_log2 << msi::kMultipleMessageCapableShift);
    if (address64) control |= msi::kAddress64;
    if (per_vector_masking) control |= msi::kPerVectorMasking;
    config_.set16(at + msi::kControl, control);
    config_.set_writable(at + msi::kControl, 2, msi::kEnable | 0x7 << msi::kMultipleMessageEnableShift);
    config_.set_writable(at + msi::kAddressLow, 4, 0xFFFFFFFC);
    if (address64) config_.set_writable(at + msi::kAddressHigh, 4, 0xFFFFFFFF);
    config_.set_writable(at + msi::data_offset(address64), 2, 0xFFFF);
    msi_cap_ = at;
    msi_address64_ = address64;
    msi_masking_ = per_vector_masking;
    msi_capable_log2_ = multiple_message_capable_log2;
    // Mask bits exist for the vectors the function can request; the rest are reserved. Pending is RO.
    if (per_vector_masking) config_.set_writable(at + msi::mask_offset(address64), 4, msi_mask_bits());
    return at;
}

u32 PciFunction::msi_mask_bits() const {
    const unsigned vectors = 1u << msi_capable_log2_;
    return vectors >= 32 ? 0xFFFFFFFF : (1u << vectors) - 1;
}

u8 PciFunction::add_msix_capability(unsigned table_size, unsigned table_bar, u32 table_offset,
                                    unsigned pba_bar, u32 pba_offset) {
    if (msix_cap_) throw InternalError("PCI function already has an MSI-X capability");
    if (table_size == 0 || table_size > msix::kMaxVectors)
        throw InternalError("MSI-X table size " + std::to_string(table_size) + " (1-2048 vectors)");
    if ((table_offset & msix::kBirMask) || (pba_offset & msix::kBirMask))
        throw InternalError("MSI-X table and PBA offsets must be 8-byte aligned");
    const auto check_region = [&](const char* what, unsigned bar, u64 offset, u64 bytes) {
        if (!has_bar(bar) || bars_[bar].spec.kind == BarKind::Io)
            throw InternalError(std::string("MSI-X ") + what + " BAR " + std::to_string(bar) +
                                " is not a memory BAR of this function");
        if (offset + bytes > bars_[bar].spec.size)
            throw InternalError(std::string("MSI-X ") + what + " at " + hex(offset) +
                                " does not fit in BAR " + std::to_string(bar));
    };
    msix_vectors_ = table_size;
    check_region("table", table_bar, table_offset, msix_table_bytes());
    check_region("PBA", pba_bar, pba_offset, msix_pba_bytes());
    if (table_bar == pba_bar && table_offset < pba_offset + msix_pba_bytes() &&
        pba_offset < table_offset + msix_table_bytes())
        throw InternalError("MSI-X table and PBA overlap");

    const u8 at = config_.add_capability(cap_id::kMsix, msix::kSize);
    config_.set16(at + msix::kControl, u16(table_size - 1));
    config_.set_writable(at + msix::kControl, 2, msix::kEnable | msix::kFunctionMask);
    config_.set32(at + msix::kTable, table_offset | table_bar);
    config_.set32(at + msix::kPba, pba_offset | pba_bar);
    msix_cap_ = at;
    msix_table_bar_ = table_bar;
    msix_table_offset_ = table_offset;
    msix_pba_bar_ = pba_bar;
    msix_pba_offset_ = pba_offset;
    // Every vector starts masked (PCI 3.0, 6.8.2.9); address and data are undefined, here 0.
    msix_table_.assign(msix_table_bytes(), 0);
    for (unsigned v = 0; v < table_size; ++v)
        msix_table_[v * msix::kEntrySize + msix::kEntryVectorControl] = u8(msix::kVectorMasked);
    msix_pending_.assign(table_size, false);
    return at;
}

u8 PciFunction::add_pcie_capability() {
    if (pcie_cap_) throw InternalError("PCI function already has a PCI Express capability");
    const u8 at = config_.add_capability(cap_id::kPciExpress, pcie::kSize);
    config_.set16(at + pcie::kCapabilities, pcie::kVersion2 | pcie::kTypeEndpoint);
    // Max_Payload_Size supported 512 bytes (2), role-based error reporting (bit 15).
    config_.set32(at + pcie::kDeviceCapabilities, 2 | 1u << 15);
    // Reset values: relaxed ordering and no snoop enabled, Max_Read_Request_Size 512 bytes (PCIe 2.0,
    // 7.8.4). Extended tags, phantom functions, aux power and FLR are not supported (read 0).
    config_.set16(at + pcie::kDeviceControl, 1u << 4 | 1u << 11 | 2u << 12);
    config_.set_writable(at + pcie::kDeviceControl, 2, 0x78FF);
    config_.set_write_one_to_clear(at + pcie::kDeviceStatus, 2, 0x000F); // error detected bits
    // 2.5 GT/s, x4, ASPM L0s and L1 supported; the link trained at 2.5 GT/s x4 with a common slot clock.
    config_.set32(at + pcie::kLinkCapabilities, 1 | 4u << 4 | 3u << 10);
    config_.set_writable(at + pcie::kLinkControl, 2, 0x00CB); // ASPM, RCB, common clock, extended synch
    config_.set16(at + pcie::kLinkStatus, 1 | 4u << 4 | 1u << 12);
    config_.set16(at + pcie::kLinkControl2, 1); // target link speed 2.5 GT/s
    // PCIe has no latency timer (hardwired to 0).
    config_.set8(reg::kLatencyTimer, 0);
    config_.set_writable(reg::kLatencyTimer, 1, 0);
    pcie_cap_ = at;
    return at;
}

std::vector<CapabilityEntry> PciFunction::capabilities() const {
    std::vector<CapabilityEntry> list;
    if (!(status() & status::kCapabilitiesList)) return list;
    u8 at = config_.get8(reg::kCapabilitiesPointer) & 0xFC;
    // At most 48 capabilities fit after the header; the bound also stops a corrupt (cyclic) list.
    while (at != 0 && list.size() < 48) {
        list.push_back({config_.get8(at), at});
        at = config_.get8(at + 1) & 0xFC;
    }
    return list;
}

void PciFunction::raise_status(u16 bits) {
    config_.set16(reg::kStatus, status() | (bits & status::kWriteOneToClear));
}

u32 PciFunction::config_read(u16 offset, unsigned size) const {
    return config_.read(offset, size);
}

void PciFunction::config_write(u16 offset, unsigned size, u32 value) {
    const auto before = config_.bytes();
    config_.write(offset, size, value);
    after_config_write(before);
}

void PciFunction::after_config_write(const std::array<u8, kConfigSpaceSize>& before) {
    const auto& now = config_.bytes();
    const auto changed = [&](u16 offset, unsigned size) {
        return !std::equal(now.begin() + offset, now.begin() + offset + size, before.begin() + offset);
    };
    if (pm_cap_) {
        // Writes of an unsupported power state (D1, D2) complete but change nothing (PM 1.2, 3.2.4).
        const unsigned state = power_state();
        if (state == 1 || state == 2) {
            const u16 old =
                u16(before[pm_cap_ + pm::kControlStatus] | before[pm_cap_ + pm::kControlStatus + 1] << 8);
            config_.set16(pm_cap_ + pm::kControlStatus,
                          u16((config_.get16(pm_cap_ + pm::kControlStatus) & ~pm::kPowerStateMask) |
                              (old & pm::kPowerStateMask)));
        }
    }
    if (msi_cap_) {
        // Software may not allocate more vectors than the function requested; clamp if it tries.
        const u16 control = config_.get16(msi_cap_ + msi::kControl);
        const unsigned enabled_log2 = (control >> msi::kMultipleMessageEnableShift) & 7;
        if (enabled_log2 > msi_capable_log2_)
            config_.set16(msi_cap_ + msi::kControl,
                          u16((control & ~(7u << msi::kMultipleMessageEnableShift)) |
                              msi_capable_log2_ << msi::kMultipleMessageEnableShift));
    }

    bool interesting = changed(reg::kCommand, 2) || changed(reg::kBar0, 4 * kBarCount);
    if (msi_cap_) {
        interesting = interesting || changed(msi_cap_ + msi::kControl, 2);
        if (msi_masking_)
            interesting = interesting || changed(msi_cap_ + msi::mask_offset(msi_address64_), 4);
    }
    if (msix_cap_) interesting = interesting || changed(msix_cap_ + msix::kControl, 2);

    update_intx_line();
    if (interesting) {
        deliver_pending_msi();
        deliver_pending_msix();
        if (config_changed_) config_changed_();
    }
}

void PciFunction::firmware_assign_bar(unsigned index, u64 address) {
    const BarSpec& spec = bar_spec(index);
    if (address & (spec.size - 1))
        throw InternalError("PCI BAR " + std::to_string(index) + ": address " + hex(address) +
                            " is not aligned to its size " + hex(spec.size));
    if (spec.kind != BarKind::Mem64 && address > 0xFFFFFFFF)
        throw InternalError("PCI BAR " + std::to_string(index) + ": address " + hex(address) +
                            " does not fit a 32-bit BAR");
    const u16 offset = u16(reg::kBar0 + 4 * index);
    config_write(offset, 4, u32(address));
    if (spec.kind == BarKind::Mem64) config_write(offset + 4, 4, u32(address >> 32));
}

void PciFunction::firmware_set_command(u16 bits) {
    config_write(reg::kCommand, 2, bits);
}

void PciFunction::firmware_set_interrupt_line(u8 line) {
    config_write(reg::kInterruptLine, 1, line);
}

// ---- Address decoding

int PciFunction::find_memory_bar(u64 addr) const {
    for (unsigned i = 0; i < kBarCount; ++i) {
        const Bar& b = bars_[i];
        if (!b.present || b.spec.kind == BarKind::Io) continue;
        const u64 base = bar_address(i);
        if (addr >= base && addr - base < b.spec.size) return int(i);
    }
    return -1;
}

int PciFunction::find_io_bar(u32 port) const {
    for (unsigned i = 0; i < kBarCount; ++i) {
        const Bar& b = bars_[i];
        if (!b.present || b.spec.kind != BarKind::Io) continue;
        const u64 base = bar_address(i);
        if (port >= base && port - base < b.spec.size) return int(i);
    }
    return -1;
}

bool PciFunction::mmio_read(u64 addr, unsigned size, u64& value) {
    check_mmio_size(size);
    if (!memory_enabled() || !decodes()) return false;
    const int index = find_memory_bar(addr);
    if (index < 0) return false;
    const u64 offset = addr - bar_address(unsigned(index));
    bool handled = false;
    value = msix_read(unsigned(index), offset, size, handled);
    if (!handled) {
        const BarHandler& h = bars_[index].handler;
        value = h.read ? h.read(offset, size) & size_mask(size) : 0;
    }
    return true;
}

bool PciFunction::mmio_write(u64 addr, unsigned size, u64 value) {
    check_mmio_size(size);
    if (!memory_enabled() || !decodes()) return false;
    const int index = find_memory_bar(addr);
    if (index < 0) return false;
    const u64 offset = addr - bar_address(unsigned(index));
    value &= size_mask(size);
    if (!msix_write(unsigned(index), offset, size, value)) {
        const BarHandler& h = bars_[index].handler;
        if (h.write) h.write(offset, size, value);
    }
    return true;
}

bool PciFunction::io_read(u32 port, unsigned size, u32& value) {
    check_io_size(size);
    if (!io_enabled() || !decodes()) return false;
    const int index = find_io_bar(port);
    if (index < 0) return false;
    const BarHandler& h = bars_[index].handler;
    value = h.read ? u32(h.read(port - bar_address(unsigned(index)), size) & size_mask(size)) : 0;
    return true;
}

bool PciFunction::io_write(u32 port, unsigned size, u32 value) {
    check_io_size(size);
    if (!io_enabled() || !decodes()) return false;
    const int index = find_io_bar(port);
    if (index < 0) return false;
    const BarHandler& h = bars_[index].handler;
    if (h.write) h.write(port - bar_address(unsigned(index)), size, value & size_mask(size));
    return true;
}

// ---- MSI-X table and PBA (little-endian bytes; an access may span entries)

u64 PciFunction::msix_read(unsigned bar, u64 offset, unsigned size, bool& handled) const {
    handled = false;
    if (!msix_cap_) return 0;
    u64 value = 0;
    if (bar == msix_table_bar_ && offset >= msix_table_offset_ &&
        offset - msix_table_offset_ < msix_table_bytes()) {
        for (unsigned i = 0; i < size; ++i) {
            const u64 at = offset - msix_table_offset_ + i;
            if (at < msix_table_.size()) value |= u64(msix_table_[at]) << (8 * i);
        }
        handled = true;
    } else if (bar == msix_pba_bar_ && offset >= msix_pba_offset_ &&
               offset - msix_pba_offset_ < msix_pba_bytes()) {
        for (unsigned i = 0; i < size; ++i)
            for (unsigned bit = 0; bit < 8; ++bit) {
                const u64 vector = (offset - msix_pba_offset_ + i) * 8 + bit;
                if (vector < msix_vectors_ && msix_pending_[vector]) value |= u64(1) << (8 * i + bit);
            }
        handled = true;
    }
    return value;
}

bool PciFunction::msix_write(unsigned bar, u64 offset, unsigned size, u64 value) {
    if (!msix_cap_) return false;
    if (bar == msix_pba_bar_ && offset >= msix_pba_offset_ && offset - msix_pba_offset_ < msix_pba_bytes())
        return true; // the PBA is read-only
    if (bar != msix_table_bar_ || offset < msix_table_offset_ ||
        offset - msix_table_offset_ >= msix_table_bytes())
        return false;
    for (unsigned i = 0; i < size; ++i) {
        const u64 at = offset - msix_table_offset_ + i;
        if (at >= msix_table_.size()) break;
        const u8 writable = msix_entry_writable(unsigned(at % msix::kEntrySize));
        msix_table_[at] = u8((msix_table_[at] & ~writable) | (u8(value >> (8 * i)) & writable));
    }
    // Unmasking a vector with its pending bit set sends the message (PCI 3.0, 6.8.2.9).
    deliver_pending_msix();
    return true;
}

u32 PciFunction::msix_entry_word(unsigned vector, unsigned field) const {
    const size_t at = size_t(vector) * msix::kEntrySize + field;
    return u32(msix_table_[at]) | u32(msix_table_[at + 1]) << 8 | u32(msix_table_[at + 2]) << 16 |
           u32(msix_table_[at + 3]) << 24;
}

bool PciFunction::msix_enabled() const {
    return msix_cap_ && (config_.get16(msix_cap_ + msix::kControl) & msix::kEnable);
}

bool PciFunction::msix_function_masked() const {
    return msix_cap_ && (config_.get16(msix_cap_ + msix::kControl) & msix::kFunctionMask);
}

bool PciFunction::msix_vector_masked(unsigned vector) const {
    if (vector >= msix_vectors_)
        throw InternalError("MSI-X vector " + std::to_string(vector) + " out of range");
    return msix_entry_word(vector, msix::kEntryVectorControl) & msix::kVectorMasked;
}

bool PciFunction::msix_pending(unsigned vector) const {
    if (vector >= msix_vectors_)
        throw InternalError("MSI-X vector " + std::to_string(vector) + " out of range");
    return msix_pending_[vector];
}

u64 PciFunction::msix_message_address(unsigned vector) const {
    if (vector >= msix_vectors_)
        throw InternalError("MSI-X vector " + std::to_string(vector) + " out of range");
    return msix_entry_word(vector, msix::kEntryAddressLow) |
           u64(msix_entry_word(vector, msix::kEntryAddressHigh)) << 32;
}

u32 PciFunction::msix_message_data(unsigned vector) const {
    if (vector >= msix_vectors_)
        throw InternalError("MSI-X vector " + std::to_string(vector) + " out of range");
    return msix_entry_word(vector, msix::kEntryData);
}

bool PciFunction::msix_deliverable(unsigned vector) const {
    return msix_enabled() && !msix_function_masked() && !msix_vector_masked(vector);
}

void PciFunction::msix_notify(unsigned vector) {
    if (!msix_cap_) throw InternalError("msix_notify on a PCI function without an MSI-X capability");
    if (vector >= msix_vectors_)
        throw InternalError("MSI-X vector " + std::to_string(vector) + " beyond the table size " +
                            std::to_string(msix_vectors_));
    if (!msix_enabled()) return;
    if (!msix_deliverable(vector)) {
        msix_pending_[vector] = true;
        return;
    }
    send_message(msix_message_address(vector), msix_message_data(vector));
}

void PciFunction::deliver_pending_msix() {
    if (!msix_cap_ || !msix_enabled() || msix_function_masked()) return;
    for (unsigned v = 0; v < msix_vectors_; ++v) {
        if (msix_pending_[v] && !msix_vector_masked(v)) {
            msix_pending_[v] = false;
            send_message(msix_message_address(v), msix_message_data(v));
        }
    }
}

// ---- MSI

bool PciFunction::msi_enabled() const {
    return msi_cap_ && (config_.get16(msi_cap_ + msi::kControl) & msi::kEnable);
}

unsigned PciFunction::msi_vectors_allocated() const {
    if (!msi_cap_) return 0;
    return 1u << ((config_.get16(msi_cap_ + msi::kControl) >> msi::kMultipleMessageEnableShift) & 7);
}

bool PciFunction::msi_pending(unsigned vector) const {
    if (!msi_masking_ || vector >= 32) return false;
    return (config_.get32(msi_cap_ + msi::pending_offset(msi_address64_)) >> vector) & 1;
}

void PciFunction::msi_notify(unsigned vector) {
    if (!msi_cap_) throw InternalError("msi_notify on a PCI function without an MSI capability");
    if (vector >= (1u << msi_capable_log2_))
        throw InternalError("MSI vector " + std::to_string(vector) + " beyond the " +
                            std::to_string(1u << msi_capable_log2_) + " the function requests");
    if (!msi_enabled()) return;
    const unsigned used = std::min(vector, msi_vectors_allocated() - 1);
    if (msi_masking_) {
        const u16 mask_at = msi_cap_ + msi::mask_offset(msi_address64_);
        if ((config_.get32(mask_at) >> used) & 1) {
            const u16 pending_at = msi_cap_ + msi::pending_offset(msi_address64_);
            config_.set32(pending_at, config_.get32(pending_at) | 1u << used);
            return;
        }
    }
    msi_send(used);
}

void PciFunction::msi_send(unsigned vector) {
    const u64 address = config_.get32(msi_cap_ + msi::kAddressLow) |
                        (msi_address64_ ? u64(config_.get32(msi_cap_ + msi::kAddressHigh)) << 32 : 0);
    const u32 data = config_.get16(msi_cap_ + msi::data_offset(msi_address64_));
    const u32 low_bits = msi_vectors_allocated() - 1;
    send_message(address, (data & ~low_bits) | vector);
}

void PciFunction::deliver_pending_msi() {
    if (!msi_masking_ || !msi_enabled()) return;
    const u16 mask_at = msi_cap_ + msi::mask_offset(msi_address64_);
    const u16 pending_at = msi_cap_ + msi::pending_offset(msi_address64_);
    const u32 ready = config_.get32(pending_at) & ~config_.get32(mask_at);
    if (ready == 0) return;
    config_.set32(pending_at, config_.get32(pending_at) & ~ready);
    for (unsigned v = 0; v < 32; ++v)
        if ((ready >> v) & 1) msi_send(std::min(v, msi_vectors_allocated() - 1));
}

// ---- Messages and INTx

void PciFunction::send_message(u64 address, u32 data) {
    if (!bus_master()) {
        ++messages_suppressed_;
        return;
    }
    ++messages_sent_;
    if (writer_) writer_(address, data);
}

void PciFunction::set_intx(bool asserted) {
    intx_asserted_ = asserted;
    const u16 s = status();
    config_.set16(reg::kStatus, asserted ? u16(s | status::kInterrupt) : u16(s & ~status::kInterrupt));
    update_intx_line();
}

void PciFunction::update_intx_line() {
    // INTx# is driven only when Interrupt Disable is clear (PCI 3.0, 6.2.2) and neither MSI nor MSI-X is
    // enabled (6.8.1.3, 6.8.2.3).
    const bool level =
        intx_asserted_ && interrupt_pin() != 0 && !intx_disabled() && !msi_enabled() && !msix_enabled();
    if (level == line_level_) return;
    line_level_ = level;
    if (intx_line_) intx_line_(level);
}

} // namespace smpsim::pci
