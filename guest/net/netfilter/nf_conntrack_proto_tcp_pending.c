/*
 * Stand-ins for the TCP tracker (net/netfilter/nf_conntrack_proto_tcp.c), weak
 * so that the real one replaces them: until it is merged every TCP packet is
 * INVALID. DELETE THIS FILE when nf_conntrack_proto_tcp.c is merged.
 */

#include "netfilter.h"
#include "nf_conntrack.h"

__attribute__((weak)) u32 nf_ct_tcp_timeouts[TCP_CONNTRACK_TIMEOUT_MAX];

__attribute__((weak)) const char *const tcp_conntrack_names[TCP_CONNTRACK_MAX] = {
	"NONE",	      "SYN_SENT", "SYN_RECV",  "ESTABLISHED", "FIN_WAIT",
	"CLOSE_WAIT", "LAST_ACK", "TIME_WAIT", "CLOSE",	      "SYN_SENT2",
};

__attribute__((weak)) int nf_conntrack_tcp_packet(struct nf_conn *ct, struct sk_buff *skb,
						  unsigned int dataoff,
						  enum ip_conntrack_info ctinfo,
						  const struct nf_hook_state *state)
{
	(void)ct;
	(void)skb;
	(void)dataoff;
	(void)ctinfo;
	(void)state;
	return -NF_ACCEPT;
}
