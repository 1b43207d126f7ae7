/*
 * Kernel command line options:
 *
 *   exit=N   exit with status N at the end of boot (default 0)
 *   panic    divide by zero at the end of boot, to test the exception path
 *   fault=K  raise an exception at the end of boot instead: de (divide
 *            error, as "panic"), ud (invalid opcode), gp (general
 *            protection), pf (page fault), tf (triple fault); or init: an
 *            INIT IPI to every CPU, the boot CPU included, after which all
 *            wait for a start-up IPI that nobody sends
 *   mbinfo   dump the raw multiboot information during boot
 *   reboot=cf9|kbd  reset the machine at the end instead of exiting: through
 *            the reset control register at port 0xcf9, or the keyboard
 *            controller (as Linux's reboot=pci and reboot=kbd)
 *   acpi=off take the CPUs and the I/O APIC from the MP table, not ACPI's MADT
 *   noapic   do not use the I/O APIC: IRQ0 stays on the 8259A (through the
 *            boot CPU's LINT0); local APIC timers and SMP as usual
 *   selftest run the SMP self-tests after bring-up (kernel/selftest.c);
 *            selftest=V1,V2 also runs the debug variants nolock,
 *            noshootdown, norcu and falseshare (kernel/test_false_sharing.c);
 *            selftest=only,V1 runs the variants' tests alone
 *   procint  print /proc/interrupts right after bring-up as well
 *   badmmio  read and write 0xfed00000 at the end of boot, where no device of
 *            smpsim's PC decodes (a master abort; QEMU has its HPET there)
 *   pci=nomsi     no MSI or MSI-X: PCI devices use INTx (through the I/O APIC)
 *   replay, procnet, rxwork=N, ip=A.B.C.D, igb.msix=0, igb.queues=N, igb.itr=US
 *            network options, parsed by net_parse_option() (net/core/dev.c)
 *
 * Unknown words are reported and ignored.
 */

#include "asm/traps.h"
#include "ctype.h"
#include "kernel.h"
#include "netdevice.h"
#include "nf_conntrack.h"
#include "nf_nat.h"
#include "pci.h"
#include "setup.h"
#include "string.h"

struct boot_options boot_options;

static const char *const fault_names[] = {
	[TRIGGER_DIVIDE_ERROR] = "de",
	[TRIGGER_INVALID_OPCODE] = "ud",
	[TRIGGER_GENERAL_PROTECTION] = "gp",
	[TRIGGER_PAGE_FAULT] = "pf",
	[TRIGGER_TRIPLE_FAULT] = "tf",
	[TRIGGER_STRAY_INIT] = "init",
};

const char *fault_name(int kind)
{
	if (kind < 0 || kind >= (int)ARRAY_SIZE(fault_names))
		return "none";
	return fault_names[kind];
}

static int parse_fault(const char *value, size_t len)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(fault_names); i++) {
		if (strlen(fault_names[i]) == len && !strncmp(value, fault_names[i], len))
			return i;
	}
	return -1;
}

/* Returns true if the word (len bytes at word) is name, or name=... */
static bool option_is(const char *word, size_t len, const char *name, const char **value)
{
	size_t n = strlen(name);

	if (len < n || strncmp(word, name, n) != 0)
		return false;
	if (len == n) {
		*value = NULL;
		return true;
	}
	if (word[n] == '=') {
		*value = word + n + 1;
		return true;
	}
	return false;
}

/* "nolock,noshootdown,norcu,falseshare,only": the comma-separated debug variants of selftest=. */
static void parse_selftest_variants(const char *p, const char *end)
{
	while (p < end) {
		const char *comma = p;
		size_t n;

		while (comma < end && *comma != ',')
			comma++;
		n = comma - p;
		if (n == 6 && !strncmp(p, "nolock", 6))
			boot_options.selftest_variants |= SELFTEST_NOLOCK;
		else if (n == 11 && !strncmp(p, "noshootdown", 11))
			boot_options.selftest_variants |= SELFTEST_NOSHOOTDOWN;
		else if (n == 5 && !strncmp(p, "norcu", 5))
			boot_options.selftest_variants |= SELFTEST_NORCU;
		else if (n == 10 && !strncmp(p, "falseshare", 10))
			boot_options.selftest_variants |= SELFTEST_FALSE_SHARING;
		else if (n == 4 && !strncmp(p, "only", 4))
			boot_options.selftest_only = true;
		else if (n)
			printk("Unknown selftest variant \"%.*s\" (nolock, noshootdown, norcu, falseshare, only), ignored\n",
			       (int)n, p);
		p = comma + 1;
	}
}

static void parse_option(const char *word, size_t len)
{
	const char *value;
	const char *end;

	if (option_is(word, len, "exit", &value) && value) {
		boot_options.exit_status = simple_strtoull(value, &end, 0);
		if (end == value || end != word + len)
			printk("Malformed option \"%.*s\", using exit status %u\n", (int)len, word,
			       boot_options.exit_status);
	} else if (option_is(word, len, "workload", &value) && value) {
		boot_options.workload_kib = simple_strtoull(value, &end, 0);
		if (end == value || end != word + len)
			printk("Malformed option \"%.*s\", ignored\n", (int)len, word);
	} else if (option_is(word, len, "halt", &value) && !value) {
		boot_options.halt = true;
	} else if (option_is(word, len, "panic", &value) && !value) {
		boot_options.fault = TRIGGER_DIVIDE_ERROR;
	} else if (option_is(word, len, "fault", &value) && value) {
		boot_options.fault = parse_fault(value, word + len - value);
		if (boot_options.fault < 0)
			printk("Unknown fault \"%.*s\" (de, ud, gp, pf), ignored\n", (int)len,
			       word);
	} else if (option_is(word, len, "acpi", &value) && value && !strncmp(value, "off", 3) &&
		   word + len == value + 3) {
		boot_options.acpi_off = true;
	} else if (option_is(word, len, "noapic", &value) && !value) {
		boot_options.noapic = true;
	} else if (option_is(word, len, "selftest", &value)) {
		boot_options.selftest = true;
		if (value)
			parse_selftest_variants(value, word + len);
	} else if (option_is(word, len, "irqaffinity", &value) && value) {
		unsigned long long irq = simple_strtoull(value, &end, 0), cpu;

		if (end == value || *end != ':' || irq >= 16) {
			printk("Malformed option \"%.*s\", ignored\n", (int)len, word);
			return;
		}
		value = end + 1;
		cpu = simple_strtoull(value, &end, 0);
		if (end == value || end != word + len) {
			printk("Malformed option \"%.*s\", ignored\n", (int)len, word);
			return;
		}
		boot_options.irq_affinity[irq] = (int)cpu;
	} else if (option_is(word, len, "procint", &value) && !value) {
		boot_options.procint = true;
	} else if (option_is(word, len, "reboot", &value) && value) {
		size_t n = word + len - value;

		if (n == 3 && !strncmp(value, "cf9", 3))
			boot_options.reboot = REBOOT_CF9;
		else if (n == 3 && !strncmp(value, "kbd", 3))
			boot_options.reboot = REBOOT_KBD;
		else
			printk("Unknown reboot type \"%.*s\" (cf9, kbd), ignored\n", (int)n, value);
	} else if (option_is(word, len, "badmmio", &value) && !value) {
		boot_options.bad_mmio = true;
	} else if (option_is(word, len, "mbinfo", &value) && !value) {
		boot_options.mbinfo = true;
	} else if (option_is(word, len, "pci", &value) && value && word + len == value + 5 &&
		   !strncmp(value, "nomsi", 5)) {
		pci_nomsi = true;
	} else if (net_parse_option(word, len) || nf_ct_tcp_parse_option(word, len) ||
		   nf_nat_parse_option(word, len)) {
		/* parsed there */
	} else {
		printk("Unknown kernel command line option \"%.*s\", ignored\n", (int)len, word);
	}
}

void parse_boot_options(const char *cmdline)
{
	const char *p = cmdline;

	unsigned int irq;

	memset(&boot_options, 0, sizeof(boot_options));
	net_options_init();
	pci_nomsi = false;
	boot_options.fault = -1;
	for (irq = 0; irq < ARRAY_SIZE(boot_options.irq_affinity); irq++)
		boot_options.irq_affinity[irq] = -1;
	while (*p) {
		const char *word;

		while (isspace(*p))
			p++;
		word = p;
		while (*p && !isspace(*p))
			p++;
		if (p > word)
			parse_option(word, p - word);
	}
}
