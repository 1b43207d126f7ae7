#ifndef _GUEST_POISON_H
#define _GUEST_POISON_H

/*
 * Poisoning of freed objects (CONFIG_DEBUG_POISON, on by default): a freed
 * object is filled with POISON_FREE (0x6b, as Linux's slab debugging), one
 * 8-byte store at a time, so that a concurrent reader sees each word
 * either intact or all poison (a poisoned pointer is non-canonical and is
 * recognised before it is followed). Allocation checks that the poison is
 * still intact (nobody wrote to the object after freeing it).
 */

#include "barrier.h"
#include "types.h"

#ifndef CONFIG_DEBUG_POISON
#define CONFIG_DEBUG_POISON 1
#endif

#define POISON_FREE 0x6b
#define POISON_FREE_WORD 0x6b6b6b6b6b6b6b6bULL

static inline bool word_poisoned(u64 word)
{
	return word == POISON_FREE_WORD;
}

static inline bool ptr_poisoned(const void *p)
{
	return word_poisoned((u64)(unsigned long)p);
}

/* size: a multiple of 8, obj 8-byte aligned. */
static inline void poison_object(void *obj, size_t size)
{
	volatile u64 *w = obj;
	size_t i;

	if (!CONFIG_DEBUG_POISON)
		return;
	for (i = 0; i < size / 8; i++)
		w[i] = POISON_FREE_WORD;
}

/* The number of words of a freed object that are no longer poison. */
static inline size_t check_poison(const void *obj, size_t size)
{
	const volatile u64 *w = obj;
	size_t i, bad = 0;

	if (!CONFIG_DEBUG_POISON)
		return 0;
	for (i = 0; i < size / 8; i++)
		bad += !word_poisoned(w[i]);
	return bad;
}

#endif /* _GUEST_POISON_H */
