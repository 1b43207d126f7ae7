/*
 * sk_buff heads and data buffers from two slab-style object caches.
 *
 * Each cache keeps a global free list under a spinlock and, per CPU, a
 * magazine of free objects that only that CPU touches (with interrupts off),
 * so the common alloc/free pair of the receive path (a frame freed on the CPU
 * that received it) touches no shared cache line. A magazine that runs dry
 * takes a batch from the global list; one that grows past twice the batch
 * gives a batch back. The page allocator is not safe to call from several
 * CPUs or from interrupts, so the caches grow only in skb_pool_grow().
 */

#include "skbuff.h"
#include "asm/percpu.h"
#include "asm/processor.h"
#include "cpumask.h"
#include "kernel.h"
#include "mm.h"
#include "spinlock.h"
#include "string.h"

#define OBJ_BATCH 16

struct free_obj {
	struct free_obj *next;
};

struct obj_magazine {
	struct free_obj *head;
	unsigned int count;
} __aligned(64);

struct obj_cache {
	const char *name;
	unsigned int size;
	spinlock_t lock;
	struct free_obj *free; /* global list */
	unsigned int nr_free;
	unsigned int total;
	unsigned long failures;
	struct obj_magazine cpu[NR_CPUS];
};

static struct obj_cache skb_head_cache = { .name = "skbuff_head", .size = 64 };
static struct obj_cache skb_buf_cache = { .name = "skbuff_buf", .size = SKB_BUF_SIZE };

_Static_assert(sizeof(struct sk_buff) <= 64, "sk_buff must fit its 64-byte cache objects");

static void *cache_alloc(struct obj_cache *c)
{
	unsigned long flags = local_irq_save();
	struct obj_magazine *m = &c->cpu[smp_processor_id()];
	struct free_obj *obj;

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

static void cache_free(struct obj_cache *c, void *p)
{
	unsigned long flags = local_irq_save();
	struct obj_magazine *m = &c->cpu[smp_processor_id()];
	struct free_obj *obj = p;

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

static void cache_grow(struct obj_cache *c, unsigned int nr)
{
	unsigned int per_page = PAGE_SIZE / c->size;
	unsigned int added = 0;

	while (added < nr) {
		u8 *page = alloc_page();
		unsigned long flags;
		unsigned int i;

		if (!page) {
			printk(MACHINE_DEPENDENT "net: %s cache: out of pages after %u objects\n",
			       c->name, added);
			break;
		}
		flags = spin_lock_irqsave(&c->lock);
		for (i = 0; i < per_page; i++) {
			struct free_obj *obj = (struct free_obj *)(page + i * c->size);

			obj->next = c->free;
			c->free = obj;
			c->nr_free++;
		}
		c->total += per_page;
		spin_unlock_irqrestore(&c->lock, flags);
		added += per_page;
	}
}

void skb_pool_grow(unsigned int heads, unsigned int bufs)
{
	cache_grow(&skb_head_cache, heads);
	cache_grow(&skb_buf_cache, bufs);
}

unsigned long skb_alloc_failures(void)
{
	return READ_ONCE(skb_head_cache.failures) + READ_ONCE(skb_buf_cache.failures);
}

void *netdev_alloc_buf(void)
{
	return cache_alloc(&skb_buf_cache);
}

void netdev_free_buf(void *buf)
{
	cache_free(&skb_buf_cache, buf);
}

struct sk_buff *build_skb(void *buf, unsigned int len)
{
	struct sk_buff *skb = cache_alloc(&skb_head_cache);

	if (!skb)
		return NULL;
	/* A compound literal: gcc stores each field (zeroes included) directly, no memset call. */
	*skb = (struct sk_buff){ .head = buf, .data = buf, .len = len };
	return skb;
}

struct sk_buff *alloc_skb(unsigned int headroom)
{
	void *buf = netdev_alloc_buf();
	struct sk_buff *skb;

	if (!buf)
		return NULL;
	skb = build_skb(buf, 0);
	if (!skb) {
		netdev_free_buf(buf);
		return NULL;
	}
	skb->data += headroom;
	return skb;
}

void kfree_skb(struct sk_buff *skb)
{
	if (!skb)
		return;
	if (skb->head)
		netdev_free_buf(skb->head);
	cache_free(&skb_head_cache, skb);
}
