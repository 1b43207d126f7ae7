#ifndef _GUEST_ASM_PERCPU_H
#define _GUEST_ASM_PERCPU_H

/*
 * Per-CPU variables. DEFINE_PER_CPU puts a variable in .data..percpu; every
 * possible CPU gets its own copy of that section (setup_per_cpu_areas()),
 * and the GS base of a CPU is the distance from the section to its copy, its
 * __per_cpu_offset. So "%gs:var" is this CPU's instance of var, and
 * &var + __per_cpu_offset[cpu] is CPU cpu's. Until setup_per_cpu_areas()
 * runs, the boot CPU has GS base 0 and uses the section itself.
 *
 * Nothing preempts the kernel, so a this_cpu operation only has to be safe
 * against interrupts on the same CPU: this_cpu_inc() is one instruction.
 */

#include "../compiler.h"
#include "../cpumask.h"
#include "../types.h"

#define DEFINE_PER_CPU(type, name) __section(".data..percpu") __typeof__(type) name
#define DECLARE_PER_CPU(type, name) extern __typeof__(type) name

extern unsigned long __per_cpu_offset[NR_CPUS];
extern char __per_cpu_start[], __per_cpu_end[];

DECLARE_PER_CPU(unsigned long, this_cpu_off);
DECLARE_PER_CPU(unsigned int, cpu_number);

#define per_cpu_ptr(ptr, cpu) ((__typeof__(ptr))((unsigned long)(ptr) + __per_cpu_offset[(cpu)]))
#define per_cpu(var, cpu) (*per_cpu_ptr(&(var), (cpu)))

static inline unsigned long __this_cpu_offset(void)
{
	unsigned long off;

	__asm__ __volatile__("movq %%gs:%1, %0" : "=r"(off) : "m"(this_cpu_off));
	return off;
}

#define this_cpu_ptr(ptr) ((__typeof__(ptr))((unsigned long)(ptr) + __this_cpu_offset()))
#define this_cpu_read(var) (*(volatile __typeof__(var) *)this_cpu_ptr(&(var)))
#define this_cpu_write(var, val) (*(volatile __typeof__(var) *)this_cpu_ptr(&(var)) = (val))

/* Increments an int or long per-CPU counter with a single %gs-relative instruction. */
#define this_cpu_inc(var)                                                                          \
	do {                                                                                       \
		if (sizeof(var) == 8)                                                              \
			__asm__ __volatile__("incq %%gs:%0" : "+m"(var));                          \
		else                                                                               \
			__asm__ __volatile__("incl %%gs:%0" : "+m"(var));                          \
	} while (0)

static inline unsigned int smp_processor_id(void)
{
	unsigned int cpu;

	__asm__ __volatile__("movl %%gs:%1, %0" : "=r"(cpu) : "m"(cpu_number));
	return cpu;
}

/* Allocates and fills one area per possible CPU, switches the boot CPU to its own. */
void setup_per_cpu_areas(void);

#endif /* _GUEST_ASM_PERCPU_H */
