/*
 * Conntrack's IPv4 hooks and the per-protocol dispatch, after Linux 6.18's
 * net/netfilter/nf_conntrack_proto.c (hooks, registration) and the tuple code
 * of nf_conntrack_core.c (nf_ct_get_tuple(), nf_ct_invert_tuple()); plus the
 * PRE_ROUTING counter of packets per ct state that the Linux reference gets
 * from its nft rules ("ct state new counter", ...).
 */

#include "asm/percpu.h"
#include "bitops.h"
#include "cpumask.h"
#include "if_ether.h"
#include "ip.h"
#include "kernel.h"
#include "netfilter.h"
#include "nf_conntrack.h"
#include "nf_defrag_ipv4.h"
#include "string.h"

const void *nf_ct_header_pointer(const struct sk_buff *skb, unsigned int offset, unsigned int len,
				 void *buf)
{
	if (offset > skb_headlen(skb) || len > skb_headlen(skb) - offset)
		return NULL;
	memcpy(buf, skb->data + offset, len);
	return buf;
}

int nf_ct_ipv4_get_l4proto(const struct sk_buff *skb, unsigned int nhoff, u8 *protonum)
{
	const struct iphdr *iph;
	struct iphdr _iph;
	unsigned int dataoff;

	iph = nf_ct_header_pointer(skb, nhoff, sizeof(_iph), &_iph);
	if (!iph)
		return -1;
	/* Conntrack sees reassembled packets; a fragment can still be quoted in an ICMP error. */
	if (iph->frag_off & htons(IP_OFFSET))
		return -1;
	dataoff = nhoff + ((iph->ihl_version & 0xf) << 2);
	*protonum = iph->protocol;
	if (dataoff > skb->len)
		return -1;
	return dataoff;
}

static bool icmp_pkt_to_tuple(const struct sk_buff *skb, unsigned int dataoff,
			      struct nf_conntrack_tuple *tuple)
{
	const struct icmphdr *hp;
	struct icmphdr _hdr;

	hp = nf_ct_header_pointer(skb, dataoff, sizeof(_hdr), &_hdr);
	if (!hp)
		return false;
	tuple->dst.u.icmp.type = hp->type;
	tuple->src.u.icmp.id = hp->id;
	tuple->dst.u.icmp.code = hp->code;
	return true;
}

bool nf_ct_get_tuple(const struct sk_buff *skb, unsigned int nhoff, unsigned int dataoff,
		     u8 protonum, struct nf_conntrack_tuple *tuple)
{
	const struct iphdr *iph;
	struct iphdr _iph;
	const u16 *ports;
	u16 _ports[2];

	memset(tuple, 0, sizeof(*tuple));
	iph = nf_ct_header_pointer(skb, nhoff, sizeof(_iph), &_iph);
	if (!iph)
		return false;
	tuple->src.l3num = NFPROTO_IPV4;
	tuple->src.u3.ip = iph->saddr;
	tuple->dst.u3.ip = iph->daddr;
	tuple->dst.protonum = protonum;
	tuple->dst.dir = IP_CT_DIR_ORIGINAL;

	switch (protonum) {
	case IPPROTO_ICMP:
		return icmp_pkt_to_tuple(skb, dataoff, tuple);
	case IPPROTO_TCP:
	case IPPROTO_UDP:
		break;
	default:
		return true; /* the generic tracker: addresses only */
	}
	/* The ports are the first four bytes. */
	ports = nf_ct_header_pointer(skb, dataoff, sizeof(_ports), _ports);
	if (!ports)
		return false;
	tuple->src.u.all = ports[0];
	tuple->dst.u.all = ports[1];
	return true;
}

bool nf_ct_invert_tuple(struct nf_conntrack_tuple *inverse, const struct nf_conntrack_tuple *orig)
{
	memset(inverse, 0, sizeof(*inverse));
	inverse->src.l3num = orig->src.l3num;
	inverse->src.u3.ip = orig->dst.u3.ip;
	inverse->dst.u3.ip = orig->src.u3.ip;
	inverse->dst.dir = !orig->dst.dir;
	inverse->dst.protonum = orig->dst.protonum;

	switch (orig->dst.protonum) {
	case IPPROTO_ICMP:
		return nf_conntrack_invert_icmp_tuple(inverse, orig);
	case IPPROTO_TCP:
	case IPPROTO_UDP:
		inverse->src.u.all = orig->dst.u.all;
		inverse->dst.u.all = orig->src.u.all;
		return true;
	}
	return true;
}

int nf_conntrack_handle_packet(struct nf_conn *ct, struct sk_buff *skb, unsigned int dataoff,
			       enum ip_conntrack_info ctinfo, const struct nf_hook_state *state)
{
	switch (nf_ct_protonum(ct)) {
	case IPPROTO_TCP:
		return nf_conntrack_tcp_packet(ct, skb, dataoff, ctinfo, state);
	case IPPROTO_UDP:
		return nf_conntrack_udp_packet(ct, skb, dataoff, ctinfo, state);
	case IPPROTO_ICMP:
		return nf_conntrack_icmp_packet(ct, skb, ctinfo, state);
	}
	return nf_conntrack_generic_packet(ct, skb, ctinfo);
}

/* --- Hooks ----------------------------------------------------------------------------------- */

static unsigned int ipv4_conntrack_in(void *priv, struct sk_buff *skb,
				      const struct nf_hook_state *state)
{
	(void)priv;
	return nf_conntrack_in(skb, state);
}

static unsigned int ipv4_conntrack_local(void *priv, struct sk_buff *skb,
					 const struct nf_hook_state *state)
{
	(void)priv;
	/* A fragment sent with IP_NODEFRAG: not tracked (no templates to clear here). */
	if (ip_is_fragment(ip_hdr(skb)))
		return NF_ACCEPT;
	return nf_conntrack_in(skb, state);
}

static unsigned int ipv4_confirm(void *priv, struct sk_buff *skb, const struct nf_hook_state *state)
{
	(void)priv;
	(void)state;
	return nf_conntrack_confirm(skb);
}

/* The reference's nft rules: packets per ct state at PRE_ROUTING, priority filter. */
enum ct_state_class {
	CT_STATE_NEW,
	CT_STATE_ESTABLISHED,
	CT_STATE_RELATED,
	CT_STATE_INVALID,
	CT_STATE_UNTRACKED,
	CT_STATE_MAX
};

struct ct_state_counts {
	unsigned long packets[CT_STATE_MAX];
} __aligned(64);

static DEFINE_PER_CPU(struct ct_state_counts, ct_state_counts);

static unsigned int ct_state_count_hook(void *priv, struct sk_buff *skb,
					const struct nf_hook_state *state)
{
	enum ip_conntrack_info ctinfo;
	struct nf_conn *ct = nf_ct_get(skb, &ctinfo);
	enum ct_state_class class;

	(void)priv;
	(void)state;
	if (ctinfo == IP_CT_UNTRACKED)
		class = CT_STATE_UNTRACKED;
	else if (!ct)
		class = CT_STATE_INVALID;
	else if (ctinfo == IP_CT_NEW)
		class = CT_STATE_NEW;
	else if (ctinfo == IP_CT_RELATED || ctinfo == IP_CT_RELATED_REPLY)
		class = CT_STATE_RELATED;
	else
		class = CT_STATE_ESTABLISHED;
	this_cpu_inc(ct_state_counts.packets[class]);
	return NF_ACCEPT;
}

void nf_conntrack_show_state_counts(void)
{
	unsigned long sum[CT_STATE_MAX] = { 0 };
	unsigned int cpu, i;

	for_each_possible_cpu(cpu) for (i = 0; i < CT_STATE_MAX; i++) sum[i] +=
		per_cpu_ptr(&ct_state_counts, cpu)->packets[i];
	printk("prerouting ct state packets: new=%lu established=%lu related=%lu invalid=%lu "
	       "untracked=%lu\n",
	       sum[CT_STATE_NEW], sum[CT_STATE_ESTABLISHED], sum[CT_STATE_RELATED],
	       sum[CT_STATE_INVALID], sum[CT_STATE_UNTRACKED]);
}

static const struct nf_hook_ops ipv4_conntrack_ops[] = {
	{ .hook = ipv4_conntrack_in,
	  .pf = NFPROTO_IPV4,
	  .hooknum = NF_INET_PRE_ROUTING,
	  .priority = NF_IP_PRI_CONNTRACK },
	{ .hook = ipv4_conntrack_local,
	  .pf = NFPROTO_IPV4,
	  .hooknum = NF_INET_LOCAL_OUT,
	  .priority = NF_IP_PRI_CONNTRACK },
	{ .hook = ipv4_confirm,
	  .pf = NFPROTO_IPV4,
	  .hooknum = NF_INET_POST_ROUTING,
	  .priority = NF_IP_PRI_CONNTRACK_CONFIRM },
	{ .hook = ipv4_confirm,
	  .pf = NFPROTO_IPV4,
	  .hooknum = NF_INET_LOCAL_IN,
	  .priority = NF_IP_PRI_CONNTRACK_CONFIRM },
	{ .hook = ct_state_count_hook,
	  .pf = NFPROTO_IPV4,
	  .hooknum = NF_INET_PRE_ROUTING,
	  .priority = NF_IP_PRI_FILTER },
};

int nf_conntrack_proto_init(void)
{
	unsigned int i;

	/* Conntrack sees whole datagrams: nf_defrag_ipv4 reassembles first (priority -400). */
	nf_defrag_ipv4_enable();
	for (i = 0; i < ARRAY_SIZE(ipv4_conntrack_ops); i++) {
		if (nf_register_net_hook(&ipv4_conntrack_ops[i])) {
			printk("nf_conntrack: cannot register hook %u\n", i);
			return -1;
		}
	}
	return 0;
}
