#ifndef _GUEST_ASM_CPU_H
#define _GUEST_ASM_CPU_H

#include "../types.h"

/* Indexes into cpuinfo_x86.cpuid_words. */
enum cpuid_word {
	CPUID_1_EDX,
	CPUID_1_ECX,
	CPUID_8000_0001_EDX,
	CPUID_8000_0001_ECX,
	NR_CPUID_WORDS,
};

struct cpuinfo_x86 {
	char vendor[13];
	char brand[49];
	u32 max_leaf;
	u32 max_ext_leaf;
	unsigned int family;
	unsigned int model;
	unsigned int stepping;
	u32 cpuid_words[NR_CPUID_WORDS];
};

extern struct cpuinfo_x86 boot_cpu_data;

void cpu_identify(struct cpuinfo_x86 *c);
void cpu_print_info(const struct cpuinfo_x86 *c);
bool cpu_has(const struct cpuinfo_x86 *c, enum cpuid_word word, unsigned int bit);

#endif /* _GUEST_ASM_CPU_H */
