/*
 * ICMP receive, after Linux 6.18's icmp_rcv() (net/ipv4/icmp.c): InMsgs, the
 * checksum (InCsumErrors + InErrors), InType<N> per type, unknown types and
 * echo/timestamp requests to a broadcast or multicast address dropped as
 * InErrors (icmp_echo_ignore_broadcasts=1), then the handler of the type:
 * echo requests are answered (OutMsgs, OutType0), errors must quote at least
 * an IPv4 header (icmp_unreach(): else InErrors), echo replies find no ping
 * socket, the rest is discarded as Linux's icmp_discard().
 *
 * Sending: icmp_send() (include/icmp.h) builds the errors the forwarding path
 * and ip_error() need, with Linux's checks and rate limits; echo replies and
 * errors leave through ip_local_out() and ip_output(), routed to the sender.
 */

#include "icmp.h"
#include "asm/timer.h"
#include "checksum.h"
#include "ip.h"
#include "kernel.h"
#include "netdevice.h"
#include "route.h"
#include "snmp.h"
#include "spinlock.h"
#include "string.h"

/* Is the type an error (Linux's icmp_pointers[type].error)? */
static bool icmp_is_err(int type)
{
	switch (type) {
	case ICMP_DEST_UNREACH:
	case ICMP_SOURCE_QUENCH:
	case ICMP_REDIRECT:
	case ICMP_TIME_EXCEEDED:
	case ICMP_PARAMETERPROB:
		return true;
	}
	return false;
}

/* icmp_global_allow(): icmp_msgs_per_sec credits, at most icmp_msgs_burst, refilled by time. */
static struct {
	spinlock_t lock;
	int credit;
	unsigned long stamp;
} icmp_global = { .lock = __SPIN_LOCK_UNLOCKED, .credit = ICMP_MSGS_BURST };

/* IP IDs of what ICMP sends (ip_select_ident() without DF, as a counter: deterministic). */
static atomic_t icmp_ident;

void icmp_ratelimit_reset(void)
{
	unsigned long flags = spin_lock_irqsave(&icmp_global.lock);

	icmp_global.credit = ICMP_MSGS_BURST;
	icmp_global.stamp = jiffies;
	spin_unlock_irqrestore(&icmp_global.lock, flags);
	inet_peer_flush();
}

/*
 * icmpv4_mask_allow(): types outside icmp_ratemask (0x1818: dest unreachable,
 * source quench, time exceeded, parameter problem) and frag needed are never
 * limited.
 */
static bool icmpv4_mask_allow(int type, int code)
{
	if (type > NR_ICMP_TYPES)
		return true;
	if (type == ICMP_DEST_UNREACH && code == ICMP_FRAG_NEEDED)
		return true;
	return !((1U << type) & 0x1818);
}

static bool icmp_global_allow(void)
{
	unsigned long flags = spin_lock_irqsave(&icmp_global.lock), delta;
	bool allow;

	if (icmp_global.credit <= 0) {
		delta = jiffies - icmp_global.stamp;
		if (delta > HZ)
			delta = HZ;
		if (delta >= HZ / 50) {
			int incr = ICMP_MSGS_PER_SEC * delta / HZ;

			icmp_global.stamp = jiffies;
			icmp_global.credit += incr;
			if (icmp_global.credit > ICMP_MSGS_BURST)
				icmp_global.credit = ICMP_MSGS_BURST;
		}
	}
	allow = icmp_global.credit > 0;
	spin_unlock_irqrestore(&icmp_global.lock, flags);
	return allow;
}

/* icmp_global_consume(): Linux takes 0-2 credits at random; here always 1 (deterministic). */
static void icmp_global_consume(void)
{
	unsigned long flags = spin_lock_irqsave(&icmp_global.lock);

	icmp_global.credit--;
	spin_unlock_irqrestore(&icmp_global.lock, flags);
}

/* icmp_out_count() */
static void icmp_out_count(int type)
{
	ICMPMSGOUT_INC_STATS(type);
	__ICMP_INC_STATS(ICMP_MIB_OUTMSGS);
}

/*
 * A new IPv4 + ICMP packet from us to daddr by rt: the IPv4 header (tot_len
 * and checksum are ip_local_out()'s), the ICMP header; the caller appends the
 * data and the checksum. NULL if no memory.
 */
static struct sk_buff *icmp_alloc(const struct sk_buff *skb_in, struct rtable *rt, u32 daddr,
				  u8 tos, u16 id, const struct icmphdr *icmph)
{
	struct sk_buff *skb = alloc_skb(SKB_MAX_HEAD);
	struct iphdr *iph;

	if (!skb)
		return NULL;
	skb_reserve(skb, 64); /* LL_RESERVED_SPACE: the Ethernet header goes in front */
	skb->dev = skb_in->dev;
	skb->queue_mapping = skb_in->queue_mapping; /* the TX twin of the RX queue */
	skb_dst_set_noref(skb, rt);
	skb_reset_network_header(skb);
	iph = (struct iphdr *)skb_put(skb, sizeof(*iph));
	iph->ihl_version = 0x45;
	iph->tos = tos;
	iph->id = id;
	iph->frag_off = 0; /* the ICMP socket does not set DF (IP_PMTUDISC_DONT) */
	iph->ttl = 64;	   /* sysctl_ip_default_ttl */
	iph->protocol = IPPROTO_ICMP;
	iph->saddr = inet_own_addr();
	iph->daddr = daddr;
	skb_set_transport_header(skb, skb->len);
	memcpy(skb_put(skb, sizeof(*icmph)), icmph, sizeof(*icmph));
	return skb;
}

static void icmp_finish_checksum(struct sk_buff *skb)
{
	struct icmphdr *icmph = (struct icmphdr *)skb_transport_header(skb);
	unsigned int len = skb_tail_pointer(skb) - (u8 *)icmph;

	icmph->checksum = 0;
	icmph->checksum = htons(csum_fold(csum_partial(icmph, len, 0)));
}

void icmp_send(struct sk_buff *skb_in, int type, int code, u32 info)
{
	const struct rtable *rt_in = skb_rtable(skb_in);
	const struct iphdr *iph = ip_hdr(skb_in);
	const u8 *tail = skb_tail_pointer(skb_in);
	struct icmphdr icmph = { .type = type, .code = code };
	unsigned int ihl, room, data_len;
	bool ratelimited;
	struct rtable *rt;
	struct sk_buff *skb;

	if (!rt_in || (u8 *)iph < skb_in->head || (const u8 *)(iph + 1) > tail)
		return;
	/* Only about packets to a unicast address, for this host's link address. */
	if (rt_in->rt_flags & (RTCF_BROADCAST | RTCF_MULTICAST))
		return;
	if (skb_in->pkt_type != PACKET_HOST)
		return;
	/* Only about the first fragment. */
	if (iph->frag_off & htons(IP_OFFSET))
		return;
	ihl = (iph->ihl_version & 0xf) * 4;
	/* Never an error about an ICMP error (or about an unknown ICMP type). */
	if (icmp_is_err(type) && iph->protocol == IPPROTO_ICMP) {
		const u8 *itp = (const u8 *)iph + ihl;

		if (itp >= tail || *itp > NR_ICMP_TYPES || icmp_is_err(*itp))
			return;
	}
	ratelimited = !icmpv4_mask_allow(type, code);
	if (ratelimited && !icmp_global_allow()) {
		__ICMP_INC_STATS(ICMP_MIB_RATELIMITGLOBAL);
		return;
	}
	rt = ip_route_output(iph->saddr);
	if (!rt || (rt->rt_flags & RTCF_BROADCAST))
		return;
	/* icmpv4_xrlim_allow(): per destination. */
	if (ratelimited && !inet_peer_xrlim_allow(iph->saddr, ICMP_RATELIMIT)) {
		__ICMP_INC_STATS(ICMP_MIB_RATELIMITHOST);
		return;
	}
	/* RFC 1812: as much of the packet as fits in 576 bytes (Linux: room). */
	room = skb_in->dev && skb_in->dev->mtu < 576 ? skb_in->dev->mtu : 576;
	room -= sizeof(struct iphdr) + sizeof(struct icmphdr);
	data_len = tail - (const u8 *)iph;
	if (data_len > room)
		data_len = room;
	memcpy(&icmph.id, &info, sizeof(info)); /* icmph.un.gateway = info */
	skb = icmp_alloc(skb_in, rt, iph->saddr,
			 icmp_is_err(type) ? (iph->tos & 0x1e) | 0xc0 : iph->tos,
			 htons((u16)atomic_inc_return(&icmp_ident)), &icmph);
	if (!skb) {
		__ICMP_INC_STATS(ICMP_MIB_OUTERRORS);
		return;
	}
	memcpy(skb_put(skb, data_len), iph, data_len);
	icmp_finish_checksum(skb);
	icmp_out_count(type);
	if (ratelimited)
		icmp_global_consume();
	ip_local_out(skb);
}

/*
 * icmp_echo() and icmp_reply(): the request's data back, from our address,
 * by the route to the sender, through ip_local_out(). The IP ID is the
 * request's.
 */
static enum skb_drop_reason icmp_echo(struct sk_buff *skb)
{
	const struct iphdr *iph = ip_hdr(skb);
	struct icmphdr icmph;
	unsigned int icmp_len = skb->len;
	struct sk_buff *reply;
	struct rtable *rt;

	if (sizeof(struct iphdr) + icmp_len > SKB_MAX_HEAD - 64)
		return SKB_NOT_DROPPED_YET;
	skb_copy_bits(skb, 0, &icmph, sizeof(icmph));
	rt = ip_route_output(iph->saddr);
	if (!rt)
		return SKB_NOT_DROPPED_YET; /* no route back: nothing sent, as Linux */
	icmph.type = ICMP_ECHOREPLY;
	reply = icmp_alloc(skb, rt, iph->saddr, iph->tos, iph->id, &icmph);
	if (!reply) {
		__ICMP_INC_STATS(ICMP_MIB_OUTERRORS);
		return SKB_NOT_DROPPED_YET;
	}
	skb_copy_bits(skb, sizeof(icmph), skb_put(reply, icmp_len - sizeof(icmph)),
		      icmp_len - sizeof(icmph)); /* a reassembled request has a frag_list */
	icmp_finish_checksum(reply);
	icmp_out_count(ICMP_ECHOREPLY);
	ip_local_out(reply);
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
