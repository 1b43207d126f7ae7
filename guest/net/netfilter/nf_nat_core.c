/*
 * NAT bindings, after Linux 6.18's net/netfilter/nf_nat_core.c (IPv4, one
 * network namespace, zone 0).
 *
 * nf_nat_setup_info() gives an unconfirmed entry its mapping for one manip
 * type: get_unique_tuple() picks the tuple the packets of the original
 * direction will carry after the manip, the reply tuple becomes its inverse
 * (nf_conntrack_alter_reply()) and IPS_{SRC,DST}_NAT says the packets need
 * mangling. The choice, as Linux makes it:
 *
 *   1. source manip only: the original tuple if it is in range and unused;
 *      else the mapping an entry from the same source already has (the
 *      bysource table), if it is in range and unused;
 *   2. the address by find_best_ips_proto(): a hash of the addresses scaled
 *      onto the range, so a client keeps its address;
 *   3. the port (ICMP: the id) kept if in range and unused, else
 *      nf_nat_l4proto_unique_tuple()'s search of the range from an offset,
 *      at most NF_NAT_MAX_ATTEMPTS tries, halving the window each round.
 *
 * Where Linux draws random numbers (the siphash key of the bysource hash,
 * get_random_u16() for the search offset) the guest hashes the tuple with
 * jhash and fixed seeds instead, so a run is reproducible.
 */

#include "if_ether.h"
#include "jhash.h"
#include "kernel.h"
#include "nf_nat.h"
#include "rculist.h"
#include "spinlock.h"
#include "string.h"

/* Entries with IPS_SRC_NAT_DONE by the hash of their original source. */
static struct hlist_head nf_nat_bysource[NF_NAT_HTABLE_SIZE];
/* Zero-filled .bss: every lock starts unlocked, as __SPIN_LOCK_UNLOCKED. */
static spinlock_t nf_nat_locks[NF_NAT_LOCKS];

/* Fixed stand-ins for Linux's random seeds (reproducible runs). */
#define NF_NAT_HASH_SEED 0x6e61745fU /* bysource */
#define NF_NAT_PORT_SEED 0x706f7274U /* port search offset */

/* The bucket of an original tuple's source part (address, port, protocol). */
static unsigned int hash_by_src(const struct nf_conntrack_tuple *tuple)
{
	u32 words[3] = {
		tuple->src.u3.ip,
		(u32)tuple->src.u.all | (u32)tuple->src.l3num << 16,
		tuple->dst.protonum,
	};

	return reciprocal_scale(jhash2(words, 3, NF_NAT_HASH_SEED), NF_NAT_HTABLE_SIZE);
}

static bool nf_nat_inet_in_range(const struct nf_conntrack_tuple *t,
				 const struct nf_nat_range2 *range)
{
	return ntohl(t->src.u3.ip) >= ntohl(range->min_addr.ip) &&
	       ntohl(t->src.u3.ip) <= ntohl(range->max_addr.ip);
}

/* Is the manipulable port (ICMP: id) of tuple within [min, max]? */
static bool l4proto_in_range(const struct nf_conntrack_tuple *tuple,
			     enum nf_nat_manip_type maniptype,
			     const union nf_conntrack_man_proto *min,
			     const union nf_conntrack_man_proto *max)
{
	u16 port;

	switch (tuple->dst.protonum) {
	case IPPROTO_ICMP:
		return ntohs(tuple->src.u.icmp.id) >= ntohs(min->icmp.id) &&
		       ntohs(tuple->src.u.icmp.id) <= ntohs(max->icmp.id);
	case IPPROTO_TCP:
	case IPPROTO_UDP:
		port = maniptype == NF_NAT_MANIP_SRC ? tuple->src.u.all : tuple->dst.u.all;
		return ntohs(port) >= ntohs(min->all) && ntohs(port) <= ntohs(max->all);
	default:
		return true;
	}
}

/* Does the source part of tuple satisfy range? (Linux's nf_in_range().) */
static bool nf_in_range(const struct nf_conntrack_tuple *tuple, const struct nf_nat_range2 *range)
{
	if ((range->flags & NF_NAT_RANGE_MAP_IPS) && !nf_nat_inet_in_range(tuple, range))
		return false;
	if (!(range->flags & NF_NAT_RANGE_PROTO_SPECIFIED))
		return true;
	return l4proto_in_range(tuple, NF_NAT_MANIP_SRC, &range->min_proto, &range->max_proto);
}

static bool same_src(const struct nf_conn *ct, const struct nf_conntrack_tuple *tuple)
{
	const struct nf_conntrack_tuple *t = &ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple;

	return t->dst.protonum == tuple->dst.protonum && t->src.u3.ip == tuple->src.u3.ip &&
	       t->src.u.all == tuple->src.u.all;
}

bool nf_nat_used_tuple(const struct nf_conntrack_tuple *tuple, const struct nf_conn *ignored_ct)
{
	struct nf_conntrack_tuple reply;

	/*
	 * The table holds what packets carry; a mapped tuple is looked up as the
	 * reply its connection would receive.
	 */
	nf_ct_invert_tuple(&reply, tuple);
	return nf_conntrack_tuple_taken(&reply, ignored_ct);
}

/*
 * Linux's nf_nat_used_tuple_harder() evicts a colliding TCP entry in TIME_WAIT
 * for the last NF_NAT_HARDER_THRESH attempts of a SYN_SENT connection; the
 * guest does not (yet): every attempt is a plain lookup.
 */
static bool nf_nat_used_tuple_harder(const struct nf_conntrack_tuple *tuple,
				     const struct nf_conn *ignored_ct, unsigned int attempts_left)
{
	(void)attempts_left;
	return nf_nat_used_tuple(tuple, ignored_ct);
}

/* Source manip: the mapping an entry from the same source already has, if it fits range. */
static bool find_appropriate_src(const struct nf_conntrack_tuple *tuple,
				 struct nf_conntrack_tuple *result,
				 const struct nf_nat_range2 *range)
{
	unsigned int h = hash_by_src(tuple);
	const struct nf_conn *ct;
	bool found = false;

	rcu_read_lock();
	hlist_for_each_entry_rcu(ct, &nf_nat_bysource[h], nat_bysource)
	{
		if (!same_src(ct, tuple))
			continue;
		/* Its source part, as the packets carry it after the manip. */
		nf_ct_invert_tuple(result, &ct->tuplehash[IP_CT_DIR_REPLY].tuple);
		result->dst = tuple->dst;
		if (nf_in_range(result, range)) {
			found = true;
			break;
		}
	}
	rcu_read_unlock();
	return found;
}

/*
 * The address of the manip: one choice, or a hash of the source address (and,
 * unless PERSISTENT, the destination) scaled onto the range, so that a client
 * keeps the same address across connections.
 */
static void find_best_ips_proto(struct nf_conntrack_tuple *tuple, const struct nf_nat_range2 *range,
				enum nf_nat_manip_type maniptype)
{
	union nf_inet_addr *var_ipp;
	u32 minip, maxip, dist, j;
	/* Linux hashes the whole 16-byte nf_inet_addr: an IPv4 address is followed by zeros. */
	u32 src_words[4] = { tuple->src.u3.ip, 0, 0, 0 };

	if (!(range->flags & NF_NAT_RANGE_MAP_IPS))
		return;

	var_ipp = maniptype == NF_NAT_MANIP_SRC ? &tuple->src.u3 : &tuple->dst.u3;
	if (range->min_addr.ip == range->max_addr.ip) {
		*var_ipp = range->min_addr;
		return;
	}

	/* Seeded with the destination address (zone 0), unless PERSISTENT. */
	j = jhash2(src_words, 4, range->flags & NF_NAT_RANGE_PERSISTENT ? 0 : tuple->dst.u3.ip);

	minip = ntohl(range->min_addr.ip);
	maxip = ntohl(range->max_addr.ip);
	dist = maxip - minip + 1;
	var_ipp->ip = htonl(minip + reciprocal_scale(j, dist));
}

/* The starting point of the port search (Linux: get_random_u16()). */
static u16 nf_nat_port_offset(const struct nf_conntrack_tuple *tuple, unsigned int round)
{
	u32 words[4] = {
		tuple->src.u3.ip,
		tuple->dst.u3.ip,
		(u32)tuple->src.u.all << 16 | tuple->dst.u.all,
		tuple->dst.protonum,
	};

	return (u16)jhash2(words, 4, NF_NAT_PORT_SEED + round);
}

void nf_nat_l4proto_unique_tuple(struct nf_conntrack_tuple *tuple,
				 const struct nf_nat_range2 *range,
				 enum nf_nat_manip_type maniptype, const struct nf_conn *ct)
{
	unsigned int range_size, min, max, i, attempts, round = 0;
	struct nf_conntrack_tuple start = *tuple;
	u16 *keyptr;
	u16 off;

	switch (tuple->dst.protonum) {
	case IPPROTO_ICMP:
		/* The id is the same in both directions. */
		keyptr = &tuple->src.u.icmp.id;
		if (!(range->flags & NF_NAT_RANGE_PROTO_SPECIFIED)) {
			min = 0;
			range_size = 65536;
		} else {
			min = ntohs(range->min_proto.icmp.id);
			range_size = ntohs(range->max_proto.icmp.id) - min + 1;
		}
		goto find_free_id;
	case IPPROTO_TCP:
	case IPPROTO_UDP:
		keyptr = maniptype == NF_NAT_MANIP_SRC ? &tuple->src.u.all : &tuple->dst.u.all;
		break;
	default:
		return;
	}

	if (!(range->flags & NF_NAT_RANGE_PROTO_SPECIFIED)) {
		/* A destination manip without ports keeps the port. */
		if (maniptype == NF_NAT_MANIP_DST)
			return;
		/* Loose convention: below 512 is credential passing, below 1024 privileged. */
		if (ntohs(*keyptr) < 1024) {
			if (ntohs(*keyptr) < 512) {
				min = 1;
				range_size = 511 - min + 1;
			} else {
				min = 600;
				range_size = 1023 - min + 1;
			}
		} else {
			min = 1024;
			range_size = 65535 - 1024 + 1;
		}
	} else {
		min = ntohs(range->min_proto.all);
		max = ntohs(range->max_proto.all);
		if (max < min) {
			unsigned int t = max;

			max = min;
			min = t;
		}
		range_size = max - min + 1;
	}

find_free_id:
	if (range->flags & NF_NAT_RANGE_PROTO_OFFSET)
		off = ntohs(*keyptr) - ntohs(range->base_proto.all);
	else if ((range->flags & NF_NAT_RANGE_PROTO_RANDOM_ALL) || maniptype != NF_NAT_MANIP_DST)
		off = nf_nat_port_offset(&start, round);
	else
		off = 0;

	attempts = range_size;
	if (attempts > NF_NAT_MAX_ATTEMPTS)
		attempts = NF_NAT_MAX_ATTEMPTS;

	/*
	 * A search of the whole range could take long when it is all used: when the
	 * first window is taken, try again from another offset with half as many
	 * attempts, until fewer than 16 are left.
	 */
another_round:
	for (i = 0; i < attempts; i++, off++) {
		*keyptr = htons(min + off % range_size);
		if (!nf_nat_used_tuple_harder(tuple, ct, attempts - i))
			return;
	}
	if (attempts >= range_size || attempts < 16)
		return;
	attempts /= 2;
	off = nf_nat_port_offset(&start, ++round);
	goto another_round;
}

/*
 * The tuple the original direction will carry after the manip. When the range
 * has no free tuple left it may be a taken one: as in Linux, the clash is
 * found when the entry is confirmed, which drops the packet (insert_failed).
 */
static void get_unique_tuple(struct nf_conntrack_tuple *tuple,
			     const struct nf_conntrack_tuple *orig_tuple,
			     const struct nf_nat_range2 *range, struct nf_conn *ct,
			     enum nf_nat_manip_type maniptype)
{
	/* 1. An existing source mapping, or the tuple as it is. */
	if (maniptype == NF_NAT_MANIP_SRC && !(range->flags & NF_NAT_RANGE_PROTO_RANDOM_ALL)) {
		if (nf_in_range(orig_tuple, range)) {
			if (!nf_nat_used_tuple(orig_tuple, ct)) {
				*tuple = *orig_tuple;
				return;
			}
		} else if (find_appropriate_src(orig_tuple, tuple, range)) {
			if (!nf_nat_used_tuple(tuple, ct))
				return;
		}
	}

	/* 2. The address. */
	*tuple = *orig_tuple;
	find_best_ips_proto(tuple, range, maniptype);

	/*
	 * 3. The port, if it is not already in range and unused (a one-port
	 * range keeps its port even if taken: the clash is found at confirm).
	 */
	if (!(range->flags & NF_NAT_RANGE_PROTO_RANDOM_ALL)) {
		if (range->flags & NF_NAT_RANGE_PROTO_SPECIFIED) {
			if (!(range->flags & NF_NAT_RANGE_PROTO_OFFSET) &&
			    l4proto_in_range(tuple, maniptype, &range->min_proto,
					     &range->max_proto) &&
			    (range->min_proto.all == range->max_proto.all ||
			     !nf_nat_used_tuple(tuple, ct)))
				return;
		} else if (!nf_nat_used_tuple(tuple, ct)) {
			return;
		}
	}

	/* Last chance: the protocol's search of the range. */
	nf_nat_l4proto_unique_tuple(tuple, range, maniptype, ct);
}

unsigned int nf_nat_setup_info(struct nf_conn *ct, const struct nf_nat_range2 *range,
			       enum nf_nat_manip_type maniptype)
{
	struct nf_conntrack_tuple curr_tuple, new_tuple;

	/* A confirmed entry keeps the mapping it has. */
	if (nf_ct_is_confirmed(ct))
		return NF_ACCEPT;
	if (nf_nat_initialized(ct, maniptype))
		return NF_DROP;

	/* What the original direction looks like after the manips done so far. */
	nf_ct_invert_tuple(&curr_tuple, &ct->tuplehash[IP_CT_DIR_REPLY].tuple);

	get_unique_tuple(&new_tuple, &curr_tuple, range, ct, maniptype);

	if (!nf_ct_tuple_equal(&new_tuple, &curr_tuple)) {
		struct nf_conntrack_tuple reply;

		/* Replies will come back to the mapped tuple. */
		nf_ct_invert_tuple(&reply, &new_tuple);
		nf_conntrack_alter_reply(ct, &reply);

		/* Not atomic: nobody else sees an unconfirmed entry. */
		if (maniptype == NF_NAT_MANIP_SRC)
			ct->status |= IPS_SRC_NAT;
		else
			ct->status |= IPS_DST_NAT;
	}

	if (maniptype == NF_NAT_MANIP_SRC) {
		unsigned int srchash = hash_by_src(&ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple);
		spinlock_t *lock = &nf_nat_locks[srchash % NF_NAT_LOCKS];

		spin_lock_bh(lock);
		hlist_add_head_rcu(&ct->nat_bysource, &nf_nat_bysource[srchash]);
		spin_unlock_bh(lock);
	}

	if (maniptype == NF_NAT_MANIP_DST)
		ct->status |= IPS_DST_NAT_DONE;
	else
		ct->status |= IPS_SRC_NAT_DONE;
	return NF_ACCEPT;
}

unsigned int nf_nat_alloc_null_binding(struct nf_conn *ct, unsigned int hooknum)
{
	enum nf_nat_manip_type manip = HOOK2MANIP(hooknum);
	/*
	 * The address the packets already carry, from the reply tuple in case an
	 * earlier manip changed it; the port is left to the protocol.
	 */
	union nf_inet_addr ip = manip == NF_NAT_MANIP_SRC
					? ct->tuplehash[IP_CT_DIR_REPLY].tuple.dst.u3
					: ct->tuplehash[IP_CT_DIR_REPLY].tuple.src.u3;
	struct nf_nat_range2 range = {
		.flags = NF_NAT_RANGE_MAP_IPS,
		.min_addr = ip,
		.max_addr = ip,
	};

	return nf_nat_setup_info(ct, &range, manip);
}

void nf_nat_cleanup_conntrack(struct nf_conn *ct)
{
	unsigned int h;

	if (!(ct->status & IPS_SRC_NAT_DONE))
		return;
	h = hash_by_src(&ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple);
	spin_lock_bh(&nf_nat_locks[h % NF_NAT_LOCKS]);
	hlist_del_rcu(&ct->nat_bysource);
	spin_unlock_bh(&nf_nat_locks[h % NF_NAT_LOCKS]);
}

/* Entries on the bysource table from the source of tuple (self-tests). */
unsigned int nf_nat_bysource_count(const struct nf_conntrack_tuple *tuple)
{
	unsigned int h = hash_by_src(tuple), n = 0;
	const struct nf_conn *ct;

	rcu_read_lock();
	hlist_for_each_entry_rcu(ct, &nf_nat_bysource[h], nat_bysource) n += same_src(ct, tuple);
	rcu_read_unlock();
	return n;
}

unsigned int nf_nat_packet(struct nf_conn *ct, enum ip_conntrack_info ctinfo, unsigned int hooknum,
			   struct sk_buff *skb)
{
	enum nf_nat_manip_type mtype = HOOK2MANIP(hooknum);
	enum ip_conntrack_dir dir = CTINFO2DIR(ctinfo);
	unsigned long statusbit = mtype == NF_NAT_MANIP_SRC ? IPS_SRC_NAT : IPS_DST_NAT;

	/* A reply undoes the other manip: SNAT's replies get their destination back. */
	if (dir == IP_CT_DIR_REPLY)
		statusbit ^= IPS_NAT_MASK;
	if (ct->status & statusbit)
		return nf_nat_manip_pkt(skb, ct, mtype, dir);
	return NF_ACCEPT;
}

unsigned int nf_nat_inet_fn(void *priv, struct sk_buff *skb, const struct nf_hook_state *state)
{
	enum nf_nat_manip_type maniptype = HOOK2MANIP(state->hook);
	enum ip_conntrack_info ctinfo;
	struct nf_conn *ct;
	unsigned int ret;

	(void)priv;
	ct = nf_ct_get(skb, &ctinfo);
	/* Untracked or invalid: conntrack let it through, NAT has nothing to go by. */
	if (!ct)
		return NF_ACCEPT;

	switch (ctinfo) {
	case IP_CT_RELATED:
	case IP_CT_RELATED_REPLY:
	case IP_CT_NEW:
		/* A retransmitted first packet, or a local one, may find it done. */
		if (!nf_nat_initialized(ct, maniptype)) {
			ret = iptable_nat_do_chain(skb, state);
			if (ret != NF_ACCEPT)
				return ret;
			if (!nf_nat_initialized(ct, maniptype)) {
				ret = nf_nat_alloc_null_binding(ct, state->hook);
				if (ret != NF_ACCEPT)
					return ret;
			}
		}
		break;
	default:
		/* ESTABLISHED in either direction: the binding is there. */
		break;
	}
	return nf_nat_packet(ct, ctinfo, state->hook, skb);
}

int nf_nat_init(void)
{
	static int result = 1; /* 1: not run yet */

	/* Once: net_dev_init() may run early for a self-test, then again at boot. */
	if (result == 1)
		result = nf_nat_ipv4_register_fn();
	return result;
}
