// The Intel 82576 (igb) device behaviour, without any bus: BAR0 registers, RX/TX descriptor rings with
// advanced descriptors, RSS, interrupt causes and masks for INTx, MSI and MSI-X, EITR moderation and the
// statistics registers. The SystemC wrapper (igb_device.*) owns the PCI function, the DMA socket and
// simulated time, and hands them to this class through IgbHost (as QEMU splits igb.c from igb_core.c).
//
// Every register is declared once in one table (igb_registers.cc): name, offset, array count and stride,
// reset value, writable bits, access kind and optional read/write handlers.
#pragma once
#include "sim/core/register_bank.h"
#include "sim/core/types.h"
#include "sim/igb/igb_descriptors.h"
#include "sim/igb/igb_regs.h"

#include <array>
#include <cstdint>
#include <span>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace smpsim::igb {

struct PacketInfo;

enum class InterruptMode : u8 { Legacy, Msi, Msix };

struct IgbConfig {
    std::array<u8, 6> mac{0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
};

// What the core needs from its surroundings (the SystemC wrapper implements it).
class IgbHost {
  public:
    virtual ~IgbHost() = default;
    virtual bool dma_read(u64 addr, void* dst, u32 size) = 0; // false: nothing answered (bus error)
    virtual bool dma_write(u64 addr, const void* src, u32 size) = 0;
    virtual void signal_msix(unsigned vector) = 0; // the PCI function delivers it or sets its pending bit
    virtual void signal_msi() = 0;
    virtual void set_intx(bool asserted) = 0;
    virtual void transmit(std::span<const u8> frame) = 0;        // a frame the guest sent (no FCS)
    // A DMA reached no memory (the dma_read/dma_write just before failed). The core has stopped the queue.
    virtual void dma_fault(u64 addr, std::string_view what) = 0;
};

// Why receive() did not put a frame into guest memory. A DMA fault on the ring reports RxDisabled: the
// ring is stopped from then on.
//
// DMA faults. A descriptor or buffer access that reaches no memory completes as a PCIe unsupported
// request (reads all ones, writes dropped; the wrapper sets Received Master Abort in the PCI Status for a
// read). The model then stops that one queue, as if the driver had cleared RXDCTL/TXDCTL.ENABLE: no more
// fetches, write-backs or interrupts from it, and frames for it are dropped (RxDisabled), until the
// driver enables the queue again or resets the device. Other queues go on. (This is the "halt the queue
// on an unsuccessful completion" behaviour of Intel's later DMA engines; QEMU's igb instead ignores the
// completion status and carries on with whatever the read returned.)
enum class RxDrop : u8 { None, RxDisabled, RingFull, Oversize, Undersize, NoBusMaster, Filtered };
struct RxOutcome {
    RxDrop drop = RxDrop::None;
    unsigned queue = 0;
    u32 descriptor = 0; // the RX descriptor written back (delivered frames)
    u32 rss_hash = 0;
};

class IgbCore;

// One row of the register table (sim/core/register_bank.h), with IgbCore's member functions as handlers.
using RegisterSpec = regs::Register<u32, IgbCore>;
using RegAccess = regs::Access;

// Ethernet FCS: CRC-32 (IEEE 802.3), as appended to a frame (least significant byte first).
u32 ethernet_crc32(std::span<const u8> data);

class IgbCore {
  public:
    IgbCore(const IgbConfig& config, IgbHost& host);

    void reset(); // power-on / CTRL.RST (PCI state — bus master, interrupt mode — and the link stay)
    u32 read(u32 offset) { return regs_.read(offset); } // BAR0 register read (32-bit, offset 4-aligned)
    void write(u32 offset, u32 value) { regs_.write(offset, value); }
    void set_interrupt_mode(InterruptMode mode); // from PCI config (MSI-X enable etc.)
    void set_bus_master(bool enabled);
    void set_link(bool up); // STATUS.LU, ICR.LSC, "other" cause

    // Time for EITR moderation. The wrapper calls advance(now) before every access and at next_deadline_ns().
    void advance(u64 now_ns);
    u64 next_deadline_ns() const; // UINT64_MAX when nothing is scheduled

    // A frame arriving from the wire (no FCS; shorter than 60 bytes: padded as the sending MAC would).
    RxOutcome receive(std::span<const u8> frame, u64 now_ns);
    // For pace "max": the queue a frame would go to, and whether that queue has a free descriptor now.
    unsigned rx_queue_for(std::span<const u8> frame) const;
    bool rx_queue_has_room(unsigned queue) const;
    bool rx_enabled() const; // RCTL.RXEN and at least one queue enabled with descriptors
    // RXDCTL.ENABLE, a ring, and not stopped by a DMA fault.
    bool rx_queue_enabled(unsigned queue) const;

    // RSS set-up as programmed (for the replay summary).
    std::array<u8, 40> rss_key() const;
    std::array<u8, 128> reta() const;
    u32 mrqc() const;

    // Per-queue counters that are not clear-on-read (for the simulator's summary). They count from
    // construction: a CTRL.RST does not clear them.
    u64 rx_packets(unsigned queue) const;
    u64 tx_packets(unsigned queue) const;
    u64 unknown_register_accesses() const { return regs_.unknown_accesses(); }

    // The register table, for the wrapper's debug views and the table-driven tests.
    static std::span<const RegisterSpec> register_table();
    // Raw register access without side effects (no read-clear, no handlers); unknown offsets read 0 and
    // ignore pokes. For tests, debuggers and reports.
    u32 peek(u32 offset) const { return regs_.peek(offset); }
    void poke(u32 offset, u32 value) { regs_.poke(offset, value); }
    std::array<u16, reg::kEepromWords> eeprom() const { return eeprom_; }

  private:
    struct TxState {
        std::vector<u8> frame; // buffers gathered so far for the packet in progress
        bool overflow = false; // the packet outgrew kMaxTxFrame: it is dropped at EOP
        u32 context_vlan = 0;  // VLAN tag of the last context descriptor (for DCMD.VLE)
        bool faulted = false;  // a DMA failed: the ring stays stopped until re-enabled or reset
    };
    struct VectorTimer {
        bool fired_before = false;
        u64 last_fire_ns = 0;
        bool held = false; // a cause arrived within the interval: fire at deadline_ns
        u64 deadline_ns = 0;
    };

    // Register storage.
    u32& at(u32 offset) { return regs_.at(offset); }
    u32 at(u32 offset) const { return regs_.at(offset); }
    void add_stat(u32 offset, u64 amount);       // 32-bit counter, saturating
    void add_stat64(u32 low_offset, u64 amount); // low/high pair

    // Register handlers (named in the table).
    u32 read_status(unsigned);
    u32 read_icr(unsigned);
    u32 read_eicr(unsigned);
    u32 read_swsm(unsigned);
    void write_ctrl(unsigned, u32 value);
    void write_eecd(unsigned, u32 value);
    void write_eerd(unsigned, u32 value);
    void write_mdic(unsigned, u32 value);
    void write_icr(unsigned, u32 value);
    void write_ics(unsigned, u32 value);
    void write_ims(unsigned, u32 value);
    void write_imc(unsigned, u32 value);
    void write_eicr(unsigned, u32 value);
    void write_eics(unsigned, u32 value);
    void write_eims(unsigned, u32 value);
    void write_eimc(unsigned, u32 value);
    void write_gpie(unsigned, u32 value);
    void write_tctl(unsigned, u32 value);
    void write_rx_desc_ctl(unsigned queue, u32 value);
    void write_tx_tail(unsigned queue, u32 value);
    void write_tx_desc_ctl(unsigned queue, u32 value);

    // Interrupts.
    bool per_vector_mode() const; // MSI-X with GPIE.Multiple_MSIX: each EICR bit is its own vector
    u32 eicr_mask() const;        // the EICR bits that exist in the current GPIE mode
    bool single_vector_pending() const;
    void signal_icr_causes(u32 newly);
    void raise_icr(u32 causes);
    void raise_eicr(u32 bits);
    void raise_queue_cause(u32 ivar_entry_byte, u32 icr_cause);
    void evaluate_single_vector(bool newly_raised);
    void request_vector(unsigned vector);
    void fire_vector(unsigned vector);
    bool vector_still_pending(unsigned vector) const;
    void update_intx();
    void lower_intx_if_idle();
    u64 eitr_interval_ns(unsigned vector) const;
    u32 ivar_byte(unsigned entry) const; // IVAR entry n: byte n % 4 of IVAR[n / 4]

    // Receive.
    bool accept_address(std::span<const u8> frame) const;
    bool accept_vlan(const PacketInfo& info) const;
    unsigned choose_queue(const PacketInfo& info, std::span<const u8> frame, u32* hash, u8* type) const;
    u32 rx_ring_size(unsigned queue) const;
    u32 rx_buffer_size(unsigned queue) const;
    u32 max_frame_with_fcs(bool vlan_tagged) const;
    void count_frame_size(u32 first, u32 length_with_fcs);
    AdvRxDescWriteBack rx_write_back(const PacketInfo& info, std::span<const u8> frame, u32 length,
                                     u32 rss_hash, u8 rss_type, bool vlan_stripped) const;
    void count_rx_frame(unsigned queue, std::span<const u8> frame, u32 wire_len);

    // Transmit.
    void process_tx(unsigned queue);
    void process_all_tx();
    void finish_tx_frame(unsigned queue, TxState& tx);
    void fault(u64 addr, std::string_view what);

    IgbConfig config_;
    IgbHost& host_;
    regs::RegisterBank<u32, IgbCore> regs_; // BAR0, decoded through register_table()

    std::array<u16, reg::kEepromWords> eeprom_{};
    std::array<u16, 32> phy_{};
    InterruptMode mode_ = InterruptMode::Legacy;
    bool bus_master_ = false;
    bool link_up_ = false;
    bool intx_asserted_ = false;
    u64 now_ns_ = 0;
    std::array<VectorTimer, reg::kVectors> timers_{};
    std::array<TxState, reg::kQueues> tx_{};
    std::array<bool, reg::kQueues> rx_faulted_{};
    std::array<u64, reg::kQueues> rx_packets_{};
    std::array<u64, reg::kQueues> tx_packets_{};
};

} // namespace smpsim::igb
