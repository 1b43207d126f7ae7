#ifndef _GUEST_NF_CONNTRACK_TUPLE_H
#define _GUEST_NF_CONNTRACK_TUPLE_H

/*
 * A connection's tuple in one direction, after Linux's
 * include/net/netfilter/nf_conntrack_tuple.h (IPv4 only): addresses and ports
 * in network byte order; for ICMP the id is in src.u.icmp.id and type/code in
 * dst.u.icmp.
 */

#include "list_nulls.h"
#include "types.h"

enum ip_conntrack_dir {
	IP_CT_DIR_ORIGINAL,
	IP_CT_DIR_REPLY,
	IP_CT_DIR_MAX,
};

union nf_inet_addr {
	u32 ip;
};

/* The part of a tuple NAT can change (the "manipulable" part). */
union nf_conntrack_man_proto {
	u16 all;
	struct {
		u16 port;
	} tcp;
	struct {
		u16 port;
	} udp;
	struct {
		u16 id;
	} icmp;
};

struct nf_conntrack_man {
	union nf_inet_addr u3;
	union nf_conntrack_man_proto u;
	u16 l3num; /* NFPROTO_IPV4 */
};

struct nf_conntrack_tuple {
	struct nf_conntrack_man src;
	struct {
		union nf_inet_addr u3;
		union {
			u16 all;
			struct {
				u16 port;
			} tcp;
			struct {
				u16 port;
			} udp;
			struct {
				u8 type, code;
			} icmp;
		} u;
		u8 protonum;
		u8 dir; /* enum ip_conntrack_dir: not part of the key */
	} dst;
};

struct nf_conntrack_tuple_hash {
	struct hlist_nulls_node hnnode;
	struct nf_conntrack_tuple tuple;
};

static inline bool nf_ct_tuple_src_equal(const struct nf_conntrack_tuple *t1,
					 const struct nf_conntrack_tuple *t2)
{
	return t1->src.u3.ip == t2->src.u3.ip && t1->src.u.all == t2->src.u.all &&
	       t1->src.l3num == t2->src.l3num;
}

static inline bool nf_ct_tuple_dst_equal(const struct nf_conntrack_tuple *t1,
					 const struct nf_conntrack_tuple *t2)
{
	return t1->dst.u3.ip == t2->dst.u3.ip && t1->dst.u.all == t2->dst.u.all &&
	       t1->dst.protonum == t2->dst.protonum;
}

static inline bool nf_ct_tuple_equal(const struct nf_conntrack_tuple *t1,
				     const struct nf_conntrack_tuple *t2)
{
	return nf_ct_tuple_src_equal(t1, t2) && nf_ct_tuple_dst_equal(t1, t2);
}

#endif /* _GUEST_NF_CONNTRACK_TUPLE_H */
