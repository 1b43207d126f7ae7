/*
 * CPU identification through CPUID. Everything printed here depends on the
 * machine, so each line carries the MACHINE_DEPENDENT marker.
 */

#include "asm/cpu.h"
#include "asm/processor.h"
#include "kernel.h"
#include "string.h"

struct cpuinfo_x86 boot_cpu_data;

struct cpu_feature {
	enum cpuid_word word;
	unsigned int bit;
	const char *name;
};

/* A few flags worth knowing about, named as in /proc/cpuinfo. */
static const struct cpu_feature cpu_features[] = {
	{ CPUID_1_EDX, 0, "fpu" },
	{ CPUID_1_EDX, 4, "tsc" },
	{ CPUID_1_EDX, 5, "msr" },
	{ CPUID_1_EDX, 6, "pae" },
	{ CPUID_1_EDX, 8, "cx8" },
	{ CPUID_1_EDX, 9, "apic" },
	{ CPUID_1_EDX, 13, "pge" },
	{ CPUID_1_EDX, 15, "cmov" },
	{ CPUID_1_EDX, 16, "pat" },
	{ CPUID_1_EDX, 19, "clflush" },
	{ CPUID_1_EDX, 25, "sse" },
	{ CPUID_1_EDX, 26, "sse2" },
	{ CPUID_1_EDX, 28, "ht" },
	{ CPUID_1_ECX, 0, "pni" },
	{ CPUID_1_ECX, 13, "cx16" },
	{ CPUID_1_ECX, 21, "x2apic" },
	{ CPUID_1_ECX, 23, "popcnt" },
	{ CPUID_1_ECX, 24, "tsc_deadline_timer" },
	{ CPUID_1_ECX, 31, "hypervisor" },
	{ CPUID_8000_0001_EDX, 11, "syscall" },
	{ CPUID_8000_0001_EDX, 20, "nx" },
	{ CPUID_8000_0001_EDX, 26, "pdpe1gb" },
	{ CPUID_8000_0001_EDX, 27, "rdtscp" },
	{ CPUID_8000_0001_EDX, 29, "lm" },
	{ CPUID_8000_0001_ECX, 0, "lahf_lm" },
};

bool cpu_has(const struct cpuinfo_x86 *c, enum cpuid_word word, unsigned int bit)
{
	return (c->cpuid_words[word] >> bit) & 1;
}

static void copy_regs(char *dst, u32 a, u32 b, u32 c, u32 d)
{
	memcpy(dst, &a, 4);
	memcpy(dst + 4, &b, 4);
	memcpy(dst + 8, &c, 4);
	memcpy(dst + 12, &d, 4);
}

void cpu_identify(struct cpuinfo_x86 *c)
{
	u32 eax, ebx, ecx, edx;
	unsigned int i;

	memset(c, 0, sizeof(*c));

	/* Leaf 0: highest leaf and the vendor string in EBX, EDX, ECX. */
	cpuid(0, &eax, &ebx, &ecx, &edx);
	c->max_leaf = eax;
	memcpy(c->vendor, &ebx, 4);
	memcpy(c->vendor + 4, &edx, 4);
	memcpy(c->vendor + 8, &ecx, 4);
	c->vendor[12] = '\0';

	if (c->max_leaf >= 1) {
		cpuid(1, &eax, &ebx, &ecx, &edx);
		c->stepping = eax & 0xf;
		c->model = (eax >> 4) & 0xf;
		c->family = (eax >> 8) & 0xf;
		if (c->family == 0xf)
			c->family += (eax >> 20) & 0xff;
		if (c->family >= 0x6)
			c->model += ((eax >> 16) & 0xf) << 4;
		c->cpuid_words[CPUID_1_EDX] = edx;
		c->cpuid_words[CPUID_1_ECX] = ecx;
	}

	cpuid(0x80000000, &eax, &ebx, &ecx, &edx);
	c->max_ext_leaf = eax;
	if ((c->max_ext_leaf & 0xffff0000) != 0x80000000)
		c->max_ext_leaf = 0;

	if (c->max_ext_leaf >= 0x80000001) {
		cpuid(0x80000001, &eax, &ebx, &ecx, &edx);
		c->cpuid_words[CPUID_8000_0001_EDX] = edx;
		c->cpuid_words[CPUID_8000_0001_ECX] = ecx;
	}

	if (c->max_ext_leaf >= 0x80000004) {
		char brand[48];
		const char *p = brand;

		for (i = 0; i < 3; i++) {
			cpuid(0x80000002 + i, &eax, &ebx, &ecx, &edx);
			copy_regs(brand + 16 * i, eax, ebx, ecx, edx);
		}
		/* Some CPUs right-justify the brand string: drop leading blanks. */
		while (p < brand + sizeof(brand) && *p == ' ')
			p++;
		i = 0;
		while (p < brand + sizeof(brand) && *p)
			c->brand[i++] = *p++;
		while (i > 0 && c->brand[i - 1] == ' ')
			i--;
		c->brand[i] = '\0';
	}
}

void cpu_print_info(const struct cpuinfo_x86 *c)
{
	char line[256];
	size_t len = 0;
	unsigned int i;

	printk(MACHINE_DEPENDENT "CPU: vendor %s, family %u, model %u, stepping %u\n", c->vendor,
	       c->family, c->model, c->stepping);
	if (c->brand[0])
		printk(MACHINE_DEPENDENT "CPU: %s\n", c->brand);

	line[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(cpu_features); i++) {
		const struct cpu_feature *f = &cpu_features[i];

		if (!cpu_has(c, f->word, f->bit))
			continue;
		len += snprintf(line + len, sizeof(line) - len, " %s", f->name);
		if (len >= sizeof(line))
			break;
	}
	printk(MACHINE_DEPENDENT "CPU features:%s\n", line);
}
