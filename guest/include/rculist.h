#ifndef _GUEST_RCULIST_H
#define _GUEST_RCULIST_H

/*
 * RCU-protected lists: updaters (serialised by their own lock) publish new
 * entries with a release store; readers walk under rcu_read_lock(). A
 * deleted entry keeps its forward link, so a reader standing on it finds
 * its way back to the list; it may be freed only after a grace period.
 */

#include "list.h"
#include "rcupdate.h"

#define list_next_rcu(list) (*(struct list_head **)&(list)->next)

static inline void __list_add_rcu(struct list_head *entry, struct list_head *prev,
				  struct list_head *next)
{
	entry->next = next;
	entry->prev = prev;
	rcu_assign_pointer(list_next_rcu(prev), entry);
	next->prev = entry;
}

static inline void list_add_rcu(struct list_head *entry, struct list_head *head)
{
	__list_add_rcu(entry, head, head->next);
}

static inline void list_add_tail_rcu(struct list_head *entry, struct list_head *head)
{
	__list_add_rcu(entry, head->prev, head);
}

static inline void list_del_rcu(struct list_head *entry)
{
	__list_del(entry->prev, entry->next);
	entry->prev = LIST_POISON2;
}

static inline void list_replace_rcu(struct list_head *old, struct list_head *entry)
{
	entry->next = old->next;
	entry->prev = old->prev;
	rcu_assign_pointer(list_next_rcu(entry->prev), entry);
	entry->next->prev = entry;
	old->prev = LIST_POISON2;
}

#define list_entry_rcu(ptr, type, member) container_of(READ_ONCE(ptr), type, member)

#define list_for_each_entry_rcu(pos, head, member)                                                 \
	for (pos = list_entry_rcu((head)->next, __typeof__(*pos), member); &pos->member != (head); \
	     pos = list_entry_rcu(pos->member.next, __typeof__(*pos), member))

#define hlist_first_rcu(head) (*(struct hlist_node **)&(head)->first)
#define hlist_next_rcu(node) (*(struct hlist_node **)&(node)->next)

static inline void hlist_add_head_rcu(struct hlist_node *n, struct hlist_head *h)
{
	struct hlist_node *first = h->first;

	n->next = first;
	n->pprev = &h->first;
	rcu_assign_pointer(hlist_first_rcu(h), n);
	if (first)
		first->pprev = &n->next;
}

static inline void hlist_del_rcu(struct hlist_node *n)
{
	__hlist_del(n);
	n->pprev = LIST_POISON2;
}

static inline void hlist_del_init_rcu(struct hlist_node *n)
{
	if (!hlist_unhashed(n)) {
		__hlist_del(n);
		n->pprev = NULL;
	}
}

#define hlist_for_each_entry_rcu(pos, head, member)                                                \
	for (pos = hlist_entry_safe(READ_ONCE(hlist_first_rcu(head)), __typeof__(*(pos)), member); \
	     pos; pos = hlist_entry_safe(READ_ONCE(hlist_next_rcu(&(pos)->member)),                \
					 __typeof__(*(pos)), member))

#endif /* _GUEST_RCULIST_H */
