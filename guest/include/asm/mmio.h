#ifndef _GUEST_ASM_MMIO_H
#define _GUEST_ASM_MMIO_H

/*
 * Device register accesses. The kernel maps device memory uncached
 * (PCD|PWT): each access is one bus transaction, in program order with the
 * other uncached accesses. A write that must follow ordinary stores to memory
 * the device reads by DMA (a descriptor, then the tail register) needs wmb()
 * before it, as in Linux.
 */

#include "../compiler.h"
#include "../types.h"

#define __iomem

static inline u32 readl(const volatile void __iomem *addr)
{
	u32 value = *(const volatile u32 *)addr;

	barrier();
	return value;
}

static inline void writel(u32 value, volatile void __iomem *addr)
{
	barrier();
	*(volatile u32 *)addr = value;
}

static inline u16 readw(const volatile void __iomem *addr)
{
	u16 value = *(const volatile u16 *)addr;

	barrier();
	return value;
}

static inline void writew(u16 value, volatile void __iomem *addr)
{
	barrier();
	*(volatile u16 *)addr = value;
}

#endif /* _GUEST_ASM_MMIO_H */
