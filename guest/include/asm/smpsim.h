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
	/* Zero the cache-line statistics (the start of a measured region), as gem5's
	 * m5_reset_stats, whose m5op number it takes. */
	SMPSIM_RESET_STATS = 0x40,
};

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

static inline void smpsim_reset_stats(void)
{
	smpsim_marker(SMPSIM_RESET_STATS, 0);
}

#endif /* _GUEST_ASM_SMPSIM_H */
