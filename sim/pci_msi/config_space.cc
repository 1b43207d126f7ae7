#include "sim/pci_msi/config_space.h"

#include "sim/core/error.h"

#include <string>

namespace smpsim::pci {

void ConfigSpace::check_access(u16 offset, unsigned size) {
    if (size != 1 && size != 2 && size != 4)
        throw InternalError("PCI config access of " + std::to_string(size) + " bytes (1, 2 or 4 allowed)");
    if (offset >= kConfigSpaceSize || (offset & 3) + size > 4)
        throw InternalError("PCI config access of " + std::to_string(size) + " bytes at offset " +
                            std::to_string(offset) + " leaves its dword or config space");
}

u32 ConfigSpace::read(u16 offset, unsigned size) const {
    check_access(offset, size);
    u32 value = 0;
    for (unsigned i = 0; i < size; ++i)
        value |= u32(bytes_[offset + i]) << (8 * i);
    return value;
}

void ConfigSpace::write(u16 offset, unsigned size, u32 value) {
    check_access(offset, size);
    for (unsigned i = 0; i < size; ++i) {
        const u16 at = offset + i;
        const u8 in = u8(value >> (8 * i));
        u8 b = u8((bytes_[at] & ~writable_[at]) | (in & writable_[at]));
        b &= u8(~(in & write_one_to_clear_[at]));
        bytes_[at] = b;
    }
}

u16 ConfigSpace::get16(u16 offset) const {
    return u16(bytes_[offset] | bytes_[offset + 1] << 8);
}

u32 ConfigSpace::get32(u16 offset) const {
    return u32(get16(offset)) | u32(get16(offset + 2)) << 16;
}

void ConfigSpace::set16(u16 offset, u16 value) {
    bytes_[offset] = u8(value);
    bytes_[offset + 1] = u8(value >> 8);
}

void ConfigSpace::set32(u16 offset, u32 value) {
    set16(offset, u16(value));
    set16(offset + 2, u16(value >> 16));
}

void ConfigSpace::set_writable(u16 offset, unsigned size, u32 mask) {
    for (unsigned i = 0; i < size; ++i)
        writable_[offset + i] = u8(mask >> (8 * i));
}

void ConfigSpace::set_write_one_to_clear(u16 offset, unsigned size, u32 mask) {
    for (unsigned i = 0; i < size; ++i)
        write_one_to_clear_[offset + i] = u8(mask >> (8 * i));
}

u8 ConfigSpace::add_capability(u8 id, u16 size) {
    const u16 at = next_free_;
    if (at + size > kConfigSpaceSize)
        throw InternalError("PCI capability " + std::to_string(id) + " of " + std::to_string(size) +
                            " bytes does not fit in config space");
    // Capabilities are dword aligned (PCI 3.0, 6.7: the bottom two bits of a pointer are reserved).
    next_free_ = u16((at + size + 3) & ~3);
    bytes_[at] = id;
    bytes_[at + 1] = 0; // end of list
    if (last_capability_ == 0) {
        bytes_[reg::kCapabilitiesPointer] = u8(at);
        set16(reg::kStatus, get16(reg::kStatus) | status::kCapabilitiesList);
    } else {
        bytes_[last_capability_ + 1] = u8(at);
    }
    last_capability_ = u8(at);
    return u8(at);
}

} // namespace smpsim::pci
