/*
 * Reassembly for connection tracking, after Linux 6.18's
 * net/ipv4/netfilter/nf_defrag_ipv4.c: at PRE_ROUTING and LOCAL_OUT, before
 * conntrack (priority NF_IP_PRI_CONNTRACK_DEFRAG), fragments are gathered
 * into their datagram, so conntrack and everything after it see whole
 * datagrams. A reassembled datagram may be refragmented on output despite DF
 * (ignore_df), as Linux's nf_ct_ipv4_gather_frags() allows.
 */

#include "nf_defrag_ipv4.h"
#include "inet_frag.h"
#include "ip.h"
#include "kernel.h"
#include "netfilter.h"
#include "nf_conntrack.h"
#include "preempt.h"

/* The queues of conntrack are apart from local delivery's (zone 0: no zone offset). */
static u32 nf_ct_defrag_user(unsigned int hooknum)
{
	return hooknum == NF_INET_PRE_ROUTING ? IP_DEFRAG_CONNTRACK_IN : IP_DEFRAG_CONNTRACK_OUT;
}

static int nf_ct_ipv4_gather_frags(struct sk_buff *skb, u32 user)
{
	int err;

	local_bh_disable();
	err = ip_defrag(skb, user);
	local_bh_enable();
	if (!err)
		skb->ignore_df = 1;
	return err;
}

unsigned int ipv4_conntrack_defrag(void *priv, struct sk_buff *skb,
				   const struct nf_hook_state *state)
{
	(void)priv;
	/* Previously seen (loopback, or tracked already), or untracked: leave it alone. */
	if (skb->_nfct)
		return NF_ACCEPT;
	if (ip_is_fragment(ip_hdr(skb))) {
		if (nf_ct_ipv4_gather_frags(skb, nf_ct_defrag_user(state->hook)))
			return NF_STOLEN;
	}
	return NF_ACCEPT;
}

static const struct nf_hook_ops ipv4_defrag_ops[] = {
	{
		.hook = ipv4_conntrack_defrag,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_PRE_ROUTING,
		.priority = NF_IP_PRI_CONNTRACK_DEFRAG,
	},
	{
		.hook = ipv4_conntrack_defrag,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_LOCAL_OUT,
		.priority = NF_IP_PRI_CONNTRACK_DEFRAG,
	},
};

void nf_defrag_ipv4_enable(void)
{
	static bool enabled;
	unsigned int i;

	if (enabled)
		return;
	ipfrag_init();
	for (i = 0; i < ARRAY_SIZE(ipv4_defrag_ops); i++)
		if (nf_register_net_hook(&ipv4_defrag_ops[i]))
			printk("nf_defrag_ipv4: hook %u not registered\n",
			       ipv4_defrag_ops[i].hooknum);
	enabled = true;
}
