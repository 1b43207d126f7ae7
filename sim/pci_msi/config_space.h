// A 256-byte PCI configuration space as three byte arrays: the contents, which bits software may write,
// and which bits are write-one-to-clear. Every register's access rights are declared once, when the
// register is set up, and config reads and writes of any width follow them.
#pragma once
#include "sim/core/types.h"
#include "sim/pci_msi/pci_regs.h"

#include <array>

namespace smpsim::pci {

class ConfigSpace {
  public:
    // Software-visible accesses: 1, 2 or 4 bytes, not crossing a dword (InternalError otherwise).
    u32 read(u16 offset, unsigned size) const;
    void write(u16 offset, unsigned size, u32 value);

    // Device-side access (ignores access rights).
    u8 get8(u16 offset) const { return bytes_[offset]; }
    u16 get16(u16 offset) const;
    u32 get32(u16 offset) const;
    void set8(u16 offset, u8 value) { bytes_[offset] = value; }
    void set16(u16 offset, u16 value);
    void set32(u16 offset, u32 value);

    // Access rights of the `size` bytes at offset, as a little-endian mask.
    void set_writable(u16 offset, unsigned size, u32 mask);
    void set_write_one_to_clear(u16 offset, unsigned size, u32 mask);

    // Reserves `size` bytes for a capability, links it at the end of the list (0x34, Status.CapList)
    // and writes its ID. Returns its offset; InternalError when config space is full.
    u8 add_capability(u8 id, u16 size);

    const std::array<u8, kConfigSpaceSize>& bytes() const { return bytes_; }

  private:
    static void check_access(u16 offset, unsigned size);

    std::array<u8, kConfigSpaceSize> bytes_{};
    std::array<u8, kConfigSpaceSize> writable_{};
    std::array<u8, kConfigSpaceSize> write_one_to_clear_{};
    u16 next_free_ = reg::kFirstCapability;
    u8 last_capability_ = 0;
};

} // namespace smpsim::pci
