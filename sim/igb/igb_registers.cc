// The 82576 register table: every BAR0 register the model knows, declared once. Offsets, reset values and
// writable bits follow the 82576 datasheet (section 8); where the datasheet leaves a reset value to the
// NVM, the value a default NVM loads is used. Registers the driver only configures and the model never
// consults (flow control, LEDs, packet buffer sizes, wake-up...) are plain storage so that a driver reads
// back what it wrote.
#include "sim/igb/igb_core.h"

namespace smpsim::igb {

namespace {
using namespace reg;
using A = RegAccess;

// Builders keep the table one line per register.
constexpr RegisterSpec rw(std::string_view name, u32 offset, u32 reset = 0, u32 writable = ~0u) {
    return RegisterSpec{.name = name, .offset = offset, .reset = reset, .writable = writable};
}
constexpr RegisterSpec array(std::string_view name, u32 offset, u16 count, u32 stride, u32 reset = 0,
                             u32 writable = ~0u) {
    return RegisterSpec{.name = name,
                        .offset = offset,
                        .count = count,
                        .stride = stride,
                        .reset = reset,
                        .writable = writable};
}
constexpr RegisterSpec stat(std::string_view name, u32 offset) {
    return RegisterSpec{.name = name, .offset = offset, .access = A::ReadClear};
}
constexpr RegisterSpec with_read(RegisterSpec spec, RegisterSpec::ReadHandler handler) {
    spec.on_read = handler;
    return spec;
}
constexpr RegisterSpec with_write(RegisterSpec spec, RegisterSpec::WriteHandler handler) {
    spec.on_write = handler;
    return spec;
}
constexpr RegisterSpec access(RegisterSpec spec, RegAccess kind) {
    spec.access = kind;
    return spec;
}
// A per-queue register: 16 instances at 0xC000/0xE000 + 0x40 n, queues 0..3 aliased at 0x2800/0x3800 + 0x100
// n.
constexpr RegisterSpec rx_queue(std::string_view name, u32 field, u32 reset, u32 writable) {
    return RegisterSpec{.name = name,
                        .offset = rxq(0, field),
                        .count = kQueues,
                        .stride = kQueueStride,
                        .reset = reset,
                        .writable = writable,
                        .alias_count = kAliasedQueues,
                        .alias_offset = kRxAliasBase + field,
                        .alias_stride = kAliasStride};
}
constexpr RegisterSpec tx_queue(std::string_view name, u32 field, u32 reset, u32 writable) {
    RegisterSpec spec = rx_queue(name, field, reset, writable);
    spec.offset = txq(0, field);
    spec.alias_offset = kTxAliasBase + field;
    return spec;
}
constexpr RegisterSpec per_queue_stat(std::string_view name, u32 offset) {
    return RegisterSpec{.name = name,
                        .offset = offset,
                        .count = kQueues,
                        .stride = kPerQueueStatStride,
                        .access = A::ReadClear};
}

// Reset values (datasheet section 8 "initial value"; the TCTL/TIPG defaults are the datasheet's).
constexpr u32 kCtrlInitial = kCtrlFullDuplex | kCtrlSpeed1000;
constexpr u32 kEecdInitial = kEecdPresent | kEecdAutoReadDone; // NVM present, auto-read done, 64 words
constexpr u32 kTctlInitial = kTctlPadShortPackets | (0xF << 4) | (0x40 << 12) | (1u << 26) | (0xAu << 28);
constexpr u32 kTipgInitial = 0x08 | (0x04 << 10) | (0x06 << 20);
constexpr u32 kVetInitial = 0x81008100;                             // VET and VET_EXT both 802.1Q
constexpr u32 kRxcsumInitial = kRxcsumIpOffload | kRxcsumL4Offload; // IP and TCP/UDP checksum checks on
constexpr u32 kRlpmlInitial = 0x2600;
constexpr u32 kSrrctlInitial = 0x00000402; // BSIZEPACKET 2 KB, BSIZEHEADER 256 B, legacy descriptor type
constexpr u32 kDescCtlInitial = 1u << 16;  // WTHRESH = 1
// Writable bits.
constexpr u32 kBaseLowWritable = 0xFFFFFFF0;    // descriptor rings are at least 16-byte aligned
constexpr u32 kRingLengthWritable = 0x000FFF80; // a multiple of 128 bytes
constexpr u32 kRingIndexWritable = 0x0000FFFF;
constexpr u32 kSrrctlWritable = 0x8FF00F7F;
constexpr u32 kIvarWritable = 0x9F9F9F9F;
constexpr u32 kIvarMiscWritable = 0x00009F9F;
constexpr u32 kRahWritable = 0x83FFFFFF; // address 15:0, AS, POOLSEL, AV

} // namespace

// A member function, so that the table may name the private handlers.
std::span<const RegisterSpec> IgbCore::register_table() {
    static const RegisterSpec kTable[] = {
        // General
        with_write(rw("CTRL", CTRL, kCtrlInitial), &IgbCore::write_ctrl),
        with_read(access(rw("STATUS", STATUS, kStatusFullDuplex | kStatusSpeed1000), A::ReadOnly),
                  &IgbCore::read_status),
        with_write(rw("EECD", EECD, kEecdInitial), &IgbCore::write_eecd),
        with_write(rw("EERD", EERD), &IgbCore::write_eerd),
        rw("CTRL_EXT", CTRL_EXT),
        with_write(rw("MDIC", MDIC, kMdicReady), &IgbCore::write_mdic),
        rw("FCAL", FCAL),
        rw("FCAH", FCAH, 0, 0xFFFF),
        rw("FCT", FCT, 0, 0xFFFF),
        rw("CONNSW", CONNSW),
        rw("VET", VET, kVetInitial),
        rw("FCTTV", FCTTV, 0, 0xFFFF),
        rw("LEDCTL", LEDCTL, 0x07068302),
        rw("PBA", PBA, 0x00000040),
        rw("EEMNGCTL", EEMNGCTL, 1u << 31),
        rw("FCRTL", FCRTL),
        rw("FCRTH", FCRTH),
        rw("RXPBS", RXPBS, 0x40),
        rw("TXPBS", TXPBS, 0x28),
        rw("GCR", GCR),
        with_read(rw("SWSM", SWSM), &IgbCore::read_swsm),
        access(rw("FWSM", FWSM), A::ReadOnly),
        rw("SW_FW_SYNC", SW_FW_SYNC),
        rw("WUC", WUC),
        rw("WUFC", WUFC),
        rw("MANC", MANC),

        // Interrupts
        with_write(with_read(rw("ICR", ICR), &IgbCore::read_icr), &IgbCore::write_icr),
        with_write(access(rw("ICS", ICS), A::WriteOnly), &IgbCore::write_ics),
        with_write(rw("IMS", IMS, 0, kImsValidMask), &IgbCore::write_ims),
        with_write(access(rw("IMC", IMC), A::WriteOnly), &IgbCore::write_imc),
        rw("IAM", IAM, 0, kImsValidMask),
        with_write(rw("GPIE", GPIE, 0, kGpieWritable), &IgbCore::write_gpie),
        with_write(access(rw("EICS", EICS), A::WriteOnly), &IgbCore::write_eics),
        with_write(rw("EIMS", EIMS, 0, kEicrMsixMask | kEicrLegacyMask), &IgbCore::write_eims),
        with_write(access(rw("EIMC", EIMC), A::WriteOnly), &IgbCore::write_eimc),
        rw("EIAC", EIAC, 0, kEicrMsixMask),
        rw("EIAM", EIAM, 0, kEicrMsixMask | kEicrLegacyMask),
        with_write(with_read(rw("EICR", EICR), &IgbCore::read_eicr), &IgbCore::write_eicr),
        // CNT_IGNR and the counters are not stored (they read as zero); a new interval applies from the
        // vector's next interrupt on.
        array("EITR", EITR0, kVectors, 4, 0, kEitrWritable),
        array("IVAR", IVAR0, 8, 4, 0, kIvarWritable),
        rw("IVAR_MISC", IVAR_MISC, 0, kIvarMiscWritable),

        // Receive
        rw("RCTL", RCTL, 0, 0x07FFF3FE),
        rw("RXCSUM", RXCSUM, kRxcsumInitial, 0x000033FF),
        rw("RLPML", RLPML, kRlpmlInitial, kRlpmlMask),
        rw("RFCTL", RFCTL),
        array("MTA", MTA0, 128, 4),
        array("RAL", RAL0, 16, 8),
        array("RAH", RAH0, 16, 8, 0, kRahWritable),
        array("RAL16", RAL16, 8, 8),
        array("RAH16", RAH16, 8, 8, 0, kRahWritable),
        array("PSRTYPE", PSRTYPE0, 8, 4),
        array("VFTA", VFTA0, 128, 4),
        rw("MRQC", MRQC),
        rw("VT_CTL", VT_CTL),
        array("RETA", RETA0, 32, 4),
        array("RSSRK", RSSRK0, 10, 4),
        rx_queue("RDBAL", kQBaseLow, 0, kBaseLowWritable),
        rx_queue("RDBAH", kQBaseHigh, 0, ~0u),
        rx_queue("RDLEN", kQLength, 0, kRingLengthWritable),
        rx_queue("SRRCTL", kQSrrctl, kSrrctlInitial, kSrrctlWritable),
        rx_queue("RDH", kQHead, 0, kRingIndexWritable),
        rx_queue("RXCTL", kQDcaCtl, 0, ~0u),
        rx_queue("RDT", kQTail, 0, kRingIndexWritable),
        with_write(rx_queue("RXDCTL", kQDescCtl, kDescCtlInitial, kDescCtlWritable),
                   &IgbCore::write_rx_desc_ctl),
        access(rx_queue("RQDPC", kQRxDropCount, 0, 0), A::ReadClear),

        // Transmit
        with_write(rw("TCTL", TCTL, kTctlInitial), &IgbCore::write_tctl),
        rw("TCTL_EXT", TCTL_EXT),
        rw("TIPG", TIPG, kTipgInitial),
        rw("DTXCTL", DTXCTL),
        tx_queue("TDBAL", kQBaseLow, 0, kBaseLowWritable),
        tx_queue("TDBAH", kQBaseHigh, 0, ~0u),
        tx_queue("TDLEN", kQLength, 0, kRingLengthWritable),
        tx_queue("TDH", kQHead, 0, kRingIndexWritable),
        tx_queue("TXCTL", kQDcaCtl, 0, ~0u),
        with_write(tx_queue("TDT", kQTail, 0, kRingIndexWritable), &IgbCore::write_tx_tail),
        with_write(tx_queue("TXDCTL", kQDescCtl, kDescCtlInitial, kDescCtlWritable),
                   &IgbCore::write_tx_desc_ctl),
        tx_queue("TDWBAL", kQTxHeadWbLow, 0, 0xFFFFFFFD),
        tx_queue("TDWBAH", kQTxHeadWbHigh, 0, ~0u),

        // Statistics
        stat("CRCERRS", CRCERRS),
        stat("ALGNERRC", ALGNERRC),
        stat("SYMERRS", SYMERRS),
        stat("RXERRC", RXERRC),
        stat("MPC", MPC),
        stat("SCC", SCC),
        stat("ECOL", ECOL),
        stat("MCC", MCC),
        stat("LATECOL", LATECOL),
        stat("COLC", COLC),
        stat("CBTMPC", CBTMPC),
        stat("DC", DC),
        stat("TNCRS", TNCRS),
        stat("SEC", SEC),
        stat("HTDPMC", HTDPMC),
        stat("RLEC", RLEC),
        stat("XONRXC", XONRXC),
        stat("XONTXC", XONTXC),
        stat("XOFFRXC", XOFFRXC),
        stat("XOFFTXC", XOFFTXC),
        stat("FCRUC", FCRUC),
        stat("PRC64", PRC64),
        stat("PRC127", PRC127),
        stat("PRC255", PRC255),
        stat("PRC511", PRC511),
        stat("PRC1023", PRC1023),
        stat("PRC1522", PRC1522),
        stat("GPRC", GPRC),
        stat("BPRC", BPRC),
        stat("MPRC", MPRC),
        stat("GPTC", GPTC),
        stat("GORCL", GORCL),
        stat("GORCH", GORCH),
        stat("GOTCL", GOTCL),
        stat("GOTCH", GOTCH),
        stat("RNBC", RNBC),
        stat("RUC", RUC),
        stat("RFC", RFC),
        stat("ROC", ROC),
        stat("RJC", RJC),
        stat("MGTPRC", MGTPRC),
        stat("MGTPDC", MGTPDC),
        stat("MGTPTC", MGTPTC),
        stat("TORL", TORL),
        stat("TORH", TORH),
        stat("TOTL", TOTL),
        stat("TOTH", TOTH),
        stat("TPR", TPR),
        stat("TPT", TPT),
        stat("PTC64", PTC64),
        stat("PTC127", PTC127),
        stat("PTC255", PTC255),
        stat("PTC511", PTC511),
        stat("PTC1023", PTC1023),
        stat("PTC1522", PTC1522),
        stat("MPTC", MPTC),
        stat("BPTC", BPTC),
        stat("TSCTC", TSCTC),
        stat("TSCTFC", TSCTFC),
        stat("IAC", IAC),
        stat("RPTHC", RPTHC),
        stat("HGPTC", HGPTC),
        stat("HTCBDPC", HTCBDPC),
        stat("HGORCL", HGORCL),
        stat("HGORCH", HGORCH),
        stat("HGOTCL", HGOTCL),
        stat("HGOTCH", HGOTCH),
        stat("LENERRS", LENERRS),
        per_queue_stat("PQGPRC", PQGPRC0),
        per_queue_stat("PQGPTC", PQGPTC0),
        per_queue_stat("PQGORC", PQGORC0),
        per_queue_stat("PQGOTC", PQGOTC0),
        per_queue_stat("PQMPRC", PQMPRC0),
    };
    return kTable;
}

} // namespace smpsim::igb
