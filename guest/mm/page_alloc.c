/*
 * Physical page allocator: one bit per 4 KiB page frame below the highest
 * usable address (at most 4 GiB, the part the boot page tables map). A set
 * bit means the frame is not available: a hole, reserved by the firmware,
 * below 1 MiB, part of the kernel image, the boot loader's structures, the
 * bitmap itself, or allocated. Allocation takes the lowest free frame, so the
 * sequence of pages handed out depends only on the memory map.
 */

#include "asm/io.h"
#include "e820.h"
#include "kernel.h"
#include "mm.h"
#include "string.h"

#define BITS_PER_LONG 64
#define MAX_RESERVED 32
#define LOW_MEMORY_END 0x100000

struct mem_range {
	phys_addr_t start;
	phys_addr_t end;
};

static struct mem_range reserved[MAX_RESERVED];
static unsigned int nr_reserved;

static unsigned long *page_bitmap;
static unsigned long bitmap_longs;
static unsigned long max_pfn;
static unsigned long free_pages;
static unsigned long next_free_hint;

void mem_reserve(phys_addr_t start, phys_addr_t end)
{
	if (end <= start)
		return;
	if (page_bitmap)
		panic("mem_reserve(%#llx, %#llx) after page_alloc_init()", start, end);
	if (nr_reserved == MAX_RESERVED)
		panic("mem_reserve: more than %d reserved ranges", MAX_RESERVED);
	reserved[nr_reserved].start = start;
	reserved[nr_reserved].end = end;
	nr_reserved++;
}

static void set_bits(unsigned long start, unsigned long end)
{
	for (; start < end && start % BITS_PER_LONG; start++)
		page_bitmap[start / BITS_PER_LONG] |= 1UL << (start % BITS_PER_LONG);
	for (; start + BITS_PER_LONG <= end; start += BITS_PER_LONG)
		page_bitmap[start / BITS_PER_LONG] = ~0UL;
	for (; start < end; start++)
		page_bitmap[start / BITS_PER_LONG] |= 1UL << (start % BITS_PER_LONG);
}

static void clear_bits(unsigned long start, unsigned long end)
{
	for (; start < end && start % BITS_PER_LONG; start++)
		page_bitmap[start / BITS_PER_LONG] &= ~(1UL << (start % BITS_PER_LONG));
	for (; start + BITS_PER_LONG <= end; start += BITS_PER_LONG)
		page_bitmap[start / BITS_PER_LONG] = 0;
	for (; start < end; start++)
		page_bitmap[start / BITS_PER_LONG] &= ~(1UL << (start % BITS_PER_LONG));
}

static bool test_bit(unsigned long nr)
{
	return (page_bitmap[nr / BITS_PER_LONG] >> (nr % BITS_PER_LONG)) & 1;
}

/* Index of the lowest clear bit in word, which must not be ~0. */
static unsigned long first_zero_bit(unsigned long word)
{
	unsigned long bit;

	__asm__("bsfq %1, %0" : "=r"(bit) : "r"(~word));
	return bit;
}

static unsigned long count_zero_bits(void)
{
	unsigned long i, count = 0;

	for (i = 0; i < bitmap_longs; i++) {
		unsigned long word = ~page_bitmap[i];

		while (word) {
			word &= word - 1;
			count++;
		}
	}
	return count;
}

/* Clamps [start, end) to what the allocator may manage; false if empty. */
static bool clamp_range(phys_addr_t *start, phys_addr_t *end)
{
	if (*end > MAX_MANAGED_PHYS)
		*end = MAX_MANAGED_PHYS;
	return *start < *end;
}

static bool overlaps_reserved(phys_addr_t start, phys_addr_t end, phys_addr_t *next)
{
	unsigned int i;

	for (i = 0; i < nr_reserved; i++) {
		if (start < reserved[i].end && reserved[i].start < end) {
			*next = reserved[i].end;
			return true;
		}
	}
	return false;
}

/* Finds page-aligned room for size bytes in usable RAM, clear of reservations. */
static phys_addr_t find_bitmap_room(unsigned long size)
{
	phys_addr_t want = ALIGN_UP((phys_addr_t)virt_to_phys(_end), PAGE_SIZE);
	unsigned int i;

	for (i = 0; i < e820_table.nr_entries; i++) {
		const struct e820_entry *entry = &e820_table.entries[i];
		phys_addr_t start = ALIGN_UP(entry->addr, PAGE_SIZE);
		phys_addr_t end = entry->addr + entry->size;
		phys_addr_t next;

		if (entry->type != E820_TYPE_RAM || !clamp_range(&start, &end))
			continue;
		if (start < want)
			start = want;
		while (start + size <= end) {
			if (!overlaps_reserved(start, start + size, &next))
				return start;
			start = ALIGN_UP(next, PAGE_SIZE);
		}
	}
	panic("No room for the page allocator bitmap (%lu bytes)", size);
}

void page_alloc_init(void)
{
	unsigned long bitmap_bytes;
	phys_addr_t bitmap_phys;
	unsigned int i;

	mem_reserve(0, LOW_MEMORY_END);
	mem_reserve(virt_to_phys(_text), virt_to_phys(_end));

	for (i = 0; i < e820_table.nr_entries; i++) {
		const struct e820_entry *entry = &e820_table.entries[i];
		phys_addr_t start = entry->addr, end = entry->addr + entry->size;

		if (entry->type == E820_TYPE_RAM && clamp_range(&start, &end) &&
		    PFN_DOWN(end) > max_pfn)
			max_pfn = PFN_DOWN(end);
	}
	if (!max_pfn)
		panic("No usable RAM in the memory map");

	bitmap_longs = (max_pfn + BITS_PER_LONG - 1) / BITS_PER_LONG;
	bitmap_bytes = ALIGN_UP(bitmap_longs * sizeof(unsigned long), PAGE_SIZE);
	bitmap_phys = find_bitmap_room(bitmap_bytes);
	mem_reserve(bitmap_phys, bitmap_phys + bitmap_bytes);

	page_bitmap = phys_to_virt(bitmap_phys);
	memset(page_bitmap, 0xff, bitmap_longs * sizeof(unsigned long));

	/* Whole frames of usable RAM become free... */
	for (i = 0; i < e820_table.nr_entries; i++) {
		const struct e820_entry *entry = &e820_table.entries[i];
		phys_addr_t start = entry->addr, end = entry->addr + entry->size;

		if (entry->type == E820_TYPE_RAM && clamp_range(&start, &end) &&
		    PFN_UP(start) < PFN_DOWN(end))
			clear_bits(PFN_UP(start), PFN_DOWN(end));
	}
	/* ...then anything else in the map or reserved is taken back out. */
	for (i = 0; i < e820_table.nr_entries; i++) {
		const struct e820_entry *entry = &e820_table.entries[i];
		phys_addr_t start = entry->addr, end = entry->addr + entry->size;

		if (entry->type != E820_TYPE_RAM && clamp_range(&start, &end) &&
		    PFN_DOWN(start) < max_pfn)
			set_bits(PFN_DOWN(start), min(PFN_UP(end), max_pfn));
	}
	for (i = 0; i < nr_reserved; i++) {
		phys_addr_t start = reserved[i].start, end = reserved[i].end;

		if (clamp_range(&start, &end) && PFN_DOWN(start) < max_pfn)
			set_bits(PFN_DOWN(start), min(PFN_UP(end), max_pfn));
	}

	free_pages = count_zero_bits();
	next_free_hint = 0;
}

void mem_print_summary(void)
{
	unsigned long code = _etext - _text;
	unsigned long rodata = __rodata_end - __rodata_start;
	unsigned long data = _edata - _sdata;
	unsigned long bss = __bss_stop - __bss_start;

	printk("Memory: %luk/%luk available (%luk kernel code, %luk reserved, %luk data, "
	       "%luk rodata, %luk bss)\n",
	       free_pages << (PAGE_SHIFT - 10), max_pfn << (PAGE_SHIFT - 10), code >> 10,
	       (max_pfn - free_pages) << (PAGE_SHIFT - 10), data >> 10, rodata >> 10, bss >> 10);
}

void *alloc_page(void)
{
	unsigned long i;

	for (i = next_free_hint / BITS_PER_LONG; i < bitmap_longs; i++) {
		unsigned long pfn;

		if (page_bitmap[i] == ~0UL)
			continue;
		pfn = i * BITS_PER_LONG + first_zero_bit(page_bitmap[i]);
		if (pfn >= max_pfn)
			break;
		page_bitmap[i] |= 1UL << (pfn % BITS_PER_LONG);
		free_pages--;
		next_free_hint = pfn + 1;
		return phys_to_virt(PFN_PHYS(pfn));
	}
	next_free_hint = max_pfn;
	return NULL;
}

void *alloc_pages_contig(unsigned long nr)
{
	unsigned long start, pfn;

	for (start = 0; start + nr <= max_pfn; start = pfn + 1) {
		for (pfn = start; pfn < start + nr; pfn++) {
			if (test_bit(pfn))
				break;
		}
		if (pfn == start + nr) {
			set_bits(start, start + nr);
			free_pages -= nr;
			return phys_to_virt(PFN_PHYS(start));
		}
	}
	return NULL;
}

void free_pages_contig(void *addr, unsigned long nr)
{
	unsigned long i;

	for (i = 0; i < nr; i++)
		free_page((char *)addr + i * PAGE_SIZE);
}

void *get_zeroed_page(void)
{
	void *page = alloc_page();

	if (page)
		memset(page, 0, PAGE_SIZE);
	return page;
}

void free_page(void *addr)
{
	phys_addr_t phys = virt_to_phys(addr);
	unsigned long pfn = PFN_DOWN(phys);

	if (phys % PAGE_SIZE || pfn >= max_pfn || !test_bit(pfn))
		panic("free_page: bad page %p", addr);
	page_bitmap[pfn / BITS_PER_LONG] &= ~(1UL << (pfn % BITS_PER_LONG));
	free_pages++;
	if (pfn < next_free_hint)
		next_free_hint = pfn;
}

unsigned long nr_free_pages(void)
{
	return free_pages;
}

#define SELFTEST_PAGES 16

/*
 * Allocates a few pages, checks they are distinct usable frames that keep
 * what is written to them, frees them and checks the allocator is back
 * where it started.
 */
void page_alloc_selftest(void)
{
	unsigned long *pages[SELFTEST_PAGES];
	unsigned long before = free_pages;
	unsigned long last = PAGE_SIZE / sizeof(unsigned long) - 1;
	unsigned int i, j;
	void *again;

	for (i = 0; i < SELFTEST_PAGES; i++) {
		phys_addr_t phys;

		pages[i] = alloc_page();
		if (!pages[i])
			panic("Page allocator self-test: out of memory after %u pages", i);
		phys = virt_to_phys(pages[i]);
		if (phys % PAGE_SIZE || phys < LOW_MEMORY_END ||
		    (phys < virt_to_phys(_end) && phys + PAGE_SIZE > virt_to_phys(_text)))
			panic("Page allocator self-test: bad page %#llx", phys);
		for (j = 0; j < i; j++) {
			if (pages[j] == pages[i])
				panic("Page allocator self-test: page %#llx handed out twice",
				      phys);
		}
		pages[i][0] = phys ^ 0x5a5a5a5a5a5a5a5aUL;
		pages[i][last] = ~phys;
	}
	for (i = 0; i < SELFTEST_PAGES; i++) {
		phys_addr_t phys = virt_to_phys(pages[i]);

		if (pages[i][0] != (phys ^ 0x5a5a5a5a5a5a5a5aUL) || pages[i][last] != ~phys)
			panic("Page allocator self-test: page %#llx lost its contents", phys);
	}
	if (free_pages != before - SELFTEST_PAGES)
		panic("Page allocator self-test: free count %lu, expected %lu", free_pages,
		      before - SELFTEST_PAGES);
	for (i = SELFTEST_PAGES; i-- > 0;)
		free_page(pages[i]);
	if (free_pages != before)
		panic("Page allocator self-test: free count %lu after freeing, expected %lu",
		      free_pages, before);
	again = alloc_page();
	if (again != pages[0])
		panic("Page allocator self-test: lowest free page not reused");
	free_page(again);
	printk("Page allocator self-test passed: %d pages from %#llx\n", SELFTEST_PAGES,
	       virt_to_phys(pages[0]));
}
