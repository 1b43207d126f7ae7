/*
 * TLB shootdown: a kernel page unmapped on one CPU is unreachable from every
 * CPU afterwards; selftest=noshootdown skips the shootdown and reports the stale entries.
 */

#include "asm/extable.h"
#include "asm/io.h"
#include "asm/tlbflush.h"
#include "kernel.h"
#include "mm.h"
#include "selftest.h"
#include "setup.h"
#include "smp.h"
#include "string.h"

#define TLB_TEST_VADDR (KMAP_WINDOW_BASE + 7 * PAGE_SIZE)
#define TLB_PATTERN 0x5eed5eed00000000ULL
#define TLB_REUSED 0xdeadbeef0badf00dULL

struct tlb_probe {
	int err;
	u64 val;
	unsigned long fault_addr;
};

static struct tlb_probe tlb_probes[NR_CPUS];

static void tlb_probe_worker(void *arg)
{
	struct tlb_probe *p = &tlb_probes[smp_processor_id()];

	p->err = probe_read_u64((const volatile u64 *)TLB_TEST_VADDR, &p->val);
	p->fault_addr = p->err ? this_cpu_read(fixup_fault_addr) : 0;
}

/* Maps the test page, has every CPU read it; NULL or why not. */
static const char *tlb_map_and_read(u64 *page, u64 pattern)
{
	unsigned int cpu;

	WRITE_ONCE(page[0], pattern);
	if (!set_kmap_pte(TLB_TEST_VADDR, virt_to_phys(page)))
		return "set_kmap_pte failed";
	memset(tlb_probes, 0, sizeof(tlb_probes));
	run_on_each_cpu(tlb_probe_worker, NULL);
	for_each_online_cpu(cpu)
	{
		if (tlb_probes[cpu].err || tlb_probes[cpu].val != pattern)
			return "a CPU could not read the mapped page";
	}
	return NULL;
}

static void test_tlb(void)
{
	u64 *page = get_zeroed_page();
	unsigned int cpu, faulted = 0;
	const char *bad;

	if (!page) {
		selftest_report("tlb", false, "no memory");
		return;
	}
	bad = tlb_map_and_read(page, TLB_PATTERN + 1);
	if (bad) {
		selftest_report("tlb", false, "%s", bad);
		unmap_kmap_page(TLB_TEST_VADDR);
		free_page(page);
		return;
	}
	unmap_kmap_page(TLB_TEST_VADDR);
	/* The page is "reused": a stale translation would now show the new contents. */
	WRITE_ONCE(page[0], TLB_REUSED);
	memset(tlb_probes, 0, sizeof(tlb_probes));
	run_on_each_cpu(tlb_probe_worker, NULL);
	for_each_online_cpu(cpu)
	{
		if (tlb_probes[cpu].err == -EFAULT &&
		    tlb_probes[cpu].fault_addr == TLB_TEST_VADDR) {
			faulted++;
			continue;
		}
		if (!bad)
			bad = "";
		if (!tlb_probes[cpu].err)
			printk(MACHINE_DEPENDENT "tlb: CPU%u read %#llx after the unmap\n", cpu,
			       tlb_probes[cpu].val);
		else
			printk(MACHINE_DEPENDENT "tlb: CPU%u faulted at %#lx, not at %#lx\n", cpu,
			       tlb_probes[cpu].fault_addr, TLB_TEST_VADDR);
	}
	selftest_report("tlb", !bad, "%u of %u CPUs faulted on the unmapped page", faulted,
			selftest_nr_cpus);
	free_page(page);
}

static void test_tlb_noshootdown(void)
{
	u64 *page = get_zeroed_page();
	unsigned int cpu, self = smp_processor_id(), stale = 0;
	const char *bad;

	if (!page) {
		printk("selftest tlb-noshootdown: no memory\n");
		return;
	}
	bad = tlb_map_and_read(page, TLB_PATTERN + 2);
	if (bad) {
		printk("selftest tlb-noshootdown: %s\n", bad);
		unmap_kmap_page(TLB_TEST_VADDR);
		free_page(page);
		return;
	}
	/* Unmapped here only: the other CPUs keep whatever their TLBs hold. */
	clear_kmap_pte(TLB_TEST_VADDR);
	flush_tlb_one_local(TLB_TEST_VADDR);
	WRITE_ONCE(page[0], TLB_REUSED);
	memset(tlb_probes, 0, sizeof(tlb_probes));
	run_on_each_cpu(tlb_probe_worker, NULL);
	for_each_online_cpu(cpu)
	{
		if (!tlb_probes[cpu].err) {
			if (cpu != self)
				stale++;
			printk(MACHINE_DEPENDENT
			       "tlb-noshootdown: CPU%u read %#llx through a stale "
			       "TLB entry%s\n",
			       cpu, tlb_probes[cpu].val,
			       tlb_probes[cpu].val == TLB_REUSED ? " (the page's new contents)"
								 : "");
		} else {
			printk(MACHINE_DEPENDENT "tlb-noshootdown: CPU%u faulted at %#lx\n", cpu,
			       tlb_probes[cpu].fault_addr);
		}
	}
	printk("selftest tlb-noshootdown: %u of %u other CPUs read the unmapped page through a "
	       "stale "
	       "TLB entry\n",
	       stale, selftest_nr_cpus - 1);
	/* Clean up: now shoot the stale entries down. */
	flush_tlb_kernel_page(TLB_TEST_VADDR);
	free_page(page);
}

DEFINE_SELFTEST(selftest_tlb, "tlb", test_tlb, 0);
DEFINE_SELFTEST(selftest_tlb_noshootdown, "tlb-noshootdown", test_tlb_noshootdown,
		SELFTEST_NOSHOOTDOWN);
