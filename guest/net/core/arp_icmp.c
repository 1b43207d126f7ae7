/*
 * The two protocol handlers the kernel has so far: ARP (answers who-has for
 * our address) and IPv4 (header checks, ICMP echo requests to our address
 * answered). Frames for other hosts (the replayed traffic, seen because the
 * NIC is promiscuous) are counted and freed.
 */

#include "asm/percpu.h"
#include "if_ether.h"
#include "kernel.h"
#include "netdevice.h"
#include "string.h"

struct ipv4_stats {
	unsigned long received;
	unsigned long header_errors;
	unsigned long for_us;
	unsigned long echo_replies;
	unsigned long arp_replies;
} __aligned(64);

static DEFINE_PER_CPU(struct ipv4_stats, ipv4_stats);

/*
 * RFC 1071 one's-complement sum of len bytes, as big-endian 16-bit words.
 * Summed a dword at a time in host (little-endian) order into 64 bits and
 * folded, then byte-swapped: RFC 1071 section 2(B), byte-order independence.
 */
static u32 csum_partial(const void *data, unsigned int len, u32 sum)
{
	const u8 *p = data;
	u64 acc = 0;
	u16 folded;

	for (; len >= 4; len -= 4, p += 4)
		acc += *(const u32 *)p;
	if (len >= 2) {
		acc += *(const u16 *)p;
		p += 2;
		len -= 2;
	}
	if (len)
		acc += *p;
	acc = (acc & 0xffffffff) + (acc >> 32);
	acc = (acc & 0xffffffff) + (acc >> 32);
	acc = (acc & 0xffff) + (acc >> 16);
	acc = (acc & 0xffff) + (acc >> 16);
	acc = (acc & 0xffff) + (acc >> 16);
	folded = (u16)acc;
	return sum + (u16)(folded >> 8 | folded << 8);
}

/*
 * Linux's ip_fast_csum(): the checksum of an IPv4 header of ihl 32-bit
 * words, 0 for a correct header. A one's-complement sum is byte-order
 * independent (RFC 1071), so the dwords are added in host order and the
 * result needs no swap to be compared with 0.
 */
static u16 ip_fast_csum(const void *iph, unsigned int ihl)
{
	const u32 *w = iph;
	u64 sum = 0;

	while (ihl--)
		sum += *w++;
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (u16)~sum;
}

static u16 csum_fold(u32 sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (u16)~sum;
}

/* A reply frame on the same TX queue index as the RX queue, for the same CPU locality. */
static struct sk_buff *reply_skb(struct net_device *dev, const struct sk_buff *rx, const u8 *dest,
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

static void pad_to_min(struct sk_buff *skb)
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
	struct sk_buff *skb = reply_skb(dev, NULL, broadcast, ETH_P_ARP);
	struct arp_eth *arp;

	if (!skb)
		return;
	/* RFC 5227: a request with sender and target protocol address both ours. */
	arp = (struct arp_eth *)skb_put(skb, sizeof(*arp));
	arp_fill(arp, ARPOP_REQUEST, dev->dev_addr, (const u8 *)&dev->ip_addr, zero,
		 (const u8 *)&dev->ip_addr);
	pad_to_min(skb);
	dev_queue_xmit(skb);
}

static int arp_rcv(struct sk_buff *skb, struct net_device *dev, struct packet_type *pt)
{
	const struct arp_eth *arp = (const struct arp_eth *)skb->data;
	struct sk_buff *reply;

	if (skb->len < sizeof(*arp) || arp->ar_hrd != htons(ARPHRD_ETHER) ||
	    arp->ar_pro != htons(ETH_P_IP) || arp->ar_hln != ETH_ALEN || arp->ar_pln != 4 ||
	    arp->ar_op != htons(ARPOP_REQUEST) || memcmp(arp->ar_tip, &dev->ip_addr, 4))
		goto out;
	reply = reply_skb(dev, skb, arp->ar_sha, ETH_P_ARP);
	if (reply) {
		struct arp_eth *r = (struct arp_eth *)skb_put(reply, sizeof(*r));

		arp_fill(r, ARPOP_REPLY, dev->dev_addr, (const u8 *)&dev->ip_addr, arp->ar_sha,
			 arp->ar_sip);
		pad_to_min(reply);
		this_cpu_ptr(&ipv4_stats)->arp_replies++;
		dev_queue_xmit(reply);
	}
out:
	consume_skb(skb);
	return 0;
}

static void icmp_echo(struct sk_buff *skb, struct net_device *dev, const struct iphdr *iph,
		      unsigned int ihl, unsigned int tot_len)
{
	const struct ethhdr *eth = (const struct ethhdr *)skb_mac_header(skb);
	const struct icmphdr *icmp = (const struct icmphdr *)((const u8 *)iph + ihl);
	unsigned int icmp_len = tot_len - ihl;
	struct sk_buff *reply;
	struct iphdr *riph;
	struct icmphdr *ricmp;

	if (icmp_len < sizeof(*icmp) || icmp->type != ICMP_ECHO || icmp->code != 0 ||
	    csum_fold(csum_partial(icmp, icmp_len, 0)) != 0 ||
	    ETH_HLEN + 64 + sizeof(*riph) + icmp_len > SKB_BUF_SIZE)
		return;
	reply = reply_skb(dev, skb, eth->h_source, ETH_P_IP);
	if (!reply)
		return;
	riph = (struct iphdr *)skb_put(reply, sizeof(*riph));
	riph->ihl_version = 0x45;
	riph->tos = iph->tos;
	riph->tot_len = htons(sizeof(*riph) + icmp_len);
	riph->id = iph->id;
	riph->frag_off = 0;
	riph->ttl = 64;
	riph->protocol = IPPROTO_ICMP;
	riph->check = 0;
	riph->saddr = dev->ip_addr;
	riph->daddr = iph->saddr;
	riph->check = htons(csum_fold(csum_partial(riph, sizeof(*riph), 0)));
	ricmp = (struct icmphdr *)skb_put(reply, icmp_len);
	memcpy(ricmp, icmp, icmp_len);
	ricmp->type = ICMP_ECHOREPLY;
	ricmp->checksum = 0;
	ricmp->checksum = htons(csum_fold(csum_partial(ricmp, icmp_len, 0)));
	pad_to_min(reply);
	this_cpu_ptr(&ipv4_stats)->echo_replies++;
	dev_queue_xmit(reply);
}

static int ipv4_rcv(struct sk_buff *skb, struct net_device *dev, struct packet_type *pt)
{
	struct ipv4_stats *st = this_cpu_ptr(&ipv4_stats);
	const struct iphdr *iph = (const struct iphdr *)skb->data;
	unsigned int ihl, tot_len;

	st->received++;
	if (skb->len < sizeof(*iph) || (iph->ihl_version >> 4) != 4)
		goto bad;
	ihl = (iph->ihl_version & 0xf) * 4;
	tot_len = ntohs(iph->tot_len);
	if (ihl < sizeof(*iph) || tot_len < ihl || tot_len > skb->len || ihl > skb->len ||
	    ip_fast_csum(iph, ihl / 4) != 0)
		goto bad;
	if (skb->pkt_type != PACKET_OTHERHOST && iph->daddr == dev->ip_addr) {
		st->for_us++;
		/* Not a fragment, ICMP: echo requests get their reply. */
		if (iph->protocol == IPPROTO_ICMP && !(ntohs(iph->frag_off) & 0x3fff))
			icmp_echo(skb, dev, iph, ihl, tot_len);
	}
	consume_skb(skb);
	return 0;
bad:
	st->header_errors++;
	kfree_skb_reason(skb, SKB_DROP_REASON_IP_INHDR);
	return 0;
}

static struct packet_type arp_packet_type = { .type = ETH_P_ARP, .func = arp_rcv };
static struct packet_type ip_packet_type = { .type = ETH_P_IP, .func = ipv4_rcv };

void net_proto_init(void)
{
	dev_add_pack(&arp_packet_type);
	dev_add_pack(&ip_packet_type);
}
