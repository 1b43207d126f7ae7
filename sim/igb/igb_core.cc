// The 82576 device behaviour: register dispatch, interrupts and EITR, receive and transmit.
#include "sim/igb/igb_core.h"

#include "sim/core/error.h"
#include "sim/core/log.h"
#include "sim/igb/packet.h"
#include "sim/igb/rss.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <limits>

namespace smpsim::igb {

using namespace reg;

namespace {

constexpr u32 bit(unsigned n) {
    return u32(1) << n;
}

u32 load_le32(const u8* p) {
    return u32(p[0]) | u32(p[1]) << 8 | u32(p[2]) << 16 | u32(p[3]) << 24;
}
void store_le32(u8* p, u32 v) {
    for (int i = 0; i < 4; ++i)
        p[i] = u8(v >> (8 * i));
}
u64 load_le64(const u8* p) {
    return u64(load_le32(p)) | u64(load_le32(p + 4)) << 32;
}

// Ethernet: a frame shorter than this (without FCS) is padded by the sending MAC.
constexpr unsigned kMinFrame = 60;
constexpr unsigned kFcsLen = 4;
constexpr u32 kStandardMaxFrameWithFcs = 1518;
// We gather at most this many bytes per TX packet: without TSO a packet is at most a jumbo frame.
constexpr size_t kMaxTxFrame = 16 * 1024;

// IVAR entries: RX queue n is entry 4 n (n < 8) or 4 (n - 8) + 2; TX queue n is the entry after it.
constexpr unsigned ivar_entry_rx(unsigned queue) {
    return queue < 8 ? queue * 4 : (queue - 8) * 4 + 2;
}
constexpr unsigned ivar_entry_tx(unsigned queue) {
    return ivar_entry_rx(queue) + 1;
}

// The internal PHY's registers as a link partner at 1000BASE-T full duplex leaves them (IEEE 802.3
// clause 22 layout; the ID is the IGP3 PHY ID Linux's igb accepts for the 82576).
constexpr std::array<u16, 32> kPhyReset = [] {
    std::array<u16, 32> phy{};
    phy[0x00] = 0x1140; // BMCR: 1000 Mb/s, full duplex, autonegotiation enabled
    phy[0x01] = 0x796D; // BMSR: capabilities, autonegotiation complete, link up
    phy[0x02] = 0x02A8; // PHY ID 1
    phy[0x03] = 0x0391; // PHY ID 2 (model, revision 1)
    phy[0x04] = 0x0DE1; // autonegotiation advertisement
    phy[0x05] = 0x45E1; // link partner ability
    phy[0x06] = 0x0005; // autonegotiation expansion
    phy[0x09] = 0x0300; // 1000BASE-T control: advertise full and half duplex
    phy[0x0A] = 0x3C00; // 1000BASE-T status: link partner 1000 full/half, local and remote receiver OK
    phy[0x0F] = 0x3000; // extended status: 1000BASE-T full/half capable
    phy[0x11] = 0xC200; // port status: 1000 Mb/s, full duplex
    return phy;
}();
constexpr u16 kBmsrLinkUp = 1u << 2, kBmsrAutonegComplete = 1u << 5;
constexpr u16 kBmcrReset = 1u << 15, kBmcrRestartAutoneg = 1u << 9;

const std::array<u32, 256> kCrcTable = [] {
    std::array<u32, 256> table{};
    for (u32 i = 0; i < 256; ++i) {
        u32 c = i;
        for (int k = 0; k < 8; ++k)
            c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        table[i] = c;
    }
    return table;
}();

} // namespace

u32 ethernet_crc32(std::span<const u8> data) {
    u32 crc = 0xFFFFFFFFu;
    for (u8 byte : data)
        crc = kCrcTable[(crc ^ byte) & 0xFF] ^ (crc >> 8);
    return ~crc;
}

// ---------------------------------------------------------------------------------------------------------
// Construction, reset and register storage

IgbCore::IgbCore(const IgbConfig& config, IgbHost& host)
    : config_(config), host_(host), regs_("igb", kBar0Size, register_table(), *this) {
    if (config_.mac[0] & 1)
        throw InternalError(fmt::format(
            "igb: MAC address {:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x} is a multicast "
            "address; a NIC needs a unicast one",
            config_.mac[0], config_.mac[1], config_.mac[2], config_.mac[3], config_.mac[4], config_.mac[5]));
    reset();
}

void IgbCore::reset() {
    regs_.reset();

    // NVM image: the MAC address in words 0..2 (little-endian byte pairs), no alternate MAC (0x37 =
    // 0xFFFF), and the checksum word that makes words 0..0x3F sum to 0xBABA.
    eeprom_.fill(0);
    for (unsigned i = 0; i < 3; ++i)
        eeprom_[i] = u16(config_.mac[2 * i] | config_.mac[2 * i + 1] << 8);
    eeprom_[0x37] = 0xFFFF;
    u16 sum = 0;
    for (unsigned i = 0; i < kEepromChecksumWord; ++i)
        sum = u16(sum + eeprom_[i]);
    eeprom_[kEepromChecksumWord] = u16(kEepromChecksumTarget - sum);

    // The hardware loads receive address 0 from the NVM.
    at(RAL0) = load_le32(config_.mac.data());
    at(RAH0) = u32(config_.mac[4]) | u32(config_.mac[5]) << 8 | kRahAddressValid;

    phy_ = kPhyReset;
    if (!link_up_) phy_[0x01] &= u16(~(kBmsrLinkUp | kBmsrAutonegComplete));

    timers_ = {};
    for (TxState& tx : tx_)
        tx = TxState{};
    rx_faulted_.fill(false);
    lower_intx_if_idle();
}

void IgbCore::add_stat(u32 offset, u64 amount) {
    u32& counter = at(offset);
    counter = u32(std::min<u64>(u64(counter) + amount, 0xFFFFFFFFu)); // statistics stick at all ones
}

void IgbCore::add_stat64(u32 low_offset, u64 amount) {
    const u64 sum = (u64(at(low_offset + 4)) << 32 | at(low_offset)) + amount;
    at(low_offset) = u32(sum);
    at(low_offset + 4) = u32(sum >> 32);
}

// ---------------------------------------------------------------------------------------------------------
// General registers

u32 IgbCore::read_status(unsigned) {
    u32 status = kStatusFullDuplex | kStatusSpeed1000;
    if (link_up_) status |= kStatusLinkUp;
    // GIO master enable follows bus mastering and CTRL.GIO_MASTER_DISABLE (drivers poll it before reset).
    if (bus_master_ && !(at(CTRL) & kCtrlGioMasterDisable)) status |= kStatusGioMasterEnable;
    return status;
}

void IgbCore::write_ctrl(unsigned, u32 value) {
    if (value & (kCtrlReset | kCtrlDeviceReset)) {
        reset(); // RST is self-clearing: CTRL reads back its reset value
        return;
    }
    at(CTRL) = value & ~kCtrlPhyReset; // PHY reset completes at once
}

void IgbCore::write_eecd(unsigned, u32 value) {
    // Software asks for direct NVM access with REQ; the model grants it at once.
    u32 eecd = (at(EECD) & (kEecdPresent | kEecdAutoReadDone)) | (value & 0x7F);
    if (value & kEecdRequest) eecd |= kEecdGrant;
    at(EECD) = eecd;
}

void IgbCore::write_eerd(unsigned, u32 value) {
    const u32 address = (value >> kEerdAddrShift) & kEerdAddrMask;
    if (!(value & kEerdStart)) {
        at(EERD) = value & ~kEerdDone;
        return;
    }
    // Words past the image read as erased NVM.
    const u16 data = address < eeprom_.size() ? eeprom_[address] : 0xFFFF;
    at(EERD) = (address << kEerdAddrShift) | kEerdDone | u32(data) << kEerdDataShift;
}

void IgbCore::write_mdic(unsigned, u32 value) {
    const unsigned phy_reg = (value >> kMdicRegShift) & kMdicRegMask;
    u32 result = value & ~(kMdicReady | kMdicError | kMdicDataMask);
    switch (value & kMdicOpMask) {
    case kMdicOpRead: result |= phy_[phy_reg]; break;
    case kMdicOpWrite: {
        u16 data = u16(value & kMdicDataMask);
        if (phy_reg == 0) data &= u16(~(kBmcrReset | kBmcrRestartAutoneg)); // self-clearing
        phy_[phy_reg] = data;
        result |= data;
        break;
    }
    default: result |= kMdicError; break;
    }
    at(MDIC) = result | kMdicReady; // the access completes at once
}

u32 IgbCore::read_swsm(unsigned) {
    // The software semaphore bit is set by every read: a read that returns it clear has taken it.
    const u32 value = at(SWSM);
    at(SWSM) = value | kSwsmSemaphore;
    return value;
}

// ---------------------------------------------------------------------------------------------------------
// Interrupts
//
// Causes collect in ICR (legacy causes: link, RX/TX descriptor write-back...) and EICR (one bit per queue
// vector through IVAR). In MSI-X mode with GPIE.Multiple_MSIX each EICR bit is a vector: a bit that becomes
// set while enabled in EIMS asks for a message, EITR[n] decides when it may go, and sending it auto-clears
// EICR bits named in EIAC and, with GPIE.EIAME, masks EIMS bits named in EIAM. ICR causes enabled in IMS
// raise the "other" vector named by IVAR_MISC. Otherwise (INTx, MSI, single-vector MSI-X) there is one
// interrupt, pending while ICR & IMS or EICR & EIMS is non-zero, moderated by EITR[0].

bool IgbCore::per_vector_mode() const {
    return mode_ == InterruptMode::Msix && (at(GPIE) & kGpieMultipleMsix);
}

bool IgbCore::single_vector_pending() const {
    return (at(ICR) & at(IMS)) != 0 || (at(EICR) & at(EIMS) & kEicrLegacyMask) != 0;
}

u64 IgbCore::eitr_interval_ns(unsigned vector) const {
    return u64((at(eitr(vector)) & kEitrIntervalMask) >> kEitrIntervalShift) * kEitrUnitNs;
}

u32 IgbCore::ivar_byte(unsigned entry) const {
    return (at(IVAR0 + 4 * (entry / 4)) >> (8 * (entry % 4))) & 0xFF;
}

// ICR causes that just became set and enabled: the "other" vector IVAR_MISC names in per-vector MSI-X
// mode, else the single interrupt.
void IgbCore::signal_icr_causes(u32 newly) {
    if (per_vector_mode()) {
        const u32 other = (at(IVAR_MISC) >> 8) & 0xFF;
        if (newly && (other & kIvarValid)) raise_eicr(bit(other & kIvarVectorMask));
    } else {
        evaluate_single_vector(newly != 0);
    }
}

void IgbCore::raise_icr(u32 causes) {
    const u32 before = at(ICR) & at(IMS);
    at(ICR) |= causes;
    signal_icr_causes(at(ICR) & at(IMS) & ~before);
}

void IgbCore::raise_eicr(u32 bits) {
    const u32 before = at(EICR) & at(EIMS);
    at(EICR) |= bits;
    const u32 newly = at(EICR) & at(EIMS) & ~before;
    if (!per_vector_mode()) return evaluate_single_vector((newly & kEicrLegacyMask) != 0);
    for (unsigned v = 0; v < kVectors; ++v)
        if (newly & bit(v)) request_vector(v);
}

// A queue cause: the EICR bit its IVAR entry names (if valid), and the legacy ICR cause.
void IgbCore::raise_queue_cause(u32 ivar_entry_byte, u32 icr_cause) {
    if (ivar_entry_byte & kIvarValid) {
        const unsigned vector = ivar_entry_byte & kIvarVectorMask;
        // Without Multiple_MSIX, EICR has 16 RxTxQ bits; IVAR then names one of them.
        if (per_vector_mode() || vector < 16) raise_eicr(bit(vector));
    }
    raise_icr(icr_cause);
}

void IgbCore::evaluate_single_vector(bool newly_raised) {
    if (newly_raised) request_vector(0);
    lower_intx_if_idle();
}

void IgbCore::request_vector(unsigned vector) {
    VectorTimer& timer = timers_[vector];
    if (timer.held) return; // already due at the deadline
    const u64 interval = eitr_interval_ns(vector);
    if (timer.fired_before && interval != 0 && now_ns_ < timer.last_fire_ns + interval) {
        timer.held = true;
        timer.deadline_ns = timer.last_fire_ns + interval;
        return;
    }
    fire_vector(vector);
}

bool IgbCore::vector_still_pending(unsigned vector) const {
    if (per_vector_mode()) return (at(EICR) & at(EIMS) & bit(vector)) != 0;
    return vector == 0 && single_vector_pending();
}

void IgbCore::fire_vector(unsigned vector) {
    VectorTimer& timer = timers_[vector];
    timer.fired_before = true;
    timer.last_fire_ns = now_ns_;
    timer.held = false;
    if (!bus_master_ && mode_ != InterruptMode::Legacy)
        return; // a message is a memory write: no bus master, no message
    switch (mode_) {
    case InterruptMode::Msix:
        if (per_vector_mode()) {
            host_.signal_msix(vector);
            at(EICR) &= ~(at(EIAC) & bit(vector));
            if (at(GPIE) & kGpieAutoMaskEnable) at(EIMS) &= ~(at(EIAM) & bit(vector));
        } else {
            host_.signal_msix(0);
        }
        break;
    case InterruptMode::Msi: host_.signal_msi(); break;
    case InterruptMode::Legacy: update_intx(); break;
    }
}

void IgbCore::update_intx() {
    const bool level = mode_ == InterruptMode::Legacy && single_vector_pending();
    if (level != intx_asserted_) {
        intx_asserted_ = level;
        host_.set_intx(level);
    }
}

// INTx drops as soon as nothing is pending; it rises only through fire_vector (EITR may hold it).
void IgbCore::lower_intx_if_idle() {
    if (intx_asserted_ && (mode_ != InterruptMode::Legacy || !single_vector_pending())) {
        intx_asserted_ = false;
        host_.set_intx(false);
    }
}

void IgbCore::advance(u64 now_ns) {
    now_ns_ = std::max(now_ns_, now_ns);
    for (unsigned v = 0; v < kVectors; ++v) {
        VectorTimer& timer = timers_[v];
        if (!timer.held || timer.deadline_ns > now_ns_) continue;
        timer.held = false;
        // A cause cleared or masked while held is not signalled; the interval still restarts only when a
        // message actually goes.
        if (vector_still_pending(v)) fire_vector(v);
    }
}

u64 IgbCore::next_deadline_ns() const {
    u64 next = std::numeric_limits<u64>::max();
    for (const VectorTimer& timer : timers_)
        if (timer.held) next = std::min(next, timer.deadline_ns);
    return next;
}

void IgbCore::set_interrupt_mode(InterruptMode mode) {
    if (mode == mode_) return;
    mode_ = mode;
    lower_intx_if_idle();
    if (mode_ == InterruptMode::Legacy && single_vector_pending()) request_vector(0);
}

void IgbCore::set_bus_master(bool enabled) {
    if (enabled == bus_master_) return;
    bus_master_ = enabled;
    if (enabled) process_all_tx(); // descriptors posted while DMA was off go now
}

void IgbCore::set_link(bool up) {
    if (up == link_up_) return;
    link_up_ = up;
    if (up)
        phy_[0x01] |= kBmsrLinkUp | kBmsrAutonegComplete;
    else
        phy_[0x01] &= u16(~(kBmsrLinkUp | kBmsrAutonegComplete));
    raise_icr(kIcrLinkStatusChange);
}

u32 IgbCore::read_icr(unsigned) {
    const bool asserted = (at(ICR) & at(IMS)) != 0;
    const u32 value = at(ICR) | (asserted ? kIcrInterruptAsserted : 0);
    // Datasheet 7.3.2.1.2: with GPIE.NSICR every read clears ICR; otherwise only when IMS is zero or an
    // interrupt is really asserted (so a shared INTx line's other owner does not eat our causes).
    const bool nsicr = at(GPIE) & kGpieNonSelectiveClearOnRead;
    if (nsicr || at(IMS) == 0 || asserted) at(ICR) = 0;
    // IAM: the read also masks the causes named in IAM, under the same condition (without IMS == 0).
    if (nsicr || (at(IMS) != 0 && asserted)) at(IMS) &= ~at(IAM);
    lower_intx_if_idle();
    return value;
}

void IgbCore::write_icr(unsigned, u32 value) {
    const bool asserted = (at(ICR) & at(IMS)) != 0;
    if ((at(GPIE) & kGpieNonSelectiveClearOnRead) || (at(IMS) != 0 && asserted)) at(IMS) &= ~at(IAM);
    at(ICR) &= ~value;
    lower_intx_if_idle();
}

void IgbCore::write_ics(unsigned, u32 value) {
    raise_icr(value & kImsValidMask);
}

void IgbCore::write_ims(unsigned, u32 value) {
    // Enabling a cause that is already set interrupts now, as a new cause would.
    const u32 before = at(ICR) & at(IMS);
    at(IMS) |= value & kImsValidMask;
    signal_icr_causes(at(ICR) & at(IMS) & ~before);
}

void IgbCore::write_imc(unsigned, u32 value) {
    at(IMS) &= ~value;
    lower_intx_if_idle();
}

u32 IgbCore::eicr_mask() const {
    return at(GPIE) & kGpieMultipleMsix ? kEicrMsixMask : kEicrLegacyMask;
}

u32 IgbCore::read_eicr(unsigned) {
    u32 value = at(EICR);
    // Without Multiple_MSIX, bit 31 reports the legacy (ICR) causes.
    if (!(at(GPIE) & kGpieMultipleMsix)) {
        if (at(ICR) & at(IMS)) value |= kEicrOtherCause;
        // Clear on read, which also auto-masks the EIAM bits; with Multiple_MSIX EICR is not read-clear.
        at(EIMS) &= ~(at(EIAM) & value);
        at(EICR) = 0;
        lower_intx_if_idle();
    }
    return value;
}

void IgbCore::write_eicr(unsigned, u32 value) {
    value &= eicr_mask();
    at(EICR) &= ~value;
    at(EIMS) &= ~(at(EIAM) & value); // EIAM: a write-to-clear also masks
    lower_intx_if_idle();
}

void IgbCore::write_eics(unsigned, u32 value) {
    raise_eicr(value & eicr_mask());
}

void IgbCore::write_eims(unsigned, u32 value) {
    const u32 before = at(EICR) & at(EIMS);
    at(EIMS) |= value & eicr_mask();
    const u32 newly = at(EICR) & at(EIMS) & ~before;
    if (!per_vector_mode()) return evaluate_single_vector((newly & kEicrLegacyMask) != 0);
    for (unsigned v = 0; v < kVectors; ++v)
        if (newly & bit(v)) request_vector(v);
}

void IgbCore::write_eimc(unsigned, u32 value) {
    at(EIMS) &= ~value;
    lower_intx_if_idle();
}

void IgbCore::write_gpie(unsigned, u32 value) {
    at(GPIE) = value & kGpieWritable;
    lower_intx_if_idle();
}

// ---------------------------------------------------------------------------------------------------------
// Receive

bool IgbCore::rx_queue_enabled(unsigned queue) const {
    return queue < kQueues && (at(rxq(queue, kQDescCtl)) & kQueueEnable) && rx_ring_size(queue) != 0 &&
           !rx_faulted_[queue];
}

u32 IgbCore::rx_ring_size(unsigned queue) const {
    return at(rxq(queue, kQLength)) / kDescriptorSize;
}

bool IgbCore::rx_enabled() const {
    if (!(at(RCTL) & kRctlEnable)) return false;
    for (unsigned q = 0; q < kQueues; ++q)
        if (rx_queue_enabled(q)) return true;
    return false;
}

bool IgbCore::rx_queue_has_room(unsigned queue) const {
    if (!rx_queue_enabled(queue)) return false;
    const u32 size = rx_ring_size(queue);
    const u32 head = at(rxq(queue, kQHead)), tail = at(rxq(queue, kQTail));
    return head != tail && head < size && tail < size;
}

u32 IgbCore::rx_buffer_size(unsigned queue) const {
    const u32 packet_kb = at(rxq(queue, kQSrrctl)) & kSrrctlBufferSizeMask;
    if (packet_kb != 0) return packet_kb * kSrrctlBufferUnit;
    // SRRCTL.BSIZEPACKET = 0: RCTL.BSIZE decides (2048, 1024, 512, 256; x16 with BSEX).
    const u32 code = (at(RCTL) & kRctlBufferSizeMask) >> kRctlBufferSizeShift;
    const u32 size = 2048u >> code;
    return (at(RCTL) & kRctlBufferSizeExtension) && code != 0 ? size * 16 : size;
}

u32 IgbCore::max_frame_with_fcs(bool vlan_tagged) const {
    if (at(RCTL) & kRctlLongPacket) return at(RLPML) & kRlpmlMask;
    return kStandardMaxFrameWithFcs + (vlan_tagged ? kVlanTagLen : 0);
}

bool IgbCore::accept_address(std::span<const u8> frame) const {
    const u8* dst = frame.data();
    const u32 rctl = at(RCTL);
    const bool broadcast = std::all_of(dst, dst + 6, [](u8 b) { return b == 0xFF; });
    if (broadcast) return rctl & kRctlBroadcastAccept;
    if (dst[0] & 1) {
        if (rctl & kRctlMulticastPromisc) return true;
        // MTA: 12 bits of the address chosen by RCTL.MO; bits 11:5 pick the register, 4:0 the bit.
        static constexpr unsigned kShiftForOffset[4] = {4, 3, 2, 0}; // MO: bits 47:36, 46:35, 45:34, 43:32
        const unsigned shift =
            kShiftForOffset[(rctl & kRctlMulticastOffsetMask) >> kRctlMulticastOffsetShift];
        const unsigned hash = ((dst[4] >> shift) | (u32(dst[5]) << (8 - shift))) & 0xFFF;
        return (at(MTA0 + 4 * (hash >> 5)) >> (hash & 31)) & 1;
    }
    if (rctl & kRctlUnicastPromisc) return true;
    const u32 low = load_le32(dst), high = u32(dst[4]) | u32(dst[5]) << 8;
    for (unsigned i = 0; i < 24; ++i) {
        const u32 ral = i < 16 ? RAL0 + 8 * i : RAL16 + 8 * (i - 16);
        const u32 rah = at(ral + 4);
        if ((rah & kRahAddressValid) && at(ral) == low && (rah & 0xFFFF) == high) return true;
    }
    return false;
}

bool IgbCore::accept_vlan(const PacketInfo& info) const {
    if (!(at(RCTL) & kRctlVlanFilter) || !info.vlan) return true;
    const unsigned vid = info.vlan_tci & 0xFFF;
    return (at(VFTA0 + 4 * (vid >> 5)) >> (vid & 31)) & 1;
}

// RSS (MRQC.MRQE = RSS, or VMDq + RSS with pool 0): queue = RETA[hash bits 6:0], whose low 4 bits name the
// queue. Packets RSS does not hash, and every packet without RSS, go to queue 0.
unsigned IgbCore::choose_queue(const PacketInfo& info, std::span<const u8> frame, u32* hash, u8* type) const {
    *hash = 0;
    *type = 0;
    const u32 mrqe = at(MRQC) & kMrqcMrqeMask;
    if (mrqe != kMrqcMrqeRss && mrqe != kMrqcMrqeVmdqRss) return 0;
    const std::array<u8, 40> key = rss_key();
    const RssResult rss = rss_hash(info, frame, at(MRQC), std::span<const u8, 40>(key));
    *hash = rss.hash;
    *type = rss.type;
    if (rss.type == kRssTypeNone) return 0;
    const unsigned entry = rss.hash & 0x7F;
    return ((at(RETA0 + 4 * (entry / 4)) >> (8 * (entry % 4))) & 0xFF) & 0x0F;
}

unsigned IgbCore::rx_queue_for(std::span<const u8> frame) const {
    if (frame.size() < kEthernetHeaderLen) return 0;
    // Called for every frame at pace max: only a runt is copied (padded as the sending MAC would).
    std::array<u8, kMinFrame> runt{};
    std::span<const u8> view = frame;
    if (frame.size() < kMinFrame) {
        std::copy(frame.begin(), frame.end(), runt.begin());
        view = runt;
    }
    const PacketInfo info = parse_packet(view);
    u32 hash = 0;
    u8 type = 0;
    return choose_queue(info, view, &hash, &type);
}

// The size-bucket counters (PRC64..PRC1522, PTC64..PTC1522): six consecutive registers from `first`,
// for frames of up to 64, 127, 255, 511, 1023 and 1522 bytes with FCS; longer ones count in none.
void IgbCore::count_frame_size(u32 first, u32 length_with_fcs) {
    static constexpr u32 kBucketLimits[] = {64, 127, 255, 511, 1023, 1522};
    for (u32 i = 0; i < std::size(kBucketLimits); ++i) {
        if (length_with_fcs <= kBucketLimits[i]) return add_stat(first + 4 * i, 1);
    }
}

// The advanced write-back descriptor for a packet of `length` bytes written to the buffer.
AdvRxDescWriteBack IgbCore::rx_write_back(const PacketInfo& info, std::span<const u8> frame, u32 length,
                                          u32 rss_hash, u8 rss_type, bool vlan_stripped) const {
    AdvRxDescWriteBack wb;
    wb.rss_type = rss_type & 0xF;
    u32 packet_type = 0;
    if (info.ipv4) packet_type |= kRxdPacketIpv4 | (info.ipv4_header_len > 20 ? kRxdPacketIpv4Options : 0);
    if (info.ipv6) packet_type |= kRxdPacketIpv6;
    if (info.tcp) packet_type |= kRxdPacketTcp;
    if (info.udp) packet_type |= kRxdPacketUdp;
    wb.packet_type = packet_type;
    u32 status = kRxdStatusDone | kRxdStatusEndOfPacket;
    if (vlan_stripped) {
        status |= kRxdStatusVlan;
        wb.vlan_tag = info.vlan_tci;
    }
    const u32 rxcsum = at(RXCSUM);
    if ((rxcsum & kRxcsumIpOffload) && info.ipv4 && info.ipv4_header_ok) {
        status |= kRxdStatusIpChecksum;
        if (!info.ipv4_checksum_ok) status |= kRxdErrorIp;
    }
    if ((rxcsum & kRxcsumL4Offload) && (info.tcp || info.udp)) {
        status |= kRxdStatusL4Checksum | (info.udp ? kRxdStatusUdpChecksum : 0);
        if (!info.l4_checksum_ok) status |= kRxdErrorL4;
    }
    wb.status_error = status;
    // Dword 1 is the RSS hash when RXCSUM.PCSD is set; otherwise the IP identification (the fragment
    // checksum it would carry beside it is not modelled and reads 0).
    wb.rss_hash_or_ip_id = rss_hash;
    if (!(rxcsum & kRxcsumPacketChecksumDisable))
        wb.rss_hash_or_ip_id = info.ipv4 && info.ipv4_header_ok
                                   ? u32(frame[info.l3_offset + 4]) << 8 | frame[info.l3_offset + 5]
                                   : 0;
    wb.packet_length = length & 0xFFFF;
    return wb;
}

// The receive statistics of a frame delivered to `queue`, counted as it was on the wire.
void IgbCore::count_rx_frame(unsigned queue, std::span<const u8> frame, u32 wire_len) {
    add_stat(GPRC, 1);
    add_stat64(GORCL, wire_len);
    count_frame_size(PRC64, wire_len);
    const bool broadcast = std::all_of(frame.begin(), frame.begin() + 6, [](u8 b) { return b == 0xFF; });
    if (broadcast)
        add_stat(BPRC, 1);
    else if (frame[0] & 1) {
        add_stat(MPRC, 1);
        add_stat(PQMPRC0 + kPerQueueStatStride * queue, 1);
    }
    add_stat(PQGPRC0 + kPerQueueStatStride * queue, 1);
    add_stat(PQGORC0 + kPerQueueStatStride * queue, wire_len);
    ++rx_packets_[queue];
}

RxOutcome IgbCore::receive(std::span<const u8> frame_in, u64 now_ns) {
    advance(now_ns);
    RxOutcome outcome;
    if (!(at(RCTL) & kRctlEnable)) {
        outcome.drop = RxDrop::RxDisabled;
        return outcome;
    }
    if (frame_in.size() < kEthernetHeaderLen) { // not even addresses and a type: a runt
        add_stat(RUC, 1);
        outcome.drop = RxDrop::Undersize;
        return outcome;
    }
    std::vector<u8> frame(frame_in.begin(), frame_in.end());
    if (frame.size() < kMinFrame) frame.resize(kMinFrame, 0);
    const u32 wire_len = u32(frame.size()) + kFcsLen;
    add_stat(TPR, 1);
    add_stat64(TORL, wire_len);

    if (!accept_address(frame)) {
        outcome.drop = RxDrop::Filtered;
        return outcome;
    }
    const PacketInfo info = parse_packet(frame);
    if (!accept_vlan(info)) {
        outcome.drop = RxDrop::Filtered;
        return outcome;
    }
    if (wire_len > max_frame_with_fcs(info.vlan)) {
        add_stat(ROC, 1);
        outcome.drop = RxDrop::Oversize;
        return outcome;
    }

    u8 rss_type = 0;
    const unsigned queue = choose_queue(info, frame, &outcome.rss_hash, &rss_type);
    outcome.queue = queue;
    if (!rx_queue_enabled(queue)) {
        outcome.drop = RxDrop::RxDisabled;
        return outcome;
    }
    if (!bus_master_) {
        outcome.drop = RxDrop::NoBusMaster;
        return outcome;
    }

    // What goes into the buffer: the frame, its VLAN tag moved to the descriptor when CTRL.VME, and the FCS
    // unless RCTL.SECRC. The FCS is that of the frame as it was on the wire, tag included, as on hardware.
    const bool strip_vlan = info.vlan && (at(CTRL) & kCtrlVlanModeEnable);
    std::vector<u8> data;
    data.reserve(frame.size() + kFcsLen);
    if (strip_vlan) {
        data.insert(data.end(), frame.begin(), frame.begin() + 12);
        data.insert(data.end(), frame.begin() + 12 + kVlanTagLen, frame.end());
    } else {
        data = frame;
    }
    if (!(at(RCTL) & kRctlStripCrc)) {
        const u32 fcs = ethernet_crc32(frame);
        for (unsigned i = 0; i < kFcsLen; ++i)
            data.push_back(u8(fcs >> (8 * i)));
    }
    // One buffer per packet: the model does not chain descriptors, so a packet longer than the queue's
    // buffer is dropped as oversize (a driver that sizes buffers for its MTU never sees this).
    if (data.size() > rx_buffer_size(queue)) {
        add_stat(ROC, 1);
        outcome.drop = RxDrop::Oversize;
        return outcome;
    }

    const u32 size = rx_ring_size(queue);
    u32& head = at(rxq(queue, kQHead));
    const u32 tail = at(rxq(queue, kQTail));
    if (head == tail || head >= size || tail >= size) {
        add_stat(RNBC, 1);
        add_stat(MPC, 1);
        add_stat(rxq(queue, kQRxDropCount), 1);
        outcome.drop = RxDrop::RingFull;
        return outcome;
    }

    // Fetch the descriptor the driver posted, write the packet to its buffer, write the descriptor back.
    // A DMA that reaches no memory stops the queue (see RxDrop and docs/FAULTS.md).
    auto stop_queue = [&](u64 addr, std::string_view what) {
        fault(addr, fmt::format("RX queue {} {}", queue, what));
        rx_faulted_[queue] = true;
        outcome.drop = RxDrop::RxDisabled;
        return outcome;
    };
    const u64 ring = u64(at(rxq(queue, kQBaseHigh))) << 32 | at(rxq(queue, kQBaseLow));
    const u64 desc_addr = ring + u64(head) * kDescriptorSize;
    RawDescriptor raw;
    if (!host_.dma_read(desc_addr, raw.data(), kDescriptorSize))
        return stop_queue(desc_addr, "descriptor read");
    const AdvRxDescRead posted = AdvRxDescRead::decode(raw);
    if (!host_.dma_write(posted.packet_buffer_addr, data.data(), u32(data.size())))
        return stop_queue(posted.packet_buffer_addr, "packet buffer write");
    const RawDescriptor done =
        rx_write_back(info, frame, u32(data.size()), outcome.rss_hash, rss_type, strip_vlan).encode();
    if (!host_.dma_write(desc_addr, done.data(), kDescriptorSize))
        return stop_queue(desc_addr, "descriptor write-back");
    const u32 free_before = (tail + size - head) % size;
    outcome.descriptor = head;
    head = (head + 1) % size;
    count_rx_frame(queue, frame, wire_len);

    // RXDMT0 when the free descriptors fall to the SRRCTL.RDMTS threshold (in units of 16 descriptors).
    u32 causes = kIcrRxDescWritten;
    const u32 threshold = ((at(rxq(queue, kQSrrctl)) >> kSrrctlMinThreshShift) & kSrrctlMinThreshMask) * 16;
    if (threshold != 0 && free_before > threshold && free_before - 1 <= threshold)
        causes |= kIcrRxDescMinThreshold;
    raise_queue_cause(ivar_byte(ivar_entry_rx(queue)), causes);
    return outcome;
}

// ---------------------------------------------------------------------------------------------------------
// Transmit

void IgbCore::fault(u64 addr, std::string_view what) {
    host_.dma_fault(addr, what);
}

void IgbCore::write_tctl(unsigned, u32 value) {
    at(TCTL) = value;
    if (value & kTctlEnable) process_all_tx();
}

void IgbCore::write_rx_desc_ctl(unsigned queue, u32 value) {
    const u32 old = at(rxq(queue, kQDescCtl));
    at(rxq(queue, kQDescCtl)) = value & kDescCtlWritable & ~kQueueSoftwareFlush;
    if ((value & kQueueEnable) && !(old & kQueueEnable)) rx_faulted_[queue] = false; // re-enabled: try again
}

void IgbCore::write_tx_desc_ctl(unsigned queue, u32 value) {
    const u32 old = at(txq(queue, kQDescCtl));
    at(txq(queue, kQDescCtl)) = value & kDescCtlWritable & ~kQueueSoftwareFlush;
    if ((value & kQueueEnable) && !(old & kQueueEnable)) {
        tx_[queue] = TxState{};
        process_tx(queue);
    }
}

void IgbCore::write_tx_tail(unsigned queue, u32 value) {
    at(txq(queue, kQTail)) = value & 0xFFFF;
    process_tx(queue);
}

void IgbCore::process_all_tx() {
    for (unsigned q = 0; q < kQueues; ++q)
        process_tx(q);
}

void IgbCore::finish_tx_frame(unsigned queue, TxState& tx) {
    if (tx.overflow || tx.frame.size() < kEthernetHeaderLen) { // nothing a MAC could send
        tx.frame.clear();
        tx.overflow = false;
        return;
    }
    if ((at(TCTL) & kTctlPadShortPackets) && tx.frame.size() < kMinFrame) tx.frame.resize(kMinFrame, 0);
    host_.transmit(tx.frame);
    const u32 wire_len = u32(tx.frame.size()) + kFcsLen;
    add_stat(GPTC, 1);
    add_stat(TPT, 1);
    add_stat64(GOTCL, wire_len);
    add_stat64(TOTL, wire_len);
    count_frame_size(PTC64, wire_len);
    const bool broadcast =
        std::all_of(tx.frame.begin(), tx.frame.begin() + 6, [](u8 b) { return b == 0xFF; });
    if (broadcast)
        add_stat(BPTC, 1);
    else if (tx.frame[0] & 1)
        add_stat(MPTC, 1);
    add_stat(PQGPTC0 + kPerQueueStatStride * queue, 1);
    add_stat(PQGOTC0 + kPerQueueStatStride * queue, wire_len);
    ++tx_packets_[queue];
    tx.frame.clear();
}

// Processes descriptors from TDH up to TDT. Context descriptors only carry offload set-up, of which the
// model keeps the VLAN tag; data descriptors (advanced, or legacy with DEXT clear, whose length, EOP and RS
// sit in the same bits) add their buffer to the packet. Checksum insertion and TSO are not performed: the
// frame goes out as the buffers hold it.
void IgbCore::process_tx(unsigned queue) {
    if (!(at(TCTL) & kTctlEnable) || !(at(txq(queue, kQDescCtl)) & kQueueEnable) || !bus_master_) return;
    TxState& tx = tx_[queue];
    if (tx.faulted) return;
    const u32 size = at(txq(queue, kQLength)) / kDescriptorSize;
    if (size == 0) return;
    const u64 ring = u64(at(txq(queue, kQBaseHigh))) << 32 | at(txq(queue, kQBaseLow));
    const u32 head_wb_low = at(txq(queue, kQTxHeadWbLow));
    const bool head_write_back = head_wb_low & kTxHeadWriteBackEnable;
    const u64 head_wb_addr = u64(at(txq(queue, kQTxHeadWbHigh))) << 32 | (head_wb_low & ~3u);
    u32& head = at(txq(queue, kQHead));
    const u32 tail = at(txq(queue, kQTail));
    if (head >= size || tail >= size) return; // a guest bug: indices outside the ring; nothing to do safely
    bool wrote_back = false;

    while (head != tail) {
        const u64 desc_addr = ring + u64(head) * kDescriptorSize;
        u8 desc[kDescriptorSize];
        if (!host_.dma_read(desc_addr, desc, kDescriptorSize)) {
            tx.faulted = true;
            fault(desc_addr, fmt::format("TX queue {} descriptor read", queue));
            break;
        }
        const u32 cmd_type_len = load_le32(desc + 8);
        const bool extended = cmd_type_len & kTxdCmdExtension;
        const u32 type = (cmd_type_len >> kTxdTypeShift) & kTxdTypeMask;
        if (extended && type == kTxdTypeContext) {
            tx.context_vlan = load_le32(desc) >> 16; // vlan_macip_lens: VLAN tag in bits 31:16
        } else {
            const u64 buffer = load_le64(desc);
            const u32 length = cmd_type_len & kTxdLengthMask;
            if (tx.frame.size() + length > kMaxTxFrame) {
                tx.overflow = true;
            } else if (length != 0) {
                const size_t at_byte = tx.frame.size();
                tx.frame.resize(at_byte + length);
                if (!host_.dma_read(buffer, tx.frame.data() + at_byte, length)) {
                    tx.faulted = true;
                    fault(buffer, fmt::format("TX queue {} buffer read", queue));
                    break;
                }
            }
            if (cmd_type_len & kTxdCmdEndOfPacket) {
                if (extended && (cmd_type_len & kTxdCmdVlanInsert) && tx.frame.size() >= 12) {
                    const u16 tpid = u16(at(VET) & 0xFFFF);
                    const u8 tag[4] = {u8(tpid >> 8), u8(tpid), u8(tx.context_vlan >> 8),
                                       u8(tx.context_vlan)};
                    tx.frame.insert(tx.frame.begin() + 12, tag, tag + 4);
                }
                finish_tx_frame(queue, tx);
            }
        }
        // Report status: DD in the descriptor, or, with head write-back enabled, the head in memory instead.
        const bool report = cmd_type_len & kTxdCmdReportStatus;
        head = (head + 1) % size;
        if (report) {
            wrote_back = true;
            if (head_write_back) {
                const u32 value = head;
                if (!host_.dma_write(head_wb_addr, &value, 4)) {
                    tx.faulted = true;
                    fault(head_wb_addr, fmt::format("TX queue {} head write-back", queue));
                    break;
                }
            } else {
                u8 status[4];
                store_le32(status, kTxdStatusDone);
                if (!host_.dma_write(desc_addr + 12, status, 4)) {
                    tx.faulted = true;
                    fault(desc_addr + 12, fmt::format("TX queue {} descriptor write-back", queue));
                    break;
                }
            }
        }
    }
    if (wrote_back) raise_queue_cause(ivar_byte(ivar_entry_tx(queue)), kIcrTxDescWritten);
}

// ---------------------------------------------------------------------------------------------------------
// Views

std::array<u8, 40> IgbCore::rss_key() const {
    std::array<u8, 40> key{};
    for (unsigned i = 0; i < 10; ++i)
        store_le32(key.data() + 4 * i, at(RSSRK0 + 4 * i));
    return key;
}

std::array<u8, 128> IgbCore::reta() const {
    std::array<u8, 128> table{};
    for (unsigned i = 0; i < 32; ++i)
        store_le32(table.data() + 4 * i, at(RETA0 + 4 * i));
    return table;
}

u32 IgbCore::mrqc() const {
    return at(MRQC);
}

u64 IgbCore::rx_packets(unsigned queue) const {
    return queue < kQueues ? rx_packets_[queue] : 0;
}
u64 IgbCore::tx_packets(unsigned queue) const {
    return queue < kQueues ? tx_packets_[queue] : 0;
}

} // namespace smpsim::igb
