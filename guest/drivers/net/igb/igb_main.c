/*
 * Intel 82576 (igb) driver, after the structure of Linux's igb_main.c:
 * probe (reset, MAC address, rings, interrupts), MSI-X with one vector per
 * RX/TX queue pair and one for link changes (MSI or INTx as fallbacks), RSS
 * over the queues, NAPI polling that cleans TX then RX and refills RX
 * buffers in batches of 16, and a TX path for the frames the stack sends
 * (ARP replies, ICMP echo replies, the gratuitous ARP at link-up).
 *
 * Every console line starts with "~ ": QEMU has no 82576, so these lines
 * only appear on smpsim.
 */

#include "asm/irq.h"
#include "asm/irq_alloc.h"
#include "asm/percpu.h"
#include "asm/processor.h"
#include "asm/smpsim.h"
#include "asm/timer.h"
#include "barrier.h"
#include "cpumask.h"
#include "if_ether.h"
#include "igb.h"
#include "igb_regs.h"
#include "kernel.h"
#include "mm.h"
#include "string.h"

#define PCI_VENDOR_ID_INTEL 0x8086
#define E1000_DEV_ID_82576 0x10c9

/* DMA ordering between the CPU and the device's descriptor writes (Linux: dma_rmb/dma_wmb). */
#define dma_rmb() smp_rmb()
#define dma_wmb() smp_wmb()

/* RSS key: the Microsoft RSS specification's verification key. */
static const u8 igb_rss_key[40] = {
	0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3,
	0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3,
	0x80, 0x30, 0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

static const char *const int_mode_names[] = {
	[IGB_INT_MSIX] = "MSI-X",
	[IGB_INT_MSI] = "MSI",
	[IGB_INT_INTX] = "INTx",
};

static struct igb_adapter igb_adapter; /* one 82576 port is enough here */
static bool igb_in_use;

/* The n-th online CPU, wrapping: q_vector i goes to CPU (i % online CPUs). */
static unsigned int nth_online_cpu(unsigned int n)
{
	unsigned int cpu, i = 0;

	n %= num_online_cpus();
	for_each_online_cpu(cpu) {
		if (i++ == n)
			return cpu;
	}
	return 0;
}

/* --- Reset, MAC address, link ---------------------------------------------------------------- */

static void igb_irq_disable(struct igb_adapter *adapter)
{
	igb_wr32(adapter, E1000_EIAM, 0);
	igb_wr32(adapter, E1000_EIMC, ~0U);
	igb_wr32(adapter, E1000_EIAC, 0);
	igb_wr32(adapter, E1000_IAM, 0);
	igb_wr32(adapter, E1000_IMC, ~0U);
	igb_wrfl(adapter);
}

static int igb_reset_hw(struct igb_adapter *adapter)
{
	unsigned int ms;

	igb_irq_disable(adapter);
	igb_wr32(adapter, E1000_RCTL, 0);
	igb_wr32(adapter, E1000_TCTL, E1000_TCTL_PSP);
	igb_wrfl(adapter);
	mdelay(10);
	igb_wr32(adapter, E1000_CTRL, igb_rd32(adapter, E1000_CTRL) | E1000_CTRL_RST);
	/* The datasheet asks for 1 ms before the next access; RST clears itself when done. */
	for (ms = 0; ms < 100; ms++) {
		mdelay(1);
		if (!(igb_rd32(adapter, E1000_CTRL) & E1000_CTRL_RST))
			break;
	}
	if (igb_rd32(adapter, E1000_CTRL) & E1000_CTRL_RST)
		return -1;
	igb_irq_disable(adapter);
	(void)igb_rd32(adapter, E1000_ICR);
	return 0;
}

/* One EEPROM word through EERD; false on a timeout. */
static bool igb_read_eeprom(struct igb_adapter *adapter, unsigned int word, u16 *data)
{
	unsigned int i;

	igb_wr32(adapter, E1000_EERD, word << E1000_EERD_ADDR_SHIFT | E1000_EERD_START);
	for (i = 0; i < 100000; i++) {
		u32 eerd = igb_rd32(adapter, E1000_EERD);

		if (eerd & E1000_EERD_DONE) {
			*data = eerd >> E1000_EERD_DATA_SHIFT;
			return true;
		}
		cpu_relax();
	}
	return false;
}

static bool valid_ether_addr(const u8 *addr)
{
	static const u8 zero[ETH_ALEN];

	return !is_multicast_ether_addr(addr) && memcmp(addr, zero, ETH_ALEN) != 0;
}

/* The MAC address: EEPROM words 0-2 (little-endian byte pairs), else what RAL0/RAH0 hold. */
static int igb_read_mac_addr(struct igb_adapter *adapter, u8 *mac, const char **from)
{
	unsigned int i;
	u16 word;
	u32 ral, rah;

	*from = "EEPROM";
	for (i = 0; i < 3; i++) {
		if (!igb_read_eeprom(adapter, i, &word))
			break;
		mac[2 * i] = word & 0xff;
		mac[2 * i + 1] = word >> 8;
	}
	if (i == 3 && valid_ether_addr(mac))
		return 0;
	*from = "RAL0/RAH0";
	ral = igb_rd32(adapter, E1000_RAL(0));
	rah = igb_rd32(adapter, E1000_RAH(0));
	for (i = 0; i < 4; i++)
		mac[i] = ral >> (8 * i);
	mac[4] = rah;
	mac[5] = rah >> 8;
	return valid_ether_addr(mac) ? 0 : -1;
}

static void igb_set_mac_filter(struct igb_adapter *adapter, const u8 *mac)
{
	igb_wr32(adapter, E1000_RAL(0), mac[0] | mac[1] << 8 | mac[2] << 16 | (u32)mac[3] << 24);
	igb_wr32(adapter, E1000_RAH(0), mac[4] | mac[5] << 8 | E1000_RAH_AV);
}

static void igb_clean_tx_irq(struct igb_q_vector *q_vector);

static void igb_link_changed(struct igb_adapter *adapter, bool up)
{
	struct net_device *dev = &adapter->netdev;

	adapter->link_up = up;
	if (up) {
		u32 status = igb_rd32(adapter, E1000_STATUS);

		printk(MACHINE_DEPENDENT "igb %s %s: NIC Link is Up %s Mbps %s Duplex\n",
		       adapter->pdev->name, dev->name,
		       (status & E1000_STATUS_SPEED_1000) ? "1000" : "100",
		       (status & E1000_STATUS_FD) ? "Full" : "Half");
		WRITE_ONCE(dev->carrier, true);
		arp_send_gratuitous(dev);
		if (!adapter->ready_sent) {
			adapter->ready_sent = true;
			smpsim_net_ready(adapter->num_queues);
		}
	} else {
		unsigned int i;

		WRITE_ONCE(dev->carrier, false);
		printk(MACHINE_DEPENDENT "igb %s %s: NIC Link is Down\n", adapter->pdev->name,
		       dev->name);
		/*
		 * Reap what the NIC has sent (its last TX write-backs may have raised no
		 * interrupt of their own), as the next NAPI poll or igb_down() would: the
		 * packets' conntrack references go with them before the views are printed.
		 */
		for (i = 0; i < adapter->num_queues; i++)
			igb_clean_tx_irq(&adapter->q_vector[i]);
		if (net_options.replay)
			net_replay_link_down();
	}
}

/* Link status change: compare STATUS.LU with what we knew. */
static void igb_check_link(struct igb_adapter *adapter)
{
	bool up = igb_rd32(adapter, E1000_STATUS) & E1000_STATUS_LU;

	adapter->lsc_events++;
	if (up != adapter->link_up)
		igb_link_changed(adapter, up);
}

/* --- Rings ----------------------------------------------------------------------------------- */

static int igb_alloc_ring(struct igb_ring *ring, unsigned int index)
{
	ring->count = IGB_RING_SIZE;
	ring->queue_index = index;
	ring->next_to_use = 0;
	ring->next_to_clean = 0;
	spin_lock_init(&ring->lock);
	/* 256 descriptors of 16 bytes: one page (the 82576 wants 128-byte alignment). */
	ring->desc = get_zeroed_page();
	ring->rx_buf = get_zeroed_page(); /* 256 pointers, rx_buf or tx_skb */
	if (!ring->desc || !ring->rx_buf)
		return -1;
	ring->dma = virt_to_phys(ring->desc);
	return 0;
}

static unsigned int igb_desc_unused(const struct igb_ring *ring)
{
	unsigned int ntc = ring->next_to_clean, ntu = ring->next_to_use;

	return ((ntc > ntu) ? 0 : ring->count) + ntc - ntu - 1;
}

/* Gives the device up to n new buffers from next_to_use on, then moves RDT. */
static void igb_alloc_rx_buffers(struct igb_ring *ring, unsigned int n)
{
	union igb_adv_rx_desc *desc = ring->desc;
	unsigned int i = ring->next_to_use;

	while (n--) {
		void *buf = ring->rx_buf[i];

		if (!buf) {
			buf = netdev_alloc_buf();
			if (!buf) {
				ring->alloc_failed++;
				break;
			}
			ring->rx_buf[i] = buf;
		}
		desc[i].read.pkt_addr = virt_to_phys(buf);
		desc[i].read.hdr_addr = 0; /* clears the old write-back's DD */
		if (++i == ring->count)
			i = 0;
	}
	if (i != ring->next_to_use) {
		ring->next_to_use = i;
		/* The descriptors must be in memory before the device sees the new tail. */
		wmb();
		writel(i, ring->tail);
	}
}

/* RX descriptors the device wrote back, up to budget frames; returns the frames passed up. */
static int igb_clean_rx_irq(struct igb_q_vector *q_vector, int budget)
{
	struct igb_ring *ring = q_vector->rx_ring;
	struct net_device *dev = &q_vector->adapter->netdev;
	union igb_adv_rx_desc *ring_desc = ring->desc;
	unsigned int ntc = ring->next_to_clean;
	unsigned int cleaned = 0, total = 0, bytes = 0;
	unsigned int cpu = smp_processor_id();
	u32 rx_id;

	while (total < (unsigned int)budget) {
		union igb_adv_rx_desc *desc = &ring_desc[ntc];
		struct sk_buff *skb;
		u32 staterr;
		unsigned int len;
		void *buf;

		if (cleaned >= IGB_RX_BUFFER_WRITE) {
			ring->next_to_clean = ntc;
			igb_alloc_rx_buffers(ring, cleaned);
			cleaned = 0;
		}
		staterr = READ_ONCE(desc->wb.status_error);
		if (!(staterr & E1000_RXD_STAT_DD))
			break;
		/* Nothing else of the descriptor may be read before DD was seen set. */
		dma_rmb();
		len = desc->wb.length;
		rx_id = SMPSIM_RX_ID(ring->queue_index, ntc);
		smpsim_rx_poll(cpu, rx_id);
		buf = ring->rx_buf[ntc];
		ring->rx_buf[ntc] = NULL;
		if (++ntc == ring->count)
			ntc = 0;
		cleaned++;
		if (!buf)
			continue;
		/*
		 * 2 KiB buffers and 1522-byte frames: a frame always fits one descriptor,
		 * and ends before the skb_shared_info that build_skb() puts at the end.
		 */
		if (!(staterr & E1000_RXD_STAT_EOP) ||
		    (staterr & E1000_RXDEXT_ERR_FRAME_ERR_MASK) || len < ETH_HLEN ||
		    len > SKB_MAX_HEAD) {
			ring->errors++;
			netdev_free_buf(buf);
			continue;
		}
		skb = build_skb(buf, len);
		if (!skb) {
			ring->dropped++;
			netdev_free_buf(buf);
			continue;
		}
		skb->hash = desc->wb.rss;
		skb->l4_hash = (desc->wb.pkt_info & E1000_RXDADV_RSSTYPE_MASK) != 0;
		/* igb_process_skb_fields(): the tag CTRL.VME stripped (VP) goes to skb->vlan_tci. */
		if (staterr & E1000_RXD_STAT_VP) {
			skb->vlan_tci = desc->wb.vlan;
			skb->vlan_present = 1;
			skb->vlan_8021ad = 0;
		}
		skb->queue_mapping = ring->queue_index;
		skb->smpsim_rx = SMPSIM_RX_MARKED | rx_id;
		/*
		 * As Linux's igb_rx_checksum(): only a TCP or UDP checksum the NIC
		 * verified (TCPCS/UDPCS, no TCPE/IPE) spares the stack its own check;
		 * IPCS alone does not (ip_rcv checks the header anyway).
		 */
		if ((staterr & (E1000_RXD_STAT_TCPCS | E1000_RXD_STAT_UDPCS)) &&
		    !(staterr & (E1000_RXDEXT_STATERR_IPE | E1000_RXDEXT_STATERR_TCPE))) {
			skb->ip_summed = CHECKSUM_UNNECESSARY;
			ring->csum_good++;
		}
		bytes += len;
		total++;
		eth_type_trans(skb, dev);
		netif_receive_skb(skb);
	}
	ring->next_to_clean = ntc;
	ring->packets += total;
	ring->bytes += bytes;
	if (cleaned)
		igb_alloc_rx_buffers(ring, cleaned);
	return total;
}

/* Frees the frames the device has sent (DD written back). */
static void igb_clean_tx_irq(struct igb_q_vector *q_vector)
{
	struct igb_ring *ring = q_vector->tx_ring;
	union igb_adv_tx_desc *ring_desc = ring->desc;
	unsigned long flags = spin_lock_irqsave(&ring->lock);
	unsigned int ntc = ring->next_to_clean;

	while (ntc != ring->next_to_use) {
		if (!(READ_ONCE(ring_desc[ntc].wb.status) & E1000_TXD_STAT_DD))
			break;
		dma_rmb();
		consume_skb(ring->tx_skb[ntc]);
		ring->tx_skb[ntc] = NULL;
		ring->packets++;
		if (++ntc == ring->count)
			ntc = 0;
	}
	ring->next_to_clean = ntc;
	spin_unlock_irqrestore(&ring->lock, flags);
}

static int igb_xmit_frame(struct sk_buff *skb, struct net_device *dev)
{
	struct igb_adapter *adapter = dev->priv;
	struct igb_ring *ring = &adapter->tx_ring[skb->queue_mapping % adapter->num_queues];
	union igb_adv_tx_desc *desc;
	unsigned long flags;
	unsigned int i;

	if (!skb->len || skb->len > ETH_FRAME_LEN + VLAN_HLEN) {
		kfree_skb_reason(skb, SKB_DROP_REASON_PKT_TOO_BIG);
		return -1;
	}
	flags = spin_lock_irqsave(&ring->lock);
	if (!igb_desc_unused(ring)) {
		ring->dropped++;
		spin_unlock_irqrestore(&ring->lock, flags);
		kfree_skb_reason(skb, SKB_DROP_REASON_FULL_RING);
		return -1;
	}
	i = ring->next_to_use;
	desc = (union igb_adv_tx_desc *)ring->desc + i;
	desc->read.buffer_addr = virt_to_phys(skb->data);
	desc->read.cmd_type_len = E1000_ADVTXD_DTYP_DATA | E1000_ADVTXD_DCMD_DEXT |
				  E1000_ADVTXD_DCMD_IFCS | E1000_ADVTXD_DCMD_EOP |
				  E1000_ADVTXD_DCMD_RS | skb->len;
	desc->read.olinfo_status = skb->len << E1000_ADVTXD_PAYLEN_SHIFT;
	ring->tx_skb[i] = skb;
	ring->bytes += skb->len;
	if (++i == ring->count)
		i = 0;
	ring->next_to_use = i;
	wmb();
	writel(i, ring->tail);
	spin_unlock_irqrestore(&ring->lock, flags);
	return 0;
}

/* --- Interrupts and NAPI --------------------------------------------------------------------- */

#define IGB_IMS_QUEUE_CAUSES (E1000_ICR_RXT0 | E1000_ICR_RXDMT0 | E1000_ICR_RXO | E1000_ICR_TXDW)

static void igb_ring_irq_enable(struct igb_q_vector *q_vector)
{
	struct igb_adapter *adapter = q_vector->adapter;

	if (adapter->int_mode == IGB_INT_MSIX)
		igb_wr32(adapter, E1000_EIMS, q_vector->eims_value);
	else
		igb_wr32(adapter, E1000_IMS, IGB_IMS_QUEUE_CAUSES);
}

static int igb_poll(struct napi_struct *napi, int budget)
{
	struct igb_q_vector *q_vector = container_of(napi, struct igb_q_vector, napi);
	unsigned long steered = this_cpu_ptr(&softnet_data)->rps_enqueued;
	int work;

	igb_clean_tx_irq(q_vector);
	work = igb_clean_rx_irq(q_vector, budget);
	/* Frames RPS put on a backlog are reported by the CPU that processes them. */
	steered = this_cpu_ptr(&softnet_data)->rps_enqueued - steered;
	if (work > (int)steered)
		smpsim_rx_done(smp_processor_id(), work - steered);
	if (work >= budget)
		return budget;
	if (napi_complete_done(napi, work))
		igb_ring_irq_enable(q_vector);
	return work;
}

/* MSI-X queue vector: EIAC cleared its EICR bit and EIAM masked it; NAPI re-enables it. */
static void igb_msix_ring(unsigned int irq, void *data)
{
	struct igb_q_vector *q_vector = data;

	smpsim_rx_irq(smp_processor_id(), q_vector->rx_ring->queue_index);
	napi_schedule(&q_vector->napi);
}

/* MSI-X "other" vector: link changes. */
static void igb_msix_other(unsigned int irq, void *data)
{
	struct igb_adapter *adapter = data;
	u32 icr = igb_rd32(adapter, E1000_ICR);

	if (icr & E1000_ICR_LSC)
		igb_check_link(adapter);
	igb_wr32(adapter, E1000_EIMS, adapter->eims_other);
}

/* MSI and INTx: one vector for everything; reading ICR clears the causes (and drops INTx). */
static void igb_intr(unsigned int irq, void *data)
{
	struct igb_adapter *adapter = data;
	u32 icr = igb_rd32(adapter, E1000_ICR);

	if (adapter->int_mode == IGB_INT_INTX && !(icr & E1000_ICR_INT_ASSERTED))
		return; /* not ours */
	if (icr & E1000_ICR_LSC)
		igb_check_link(adapter);
	/* Any cause but a link change may mean ring work: polling an idle ring is cheap. */
	if (icr & ~(E1000_ICR_LSC | E1000_ICR_INT_ASSERTED)) {
		/* IAM masked them on the ICR read; masked here too, NAPI unmasks. */
		igb_wr32(adapter, E1000_IMC, IGB_IMS_QUEUE_CAUSES);
		smpsim_rx_irq(smp_processor_id(), 0);
		napi_schedule(&adapter->q_vector[0].napi);
	}
}

static u32 igb_eitr_value(unsigned int usecs)
{
	return ((usecs << 2) & E1000_EITR_INTERVAL_MASK) | E1000_EITR_CNT_IGNR;
}

/* Queue i's RX and TX causes to MSI-X vector i; the other causes to the last vector. */
static void igb_configure_msix(struct igb_adapter *adapter)
{
	unsigned int i, other = adapter->num_queues;

	igb_wr32(adapter, E1000_GPIE,
		 E1000_GPIE_MSIX_MODE | E1000_GPIE_PBA | E1000_GPIE_EIAME | E1000_GPIE_NSICR);
	for (i = 0; i < IGB_MAX_QUEUES; i++)
		igb_wr32(adapter, E1000_IVAR(i), 0);
	for (i = 0; i < adapter->num_queues; i++) {
		u32 entry = i | E1000_IVAR_VALID;

		/* 82576 IVAR n: RX queue n in bits 7:0, TX queue n in 15:8 (queues 8-15 above). */
		igb_wr32(adapter, E1000_IVAR(i), entry | entry << 8);
		adapter->q_vector[i].eims_value = 1U << i;
		igb_wr32(adapter, E1000_EITR(i), igb_eitr_value(adapter->itr_us));
	}
	igb_wr32(adapter, E1000_IVAR_MISC, (other | E1000_IVAR_VALID) << 8);
	adapter->eims_other = 1U << other;
	adapter->eims_enable_mask = (1U << (other + 1)) - 1;
	igb_wrfl(adapter);
}

static void igb_irq_enable(struct igb_adapter *adapter)
{
	if (adapter->int_mode == IGB_INT_MSIX) {
		igb_wr32(adapter, E1000_EIAC, adapter->eims_enable_mask);
		igb_wr32(adapter, E1000_EIAM, adapter->eims_enable_mask);
		igb_wr32(adapter, E1000_EIMS, adapter->eims_enable_mask);
		igb_wr32(adapter, E1000_IMS, E1000_ICR_LSC);
	} else {
		igb_wr32(adapter, E1000_IAM, IGB_IMS_QUEUE_CAUSES);
		igb_wr32(adapter, E1000_IMS, IGB_IMS_QUEUE_CAUSES | E1000_ICR_LSC);
	}
	igb_wrfl(adapter);
}

/* Chooses MSI-X, MSI or INTx and requests the interrupts; sets num_queues. */
static int igb_request_irqs(struct igb_adapter *adapter, unsigned int want_queues)
{
	struct pci_dev *pdev = adapter->pdev;
	struct net_device *dev = &adapter->netdev;
	unsigned int i, nvec;

	if (net_options.igb_msix && pdev->msix_cap && pci_msi_enabled()) {
		unsigned int table = (pci_read_config_word(pdev, pdev->msix_cap + PCI_MSIX_FLAGS) &
				      PCI_MSIX_FLAGS_QSIZE) +
				     1;

		if (want_queues + 1 > table)
			want_queues = table - 1;
		nvec = want_queues + 1;
		for (i = 0; i < nvec; i++)
			adapter->msix_entries[i].entry = i;
		if (want_queues && !pci_enable_msix_exact(pdev, adapter->msix_entries, nvec)) {
			adapter->int_mode = IGB_INT_MSIX;
			adapter->num_queues = want_queues;
			for (i = 0; i < want_queues; i++) {
				struct igb_q_vector *q = &adapter->q_vector[i];

				q->irq = adapter->msix_entries[i].vector;
				q->cpu = nth_online_cpu(i);
				snprintf(q->name, sizeof(q->name), "%s-TxRx-%u", dev->name, i);
				msi_set_affinity(q->irq, q->cpu);
				if (request_irq(q->irq, igb_msix_ring, q->name, q))
					return -1;
			}
			adapter->other_irq = adapter->msix_entries[want_queues].vector;
			msi_set_affinity(adapter->other_irq, nth_online_cpu(0));
			if (request_irq(adapter->other_irq, igb_msix_other, dev->name, adapter))
				return -1;
			igb_configure_msix(adapter);
			return 0;
		}
		printk(MACHINE_DEPENDENT "igb %s: MSI-X with %u vectors failed, trying MSI\n",
		       pdev->name, nvec);
	}
	adapter->num_queues = 1;
	adapter->q_vector[0].cpu = nth_online_cpu(0);
	snprintf(adapter->q_vector[0].name, sizeof(adapter->q_vector[0].name), "%s", dev->name);
	adapter->q_vector[0].eims_value = 1;
	if (pdev->msi_cap && pci_msi_enabled() && !pci_enable_msi(pdev)) {
		adapter->int_mode = IGB_INT_MSI;
		msi_set_affinity(pdev->irq, adapter->q_vector[0].cpu);
	} else if (pdev->intx_irq >= 0) {
		adapter->int_mode = IGB_INT_INTX;
		pdev->irq = pdev->intx_irq;
		pci_intx(pdev, true);
	} else {
		printk(MACHINE_DEPENDENT "igb %s: no usable interrupt (INTx needs the IO-APIC)\n",
		       pdev->name);
		return -1;
	}
	adapter->q_vector[0].irq = pdev->irq;
	adapter->other_irq = -1;
	/* RX queue 0 on vector 0 (Linux does the same outside MSI-X mode). */
	igb_wr32(adapter, E1000_IVAR0, E1000_IVAR_VALID);
	igb_wr32(adapter, E1000_EITR(0), igb_eitr_value(adapter->itr_us));
	return request_irq(pdev->irq, igb_intr, dev->name, adapter);
}

/* --- Configuration --------------------------------------------------------------------------- */

static void igb_configure_tx(struct igb_adapter *adapter)
{
	unsigned int i;

	for (i = 0; i < adapter->num_queues; i++) {
		struct igb_ring *ring = &adapter->tx_ring[i];

		igb_wr32(adapter, E1000_TXDCTL(i), 0);
		igb_wrfl(adapter);
		igb_wr32(adapter, E1000_TDBAL(i), (u32)ring->dma);
		igb_wr32(adapter, E1000_TDBAH(i), (u32)(ring->dma >> 32));
		igb_wr32(adapter, E1000_TDLEN(i), ring->count * sizeof(union igb_adv_tx_desc));
		igb_wr32(adapter, E1000_TDH(i), 0);
		igb_wr32(adapter, E1000_TDT(i), 0);
		ring->tail = adapter->hw_addr + E1000_TDT(i);
		igb_wr32(adapter, E1000_TXDCTL(i),
			 E1000_TXDCTL_QUEUE_ENABLE | IGB_TX_PTHRESH | IGB_TX_HTHRESH << 8 |
				 IGB_TX_WTHRESH << 16);
	}
	igb_wr32(adapter, E1000_TCTL,
		 E1000_TCTL_EN | E1000_TCTL_PSP | E1000_COLLISION_THRESHOLD << E1000_TCTL_CT_SHIFT |
			 E1000_COLLISION_DISTANCE << E1000_TCTL_COLD_SHIFT);
}

/* RSS: hash IPv4, IPv4/TCP and IPv4/UDP; redirection table entry i = queue i % queues. */
static void igb_setup_mrqc(struct igb_adapter *adapter)
{
	unsigned int i, j;

	for (i = 0; i < 10; i++) {
		const u8 *k = &igb_rss_key[4 * i];

		igb_wr32(adapter, E1000_RSSRK(i), k[0] | k[1] << 8 | k[2] << 16 | (u32)k[3] << 24);
	}
	for (i = 0; i < 32; i++) {
		u32 reta = 0;

		for (j = 0; j < 4; j++)
			reta |= (u32)((4 * i + j) % adapter->num_queues) << (8 * j);
		igb_wr32(adapter, E1000_RETA(i), reta);
	}
	igb_wr32(adapter, E1000_MRQC,
		 E1000_MRQC_ENABLE_RSS_MQ | E1000_MRQC_RSS_FIELD_IPV4 |
			 E1000_MRQC_RSS_FIELD_IPV4_TCP | E1000_MRQC_RSS_FIELD_IPV4_UDP);
}

static void igb_configure_rx(struct igb_adapter *adapter)
{
	unsigned int i;

	igb_wr32(adapter, E1000_RCTL, 0);
	igb_setup_mrqc(adapter);
	igb_wr32(adapter, E1000_RXCSUM,
		 E1000_RXCSUM_IPOFL | E1000_RXCSUM_TUOFL | E1000_RXCSUM_PCSD);
	igb_wr32(adapter, E1000_RLPML, IGB_MAX_FRAME);
	for (i = 0; i < adapter->num_queues; i++) {
		struct igb_ring *ring = &adapter->rx_ring[i];
		u32 srrctl = (SKB_BUF_SIZE >> E1000_SRRCTL_BSIZEPKT_SHIFT) |
			     E1000_SRRCTL_DESCTYPE_ADV_ONEBUF;

		/* Several queues: a full ring drops its own frames instead of stalling the rest. */
		if (adapter->num_queues > 1)
			srrctl |= E1000_SRRCTL_DROP_EN;
		igb_wr32(adapter, E1000_RXDCTL(i), 0);
		igb_wrfl(adapter);
		igb_wr32(adapter, E1000_RDBAL(i), (u32)ring->dma);
		/* igb.baddma: a ring the device cannot reach, to show how a DMA to nowhere ends. */
		igb_wr32(adapter, E1000_RDBAH(i),
			 (u32)(ring->dma >> 32) | (net_options.igb_bad_dma && i == 0 ? 0x100 : 0));
		igb_wr32(adapter, E1000_RDLEN(i), ring->count * sizeof(union igb_adv_rx_desc));
		igb_wr32(adapter, E1000_SRRCTL(i), srrctl);
		igb_wr32(adapter, E1000_RDH(i), 0);
		igb_wr32(adapter, E1000_RDT(i), 0);
		ring->tail = adapter->hw_addr + E1000_RDT(i);
		igb_wr32(adapter, E1000_RXDCTL(i),
			 E1000_RXDCTL_QUEUE_ENABLE | IGB_RX_PTHRESH | IGB_RX_HTHRESH << 8 |
				 IGB_RX_WTHRESH << 16);
		/* All but one descriptor: RDT == RDH would mean "empty" to the device. */
		igb_alloc_rx_buffers(ring, igb_desc_unused(ring));
	}
	/* igb.rxvlan=1: the NIC strips 802.1Q tags into the descriptor (Linux's default rxvlan on). */
	if (net_options.igb_rxvlan)
		igb_wr32(adapter, E1000_CTRL, igb_rd32(adapter, E1000_CTRL) | E1000_CTRL_VME);
	/* Promiscuous (the replayed traffic is for other hosts), broadcast, strip the CRC,
	 * 1522-byte frames. */
	igb_wr32(adapter, E1000_RCTL,
		 E1000_RCTL_EN | E1000_RCTL_UPE | E1000_RCTL_MPE | E1000_RCTL_BAM |
			 E1000_RCTL_SECRC | E1000_RCTL_LPE);
}

static void igb_show_stats(void)
{
	struct igb_adapter *adapter = &igb_adapter;
	char buf[256];
	unsigned int i;
	int len;

	if (!igb_in_use)
		return;
	len = snprintf(buf, sizeof(buf), "%sigb: rx packets per queue:", MACHINE_DEPENDENT);
	for (i = 0; i < adapter->num_queues; i++)
		len += snprintf(buf + len, sizeof(buf) - len, " q%u=%lu", i,
				adapter->rx_ring[i].packets);
	printk("%s\n", buf);
	len = snprintf(buf, sizeof(buf), "%sigb: tx packets per queue:", MACHINE_DEPENDENT);
	for (i = 0; i < adapter->num_queues; i++)
		len += snprintf(buf + len, sizeof(buf) - len, " q%u=%lu", i,
				adapter->tx_ring[i].packets);
	printk("%s\n", buf);
	for (i = 0; i < adapter->num_queues; i++) {
		const struct igb_ring *r = &adapter->rx_ring[i];

		if (r->errors || r->dropped || r->alloc_failed || adapter->tx_ring[i].dropped)
			printk(MACHINE_DEPENDENT "igb: q%u: rx errors %lu dropped %lu alloc failed %lu, tx dropped %lu\n",
			       i, r->errors, r->dropped, r->alloc_failed, adapter->tx_ring[i].dropped);
	}
	/* The device's statistics registers clear on read: keep the running totals. */
	adapter->hw_gprc += igb_rd32(adapter, E1000_GPRC);
	adapter->hw_gptc += igb_rd32(adapter, E1000_GPTC);
	adapter->hw_mpc += igb_rd32(adapter, E1000_MPC);
	adapter->hw_rnbc += igb_rd32(adapter, E1000_RNBC);
	printk(MACHINE_DEPENDENT "igb: hw stats gprc %lu gptc %lu mpc %lu rnbc %lu\n", adapter->hw_gprc,
	       adapter->hw_gptc, adapter->hw_mpc, adapter->hw_rnbc);
	printk(MACHINE_DEPENDENT "igb: link status changes %lu\n", adapter->lsc_events);
}

static int igb_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct igb_adapter *adapter = &igb_adapter;
	struct net_device *dev = &adapter->netdev;
	unsigned int i, want_queues;
	const char *mac_from;

	if (igb_in_use) {
		printk(MACHINE_DEPENDENT "igb %s: only one port is supported, ignored\n",
		       pdev->name);
		return -1;
	}
	memset(adapter, 0, sizeof(*adapter));
	adapter->pdev = pdev;
	pdev->driver_data = adapter;
	snprintf(dev->name, sizeof(dev->name), "eth0");
	dev->priv = adapter;
	dev->start_xmit = igb_xmit_frame;

	adapter->hw_addr = pci_iomap(pdev, 0);
	if (!adapter->hw_addr) {
		printk(MACHINE_DEPENDENT "igb %s: BAR0 is not a memory BAR below 4 GiB\n",
		       pdev->name);
		return -1;
	}
	pci_set_master(pdev);
	if (igb_reset_hw(adapter)) {
		printk(MACHINE_DEPENDENT "igb %s: CTRL.RST did not clear\n", pdev->name);
		goto err;
	}
	if (igb_read_mac_addr(adapter, dev->dev_addr, &mac_from)) {
		printk(MACHINE_DEPENDENT "igb %s: no valid MAC address\n", pdev->name);
		goto err;
	}
	igb_set_mac_filter(adapter, dev->dev_addr);

	want_queues = net_options.igb_queues ? net_options.igb_queues : num_online_cpus();
	if (want_queues > IGB_MAX_QUEUES)
		want_queues = IGB_MAX_QUEUES;
	adapter->itr_us = net_options.igb_itr_us >= 0 ? (unsigned int)net_options.igb_itr_us
						      : IGB_DEFAULT_ITR_US;
	/* Before the vectors: their handlers may run as soon as they are requested. */
	for (i = 0; i < want_queues; i++) {
		struct igb_q_vector *q = &adapter->q_vector[i];

		if (igb_alloc_ring(&adapter->rx_ring[i], i) ||
		    igb_alloc_ring(&adapter->tx_ring[i], i)) {
			printk(MACHINE_DEPENDENT "igb %s: no memory for the rings\n", pdev->name);
			goto err;
		}
		q->adapter = adapter;
		q->index = i;
		q->rx_ring = &adapter->rx_ring[i];
		q->tx_ring = &adapter->tx_ring[i];
		adapter->rx_ring[i].q_vector = q;
		adapter->tx_ring[i].q_vector = q;
		netif_napi_add(dev, &q->napi, igb_poll, NAPI_POLL_WEIGHT);
		q->napi.index = i;
	}
	/* Heads and buffers: every ring full, plus frames in flight on each CPU. */
	skb_pool_grow(want_queues * IGB_RING_SIZE + 64 * num_online_cpus(),
		      want_queues * IGB_RING_SIZE + 64 * num_online_cpus() + 64);

	igb_wr32(adapter, E1000_CTRL_EXT,
		 igb_rd32(adapter, E1000_CTRL_EXT) | E1000_CTRL_EXT_DRV_LOAD);
	if (igb_request_irqs(adapter, want_queues)) {
		printk(MACHINE_DEPENDENT "igb %s: cannot set up interrupts\n", pdev->name);
		goto err;
	}
	dev->num_rx_queues = adapter->num_queues;
	dev->num_tx_queues = adapter->num_queues;
	register_netdev(dev);
	printk(MACHINE_DEPENDENT "igb %s: Intel(R) 82576 Gigabit Network Connection, %s: "
				 "%02x:%02x:%02x:%02x:%02x:%02x (from %s)\n",
	       pdev->name, dev->name, dev->dev_addr[0], dev->dev_addr[1], dev->dev_addr[2],
	       dev->dev_addr[3], dev->dev_addr[4], dev->dev_addr[5], mac_from);
	printk(MACHINE_DEPENDENT
	       "igb %s: Using %s interrupts. %u rx queue(s), %u tx queue(s), ITR %u us\n",
	       pdev->name, int_mode_names[adapter->int_mode], adapter->num_queues,
	       adapter->num_queues, adapter->itr_us);
	if (adapter->int_mode == IGB_INT_MSIX) {
		char buf[160];
		int len = snprintf(buf, sizeof(buf), "%sigb %s: vectors:", MACHINE_DEPENDENT,
				   pdev->name);

		for (i = 0; i < adapter->num_queues; i++)
			len += snprintf(buf + len, sizeof(buf) - len, " %u->CPU%u", i,
					adapter->q_vector[i].cpu);
		printk("%s, other->CPU%u\n", buf, nth_online_cpu(0));
	}

	igb_configure_tx(adapter);
	igb_configure_rx(adapter);
	igb_wr32(adapter, E1000_CTRL, igb_rd32(adapter, E1000_CTRL) | E1000_CTRL_SLU);
	(void)igb_rd32(adapter, E1000_ICR);
	igb_in_use = true;
	net_driver_show_stats = igb_show_stats;
	igb_irq_enable(adapter);

	/* The link normally comes up at once on the simulator; later ones arrive as LSC. */
	for (i = 0; i < IGB_LINK_WAIT_MS; i++) {
		if (igb_rd32(adapter, E1000_STATUS) & E1000_STATUS_LU)
			break;
		mdelay(1);
	}
	if (igb_rd32(adapter, E1000_STATUS) & E1000_STATUS_LU) {
		unsigned long flags = local_irq_save();

		/* The LSC interrupt may have got there first. */
		if (!adapter->link_up)
			igb_link_changed(adapter, true);
		local_irq_restore(flags);
	} else {
		printk(MACHINE_DEPENDENT "igb %s %s: no link yet\n", pdev->name, dev->name);
	}
	return 0;

err:
	/* The rings' pages stay allocated (the page allocator is for boot-time use here). */
	igb_irq_disable(adapter);
	if (pdev->msix_enabled)
		pci_disable_msix(pdev);
	if (pdev->msi_enabled)
		pci_disable_msi(pdev);
	pci_clear_master(pdev);
	return -1;
}

static void igb_shutdown(struct pci_dev *pdev)
{
	struct igb_adapter *adapter = pdev->driver_data;
	unsigned int i;

	if (!adapter || !igb_in_use)
		return;
	igb_irq_disable(adapter);
	igb_wr32(adapter, E1000_RCTL, 0);
	igb_wr32(adapter, E1000_TCTL, E1000_TCTL_PSP);
	for (i = 0; i < adapter->num_queues; i++) {
		igb_wr32(adapter, E1000_RXDCTL(i), 0);
		igb_wr32(adapter, E1000_TXDCTL(i), 0);
	}
	igb_wrfl(adapter);
	WRITE_ONCE(adapter->netdev.carrier, false);
	pci_clear_master(pdev);
}

static const struct pci_device_id igb_pci_tbl[] = {
	{ PCI_VENDOR_ID_INTEL, E1000_DEV_ID_82576 },
	{ 0, 0 },
};

static const struct pci_driver igb_driver = {
	.name = "igb",
	.id_table = igb_pci_tbl,
	.probe = igb_probe,
	.shutdown = igb_shutdown,
};

void igb_init_module(void)
{
	pci_register_driver(&igb_driver);
}
