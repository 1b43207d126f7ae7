/*
 * IDT setup and the fatal exception report.
 */

#include "asm/apic.h"
#include "asm/extable.h"
#include "asm/irq.h"
#include "asm/irq_vectors.h"
#include "asm/percpu.h"
#include "asm/processor.h"
#include "asm/segment.h"
#include "asm/smp.h"
#include "asm/traps.h"
#include "kernel.h"

struct idt_gate {
	u16 offset_low;
	u16 selector;
	u8 ist;
	u8 type_attr;
	u16 offset_mid;
	u32 offset_high;
	u32 reserved;
} __packed;

struct desc_ptr {
	u16 size;
	u64 address;
} __packed;

#define GATE_INTERRUPT 0x8e /* present, DPL 0, 64-bit interrupt gate */

static struct idt_gate idt_table[NR_IDT_VECTORS] __aligned(16);

static const char *const exception_names[NR_EXCEPTION_VECTORS] = {
	[0] = "divide error",
	[1] = "debug",
	[2] = "nmi",
	[3] = "int3",
	[4] = "overflow",
	[5] = "bounds",
	[6] = "invalid opcode",
	[7] = "device not available",
	[8] = "double fault",
	[9] = "coprocessor segment overrun",
	[10] = "invalid TSS",
	[11] = "segment not present",
	[12] = "stack segment",
	[13] = "general protection fault",
	[14] = "page fault",
	[15] = "reserved (15)",
	[16] = "coprocessor error",
	[17] = "alignment check",
	[18] = "machine check",
	[19] = "SIMD coprocessor error",
	[20] = "virtualization exception",
	[21] = "control protection fault",
	[22] = "reserved (22)",
	[23] = "reserved (23)",
	[24] = "reserved (24)",
	[25] = "reserved (25)",
	[26] = "reserved (26)",
	[27] = "reserved (27)",
	[28] = "hypervisor injection",
	[29] = "VMM communication",
	[30] = "security exception",
	[31] = "reserved (31)",
};

static void set_intr_gate(unsigned int vector, unsigned long handler)
{
	struct idt_gate *gate = &idt_table[vector];

	gate->offset_low = handler & 0xffff;
	gate->selector = __KERNEL_CS;
	gate->ist = 0;
	gate->type_attr = GATE_INTERRUPT;
	gate->offset_mid = (handler >> 16) & 0xffff;
	gate->offset_high = handler >> 32;
	gate->reserved = 0;
}

/* Every CPU uses the same IDT. */
void load_idt(void)
{
	struct desc_ptr idt_descr;

	idt_descr.size = sizeof(idt_table) - 1;
	idt_descr.address = (u64)(uintptr_t)idt_table;
	__asm__ __volatile__("lidt %0" : : "m"(idt_descr));
}

void trap_init(void)
{
	unsigned int vector;

	for (vector = 0; vector < NR_EXCEPTION_VECTORS; vector++)
		set_intr_gate(vector, exception_stub_table[vector]);
	load_idt();
}

/* Gates for the external vectors 0x20-0xff: the stubs of entry.S, all ending in do_IRQ(). */
void idt_setup_irq_gates(void)
{
	unsigned int vector;

	for (vector = FIRST_EXTERNAL_VECTOR; vector < NR_VECTORS; vector++)
		set_intr_gate(vector, (unsigned long)irq_entries_start +
					      (vector - FIRST_EXTERNAL_VECTOR) * IRQ_STUB_SIZE);
}

static void show_regs(const struct pt_regs *regs)
{
	printk("RIP: %04lx:[<%016lx>]\n", (unsigned long)(regs->cs & 0xffff),
	       (unsigned long)regs->rip);
	printk("RSP: %04lx:%016lx EFLAGS: %08lx\n", (unsigned long)(regs->ss & 0xffff),
	       (unsigned long)regs->rsp, (unsigned long)regs->rflags);
	printk("RAX: %016llx RBX: %016llx RCX: %016llx\n", regs->rax, regs->rbx, regs->rcx);
	printk("RDX: %016llx RSI: %016llx RDI: %016llx\n", regs->rdx, regs->rsi, regs->rdi);
	printk("RBP: %016llx R08: %016llx R09: %016llx\n", regs->rbp, regs->r8, regs->r9);
	printk("R10: %016llx R11: %016llx R12: %016llx\n", regs->r10, regs->r11, regs->r12);
	printk("R13: %016llx R14: %016llx R15: %016llx\n", regs->r13, regs->r14, regs->r15);
	printk("CS:  %04x DS: %04x ES: %04x CR0: %016lx\n", read_segment(0), read_segment(1),
	       read_segment(2), read_cr0());
	printk("CR2: %016lx CR3: %016lx CR4: %016lx\n", read_cr2(), read_cr3(), read_cr4());
}

static DEFINE_PER_CPU(int, nmi_backtrace_requested);

void trigger_single_cpu_backtrace(unsigned int cpu)
{
	per_cpu(nmi_backtrace_requested, cpu) = 1;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	apic_icr_write(APIC_DM_NMI, cpu_to_apicid[cpu]);
}

/* Prints where this CPU is and its local APIC's interrupt state, if another CPU asked for it. */
static bool nmi_cpu_backtrace(const struct pt_regs *regs)
{
	char irr[80], isr[80];
	int i, li = 0, ls = 0;

	if (!this_cpu_read(nmi_backtrace_requested))
		return false;
	this_cpu_write(nmi_backtrace_requested, 0);
	for (i = 7; i >= 0; i--) {
		li += snprintf(irr + li, sizeof(irr) - li, "%08x", apic_read(APIC_IRR + i * 0x10));
		ls += snprintf(isr + ls, sizeof(isr) - ls, "%08x", apic_read(APIC_ISR + i * 0x10));
	}
	printk("NMI backtrace for CPU%u: RIP %#llx RFLAGS %#llx\n", smp_processor_id(), regs->rip,
	       regs->rflags);
	printk("  APIC TPR %#x PPR %#x\n  IRR %s\n  ISR %s\n", apic_read(APIC_TASKPRI),
	       apic_read(APIC_PROCPRI), irr, isr);
	return true;
}

void do_exception(struct pt_regs *regs)
{
	static int die_counter;
	unsigned long vector = regs->vector;
	const char *name = "unknown exception";

	if (vector == X86_TRAP_NMI) {
		this_cpu_inc(irq_stat.nmi_count);
		/* An NMI IPI asking for this CPU's state (smp_call_function diagnostics). */
		if (nmi_cpu_backtrace(regs))
			return;
		/* LINT1, or an NMI nobody asked for: count and go on. */
		printk(MACHINE_DEPENDENT "Uhhuh. NMI received for unknown reason on CPU %u.\n",
		       smp_processor_id());
		return;
	}
	/* A #PF or #GP at an instruction with an exception table entry goes to its fixup. */
	if ((vector == X86_TRAP_PF || vector == X86_TRAP_GP) && fixup_exception(regs))
		return;
	if (vector < NR_EXCEPTION_VECTORS)
		name = exception_names[vector];

	if (die_counter++) {
		/* A fault while reporting a fault: say as little as possible. */
		printk("%s (vector %lu) while handling an exception\n", name, vector);
		machine_exit(EXIT_STATUS_PANIC);
	}

	printk("%s: %04lx [#%d]\n", name, (unsigned long)regs->error_code, die_counter);
	printk("CPU: %u vector: %lu error code: %#lx\n", smp_processor_id(), vector,
	       (unsigned long)regs->error_code);
	show_regs(regs);
	panic("Fatal exception");
}
