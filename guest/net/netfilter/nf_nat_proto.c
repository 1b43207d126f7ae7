/*
 * NAT packet mangling and the IPv4 NAT hooks, after Linux 6.18's
 * net/netfilter/nf_nat_proto.c.
 *
 * A packet is rewritten to look like the inverse of the other direction's
 * tuple: the address in the IPv4 header (csum_replace4() on the header
 * checksum), the port or ICMP echo id in the transport header, and the
 * transport checksum updated incrementally for both (the address is part of
 * the TCP/UDP pseudo-header). A UDP checksum of 0 means none and stays 0; one
 * that becomes 0 is sent as CSUM_MANGLED_0. An ICMP error quoting a packet of
 * a NATed connection gets the quoted header translated back (inner addresses,
 * ports, checksum recomputed) and its outer address mapped.
 *
 * At the hooks skb->data is the IPv4 header, so offsets count from both.
 */

#include "checksum.h"
#include "ip.h"
#include "kernel.h"
#include "nf_nat.h"

/*
 * Linux's skb_ensure_writable(): the first len bytes must be in the packet
 * and not shared with a clone (the guest cannot unshare a head in place).
 */
static bool nf_nat_writable(const struct sk_buff *skb, unsigned int len)
{
	return len <= skb_headlen(skb) && !skb_cloned(skb);
}

/* The address change of the manip, in a transport checksum (pseudo-header). */
static void nf_nat_ipv4_csum_update(struct sk_buff *skb, unsigned int iphdroff, u16 *check,
				    const struct nf_conntrack_tuple *t,
				    enum nf_nat_manip_type maniptype)
{
	struct iphdr *iph = (struct iphdr *)(skb->data + iphdroff);
	u32 oldip, newip;

	if (maniptype == NF_NAT_MANIP_SRC) {
		oldip = iph->saddr;
		newip = t->src.u3.ip;
	} else {
		oldip = iph->daddr;
		newip = t->dst.u3.ip;
	}
	inet_proto_csum_replace4(check, skb, oldip, newip, true);
}

static bool udp_manip_pkt(struct sk_buff *skb, unsigned int iphdroff, unsigned int hdroff,
			  const struct nf_conntrack_tuple *tuple, enum nf_nat_manip_type maniptype)
{
	struct udphdr *hdr;
	u16 oldport, newport, check;

	if (!nf_nat_writable(skb, hdroff + sizeof(*hdr)))
		return false;
	hdr = (struct udphdr *)(skb->data + hdroff);
	if (maniptype == NF_NAT_MANIP_SRC) {
		oldport = hdr->source;
		newport = tuple->src.u.udp.port;
		hdr->source = newport;
	} else {
		oldport = hdr->dest;
		newport = tuple->dst.u.udp.port;
		hdr->dest = newport;
	}
	/* A zero checksum means "not computed" and stays so. */
	check = hdr->check;
	if (check) {
		nf_nat_ipv4_csum_update(skb, iphdroff, &check, tuple, maniptype);
		inet_proto_csum_replace2(&check, skb, oldport, newport, false);
		hdr->check = check ? check : CSUM_MANGLED_0;
	}
	return true;
}

static bool tcp_manip_pkt(struct sk_buff *skb, unsigned int iphdroff, unsigned int hdroff,
			  const struct nf_conntrack_tuple *tuple, enum nf_nat_manip_type maniptype)
{
	/* An ICMP error may quote only the first 8 bytes: the ports, not the checksum. */
	unsigned int hdrsize = 8;
	u16 newport, oldport, check;
	struct tcphdr *hdr;

	if (skb->len >= hdroff + sizeof(struct tcphdr))
		hdrsize = sizeof(struct tcphdr);
	if (!nf_nat_writable(skb, hdroff + hdrsize))
		return false;
	hdr = (struct tcphdr *)(skb->data + hdroff);
	if (maniptype == NF_NAT_MANIP_SRC) {
		oldport = hdr->source;
		newport = tuple->src.u.tcp.port;
		hdr->source = newport;
	} else {
		oldport = hdr->dest;
		newport = tuple->dst.u.tcp.port;
		hdr->dest = newport;
	}
	if (hdrsize < sizeof(*hdr))
		return true;
	check = hdr->check;
	nf_nat_ipv4_csum_update(skb, iphdroff, &check, tuple, maniptype);
	inet_proto_csum_replace2(&check, skb, oldport, newport, false);
	hdr->check = check;
	return true;
}

/* Query types carry an id (the tuple's "port"); errors and the rest are left alone. */
static bool icmp_manip_pkt(struct sk_buff *skb, unsigned int iphdroff, unsigned int hdroff,
			   const struct nf_conntrack_tuple *tuple, enum nf_nat_manip_type maniptype)
{
	struct icmphdr *hdr;
	u16 check;

	(void)iphdroff;
	(void)maniptype;
	if (!nf_nat_writable(skb, hdroff + sizeof(*hdr)))
		return false;
	hdr = (struct icmphdr *)(skb->data + hdroff);
	switch (hdr->type) {
	case ICMP_ECHO:
	case ICMP_ECHOREPLY:
	case ICMP_TIMESTAMP:
	case ICMP_TIMESTAMPREPLY:
	case ICMP_INFO_REQUEST:
	case ICMP_INFO_REPLY:
	case ICMP_ADDRESS:
	case ICMP_ADDRESSREPLY:
		break;
	default:
		return true;
	}
	check = hdr->checksum;
	inet_proto_csum_replace2(&check, skb, hdr->id, tuple->src.u.icmp.id, false);
	hdr->checksum = check;
	hdr->id = tuple->src.u.icmp.id;
	return true;
}

static bool l4proto_manip_pkt(struct sk_buff *skb, unsigned int iphdroff, unsigned int hdroff,
			      const struct nf_conntrack_tuple *tuple,
			      enum nf_nat_manip_type maniptype)
{
	switch (tuple->dst.protonum) {
	case IPPROTO_TCP:
		return tcp_manip_pkt(skb, iphdroff, hdroff, tuple, maniptype);
	case IPPROTO_UDP:
		return udp_manip_pkt(skb, iphdroff, hdroff, tuple, maniptype);
	case IPPROTO_ICMP:
		return icmp_manip_pkt(skb, iphdroff, hdroff, tuple, maniptype);
	}
	/* Another protocol: only the addresses change. */
	return true;
}

bool nf_nat_ipv4_manip_pkt(struct sk_buff *skb, unsigned int iphdroff,
			   const struct nf_conntrack_tuple *target,
			   enum nf_nat_manip_type maniptype)
{
	struct iphdr *iph;
	unsigned int hdroff;
	u16 check;

	if (!nf_nat_writable(skb, iphdroff + sizeof(*iph)))
		return false;
	iph = (struct iphdr *)(skb->data + iphdroff);
	hdroff = iphdroff + (iph->ihl_version & 0xf) * 4;

	/* The transport first: its pseudo-header update reads the old address. */
	if (!l4proto_manip_pkt(skb, iphdroff, hdroff, target, maniptype))
		return false;
	check = iph->check;
	if (maniptype == NF_NAT_MANIP_SRC) {
		csum_replace4(&check, iph->saddr, target->src.u3.ip);
		iph->saddr = target->src.u3.ip;
	} else {
		csum_replace4(&check, iph->daddr, target->dst.u3.ip);
		iph->daddr = target->dst.u3.ip;
	}
	iph->check = check;
	return true;
}

unsigned int nf_nat_manip_pkt(struct sk_buff *skb, struct nf_conn *ct, enum nf_nat_manip_type mtype,
			      enum ip_conntrack_dir dir)
{
	struct nf_conntrack_tuple target;

	/* Look like the inverse of the other direction. */
	nf_ct_invert_tuple(&target, &ct->tuplehash[!dir].tuple);
	if (nf_nat_ipv4_manip_pkt(skb, 0, &target, mtype))
		return NF_ACCEPT;
	return NF_DROP;
}

int nf_nat_icmp_reply_translation(struct sk_buff *skb, struct nf_conn *ct,
				  enum ip_conntrack_info ctinfo, unsigned int hooknum)
{
	struct icmp_inside {
		struct icmphdr icmp;
		struct iphdr ip;
	} __packed *inside;
	enum ip_conntrack_dir dir = CTINFO2DIR(ctinfo);
	enum nf_nat_manip_type manip = HOOK2MANIP(hooknum);
	unsigned int hdrlen = ip_hdrlen(skb);
	struct nf_conntrack_tuple target;
	unsigned long statusbit;

	if (!nf_nat_writable(skb, hdrlen + sizeof(*inside)))
		return 0;
	/* The whole ICMP message is rewritten below: it must have been correct. */
	if (nf_ip_checksum(skb, hooknum, hdrlen, 0))
		return 0;

	inside = (struct icmp_inside *)(skb->data + hdrlen);
	if (inside->icmp.type == ICMP_REDIRECT) {
		/* A redirect is only believed for an entry NAT did not touch. */
		if ((ct->status & IPS_NAT_DONE_MASK) != IPS_NAT_DONE_MASK)
			return 0;
		if (ct->status & IPS_NAT_MASK)
			return 0;
	}

	statusbit = manip == NF_NAT_MANIP_SRC ? IPS_SRC_NAT : IPS_DST_NAT;
	if (dir == IP_CT_DIR_REPLY)
		statusbit ^= IPS_NAT_MASK;
	if (!(ct->status & statusbit))
		return 1;

	/*
	 * The quoted packet went the other way: give it the tuple of the other
	 * direction with the opposite manip, then recompute the ICMP checksum.
	 */
	if (!nf_nat_ipv4_manip_pkt(skb, hdrlen + sizeof(inside->icmp), &ct->tuplehash[!dir].tuple,
				   !manip))
		return 0;
	inside = (struct icmp_inside *)(skb->data + hdrlen);
	/* skb_checksum() sums in host order (see csum_partial()). */
	inside->icmp.checksum = 0;
	inside->icmp.checksum = htons(csum_fold(skb_checksum(skb, hdrlen, skb->len - hdrlen, 0)));

	/* The outer header: as a reply to the packet the peer saw. */
	nf_ct_invert_tuple(&target, &ct->tuplehash[!dir].tuple);
	target.dst.protonum = IPPROTO_ICMP;
	if (!nf_nat_ipv4_manip_pkt(skb, 0, &target, manip))
		return 0;
	return 1;
}

unsigned int nf_nat_ipv4_fn(void *priv, struct sk_buff *skb, const struct nf_hook_state *state)
{
	enum ip_conntrack_info ctinfo;
	struct nf_conn *ct;

	ct = nf_ct_get(skb, &ctinfo);
	if (!ct)
		return NF_ACCEPT;
	if ((ctinfo == IP_CT_RELATED || ctinfo == IP_CT_RELATED_REPLY) &&
	    ip_hdr(skb)->protocol == IPPROTO_ICMP) {
		if (!nf_nat_icmp_reply_translation(skb, ct, ctinfo, state->hook))
			return NF_DROP;
		return NF_ACCEPT;
	}
	return nf_nat_inet_fn(priv, skb, state);
}

/*
 * Linux drops the route of a packet whose destination changed here
 * (skb_dst_drop()) so that it is routed again; the guest keeps no route on the
 * skb: ip_rcv_finish() routes after PRE_ROUTING.
 */
static unsigned int nf_nat_ipv4_pre_routing(void *priv, struct sk_buff *skb,
					    const struct nf_hook_state *state)
{
	return nf_nat_ipv4_fn(priv, skb, state);
}

static unsigned int nf_nat_ipv4_out(void *priv, struct sk_buff *skb,
				    const struct nf_hook_state *state)
{
	return nf_nat_ipv4_fn(priv, skb, state);
}

/* Linux reroutes a local packet whose destination changed (ip_route_me_harder()); no routes here.
 */
static unsigned int nf_nat_ipv4_local_fn(void *priv, struct sk_buff *skb,
					 const struct nf_hook_state *state)
{
	return nf_nat_ipv4_fn(priv, skb, state);
}

/* Linux orphans a socket early demux found under the old source; no sockets here. */
static unsigned int nf_nat_ipv4_local_in(void *priv, struct sk_buff *skb,
					 const struct nf_hook_state *state)
{
	return nf_nat_ipv4_fn(priv, skb, state);
}

static const struct nf_hook_ops nf_nat_ipv4_ops[] = {
	/* Before filtering, change the destination. */
	{ .hook = nf_nat_ipv4_pre_routing,
	  .pf = NFPROTO_IPV4,
	  .hooknum = NF_INET_PRE_ROUTING,
	  .priority = NF_IP_PRI_NAT_DST },
	/* After filtering, change the source. */
	{ .hook = nf_nat_ipv4_out,
	  .pf = NFPROTO_IPV4,
	  .hooknum = NF_INET_POST_ROUTING,
	  .priority = NF_IP_PRI_NAT_SRC },
	{ .hook = nf_nat_ipv4_local_fn,
	  .pf = NFPROTO_IPV4,
	  .hooknum = NF_INET_LOCAL_OUT,
	  .priority = NF_IP_PRI_NAT_DST },
	{ .hook = nf_nat_ipv4_local_in,
	  .pf = NFPROTO_IPV4,
	  .hooknum = NF_INET_LOCAL_IN,
	  .priority = NF_IP_PRI_NAT_SRC },
};

int nf_nat_ipv4_register_fn(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(nf_nat_ipv4_ops); i++) {
		if (nf_register_net_hook(&nf_nat_ipv4_ops[i])) {
			while (i--)
				nf_unregister_net_hook(&nf_nat_ipv4_ops[i]);
			return -1;
		}
	}
	return 0;
}
