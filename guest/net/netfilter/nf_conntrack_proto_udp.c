/*
 * The UDP tracker, after Linux 6.18's net/netfilter/nf_conntrack_proto_udp.c:
 * 30 s until a reply, 30 s after it until the flow is still active 2 s after
 * its first packet (proto.udp.stream_ts), then a stream: 120 s and ASSURED.
 */

#include "asm/timer.h"
#include "bitops.h"
#include "if_ether.h"
#include "ip.h"
#include "netfilter.h"
#include "nf_conntrack.h"
#include "timer.h"

u32 nf_ct_udp_timeouts[UDP_CT_MAX] = {
	[UDP_CT_UNREPLIED] = 30 * HZ,
	[UDP_CT_REPLIED] = 120 * HZ,
};

/* true if the packet is invalid: short, truncated or (at PRE_ROUTING) a bad checksum. */
static bool udp_error(struct sk_buff *skb, unsigned int dataoff, const struct nf_hook_state *state)
{
	unsigned int udplen = skb->len - dataoff;
	const struct udphdr *hdr;
	struct udphdr _hdr;

	hdr = nf_ct_header_pointer(skb, dataoff, sizeof(_hdr), &_hdr);
	if (!hdr)
		return true; /* short packet */
	if (ntohs(hdr->len) > udplen || ntohs(hdr->len) < sizeof(*hdr))
		return true; /* truncated/malformed */
	if (!hdr->check)
		return false; /* no checksum */
	/* Outgoing packets are assumed right. */
	if (state->hook == NF_INET_PRE_ROUTING && nf_conntrack_checksum &&
	    nf_ip_checksum(skb, state->hook, dataoff, IPPROTO_UDP))
		return true; /* bad checksum */
	return false;
}

int nf_conntrack_udp_packet(struct nf_conn *ct, struct sk_buff *skb, unsigned int dataoff,
			    enum ip_conntrack_info ctinfo, const struct nf_hook_state *state)
{
	unsigned long status;

	if (udp_error(skb, dataoff, state))
		return -NF_ACCEPT;

	status = READ_ONCE(ct->status);
	if (!(status & IPS_CONFIRMED))
		ct->proto.udp.stream_ts = 2 * HZ + jiffies;

	/* Traffic both ways: some kind of UDP stream. */
	if (status & IPS_SEEN_REPLY) {
		u32 extra = nf_ct_udp_timeouts[UDP_CT_UNREPLIED];
		bool stream = false;

		/* Still active after two seconds? Extend the timeout. */
		if (time_after(jiffies, ct->proto.udp.stream_ts)) {
			extra = nf_ct_udp_timeouts[UDP_CT_REPLIED];
			stream = !(status & IPS_ASSURED);
		}
		nf_ct_refresh_acct(ct, ctinfo, skb, extra);
		/* Never ASSURED for a NAT clash: those time out soon. */
		if (status & IPS_NAT_CLASH)
			return NF_ACCEPT;
		if (stream && !test_and_set_bit(IPS_ASSURED_BIT, &ct->status))
			nf_conntrack_event_cache(IPCT_ASSURED, ct);
	} else {
		nf_ct_refresh_acct(ct, ctinfo, skb, nf_ct_udp_timeouts[UDP_CT_UNREPLIED]);
	}
	return NF_ACCEPT;
}
