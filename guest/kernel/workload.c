/*
 * A CPU-bound workload for benchmarks and cross-checks. "workload=KIB" fills
 * a KIB-KiB buffer from a xorshift generator, checksums it with a bitwise
 * CRC-32, sorts it as 32-bit keys with heapsort and checks the order. Its
 * results do not depend on the machine, so QEMU and smpsim print the same
 * lines; only the time they take differs.
 */

#include "kernel.h"
#include "mm.h"
#include "workload.h"

static u64 xorshift64(u64 *state)
{
	u64 x = *state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*state = x;
	return x;
}

static u32 crc32_bitwise(const u8 *data, unsigned long len)
{
	u32 crc = ~0U;
	unsigned long i;
	int bit;

	for (i = 0; i < len; i++) {
		crc ^= data[i];
		for (bit = 0; bit < 8; bit++)
			crc = (crc >> 1) ^ (0xedb88320U & -(crc & 1));
	}
	return ~crc;
}

static void sift_down(u32 *a, unsigned long root, unsigned long n)
{
	for (;;) {
		unsigned long child = 2 * root + 1;
		u32 tmp;

		if (child >= n)
			return;
		if (child + 1 < n && a[child + 1] > a[child])
			child++;
		if (a[root] >= a[child])
			return;
		tmp = a[root];
		a[root] = a[child];
		a[child] = tmp;
		root = child;
	}
}

static void heapsort_u32(u32 *a, unsigned long n)
{
	unsigned long i;

	if (n < 2)
		return;
	for (i = n / 2; i-- > 0;)
		sift_down(a, i, n);
	for (i = n - 1; i > 0; i--) {
		u32 tmp = a[0];

		a[0] = a[i];
		a[i] = tmp;
		sift_down(a, 0, i);
	}
}

void run_workload(unsigned long kib)
{
	unsigned long pages = (kib * 1024 + PAGE_SIZE - 1) / PAGE_SIZE;
	unsigned long n = kib * 1024 / sizeof(u32);
	u64 state = 0x9e3779b97f4a7c15ULL;
	u64 weighted = 0;
	unsigned long i;
	u32 *keys;
	u32 crc;

	keys = alloc_pages_contig(pages);
	if (!keys) {
		printk("workload: no room for %lu KiB\n", kib);
		return;
	}
	for (i = 0; i < n; i++)
		keys[i] = (u32)(xorshift64(&state) >> 16);
	crc = crc32_bitwise((const u8 *)keys, n * sizeof(u32));
	heapsort_u32(keys, n);
	for (i = 1; i < n; i++) {
		if (keys[i - 1] > keys[i]) {
			printk("workload: FAIL, keys %lu and %lu out of order\n", i - 1, i);
			break;
		}
	}
	for (i = 0; i < n; i++)
		weighted += (u64)keys[i] * (i + 1);
	printk("workload: %lu KiB, crc32 %08x, sorted %lu keys, weighted sum %016llx\n", kib, crc,
	       n, (unsigned long long)weighted);
	free_pages_contig(keys, pages);
}
