#include "sim/platform/mp_table.h"

#include "sim/core/error.h"

#include <cstring>
#include <string>

namespace smpsim::platform {

namespace {

void put8(std::vector<u8>& b, u8 v) {
    b.push_back(v);
}
void put16(std::vector<u8>& b, u16 v) {
    put8(b, u8(v));
    put8(b, u8(v >> 8));
}
void put32(std::vector<u8>& b, u32 v) {
    put16(b, u16(v));
    put16(b, u16(v >> 16));
}
void put_text(std::vector<u8>& b, const char* s, size_t width) {
    const size_t n = std::strlen(s);
    for (size_t i = 0; i < width; ++i)
        put8(b, i < n ? u8(s[i]) : u8(' '));
}
// The byte that makes [begin, end) sum to zero.
u8 checksum(const std::vector<u8>& b, size_t begin, size_t end) {
    u8 sum = 0;
    for (size_t i = begin; i < end; ++i)
        sum = u8(sum + b[i]);
    return u8(-sum);
}

enum EntryType : u8 { kProcessor = 0, kBus = 1, kIoApic = 2, kIoInterrupt = 3, kLocalInterrupt = 4 };
enum InterruptType : u8 { kInt = 0, kNmi = 1, kSmi = 2, kExtInt = 3 };

} // namespace

std::vector<u8> build_mp_table(const MpTableConfig& c, u32 fp_addr) {
    if (c.cpus < 1 || c.cpus > 255) throw InternalError("MP table: 1..255 CPUs");
    std::vector<u8> b;
    const u32 table_addr = fp_addr + 16;

    // Floating pointer structure (MP spec 4.1).
    put_text(b, "_MP_", 4);
    put32(b, table_addr);
    put8(b, 1); // length in 16-byte paragraphs
    put8(b, 4); // spec revision 1.4
    put8(b, 0); // checksum, below
    put8(b, 0); // feature 1: a configuration table is present
    put8(b, 0); // feature 2: no IMCR (virtual-wire mode)
    put8(b, 0);
    put8(b, 0);
    put8(b, 0);
    b[10] = checksum(b, 0, 16);

    // Configuration table header (4.2).
    const size_t h = b.size();
    put_text(b, "PCMP", 4);
    put16(b, 0); // base table length, below
    put8(b, 4);
    put8(b, 0); // checksum, below
    put_text(b, "SMPSIM", 8);
    put_text(b, "PC", 12);
    put32(b, 0); // OEM table pointer
    put16(b, 0); // OEM table size
    put16(b, 0); // entry count, below
    put32(b, c.local_apic_address);
    put16(b, 0); // extended table length
    put8(b, 0);  // extended table checksum
    put8(b, 0);
    u16 entries = 0;

    for (u32 cpu = 0; cpu < c.cpus; ++cpu) {
        put8(b, kProcessor);
        put8(b, u8(cpu));                    // local APIC ID
        put8(b, 0x14);                       // local APIC version
        put8(b, u8(1 | (cpu == 0 ? 2 : 0))); // enabled, bootstrap processor
        put32(b, c.cpu_signature);
        put32(b, c.cpu_features);
        put32(b, 0);
        put32(b, 0);
        ++entries;
    }
    put8(b, kBus);
    put8(b, 0);
    put_text(b, "ISA", 6);
    ++entries;
    if (!c.pci_interrupts.empty()) {
        put8(b, kBus);
        put8(b, kMpPciBusId);
        put_text(b, "PCI", 6);
        ++entries;
    }
    put8(b, kIoApic);
    put8(b, c.ioapic_id);
    put8(b, 0x11); // version
    put8(b, 1);    // enabled
    put32(b, c.ioapic_address);
    ++entries;
    auto io_interrupt = [&](u8 type, u8 irq, u8 pin) {
        put8(b, kIoInterrupt);
        put8(b, type);
        put16(b, 0); // polarity and trigger conform to the bus (ISA: active high, edge)
        put8(b, 0);  // source bus
        put8(b, irq);
        put8(b, c.ioapic_id);
        put8(b, pin);
        ++entries;
    };
    io_interrupt(kExtInt, 0, 0); // the 8259A's INTR on pin 0
    for (u8 irq = 0; irq < 16; ++irq)
        if (irq != 2) io_interrupt(kInt, irq, u8(isa_irq_to_ioapic_pin(irq)));
    for (const auto& pci : c.pci_interrupts) {
        // MP spec 4.3.4: a PCI source IRQ is (device << 2) | pin; flags 0xf = level, active low.
        put8(b, kIoInterrupt);
        put8(b, kInt);
        put16(b, 0x0f);
        put8(b, kMpPciBusId);
        put8(b, u8((pci.device << 2) | (pci.pin & 3)));
        put8(b, c.ioapic_id);
        put8(b, pci.ioapic_pin);
        ++entries;
    }
    auto local_interrupt = [&](u8 type, u8 lint) {
        put8(b, kLocalInterrupt);
        put8(b, type);
        put16(b, 0);
        put8(b, 0);
        put8(b, 0);
        put8(b, 0xff); // every local APIC
        put8(b, lint);
        ++entries;
    };
    local_interrupt(kExtInt, 0);
    local_interrupt(kNmi, 1);

    const u16 length = u16(b.size() - h);
    b[h + 4] = u8(length);
    b[h + 5] = u8(length >> 8);
    b[h + 34] = u8(entries);
    b[h + 35] = u8(entries >> 8);
    b[h + 7] = checksum(b, h, b.size());
    return b;
}

void install_mp_table(std::span<u8> ram, const MpTableConfig& config, u32 fp_addr) {
    const std::vector<u8> bytes = build_mp_table(config, fp_addr);
    if (u64(fp_addr) + bytes.size() > ram.size()) throw InternalError("MP table does not fit in RAM");
    std::memcpy(ram.data() + fp_addr, bytes.data(), bytes.size());
}

} // namespace smpsim::platform
