/*
 * UDP receive, after Linux 6.18's __udp4_lib_rcv() (net/ipv4/udp.c) on a host
 * with no UDP sockets: a short header or a length field beyond the packet is
 * InErrors (PKT_TOO_SMALL), the padding beyond uh->len is trimmed, a bad
 * checksum is InCsumErrors + InErrors (UDP_CSUM), a datagram to a broadcast
 * or multicast address is IgnoredMulti, and the rest is NoPorts (NO_SOCKET;
 * Linux would also send ICMP port unreachable, which is not sent yet).
 * InDatagrams counts what a socket took: nothing yet.
 */

#include "checksum.h"
#include "ip.h"
#include "netdevice.h"
#include "snmp.h"

int udp_rcv(struct sk_buff *skb)
{
	enum skb_drop_reason drop_reason = SKB_DROP_REASON_NOT_SPECIFIED;
	const struct iphdr *iph = ip_hdr(skb);
	const struct udphdr *uh;
	unsigned int ulen;

	if (!pskb_may_pull(skb, sizeof(struct udphdr)))
		goto drop;
	uh = (const struct udphdr *)skb->data;
	ulen = ntohs(uh->len);
	if (ulen > skb->len)
		goto short_packet;
	if (ulen < sizeof(*uh) || pskb_trim_rcsum(skb, ulen))
		goto short_packet;
	/* udp4_csum_init(): a zero checksum means none was sent. */
	if (uh->check && skb->ip_summed != CHECKSUM_UNNECESSARY &&
	    csum_fold(
		    skb_checksum(skb, 0, ulen,
				 csum_tcpudp_nofold(iph->saddr, iph->daddr, ulen, IPPROTO_UDP, 0))))
		goto csum_error;
	if (iph->daddr == 0xffffffff || (iph->daddr & htonl(0xf0000000)) == htonl(0xe0000000)) {
		/* __udp4_lib_mcast_deliver() with no socket. */
		__UDP_INC_STATS(UDP_MIB_IGNOREDMULTI);
		consume_skb(skb);
		return 0;
	}
	__UDP_INC_STATS(UDP_MIB_NOPORTS);
	kfree_skb_reason(skb, SKB_DROP_REASON_NO_SOCKET);
	return 0;

short_packet:
	drop_reason = SKB_DROP_REASON_PKT_TOO_SMALL;
	goto drop;
csum_error:
	drop_reason = SKB_DROP_REASON_UDP_CSUM;
	__UDP_INC_STATS(UDP_MIB_CSUMERRORS);
drop:
	__UDP_INC_STATS(UDP_MIB_INERRORS);
	kfree_skb_reason(skb, drop_reason);
	return 0;
}
