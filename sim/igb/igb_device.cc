#include "sim/igb/igb_device.h"

#include "sim/core/log.h"
#include "sim/core/tlm_payload.h"
#include "sim/pci_msi/pci_regs.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <limits>

namespace smpsim::igb {

namespace {
constexpr u32 kRegIoAddr = 0, kRegIoData = 4; // I/O BAR: indirect access to the BAR0 registers
} // namespace

IgbDevice::IgbDevice(sc_core::sc_module_name name, const IgbConfig& config)
    : sc_module(name), dma_socket("dma_socket"),
      function_(kVendorId, kDeviceId, 0x020000 /* Ethernet controller */, 0x01), core_(config, *this) {
    function_.set_subsystem(0x8086, 0xa03c);
    function_.set_interrupt_pin(1);
    pci::BarHandler registers{
        [this](u64 offset, unsigned size) { return register_read(offset, size); },
        [this](u64 offset, unsigned size, u64 value) { register_write(offset, size, value); }};
    function_.add_bar(0, {pci::BarKind::Mem32, kBar0Size, false}, registers);
    pci::BarHandler io{[this](u64 offset, unsigned size) -> u64 {
                           if (offset == kRegIoAddr) return io_address_;
                           if (offset == kRegIoData) return register_read(io_address_ & 0x1fffc, 4);
                           return ~u64(0);
                       },
                       [this](u64 offset, unsigned size, u64 value) {
                           if (offset == kRegIoAddr) io_address_ = u32(value);
                           if (offset == kRegIoData) register_write(io_address_ & 0x1fffc, 4, value);
                       }};
    function_.add_bar(2, {pci::BarKind::Io, kIoBarSize, false}, io);
    // BAR3 holds only the MSI-X table (at 0) and PBA (at 0x2000); the function serves both itself.
    pci::BarHandler msix_rest{[](u64, unsigned) -> u64 { return 0; }, [](u64, unsigned, u64) {}};
    function_.add_bar(3, {pci::BarKind::Mem32, kMsixBarSize, false}, msix_rest);
    function_.add_pm_capability();
    function_.add_msi_capability(0, true, true);
    function_.add_msix_capability(kMsixVectors, 3, 0x0000, 3, 0x2000);
    function_.add_pcie_capability();
    // An MSI or MSI-X message is a bus-master write like any other: one aimed at no memory is a fault too.
    function_.set_message_writer([this](u64 address, u32 data) {
        if (!dma(tlm::TLM_WRITE_COMMAND, address, &data, 4)) record_fault(address, 4, true, "interrupt message");
    });
    function_.set_config_changed([this] { config_changed(); });
    config_changed();

    SC_HAS_PROCESS(IgbDevice);
    SC_THREAD(timer_thread);
}

u64 IgbDevice::now_ns() const {
    return u64(sc_core::sc_time_stamp().to_seconds() * 1e9 + 0.5);
}

void IgbDevice::config_changed() {
    core_.set_bus_master(function_.bus_master());
    core_.set_interrupt_mode(function_.msix_enabled()  ? InterruptMode::Msix
                             : function_.msi_enabled() ? InterruptMode::Msi
                                                       : InterruptMode::Legacy);
}

u64 IgbDevice::register_read(u64 offset, unsigned size) {
    core_.advance(now_ns());
    if (size == 8) return core_.read(u32(offset)) | (u64(core_.read(u32(offset + 4))) << 32);
    const u32 word = core_.read(u32(offset & ~u64(3)));
    return size == 4 ? word : (word >> (8 * (offset & 3))) & ((u64(1) << (8 * size)) - 1);
}

void IgbDevice::register_write(u64 offset, unsigned size, u64 value) {
    core_.advance(now_ns());
    if (size == 8) {
        core_.write(u32(offset), u32(value));
        core_.write(u32(offset + 4), u32(value >> 32));
    } else if (size == 4) {
        core_.write(u32(offset), u32(value));
    } else {
        // Narrow writes are not used by drivers (the datasheet requires dword access); place the bytes.
        core_.write(u32(offset & ~u64(3)), u32(value << (8 * (offset & 3))));
    }
    kick_.notify(sc_core::SC_ZERO_TIME);
    if (wire_) wire_->receive_possible(); // the guest may have moved an RX tail
}

bool IgbDevice::dma(tlm::tlm_command command, u64 addr, void* data, u32 size) {
    // Reused: one access is in flight at a time (the targets never call back into this device).
    tlm::tlm_generic_payload& trans = payload_;
    prepare_payload(trans, command, addr, data, size);
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    dma_socket->b_transport(trans, delay);
    if (trans.is_response_ok()) return true;
    // An unsupported request (the router already returned all ones or dropped the write). A requester
    // that gets a UR completion to a read sets Received Master Abort (PCIe base spec, Status register);
    // a posted write gets no completion, so only the root complex knows (our summary counts it).
    if (command == tlm::TLM_READ_COMMAND) function_.raise_status(pci::status::kReceivedMasterAbort);
    last_failed_ = {size, command == tlm::TLM_WRITE_COMMAND};
    return false;
}

bool IgbDevice::dma_read(u64 addr, void* dst, u32 size) {
    return dma(tlm::TLM_READ_COMMAND, addr, dst, size);
}

bool IgbDevice::dma_write(u64 addr, const void* src, u32 size) {
    return dma(tlm::TLM_WRITE_COMMAND, addr, const_cast<void*>(src), size);
}

void IgbDevice::transmit(std::span<const u8> frame) {
    if (wire_) wire_->transmit(frame);
}

void IgbDevice::dma_fault(u64 addr, std::string_view what) {
    record_fault(addr, last_failed_.size, last_failed_.write, what);
}

void IgbDevice::record_fault(u64 addr, u32 size, bool write, std::string_view what) {
    faults_.record({addr, size, write, std::string(what)});
    stats_.dma_faults = faults_.count();
    stats_.first_dma_faults = faults_.first();
    const std::string report = fmt::format("igb: {} at physical address {:#x} reached no memory", what, addr);
    log::logger().report(log::Category::Dma, "device DMA to no memory",
                         "{} (completed as an unsupported request: {})", report,
                         write ? "write dropped" : "read all ones");
    if (on_fault_) on_fault_(report);
}

void IgbDevice::timer_thread() {
    for (;;) {
        const u64 deadline = core_.next_deadline_ns();
        const u64 now = now_ns();
        if (deadline == std::numeric_limits<u64>::max())
            wait(kick_);
        else if (deadline > now)
            wait(sc_core::sc_time(double(deadline - now), sc_core::SC_NS), kick_);
        core_.advance(now_ns());
    }
}

EthRxResult IgbDevice::receive(std::span<const u8> frame) {
    const RxOutcome outcome = core_.receive(frame, now_ns());
    kick_.notify(sc_core::SC_ZERO_TIME);
    EthRxResult result{.queue = outcome.queue, .descriptor = outcome.descriptor};
    switch (outcome.drop) {
    case RxDrop::None: result.status = EthRxStatus::Delivered; break;
    case RxDrop::RxDisabled: result.status = EthRxStatus::RxDisabled; break;
    case RxDrop::RingFull: result.status = EthRxStatus::RingFull; break;
    case RxDrop::Oversize: result.status = EthRxStatus::Oversize; break;
    case RxDrop::Undersize: result.status = EthRxStatus::Undersize; break;
    case RxDrop::NoBusMaster: result.status = EthRxStatus::NoBusMaster; break;
    case RxDrop::Filtered: result.status = EthRxStatus::Filtered; break;
    }
    return result;
}

bool IgbDevice::can_receive(std::span<const u8> frame) const {
    // A disabled NIC or queue (a DMA fault stops the queue) takes the frame at once, to drop it: a frame
    // held for a queue that will never have room would keep the replay from ending.
    const unsigned queue = core_.rx_queue_for(frame);
    return !core_.rx_enabled() || !core_.rx_queue_enabled(queue) || core_.rx_queue_has_room(queue);
}

void IgbDevice::set_link(bool up) {
    core_.advance(now_ns());
    core_.set_link(up);
    // At elaboration (the cable plugged in before the run) there is nothing to wake yet.
    if (sc_core::sc_is_running()) kick_.notify(sc_core::SC_ZERO_TIME);
}

} // namespace smpsim::igb
