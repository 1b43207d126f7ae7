/*
 * The ICMP tracker, after Linux 6.18's net/netfilter/nf_conntrack_proto_icmp.c:
 * request/reply pairs (echo, timestamp, information, address mask) keyed by
 * type, code and id, 30 s; ICMP errors are RELATED to the entry of the
 * packet they quote (nf_conntrack_icmpv4_error()), or INVALID.
 */

#include "asm/timer.h"
#include "if_ether.h"
#include "ip.h"
#include "netfilter.h"
#include "nf_conntrack.h"

u32 nf_ct_icmp_timeout = 30 * HZ;

/* The reply type of each request type and back, plus one (0: none). */
static const u8 invmap[] = {
	[ICMP_ECHO] = ICMP_ECHOREPLY + 1,	    [ICMP_ECHOREPLY] = ICMP_ECHO + 1,
	[ICMP_TIMESTAMP] = ICMP_TIMESTAMPREPLY + 1, [ICMP_TIMESTAMPREPLY] = ICMP_TIMESTAMP + 1,
	[ICMP_INFO_REQUEST] = ICMP_INFO_REPLY + 1,  [ICMP_INFO_REPLY] = ICMP_INFO_REQUEST + 1,
	[ICMP_ADDRESS] = ICMP_ADDRESSREPLY + 1,	    [ICMP_ADDRESSREPLY] = ICMP_ADDRESS + 1,
};

bool nf_conntrack_invert_icmp_tuple(struct nf_conntrack_tuple *tuple,
				    const struct nf_conntrack_tuple *orig)
{
	if (orig->dst.u.icmp.type >= sizeof(invmap) || !invmap[orig->dst.u.icmp.type])
		return false;
	tuple->src.u.icmp.id = orig->src.u.icmp.id;
	tuple->dst.u.icmp.type = invmap[orig->dst.u.icmp.type] - 1;
	tuple->dst.u.icmp.code = orig->dst.u.icmp.code;
	return true;
}

int nf_conntrack_icmp_packet(struct nf_conn *ct, struct sk_buff *skb, enum ip_conntrack_info ctinfo,
			     const struct nf_hook_state *state)
{
	static const u8 valid_new[] = {
		[ICMP_ECHO] = 1,
		[ICMP_TIMESTAMP] = 1,
		[ICMP_INFO_REQUEST] = 1,
		[ICMP_ADDRESS] = 1,
	};
	u8 type = ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple.dst.u.icmp.type;

	(void)state;
	/* Only a request can start an entry. */
	if (type >= sizeof(valid_new) || !valid_new[type])
		return -NF_ACCEPT;
	/* Not deleted at the first reply: duplicates of the reply stay ESTABLISHED. */
	nf_ct_refresh_acct(ct, ctinfo, skb, nf_ct_icmp_timeout);
	return NF_ACCEPT;
}

static bool icmp_is_err(u8 type)
{
	switch (type) {
	case ICMP_DEST_UNREACH:
	case ICMP_SOURCE_QUENCH:
	case ICMP_TIME_EXCEEDED:
	case ICMP_PARAMETERPROB:
	case ICMP_REDIRECT:
		return true;
	}
	return false;
}

/*
 * Linux's nf_conntrack_inet_error(): the packet quoted at dataoff belongs to
 * an entry whose direction-dst is the error's destination: RELATED to it.
 */
static int nf_conntrack_inet_error(struct sk_buff *skb, unsigned int dataoff, u32 outer_daddr)
{
	struct nf_conntrack_tuple innertuple, origtuple;
	const struct nf_conntrack_tuple_hash *h;
	enum ip_conntrack_info ctinfo;
	enum ip_conntrack_dir dir;
	struct nf_conn *ct;
	int inner_dataoff;
	u8 protonum;

	/* Are they talking about one of our connections? */
	inner_dataoff = nf_ct_ipv4_get_l4proto(skb, dataoff, &protonum);
	if (inner_dataoff <= 0 ||
	    !nf_ct_get_tuple(skb, dataoff, inner_dataoff, protonum, &origtuple))
		return -NF_ACCEPT;
	/* The quoted packet went the other way: its inverse is what we track. */
	if (!nf_ct_invert_tuple(&innertuple, &origtuple))
		return -NF_ACCEPT;
	h = nf_conntrack_find_get(&innertuple);
	if (!h)
		return -NF_ACCEPT;
	ct = nf_ct_tuplehash_to_ctrack(h);
	dir = h->tuple.dst.dir;
	/* The error must go where that direction's packets went from. */
	if (outer_daddr != ct->tuplehash[dir].tuple.dst.u3.ip) {
		nf_ct_put(ct);
		return -NF_ACCEPT;
	}
	ctinfo = IP_CT_RELATED;
	if (dir == IP_CT_DIR_REPLY)
		ctinfo += IP_CT_IS_REPLY;
	nf_ct_set(skb, ct, ctinfo);
	return NF_ACCEPT;
}

int nf_conntrack_icmpv4_error(struct nf_conn *tmpl, struct sk_buff *skb, unsigned int dataoff,
			      const struct nf_hook_state *state)
{
	const struct icmphdr *icmph;
	struct icmphdr _ih;

	(void)tmpl;
	icmph = nf_ct_header_pointer(skb, dataoff, sizeof(_ih), &_ih);
	if (!icmph)
		return -NF_ACCEPT; /* short packet */
	if (nf_conntrack_checksum && state->hook == NF_INET_PRE_ROUTING &&
	    nf_ip_checksum(skb, state->hook, dataoff, 0))
		return -NF_ACCEPT; /* bad checksum */
	/* RFC 1122 3.2.2: unknown types must be silently discarded. */
	if (icmph->type > NR_ICMP_TYPES)
		return -NF_ACCEPT;
	if (!icmp_is_err(icmph->type))
		return NF_ACCEPT;
	return nf_conntrack_inet_error(skb, dataoff + sizeof(*icmph), ip_hdr(skb)->daddr);
}
