#ifndef _GUEST_ASM_TLBFLUSH_H
#define _GUEST_ASM_TLBFLUSH_H

/*
 * 4K kernel mappings and TLB shootdown.
 *
 * The boot page tables map 0-4 GiB with 2 MiB pages and nothing else. The
 * "kmap window" is one more 2 MiB region of virtual addresses, at
 * KMAP_WINDOW_BASE (above the identity map, so it aliases nothing), backed
 * by a page directory and a 4K page table of its own: each of its 512 pages
 * can be mapped to any physical page and unmapped again.
 *
 * A CPU may keep a translation in its TLB after the PTE is gone, until it
 * executes invlpg for that page (or reloads CR3). Every CPU can have cached
 * a kernel mapping, so unmapping one (clear_kmap_pte + flush_tlb_kernel_page)
 * invalidates it locally and then, through the call-function IPI, on every
 * other online CPU, and returns once they all have done so: the TLB
 * shootdown.
 */

#include "../types.h"

#define KMAP_WINDOW_BASE 0x140000000UL /* 5 GiB: PML4[0], PDPT[5], PD[0] */
#define KMAP_WINDOW_SIZE 0x200000UL
#define KMAP_WINDOW_PAGES (KMAP_WINDOW_SIZE >> 12)

#define _PAGE_ACCESSED 0x020
#define _PAGE_DIRTY 0x040
#define PTE_PFN_MASK 0x000ffffffffff000ULL

typedef u64 pte_t;

static inline void __flush_tlb_one(unsigned long addr)
{
	__asm__ __volatile__("invlpg (%0)" : : "r"(addr) : "memory");
}

/* Builds the window's page directory and page table (boot CPU, before the APs start). */
void kmap_window_init(void);
/* Maps the window page at vaddr to phys (present, writable); false if vaddr is outside. */
bool set_kmap_pte(unsigned long vaddr, phys_addr_t phys);
/* Clears the PTE of vaddr, returns the old one. Flushes no TLB. */
pte_t clear_kmap_pte(unsigned long vaddr);
/* Unmaps vaddr and shoots it down on every CPU. */
void unmap_kmap_page(unsigned long vaddr);

/* invlpg here only. */
void flush_tlb_one_local(unsigned long addr);
/* invlpg here and on every other online CPU; returns when all are done. */
void flush_tlb_kernel_page(unsigned long addr);
/* Same as flush_tlb_kernel_page (Linux's name for a page of one address space). */
void flush_tlb_page(unsigned long addr);

#endif /* _GUEST_ASM_TLBFLUSH_H */
