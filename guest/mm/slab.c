/*
 * Slab-style object caches: see include/slab.h.
 */

#include "slab.h"
#include "asm/processor.h"
#include "cpumask.h"
#include "kernel.h"
#include "mm.h"

#define OBJ_BATCH 16

void *kmem_cache_alloc(struct kmem_cache *c)
{
	unsigned long flags = local_irq_save();
	struct kmem_magazine *m = &c->cpu[smp_processor_id()];
	struct kmem_free_obj *obj;

	if (!m->head) {
		unsigned int n;

		spin_lock(&c->lock);
		for (n = 0; n < OBJ_BATCH && c->free; n++) {
			obj = c->free;
			c->free = obj->next;
			c->nr_free--;
			obj->next = m->head;
			m->head = obj;
			m->count++;
		}
		if (!m->head)
			c->failures++;
		spin_unlock(&c->lock);
	}
	obj = m->head;
	if (obj) {
		m->head = obj->next;
		m->count--;
	}
	local_irq_restore(flags);
	return obj;
}

void kmem_cache_free(struct kmem_cache *c, void *p)
{
	unsigned long flags = local_irq_save();
	struct kmem_magazine *m = &c->cpu[smp_processor_id()];
	struct kmem_free_obj *obj = p;

	obj->next = m->head;
	m->head = obj;
	if (++m->count > 2 * OBJ_BATCH) {
		unsigned int n;

		spin_lock(&c->lock);
		for (n = 0; n < OBJ_BATCH; n++) {
			obj = m->head;
			m->head = obj->next;
			m->count--;
			obj->next = c->free;
			c->free = obj;
			c->nr_free++;
		}
		spin_unlock(&c->lock);
	}
	local_irq_restore(flags);
}

unsigned int kmem_cache_grow(struct kmem_cache *c, unsigned int nr)
{
	unsigned int per_page = PAGE_SIZE / c->size;
	unsigned int added = 0;

	while (added < nr) {
		u8 *page = alloc_page();
		unsigned long flags;
		unsigned int i;

		if (!page) {
			printk(MACHINE_DEPENDENT "slab: %s cache: out of pages after %u objects\n",
			       c->name, added);
			break;
		}
		flags = spin_lock_irqsave(&c->lock);
		for (i = 0; i < per_page; i++) {
			struct kmem_free_obj *obj = (struct kmem_free_obj *)(page + i * c->size);

			obj->next = c->free;
			c->free = obj;
			c->nr_free++;
		}
		c->total += per_page;
		spin_unlock_irqrestore(&c->lock, flags);
		added += per_page;
	}
	return added;
}

unsigned int kmem_cache_in_use(struct kmem_cache *c)
{
	unsigned long flags = spin_lock_irqsave(&c->lock);
	unsigned int free = c->nr_free, cpu;

	for_each_possible_cpu(cpu) free += READ_ONCE(c->cpu[cpu].count);
	spin_unlock_irqrestore(&c->lock, flags);
	return c->total - free;
}
