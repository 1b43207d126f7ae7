// Offsets and bits of the PCI type-0 configuration header and of the capabilities this model implements.
// Sources: PCI Local Bus Specification 3.0, 6.1-6.2 (header), 6.7-6.8 (capabilities, MSI, MSI-X);
// PCI Bus Power Management Interface Specification 1.2, 3.2 (PM capability); PCI Express Base
// Specification 2.0, 7.8 (PCI Express capability, version 2).
#pragma once
#include "sim/core/types.h"

namespace smpsim::pci {

inline constexpr unsigned kConfigSpaceSize = 256;
inline constexpr unsigned kBarCount = 6;

// Type-0 header.
namespace reg {
inline constexpr u16 kVendorId = 0x00;
inline constexpr u16 kDeviceId = 0x02;
inline constexpr u16 kCommand = 0x04;
inline constexpr u16 kStatus = 0x06;
inline constexpr u16 kRevisionId = 0x08;
inline constexpr u16 kClassCode = 0x09; // 3 bytes: prog-if, sub-class, base class
inline constexpr u16 kCacheLineSize = 0x0C;
inline constexpr u16 kLatencyTimer = 0x0D;
inline constexpr u16 kHeaderType = 0x0E;
inline constexpr u16 kBist = 0x0F;
inline constexpr u16 kBar0 = 0x10;
inline constexpr u16 kCardbusCis = 0x28;
inline constexpr u16 kSubsystemVendorId = 0x2C;
inline constexpr u16 kSubsystemId = 0x2E;
inline constexpr u16 kExpansionRom = 0x30;
inline constexpr u16 kCapabilitiesPointer = 0x34;
inline constexpr u16 kInterruptLine = 0x3C;
inline constexpr u16 kInterruptPin = 0x3D;
inline constexpr u16 kMinGnt = 0x3E;
inline constexpr u16 kMaxLat = 0x3F;
// Capabilities go after the header (6.7: "located in device-specific space").
inline constexpr u16 kFirstCapability = 0x40;
} // namespace reg

namespace command {
inline constexpr u16 kIoSpace = 1 << 0;
inline constexpr u16 kMemorySpace = 1 << 1;
inline constexpr u16 kBusMaster = 1 << 2;
inline constexpr u16 kParityErrorResponse = 1 << 6;
inline constexpr u16 kSerrEnable = 1 << 8;
inline constexpr u16 kInterruptDisable = 1 << 10;
// Special cycles, MWI, VGA palette snoop, stepping and fast back-to-back are hardwired to 0 (as PCIe
// requires of them), as are the reserved bits 15:11.
inline constexpr u16 kWritable =
    kIoSpace | kMemorySpace | kBusMaster | kParityErrorResponse | kSerrEnable | kInterruptDisable;
} // namespace command

namespace status {
inline constexpr u16 kInterrupt = 1 << 3;
inline constexpr u16 kCapabilitiesList = 1 << 4;
inline constexpr u16 kMasterDataParityError = 1 << 8;
inline constexpr u16 kSignaledTargetAbort = 1 << 11;
inline constexpr u16 kReceivedTargetAbort = 1 << 12;
inline constexpr u16 kReceivedMasterAbort = 1 << 13;
inline constexpr u16 kSignaledSystemError = 1 << 14;
inline constexpr u16 kDetectedParityError = 1 << 15;
// Error bits are set by the device and cleared by writing 1 (RW1C).
inline constexpr u16 kWriteOneToClear = kMasterDataParityError | kSignaledTargetAbort | kReceivedTargetAbort |
                                        kReceivedMasterAbort | kSignaledSystemError | kDetectedParityError;
} // namespace status

namespace bar {
inline constexpr u32 kIoSpace = 1 << 0;
inline constexpr u32 kMem64 = 2 << 1; // type field, bits 2:1
inline constexpr u32 kPrefetchable = 1 << 3;
inline constexpr u32 kMemTypeBits = 0xF; // bits 3:0 of a memory BAR are not address
inline constexpr u32 kIoTypeBits = 0x3;  // bits 1:0 of an I/O BAR are not address
// Minimum and maximum decode sizes (PCI 3.0, 6.2.5.1).
inline constexpr u64 kMinMemSize = 16;
inline constexpr u64 kMinIoSize = 4;
inline constexpr u64 kMaxIoSize = 256;
} // namespace bar

namespace header_type {
inline constexpr u8 kMultiFunction = 0x80;
}

// Capability IDs (PCI Code and ID Assignment Specification).
namespace cap_id {
inline constexpr u8 kPowerManagement = 0x01;
inline constexpr u8 kMsi = 0x05;
inline constexpr u8 kPciExpress = 0x10;
inline constexpr u8 kMsix = 0x11;
} // namespace cap_id

// Power Management capability (8 bytes).
namespace pm {
inline constexpr u16 kCapabilities = 0x02;  // PMC, read-only
inline constexpr u16 kControlStatus = 0x04; // PMCSR
inline constexpr u16 kSize = 8;
inline constexpr u16 kVersion12 = 3;        // PMC bits 2:0: PCI PM 1.2
inline constexpr u16 kPowerStateMask = 0x3; // PMCSR bits 1:0: D0..D3hot
inline constexpr u16 kNoSoftReset = 1 << 3; // PMCSR: D3hot -> D0 keeps the function's state
inline constexpr u16 kPmeStatus = 1 << 15;  // PMCSR, RW1C
} // namespace pm

// MSI capability: the layout depends on 64-bit addressing and per-vector masking.
namespace msi {
inline constexpr u16 kControl = 0x02;
inline constexpr u16 kAddressLow = 0x04;
inline constexpr u16 kAddressHigh = 0x08; // 64-bit layouts only
inline constexpr u16 kEnable = 1 << 0;
inline constexpr unsigned kMultipleMessageCapableShift = 1; // bits 3:1, log2 of vectors requested
inline constexpr unsigned kMultipleMessageEnableShift = 4;  // bits 6:4, log2 of vectors allocated
inline constexpr u16 kAddress64 = 1 << 7;
inline constexpr u16 kPerVectorMasking = 1 << 8;
inline constexpr unsigned kMaxVectorsLog2 = 5; // 32 vectors
// Data, mask and pending offsets, by layout.
inline constexpr u16 data_offset(bool address64) {
    return address64 ? 0x0C : 0x08;
}
inline constexpr u16 mask_offset(bool address64) {
    return address64 ? 0x10 : 0x0C;
}
inline constexpr u16 pending_offset(bool address64) {
    return address64 ? 0x14 : 0x10;
}
inline constexpr u16 size(bool address64, bool masking) {
    return masking ? (address64 ? 0x18 : 0x14) : (address64 ? 0x0E : 0x0A);
}
} // namespace msi

// MSI-X capability (12 bytes) and its table and PBA in memory space.
namespace msix {
inline constexpr u16 kControl = 0x02;
inline constexpr u16 kTable = 0x04; // bits 2:0 BIR, 31:3 offset
inline constexpr u16 kPba = 0x08;
inline constexpr u16 kSize = 12;
inline constexpr u16 kTableSizeMask = 0x7FF; // N - 1
inline constexpr u16 kFunctionMask = 1 << 14;
inline constexpr u16 kEnable = 1 << 15;
inline constexpr unsigned kMaxVectors = 2048;
inline constexpr u32 kBirMask = 0x7;
inline constexpr unsigned kEntrySize = 16;
// Entry fields.
inline constexpr unsigned kEntryAddressLow = 0x0;
inline constexpr unsigned kEntryAddressHigh = 0x4;
inline constexpr unsigned kEntryData = 0x8;
inline constexpr unsigned kEntryVectorControl = 0xC;
inline constexpr u32 kVectorMasked = 1 << 0;
} // namespace msix

// PCI Express capability, version 2, endpoint (0x3C bytes).
namespace pcie {
inline constexpr u16 kCapabilities = 0x02;
inline constexpr u16 kDeviceCapabilities = 0x04;
inline constexpr u16 kDeviceControl = 0x08;
inline constexpr u16 kDeviceStatus = 0x0A;
inline constexpr u16 kLinkCapabilities = 0x0C;
inline constexpr u16 kLinkControl = 0x10;
inline constexpr u16 kLinkStatus = 0x12;
inline constexpr u16 kDeviceCapabilities2 = 0x24;
inline constexpr u16 kDeviceControl2 = 0x28;
inline constexpr u16 kLinkControl2 = 0x30;
inline constexpr u16 kSize = 0x3C;
inline constexpr u16 kVersion2 = 2;
inline constexpr u16 kTypeEndpoint = 0 << 4; // bits 7:4
} // namespace pcie

} // namespace smpsim::pci
