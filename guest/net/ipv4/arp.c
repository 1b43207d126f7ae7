/*
 * ARP (answers who-has for our address, sends the gratuitous ARP at link-up,
 * asks for the neighbours the output path needs), the neighbour table
 * (include/neighbour.h), the Ethernet reply frames ARP shares with the rest,
 * and the registration of the ARP and IPv4 (ip_rcv, net/ipv4/ip_input.c)
 * packet_types.
 */

#include "asm/percpu.h"
#include "asm/timer.h"
#include "cpumask.h"
#include "if_ether.h"
#include "inet_frag.h"
#include "ip.h"
#include "ip_tables.h"
#include "kernel.h"
#include "neighbour.h"
#include "netdevice.h"
#include "route.h"
#include "seqlock.h"
#include "spinlock.h"
#include "string.h"

/* A reply frame on the same TX queue index as the RX queue, for the same CPU locality. */
struct sk_buff *eth_reply_skb(struct net_device *dev, const struct sk_buff *rx, const u8 *dest,
			      u16 proto)
{
	struct sk_buff *skb = alloc_skb(SKB_MAX_HEAD);
	struct ethhdr *eth;

	if (!skb)
		return NULL;
	skb_reserve(skb, 64);
	skb->dev = dev;
	skb->queue_mapping = rx ? rx->queue_mapping : 0;
	eth = (struct ethhdr *)skb_put(skb, ETH_HLEN);
	memcpy(eth->h_dest, dest, ETH_ALEN);
	memcpy(eth->h_source, dev->dev_addr, ETH_ALEN);
	eth->h_proto = htons(proto);
	return skb;
}

void eth_pad_to_min(struct sk_buff *skb)
{
	if (skb->len < ETH_ZLEN)
		memset(skb_put(skb, ETH_ZLEN - skb->len), 0, ETH_ZLEN - skb->len);
}

static void arp_fill(struct arp_eth *arp, u16 op, const u8 *sha, const u8 *sip, const u8 *tha,
		     const u8 *tip)
{
	arp->ar_hrd = htons(ARPHRD_ETHER);
	arp->ar_pro = htons(ETH_P_IP);
	arp->ar_hln = ETH_ALEN;
	arp->ar_pln = 4;
	arp->ar_op = htons(op);
	memcpy(arp->ar_sha, sha, ETH_ALEN);
	memcpy(arp->ar_sip, sip, 4);
	memcpy(arp->ar_tha, tha, ETH_ALEN);
	memcpy(arp->ar_tip, tip, 4);
}

void arp_send_gratuitous(struct net_device *dev)
{
	static const u8 broadcast[ETH_ALEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const u8 zero[ETH_ALEN];
	struct sk_buff *skb = eth_reply_skb(dev, NULL, broadcast, ETH_P_ARP);
	struct arp_eth *arp;

	if (!skb)
		return;
	/* RFC 5227: a request with sender and target protocol address both ours. */
	arp = (struct arp_eth *)skb_put(skb, sizeof(*arp));
	arp_fill(arp, ARPOP_REQUEST, dev->dev_addr, (const u8 *)&dev->ip_addr, zero,
		 (const u8 *)&dev->ip_addr);
	eth_pad_to_min(skb);
	dev_queue_xmit(skb);
}

/* --- The neighbour table --------------------------------------------------------------------- */

#define NEIGH_TABLE_SIZE 64

struct neighbour {
	u32 primary_key; /* network order */
	u8 ha[ETH_ALEN];
	u8 nud_state;	       /* 0: free slot */
	unsigned long updated; /* jiffies of the last change (or probe, INCOMPLETE) */
};

static struct neighbour arp_tbl[NEIGH_TABLE_SIZE];
static DEFINE_SPINLOCK(arp_tbl_lock);
/*
 * Writers change entries under arp_tbl_lock inside this count; the per-packet
 * lookup (neigh_resolve) only reads, as Linux's RCU lookup with the entry's
 * ha_lock seqlock, so forwarding CPUs do not bounce the lock's line.
 */
static seqcount_t arp_tbl_seq = SEQCNT_ZERO;
static DEFINE_PER_CPU(unsigned long, neigh_unres);

/* addr's entry, or NULL (lock held). */
static struct neighbour *neigh_find(u32 addr)
{
	unsigned int i;

	for (i = 0; i < NEIGH_TABLE_SIZE; i++)
		if (arp_tbl[i].nud_state && arp_tbl[i].primary_key == addr)
			return &arp_tbl[i];
	return NULL;
}

/* A slot for a new entry: a free one, else the oldest that is not permanent (lock held). */
static struct neighbour *neigh_alloc(void)
{
	struct neighbour *victim = NULL;
	unsigned int i;

	for (i = 0; i < NEIGH_TABLE_SIZE; i++) {
		struct neighbour *n = &arp_tbl[i];

		if (!n->nud_state)
			return n;
		if (!(n->nud_state & NUD_PERMANENT) &&
		    (!victim || (long)(n->updated - victim->updated) < 0))
			victim = n;
	}
	return victim;
}

bool neigh_resolve(u32 addr, u8 *ha)
{
	unsigned int seq;
	bool valid;

	do {
		const struct neighbour *n;

		seq = read_seqcount_begin(&arp_tbl_seq);
		n = neigh_find(addr);
		valid = n && (READ_ONCE(n->nud_state) & NUD_VALID);
		if (valid)
			memcpy(ha, n->ha, ETH_ALEN);
	} while (read_seqcount_retry(&arp_tbl_seq, seq));
	return valid;
}

int neigh_update(u32 addr, const u8 *ha, u8 state, bool create)
{
	unsigned long flags = spin_lock_irqsave(&arp_tbl_lock);
	struct neighbour *n = neigh_find(addr);
	int ret = 0;

	if (!n && create) {
		n = neigh_alloc();
		if (n) {
			write_seqcount_begin(&arp_tbl_seq);
			n->primary_key = addr;
			write_seqcount_end(&arp_tbl_seq);
		} else {
			ret = -1;
		}
	}
	if (n && (!(n->nud_state & NUD_PERMANENT) || (state & NUD_PERMANENT))) {
		write_seqcount_begin(&arp_tbl_seq);
		if (ha)
			memcpy(n->ha, ha, ETH_ALEN);
		n->nud_state = state;
		n->updated = jiffies;
		write_seqcount_end(&arp_tbl_seq);
	}
	spin_unlock_irqrestore(&arp_tbl_lock, flags);
	return ret;
}

void neigh_delete(u32 addr)
{
	unsigned long flags = spin_lock_irqsave(&arp_tbl_lock);
	struct neighbour *n = neigh_find(addr);

	if (n) {
		write_seqcount_begin(&arp_tbl_seq);
		n->nud_state = 0;
		write_seqcount_end(&arp_tbl_seq);
	}
	spin_unlock_irqrestore(&arp_tbl_lock, flags);
}

void neigh_init(void)
{
	unsigned int i;

	for (i = 0; i < net_options.nr_neighs; i++)
		if (neigh_update(htonl(net_options.neighs[i].addr), net_options.neighs[i].ha,
				 NUD_PERMANENT, true))
			printk("neigh=: the neighbour table is full\n");
}

unsigned long neigh_unres_discards(void)
{
	unsigned long sum = 0;
	unsigned int cpu;

	for_each_possible_cpu(cpu) sum += *per_cpu_ptr(&neigh_unres, cpu);
	return sum;
}

/*
 * An unresolved next hop: an INCOMPLETE entry and a request, then one more
 * request per second while packets keep asking (Linux's retrans_time). true if
 * a request is due.
 */
static bool neigh_event_send(u32 addr)
{
	unsigned long flags = spin_lock_irqsave(&arp_tbl_lock);
	struct neighbour *n = neigh_find(addr);
	bool probe = false;

	if (!n) {
		n = neigh_alloc();
		if (n) {
			write_seqcount_begin(&arp_tbl_seq);
			n->primary_key = addr;
			n->nud_state = NUD_INCOMPLETE;
			n->updated = jiffies;
			write_seqcount_end(&arp_tbl_seq);
			probe = true;
		}
	} else if (n->nud_state == NUD_INCOMPLETE && jiffies - n->updated >= HZ) {
		n->updated = jiffies;
		probe = true;
	}
	spin_unlock_irqrestore(&arp_tbl_lock, flags);
	return probe;
}

int neigh_output(struct net_device *dev, u32 addr, struct sk_buff *skb)
{
	struct ethhdr *eth;
	u8 ha[ETH_ALEN];

	if (addr == 0xffffffff)
		memset(ha, 0xff, ETH_ALEN); /* broadcast routes: arp_mc_map() */
	else if (!neigh_resolve(addr, ha)) {
		if (neigh_event_send(addr))
			arp_solicit(dev, addr, skb->queue_mapping);
		(*this_cpu_ptr(&neigh_unres))++;
		kfree_skb_reason(skb, SKB_DROP_REASON_NEIGH_FAILED);
		return -1;
	}
	eth = (struct ethhdr *)skb_push(skb, ETH_HLEN);
	memcpy(eth->h_dest, ha, ETH_ALEN);
	memcpy(eth->h_source, dev->dev_addr, ETH_ALEN);
	eth->h_proto = htons(ETH_P_IP);
	skb_reset_mac_header(skb);
	skb->dev = dev;
	skb->protocol = ETH_P_IP;
	return dev_queue_xmit(skb);
}

/* --- ARP ------------------------------------------------------------------------------------- */

void arp_solicit(struct net_device *dev, u32 addr, u16 queue)
{
	static const u8 broadcast[ETH_ALEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const u8 zero[ETH_ALEN];
	struct sk_buff *skb = eth_reply_skb(dev, NULL, broadcast, ETH_P_ARP);
	struct arp_eth *arp;

	if (!skb)
		return;
	skb->queue_mapping = queue;
	arp = (struct arp_eth *)skb_put(skb, sizeof(*arp));
	arp_fill(arp, ARPOP_REQUEST, dev->dev_addr, (const u8 *)&dev->ip_addr, zero,
		 (const u8 *)&addr);
	eth_pad_to_min(skb);
	dev_queue_xmit(skb);
}

static int arp_rcv(struct sk_buff *skb, struct net_device *dev, struct packet_type *pt)
{
	const struct arp_eth *arp = (const struct arp_eth *)skb->data;
	struct sk_buff *reply;
	u32 sip;

	/* As Linux's arp_rcv(): frames for other hosts are not looked at. */
	if (skb->pkt_type == PACKET_OTHERHOST || skb->len < sizeof(*arp) ||
	    arp->ar_hrd != htons(ARPHRD_ETHER) || arp->ar_pro != htons(ETH_P_IP) ||
	    arp->ar_hln != ETH_ALEN || arp->ar_pln != 4 || memcmp(arp->ar_tip, &dev->ip_addr, 4))
		goto out;
	memcpy(&sip, arp->ar_sip, 4);
	/* arp_process(): a reply completes the entry we asked for (no unsolicited entries). */
	if (arp->ar_op == htons(ARPOP_REPLY)) {
		if (sip && !is_multicast_ether_addr(arp->ar_sha))
			neigh_update(sip, arp->ar_sha, NUD_REACHABLE, false);
		goto out;
	}
	if (arp->ar_op != htons(ARPOP_REQUEST))
		goto out;
	/* neigh_event_ns(): the sender of a request for us becomes a STALE entry. */
	if (sip && !is_multicast_ether_addr(arp->ar_sha))
		neigh_update(sip, arp->ar_sha, NUD_STALE, true);
	reply = eth_reply_skb(dev, skb, arp->ar_sha, ETH_P_ARP);
	if (reply) {
		struct arp_eth *r = (struct arp_eth *)skb_put(reply, sizeof(*r));

		arp_fill(r, ARPOP_REPLY, dev->dev_addr, (const u8 *)&dev->ip_addr, arp->ar_sha,
			 arp->ar_sip);
		eth_pad_to_min(reply);
		dev_queue_xmit(reply);
	}
out:
	consume_skb(skb);
	return 0;
}

static struct packet_type arp_packet_type = { .type = ETH_P_ARP, .func = arp_rcv };
static struct packet_type ip_packet_type = { .type = ETH_P_IP, .func = ip_rcv };

void net_proto_init(void)
{
	ipfrag_init(); /* as Linux's inet_init() */
	ip_fib_init();
	neigh_init();
	iptable_filter_init();
	dev_add_pack(&arp_packet_type);
	dev_add_pack(&ip_packet_type);
}
