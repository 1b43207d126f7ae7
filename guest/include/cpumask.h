#ifndef _GUEST_CPUMASK_H
#define _GUEST_CPUMASK_H

/*
 * CPU masks: one bit per logical CPU number. NR_CPUS is small enough for a
 * single word; the bit operations on shared masks are locked.
 */

#include "bitops.h"
#include "compiler.h"
#include "types.h"

#define NR_CPUS 64

typedef struct cpumask {
	unsigned long bits;
} cpumask_t;

extern cpumask_t cpu_possible_mask;
extern cpumask_t cpu_present_mask;
extern cpumask_t cpu_online_mask;
extern unsigned int nr_cpu_ids;

static inline bool cpumask_test_cpu(unsigned int cpu, const cpumask_t *mask)
{
	return (__atomic_load_n(&mask->bits, __ATOMIC_RELAXED) >> cpu) & 1;
}

static inline void cpumask_set_cpu(unsigned int cpu, cpumask_t *mask)
{
	__asm__ __volatile__("lock btsq %1, %0" : "+m"(mask->bits) : "r"((unsigned long)cpu) : "memory");
}

static inline void cpumask_clear_cpu(unsigned int cpu, cpumask_t *mask)
{
	__asm__ __volatile__("lock btrq %1, %0" : "+m"(mask->bits) : "r"((unsigned long)cpu) : "memory");
}

static inline unsigned int cpumask_weight(const cpumask_t *mask)
{
	unsigned long bits = __atomic_load_n(&mask->bits, __ATOMIC_RELAXED);
	unsigned int n = 0;

	for (; bits; bits &= bits - 1)
		n++;
	return n;
}

/* The lowest CPU in mask, or NR_CPUS if it is empty. */
static inline unsigned int cpumask_first(const cpumask_t *mask)
{
	unsigned long bits = __atomic_load_n(&mask->bits, __ATOMIC_RELAXED);

	return bits ? __ffs(bits) : NR_CPUS;
}

/* The lowest CPU above cpu in mask, or NR_CPUS. */
static inline unsigned int cpumask_next(int cpu, const cpumask_t *mask)
{
	unsigned long bits = __atomic_load_n(&mask->bits, __ATOMIC_RELAXED);

	if (cpu + 1 >= NR_CPUS)
		return NR_CPUS;
	bits &= ~0UL << (cpu + 1);
	return bits ? __ffs(bits) : NR_CPUS;
}

#define for_each_cpu(cpu, mask)                                                                    \
	for ((cpu) = cpumask_first(mask); (cpu) < NR_CPUS; (cpu) = cpumask_next((cpu), (mask)))
#define for_each_possible_cpu(cpu) for_each_cpu((cpu), &cpu_possible_mask)
#define for_each_present_cpu(cpu) for_each_cpu((cpu), &cpu_present_mask)
#define for_each_online_cpu(cpu) for_each_cpu((cpu), &cpu_online_mask)

static inline unsigned int num_online_cpus(void)
{
	return cpumask_weight(&cpu_online_mask);
}

static inline bool cpu_online(unsigned int cpu)
{
	return cpumask_test_cpu(cpu, &cpu_online_mask);
}

static inline cpumask_t cpumask_of(unsigned int cpu)
{
	cpumask_t mask = { 1UL << cpu };

	return mask;
}

#endif /* _GUEST_CPUMASK_H */
