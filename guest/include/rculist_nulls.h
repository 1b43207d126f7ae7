#ifndef _GUEST_RCULIST_NULLS_H
#define _GUEST_RCULIST_NULLS_H

/*
 * hlist_nulls with RCU, after Linux's include/linux/rculist_nulls.h. Writers
 * hold the chain's lock; readers walk under rcu_read_lock() and must check the
 * nulls value they end on (get_nulls_value()) against the chain they started
 * from: an entry can move to another chain while they walk.
 */

#include "barrier.h"
#include "list.h"
#include "list_nulls.h"
#include "rcupdate.h"

#define hlist_nulls_first_rcu(head) (*((struct hlist_nulls_node **)&(head)->first))
#define hlist_nulls_next_rcu(node) (*((struct hlist_nulls_node **)&(node)->next))

#define hlist_nulls_entry(ptr, type, member) container_of(ptr, type, member)

/* Not RCU: for lists only their lock holders walk (the unconfirmed lists). */
static inline void hlist_nulls_add_head(struct hlist_nulls_node *n, struct hlist_nulls_head *h)
{
	struct hlist_nulls_node *first = h->first;

	n->next = first;
	n->pprev = &h->first;
	h->first = n;
	if (!is_a_nulls(first))
		first->pprev = &n->next;
}

static inline void __hlist_nulls_del(struct hlist_nulls_node *n)
{
	struct hlist_nulls_node *next = n->next;
	struct hlist_nulls_node **pprev = n->pprev;

	WRITE_ONCE(*pprev, next);
	if (!is_a_nulls(next))
		WRITE_ONCE(next->pprev, pprev);
}

static inline void hlist_nulls_del(struct hlist_nulls_node *n)
{
	__hlist_nulls_del(n);
	n->pprev = LIST_POISON2;
}

/* Unhashes n (pprev = NULL) without touching n->next, so readers on n go on. */
static inline void hlist_nulls_del_init_rcu(struct hlist_nulls_node *n)
{
	if (!hlist_nulls_unhashed(n)) {
		__hlist_nulls_del(n);
		WRITE_ONCE(n->pprev, NULL);
	}
}

/* Removes n; n->next stays valid for the readers still on it until a grace period. */
static inline void hlist_nulls_del_rcu(struct hlist_nulls_node *n)
{
	__hlist_nulls_del(n);
	WRITE_ONCE(n->pprev, LIST_POISON2);
}

/* Publishes n at the head of h: n is initialised before readers can see it. */
static inline void hlist_nulls_add_head_rcu(struct hlist_nulls_node *n, struct hlist_nulls_head *h)
{
	struct hlist_nulls_node *first = h->first;

	n->next = first;
	WRITE_ONCE(n->pprev, &h->first);
	rcu_assign_pointer(hlist_nulls_first_rcu(h), n);
	if (!is_a_nulls(first))
		WRITE_ONCE(first->pprev, &n->next);
}

/*
 * Walks the chain under RCU; on exit pos holds the nulls marker the walk
 * ended on (the caller compares get_nulls_value(pos) with its bucket).
 */
#define hlist_nulls_for_each_entry_rcu(tpos, pos, head, member)                                    \
	for (({ barrier(); }), pos = rcu_dereference(hlist_nulls_first_rcu(head));                 \
	     (!is_a_nulls(pos)) && ({                                                              \
		     tpos = hlist_nulls_entry(pos, __typeof__(*tpos), member);                     \
		     1;                                                                            \
	     });                                                                                   \
	     pos = rcu_dereference(hlist_nulls_next_rcu(pos)))

/* The same under the chain's lock. */
#define hlist_nulls_for_each_entry(tpos, pos, head, member)                                        \
	for (pos = (head)->first;                                                                  \
	     (!is_a_nulls(pos)) && ({                                                              \
		     tpos = hlist_nulls_entry(pos, __typeof__(*tpos), member);                     \
		     1;                                                                            \
	     });                                                                                   \
	     pos = pos->next)

#endif /* _GUEST_RCULIST_NULLS_H */
