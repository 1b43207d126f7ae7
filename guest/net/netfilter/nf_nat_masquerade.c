/*
 * MASQUERADE, after Linux 6.18's net/netfilter/nf_nat_masquerade.c: source
 * NAT to the address of the device the packet leaves by. The guest has one
 * address (ip=), inet_own_addr(); Linux would pick it with
 * inet_select_addr() for the route's next hop.
 */

#include "ip.h"
#include "kernel.h"
#include "nf_nat.h"
#include "string.h"

unsigned int nf_nat_masquerade_ipv4(struct sk_buff *skb, unsigned int hooknum,
				    const struct nf_nat_range2 *range, const struct net_device *out)
{
	struct nf_nat_range2 newrange;
	enum ip_conntrack_info ctinfo;
	struct nf_conn *ct;
	u32 newsrc;

	(void)hooknum;
	(void)out;
	ct = nf_ct_get(skb, &ctinfo);
	if (!ct)
		return NF_ACCEPT;
	/* Source 0.0.0.0: a local packet that is probably not meant to be masqueraded. */
	if (ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple.src.u3.ip == 0)
		return NF_ACCEPT;

	newsrc = inet_own_addr();
	if (!newsrc) {
		printk("nf_nat: eth0 ate my IP address\n");
		return NF_DROP;
	}

	/* The rule's ports and flags, our address. */
	memset(&newrange, 0, sizeof(newrange));
	newrange.flags = range->flags | NF_NAT_RANGE_MAP_IPS;
	newrange.min_addr.ip = newsrc;
	newrange.max_addr.ip = newsrc;
	newrange.min_proto = range->min_proto;
	newrange.max_proto = range->max_proto;
	return nf_nat_setup_info(ct, &newrange, NF_NAT_MANIP_SRC);
}
