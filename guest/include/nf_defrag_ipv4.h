#ifndef _GUEST_NF_DEFRAG_IPV4_H
#define _GUEST_NF_DEFRAG_IPV4_H

/* Reassembly before conntrack (net/ipv4/netfilter/nf_defrag_ipv4.c). */

#include "netfilter.h"

/*
 * The hook function, at NF_INET_PRE_ROUTING and NF_INET_LOCAL_OUT with
 * priority NF_IP_PRI_CONNTRACK_DEFRAG: a fragment goes to ip_defrag() with
 * IP_DEFRAG_CONNTRACK_IN (PRE_ROUTING) or IP_DEFRAG_CONNTRACK_OUT; NF_ACCEPT
 * with skb now the whole datagram (ignore_df set), NF_STOLEN when it was
 * queued or dropped. Anything else, or an skb conntrack has seen: NF_ACCEPT.
 */
unsigned int ipv4_conntrack_defrag(void *priv, struct sk_buff *skb,
				   const struct nf_hook_state *state);

/* Registers the two hooks (once; process context). Needs net/netfilter/core.c. */
void nf_defrag_ipv4_enable(void);

#endif /* _GUEST_NF_DEFRAG_IPV4_H */
