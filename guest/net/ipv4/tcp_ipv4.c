/*
 * TCP receive, after Linux 6.18's tcp_v4_rcv() (net/ipv4/tcp_ipv4.c) on a
 * host with no TCP sockets: anything not PACKET_HOST is discarded uncounted,
 * then InSegs; a data offset under 5 words is InErrs (PKT_TOO_SMALL), one
 * beyond the packet is discarded; a bad checksum is InCsumErrors + InErrs
 * (TCP_CSUM); the rest finds no socket (NO_SOCKET; Linux would answer with a
 * RST, counted in OutRsts, which is not sent yet).
 */

#include "checksum.h"
#include "ip.h"
#include "snmp.h"

int tcp_v4_rcv(struct sk_buff *skb)
{
	enum skb_drop_reason drop_reason = SKB_DROP_REASON_NOT_SPECIFIED;
	const struct iphdr *iph = ip_hdr(skb);
	const struct tcphdr *th;
	unsigned int doff;

	if (skb->pkt_type != PACKET_HOST)
		goto discard_it;
	__TCP_INC_STATS(TCP_MIB_INSEGS);
	if (!pskb_may_pull(skb, sizeof(struct tcphdr)))
		goto discard_it;
	th = (const struct tcphdr *)skb->data;
	doff = th->doff_res >> 4;
	if (doff < sizeof(struct tcphdr) / 4) {
		drop_reason = SKB_DROP_REASON_PKT_TOO_SMALL;
		goto bad_packet;
	}
	if (!pskb_may_pull(skb, doff * 4))
		goto discard_it;
	/* no_tcp_socket: tcp_checksum_complete(), unless the NIC verified it
	 * (CHECKSUM_UNNECESSARY). */
	drop_reason = SKB_DROP_REASON_NO_SOCKET;
	if (skb->ip_summed != CHECKSUM_UNNECESSARY &&
	    csum_fold(skb_checksum(
		    skb, 0, skb->len,
		    csum_tcpudp_nofold(iph->saddr, iph->daddr, skb->len, IPPROTO_TCP, 0)))) {
		drop_reason = SKB_DROP_REASON_TCP_CSUM;
		__TCP_INC_STATS(TCP_MIB_CSUMERRORS);
		goto bad_packet;
	}
	goto discard_it;

bad_packet:
	__TCP_INC_STATS(TCP_MIB_INERRS);
discard_it:
	kfree_skb_reason(skb, drop_reason);
	return 0;
}
