#ifndef _GUEST_LLIST_H
#define _GUEST_LLIST_H

/*
 * Lock-less singly linked lists: any number of CPUs may llist_add()
 * concurrently (cmpxchg on the head); the consumer takes the whole list at
 * once with llist_del_all() (xchg), newest entry first.
 */

#include "atomic.h"
#include "barrier.h"
#include "compiler.h"

struct llist_node {
	struct llist_node *next;
};

struct llist_head {
	struct llist_node *first;
};

#define LLIST_HEAD_INIT                                                                            \
	{                                                                                          \
		NULL                                                                               \
	}

static inline void init_llist_head(struct llist_head *head)
{
	WRITE_ONCE(head->first, NULL);
}

static inline bool llist_empty(const struct llist_head *head)
{
	return READ_ONCE(head->first) == NULL;
}

/* Adds node; true if the list was empty before (the consumer may need a kick). */
static inline bool llist_add(struct llist_node *node, struct llist_head *head)
{
	struct llist_node *first = READ_ONCE(head->first);

	do {
		node->next = first;
	} while (!try_cmpxchg(&head->first, &first, node));
	return first == NULL;
}

/* Takes every entry, newest first. */
static inline struct llist_node *llist_del_all(struct llist_head *head)
{
	return xchg(&head->first, NULL);
}

/* Reverses a list taken with llist_del_all(): oldest first. */
static inline struct llist_node *llist_reverse_order(struct llist_node *head)
{
	struct llist_node *new_head = NULL;

	while (head) {
		struct llist_node *tmp = head;

		head = head->next;
		tmp->next = new_head;
		new_head = tmp;
	}
	return new_head;
}

#ifndef container_of
#define container_of(ptr, type, member) ((type *)((char *)(ptr)-offsetof(type, member)))
#endif

#endif /* _GUEST_LLIST_H */
