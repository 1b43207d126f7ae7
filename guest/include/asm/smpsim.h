#ifndef _GUEST_ASM_SMPSIM_H
#define _GUEST_ASM_SMPSIM_H

/*
 * Guest-to-simulator markers (in the spirit of gem5's m5ops): one 32-bit
 * write to I/O port 0x700, value = command << 24 | payload. QEMU has nothing
 * at that port and ignores the write, so the same kernel runs there.
 */

#include "io.h"

#define SMPSIM_MARKER_PORT 0x700

enum smpsim_marker {
	SMPSIM_NET_READY = 1, /* payload: RX queues in use (driver up, rings filled, link up) */
	SMPSIM_RX_DONE = 2,   /* payload: cpu << 16 | frames one NAPI poll passed up */
	/*
	 * One frame followed from the NIC to the end of the stack (reports only):
	 * payload cpu << 16 | queue << 12 | RX descriptor index.
	 */
	SMPSIM_RX_POLL = 3,	 /* NAPI's poll picked the written-back descriptor up */
	SMPSIM_RX_SKB_DONE = 4,	 /* the stack is done with its skb (__netif_receive_skb returned) */
	SMPSIM_RX_IRQ = 5,	 /* payload: cpu << 16 | queue: the queue's interrupt handler ran */
	SMPSIM_REGION_BEGIN = 6, /* payload: cpu << 16 | enum smpsim_region */
	SMPSIM_REGION_END = 7,
	SMPSIM_RCU_GP_START = 8, /* payload: the grace period's number (low 24 bits) */
	SMPSIM_RCU_GP_END = 9,
	/* Zero the cache-line statistics (the start of a measured region), as gem5's
	 * m5_reset_stats, whose m5op number it takes. */
	SMPSIM_RESET_STATS = 0x40,
};

/* Regions a CPU marks (begin/end pairs, nested properly on one CPU). */
enum smpsim_region {
	SMPSIM_REGION_SOFTIRQ = 1,	 /* __do_softirq() */
	SMPSIM_REGION_NAPI_POLL = 2,	 /* one napi->poll() of net_rx_action() */
	SMPSIM_REGION_SOFTIRQ_VEC = 0x100, /* + nr: one softirq_vec[nr].action() */
};

/* A frame's id in the markers: its RX queue and descriptor index (up to 16 queues, 4096 descriptors). */
#define SMPSIM_RX_ID(queue, index) (((queue) & 0xf) << 12 | ((index) & 0xfff))

static inline void smpsim_marker(enum smpsim_marker cmd, u32 payload)
{
	outl((u32)cmd << 24 | (payload & 0xffffff), SMPSIM_MARKER_PORT);
}

static inline void smpsim_net_ready(unsigned int rx_queues)
{
	smpsim_marker(SMPSIM_NET_READY, rx_queues);
}

static inline void smpsim_rx_done(unsigned int cpu, unsigned int frames)
{
	smpsim_marker(SMPSIM_RX_DONE, (cpu & 0xff) << 16 | (frames & 0xffff));
}

static inline void smpsim_rx_poll(unsigned int cpu, u32 rx_id)
{
	smpsim_marker(SMPSIM_RX_POLL, (cpu & 0xff) << 16 | rx_id);
}

static inline void smpsim_rx_skb_done(unsigned int cpu, u32 rx_id)
{
	smpsim_marker(SMPSIM_RX_SKB_DONE, (cpu & 0xff) << 16 | rx_id);
}

static inline void smpsim_rx_irq(unsigned int cpu, unsigned int queue)
{
	smpsim_marker(SMPSIM_RX_IRQ, (cpu & 0xff) << 16 | (queue & 0xffff));
}

static inline void smpsim_region_begin(unsigned int cpu, unsigned int region)
{
	smpsim_marker(SMPSIM_REGION_BEGIN, (cpu & 0xff) << 16 | (region & 0xffff));
}

static inline void smpsim_region_end(unsigned int cpu, unsigned int region)
{
	smpsim_marker(SMPSIM_REGION_END, (cpu & 0xff) << 16 | (region & 0xffff));
}

static inline void smpsim_reset_stats(void)
{
	smpsim_marker(SMPSIM_RESET_STATS, 0);
}

#endif /* _GUEST_ASM_SMPSIM_H */
