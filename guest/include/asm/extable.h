#ifndef _GUEST_ASM_EXTABLE_H
#define _GUEST_ASM_EXTABLE_H

/*
 * Exception tables: an instruction that may fault on purpose (a probe of
 * memory that may not be mapped) gets an entry (its address, where to go
 * instead) in the __ex_table section. A #PF or #GP at such an instruction
 * does not oops: do_exception() moves RIP to the fixup and returns.
 */

#include "../compiler.h"
#include "../types.h"
#include "percpu.h"
#include "ptrace.h"

#define EFAULT 14

struct exception_table_entry {
	unsigned long insn;
	unsigned long fixup;
};

/* An entry for the instruction at label "from", continuing at "to" (inside an asm statement). */
#define _ASM_EXTABLE(from, to)                                                                     \
	"	.pushsection __ex_table, \"a\"\n"                                                        \
	"	.balign 8\n"                                                                             \
	"	.quad " #from ", " #to "\n"                                                        \
	"	.popsection\n"

/* The fault address (CR2) and vector of this CPU's last fixed-up exception. */
DECLARE_PER_CPU(unsigned long, fixup_fault_addr);
DECLARE_PER_CPU(unsigned long, fixup_count);

/* Returns true if regs->rip had an entry: RIP now points at its fixup. */
bool fixup_exception(struct pt_regs *regs);

/*
 * Reads the u64 at addr; 0 and *val on success, -EFAULT (and *val = 0) if
 * the load faulted.
 */
static inline int probe_read_u64(const volatile u64 *addr, u64 *val)
{
	int err;
	u64 v;

	__asm__ __volatile__("1:	movq (%2), %1\n"
			     "	xorl %0, %0\n"
			     "	jmp 3f\n"
			     "2:	movl %3, %0\n"
			     "	xorl %k1, %k1\n"
			     "3:\n" _ASM_EXTABLE(1b, 2b)
			     : "=r"(err), "=r"(v)
			     : "r"(addr), "i"(-EFAULT)
			     : "memory");
	*val = v;
	return err;
}

#endif /* _GUEST_ASM_EXTABLE_H */
