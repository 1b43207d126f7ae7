#ifndef _GUEST_ASM_PROCESSOR_H
#define _GUEST_ASM_PROCESSOR_H

#include "../compiler.h"
#include "../types.h"
#include "processor-flags.h"

static inline void cpuid_count(u32 leaf, u32 subleaf, u32 *eax, u32 *ebx, u32 *ecx, u32 *edx)
{
	__asm__ __volatile__("cpuid"
			     : "=a"(*eax), "=b"(*ebx), "=c"(*ecx), "=d"(*edx)
			     : "a"(leaf), "c"(subleaf));
}

static inline void cpuid(u32 leaf, u32 *eax, u32 *ebx, u32 *ecx, u32 *edx)
{
	cpuid_count(leaf, 0, eax, ebx, ecx, edx);
}

static inline u64 rdmsr(u32 msr)
{
	u32 lo, hi;

	__asm__ __volatile__("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((u64)hi << 32) | lo;
}

static inline void wrmsr(u32 msr, u64 value)
{
	__asm__ __volatile__("wrmsr"
			     :
			     : "c"(msr), "a"((u32)value), "d"((u32)(value >> 32))
			     : "memory");
}

#define DEFINE_READ_CR(n)                                                                          \
	static inline unsigned long read_cr##n(void)                                               \
	{                                                                                          \
		unsigned long val;                                                                 \
		__asm__ __volatile__("mov %%cr" #n ", %0" : "=r"(val));                            \
		return val;                                                                        \
	}
DEFINE_READ_CR(0)
DEFINE_READ_CR(2)
DEFINE_READ_CR(3)
DEFINE_READ_CR(4)
#undef DEFINE_READ_CR

static inline unsigned short read_segment(int which)
{
	unsigned short sel = 0;

	switch (which) {
	case 0:
		__asm__ __volatile__("mov %%cs, %0" : "=r"(sel));
		break;
	case 1:
		__asm__ __volatile__("mov %%ds, %0" : "=r"(sel));
		break;
	case 2:
		__asm__ __volatile__("mov %%es, %0" : "=r"(sel));
		break;
	case 3:
		__asm__ __volatile__("mov %%ss, %0" : "=r"(sel));
		break;
	}
	return sel;
}

static inline void local_irq_disable(void)
{
	__asm__ __volatile__("cli" : : : "memory");
}

static inline void local_irq_enable(void)
{
	__asm__ __volatile__("sti" : : : "memory");
}

static inline unsigned long local_save_flags(void)
{
	unsigned long flags;

	__asm__ __volatile__("pushfq; popq %0" : "=r"(flags) : : "memory");
	return flags;
}

/* Disables interrupts and returns the previous RFLAGS for local_irq_restore(). */
static inline unsigned long local_irq_save(void)
{
	unsigned long flags = local_save_flags();

	local_irq_disable();
	return flags;
}

static inline void local_irq_restore(unsigned long flags)
{
	if (flags & X86_EFLAGS_IF)
		local_irq_enable();
}

static inline bool irqs_disabled(void)
{
	return !(local_save_flags() & X86_EFLAGS_IF);
}

/* sti; hlt: the sti shadow makes sure an interrupt that is already pending wakes the hlt. */
static inline void safe_halt(void)
{
	__asm__ __volatile__("sti; hlt" : : : "memory");
}

static inline u64 rdtsc(void)
{
	u32 lo, hi;

	__asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
	return ((u64)hi << 32) | lo;
}

static inline void native_halt(void)
{
	__asm__ __volatile__("hlt" : : : "memory");
}

static inline void cpu_relax(void)
{
	__asm__ __volatile__("pause" : : : "memory");
}

/* Stops this CPU for good: interrupts off, then hlt in a loop. */
static inline void __noreturn halt_forever(void)
{
	for (;;) {
		local_irq_disable();
		native_halt();
	}
}

#endif /* _GUEST_ASM_PROCESSOR_H */
