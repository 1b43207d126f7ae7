/*
 * ICMP receive, after Linux 6.18's icmp_rcv() (net/ipv4/icmp.c): InMsgs, the
 * checksum (InCsumErrors + InErrors), InType<N> per type, unknown types and
 * echo/timestamp requests to a broadcast or multicast address dropped as
 * InErrors (icmp_echo_ignore_broadcasts=1), then the handler of the type:
 * echo requests are answered (OutMsgs, OutType0), errors must quote at least
 * an IPv4 header (icmp_unreach(): else InErrors), echo replies find no ping
 * socket, the rest is discarded as Linux's icmp_discard().
 */

#include "checksum.h"
#include "ip.h"
#include "kernel.h"
#include "netdevice.h"
#include "snmp.h"
#include "string.h"

/* icmp_echo(): the request's data back, from our address, on the RX queue's TX twin. */
static enum skb_drop_reason icmp_echo(struct sk_buff *skb)
{
	const struct ethhdr *eth = (const struct ethhdr *)skb_mac_header(skb);
	const struct iphdr *iph = ip_hdr(skb);
	unsigned int icmp_len = skb->len;
	struct net_device *dev = skb->dev;
	struct sk_buff *reply;
	struct iphdr *riph;
	struct icmphdr *ricmp;

	if (ETH_HLEN + sizeof(*riph) + icmp_len > SKB_MAX_HEAD - 64)
		return SKB_NOT_DROPPED_YET;
	reply = eth_reply_skb(dev, skb, eth->h_source, ETH_P_IP);
	if (!reply) {
		__ICMP_INC_STATS(ICMP_MIB_OUTERRORS);
		return SKB_NOT_DROPPED_YET;
	}
	riph = (struct iphdr *)skb_put(reply, sizeof(*riph));
	riph->ihl_version = 0x45;
	riph->tos = iph->tos;
	riph->tot_len = htons(sizeof(*riph) + icmp_len);
	riph->id = iph->id;
	riph->frag_off = 0;
	riph->ttl = 64;
	riph->protocol = IPPROTO_ICMP;
	riph->check = 0;
	riph->saddr = inet_own_addr();
	riph->daddr = iph->saddr;
	riph->check = htons(csum_fold(csum_partial(riph, sizeof(*riph), 0)));
	ricmp = (struct icmphdr *)skb_put(reply, icmp_len);
	skb_copy_bits(skb, 0, ricmp, icmp_len); /* a reassembled request has a frag_list */
	ricmp->type = ICMP_ECHOREPLY;
	ricmp->checksum = 0;
	ricmp->checksum = htons(csum_fold(csum_partial(ricmp, icmp_len, 0)));
	eth_pad_to_min(reply);
	/* icmp_out_count() */
	ICMPMSGOUT_INC_STATS(ICMP_ECHOREPLY);
	__ICMP_INC_STATS(ICMP_MIB_OUTMSGS);
	ip_send_reply_skb(reply);
	return SKB_NOT_DROPPED_YET;
}

/* icmp_unreach() for dest unreachable, source quench, redirect, time exceeded, parameter problem.
 */
static enum skb_drop_reason icmp_unreach(struct sk_buff *skb)
{
	const struct iphdr *inner;

	if (!pskb_may_pull(skb, sizeof(struct icmphdr) + sizeof(struct iphdr)))
		goto out_err;
	inner = (const struct iphdr *)(skb->data + sizeof(struct icmphdr));
	if ((inner->ihl_version & 0xf) < 5)
		goto out_err;
	/* No socket or tracker to tell about the error yet. */
	return SKB_NOT_DROPPED_YET;
out_err:
	__ICMP_INC_STATS(ICMP_MIB_INERRORS);
	return SKB_DROP_REASON_NOT_SPECIFIED;
}

int icmp_rcv(struct sk_buff *skb)
{
	enum skb_drop_reason reason = SKB_DROP_REASON_NOT_SPECIFIED;
	const struct iphdr *iph = ip_hdr(skb);
	const struct icmphdr *icmph;
	bool to_group;

	__ICMP_INC_STATS(ICMP_MIB_INMSGS);
	/* skb_checksum_simple_validate(): the sum over the whole message. */
	if (csum_fold(skb_checksum(skb, 0, skb->len, 0)))
		goto csum_error;
	if (!pskb_may_pull(skb, sizeof(*icmph)))
		goto error;
	icmph = (const struct icmphdr *)skb->data;
	ICMPMSGIN_INC_STATS(icmph->type);
	if (icmph->type > NR_ICMP_TYPES) {
		reason = SKB_DROP_REASON_UNHANDLED_PROTO;
		goto error;
	}
	/* The route's RTCF_BROADCAST | RTCF_MULTICAST. */
	to_group =
		iph->daddr == 0xffffffff || (iph->daddr & htonl(0xf0000000)) == htonl(0xe0000000);
	if (to_group) {
		if (icmph->type == ICMP_ECHO || icmph->type == ICMP_TIMESTAMP ||
		    (icmph->type != ICMP_ADDRESS && icmph->type != ICMP_ADDRESSREPLY)) {
			reason = SKB_DROP_REASON_INVALID_PROTO;
			goto error;
		}
	}
	switch (icmph->type) {
	case ICMP_ECHO:
		reason = icmp_echo(skb);
		break;
	case ICMP_ECHOREPLY:
		reason = SKB_DROP_REASON_NO_SOCKET; /* ping_rcv(): no ping socket */
		break;
	case ICMP_DEST_UNREACH:
	case ICMP_SOURCE_QUENCH:
	case ICMP_REDIRECT:
	case ICMP_TIME_EXCEEDED:
	case ICMP_PARAMETERPROB:
		reason = icmp_unreach(skb);
		break;
	default:
		/* Timestamps are not answered yet; the rest is icmp_discard(). */
		reason = SKB_NOT_DROPPED_YET;
		break;
	}
	if (reason == SKB_NOT_DROPPED_YET) {
		consume_skb(skb);
		return NET_RX_SUCCESS;
	}
drop:
	kfree_skb_reason(skb, reason);
	return NET_RX_DROP;
csum_error:
	reason = SKB_DROP_REASON_ICMP_CSUM;
	__ICMP_INC_STATS(ICMP_MIB_CSUMERRORS);
error:
	__ICMP_INC_STATS(ICMP_MIB_INERRORS);
	goto drop;
}
