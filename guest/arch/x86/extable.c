/*
 * Exception fixups: the __ex_table entries (asm/extable.h).
 */

#include "asm/extable.h"
#include "asm/percpu.h"
#include "asm/processor.h"

extern const struct exception_table_entry __start___ex_table[], __stop___ex_table[];

DEFINE_PER_CPU(unsigned long, fixup_fault_addr);
DEFINE_PER_CPU(unsigned long, fixup_count);

static const struct exception_table_entry *search_exception_tables(unsigned long ip)
{
	const struct exception_table_entry *e;

	for (e = __start___ex_table; e < __stop___ex_table; e++) {
		if (e->insn == ip)
			return e;
	}
	return NULL;
}

bool fixup_exception(struct pt_regs *regs)
{
	const struct exception_table_entry *e = search_exception_tables(regs->rip);

	if (!e)
		return false;
	this_cpu_write(fixup_fault_addr, regs->vector == 14 ? read_cr2() : 0);
	this_cpu_inc(fixup_count);
	regs->rip = e->fixup;
	return true;
}
