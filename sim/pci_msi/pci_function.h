// One PCI type-0 function as software sees it: its configuration space (header, BARs, capability list with
// PM, MSI, MSI-X and PCI Express), the address decoding its BARs and command register imply, the MSI-X
// table and PBA inside a memory BAR, and the interrupt state (INTx, MSI, MSI-X) a device model drives.
// The device's behaviour lives elsewhere and is reached through the BAR handlers and callbacks.
#pragma once
#include "sim/core/types.h"
#include "sim/pci_msi/config_space.h"
#include "sim/pci_msi/pci_regs.h"

#include <array>
#include <functional>
#include <utility>
#include <vector>

namespace smpsim::pci {

enum class BarKind : u8 { Mem32, Mem64, Io };

struct BarSpec {
    BarKind kind = BarKind::Mem32;
    u64 size = 0; // power of 2: memory >= 16 bytes, I/O 4..256 bytes
    bool prefetchable = false;
};

// Handler of accesses that decode to one BAR (offset is relative to the BAR base). Sizes 1, 2, 4, 8.
// A missing read handler reads 0; a missing write handler ignores the write.
struct BarHandler {
    std::function<u64(u64 offset, unsigned size)> read;
    std::function<void(u64 offset, unsigned size, u64 value)> write;
};

struct CapabilityEntry {
    u8 id;
    u8 offset;
};

class PciFunction {
  public:
    PciFunction(u16 vendor_id, u16 device_id, u32 class_code /* base<<16 | sub<<8 | prog-if */, u8 revision);

    // ---- Set-up by the device model (before the guest runs); bad arguments throw InternalError.
    void set_subsystem(u16 vendor, u16 id);
    void set_interrupt_pin(u8 pin);                                 // 0 none, 1..4 = INTA#..INTD#
    void add_bar(unsigned index, BarSpec spec, BarHandler handler); // Mem64 takes index and index+1
    // Each returns the capability's config offset. Capabilities are linked in the order they are added.
    u8 add_pm_capability();
    u8 add_msi_capability(unsigned multiple_message_capable_log2, bool address64, bool per_vector_masking);
    // The table and PBA must lie inside memory BARs added before; offsets are 8-byte aligned.
    u8 add_msix_capability(unsigned table_size, unsigned table_bar, u32 table_offset, unsigned pba_bar,
                           u32 pba_offset);
    u8 add_pcie_capability(); // PCIe capability, endpoint, version 2 (x4 link at 2.5 GT/s, MPS 512)
    // Header Type bit 7; the host bridge sets it on function 0 of a device with several functions.
    void set_multifunction(bool multifunction);

    // ---- Config space accesses (offset 0..255, size 1/2/4, not crossing a dword).
    u32 config_read(u16 offset, unsigned size) const;
    void config_write(u16 offset, unsigned size, u32 value);

    // ---- What firmware does before the OS runs.
    void firmware_assign_bar(unsigned index, u64 address); // address aligned to the BAR's size
    void firmware_set_command(u16 bits);
    void firmware_set_interrupt_line(u8 line);

    // ---- State derived from config space.
    u16 vendor_id() const { return config_.get16(reg::kVendorId); }
    u16 device_id() const { return config_.get16(reg::kDeviceId); }
    u16 command() const { return config_.get16(reg::kCommand); }
    u16 status() const { return config_.get16(reg::kStatus); }
    u8 interrupt_line() const { return config_.get8(reg::kInterruptLine); }
    u8 interrupt_pin() const { return config_.get8(reg::kInterruptPin); }
    u64 bar_address(unsigned index) const; // InternalError if no BAR starts at index
    bool has_bar(unsigned index) const { return index < kBarCount && bars_[index].present; }
    const BarSpec& bar_spec(unsigned index) const;
    bool memory_enabled() const { return command() & command::kMemorySpace; }
    bool io_enabled() const { return command() & command::kIoSpace; }
    bool bus_master() const { return command() & command::kBusMaster; }
    bool intx_disabled() const { return command() & command::kInterruptDisable; }
    unsigned power_state() const; // 0 = D0 .. 3 = D3hot (always D0 without a PM capability)
    // (id, offset) of each capability, following the list from 0x34.
    std::vector<CapabilityEntry> capabilities() const;
    u8 msi_capability() const { return msi_cap_; }
    u8 msix_capability() const { return msix_cap_; }
    u8 pm_capability() const { return pm_cap_; }
    u8 pcie_capability() const { return pcie_cap_; }

    // Device-side error reporting: sets RW1C Status bits (e.g. status::kReceivedMasterAbort).
    void raise_status(u16 bits);

    // ---- Address decoding. True (and the access done) if a memory (I/O) BAR claims addr and memory (I/O)
    // decoding is enabled and the function is in D0. Sizes 1, 2, 4, 8 (I/O: 1, 2, 4).
    bool mmio_read(u64 addr, unsigned size, u64& value);
    bool mmio_write(u64 addr, unsigned size, u64 value);
    bool io_read(u32 port, unsigned size, u32& value);
    bool io_write(u32 port, unsigned size, u32 value);

    // ---- Interrupts raised by the device model.
    // Status.Interrupt follows `asserted`; the line sees it unless INTx is disabled or MSI/MSI-X is on.
    void set_intx(bool asserted);
    void set_intx_line(std::function<void(bool asserted)> line) { intx_line_ = std::move(line); }
    bool intx_line_level() const { return line_level_; }
    bool msi_enabled() const;
    bool msix_enabled() const;
    bool msix_function_masked() const;
    unsigned msix_table_size() const { return msix_vectors_; }
    bool msix_vector_masked(unsigned vector) const;
    // MSI-X: deliver the vector's message now, or set its pending bit when the vector or the function is
    // masked (delivered when unmasked, clearing pending). Nothing happens while MSI-X is disabled.
    void msix_notify(unsigned vector);
    bool msix_pending(unsigned vector) const;
    u64 msix_message_address(unsigned vector) const;
    u32 msix_message_data(unsigned vector) const;
    // MSI: the data's low Multiple Message Enable bits carry the vector; a vector beyond those allocated
    // uses the last allocated one. With per-vector masking, a masked vector sets its pending bit.
    void msi_notify(unsigned vector = 0);
    unsigned msi_vectors_allocated() const; // 1 << Multiple Message Enable
    bool msi_pending(unsigned vector) const;
    // A message is a bus-master memory write of `data` to `address`; the platform routes it. Suppressed
    // (and counted) while bus mastering is disabled.
    void set_message_writer(std::function<void(u64 address, u32 data)> writer) {
        writer_ = std::move(writer);
    }
    u64 messages_sent() const { return messages_sent_; }
    u64 messages_suppressed() const { return messages_suppressed_; }
    // Called after a config write that changed Command, a BAR, or MSI/MSI-X control or MSI mask bits.
    void set_config_changed(std::function<void()> callback) { config_changed_ = std::move(callback); }

  private:
    struct Bar {
        bool present = false;
        bool upper_half = false; // the high dword of the 64-bit BAR below
        BarSpec spec;
        BarHandler handler;
    };

    int find_memory_bar(u64 addr) const;
    int find_io_bar(u32 port) const;
    bool decodes() const { return power_state() == 0; }
    u64 msix_table_bytes() const { return u64(msix_vectors_) * msix::kEntrySize; }
    u64 msix_pba_bytes() const { return u64((msix_vectors_ + 63) / 64) * 8; }
    u64 msix_read(unsigned bar, u64 offset, unsigned size, bool& handled) const;
    bool msix_write(unsigned bar, u64 offset, unsigned size, u64 value);
    u32 msix_entry_word(unsigned vector, unsigned field) const;
    bool msix_deliverable(unsigned vector) const;
    void deliver_pending_msix();
    void deliver_pending_msi();
    void msi_send(unsigned vector);
    u32 msi_mask_bits() const;
    void send_message(u64 address, u32 data);
    void update_intx_line();
    void after_config_write(const std::array<u8, kConfigSpaceSize>& before);

    ConfigSpace config_;
    std::array<Bar, kBarCount> bars_{};

    u8 pm_cap_ = 0, msi_cap_ = 0, msix_cap_ = 0, pcie_cap_ = 0;
    bool msi_address64_ = false, msi_masking_ = false;
    unsigned msi_capable_log2_ = 0;
    unsigned msix_vectors_ = 0, msix_table_bar_ = 0, msix_pba_bar_ = 0;
    u32 msix_table_offset_ = 0, msix_pba_offset_ = 0;
    std::vector<u8> msix_table_;
    std::vector<bool> msix_pending_;

    bool intx_asserted_ = false, line_level_ = false;
    std::function<void(bool)> intx_line_;
    std::function<void(u64, u32)> writer_;
    std::function<void()> config_changed_;
    u64 messages_sent_ = 0, messages_suppressed_ = 0;
};

} // namespace smpsim::pci
