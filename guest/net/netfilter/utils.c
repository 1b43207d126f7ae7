/*
 * Checksum validation for netfilter, after Linux's net/netfilter/utils.c
 * (nf_ip_checksum()): the trackers call it at PRE_ROUTING when
 * nf_conntrack_checksum is on.
 */

#include "checksum.h"
#include "ip.h"
#include "netfilter.h"

/* At the IPv4 hooks skb->data is the network header, so dataoff counts from both. */
u16 nf_ip_checksum(struct sk_buff *skb, unsigned int hook, unsigned int dataoff, u8 protocol)
{
	const struct iphdr *iph = ip_hdr(skb);
	unsigned int len;
	u32 sum = 0;

	(void)hook;
	if (skb->ip_summed == CHECKSUM_UNNECESSARY)
		return 0;
	if (dataoff > skb->len)
		return 1;
	len = skb->len - dataoff;
	if (protocol)
		sum = csum_tcpudp_nofold(iph->saddr, iph->daddr, len, protocol, 0);
	return csum_fold(skb_checksum(skb, dataoff, len, sum));
}
