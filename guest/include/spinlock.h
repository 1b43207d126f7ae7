#ifndef _GUEST_SPINLOCK_H
#define _GUEST_SPINLOCK_H

/*
 * Ticket spinlocks: a CPU takes the next ticket with a locked xadd and waits
 * until "owner" reaches it; unlock hands the lock to the next ticket. FIFO,
 * so no CPU starves.
 */

#include "asm/processor.h"
#include "compiler.h"
#include "types.h"

typedef struct spinlock {
	volatile u16 owner;
	volatile u16 next;
} spinlock_t;

#define __SPIN_LOCK_UNLOCKED { 0, 0 }
#define DEFINE_SPINLOCK(x) spinlock_t x = __SPIN_LOCK_UNLOCKED

static inline void spin_lock(spinlock_t *lock)
{
	u16 ticket = 1;

	__asm__ __volatile__("lock xaddw %0, %1" : "+r"(ticket), "+m"(lock->next) : : "memory");
	while (lock->owner != ticket)
		cpu_relax();
	barrier();
}

static inline bool spin_trylock(spinlock_t *lock)
{
	u32 old = *(volatile u32 *)lock;
	u32 new;

	if ((old & 0xffff) != (old >> 16))
		return false;
	new = old + 0x10000;
	return __atomic_compare_exchange_n((u32 *)lock, &old, new, false, __ATOMIC_ACQUIRE,
					   __ATOMIC_RELAXED);
}

static inline void spin_unlock(spinlock_t *lock)
{
	barrier();
	/* x86 stores are release stores; only the owner writes "owner". */
	lock->owner = lock->owner + 1;
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

#endif /* _GUEST_SPINLOCK_H */
