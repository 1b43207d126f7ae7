#ifndef _GUEST_MM_H
#define _GUEST_MM_H

#include "asm/processor-flags.h"
#include "types.h"

#define PFN_UP(x) (((x) + PAGE_SIZE - 1) >> PAGE_SHIFT)
#define PFN_DOWN(x) ((x) >> PAGE_SHIFT)
#define PFN_PHYS(x) ((phys_addr_t)(x) << PAGE_SHIFT)

/* The physical allocator only manages memory the boot page tables map. */
#define MAX_MANAGED_PHYS 0x100000000ULL

/* Linker script symbols. */
extern char _text[], _etext[], __rodata_start[], __rodata_end[], _sdata[], _edata[];
extern char __bss_start[], __bss_stop[], _end[];

/* Marks [start, end) as not allocatable. Only before page_alloc_init(). */
void mem_reserve(phys_addr_t start, phys_addr_t end);
/* Builds the allocator from e820_table and the reservations. */
void page_alloc_init(void);
void mem_print_summary(void);
void page_alloc_selftest(void);

/* Returns the lowest free page (not zeroed), or NULL. */
void *alloc_page(void);
void *get_zeroed_page(void);
void free_page(void *addr);
/* nr physically contiguous pages (first fit), or NULL. */
void *alloc_pages_contig(unsigned long nr);
void free_pages_contig(void *addr, unsigned long nr);
unsigned long nr_free_pages(void);

#endif /* _GUEST_MM_H */
