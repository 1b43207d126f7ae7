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
#include "errno.h"
#include "ip.h"
#include "neighbour.h"
#include "netdevice.h"
#include "netfilter.h"
#include "route.h"
#include "snmp.h"
#include "string.h"

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

/* __ip_finish_output(): the device's MTU (the route's if it has one); no GSO. */
static int ip_finish_output(struct sk_buff *skb)
{
	const struct rtable *rt = skb_rtable(skb);
	unsigned int mtu = rt->mtu ? rt->mtu : skb->dev->mtu;

	/* A reassembled packet goes out in fragments no larger than those it came in. */
	if (skb->len > mtu || skb->frag_max_size)
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

/* --- Fragmentation (Linux's ip_do_fragment() and ip_fragment()) ------------------------------- */

/*
 * Linux's LL_RESERVED_SPACE(dev): the room a fragment keeps in front of its
 * IP header for the link-layer header. The receive path leaves exactly the
 * Ethernet header there (build_skb(): the frame starts at the buffer), so the
 * pieces of a reassembled datagram qualify for the fast path with ETH_HLEN.
 */
#define IP_FRAG_LL_RS ETH_HLEN

/* Linux's ip_copy_metadata(): what a fragment inherits from the datagram. */
static void ip_copy_metadata(struct sk_buff *to, const struct sk_buff *from)
{
	to->pkt_type = from->pkt_type;
	to->protocol = from->protocol;
	to->dev = from->dev;
	to->queue_mapping = from->queue_mapping;
	/* skb_dst_copy(): the route (routes are static here, no reference to take). */
	to->_skb_refdst = from->_skb_refdst;
	to->hash = from->hash;
	to->l4_hash = from->l4_hash;
	IPCB(to)->flags = IPCB(from)->flags;
	/* nf_copy(): the conntrack entry, with a reference of its own. */
	to->_nfct = from->_nfct;
	nf_conntrack_get(skb_nfct(to));
}

/*
 * Linux's ip_options_fragment(): the options that are not copied into every
 * fragment (copy flag clear) become NOPs in the header the later fragments
 * copy.
 */
static void ip_options_fragment(struct iphdr *iph)
{
	unsigned int l = (iph->ihl_version & 0xf) * 4 - sizeof(*iph);
	u8 *optptr = (u8 *)(iph + 1);

	while (l > 0) {
		unsigned int optlen;

		switch (*optptr) {
		case 0: /* IPOPT_END */
			return;
		case 1: /* IPOPT_NOOP */
			l--;
			optptr++;
			continue;
		}
		if (l < 2)
			return;
		optlen = optptr[1];
		if (optlen < 2 || optlen > l)
			return;
		if (!(*optptr & 0x80)) /* IPOPT_COPY */
			memset(optptr, 1, optlen);
		l -= optlen;
		optptr += optlen;
	}
}

/* The fast path: the head and its frag_list pieces are the fragments (ip_fraglist_*()). */
static int ip_fraglist_output(struct sk_buff *skb, unsigned int hlen,
			      int (*output)(struct sk_buff *))
{
	struct iphdr *iph = (struct iphdr *)skb_network_header(skb);
	struct sk_buff *frag = skb_shinfo(skb)->frag_list;
	unsigned int offset = 0;
	int err;

	/* ip_fraglist_init(): the head keeps its linear part only. */
	skb_frag_list_init(skb);
	skb->len -= skb->data_len;
	skb->data_len = 0;
	iph->tot_len = htons(skb->len);
	iph->frag_off = htons(IP_MF);
	ip_send_check(iph);

	for (;;) {
		/* The next fragment's header, before the previous one goes down. */
		if (frag) {
			bool first_frag = offset == 0;

			/* ip_fraglist_prepare() */
			frag->ip_summed = CHECKSUM_NONE;
			skb_reset_transport_header(frag);
			__skb_push(frag, hlen);
			skb_reset_network_header(frag);
			memcpy(skb_network_header(frag), iph, hlen);
			iph = (struct iphdr *)skb_network_header(frag);
			iph->tot_len = htons(frag->len);
			ip_copy_metadata(frag, skb);
			if (first_frag && hlen > sizeof(*iph))
				ip_options_fragment(iph);
			offset += skb->len - hlen;
			iph->frag_off = htons(offset >> 3);
			if (frag->next)
				iph->frag_off |= htons(IP_MF);
			ip_send_check(iph);
		}
		err = output(skb);
		if (!err)
			__IP_INC_STATS(IPSTATS_MIB_FRAGCREATES);
		if (err || !frag)
			break;
		skb = frag;
		frag = skb->next;
		skb->next = NULL;
	}
	if (!err) {
		__IP_INC_STATS(IPSTATS_MIB_FRAGOKS);
		return 0;
	}
	kfree_skb_list(frag);
	__IP_INC_STATS(IPSTATS_MIB_FRAGFAILS);
	return err;
}

int ip_do_fragment(struct sk_buff *skb, unsigned int mtu, int (*output)(struct sk_buff *))
{
	struct iphdr *iph = (struct iphdr *)skb_network_header(skb);
	unsigned int hlen = (iph->ihl_version & 0xf) * 4, left, ptr, offset;
	bool df = skb->frag_pmtu, not_last_frag;
	int err = -ENOMEM;

	mtu = ip_frag_mtu(skb, mtu);
	if (mtu < hlen + 8)
		goto fail;
	mtu -= hlen; /* data space per fragment */

	if (skb_has_frag_list(skb)) {
		unsigned int first_len = skb_headlen(skb);
		struct sk_buff *frag;

		if (first_len - hlen > mtu || ((first_len - hlen) & 7) || ip_is_fragment(iph) ||
		    skb_cloned(skb) || skb_headroom(skb) < IP_FRAG_LL_RS)
			goto slow_path;
		skb_walk_frags(skb, frag)
		{
			/* Correct geometry, and not shared. */
			if (frag->len > mtu || ((frag->len & 7) && frag->next) ||
			    skb_headroom(frag) < hlen + IP_FRAG_LL_RS || skb_cloned(frag) ||
			    skb_is_nonlinear(frag))
				goto slow_path;
		}
		return ip_fraglist_output(skb, hlen, output);
	}

slow_path:
	/* ip_frag_init(): a fragment may itself be cut again (its offset and MF carry over). */
	ptr = skb_network_offset(skb) + hlen;
	left = skb->len - ptr;
	offset = (ntohs(iph->frag_off) & IP_OFFSET) << 3;
	not_last_frag = iph->frag_off & htons(IP_MF);

	while (left > 0) {
		bool first_frag = offset == 0;
		unsigned int len = left;
		struct sk_buff *skb2;
		struct iphdr *iph2;

		/* ip_frag_next(): all that fits; pieces before the last end on 8-byte boundaries.
		 */
		if (len > mtu)
			len = mtu;
		if (len < left)
			len &= ~7U;
		err = -ENOMEM;
		skb2 = alloc_skb(len + hlen + IP_FRAG_LL_RS);
		if (!skb2)
			goto fail;
		ip_copy_metadata(skb2, skb);
		skb_reserve(skb2, IP_FRAG_LL_RS);
		skb_put(skb2, len + hlen);
		skb_reset_network_header(skb2);
		skb2->transport_header = skb2->network_header + hlen;
		memcpy(skb_network_header(skb2), iph, hlen);
		skb_copy_bits(skb, ptr, skb_transport_header(skb2), len);
		left -= len;

		iph2 = (struct iphdr *)skb_network_header(skb2);
		iph2->frag_off = htons(offset >> 3);
		if (df)
			iph2->frag_off |= htons(IP_DF);
		/* Cutting a fragment that is not the last one: MF on each piece. */
		if (left > 0 || not_last_frag)
			iph2->frag_off |= htons(IP_MF);
		ptr += len;
		offset += len;
		iph2->tot_len = htons(len + hlen);
		ip_send_check(iph2);

		/* ip_frag_ipcb(): the later fragments copy only the options to be copied. */
		if (first_frag && hlen > sizeof(*iph))
			ip_options_fragment(iph);

		err = output(skb2);
		if (err)
			goto fail;
		__IP_INC_STATS(IPSTATS_MIB_FRAGCREATES);
	}
	consume_skb(skb);
	__IP_INC_STATS(IPSTATS_MIB_FRAGOKS);
	return 0;

fail:
	kfree_skb(skb);
	__IP_INC_STATS(IPSTATS_MIB_FRAGFAILS);
	return err;
}

int ip_fragment(struct sk_buff *skb, unsigned int mtu, int (*output)(struct sk_buff *))
{
	const struct iphdr *iph = ip_hdr(skb);

	if (!(iph->frag_off & htons(IP_DF)))
		return ip_do_fragment(skb, mtu, output);
	if (unlikely(!skb->ignore_df || (skb->frag_max_size && skb->frag_max_size > mtu))) {
		__IP_INC_STATS(IPSTATS_MIB_FRAGFAILS);
		icmp_send(skb, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, htonl(mtu));
		kfree_skb_reason(skb, SKB_DROP_REASON_PKT_TOO_BIG);
		return -EMSGSIZE;
	}
	return ip_do_fragment(skb, mtu, output);
}
