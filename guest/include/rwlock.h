#ifndef _GUEST_RWLOCK_H
#define _GUEST_RWLOCK_H

/*
 * Reader-writer spinlocks. "cnts" counts the readers inside (bits 0-30) and
 * has _RW_WRITER (bit 31) while a writer holds or is draining the lock;
 * writers queue on a ticket spinlock of their own, so at most one of them
 * competes with the readers at a time.
 *
 *   read_lock    add a reader; if a writer is there, take it back, wait for
 *                the writer to leave and retry (writers are preferred)
 *   write_lock   take wait_lock, set _RW_WRITER, wait for the readers inside
 *                to leave; the writer keeps wait_lock until write_unlock
 *
 * Readers may nest (a CPU may read_lock twice) as long as no writer waits in
 * between: with a writer waiting, the inner read_lock would wait for it and
 * it for the outer reader. Same irq/irqsave/bh variants as spinlocks.
 */

#include "atomic.h"
#include "barrier.h"
#include "spinlock.h"

#define _RW_WRITER 0x80000000U
#define _RW_READERS_MASK 0x7fffffffU

typedef struct {
	atomic_t cnts;
	spinlock_t wait_lock;
} rwlock_t;

#define __RW_LOCK_UNLOCKED                                                                         \
	{                                                                                          \
		ATOMIC_INIT(0), __SPIN_LOCK_UNLOCKED                                               \
	}
#define DEFINE_RWLOCK(x) rwlock_t x = __RW_LOCK_UNLOCKED

static inline void rwlock_init(rwlock_t *lock)
{
	atomic_set(&lock->cnts, 0);
	spin_lock_init(&lock->wait_lock);
}

static inline bool read_trylock(rwlock_t *lock)
{
	if (!((unsigned int)atomic_add_return(1, &lock->cnts) & _RW_WRITER))
		return true;
	atomic_dec(&lock->cnts);
	return false;
}

static inline void read_lock(rwlock_t *lock)
{
	while (!read_trylock(lock)) {
		while ((unsigned int)atomic_read(&lock->cnts) & _RW_WRITER)
			cpu_relax();
	}
}

static inline void read_unlock(rwlock_t *lock)
{
	/* Release: the reader's loads are done before the writer can see it gone. */
	__atomic_pre_full_fence();
	atomic_dec(&lock->cnts);
}

static inline void write_lock(rwlock_t *lock)
{
	spin_lock(&lock->wait_lock);
	atomic_or((int)_RW_WRITER, &lock->cnts);
	while ((unsigned int)atomic_read(&lock->cnts) & _RW_READERS_MASK)
		cpu_relax();
	smp_acquire__after_ctrl_dep();
}

static inline bool write_trylock(rwlock_t *lock)
{
	int old = 0;

	if (!spin_trylock(&lock->wait_lock))
		return false;
	if (atomic_try_cmpxchg(&lock->cnts, &old, (int)_RW_WRITER))
		return true;
	spin_unlock(&lock->wait_lock);
	return false;
}

static inline void write_unlock(rwlock_t *lock)
{
	__atomic_pre_full_fence();
	atomic_and((int)_RW_READERS_MASK, &lock->cnts);
	spin_unlock(&lock->wait_lock);
}

static inline bool rwlock_is_write_locked(rwlock_t *lock)
{
	return (unsigned int)atomic_read(&lock->cnts) & _RW_WRITER;
}

static inline unsigned int rwlock_readers(rwlock_t *lock)
{
	return (unsigned int)atomic_read(&lock->cnts) & _RW_READERS_MASK;
}

static inline void read_lock_irq(rwlock_t *lock)
{
	local_irq_disable();
	read_lock(lock);
}

static inline void read_unlock_irq(rwlock_t *lock)
{
	read_unlock(lock);
	local_irq_enable();
}

static inline unsigned long read_lock_irqsave(rwlock_t *lock)
{
	unsigned long flags = local_irq_save();

	read_lock(lock);
	return flags;
}

static inline void read_unlock_irqrestore(rwlock_t *lock, unsigned long flags)
{
	read_unlock(lock);
	local_irq_restore(flags);
}

static inline void read_lock_bh(rwlock_t *lock)
{
	local_bh_disable();
	read_lock(lock);
}

static inline void read_unlock_bh(rwlock_t *lock)
{
	read_unlock(lock);
	local_bh_enable();
}

static inline void write_lock_irq(rwlock_t *lock)
{
	local_irq_disable();
	write_lock(lock);
}

static inline void write_unlock_irq(rwlock_t *lock)
{
	write_unlock(lock);
	local_irq_enable();
}

static inline unsigned long write_lock_irqsave(rwlock_t *lock)
{
	unsigned long flags = local_irq_save();

	write_lock(lock);
	return flags;
}

static inline void write_unlock_irqrestore(rwlock_t *lock, unsigned long flags)
{
	write_unlock(lock);
	local_irq_restore(flags);
}

static inline void write_lock_bh(rwlock_t *lock)
{
	local_bh_disable();
	write_lock(lock);
}

static inline void write_unlock_bh(rwlock_t *lock)
{
	write_unlock(lock);
	local_bh_enable();
}

#endif /* _GUEST_RWLOCK_H */
