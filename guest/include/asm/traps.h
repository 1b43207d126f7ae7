#ifndef _GUEST_ASM_TRAPS_H
#define _GUEST_ASM_TRAPS_H

#define NR_EXCEPTION_VECTORS 32
#define NR_IDT_VECTORS 256
#define X86_TRAP_NMI 2
#define X86_TRAP_GP 13
#define X86_TRAP_PF 14

/* Vectors for which the CPU pushes an error code. */
#define EXCEPTION_ERRCODE_MASK                                                                     \
	((1 << 8) | (1 << 10) | (1 << 11) | (1 << 12) | (1 << 13) | (1 << 14) | (1 << 17) |        \
	 (1 << 21) | (1 << 29) | (1 << 30))

/* Kinds of trigger_exception(). */
#define TRIGGER_DIVIDE_ERROR 0
#define TRIGGER_INVALID_OPCODE 1
#define TRIGGER_GENERAL_PROTECTION 2
#define TRIGGER_PAGE_FAULT 3
#define TRIGGER_TRIPLE_FAULT 4
/* Not an exception: INIT to every CPU, the sender included, as a stray INIT would (kernel/main.c).
 */
#define TRIGGER_STRAY_INIT 5

#ifndef __ASSEMBLER__
#include "../compiler.h"
#include "ptrace.h"

void trap_init(void);
void load_idt(void);
void idt_setup_irq_gates(void);
void do_exception(struct pt_regs *regs);
/* Asks cpu (by NMI) to print its RIP and local APIC interrupt state. */
void trigger_single_cpu_backtrace(unsigned int cpu);

/* arch/x86/entry.S */
extern const unsigned long exception_stub_table[NR_EXCEPTION_VECTORS];
extern char irq_entries_start[], irq_entries_end[];
/* Loads known values into all GPRs, then raises the exception of that kind. */
void trigger_exception(int kind) __noreturn;
#endif

#endif /* _GUEST_ASM_TRAPS_H */
