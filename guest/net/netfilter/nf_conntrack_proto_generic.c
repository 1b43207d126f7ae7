/*
 * The generic tracker for the protocols nobody else tracks, after Linux
 * 6.18's net/netfilter/nf_conntrack_proto_generic.c: addresses only, 600 s.
 */

#include "asm/timer.h"
#include "netfilter.h"
#include "nf_conntrack.h"

u32 nf_ct_generic_timeout = 600 * HZ;

int nf_conntrack_generic_packet(struct nf_conn *ct, struct sk_buff *skb,
				enum ip_conntrack_info ctinfo)
{
	nf_ct_refresh_acct(ct, ctinfo, skb, nf_ct_generic_timeout);
	return NF_ACCEPT;
}
