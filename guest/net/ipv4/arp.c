/*
 * ARP (answers who-has for our address, sends the gratuitous ARP at link-up),
 * the Ethernet reply frames it and ICMP echo share, and the registration of
 * the ARP and IPv4 (ip_rcv, net/ipv4/ip_input.c) packet_types.
 */

#include "asm/percpu.h"
#include "if_ether.h"
#include "inet_frag.h"
#include "ip.h"
#include "kernel.h"
#include "netdevice.h"
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

static int arp_rcv(struct sk_buff *skb, struct net_device *dev, struct packet_type *pt)
{
	const struct arp_eth *arp = (const struct arp_eth *)skb->data;
	struct sk_buff *reply;

	/* As Linux's arp_rcv(): frames for other hosts are not looked at. */
	if (skb->pkt_type == PACKET_OTHERHOST || skb->len < sizeof(*arp) ||
	    arp->ar_hrd != htons(ARPHRD_ETHER) || arp->ar_pro != htons(ETH_P_IP) ||
	    arp->ar_hln != ETH_ALEN || arp->ar_pln != 4 || arp->ar_op != htons(ARPOP_REQUEST) ||
	    memcmp(arp->ar_tip, &dev->ip_addr, 4))
		goto out;
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
	dev_add_pack(&arp_packet_type);
	dev_add_pack(&ip_packet_type);
}
