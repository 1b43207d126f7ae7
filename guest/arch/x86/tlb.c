/*
 * The kmap window (4K PTEs in one 2 MiB region) and TLB shootdown.
 */

#include "asm/io.h"
#include "asm/irq.h"
#include "asm/percpu.h"
#include "asm/processor.h"
#include "asm/tlbflush.h"
#include "barrier.h"
#include "kernel.h"
#include "mm.h"
#include "smp.h"

#define PTRS_PER_TABLE 512

static pte_t *kmap_pte; /* the window's page table */

static u64 *table_of(u64 entry)
{
	return phys_to_virt(entry & PTE_PFN_MASK);
}

void kmap_window_init(void)
{
	u64 *pml4 = phys_to_virt(read_cr3() & PTE_PFN_MASK);
	u64 *pdpt = table_of(pml4[0]);
	unsigned int pdpt_index = (KMAP_WINDOW_BASE >> 30) & (PTRS_PER_TABLE - 1);
	unsigned int pd_index = (KMAP_WINDOW_BASE >> 21) & (PTRS_PER_TABLE - 1);
	u64 *pd;

	if (pdpt[pdpt_index] & _PAGE_PRESENT)
		panic("kmap window: PDPT[%u] is in use", pdpt_index);
	pd = get_zeroed_page();
	kmap_pte = get_zeroed_page();
	if (!pd || !kmap_pte)
		panic("kmap window: no memory for its page tables");
	pd[pd_index] = virt_to_phys(kmap_pte) | _PAGE_PRESENT | _PAGE_RW;
	/* A not-present entry is never cached: making it present needs no flush. */
	WRITE_ONCE(pdpt[pdpt_index], virt_to_phys(pd) | _PAGE_PRESENT | _PAGE_RW);
}

static pte_t *kmap_pte_of(unsigned long vaddr)
{
	if (!kmap_pte || vaddr < KMAP_WINDOW_BASE || vaddr >= KMAP_WINDOW_BASE + KMAP_WINDOW_SIZE)
		return NULL;
	return &kmap_pte[(vaddr - KMAP_WINDOW_BASE) >> PAGE_SHIFT];
}

bool set_kmap_pte(unsigned long vaddr, phys_addr_t phys)
{
	pte_t *pte = kmap_pte_of(vaddr);

	if (!pte)
		return false;
	WRITE_ONCE(*pte, (phys & PTE_PFN_MASK) | _PAGE_PRESENT | _PAGE_RW);
	return true;
}

pte_t clear_kmap_pte(unsigned long vaddr)
{
	pte_t *pte = kmap_pte_of(vaddr);

	if (!pte)
		return 0;
	/* xchg: the hardware may set A/D meanwhile; the old value says whether it did. */
	return xchg(pte, 0);
}

void flush_tlb_one_local(unsigned long addr)
{
	__flush_tlb_one(addr);
}

static void do_flush_tlb_one(void *info)
{
	this_cpu_inc(irq_stat.irq_tlb_count);
	__flush_tlb_one((unsigned long)info);
}

void flush_tlb_kernel_page(unsigned long addr)
{
	/*
	 * The PTE store is globally visible before the IPI goes out: the queue
	 * insertion is a locked cmpxchg. Each target invalidates in its
	 * interrupt handler, and we wait for all of them.
	 */
	__flush_tlb_one(addr);
	smp_call_function(do_flush_tlb_one, (void *)addr, true);
}

void flush_tlb_page(unsigned long addr)
{
	flush_tlb_kernel_page(addr);
}

void unmap_kmap_page(unsigned long vaddr)
{
	clear_kmap_pte(vaddr);
	flush_tlb_kernel_page(vaddr);
}
