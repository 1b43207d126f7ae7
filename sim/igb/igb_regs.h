// Intel 82576 BAR0 register offsets and bit fields the device core uses. Offsets and bits follow the
// "Intel 82576 GbE Controller Datasheet" (section 8, register descriptions) and agree with Linux's
// drivers/net/ethernet/intel/igb/e1000_regs.h and e1000_defines.h. Only names live here; what each
// register does on read and write is declared once, in the register table (igb_registers.cc).
#pragma once
#include "sim/core/types.h"

namespace smpsim::igb::reg {

inline constexpr u32 kBar0Size = 128 * 1024;
inline constexpr unsigned kQueues = 16;      // RX and TX queues
inline constexpr unsigned kVectors = 25;     // EICR/EIMS bits and EITR registers in MSI-X mode
inline constexpr unsigned kEepromWords = 64; // the NVM image the model exposes through EERD

// General
inline constexpr u32 CTRL = 0x0000, STATUS = 0x0008, EECD = 0x0010, EERD = 0x0014, CTRL_EXT = 0x0018,
                     MDIC = 0x0020, FCAL = 0x0028, FCAH = 0x002C, FCT = 0x0030, CONNSW = 0x0034, VET = 0x0038,
                     FCTTV = 0x0170, LEDCTL = 0x0E00, PBA = 0x1000, EEMNGCTL = 0x1010, FCRTL = 0x2160,
                     FCRTH = 0x2168, RXPBS = 0x2404, TXPBS = 0x3404, GCR = 0x5B00, SWSM = 0x5B50,
                     FWSM = 0x5B54, SW_FW_SYNC = 0x5B5C, WUC = 0x5800, WUFC = 0x5808, MANC = 0x5820;
// Interrupts
inline constexpr u32 ICR = 0x00C0, ICS = 0x00C8, IMS = 0x00D0, IMC = 0x00D8, IAM = 0x00E0, GPIE = 0x1514,
                     EICS = 0x1520, EIMS = 0x1524, EIMC = 0x1528, EIAC = 0x152C, EIAM = 0x1530, EICR = 0x1580,
                     EITR0 = 0x1680, IVAR0 = 0x1700, IVAR_MISC = 0x1740;
// Receive
inline constexpr u32 RCTL = 0x0100, RXCSUM = 0x5000, RLPML = 0x5004, RFCTL = 0x5008, MTA0 = 0x5200,
                     RAL0 = 0x5400, RAH0 = 0x5404, RAL16 = 0x54E0, RAH16 = 0x54E4, PSRTYPE0 = 0x5480,
                     VFTA0 = 0x5600, MRQC = 0x5818, VT_CTL = 0x581C, RETA0 = 0x5C00, RSSRK0 = 0x5C80;
// Transmit
inline constexpr u32 TCTL = 0x0400, TCTL_EXT = 0x0404, TIPG = 0x0410, DTXCTL = 0x3590;

// Per-queue registers: queues 0..15 at 0xC000 (RX) / 0xE000 (TX) + 0x40 * n; queues 0..3 also answer at
// the 82575-compatible aliases 0x2800 / 0x3800 + 0x100 * n.
inline constexpr u32 kRxQueueBase = 0xC000, kTxQueueBase = 0xE000, kQueueStride = 0x40;
inline constexpr u32 kRxAliasBase = 0x2800, kTxAliasBase = 0x3800, kAliasStride = 0x100;
inline constexpr unsigned kAliasedQueues = 4;
// Offsets inside a queue's block.
inline constexpr u32 kQBaseLow = 0x00, kQBaseHigh = 0x04, kQLength = 0x08, kQSrrctl = 0x0C, kQHead = 0x10,
                     kQDcaCtl = 0x14, kQTail = 0x18, kQDescCtl = 0x28, kQRxDropCount = 0x30,
                     kQTxHeadWbLow = 0x38, kQTxHeadWbHigh = 0x3C;
constexpr u32 rxq(unsigned queue, u32 field) {
    return kRxQueueBase + kQueueStride * queue + field;
}
constexpr u32 txq(unsigned queue, u32 field) {
    return kTxQueueBase + kQueueStride * queue + field;
}
constexpr u32 eitr(unsigned vector) {
    return EITR0 + 4 * vector;
}

// Statistics (clear on read).
inline constexpr u32 CRCERRS = 0x4000, ALGNERRC = 0x4004, SYMERRS = 0x4008, RXERRC = 0x400C, MPC = 0x4010,
                     SCC = 0x4014, ECOL = 0x4018, MCC = 0x401C, LATECOL = 0x4020, COLC = 0x4028,
                     CBTMPC = 0x402C, DC = 0x4030, TNCRS = 0x4034, SEC = 0x4038, HTDPMC = 0x403C,
                     RLEC = 0x4040, XONRXC = 0x4048, XONTXC = 0x404C, XOFFRXC = 0x4050, XOFFTXC = 0x4054,
                     FCRUC = 0x4058, PRC64 = 0x405C, PRC127 = 0x4060, PRC255 = 0x4064, PRC511 = 0x4068,
                     PRC1023 = 0x406C, PRC1522 = 0x4070, GPRC = 0x4074, BPRC = 0x4078, MPRC = 0x407C,
                     GPTC = 0x4080, GORCL = 0x4088, GORCH = 0x408C, GOTCL = 0x4090, GOTCH = 0x4094,
                     RNBC = 0x40A0, RUC = 0x40A4, RFC = 0x40A8, ROC = 0x40AC, RJC = 0x40B0, MGTPRC = 0x40B4,
                     MGTPDC = 0x40B8, MGTPTC = 0x40BC, TORL = 0x40C0, TORH = 0x40C4, TOTL = 0x40C8,
                     TOTH = 0x40CC, TPR = 0x40D0, TPT = 0x40D4, PTC64 = 0x40D8, PTC127 = 0x40DC,
                     PTC255 = 0x40E0, PTC511 = 0x40E4, PTC1023 = 0x40E8, PTC1522 = 0x40EC, MPTC = 0x40F0,
                     BPTC = 0x40F4, TSCTC = 0x40F8, TSCTFC = 0x40FC, IAC = 0x4100, RPTHC = 0x4104,
                     HGPTC = 0x4118, HTCBDPC = 0x4124, HGORCL = 0x4128, HGORCH = 0x412C, HGOTCL = 0x4130,
                     HGOTCH = 0x4134, LENERRS = 0x4138;
// Per-queue statistics (16 queues, stride 0x100).
inline constexpr u32 PQGPRC0 = 0x10010, PQGPTC0 = 0x10014, PQGORC0 = 0x10018, PQGOTC0 = 0x10034,
                     PQMPRC0 = 0x10038, kPerQueueStatStride = 0x100;

// CTRL
inline constexpr u32 kCtrlFullDuplex = 1u << 0, kCtrlGioMasterDisable = 1u << 2, kCtrlSetLinkUp = 1u << 6,
                     kCtrlSpeed1000 = 2u << 8, kCtrlReset = 1u << 26, kCtrlDeviceReset = 1u << 29,
                     kCtrlVlanModeEnable = 1u << 30, kCtrlPhyReset = 1u << 31;
// STATUS
inline constexpr u32 kStatusFullDuplex = 1u << 0, kStatusLinkUp = 1u << 1, kStatusSpeed1000 = 2u << 6,
                     kStatusGioMasterEnable = 1u << 19;
// EECD / EERD
inline constexpr u32 kEecdRequest = 1u << 6, kEecdGrant = 1u << 7, kEecdPresent = 1u << 8,
                     kEecdAutoReadDone = 1u << 9;
inline constexpr u32 kEerdStart = 1u << 0, kEerdDone = 1u << 1, kEerdAddrShift = 2, kEerdAddrMask = 0x3FFF,
                     kEerdDataShift = 16;
inline constexpr u16 kEepromChecksumTarget = 0xBABA;
inline constexpr unsigned kEepromChecksumWord = 0x3F;
// MDIC
inline constexpr u32 kMdicDataMask = 0xFFFF, kMdicRegShift = 16, kMdicRegMask = 0x1F, kMdicPhyShift = 21,
                     kMdicPhyMask = 0x1F, kMdicOpWrite = 1u << 26, kMdicOpRead = 2u << 26,
                     kMdicOpMask = 3u << 26, kMdicReady = 1u << 28, kMdicInterrupt = 1u << 29,
                     kMdicError = 1u << 30;
// SWSM
inline constexpr u32 kSwsmSemaphore = 1u << 0;

// ICR / ICS / IMS / IMC / IAM causes
inline constexpr u32 kIcrTxDescWritten = 1u << 0, kIcrTxQueueEmpty = 1u << 1, kIcrLinkStatusChange = 1u << 2,
                     kIcrRxDescMinThreshold = 1u << 4, kIcrRxOverrun = 1u << 6, kIcrRxDescWritten = 1u << 7,
                     kIcrDmaOutOfSync = 1u << 28, kIcrDeviceResetAsserted = 1u << 30,
                     kIcrInterruptAsserted = 1u << 31;
inline constexpr u32 kImsValidMask = 0x77D4FBFD; // the cause bits an 82576 can enable
// GPIE
inline constexpr u32 kGpieNonSelectiveClearOnRead = 1u << 0, kGpieMultipleMsix = 1u << 4,
                     kGpieAutoMaskEnable = 1u << 30, kGpiePbaSupport = 1u << 31;
inline constexpr u32 kGpieWritable = 0xC0000F91; // NSICR, Multiple_MSIX, LL interval (11:7), EIAME, PBA
// EICR: in MSI-X mode bits 24:0 are vectors; otherwise bits 15:0 are RxTxQ causes, 30 TCP timer, 31 other.
inline constexpr u32 kEicrMsixMask = 0x01FFFFFF, kEicrLegacyMask = 0xC000FFFF, kEicrOtherCause = 1u << 31;
// IVAR: one byte per queue direction, vector in bits 4:0 and a valid bit 7.
inline constexpr u32 kIvarVectorMask = 0x1F, kIvarValid = 0x80;
// EITR: interval in 1 us units in bits 14:2.
inline constexpr u32 kEitrIntervalMask = 0x7FFC, kEitrIntervalShift = 2, kEitrLowLatencyEnable = 1u << 15,
                     kEitrCounterIgnore = 1u << 31;
inline constexpr u64 kEitrUnitNs = 1000;
inline constexpr u32 kEitrWritable = kEitrIntervalMask | kEitrLowLatencyEnable;

// RCTL
inline constexpr u32 kRctlEnable = 1u << 1, kRctlStoreBadPackets = 1u << 2, kRctlUnicastPromisc = 1u << 3,
                     kRctlMulticastPromisc = 1u << 4, kRctlLongPacket = 1u << 5, kRctlDescMinThreshShift = 8,
                     kRctlMulticastOffsetShift = 12, kRctlMulticastOffsetMask = 3u << 12,
                     kRctlBroadcastAccept = 1u << 15, kRctlBufferSizeShift = 16,
                     kRctlBufferSizeMask = 3u << 16, kRctlVlanFilter = 1u << 18,
                     kRctlBufferSizeExtension = 1u << 25, kRctlStripCrc = 1u << 26;
// SRRCTL
inline constexpr u32 kSrrctlBufferSizeMask = 0x7F, kSrrctlBufferUnit = 1024, kSrrctlMinThreshShift = 20,
                     kSrrctlMinThreshMask = 0x1F, kSrrctlDescTypeShift = 25, kSrrctlDescTypeMask = 7u << 25,
                     kSrrctlDropEnable = 1u << 31;
// RXDCTL / TXDCTL
inline constexpr u32 kQueueEnable = 1u << 25, kQueueSoftwareFlush = 1u << 26;
inline constexpr u32 kDescCtlWritable = 0x061F1F1F; // PTHRESH, HTHRESH, WTHRESH, ENABLE, SWFLSH
// RXCSUM
inline constexpr u32 kRxcsumIpOffload = 1u << 8, kRxcsumL4Offload = 1u << 9,
                     kRxcsumPacketChecksumDisable = 1u << 13;
// RAH
inline constexpr u32 kRahAddressValid = 1u << 31;
// RLPML
inline constexpr u32 kRlpmlMask = 0x3FFF;
// TCTL
inline constexpr u32 kTctlEnable = 1u << 1, kTctlPadShortPackets = 1u << 3;
// TDWBAL
inline constexpr u32 kTxHeadWriteBackEnable = 1u << 0;

// Advanced descriptors (16 bytes).
inline constexpr unsigned kDescriptorSize = 16;
// TX command/type/length (dword 2) of advanced data and context descriptors, and of legacy descriptors.
inline constexpr u32 kTxdLengthMask = 0xFFFF, kTxdTypeShift = 20, kTxdTypeMask = 0xF, kTxdTypeContext = 0x2,
                     kTxdTypeData = 0x3, kTxdCmdEndOfPacket = 1u << 24, kTxdCmdInsertFcs = 1u << 25,
                     kTxdCmdReportStatus = 1u << 27, kTxdCmdExtension = 1u << 29,
                     kTxdCmdVlanInsert = 1u << 30, kTxdCmdSegmentation = 1u << 31;
inline constexpr u32 kTxdStatusDone = 1u << 0;
// RX write-back status (bits 19:0 of dword 2) and errors (bits 31:20).
inline constexpr u32 kRxdStatusDone = 1u << 0, kRxdStatusEndOfPacket = 1u << 1, kRxdStatusVlan = 1u << 3,
                     kRxdStatusUdpChecksum = 1u << 4, kRxdStatusL4Checksum = 1u << 5,
                     kRxdStatusIpChecksum = 1u << 6, kRxdErrorL4 = 1u << 29, kRxdErrorIp = 1u << 30;
// RX write-back packet type (bits 16:4 of dword 0).
inline constexpr u32 kRxdPacketTypeShift = 4, kRxdPacketIpv4 = 1u << 0, kRxdPacketIpv4Options = 1u << 1,
                     kRxdPacketIpv6 = 1u << 2, kRxdPacketTcp = 1u << 4, kRxdPacketUdp = 1u << 5;

} // namespace smpsim::igb::reg
