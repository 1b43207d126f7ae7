/*
 * IPv4 output, after Linux 6.18's net/ipv4/ip_output.c: ip_local_out() for
 * what the kernel itself sends (ICMP replies and errors), ip_output() for
 * every packet that leaves (forwarded ones come from ip_forward_finish()),
 * with the NF_INET_LOCAL_OUT and NF_INET_POST_ROUTING hooks where Linux has
 * them, then the neighbour and the device. Counters as Linux counts them since
 * 6.3: OutRequests for locally generated packets only (__ip_local_out()),
 * OutTransmits for every packet handed to the neighbour layer
 * (ip_finish_output2()).
 */

#include "checksum.h"
#include "icmp.h"
#include "ip.h"
#include "neighbour.h"
#include "netdevice.h"
#include "netfilter.h"
#include "route.h"
#include "snmp.h"

void ip_send_check(struct iphdr *iph)
{
	iph->check = 0;
	iph->check = htons(csum_fold(csum_partial(iph, (iph->ihl_version & 0xf) * 4, 0)));
}

int ip_finish_output2(struct sk_buff *skb)
{
	const struct rtable *rt = skb_rtable(skb);
	struct net_device *dev = skb->dev;
	u32 nexthop;

	__IP_INC_STATS(IPSTATS_MIB_OUTPKTS);
	if (rt->rt_flags & RTCF_BROADCAST)
		nexthop = 0xffffffff; /* arp_mc_map(): the Ethernet broadcast address */
	else
		nexthop = rt_nexthop(rt, ip_hdr(skb)->daddr);
	return neigh_output(dev, nexthop, skb);
}

int ip_fragment(struct sk_buff *skb, unsigned int mtu, int (*output)(struct sk_buff *))
{
	if (ip_hdr(skb)->frag_off & htons(IP_DF)) {
		/* No ignore_df: nothing here sets it. */
		__IP_INC_STATS(IPSTATS_MIB_FRAGFAILS);
		icmp_send(skb, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, htonl(mtu));
		kfree_skb_reason(skb, SKB_DROP_REASON_PKT_TOO_BIG);
		return -EMSGSIZE;
	}
	/*
	 * FRAGMENTATION CALL POINT: return ip_do_fragment(skb, mtu, output);
	 * (net/ipv4/ip_fragment.c). Until it exists, a packet that would need
	 * fragments is dropped and counted as a failed fragmentation.
	 */
	(void)output;
	__IP_INC_STATS(IPSTATS_MIB_FRAGFAILS);
	kfree_skb_reason(skb, SKB_DROP_REASON_PKT_TOO_BIG);
	return -EMSGSIZE;
}

/* __ip_finish_output(): the device's MTU (the route's if it has one); no GSO. */
static int ip_finish_output(struct sk_buff *skb)
{
	const struct rtable *rt = skb_rtable(skb);
	unsigned int mtu = rt->mtu ? rt->mtu : skb->dev->mtu;

	/* With ip_fragment.c: || IPCB(skb)->frag_max_size (a reassembled packet keeps its sizes).
	 */
	if (skb->len > mtu)
		return ip_fragment(skb, mtu, ip_finish_output2);
	return ip_finish_output2(skb);
}

int ip_output(struct sk_buff *skb)
{
	struct net_device *dev = skb->dev, *indev = skb->dev;

	/* The route's device is the one NIC, the device the packet came in by. */
	skb->protocol = ETH_P_IP;
	if (IPCB(skb)->flags & IPSKB_REROUTED)
		return ip_finish_output(skb);
	return NF_HOOK(NFPROTO_IPV4, NF_INET_POST_ROUTING, skb, indev, dev, ip_finish_output);
}

int ip_local_out(struct sk_buff *skb)
{
	struct iphdr *iph = (struct iphdr *)skb->data;

	skb_reset_network_header(skb);
	iph->tot_len = htons(skb->len);
	ip_send_check(iph);
	__IP_INC_STATS(IPSTATS_MIB_OUTREQUESTS);
	skb->protocol = ETH_P_IP;
	return NF_HOOK(NFPROTO_IPV4, NF_INET_LOCAL_OUT, skb, NULL, skb->dev, dst_output);
}
