#ifndef _GUEST_SPINLOCK_H
#define _GUEST_SPINLOCK_H

/*
 * Ticket spinlocks: a CPU takes the next ticket with a locked xadd and waits
 * until "owner" reaches it; unlock hands the lock to the next ticket (a
 * release store: only the holder writes "owner"). FIFO, so no CPU starves.
 *
 *   spin_lock/spin_unlock                    no change to interrupts
 *   spin_lock_irq/spin_unlock_irq            interrupts off while held (and on after!)
 *   spin_lock_irqsave/spin_unlock_irqrestore interrupts off while held, then as before
 *   spin_lock_bh/spin_unlock_bh              softirqs off on this CPU while held
 *   spin_trylock, spin_is_locked
 *
 * A lock taken by an interrupt handler must be taken with interrupts off
 * elsewhere (irq or irqsave), one taken in softirq context with softirqs off
 * (bh), or the CPU deadlocks against itself.
 */

#include "asm/processor.h"
#include "atomic.h"
#include "barrier.h"
#include "compiler.h"
#include "preempt.h"
#include "types.h"

typedef struct spinlock {
	u16 owner;
	u16 next;
} spinlock_t;

#define __SPIN_LOCK_UNLOCKED                                                                       \
	{                                                                                          \
		0, 0                                                                               \
	}
#define DEFINE_SPINLOCK(x) spinlock_t x = __SPIN_LOCK_UNLOCKED

static inline void spin_lock_init(spinlock_t *lock)
{
	WRITE_ONCE(lock->owner, 0);
	WRITE_ONCE(lock->next, 0);
}

static inline void spin_lock(spinlock_t *lock)
{
	u16 ticket = 1;

	__atomic_pre_full_fence();
	__asm__ __volatile__("lock xaddw %0, %1"
			     : "+r"(ticket), "+m"(lock->next)
			     :
			     : "memory", "cc");
	/* Bare loads, ordered by the acquire below (an lfence per spin cost 19% on weak). */
	while (__READ_ONCE(lock->owner) != ticket)
		cpu_relax();
	smp_acquire__after_ctrl_dep();
}

static inline bool spin_trylock(spinlock_t *lock)
{
	u32 old = READ_ONCE(*(u32 *)lock);

	if ((old & 0xffff) != (old >> 16))
		return false;
	/* next += 1 (the upper half) if nobody took a ticket meanwhile. */
	return try_cmpxchg((u32 *)lock, &old, old + 0x10000);
}

static inline void spin_unlock(spinlock_t *lock)
{
	smp_store_release(&lock->owner, (u16)(READ_ONCE(lock->owner) + 1));
}

static inline bool spin_is_locked(spinlock_t *lock)
{
	u32 val = READ_ONCE(*(u32 *)lock);

	return (val & 0xffff) != (val >> 16);
}

static inline void spin_lock_irq(spinlock_t *lock)
{
	local_irq_disable();
	spin_lock(lock);
}

static inline void spin_unlock_irq(spinlock_t *lock)
{
	spin_unlock(lock);
	local_irq_enable();
}

static inline unsigned long spin_lock_irqsave(spinlock_t *lock)
{
	unsigned long flags = local_irq_save();

	spin_lock(lock);
	return flags;
}

static inline void spin_unlock_irqrestore(spinlock_t *lock, unsigned long flags)
{
	spin_unlock(lock);
	local_irq_restore(flags);
}

static inline void spin_lock_bh(spinlock_t *lock)
{
	local_bh_disable();
	spin_lock(lock);
}

static inline void spin_unlock_bh(spinlock_t *lock)
{
	spin_unlock(lock);
	local_bh_enable();
}

#endif /* _GUEST_SPINLOCK_H */
