#ifndef _GUEST_NF_NAT_H
#define _GUEST_NF_NAT_H

/*
 * NAT for IPv4, after Linux 6.18's include/net/netfilter/nf_nat.h,
 * net/netfilter/nf_nat_core.c (bindings: nf_nat_setup_info(), the bysource
 * hash, get_unique_tuple()), nf_nat_proto.c (packet mangling, the ICMP error
 * translation, the IPv4 hooks), nf_nat_masquerade.c and
 * net/ipv4/netfilter/iptable_nat.c (the rule table, here from the command
 * line: nf.nat=...).
 *
 * A connection is bound once per manip type while it is unconfirmed: the
 * first packet of a NEW entry at PRE_ROUTING/LOCAL_OUT picks its destination
 * mapping (DNAT or a null binding), at POST_ROUTING/LOCAL_IN its source
 * mapping (SNAT, MASQUERADE or a null binding). Binding rewrites the reply
 * tuple (nf_conntrack_alter_reply()), so replies are found under the mapped
 * tuple; every later packet is mangled to look like the inverse of the other
 * direction's tuple (nf_nat_packet()).
 */

#include "netfilter.h"
#include "nf_conntrack.h"
#include "types.h"

enum nf_nat_manip_type {
	NF_NAT_MANIP_SRC,
	NF_NAT_MANIP_DST,
};

/* The manip a hook does: source at POST_ROUTING and LOCAL_IN, destination at the others. */
#define HOOK2MANIP(hooknum)                                                                        \
	((hooknum) != NF_INET_POST_ROUTING && (hooknum) != NF_INET_LOCAL_IN ? NF_NAT_MANIP_DST     \
									    : NF_NAT_MANIP_SRC)

/* Linux's NF_NAT_RANGE_* (uapi/linux/netfilter/nf_nat.h). */
#define NF_NAT_RANGE_MAP_IPS (1 << 0)
#define NF_NAT_RANGE_PROTO_SPECIFIED (1 << 1)
#define NF_NAT_RANGE_PROTO_RANDOM (1 << 2)
#define NF_NAT_RANGE_PERSISTENT (1 << 3)
#define NF_NAT_RANGE_PROTO_RANDOM_FULLY (1 << 4)
#define NF_NAT_RANGE_PROTO_OFFSET (1 << 5)
#define NF_NAT_RANGE_NETMAP (1 << 6)
#define NF_NAT_RANGE_PROTO_RANDOM_ALL (NF_NAT_RANGE_PROTO_RANDOM | NF_NAT_RANGE_PROTO_RANDOM_FULLY)

/* Addresses and ports in network byte order. */
struct nf_nat_range2 {
	unsigned int flags;
	union nf_inet_addr min_addr;
	union nf_inet_addr max_addr;
	union nf_conntrack_man_proto min_proto;
	union nf_conntrack_man_proto max_proto;
	union nf_conntrack_man_proto base_proto;
};

/* Linux's limits on the port search (nf_nat_l4proto_unique_tuple()). */
#define NF_NAT_MAX_ATTEMPTS 128
#define NF_NAT_HARDER_THRESH (NF_NAT_MAX_ATTEMPTS / 4)

/* The bysource table: buckets and the locks that guard them. */
#define NF_NAT_HTABLE_SIZE 4096
#define NF_NAT_LOCKS 256

static inline bool nf_nat_initialized(const struct nf_conn *ct, enum nf_nat_manip_type manip)
{
	if (manip == NF_NAT_MANIP_SRC)
		return READ_ONCE(ct->status) & IPS_SRC_NAT_DONE;
	return READ_ONCE(ct->status) & IPS_DST_NAT_DONE;
}

/* --- nf_nat_core.c ---------------------------------------------------------------------------- */

/*
 * Binds the unconfirmed ct to a tuple in range for maniptype: NF_ACCEPT, or
 * NF_DROP when the manip was already done. When every tuple of the range is
 * taken the binding takes one anyway: confirming the entry fails as an insert
 * clash and drops the packet, as in Linux.
 */
unsigned int nf_nat_setup_info(struct nf_conn *ct, const struct nf_nat_range2 *range,
			       enum nf_nat_manip_type maniptype);
/* The identity mapping for the manip of hooknum (no rule matched). */
unsigned int nf_nat_alloc_null_binding(struct nf_conn *ct, unsigned int hooknum);
/* Takes ct off the bysource table; the conntrack core calls it when ct is destroyed. */
void nf_nat_cleanup_conntrack(struct nf_conn *ct);
/* true if tuple (as the packet sees it, original direction) would clash with another entry. */
bool nf_nat_used_tuple(const struct nf_conntrack_tuple *tuple, const struct nf_conn *ignored_ct);
/* Moves the port/id of tuple into range so that it is unused (Linux's search). */
void nf_nat_l4proto_unique_tuple(struct nf_conntrack_tuple *tuple,
				 const struct nf_nat_range2 *range,
				 enum nf_nat_manip_type maniptype, const struct nf_conn *ct);
/* Entries on the bysource table from the source of tuple (self-tests). */
unsigned int nf_nat_bysource_count(const struct nf_conntrack_tuple *tuple);
/* Mangles skb for hooknum if ct's NAT bits ask for it: NF_ACCEPT or NF_DROP. */
unsigned int nf_nat_packet(struct nf_conn *ct, enum ip_conntrack_info ctinfo, unsigned int hooknum,
			   struct sk_buff *skb);
/* The common NAT hook: binding of NEW entries (rules or a null binding), then nf_nat_packet(). */
unsigned int nf_nat_inet_fn(void *priv, struct sk_buff *skb, const struct nf_hook_state *state);
/*
 * Registers the four IPv4 NAT hooks: 0, or -1. Process context, once conntrack
 * is up; net_dev_init() calls it when the nat table has rules. Runs once (later
 * calls return its result).
 */
int nf_nat_init(void);

/* --- nf_nat_proto.c --------------------------------------------------------------------------- */

/* Rewrites the packet at iphdroff (from skb->data) to target's source or destination. */
bool nf_nat_ipv4_manip_pkt(struct sk_buff *skb, unsigned int iphdroff,
			   const struct nf_conntrack_tuple *target,
			   enum nf_nat_manip_type maniptype);
unsigned int nf_nat_manip_pkt(struct sk_buff *skb, struct nf_conn *ct, enum nf_nat_manip_type mtype,
			      enum ip_conntrack_dir dir);
/* An ICMP error (RELATED) quoting a packet of ct: inner header and outer address; 1, or 0 to drop.
 */
int nf_nat_icmp_reply_translation(struct sk_buff *skb, struct nf_conn *ct,
				  enum ip_conntrack_info ctinfo, unsigned int hooknum);
unsigned int nf_nat_ipv4_fn(void *priv, struct sk_buff *skb, const struct nf_hook_state *state);
int nf_nat_ipv4_register_fn(void);

/* --- nf_nat_masquerade.c ---------------------------------------------------------------------- */

/* Source NAT to the address of the out device (ours); range gives the ports, if any. */
unsigned int nf_nat_masquerade_ipv4(struct sk_buff *skb, unsigned int hooknum,
				    const struct nf_nat_range2 *range,
				    const struct net_device *out);

/* --- net/ipv4/netfilter/iptable_nat.c --------------------------------------------------------- */

/*
 * The nat table's chain for state->hook: the target of the first rule that
 * matches (NF_ACCEPT after it bound ct, or its verdict), NF_ACCEPT if none did.
 */
unsigned int iptable_nat_do_chain(struct sk_buff *skb, const struct nf_hook_state *state);
/* Kernel command line word nf.nat=...: true if it was one (a bad rule is reported and ignored). */
bool nf_nat_parse_option(const char *word, size_t len);
/* The rules with their counters, as iptables -t nat -L -v -n. */
void nf_nat_show_rules(void);
/* Rules parsed so far. */
unsigned int nf_nat_rule_count(void);
/* Forgets every rule and counter (self-tests). */
void nf_nat_flush_rules(void);
/* Swaps the rules with a second, initially empty table (self-tests keep the command line's there).
 */
void nf_nat_swap_rules(void);
/* The counters of the i-th rule (in command line order); false if there is none. */
bool nf_nat_rule_counters(unsigned int i, u64 *pkts, u64 *bytes);

#endif /* _GUEST_NF_NAT_H */
