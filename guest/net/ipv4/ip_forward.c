/*
 * IPv4 forwarding, after Linux 6.18's net/ipv4/ip_forward.c: ip_forward() is
 * the input of a route that forwards (ip_route_input_noref() with
 * net.ipv4.ip_forward=1), ip_forward_finish() runs after NF_INET_FORWARD.
 * IP options are not forwarded specially: a packet with source routing was
 * already dropped on input (accept_source_route=0), record-route and
 * timestamp options go through unchanged (Linux's ip_forward_options() would
 * fill them in).
 */

#include "icmp.h"
#include "ip.h"
#include "netdevice.h"
#include "netfilter.h"
#include "route.h"
#include "snmp.h"

static int ip_forward_finish(struct sk_buff *skb)
{
	__IP_INC_STATS(IPSTATS_MIB_OUTFORWDATAGRAMS);
	return dst_output(skb);
}

/* ip_exceeds_mtu(): longer than mtu with DF set; a reassembled packet by its largest fragment. */
static bool ip_exceeds_mtu(const struct sk_buff *skb, unsigned int mtu)
{
	if (skb->len <= mtu)
		return false;
	if (!(ip_hdr(skb)->frag_off & htons(IP_DF)))
		return false;
	if (skb->frag_max_size > mtu)
		return true;
	return !skb->ignore_df;
}

/* skb_cow(): a private buffer before the header is changed. */
static struct sk_buff *ip_forward_cow(struct sk_buff *skb)
{
	struct sk_buff *copy;

	if (!skb_cloned(skb) && skb_headroom(skb) >= ETH_HLEN)
		return skb;
	copy = skb_copy(skb);
	if (copy && skb_headroom(copy) < ETH_HLEN) {
		kfree_skb(copy);
		copy = NULL;
	}
	if (copy)
		consume_skb(skb);
	return copy;
}

int ip_forward(struct sk_buff *skb)
{
	enum skb_drop_reason reason = SKB_DROP_REASON_NOT_SPECIFIED;
	const struct rtable *rt = skb_rtable(skb);
	struct sk_buff *nskb;
	unsigned int mtu;

	/* A frame sent to the link's broadcast or multicast address is not forwarded. */
	if (skb->pkt_type != PACKET_HOST)
		goto drop;
	/* RFC 1812: decrease first; a packet whose TTL would reach 0 dies here. */
	if (ip_hdr(skb)->ttl <= 1)
		goto too_many_hops;
	IPCB(skb)->flags |= IPSKB_FORWARDED;
	mtu = rt->mtu ? rt->mtu : skb->dev->mtu;
	if (ip_exceeds_mtu(skb, mtu)) {
		__IP_INC_STATS(IPSTATS_MIB_FRAGFAILS);
		icmp_send(skb, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, htonl(mtu));
		reason = SKB_DROP_REASON_PKT_TOO_BIG;
		goto drop;
	}
	nskb = ip_forward_cow(skb);
	if (!nskb)
		goto drop;
	skb = nskb;
	ip_decrease_ttl((struct iphdr *)ip_hdr(skb));
	if (IPCB(skb)->flags & IPSKB_DOREDIRECT)
		ip_rt_send_redirect(skb);
	return NF_HOOK(NFPROTO_IPV4, NF_INET_FORWARD, skb, skb->dev, skb->dev, ip_forward_finish);

too_many_hops:
	/* Tell the sender its packet died. */
	__IP_INC_STATS(IPSTATS_MIB_INHDRERRORS);
	icmp_send(skb, ICMP_TIME_EXCEEDED, ICMP_EXC_TTL, 0);
	reason = SKB_DROP_REASON_IP_INHDR;
drop:
	kfree_skb_reason(skb, reason);
	return NET_RX_DROP;
}
