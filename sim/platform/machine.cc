#include "sim/platform/machine.h"

#include "sim/core/error.h"
#include "sim/core/log.h"
#include "sim/cpu/cpu_state.h"
#include "sim/platform/mp_table.h"
#include "sim/platform/multiboot.h"
#include "sim/platform/pc_memory_map.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <fstream>
#include <iterator>
#include <ostream>

namespace smpsim::platform {

namespace {

// The largest kernel image smpsim reads (docs/EXITS.md): more than any RAM it could be loaded into.
constexpr u64 kMaxKernelBytes = u64{256} << 20;

std::vector<u8> read_file(const std::string& path) {
    check_input_file(path, "kernel", kMaxKernelBytes);
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InputError(fmt::format("{}: cannot open kernel file", path));
    std::vector<u8> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) throw InputError(fmt::format("{}: read error", path));
    return bytes;
}

constexpr u64 kUartBase = 0x3f8;
constexpr unsigned kUartIrq = 4;
constexpr u64 kExitPortBase = 0xf4;
constexpr u64 kKeyboardControllerPort = 0x64;
constexpr u64 kIoApicBase = 0xfec00000;
// PCI windows: memory BARs between the top of RAM (at most 3 GiB) and the I/O APIC, I/O BARs from 0xC000.
constexpr u64 kPciMmioBase = 0xe0000000, kPciMmioSize = kIoApicBase - kPciMmioBase;
constexpr u64 kPciIoBase = 0xc000, kPciIoSize = 0x4000;
// Where "firmware" (SeaBIOS on QEMU) would put the NIC: slot 3, BARs near the top of the window.
constexpr unsigned kNicSlot = 3;
constexpr u64 kNicBar0 = 0xfebc0000, kNicIoBar = 0xc000, kNicMsixBar = 0xfebf0000;
constexpr unsigned kNicIoApicPin = 16;

} // namespace

Machine::Machine(sc_core::sc_module_name name, const MachineConfig& config, std::ostream& console)
    : sc_module(name), config_(config), console_(console) {
    if (config_.cpus < 1 || config_.cpus > 16)
        throw InputError(fmt::format("--cpus must be 1..16, not {}", config_.cpus));
    if (config_.mem_mib < 2 || config_.mem_mib > 3072)
        throw InputError(fmt::format("--mem must be 2..3072 MiB, not {}", config_.mem_mib));
    if (config_.cpu_mhz <= 0) throw InputError("cpu_mhz must be positive");

    if (!config_.vcd_file.empty()) trace_ = std::make_unique<SignalTrace>("trace", config_.vcd_file);
    ram_ = std::make_unique<Ram>("ram", config_.mem_mib << 20);
    mem_router_ = std::make_unique<Router>("mem_router");
    io_router_ = std::make_unique<Router>("io_router");
    mem_router_->map(0, ram_->size(), "ram").bind(ram_->socket);
    mem_router_->set_fault_listener([this](int initiator, u64 addr, u32 size, bool write) {
        on_mmio_fault(initiator, addr, size, write);
    });

    // Interrupt controllers: the 8259A pair, the I/O APIC, and the APIC bus between APICs.
    pic_ = std::make_unique<pic8259::PicDevice>("pic");
    io_router_->map(0x20, 2, "pic_master").bind(pic_->master_socket);
    io_router_->map(0xa0, 2, "pic_slave").bind(pic_->slave_socket);
    io_router_->map(0x4d0, 2, "pic_elcr").bind(pic_->elcr_socket);
    // The I/O APIC's ID follows the CPUs' APIC IDs, so that no two APICs share one.
    ioapic_ = std::make_unique<apic::IoApicDevice>("ioapic", u8(config_.cpus));
    mem_router_->map(kIoApicBase, 0x1000, "ioapic").bind(ioapic_->socket);
    apic_bus_.add_io_apic(ioapic_->core());
    for (unsigned irq = 0; irq < 16; ++irq) {
        if (irq != 2) isa_irq_[irq].pic = &pic_->pair().irq(irq);
        isa_irq_[irq].ioapic = &ioapic_->pin(isa_irq_to_ioapic_pin(irq));
    }

    pit_ = std::make_unique<PitDevice>("pit");
    io_router_->map(0x40, 4, "pit").bind(pit_->socket);
    pit_->connect_irq0(trace_ ? &trace_->line("irq.isa0_pit", &isa_irq_[0]) : &isa_irq_[0]);

    uart_ = std::make_unique<UartDevice>("uart0", [this](u8 byte) { console_.put(char(byte)); });
    io_router_->map(kUartBase, 8, "uart0").bind(uart_->socket);
    InterruptLine* uart_irq =
        trace_ ? &trace_->line("irq.isa4_com1", &isa_irq_[kUartIrq]) : &isa_irq_[kUartIrq];
    uart_->core().set_irq_callback([uart_irq](bool level) { uart_irq->set_level(level); });
    exit_port_ = std::make_unique<ExitPortDevice>("exit_port", [this](u32 v) { on_guest_exit(v); });
    io_router_->map(kExitPortBase, 4, "exit_port").bind(exit_port_->socket);
    reset_control_ = std::make_unique<ResetControlDevice>(
        "reset_control", [this](const std::string& reason) { on_guest_reset(reason); });
    io_router_->map(kKeyboardControllerPort, 1, "kbd_reset").bind(reset_control_->kbd_socket);

    if (config_.timing) {
        cache_mesi::CacheConfig cache;
        cache.cpus = config_.cpus;
        cache.model = config_.model;
        // CPUs' clocks drift apart by up to a quantum: store->load windows stay open a few quanta.
        cache.reorder_window_slack = std::max<u64>(cache.reorder_window_slack, 4 * config_.quantum_cycles);
        caches_ = std::make_unique<cache_mesi::MemorySystem>(cache, ram_->bytes());
    }
    build_pci();
    for (u32 i = 0; i < config_.cpus; ++i) {
        cpu::CpuModuleConfig cc;
        cc.cpu.store_buffer = config_.timing;
        cc.cpu.memory_model = config_.model;
        cc.cpu.apic_id = i;
        cc.cpu.bootstrap = i == 0;
        cc.cpu.itlb_entries = config_.itlb_entries;
        cc.cpu.itlb_ways = config_.itlb_ways;
        cc.cpu.dtlb_entries = config_.dtlb_entries;
        cc.cpu.dtlb_ways = config_.dtlb_ways;
        cc.mhz = config_.cpu_mhz;
        cc.quantum_cycles = config_.quantum_cycles;
        // Each CPU's jitter stream derives from the run's seed and the CPU number (never 0: jitter on).
        cc.jitter_seed = config_.seed * 0x9e3779b97f4a7c15ull + i + 1;
        auto module = std::make_unique<cpu::CpuModule>(fmt::format("cpu{}", i).c_str(), decode_cache_, cc);
        module->mem_socket.bind(mem_router_->target);
        module->io_socket.bind(io_router_->target);
        auto lapic = std::make_unique<apic::LocalApicDevice>(fmt::format("lapic{}", i).c_str(), u8(i),
                                                             config_.apic_timer_hz);
        module->apic_socket.bind(lapic->socket);
        lapic->core().set_sink(trace_ ? &trace_->cpu_sink(i, module->interrupt_sink())
                                      : &module->interrupt_sink());
        lapic->core().set_extint(&pic_->pair());
        module->cpu().set_interrupt_source(trace_ ? &trace_->cpu_source(i, lapic->interrupt_source())
                                                  : &lapic->interrupt_source());
        apic_bus_.add_local_apic(lapic->core());
        if (i == 0) {
            // What the firmware leaves behind (MP spec virtual-wire mode): the 8259A's INTR reaches the
            // BSP through LINT0 as ExtINT, so a kernel can use the PIC before it touches the APIC.
            lapic->core().set_virtual_wire_mode();
            pic_->pair().connect_intr(trace_ ? &trace_->line("irq.pic_intr", &lapic->core().lint0())
                                             : &lapic->core().lint0());
        }
        lapics_.push_back(std::move(lapic));
        module->set_stop_handler([this](cpu::CpuModule& m, const cpu::StopInfo& s) { on_cpu_stop(m, s); });
        if (config_.max_insns) module->set_instruction_limit(config_.max_insns);
        if (caches_) {
            // The CPU's cycle count is the clock its cache sees (invalidate-queue deadlines).
            cache_ports_.push_back(
                std::make_unique<cache_mesi::CpuPort>(*caches_, i, &module->cpu().stats().cycles));
            // The line statistics name the instructions behind misses and stale reads (reports).
            caches_->set_code_address_source(i, &module->cpu().state().rip);
            module->set_ram_port(cache_ports_.back().get(), ram_->size());
        }
        cpus_.push_back(std::move(module));
    }

    // Load the kernel and hand the BSP the multiboot machine state (spec 3.2).
    const std::vector<u8> image = read_file(config_.kernel);
    multiboot::LoadOptions options;
    options.kernel_name = config_.kernel;
    options.cmdline = config_.cmdline;
    // The map QEMU gives an Intel CPU (our CPUID says GenuineIntel), i.e. `-cpu Nehalem`.
    PcMemoryMapConfig map_config;
    map_config.ram_mib = config_.mem_mib;
    map_config.amd_ht_hole = false;
    options.memory_map = pc_memory_map(map_config);
    const multiboot::LoadResult loaded = multiboot::load(image, config_.kernel, ram_->bytes(), options);
    // What firmware leaves for the OS: the MP table naming CPUs, I/O APIC and ISA interrupt routing.
    MpTableConfig mp;
    mp.cpus = config_.cpus;
    mp.cpu_signature = cpu::cpuid_query(1, 0, 0).eax;
    mp.cpu_features = cpu::cpuid_query(1, 0, 0).edx;
    mp.ioapic_id = u8(config_.cpus);
    if (nic_) mp.pci_interrupts.push_back({.device = kNicSlot, .pin = 0, .ioapic_pin = kNicIoApicPin});
    install_mp_table(ram_->bytes(), mp);

    cpu::Cpu& bsp = cpus_[0]->cpu();
    bsp.enter_flat_mode(32);
    bsp.set_gpr(cpu::RAX, multiboot::kBootMagic);
    bsp.set_gpr(cpu::RBX, loaded.mbi_addr);
    bsp.set_rip(loaded.entry);
    bsp.set_rflags(0x2);

    if (config_.sample_period_ns) {
        SC_HAS_PROCESS(Machine);
        SC_THREAD(run_sampler);
    }

    injected_error_ = injected_internal_error();
    if (injected_error_ != InjectedError::None) {
        SC_HAS_PROCESS(Machine);
        SC_THREAD(inject_internal_error);
    }
}

void Machine::build_pci() {
    pci_ = std::make_unique<pci::PciHostDevice>("pci", kPciMmioBase, kPciIoBase);
    // The PIIX3's reset control register at 0xCF9 sits among the configuration ports.
    io_router_->map(0xcf8, 8, "pci_config").bind(reset_control_->config_socket);
    reset_control_->pci_config.bind(pci_->config_socket);
    mem_router_->map(kPciMmioBase, kPciMmioSize, "pci_mmio").bind(pci_->mmio_socket);
    io_router_->map(kPciIoBase, kPciIoSize, "pci_io").bind(pci_->io_socket);
    if (!config_.nic.present) return;

    const sc_core::sc_time cycle(1e3 / config_.cpu_mhz, sc_core::SC_NS);
    dma_router_ = std::make_unique<DmaRouter>("dma_router", ram_->bytes(), caches_.get(), apic_bus_, cycle);
    // DMA into bytes of decoded instructions drops them, as a CPU's store would.
    dma_router_->set_ram_write_listener(
        [this](u64 paddr, u64 size) { decode_cache_.invalidate_written(paddr, size); });
    // The NIC is the only bus master: every message is its own.
    if (trace_) dma_router_->set_msi_listener(trace_->msi_probe("igb0"));

    net::ReplayConfig replay;
    replay.pace = net::parse_pace(config_.nic.pace);
    if (!(config_.nic.link_gbps >= kMinLinkGbps && config_.nic.link_gbps <= kMaxLinkGbps))
        throw InputError(fmt::format("--link-gbps must be in [{}, {}]", kMinLinkGbps, kMaxLinkGbps));
    replay.pace.link_gbps = config_.nic.link_gbps;
    if (config_.nic.loops < 1) throw InputError("--loop must be at least 1");
    replay.loops = config_.nic.loops;
    replay.drain_timeout_ns = config_.nic.drain_timeout_ns;
    replay.idle_ns = config_.nic.idle_ns;
    if (!config_.nic.pcap.empty()) {
        capture_ = std::make_unique<net::PcapSource>(config_.nic.pcap);
        capture_->rewrite(net::parse_frame_rewrite(config_.nic.rewrite, igb::IgbConfig{}.mac));
        replay.source = capture_.get();
    }
    if (!config_.nic.tx_pcap.empty()) {
        tx_sink_ = std::make_unique<net::PcapSink>(config_.nic.tx_pcap);
        replay.tx_sink = tx_sink_.get();
    }
    // The NIC, then at once the link partner on its wire (the order their processes run in).
    nic_ = std::make_unique<igb::IgbDevice>("igb0", igb::IgbConfig{});
    wire_ = std::make_unique<net::LinkPartner>("igb0_wire", replay, config_.cpus);
    nic_->attach_wire(wire_.get());
    wire_->connect(trace_ ? trace_->nic_port("igb0", *nic_) : *nic_);
    nic_->dma_socket.bind(dma_router_->socket);
    nic_->set_fault_handler([this](const std::string& report) {
        // Without --stop-on-dma-fault the fault was an unsupported request and the run goes on.
        if (stopped_ || !config_.stop_on_dma_fault) return;
        wire_->stop(); // a NIC that cannot reach memory takes no more frames
        result_.exit_status = kExitDeviceFault;
        result_.stop_reason = report;
        stop_all();
    });
    wire_->set_stuck_handler([this](const std::string& report) {
        if (stopped_) return;
        result_.exit_status = kExitNoProgress;
        result_.stop_reason = report;
        stop_all();
    });
    wire_->set_window_observer([this](bool open) {
        const std::vector<CpuWindow> now = cpu_totals();
        if (open) {
            replay_window_ = now;
            replay_window_opened_ = std::chrono::steady_clock::now();
            return;
        }
        replay_window_host_s_ =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - replay_window_opened_).count();
        for (size_t i = 0; i < now.size() && i < replay_window_.size(); ++i) {
            replay_window_[i].busy_cycles = now[i].busy_cycles - replay_window_[i].busy_cycles;
            replay_window_[i].instructions = now[i].instructions - replay_window_[i].instructions;
        }
    });
    pci::PciFunction& fn = nic_->function();
    fn.firmware_assign_bar(0, kNicBar0);
    fn.firmware_assign_bar(2, kNicIoBar);
    fn.firmware_assign_bar(3, kNicMsixBar);
    fn.firmware_set_command(0x3);         // memory and I/O decoding; bus mastering is the driver's to enable
    fn.firmware_set_interrupt_line(0xff); // INTA# is wired to the I/O APIC only (the MP table says where)
    nic_intx_.pin = &ioapic_->pin(kNicIoApicPin);
    nic_intx_.set(false); // an idle active-low line is high
    InterruptLine* intx_trace = trace_ ? &trace_->line("irq.igb0_inta", nullptr) : nullptr;
    fn.set_intx_line([this, intx_trace](bool asserted) {
        nic_intx_.set(asserted);
        if (intx_trace) intx_trace->set_level(asserted);
    });
    pci_->bridge().attach(kNicSlot, 0, fn);

    // The guest's driver reports the link up (its carrier on, rings filled): `igb0.driver_ready`.
    if (trace_) driver_ready_trace_ = &trace_->line("igb0.driver_ready", nullptr);
    marker_ = std::make_unique<MarkerPortDevice>(
        "marker", [this](MarkerCommand command, u32 payload, u64 local_ns) {
            switch (command) {
            case MarkerCommand::NetReady: wire_->guest_ready(payload); break;
            case MarkerCommand::RxDone: wire_->guest_rx_done(payload >> 16, payload & 0xffff); break;
            case MarkerCommand::ResetStats:
                if (caches_) caches_->reset_stats();
                break;
            default: break; // the others are for reports only
            }
            if (command == MarkerCommand::NetReady && driver_ready_trace_)
                driver_ready_trace_->set_level(true);
            if (marker_observer_) marker_observer_(command, payload, local_ns);
        });
    io_router_->map(kMarkerPort, 4, "marker").bind(marker_->socket);
}

std::vector<Machine::CpuWindow> Machine::cpu_totals() const {
    std::vector<CpuWindow> totals;
    for (const auto& c : cpus_) {
        const cpu::CpuStats& s = c->cpu().stats();
        // Instructions reach the stats when a CPU's run slice ends (at most a quantum late); cycles at once.
        totals.push_back({s.cycles - s.idle_cycles, s.instructions});
    }
    return totals;
}

Machine::~Machine() = default;

void Machine::set_cpu_event_observer(CpuEventObserver* observer) {
    for (auto& c : cpus_)
        c->cpu().set_event_observer(observer);
}

std::vector<cpu::CpuStats> Machine::cpu_stats() const {
    std::vector<cpu::CpuStats> stats;
    for (const auto& c : cpus_)
        stats.push_back(c->cpu().stats());
    return stats;
}

std::vector<Machine::CpuQueueDepths> Machine::cpu_queue_depths() const {
    std::vector<CpuQueueDepths> depths;
    for (u32 i = 0; i < cpus_.size(); ++i)
        depths.push_back(
            {cpus_[i]->cpu().store_buffer_size(), caches_ ? caches_->invalidate_queue_depth(i) : 0});
    return depths;
}

void Machine::run_sampler() {
    const sc_core::sc_time period(double(config_.sample_period_ns), sc_core::SC_NS);
    for (;;) {
        const u64 now_ns = u64(sc_core::sc_time_stamp() / sc_core::sc_time(1, sc_core::SC_NS));
        if (sampler_) sampler_(now_ns);
        if (progress_) progress_(now_ns);
        // Nothing else scheduled: the machine has nothing left to do, and the sampler must not keep it going.
        if (stopped_ || !sc_core::sc_pending_activity()) return;
        wait(period);
    }
}

nlohmann::json Machine::line_stats_json() const {
    return caches_ ? caches_->stats_json() : nlohmann::json(nullptr);
}

void Machine::on_guest_exit(u32 value) {
    if (stopped_) return;
    result_.guest_exit_value = value;
    result_.exit_status = int(((value << 1) | 1) & 0xff);
    result_.stop_reason = fmt::format("guest wrote {:#x} to the exit port", value);
    stop_all();
}

void Machine::on_guest_reset(const std::string& reason) {
    if (stopped_) return;
    result_.exit_status = kExitGuestReset;
    result_.stop_reason = reason;
    stop_all();
}

void Machine::inject_internal_error() {
    wait(sc_core::sc_time(1, sc_core::SC_US));
    if (injected_error_ == InjectedError::SystemC)
        SC_REPORT_ERROR("smpsim/inject", "injected SystemC error (SMPSIM_INJECT_INTERNAL_ERROR)");
    throw_injected_error(injected_error_);
}

void Machine::on_cpu_stop(cpu::CpuModule& module, const cpu::StopInfo& info) {
    if (stopped_) return;
    const std::string who = module.basename();
    switch (info.reason) {
    case cpu::StopReason::TripleFault:
        result_.exit_status = kExitTripleFault;
        result_.stop_reason = fmt::format("{}: triple fault", who);
        result_.stop_report = info.message;
        stop_all();
        break;
    case cpu::StopReason::HaltedForever:
    case cpu::StopReason::WaitForSipi:
        // The run is over when no CPU can run again: each sleeps with IF = 0 or waits for a SIPI that
        // only another CPU could send.
        if (info.reason == cpu::StopReason::HaltedForever)
            last_halt_message_ = fmt::format("{}: {}", who, info.message);
        for (auto& c : cpus_)
            if (!c->finished() && !c->deep_sleep()) return;
        if (last_halt_message_.empty()) {
            // No CPU halted: the boot CPU itself waits for a SIPI (a stray INIT reached it). Nothing
            // finished; the machine is stuck.
            result_.exit_status = kExitNoProgress;
            result_.stop_reason = "every CPU waits for a start-up IPI";
        } else {
            result_.exit_status = kExitHalted;
            result_.stop_reason = last_halt_message_;
        }
        stop_all();
        break;
    case cpu::StopReason::InsnLimit:
        result_.exit_status = kExitInsnLimit;
        result_.stop_reason = fmt::format("{}: instruction limit of {} reached", who, config_.max_insns);
        stop_all();
        break;
    default: break;
    }
}

// A CPU reached a physical address nothing decodes (the router answered all ones or dropped the write),
// as a chipset does with a master abort: counted, reported once, and fatal only when asked.
void Machine::on_mmio_fault(int initiator, u64 addr, u32 size, bool write) {
    // The CPUs bind to the router first, in order, so the initiator index is the CPU number.
    const std::string who = fmt::format("cpu{}", initiator);
    mmio_faults_.record({addr, size, write, who});
    const std::string report = fmt::format("{}: {}-byte MMIO {} at physical address {:#x} reached nothing",
                                           who, size, write ? "write" : "read", addr);
    log::logger().report(log::Category::Mmio, "CPU access to no memory", "{} ({})", report,
                         write ? "write dropped" : "read all ones");
    if (stopped_ || !config_.stop_on_mmio_fault) return;
    result_.exit_status = kExitDeviceFault;
    result_.stop_reason = report;
    stop_all();
}

void Machine::end_run(int exit_status, const std::string& reason) {
    if (stopped_) return;
    result_.exit_status = exit_status;
    result_.stop_reason = reason;
    stop_all();
}

void Machine::stop_all() {
    stopped_ = true;
    for (auto& c : cpus_)
        c->stop();
    sc_core::sc_stop();
}

RunResult Machine::run() {
    const auto start = std::chrono::steady_clock::now();
    sc_core::sc_start();
    const auto end = std::chrono::steady_clock::now();
    if (trace_) trace_->close();
    if (!stopped_) {
        // The event queue ran dry: every CPU sleeps and no device can wake one.
        result_.exit_status = kExitNoProgress;
        result_.stop_reason = "all CPUs are halted and nothing can wake them";
    }
    console_.flush();
    if (tx_sink_) tx_sink_->finish();
    result_.host_seconds = std::chrono::duration<double>(end - start).count();
    result_.sim_seconds = sc_core::sc_time_stamp().to_seconds();
    if (caches_ && !config_.stats_file.empty()) {
        std::ofstream out(config_.stats_file);
        if (!out)
            throw InputError(
                fmt::format("{}: cannot open the statistics file for writing", config_.stats_file));
        out << caches_->stats_json().dump(2) << "\n";
        out.flush();
        if (!out) throw InputError(fmt::format("{}: cannot write the statistics file", config_.stats_file));
    }
    for (auto& c : cpus_) {
        const cpu::CpuStats& s = c->cpu().stats();
        result_.instructions += s.instructions;
        result_.cycles = std::max(result_.cycles, s.cycles);
        result_.decode_cache_misses += s.decode_cache_misses;
        result_.smc_invalidations += s.smc_invalidations;
        result_.exceptions += s.exceptions;
    }
    result_.mmio_faults = mmio_faults_.count();
    result_.first_mmio_faults = mmio_faults_.first();
    return result_;
}

} // namespace smpsim::platform
