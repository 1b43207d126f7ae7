#ifndef _GUEST_SEQLOCK_H
#define _GUEST_SEQLOCK_H

/*
 * Sequence counts and seqlocks: readers never block the writer; they read
 * the data between two loads of the sequence and retry when a write was in
 * progress (odd count) or happened meanwhile (count changed).
 *
 *   seqcount_t   the bare count; writers must be serialised by the caller
 *                   write_seqcount_begin/end, read_seqcount_begin/retry,
 *                   raw_read_seqcount (no wait for an even count)
 *   seqlock_t    count + spinlock serialising the writers
 *                   write_seqlock/write_sequnlock (and _irq, _irqsave, _bh)
 *                   read_seqbegin/read_seqretry
 *
 *   do {
 *           seq = read_seqbegin(&sl);
 *           a = data.a; b = data.b;
 *   } while (read_seqretry(&sl, seq));
 */

#include "asm/processor.h"
#include "barrier.h"
#include "spinlock.h"

typedef struct seqcount {
	unsigned int sequence;
} seqcount_t;

#define SEQCNT_ZERO                                                                                \
	{                                                                                          \
		0                                                                                  \
	}

static inline void seqcount_init(seqcount_t *s)
{
	WRITE_ONCE(s->sequence, 0);
}

/* The count, without waiting for a write to finish. */
static inline unsigned int raw_read_seqcount(const seqcount_t *s)
{
	unsigned int seq = READ_ONCE(s->sequence);

	smp_rmb();
	return seq;
}

/* Waits until no write is in progress, returns the (even) count. */
static inline unsigned int read_seqcount_begin(const seqcount_t *s)
{
	unsigned int seq;

	while ((seq = READ_ONCE(s->sequence)) & 1)
		cpu_relax();
	smp_rmb();
	return seq;
}

/* true if the data read since read_seqcount_begin() returned start may be torn: read again. */
static inline bool read_seqcount_retry(const seqcount_t *s, unsigned int start)
{
	smp_rmb();
	return unlikely(READ_ONCE(s->sequence) != start);
}

static inline void write_seqcount_begin(seqcount_t *s)
{
	WRITE_ONCE(s->sequence, s->sequence + 1);
	smp_wmb();
}

static inline void write_seqcount_end(seqcount_t *s)
{
	smp_wmb();
	WRITE_ONCE(s->sequence, s->sequence + 1);
}

typedef struct {
	seqcount_t seqcount;
	spinlock_t lock;
} seqlock_t;

#define __SEQLOCK_UNLOCKED                                                                         \
	{                                                                                          \
		SEQCNT_ZERO, __SPIN_LOCK_UNLOCKED                                                  \
	}
#define DEFINE_SEQLOCK(x) seqlock_t x = __SEQLOCK_UNLOCKED

static inline void seqlock_init(seqlock_t *sl)
{
	seqcount_init(&sl->seqcount);
	spin_lock_init(&sl->lock);
}

static inline unsigned int read_seqbegin(const seqlock_t *sl)
{
	return read_seqcount_begin(&sl->seqcount);
}

static inline bool read_seqretry(const seqlock_t *sl, unsigned int start)
{
	return read_seqcount_retry(&sl->seqcount, start);
}

static inline void write_seqlock(seqlock_t *sl)
{
	spin_lock(&sl->lock);
	write_seqcount_begin(&sl->seqcount);
}

static inline void write_sequnlock(seqlock_t *sl)
{
	write_seqcount_end(&sl->seqcount);
	spin_unlock(&sl->lock);
}

static inline void write_seqlock_irq(seqlock_t *sl)
{
	spin_lock_irq(&sl->lock);
	write_seqcount_begin(&sl->seqcount);
}

static inline void write_sequnlock_irq(seqlock_t *sl)
{
	write_seqcount_end(&sl->seqcount);
	spin_unlock_irq(&sl->lock);
}

static inline unsigned long write_seqlock_irqsave(seqlock_t *sl)
{
	unsigned long flags = spin_lock_irqsave(&sl->lock);

	write_seqcount_begin(&sl->seqcount);
	return flags;
}

static inline void write_sequnlock_irqrestore(seqlock_t *sl, unsigned long flags)
{
	write_seqcount_end(&sl->seqcount);
	spin_unlock_irqrestore(&sl->lock, flags);
}

static inline void write_seqlock_bh(seqlock_t *sl)
{
	spin_lock_bh(&sl->lock);
	write_seqcount_begin(&sl->seqcount);
}

static inline void write_sequnlock_bh(seqlock_t *sl)
{
	write_seqcount_end(&sl->seqcount);
	spin_unlock_bh(&sl->lock);
}

#endif /* _GUEST_SEQLOCK_H */
