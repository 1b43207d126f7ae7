// Device fuzzing, in the spirit of QEMU's generic-fuzz: seeded random sequences of port I/O, MMIO and PCI
// configuration accesses over every device of the PC (8259A pair, PIT, UART, PCI host bridge and config
// space, local APICs, I/O APIC, the 82576's BARs), with the NIC's rings pointed at random memory so that
// it DMAs, frames arriving from the wire, and interrupts arriving at random, between steps of simulated
// time. Nothing may crash, assert, hang or leak; the sanitizer tree runs it under ASan/UBSan.
//
// Why not a platform::Machine: a Machine needs CPUs running a guest, and the CPUs would act on what the
// fuzzer does (an NMI, INIT or SIPI it sends ends in a triple fault or runs random memory as code), which
// ends the one SystemC simulation a process may run, and with it every later sequence. So this harness
// takes the CPUs' place instead: it wires the same device modules to the same routers at the same
// addresses as Machine does (sim/platform/machine.cc), binds its initiator sockets where the CPUs' would
// be (the address and port routers, each local APIC's private window), and plays the CPUs' side of the
// interrupt wires (INTR, NMI, INIT, SIPI, the INTA cycle).
//
//   device_fuzz [--seed FIRST] [--sequences N] [--ops N] [--timing] [--verbose]
//
// Sequences run one after another in one simulation (each from its own seed, FIRST, FIRST + 1, ...): the
// devices keep their state between sequences, which reaches deeper states; `--seed S --sequences 1`
// reruns one sequence from power-on. Exit status 0 when every sequence ran, 1 when a device threw.
#include "sim/apic/apic_bus_router.h"
#include "sim/apic/apic_devices.h"
#include "sim/apic/msi.h"
#include "sim/cache_mesi/memory_system.h"
#include "sim/core/log.h"
#include "sim/core/tlm_payload.h"
#include "sim/igb/igb_core.h"
#include "sim/igb/igb_device.h"
#include "sim/igb/igb_regs.h"
#include "sim/pci_msi/pci_host_device.h"
#include "sim/pic8259/pic_device.h"
#include "sim/platform/dma_router.h"
#include "sim/platform/isa_line.h"
#include "sim/platform/mp_table.h"
#include "sim/platform/pit_device.h"
#include "sim/platform/port_devices.h"
#include "sim/platform/ram.h"
#include "sim/platform/router.h"

#include <fmt/format.h>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include <array>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace smpsim::fuzz {
namespace {

// The PC's layout, as Machine builds it.
constexpr u64 kRamBytes = 8 << 20;
constexpr u64 kIoApicBase = 0xfec00000, kLocalApicBase = 0xfee00000;
constexpr u64 kPciMmioBase = 0xe0000000, kPciMmioSize = kIoApicBase - kPciMmioBase;
constexpr u64 kPciIoBase = 0xc000, kPciIoSize = 0x4000;
constexpr unsigned kNicSlot = 3;
constexpr u64 kNicBar0 = 0xfebc0000, kNicIoBar = 0xc000, kNicMsixBar = 0xfebf0000;
constexpr unsigned kNicIoApicPin = 16;
constexpr unsigned kCpus = 2;

struct Options {
    u64 first_seed = 1;
    u64 sequences = 100;
    u32 ops = 200;
    bool timing = false;
    bool verbose = false;
};

// What a CPU is to its local APIC: the harness records the wires and acknowledges at random.
struct FuzzCpu final : InterruptSink {
    bool intr = false;
    u64 nmis = 0, inits = 0, sipis = 0;
    void set_intr(bool level) override { intr = level; }
    void raise_nmi() override { ++nmis; }
    void raise_init() override { ++inits; }
    void raise_sipi(u8) override { ++sipis; }
};

class Harness : public sc_core::sc_module {
  public:
    tlm_utils::simple_initiator_socket<Harness> mem_socket{"mem_socket"};
    tlm_utils::simple_initiator_socket<Harness> io_socket{"io_socket"};
    std::vector<std::unique_ptr<tlm_utils::simple_initiator_socket<Harness>>> apic_sockets;

    Harness(sc_core::sc_module_name name, const Options& options) : sc_module(name), options_(options) {
        ram_ = std::make_unique<platform::Ram>("ram", kRamBytes);
        mem_router_ = std::make_unique<platform::Router>("mem_router");
        io_router_ = std::make_unique<platform::Router>("io_router");
        mem_router_->map(0, kRamBytes, "ram").bind(ram_->socket);

        pic_ = std::make_unique<pic8259::PicDevice>("pic");
        io_router_->map(0x20, 2, "pic_master").bind(pic_->master_socket);
        io_router_->map(0xa0, 2, "pic_slave").bind(pic_->slave_socket);
        io_router_->map(0x4d0, 2, "pic_elcr").bind(pic_->elcr_socket);
        ioapic_ = std::make_unique<apic::IoApicDevice>("ioapic", u8(kCpus));
        mem_router_->map(kIoApicBase, 0x1000, "ioapic").bind(ioapic_->socket);
        apic_bus_.add_io_apic(ioapic_->core());
        for (unsigned irq = 0; irq < 16; ++irq) {
            if (irq != 2) isa_[irq].pic = &pic_->pair().irq(irq);
            isa_[irq].ioapic = &ioapic_->pin(platform::isa_irq_to_ioapic_pin(irq));
        }
        pit_ = std::make_unique<platform::PitDevice>("pit");
        io_router_->map(0x40, 4, "pit").bind(pit_->socket);
        pit_->connect_irq0(&isa_[0]);
        uart_ = std::make_unique<platform::UartDevice>("uart0", [this](u8) { ++uart_bytes_; });
        io_router_->map(0x3f8, 8, "uart0").bind(uart_->socket);
        uart_->core().set_irq_callback([this](bool level) { isa_[4].set_level(level); });

        if (options_.timing) {
            cache_mesi::CacheConfig cache;
            cache.cpus = kCpus;
            caches_ = std::make_unique<cache_mesi::MemorySystem>(cache, ram_->bytes());
        }
        for (unsigned i = 0; i < kCpus; ++i) {
            auto lapic = std::make_unique<apic::LocalApicDevice>(fmt::format("lapic{}", i).c_str(), u8(i));
            auto socket = std::make_unique<tlm_utils::simple_initiator_socket<Harness>>(
                fmt::format("apic_socket{}", i).c_str());
            socket->bind(lapic->socket);
            lapic->core().set_sink(&cpus_[i]);
            lapic->core().set_extint(&pic_->pair());
            apic_bus_.add_local_apic(lapic->core());
            if (i == 0) {
                lapic->core().set_virtual_wire_mode();
                pic_->pair().connect_intr(&lapic->core().lint0());
            }
            lapics_.push_back(std::move(lapic));
            apic_sockets.push_back(std::move(socket));
        }

        pci_ = std::make_unique<pci::PciHostDevice>("pci", kPciMmioBase, kPciIoBase);
        io_router_->map(0xcf8, 8, "pci_config").bind(pci_->config_socket);
        mem_router_->map(kPciMmioBase, kPciMmioSize, "pci_mmio").bind(pci_->mmio_socket);
        io_router_->map(kPciIoBase, kPciIoSize, "pci_io").bind(pci_->io_socket);
        const sc_core::sc_time cycle(0.5, sc_core::SC_NS);
        dma_router_ = std::make_unique<platform::DmaRouter>("dma_router", ram_->bytes(), caches_.get(),
                                                            apic_bus_, cycle);
        nic_ = std::make_unique<igb::IgbDevice>("igb0", igb::IgbConfig{});
        nic_->dma_socket.bind(dma_router_->socket);
        pci::PciFunction& fn = nic_->function();
        fn.firmware_assign_bar(0, kNicBar0);
        fn.firmware_assign_bar(2, kNicIoBar);
        fn.firmware_assign_bar(3, kNicMsixBar);
        fn.firmware_set_command(0x3);
        fn.firmware_set_interrupt_line(0xff);
        nic_intx_pin_ = &ioapic_->pin(kNicIoApicPin);
        nic_intx_pin_->set_level(true);
        fn.set_intx_line([this](bool asserted) { nic_intx_pin_->set_level(!asserted); });
        pci_->bridge().attach(kNicSlot, 0, fn);

        mem_socket.bind(mem_router_->target);
        io_socket.bind(io_router_->target);
        for (const igb::RegisterSpec& spec : igb::IgbCore::register_table())
            for (unsigned i = 0; i < spec.count; ++i)
                igb_offsets_.push_back(spec.offset + i * spec.stride);

        SC_HAS_PROCESS(Harness);
        SC_THREAD(run);
    }

    bool failed() const { return failed_; }
    void print_report(std::ostream& out) const {
        out << fmt::format("device_fuzz: {} sequences of {} operations (seeds {}..{}), {} mode\n",
                           sequences_run_, options_.ops, options_.first_seed,
                           options_.first_seed + options_.sequences - 1,
                           options_.timing ? "timing" : "functional");
        for (const auto& [target, n] : accesses_)
            out << fmt::format("device_fuzz:   {:<12} {} accesses\n", target, n);
        out << fmt::format(
            "device_fuzz: {} frames offered ({} delivered), {} interrupt events injected, {} INTA "
            "cycles, {} NMIs, {} INITs, {} SIPIs seen by the CPUs\n",
            frames_, nic_->core().rx_packets(0) + rx_other(), interrupts_, intas_, nmis(), inits(), sipis());
        out << fmt::format(
            "device_fuzz: {} DMA faults (RX/TX rings at random memory), {} unmapped MMIO accesses, "
            "{} bytes DMAed into RAM, {} UART bytes\n",
            nic_->stats().dma_faults, mem_router_->unmapped_accesses(), dma_router_->bytes_written(),
            uart_bytes_);
        out << fmt::format(
            "device_fuzz: frames by outcome: delivered {}, rx_disabled {}, ring_full {}, oversize {}, "
            "undersize {}, no_bus_master {}, filtered {}\n",
            rx_outcomes_[0], rx_outcomes_[1], rx_outcomes_[2], rx_outcomes_[3], rx_outcomes_[4],
            rx_outcomes_[5], rx_outcomes_[6]);
        out << fmt::format("device_fuzz: simulated {:.3f} ms\n", sc_core::sc_time_stamp().to_seconds() * 1e3);
    }

  private:
    u64 rx_other() const {
        u64 n = 0;
        for (unsigned q = 1; q < igb::reg::kQueues; ++q)
            n += nic_->core().rx_packets(q);
        return n;
    }
    u64 nmis() const { return cpus_[0].nmis + cpus_[1].nmis; }
    u64 inits() const { return cpus_[0].inits + cpus_[1].inits; }
    u64 sipis() const { return cpus_[0].sipis + cpus_[1].sipis; }

    u64 pick(u64 n) { return n ? std::uniform_int_distribution<u64>(0, n - 1)(rng_) : 0; }
    bool chance(unsigned percent) { return pick(100) < percent; }
    u64 random_value(unsigned size) {
        // Mostly small or all-ones-ish values and single bits: what registers react to.
        u64 v = 0;
        switch (pick(5)) {
        case 0: v = pick(16); break;
        case 1: v = u64(1) << pick(64); break;
        case 2: v = ~u64(0) >> pick(64); break;
        default: v = rng_(); break;
        }
        return size >= 8 ? v : v & ((u64(1) << (8 * size)) - 1);
    }
    unsigned random_size() {
        static constexpr unsigned kSizes[] = {1, 2, 4, 4, 4, 8};
        return kSizes[pick(std::size(kSizes))];
    }
    // Mostly in RAM (where rings and buffers can live), sometimes beyond it or anywhere.
    u64 random_dma_address() {
        switch (pick(10)) {
        case 0: return rng_();                                     // anywhere in 64 bits
        case 1: return kRamBytes - pick(64);                       // straddling the end of RAM
        case 2: return kLocalApicBase + pick(0x1000);              // the MSI window
        case 3: return kNicBar0 + pick(igb::IgbDevice::kBar0Size); // the NIC's own BAR (no peer-to-peer)
        default: return pick(kRamBytes) & ~u64(pick(2) ? 0xf : 0);
        }
    }

    void access(tlm_utils::simple_initiator_socket<Harness>& socket, const char* target, bool write, u64 addr,
                unsigned size, u64 value = 0) {
        u64 data = value;
        tlm::tlm_generic_payload& trans = payload_;
        prepare_payload(trans, write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND, addr, &data, size);
        sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
        socket->b_transport(trans, delay);
        ++accesses_[target];
        if (delay > sc_core::SC_ZERO_TIME) wait(delay);
    }

    void port_access() {
        static constexpr u16 kPorts[] = {0x20,  0x21,  0xa0,  0xa1,  0x4d0, 0x4d1,  0x40,   0x41,  0x42,
                                         0x43,  0x3f8, 0x3f9, 0x3fa, 0x3fb, 0x3fc,  0x3fd,  0x3fe, 0x3ff,
                                         0xcf8, 0xcfc, 0xcfd, 0xcfe, 0xcff, 0xc000, 0xc004, 0xc008};
        const u16 port = chance(90) ? kPorts[pick(std::size(kPorts))] : u16(pick(0x10000));
        const unsigned size = std::min(random_size(), 4u);
        const char* target = port < 0x22 || (port >= 0xa0 && port < 0xa2) || port == 0x4d0 || port == 0x4d1
                                 ? "pic"
                             : port >= 0x40 && port < 0x44     ? "pit"
                             : port >= 0x3f8 && port < 0x400   ? "uart"
                             : port >= 0xcf8 && port < 0xd00   ? "pci_config"
                             : port >= 0xc000 && port < 0xc020 ? "igb_io"
                                                               : "other_ports";
        access(io_socket, target, chance(60), port, size, random_value(size));
    }

    void config_access() {
        // CONFIG_ADDRESS: mostly the NIC (00:03.0) or the host bridge (00:00.0), sometimes anything.
        const u32 device = chance(70) ? kNicSlot : chance(50) ? 0 : u32(pick(32));
        const u32 reg = u32(pick(256)) & ~3u;
        const u32 address = (chance(95) ? 0x80000000u : 0) | u32(chance(95) ? 0 : pick(256)) << 16 |
                            device << 11 | u32(chance(90) ? 0 : pick(8)) << 8 | reg;
        access(io_socket, "pci_config", true, 0xcf8, 4, address);
        const unsigned size = std::min(random_size(), 4u);
        const u16 port = u16(0xcfc + (size == 4 ? 0 : size == 2 ? pick(2) * 2 : pick(4)));
        u64 value = random_value(size);
        if (reg == 0x04 && chance(50)) value |= 0x6; // keep memory decoding and bus mastering on, mostly
        access(io_socket, "pci_config", chance(50), port, size, value);
    }

    void mmio_access() {
        const unsigned size = random_size();
        u64 value = random_value(size);
        switch (pick(8)) {
        case 0:
        case 1:
        case 2: { // the NIC's registers, by the register table
            const u64 offset = chance(95) ? igb_offsets_[pick(igb_offsets_.size())] + (size < 4 ? pick(4) : 0)
                                          : pick(igb::IgbDevice::kBar0Size);
            return access(mem_socket, "igb_bar0", chance(65), kNicBar0 + offset, size, value);
        }
        case 3: // the MSI-X table and PBA
            return access(mem_socket, "igb_msix", chance(60),
                          kNicMsixBar + pick(igb::IgbDevice::kMsixBarSize), size, value);
        case 4: { // the I/O APIC: IOREGSEL, then IOWIN
            if (chance(70)) {
                access(mem_socket, "ioapic", true, kIoApicBase, 4, pick(0x40));
                return access(mem_socket, "ioapic", chance(60), kIoApicBase + 0x10, 4, value);
            }
            return access(mem_socket, "ioapic", chance(50), kIoApicBase + pick(0x1000), size, value);
        }
        case 5: { // a local APIC's private window
            const unsigned cpu = unsigned(pick(kCpus));
            const u64 offset = chance(85) ? pick(0x40) * 0x10 : pick(0x1000);
            return access(*apic_sockets[cpu], "local_apic", chance(60), offset, size, value);
        }
        case 6: // anywhere in the PCI window (BARs moved by config writes land anywhere)
            return access(mem_socket, "pci_window", chance(50), kPciMmioBase + pick(kPciMmioSize), size,
                          value);
        default: // nothing there, or RAM
            return access(mem_socket, chance(50) ? "unmapped" : "ram", chance(50),
                          chance(50) ? kRamBytes + pick(kPciMmioBase - kRamBytes) : pick(kRamBytes - 8), size,
                          value);
        }
    }

    void nic_write(u32 offset, u32 value) {
        access(mem_socket, "igb_bar0", true, kNicBar0 + offset, 4, value);
    }

    // Points an RX or TX ring at random memory and lets the device go, so that it DMAs.
    void ring_setup() {
        ring_setup(unsigned(pick(chance(70) ? 2 : igb::reg::kQueues)), chance(50), chance(50));
    }
    // `good`: a ring a driver would set up, in RAM with its buffers in RAM.
    void ring_setup(unsigned queue, bool rx, bool good) {
        using namespace igb::reg;
        const u64 base = (good ? pick(kRamBytes - 0x10000) : random_dma_address()) & ~u64(0x7f);
        const u32 length = u32(good || chance(80) ? (1 + pick(64)) * 128 : random_value(4));
        auto reg = [&](u32 field) { return rx ? rxq(queue, field) : txq(queue, field); };
        nic_write(reg(kQDescCtl), 0);
        nic_write(reg(kQBaseLow), u32(base));
        nic_write(reg(kQBaseHigh), u32(base >> 32));
        nic_write(reg(kQLength), length);
        nic_write(reg(kQHead), good ? 0 : u32(pick(chance(80) ? 8 : 0x10000)));
        if (rx) // SRRCTL: a 1-16 KiB buffer, advanced one-buffer descriptors, sometimes DROP_EN
            nic_write(reg(kQSrrctl), u32(1 + pick(16)) | 1u << 25 | (chance(30) ? 1u << 31 : 0));
        if (!rx && chance(30)) { // head write-back somewhere
            const u64 wb = random_dma_address();
            nic_write(reg(kQTxHeadWbLow), u32(wb) | 1);
            nic_write(reg(kQTxHeadWbHigh), u32(wb >> 32));
        }
        nic_write(reg(kQDescCtl), 1u << 25); // RXDCTL/TXDCTL.ENABLE
        if (good) {
            for (u32 i = 0; i < length / 16; ++i) {
                const u64 buffer = pick(kRamBytes - 0x4000);
                access(mem_socket, "ram", true, base + 16 * i, 8, buffer);
                // RX: header buffer 0; TX: an advanced data descriptor of up to 1.5 KiB, EOP and RS.
                access(mem_socket, "ram", true, base + 16 * i + 8, 8,
                       rx ? 0 : (1 + pick(1514)) | u64(0x3) << 20 | u64(0x2b) << 24);
            }
        }
        // Some "descriptors" in RAM where the ring points, with buffer addresses here and there.
        for (unsigned i = 0; i < 4 && !good && base < kRamBytes - 64; ++i) {
            const u64 at = base + 16 * pick(8);
            if (at + 16 > kRamBytes) break;
            access(mem_socket, "ram", true, at, 8, random_dma_address());
            access(mem_socket, "ram", true, at + 8, 8, random_value(8));
        }
        if (rx) {
            nic_write(RCTL, 1u << 1 | 1u << 3 | 1u << 4 | 1u << 15 | (chance(50) ? 1u << 26 : 0));
        } else {
            nic_write(TCTL, 1u << 1 | 1u << 3);
        }
        nic_write(reg(kQTail),
                  good ? u32(pick(length / 16)) : u32(pick(chance(80) ? 8 : 0x10000))); // TX starts
    }

    void frame_arrives() {
        std::vector<u8> frame(size_t(chance(90) ? 14 + pick(1520) : pick(9100)));
        for (u8& b : frame)
            b = u8(rng_());
        if (frame.size() >= 34 && chance(80)) {
            if (chance(30)) std::fill(frame.begin(), frame.begin() + 6, 0xff);
            size_t l3 = 12;
            if (chance(20)) {
                frame[12] = 0x81, frame[13] = 0x00;
                l3 = 16;
            }
            frame[l3] = chance(80) ? 0x08 : 0x86;
            frame[l3 + 1] = chance(80) ? 0x00 : 0xdd;
            if (frame.size() > l3 + 22) {
                frame[l3 + 2] = u8(0x40 | (5 + pick(11)));
                frame[l3 + 11] = chance(50) ? 6 : 17;
                if (chance(70)) frame[l3 + 8] = frame[l3 + 9] = 0; // not a fragment
            }
        }
        ++frames_;
        nic_->core().advance(now_ns());
        ++rx_outcomes_[size_t(nic_->core().receive(frame, now_ns()).drop)];
    }

    void interrupt_arrives() {
        ++interrupts_;
        switch (pick(7)) {
        case 0: isa_[pick(16)].set_level(chance(50)); break;
        case 1: ioapic_->pin(unsigned(pick(24))).set_level(chance(50)); break;
        case 2: // an MSI from another bus master: what the DMA router makes of a dword write to 0xFEExxxxx
            apic_bus_.send(apic::msi_message(kLocalApicBase | pick(0x100000), u32(random_value(4))));
            break;
        case 3:
        case 4: {
            ApicMessage m;
            m.vector = u8(rng_());
            m.mode = DeliveryMode(pick(8));
            m.logical = chance(30);
            m.destination = chance(50) ? u32(pick(kCpus)) : u32(pick(256));
            m.level_triggered = chance(30);
            m.assert = chance(90);
            m.shorthand = DestShorthand(pick(4));
            m.source_apic_id = u32(pick(kCpus));
            apic_bus_.send(m);
            break;
        }
        default: { // a CPU takes an interrupt (the INTA cycle), as a CPU with IF = 1 would
            const unsigned cpu = unsigned(pick(kCpus));
            InterruptSource& source = lapics_[cpu]->interrupt_source();
            if (cpus_[cpu].intr && source.has_pending()) {
                source.acknowledge();
                ++intas_;
                if (chance(80)) access(*apic_sockets[cpu], "local_apic", true, 0xB0, 4, 0); // EOI
                if (chance(30)) access(io_socket, "pic", true, 0x20, 1, 0x20);              // 8259A EOI
            }
            break;
        }
        }
    }

    u64 now_ns() const { return u64(sc_core::sc_time_stamp().to_seconds() * 1e9 + 0.5); }

    // What a kernel would have set up, so that interrupts flow: APICs enabled, the I/O APIC's entries
    // unmasked, the 8259A initialised, the NIC's memory space, bus mastering, MSI-X and causes enabled.
    void driver_setup() {
        for (unsigned cpu = 0; cpu < kCpus; ++cpu) {
            access(*apic_sockets[cpu], "local_apic", true, 0xF0, 4, 0x1FF); // SVR: enabled
            access(*apic_sockets[cpu], "local_apic", true, 0x320, 4, 0x20 + pick(2) * 0x20000); // LVT timer
            access(*apic_sockets[cpu], "local_apic", true, 0x380, 4, 1000 + pick(100000)); // initial count
        }
        for (unsigned pin = 0; pin < 24; ++pin) {
            access(mem_socket, "ioapic", true, kIoApicBase, 4, 0x10 + 2 * pin);
            access(mem_socket, "ioapic", true, kIoApicBase + 0x10, 4,
                   (0x30 + pin) | (pin >= 16 ? 0xA000u : 0) | (chance(20) ? 0x10000u : 0));
            access(mem_socket, "ioapic", true, kIoApicBase, 4, 0x11 + 2 * pin);
            access(mem_socket, "ioapic", true, kIoApicBase + 0x10, 4, u32(pick(kCpus)) << 24);
        }
        for (auto [port, value] : {std::pair<u16, u8>{0x20, 0x11},
                                   {0x21, 0x20},
                                   {0x21, 0x04},
                                   {0x21, 0x01},
                                   {0xa0, 0x11},
                                   {0xa1, 0x28},
                                   {0xa1, 0x02},
                                   {0xa1, 0x01},
                                   {0x21, 0x00},
                                   {0xa1, 0x00},
                                   {0x43, 0x34},
                                   {0x40, 0x00},
                                   {0x40, 0x10},
                                   {0x3f9, 0x0f}})
            access(io_socket,
                   port < 0x40 || (port >= 0xa0 && port < 0xa2) ? "pic"
                   : port < 0x44                                ? "pit"
                                                                : "uart",
                   true, port, 1, value);
        access(io_socket, "pci_config", true, 0xcf8, 4, 0x80000000u | kNicSlot << 11 | 0x04);
        access(io_socket, "pci_config", true, 0xcfc, 2, 0x7);
        const u8 msix = nic_->function().msix_capability();
        if (chance(70)) {
            access(io_socket, "pci_config", true, 0xcf8, 4, 0x80000000u | kNicSlot << 11 | (msix & ~3u));
            access(io_socket, "pci_config", true, 0xcfe, 2, 0x8000 | (chance(10) ? 0x4000 : 0));
            for (unsigned v = 0; v < igb::IgbDevice::kMsixVectors; ++v) {
                const u64 entry = kNicMsixBar + 16 * v;
                access(mem_socket, "igb_msix", true, entry, 4, u32(kLocalApicBase | pick(kCpus) << 12));
                access(mem_socket, "igb_msix", true, entry + 4, 4, 0);
                access(mem_socket, "igb_msix", true, entry + 8, 4, 0x40 + v);
                access(mem_socket, "igb_msix", true, entry + 12, 4, chance(10) ? 1 : 0);
            }
            nic_write(igb::reg::GPIE, chance(80) ? 0x80000011u : u32(rng_()));
            for (unsigned i = 0; i < 4; ++i)
                nic_write(igb::reg::IVAR0 + 4 * i, u32(rng_()) | 0x80808080u);
        }
        nic_write(igb::reg::MRQC, chance(50) ? 0 : 0x00330002u); // one queue, or RSS over 2 (RETA below)
        for (unsigned i = 0; i < 32; ++i)
            nic_write(igb::reg::RETA0 + 4 * i, 0x01000100u);
        ring_setup(0, true, true);
        ring_setup(1, true, true);
        nic_write(igb::reg::IMS, ~0u);
        nic_write(igb::reg::EIMS, ~0u);
        nic_write(igb::reg::EIAC, u32(rng_()));
    }

    void run_sequence(u64 seed) {
        rng_.seed(seed);
        if (chance(60)) driver_setup();
        for (u32 op = 0; op < options_.ops; ++op) {
            switch (pick(16)) {
            case 0:
            case 1:
            case 2: port_access(); break;
            case 3:
            case 4: config_access(); break;
            case 5:
            case 6:
            case 7:
            case 8: mmio_access(); break;
            case 9: ring_setup(); break;
            case 10:
            case 11: frame_arrives(); break;
            case 12:
            case 13: interrupt_arrives(); break;
            case 14: // a driver's NAPI poll returns descriptors: RDT one behind RDH
                if (chance(50)) {
                    const unsigned queue = unsigned(pick(2));
                    const u32 size = nic_->core().peek(igb::reg::rxq(queue, igb::reg::kQLength)) / 16;
                    const u32 head = nic_->core().peek(igb::reg::rxq(queue, igb::reg::kQHead));
                    if (size) nic_write(igb::reg::rxq(queue, igb::reg::kQTail), (head + size - 1) % size);
                    break;
                }
                [[fallthrough]];
            default: // time passes: timers, EITR and the PIT run
                wait(sc_core::sc_time(double(chance(90) ? pick(20'000) : pick(2'000'000)), sc_core::SC_NS));
                break;
            }
        }
    }

    void run() {
        try {
            for (u64 i = 0; i < options_.sequences; ++i) {
                const u64 seed = options_.first_seed + i;
                if (options_.verbose) std::cerr << fmt::format("device_fuzz: sequence {}\n", seed);
                run_sequence(seed);
                ++sequences_run_;
            }
        } catch (const std::exception& e) {
            std::cerr << fmt::format("device_fuzz: sequence {}: a device threw: {}\n",
                                     options_.first_seed + sequences_run_, e.what());
            failed_ = true;
        }
        sc_core::sc_stop();
    }

    Options options_;
    std::mt19937_64 rng_;
    tlm::tlm_generic_payload payload_;
    std::unique_ptr<platform::Ram> ram_;
    std::unique_ptr<platform::Router> mem_router_, io_router_;
    std::unique_ptr<pic8259::PicDevice> pic_;
    std::unique_ptr<apic::IoApicDevice> ioapic_;
    apic::ApicBusRouter apic_bus_;
    std::array<platform::IsaLine, 16> isa_{};
    std::unique_ptr<platform::PitDevice> pit_;
    std::unique_ptr<platform::UartDevice> uart_;
    std::unique_ptr<cache_mesi::MemorySystem> caches_;
    std::array<FuzzCpu, kCpus> cpus_{};
    std::vector<std::unique_ptr<apic::LocalApicDevice>> lapics_;
    std::unique_ptr<pci::PciHostDevice> pci_;
    std::unique_ptr<platform::DmaRouter> dma_router_;
    std::unique_ptr<igb::IgbDevice> nic_;
    InterruptLine* nic_intx_pin_ = nullptr;
    std::vector<u32> igb_offsets_;
    std::map<std::string, u64> accesses_;
    std::array<u64, 8> rx_outcomes_{};
    u64 sequences_run_ = 0, frames_ = 0, interrupts_ = 0, intas_ = 0, uart_bytes_ = 0;
    bool failed_ = false;
};

int usage(const char* message) {
    std::cerr << "device_fuzz: " << message
              << "\nusage: device_fuzz [--seed FIRST] [--sequences N] [--ops N] [--timing] [--verbose]\n";
    return 2;
}

} // namespace
} // namespace smpsim::fuzz

// LeakSanitizer's exit-time scan faults on the SystemC coroutine stacks' guard pages (as in every SystemC
// binary here); ASan's other checks and UBSan stay on.
extern "C" const char* __asan_default_options() {
    return "detect_leaks=0";
}

int sc_main(int argc, char* argv[]) {
    using namespace smpsim;
    using namespace smpsim::fuzz;
    Options options;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        auto number = [&](u64 min, u64 max) -> std::optional<u64> {
            if (i + 1 >= argc) return std::nullopt;
            char* end = nullptr;
            const unsigned long long v = std::strtoull(argv[++i], &end, 0);
            if (*end != '\0' || v < min || v > max) return std::nullopt;
            return v;
        };
        if (arg == "--seed") {
            const auto v = number(0, ~u64(0) / 2);
            if (!v) return usage("--seed needs a number");
            options.first_seed = *v;
        } else if (arg == "--sequences") {
            const auto v = number(1, 100'000'000);
            if (!v) return usage("--sequences needs a number from 1");
            options.sequences = *v;
        } else if (arg == "--ops") {
            const auto v = number(1, 1'000'000);
            if (!v) return usage("--ops needs a number from 1");
            options.ops = u32(*v);
        } else if (arg == "--timing") {
            options.timing = true;
        } else if (arg == "--verbose") {
            options.verbose = true;
        } else {
            return usage(("unknown argument " + arg).c_str());
        }
    }
    // Every log category counts; none prints (the fuzzer does what a log would complain about).
    smpsim::log::logger().configure(0, false);
    Harness harness("fuzz", options);
    sc_core::sc_start();
    harness.print_report(std::cout);
    return harness.failed() ? 1 : 0;
}
