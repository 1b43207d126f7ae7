/*
 * IPv4 receive, after Linux 6.18's net/ipv4/ip_input.c: ip_rcv() with
 * ip_rcv_core()'s checks and counters, NF_INET_PRE_ROUTING, ip_rcv_finish()
 * with the route decision (net/ipv4/route.c), and local delivery to the
 * transport handlers after NF_INET_LOCAL_IN.
 */

#include "asm/percpu.h"
#include "checksum.h"
#include "icmp.h"
#include "ip.h"
#include "kernel.h"
#include "netdevice.h"
#include "netfilter.h"
#include "route.h"
#include "snmp.h"

DEFINE_PER_CPU(struct ipv4_mib, ipv4_mib);
atomic64_t icmpmsg_statistics[ICMPMSG_MIB_MAX];

u32 inet_own_addr(void)
{
	return htonl(net_options.ip_addr);
}

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
	return NF_HOOK(NFPROTO_IPV4, NF_INET_LOCAL_IN, skb, skb->dev, NULL,
		       ip_local_deliver_finish);
}

/*
 * Linux's ip_rcv_options() for the cases that matter here: options that do
 * not parse (an option running past the header, a length below 2) are
 * InHdrErrors with an ICMP parameter problem pointing at the bad byte, as
 * ip_options_compile() does; source routing (LSRR, SSRR) is dropped, since
 * accept_source_route is 0 (conf/all AND the device's). Returns a drop reason.
 */
static enum skb_drop_reason ip_rcv_options(struct sk_buff *skb)
{
	const struct iphdr *iph = ip_hdr(skb);
	const u8 *opt = (const u8 *)(iph + 1), *end = (const u8 *)iph + ip_hdrlen(skb);

	while (opt < end) {
		u8 type = opt[0];

		if (type == IPOPT_END)
			break;
		if (type == IPOPT_NOOP) {
			opt++;
			continue;
		}
		if (end - opt < 2 || opt[1] < 2 || opt[1] > end - opt) {
			const u8 *pp = end - opt < 2 ? opt : opt + 1;

			__IP_INC_STATS(IPSTATS_MIB_INHDRERRORS);
			icmp_send(skb, ICMP_PARAMETERPROB, 0,
				  htonl((u32)(pp - (const u8 *)iph) << 24));
			return SKB_DROP_REASON_IP_INHDR;
		}
		if (type == IPOPT_LSRR || type == IPOPT_SSRR)
			return SKB_DROP_REASON_NOT_SPECIFIED;
		opt += opt[1];
	}
	return SKB_NOT_DROPPED_YET;
}

/*
 * ip_rcv_finish_core(): the route (ip_route_input_noref(), include/route.h),
 * InMcastPkts/InBcastPkts by its type, the options, then dst_input():
 * ip_local_deliver(), ip_forward() or ip_error().
 */
int ip_rcv_finish(struct sk_buff *skb)
{
	const struct iphdr *iph = ip_hdr(skb);
	enum skb_drop_reason reason;
	const struct rtable *rt;

	reason = ip_route_input_noref(skb, iph->daddr, iph->saddr);
	if (reason)
		goto drop;
	rt = skb_rtable(skb);
	if (rt->rt_type == RTN_MULTICAST)
		__IP_INC_STATS(IPSTATS_MIB_INMCASTPKTS);
	else if (rt->rt_type == RTN_BROADCAST)
		__IP_INC_STATS(IPSTATS_MIB_INBCASTPKTS);
	if ((iph->ihl_version & 0xf) > 5) {
		reason = ip_rcv_options(skb);
		if (reason)
			goto drop;
	}
	return dst_input(skb);
drop:
	kfree_skb_reason(skb, reason);
	return NET_RX_DROP;
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

/* The IPv4 packet_type handler: ip_rcv_core(), NF_INET_PRE_ROUTING, ip_rcv_finish(). */
int ip_rcv(struct sk_buff *skb, struct net_device *dev, struct packet_type *pt)
{
	skb = ip_rcv_core(skb);
	if (!skb)
		return NET_RX_DROP;
	IPCB(skb)->flags = 0;
	return NF_HOOK(NFPROTO_IPV4, NF_INET_PRE_ROUTING, skb, dev, NULL, ip_rcv_finish);
}
