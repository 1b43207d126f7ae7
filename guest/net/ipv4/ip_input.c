/*
 * IPv4 receive, after Linux 6.18's net/ipv4/ip_input.c: ip_rcv() with
 * ip_rcv_core()'s checks and counters, ip_rcv_finish() with the route
 * decision of a host that does not forward, and local delivery to the
 * transport handlers.
 */

#include "asm/percpu.h"
#include "checksum.h"
#include "ip.h"
#include "kernel.h"
#include "netdevice.h"
#include "snmp.h"

DEFINE_PER_CPU(struct ipv4_mib, ipv4_mib);
atomic64_t icmpmsg_statistics[ICMPMSG_MIB_MAX];

u32 inet_own_addr(void)
{
	return htonl(net_options.ip_addr);
}

/* Linux's ipv4_is_*() tests on network-order addresses. */
static inline bool ipv4_is_multicast(u32 addr)
{
	return (addr & htonl(0xf0000000)) == htonl(0xe0000000);
}

static inline bool ipv4_is_lbcast(u32 addr)
{
	return addr == 0xffffffff;
}

static inline bool ipv4_is_zeronet(u32 addr)
{
	return (addr & htonl(0xff000000)) == 0;
}

static inline bool ipv4_is_loopback(u32 addr)
{
	return (addr & htonl(0xff000000)) == htonl(0x7f000000);
}

#define INADDR_ALLHOSTS_GROUP htonl(0xe0000001) /* 224.0.0.1: every interface is a member */

static int ip_local_deliver_finish(struct sk_buff *skb)
{
	u8 protocol = ip_hdr(skb)->protocol;

	/* Linux's ip_protocol_deliver_rcu(), with inet_protos[] as a switch and no raw sockets. */
	__skb_pull(skb, ip_hdrlen(skb));
	skb_reset_transport_header(skb);
	switch (protocol) {
	case IPPROTO_ICMP:
		icmp_rcv(skb);
		break;
	case IPPROTO_IGMP:
		igmp_rcv(skb);
		break;
	case IPPROTO_TCP:
		tcp_v4_rcv(skb);
		break;
	case IPPROTO_UDP:
		udp_rcv(skb);
		break;
	default:
		/* Linux also sends ICMP protocol unreachable here; nothing is sent yet. */
		__IP_INC_STATS(IPSTATS_MIB_INUNKNOWNPROTOS);
		kfree_skb_reason(skb, SKB_DROP_REASON_IP_NOPROTO);
		return 0;
	}
	__IP_INC_STATS(IPSTATS_MIB_INDELIVERS);
	return 0;
}

int ip_local_deliver(struct sk_buff *skb)
{
	/* Reassemble IP fragments: a queued or dropped fragment is done with. */
	if (ip_is_fragment(ip_hdr(skb))) {
		if (ip_defrag(skb, IP_DEFRAG_LOCAL_DELIVER))
			return 0;
	}
	return ip_local_deliver_finish(skb);
}

/*
 * The route decision of ip_route_input_noref() for a host without a routing
 * table or forwarding: ip_route_input_slow() makes our address RTN_LOCAL and
 * 255.255.255.255 RTN_BROADCAST, drops martian sources (multicast, limited
 * broadcast, 0/8 to a unicast, loopback) as IP_INVALID_SOURCE, and with
 * forwarding off gives anything else an unreachable route that ip_error()
 * counts as InAddrErrors. Multicast is delivered only for the groups the
 * interface is in (224.0.0.1), as ip_check_mc_rcu(); otherwise it is dropped
 * without a counter.
 */
int ip_rcv_finish(struct sk_buff *skb)
{
	const struct iphdr *iph = ip_hdr(skb);
	u32 daddr = iph->daddr, saddr = iph->saddr;

	if (ipv4_is_multicast(daddr)) {
		if (daddr == INADDR_ALLHOSTS_GROUP) {
			__IP_INC_STATS(IPSTATS_MIB_INMCASTPKTS);
			return ip_local_deliver(skb);
		}
		kfree_skb_reason(skb, SKB_DROP_REASON_NOT_SPECIFIED);
		return 0;
	}
	if (ipv4_is_multicast(saddr) || ipv4_is_lbcast(saddr) || ipv4_is_loopback(saddr) ||
	    (ipv4_is_zeronet(saddr) && !ipv4_is_lbcast(daddr))) {
		kfree_skb_reason(skb, SKB_DROP_REASON_IP_INVALID_SOURCE);
		return 0;
	}
	if (ipv4_is_lbcast(daddr)) {
		__IP_INC_STATS(IPSTATS_MIB_INBCASTPKTS);
		return ip_local_deliver(skb);
	}
	if (daddr == inet_own_addr())
		return ip_local_deliver(skb);
	/* ip_error() on the route of a host that does not forward (EHOSTUNREACH). */
	__IP_INC_STATS(IPSTATS_MIB_INADDRERRORS);
	kfree_skb_reason(skb, SKB_DROP_REASON_IP_INADDRERRORS);
	return 0;
}

/*
 * Linux's ip_rcv_core(), check for check and counter for counter (6.18):
 *
 *   PACKET_OTHERHOST (promiscuous NIC)   OTHERHOST, before InReceives
 *   fewer than 20 bytes, version != 4,
 *     IHL < 5, fewer than IHL*4 bytes   InHdrErrors, IP_INHDR
 *   bad header checksum                 InCsumErrors + InHdrErrors, IP_CSUM
 *   tot_len > bytes received            InTruncatedPkts, PKT_TOO_SMALL
 *   tot_len < IHL*4                     InHdrErrors, IP_INHDR
 *
 * then the Ethernet padding is trimmed off (pskb_trim_rcsum: skb->len becomes
 * tot_len). Returns the skb, or NULL when it was dropped.
 */
static struct sk_buff *ip_rcv_core(struct sk_buff *skb)
{
	enum skb_drop_reason drop_reason;
	const struct iphdr *iph;
	unsigned int ihl, len;

	if (skb->pkt_type == PACKET_OTHERHOST) {
		drop_reason = SKB_DROP_REASON_OTHERHOST;
		goto drop;
	}
	__IP_INC_STATS(IPSTATS_MIB_INPKTS);

	drop_reason = SKB_DROP_REASON_NOT_SPECIFIED;
	if (!pskb_may_pull(skb, sizeof(struct iphdr)))
		goto inhdr_error;
	iph = (const struct iphdr *)skb->data;
	ihl = iph->ihl_version & 0xf;
	if (ihl < 5 || (iph->ihl_version >> 4) != 4)
		goto inhdr_error;
	if (!pskb_may_pull(skb, ihl * 4))
		goto inhdr_error;
	if (unlikely(ip_fast_csum(iph, ihl)))
		goto csum_error;
	len = ntohs(iph->tot_len);
	if (skb->len < len) {
		drop_reason = SKB_DROP_REASON_PKT_TOO_SMALL;
		__IP_INC_STATS(IPSTATS_MIB_INTRUNCATEDPKTS);
		goto drop;
	} else if (len < ihl * 4) {
		goto inhdr_error;
	}
	if (pskb_trim_rcsum(skb, len)) {
		__IP_INC_STATS(IPSTATS_MIB_INDISCARDS);
		goto drop;
	}
	skb->transport_header = skb->network_header + ihl * 4;
	return skb;

csum_error:
	drop_reason = SKB_DROP_REASON_IP_CSUM;
	__IP_INC_STATS(IPSTATS_MIB_CSUMERRORS);
inhdr_error:
	if (drop_reason == SKB_DROP_REASON_NOT_SPECIFIED)
		drop_reason = SKB_DROP_REASON_IP_INHDR;
	__IP_INC_STATS(IPSTATS_MIB_INHDRERRORS);
drop:
	kfree_skb_reason(skb, drop_reason);
	return NULL;
}

/* The IPv4 packet_type handler. No netfilter yet: NF_INET_PRE_ROUTING is a direct call. */
int ip_rcv(struct sk_buff *skb, struct net_device *dev, struct packet_type *pt)
{
	skb = ip_rcv_core(skb);
	if (!skb)
		return NET_RX_DROP;
	return ip_rcv_finish(skb);
}
