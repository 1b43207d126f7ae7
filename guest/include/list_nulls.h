#ifndef _GUEST_LIST_NULLS_H
#define _GUEST_LIST_NULLS_H

/*
 * hlist_nulls, after Linux's include/linux/list_nulls.h: an hlist whose end is
 * not NULL but a "nulls" marker, an odd value that carries the number of the
 * chain (bucket). A lock-free reader that ends on a marker of another chain
 * knows its entry moved while it walked, and restarts.
 */

#include "types.h"

struct hlist_nulls_head {
	struct hlist_nulls_node *first;
};

struct hlist_nulls_node {
	struct hlist_nulls_node *next, **pprev;
};

#define NULLS_MARKER(value) (1UL | (((long)(value)) << 1))
#define INIT_HLIST_NULLS_HEAD(ptr, nulls)                                                          \
	((ptr)->first = (struct hlist_nulls_node *)NULLS_MARKER(nulls))

static inline int is_a_nulls(const struct hlist_nulls_node *ptr)
{
	return ((unsigned long)ptr & 1);
}

static inline unsigned long get_nulls_value(const struct hlist_nulls_node *ptr)
{
	return ((unsigned long)ptr) >> 1;
}

static inline int hlist_nulls_unhashed(const struct hlist_nulls_node *h)
{
	return !h->pprev;
}

#endif /* _GUEST_LIST_NULLS_H */
