#ifndef _GUEST_IGB_H
#define _GUEST_IGB_H

/*
 * The Intel 82576 driver's state (after Linux's igb: an adapter with one
 * q_vector per RX/TX queue pair, each with its own MSI-X vector and NAPI
 * context, plus one vector for the "other" causes such as link changes).
 */

#include "asm/mmio.h"
#include "msi.h"
#include "netdevice.h"
#include "pci.h"
#include "spinlock.h"
#include "types.h"

#define IGB_MAX_QUEUES 8
#define IGB_RING_SIZE 256
#define IGB_RX_BUFFER_WRITE 16 /* refill and move RDT in batches of this many */
#define IGB_DEFAULT_ITR_US 50  /* ~20000 interrupts per second per vector */
#define IGB_MAX_FRAME 1522     /* 1500 + Ethernet header + VLAN tag + FCS */
#define IGB_LINK_WAIT_MS 1000

enum igb_int_mode { IGB_INT_MSIX, IGB_INT_MSI, IGB_INT_INTX };

struct igb_q_vector;

struct igb_ring {
	struct igb_q_vector *q_vector;
	void *desc; /* IGB_RING_SIZE advanced descriptors */
	phys_addr_t dma;
	unsigned int count;
	unsigned int queue_index;
	u16 next_to_use;
	u16 next_to_clean;
	u8 __iomem *tail;
	union {
		void **rx_buf;		 /* RX: the buffer behind each descriptor */
		struct sk_buff **tx_skb; /* TX: the frame behind each descriptor */
	};
	spinlock_t lock; /* TX: transmitters on several CPUs and the cleaner */
	/* Statistics, written only by the CPU that polls (RX) or under lock (TX). */
	unsigned long packets;
	unsigned long bytes;
	unsigned long alloc_failed;
	unsigned long errors;
	unsigned long csum_good;
	unsigned long dropped;
};

struct igb_adapter;

struct igb_q_vector {
	struct igb_adapter *adapter;
	struct napi_struct napi;
	unsigned int index;
	unsigned int cpu; /* where its interrupt goes */
	int irq;
	u32 eims_value; /* its EICR/EIMS bit (MSI-X) */
	struct igb_ring *rx_ring;
	struct igb_ring *tx_ring;
	char name[IFNAMSIZ + 12];
} __aligned(64);

struct igb_adapter {
	struct pci_dev *pdev;
	struct net_device netdev;
	u8 __iomem *hw_addr;
	enum igb_int_mode int_mode;
	unsigned int num_queues;
	unsigned int itr_us;
	struct msix_entry msix_entries[IGB_MAX_QUEUES + 1];
	int other_irq;
	u32 eims_enable_mask;
	u32 eims_other;
	bool link_up;
	bool ready_sent; /* SMPSIM_NET_READY written */
	unsigned long lsc_events;
	/* Running totals of the clear-on-read statistics registers. */
	unsigned long hw_gprc;
	unsigned long hw_gptc;
	unsigned long hw_mpc;
	unsigned long hw_rnbc;
	struct igb_q_vector q_vector[IGB_MAX_QUEUES];
	struct igb_ring rx_ring[IGB_MAX_QUEUES];
	struct igb_ring tx_ring[IGB_MAX_QUEUES];
};

static inline u32 igb_rd32(const struct igb_adapter *adapter, u32 reg)
{
	return readl(adapter->hw_addr + reg);
}

static inline void igb_wr32(const struct igb_adapter *adapter, u32 reg, u32 value)
{
	writel(value, adapter->hw_addr + reg);
}

/* Posted writes reach the device before this returns. */
static inline void igb_wrfl(const struct igb_adapter *adapter)
{
	(void)igb_rd32(adapter, 0x8 /* STATUS */);
}

/* drivers/net/igb/igb_main.c */
void igb_init_module(void);

#endif /* _GUEST_IGB_H */
