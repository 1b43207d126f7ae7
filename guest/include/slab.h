#ifndef _GUEST_SLAB_H
#define _GUEST_SLAB_H

/*
 * Slab-style object caches (mm/slab.c), one per object size, in the spirit of
 * Linux's kmem_cache with SLUB's per-CPU free lists: a global free list under
 * a spinlock and, per CPU, a magazine of free objects that only that CPU
 * touches (with interrupts off), so an alloc/free pair on one CPU touches no
 * shared cache line. A magazine that runs dry takes a batch from the global
 * list; one that grows past twice the batch gives a batch back. The page
 * allocator is neither SMP- nor interrupt-safe, so a cache grows only in
 * kmem_cache_grow(), from process context while nobody else allocates pages.
 */

#include "asm/percpu.h"
#include "compiler.h"
#include "cpumask.h"
#include "spinlock.h"
#include "types.h"

struct kmem_free_obj {
	struct kmem_free_obj *next;
};

struct kmem_magazine {
	struct kmem_free_obj *head;
	unsigned int count;
} __aligned(64);

struct kmem_cache {
	const char *name;
	unsigned int size; /* a power of two up to PAGE_SIZE, or a multiple of 64 */
	spinlock_t lock;
	struct kmem_free_obj *free; /* global list */
	unsigned int nr_free;
	unsigned int total;
	unsigned long failures;
	struct kmem_magazine cpu[NR_CPUS];
};

#define KMEM_CACHE_INIT(_name, _size)                                                              \
	{                                                                                          \
		.name = (_name), .size = (_size), .lock = __SPIN_LOCK_UNLOCKED                     \
	}

/* An object, or NULL (counted in failures). Any context. */
void *kmem_cache_alloc(struct kmem_cache *c);
void kmem_cache_free(struct kmem_cache *c, void *obj);
/* Adds at least nr objects from the page allocator; how many were added. Process context. */
unsigned int kmem_cache_grow(struct kmem_cache *c, unsigned int nr);
/* Objects handed out: exact only while no other CPU allocates or frees. */
unsigned int kmem_cache_in_use(struct kmem_cache *c);

static inline unsigned long kmem_cache_failures(const struct kmem_cache *c)
{
	return READ_ONCE(c->failures);
}

#endif /* _GUEST_SLAB_H */
