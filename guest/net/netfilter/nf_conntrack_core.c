/*
 * Connection tracking core, after Linux 6.18's net/netfilter/nf_conntrack_core.c
 * (IPv4, one namespace, zone 0, no expectations or helpers): the table,
 * lookups, new entries, confirmation, deletion, the GC worker and the
 * per-CPU statistics; for NAT, nf_conntrack_tuple_taken() and the bysource
 * clean-up when an entry is destroyed. See include/nf_conntrack.h.
 */

#include "asm/percpu.h"
#include "bitops.h"
#include "cpumask.h"
#include "e820.h"
#include "if_ether.h"
#include "kernel.h"
#include "mm.h"
#include "netfilter.h"
#include "nf_conntrack.h"
#include "nf_nat.h"
#include "poison.h"
#include "rculist_nulls.h"
#include "slab.h"
#include "string.h"
#include "timer.h"

#define CONNTRACK_LOCKS 1024
#define NF_CT_EVICTION_RANGE 8
/* Linux's MIN_CHAINLEN + MAX_CHAINLEN: a fixed bound here (no random part), for byte-identical
 * runs. */
#define NF_CT_MAX_CHAINLEN 64
/* The GC worker: buckets per run, and the pause after a full pass (Linux's GC_SCAN_INTERVAL_MAX is
 * 60 s). */
#define GC_SCAN_BUCKETS 256
#define GC_SCAN_INTERVAL (HZ)
/* The boot-time hash seed: fixed, so the table's layout is the same run to run. */
#define NF_CT_HASH_SEED 0x2c9277b5U

#define NF_CONN_OBJ_SIZE ((sizeof(struct nf_conn) + 63) & ~63UL)

bool nf_conntrack_enabled = true;
bool nf_conntrack_events;
int nf_conntrack_checksum = 1;
unsigned int nf_conntrack_max;
unsigned int nf_conntrack_htable_size;
struct hlist_nulls_head *nf_conntrack_hash;
atomic_t nf_conntrack_rcu_poisoned;
bool nf_conntrack_skip_grace_period;

static spinlock_t nf_conntrack_locks[CONNTRACK_LOCKS];
static atomic_t nf_conntrack_entries;
static struct kmem_cache nf_conntrack_cachep = KMEM_CACHE_INIT("nf_conntrack", NF_CONN_OBJ_SIZE);

struct ct_pcpu {
	spinlock_t lock;
	struct hlist_nulls_head unconfirmed;
} __aligned(64);

static DEFINE_PER_CPU(struct ct_pcpu, nf_ct_pcpu);
static DEFINE_PER_CPU(struct ip_conntrack_stat, nf_ct_stat);

#define NF_CT_STAT_INC(count) this_cpu_inc(nf_ct_stat.count)

/* --- Hashing and locks ----------------------------------------------------------------------- */

static inline u32 rol32(u32 word, unsigned int shift)
{
	return (word << shift) | (word >> (32 - shift));
}

/* Over the key of the tuple (not dst.dir), like Linux's hash_conntrack_raw(). */
static u32 hash_conntrack_raw(const struct nf_conntrack_tuple *tuple)
{
	u32 h = NF_CT_HASH_SEED ^ ((u32)tuple->dst.protonum << 16 | tuple->src.l3num);

	h = rol32(h ^ tuple->src.u3.ip, 13) * 0x9e3779b1U;
	h = rol32(h ^ tuple->dst.u3.ip, 15) * 0x85ebca77U;
	h = rol32(h ^ ((u32)tuple->src.u.all << 16 | tuple->dst.u.all), 17) * 0xc2b2ae3dU;
	h ^= h >> 16;
	h *= 0x27d4eb2fU;
	h ^= h >> 15;
	return h;
}

static inline unsigned int scale_hash(u32 hash)
{
	return (unsigned int)(((u64)hash * nf_conntrack_htable_size) >> 32);
}

static inline unsigned int hash_conntrack(const struct nf_conntrack_tuple *tuple)
{
	return scale_hash(hash_conntrack_raw(tuple));
}

static void nf_conntrack_double_lock(unsigned int h1, unsigned int h2)
{
	h1 %= CONNTRACK_LOCKS;
	h2 %= CONNTRACK_LOCKS;
	if (h1 <= h2) {
		spin_lock(&nf_conntrack_locks[h1]);
		if (h1 != h2)
			spin_lock(&nf_conntrack_locks[h2]);
	} else {
		spin_lock(&nf_conntrack_locks[h2]);
		spin_lock(&nf_conntrack_locks[h1]);
	}
}

static void nf_conntrack_double_unlock(unsigned int h1, unsigned int h2)
{
	h1 %= CONNTRACK_LOCKS;
	h2 %= CONNTRACK_LOCKS;
	spin_unlock(&nf_conntrack_locks[h1]);
	if (h1 != h2)
		spin_unlock(&nf_conntrack_locks[h2]);
}

/* --- References and freeing ------------------------------------------------------------------ */

void nf_conntrack_get(struct nf_conn *ct)
{
	if (ct)
		atomic_inc(&ct->use);
}

static void nf_conntrack_free_rcu(struct rcu_head *head)
{
	struct nf_conn *ct = container_of(head, struct nf_conn, rcu);

	/* Poisoned, so that a reader that should not be here any more is caught (poison.h). */
	poison_object(ct, sizeof(*ct));
	kmem_cache_free(&nf_conntrack_cachep, ct);
}

static void nf_ct_del_from_unconfirmed_list(struct nf_conn *ct)
{
	struct ct_pcpu *pcpu = per_cpu_ptr(&nf_ct_pcpu, ct->cpu);

	spin_lock_bh(&pcpu->lock);
	if (!hlist_nulls_unhashed(&ct->unconfirmed)) {
		hlist_nulls_del(&ct->unconfirmed);
		ct->unconfirmed.pprev = NULL;
	}
	spin_unlock_bh(&pcpu->lock);
}

/* Linux's nf_ct_destroy() and nf_conntrack_free(): the last reference is gone. */
static void nf_ct_destroy(struct nf_conn *ct)
{
	if (!nf_ct_is_confirmed(ct))
		nf_ct_del_from_unconfirmed_list(ct);
	/* Off NAT's bysource table before the grace period, as Linux's nf_conntrack_free(). */
	if (ct->status & IPS_SRC_NAT_DONE)
		nf_nat_cleanup_conntrack(ct);
	atomic_dec(&nf_conntrack_entries);
	if (nf_conntrack_skip_grace_period)
		nf_conntrack_free_rcu(&ct->rcu); /* the debug variant: readers may still be on it */
	else
		call_rcu(&ct->rcu, nf_conntrack_free_rcu);
}

void nf_ct_put(struct nf_conn *ct)
{
	if (ct && atomic_dec_and_test(&ct->use))
		nf_ct_destroy(ct);
}

void nf_conntrack_put(struct nf_conn *ct)
{
	nf_ct_put(ct);
}

/* --- Lookup ---------------------------------------------------------------------------------- */

/* A freed entry met by a lockless reader: only possible if the RCU rules were broken. */
static bool nf_ct_hash_poisoned(const struct nf_conntrack_tuple_hash *h)
{
	const u64 *key = (const u64 *)&h->tuple;

	if (ptr_poisoned(READ_ONCE(h->hnnode.next)) || word_poisoned(READ_ONCE(key[0])) ||
	    word_poisoned(READ_ONCE(key[1]))) {
		atomic_inc(&nf_conntrack_rcu_poisoned);
		return true;
	}
	return false;
}

static inline bool nf_ct_key_equal(const struct nf_conntrack_tuple_hash *h,
				   const struct nf_conntrack_tuple *tuple)
{
	return nf_ct_tuple_equal(tuple, &h->tuple) &&
	       nf_ct_is_confirmed(nf_ct_tuplehash_to_ctrack(h));
}

static bool nf_ct_should_gc(const struct nf_conn *ct)
{
	return nf_ct_is_expired(ct) && nf_ct_is_confirmed(ct) && !nf_ct_is_dying(ct);
}

/* Kills an entry a lookup found expired (Linux's nf_ct_gc_expired()). */
static void nf_ct_gc_expired(struct nf_conn *ct)
{
	if (!atomic_inc_not_zero(&ct->use))
		return;
	smp_rmb(); /* status after the reference */
	if (nf_ct_should_gc(ct))
		nf_ct_kill(ct);
	nf_ct_put(ct);
}

static struct nf_conntrack_tuple_hash *____nf_conntrack_find(const struct nf_conntrack_tuple *tuple,
							     u32 hash)
{
	struct nf_conntrack_tuple_hash *h;
	struct hlist_nulls_node *n;
	unsigned int bucket;

begin:
	bucket = scale_hash(hash);
	hlist_nulls_for_each_entry_rcu(h, n, &nf_conntrack_hash[bucket], hnnode)
	{
		struct nf_conn *ct;

		if (nf_ct_hash_poisoned(h))
			goto begin; /* the debug variant only: do not follow the poison */
		ct = nf_ct_tuplehash_to_ctrack(h);
		if (nf_ct_is_expired(ct)) {
			nf_ct_gc_expired(ct);
			continue;
		}
		if (nf_ct_key_equal(h, tuple))
			return h;
	}
	/* Ended on another chain's marker: an entry moved under us. */
	if (get_nulls_value(n) != bucket) {
		NF_CT_STAT_INC(search_restart);
		goto begin;
	}
	return NULL;
}

static struct nf_conntrack_tuple_hash *
__nf_conntrack_find_get(const struct nf_conntrack_tuple *tuple, u32 hash)
{
	struct nf_conntrack_tuple_hash *h;

	rcu_read_lock();
	h = ____nf_conntrack_find(tuple, hash);
	if (h) {
		struct nf_conn *ct = nf_ct_tuplehash_to_ctrack(h);

		if (atomic_inc_not_zero(&ct->use)) {
			smp_rmb();
			/* Freed and reused while we looked? Check the key again. */
			if (nf_ct_key_equal(h, tuple))
				goto found;
			nf_ct_put(ct);
		}
		h = NULL;
	}
found:
	rcu_read_unlock();
	return h;
}

struct nf_conntrack_tuple_hash *nf_conntrack_find_get(const struct nf_conntrack_tuple *tuple)
{
	return __nf_conntrack_find_get(tuple, hash_conntrack_raw(tuple));
}

/*
 * Linux's nf_conntrack_tuple_taken(): NAT asks whether a mapping would give
 * ignored_conntrack a tuple that a confirmed, live entry already has in either
 * direction. A lockless RCU walk of the tuple's bucket, restarted if it ends on
 * another chain's nulls marker (an entry moved under us).
 */
bool nf_conntrack_tuple_taken(const struct nf_conntrack_tuple *tuple,
			      const struct nf_conn *ignored_conntrack)
{
	struct nf_conntrack_tuple_hash *h;
	struct hlist_nulls_node *n;
	unsigned int hash;
	struct nf_conn *ct;

	rcu_read_lock();
begin:
	hash = hash_conntrack(tuple);
	hlist_nulls_for_each_entry_rcu(h, n, &nf_conntrack_hash[hash], hnnode)
	{
		if (nf_ct_hash_poisoned(h))
			goto begin; /* the debug variant only: do not follow the poison */
		ct = nf_ct_tuplehash_to_ctrack(h);
		if (ct == ignored_conntrack)
			continue;
		if (nf_ct_is_expired(ct)) {
			nf_ct_gc_expired(ct);
			continue;
		}
		if (nf_ct_key_equal(h, tuple)) {
			/*
			 * Taken, unless both entries have the same original tuple: the
			 * same flow set up twice at once (e.g. UDP from two threads), which
			 * nf_ct_resolve_clash() sorts out at confirmation.
			 */
			if (ignored_conntrack &&
			    nf_ct_tuple_equal(
				    &ignored_conntrack->tuplehash[IP_CT_DIR_ORIGINAL].tuple,
				    &ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple))
				continue;
			NF_CT_STAT_INC(found);
			rcu_read_unlock();
			return true;
		}
	}
	if (get_nulls_value(n) != hash) {
		NF_CT_STAT_INC(search_restart);
		goto begin;
	}
	rcu_read_unlock();
	return false;
}

/* --- Deletion -------------------------------------------------------------------------------- */

static void nf_ct_delete_from_lists(struct nf_conn *ct)
{
	unsigned int hash = hash_conntrack(&ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple);
	unsigned int reply_hash = hash_conntrack(&ct->tuplehash[IP_CT_DIR_REPLY].tuple);

	local_bh_disable();
	nf_conntrack_double_lock(hash, reply_hash);
	/* Killed before it was confirmed: nothing to unhash. */
	if (!hlist_nulls_unhashed(&ct->tuplehash[IP_CT_DIR_ORIGINAL].hnnode)) {
		hlist_nulls_del_rcu(&ct->tuplehash[IP_CT_DIR_ORIGINAL].hnnode);
		hlist_nulls_del_rcu(&ct->tuplehash[IP_CT_DIR_REPLY].hnnode);
	}
	nf_conntrack_double_unlock(hash, reply_hash);
	local_bh_enable();
}

bool nf_ct_delete(struct nf_conn *ct, u32 portid, int report)
{
	(void)portid;
	(void)report;
	if (test_and_set_bit(IPS_DYING_BIT, &ct->status))
		return false;
	nf_conntrack_event_report(IPCT_DESTROY, ct);
	nf_ct_delete_from_lists(ct);
	nf_ct_put(ct);
	return true;
}

bool nf_ct_kill(struct nf_conn *ct)
{
	return nf_ct_delete(ct, 0, 0);
}

/* --- New entries ----------------------------------------------------------------------------- */

/* Kills the entries of a bucket that are not ASSURED (Linux's early_drop_list()). */
static unsigned int early_drop_list(struct hlist_nulls_head *head)
{
	struct nf_conntrack_tuple_hash *h;
	struct hlist_nulls_node *n;
	unsigned int drops = 0;

	hlist_nulls_for_each_entry_rcu(h, n, head, hnnode)
	{
		struct nf_conn *tmp;

		if (nf_ct_hash_poisoned(h))
			break;
		tmp = nf_ct_tuplehash_to_ctrack(h);
		if (nf_ct_is_expired(tmp)) {
			nf_ct_gc_expired(tmp);
			continue;
		}
		if (test_bit(IPS_ASSURED_BIT, &tmp->status) || nf_ct_is_dying(tmp))
			continue;
		if (!atomic_inc_not_zero(&tmp->use))
			continue;
		smp_rmb();
		if (nf_ct_is_confirmed(tmp) && nf_ct_delete(tmp, 0, 0))
			drops++;
		nf_ct_put(tmp);
	}
	return drops;
}

/* Makes room in a full table: the bucket of hash and the next ones (Linux's early_drop()). */
static bool early_drop(u32 hash)
{
	unsigned int i, bucket = 0;

	for (i = 0; i < NF_CT_EVICTION_RANGE; i++) {
		unsigned int drops;

		bucket = i ? (bucket + 1) % nf_conntrack_htable_size : scale_hash(hash);
		rcu_read_lock();
		drops = early_drop_list(&nf_conntrack_hash[bucket]);
		rcu_read_unlock();
		if (drops) {
			for (; drops; drops--)
				NF_CT_STAT_INC(early_drop);
			return true;
		}
	}
	return false;
}

/* Linux's __nf_conntrack_alloc(): NULL when the table is full and nothing could be dropped. */
static struct nf_conn *__nf_conntrack_alloc(const struct nf_conntrack_tuple *orig,
					    const struct nf_conntrack_tuple *repl, u32 hash)
{
	unsigned int count = atomic_inc_return(&nf_conntrack_entries);
	struct nf_conn *ct;

	if (unlikely(count > nf_conntrack_max) && !early_drop(hash)) {
		static unsigned long last_warning;

		atomic_dec(&nf_conntrack_entries);
		/* Rate-limited, as Linux's net_warn_ratelimited(): at most one a second. */
		if (!last_warning || time_after(jiffies, last_warning + HZ)) {
			last_warning = jiffies;
			printk(MACHINE_DEPENDENT "nf_conntrack: table full, dropping packet\n");
		}
		return NULL;
	}
	ct = kmem_cache_alloc(&nf_conntrack_cachep);
	if (!ct) {
		atomic_dec(&nf_conntrack_entries);
		return NULL;
	}
	memset(ct, 0, sizeof(*ct));
	spin_lock_init(&ct->lock);
	ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple = *orig;
	ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple.dst.dir = IP_CT_DIR_ORIGINAL;
	ct->tuplehash[IP_CT_DIR_REPLY].tuple = *repl;
	ct->tuplehash[IP_CT_DIR_REPLY].tuple.dst.dir = IP_CT_DIR_REPLY;
	/* No reference until it is set up: lockless readers that find it stale skip it. */
	atomic_set(&ct->use, 0);
	return ct;
}

static struct nf_conntrack_tuple_hash *init_conntrack(const struct nf_conntrack_tuple *tuple,
						      u32 hash, bool *full)
{
	struct nf_conntrack_tuple repl_tuple;
	struct ct_pcpu *pcpu;
	struct nf_conn *ct;

	if (!nf_ct_invert_tuple(&repl_tuple, tuple))
		return NULL;
	ct = __nf_conntrack_alloc(tuple, &repl_tuple, hash);
	if (!ct) {
		*full = true;
		return NULL;
	}
	local_bh_disable();
	ct->cpu = smp_processor_id();
	/* The zeroed status is visible before the reference that makes the entry usable. */
	smp_wmb();
	atomic_set(&ct->use, 1);
	pcpu = this_cpu_ptr(&nf_ct_pcpu);
	spin_lock(&pcpu->lock);
	hlist_nulls_add_head(&ct->unconfirmed, &pcpu->unconfirmed);
	spin_unlock(&pcpu->lock);
	local_bh_enable();
	return &ct->tuplehash[IP_CT_DIR_ORIGINAL];
}

/* 0 with skb->_nfct set (or not: INVALID), or -1 when the table is full. */
static int resolve_normal_ct(struct sk_buff *skb, unsigned int dataoff, u8 protonum)
{
	struct nf_conntrack_tuple tuple;
	struct nf_conntrack_tuple_hash *h;
	enum ip_conntrack_info ctinfo;
	struct nf_conn *ct;
	bool full = false;
	u32 hash;

	if (!nf_ct_get_tuple(skb, skb_network_offset(skb), dataoff, protonum, &tuple))
		return 0;
	hash = hash_conntrack_raw(&tuple);
	h = __nf_conntrack_find_get(&tuple, hash);
	if (!h) {
		h = init_conntrack(&tuple, hash, &full);
		if (!h)
			return full ? -1 : 0;
	}
	ct = nf_ct_tuplehash_to_ctrack(h);
	if (h->tuple.dst.dir == IP_CT_DIR_REPLY) {
		ctinfo = IP_CT_ESTABLISHED_REPLY;
	} else {
		unsigned long status = READ_ONCE(ct->status);

		if (status & IPS_SEEN_REPLY)
			ctinfo = IP_CT_ESTABLISHED;
		else if (status & IPS_EXPECTED)
			ctinfo = IP_CT_RELATED;
		else
			ctinfo = IP_CT_NEW;
	}
	nf_ct_set(skb, ct, ctinfo);
	return 0;
}

static int nf_conntrack_handle_icmp(struct sk_buff *skb, unsigned int dataoff,
				    const struct nf_hook_state *state)
{
	int ret = nf_conntrack_icmpv4_error(NULL, skb, dataoff, state);

	if (ret <= 0)
		NF_CT_STAT_INC(error);
	return ret;
}

unsigned int nf_conntrack_in(struct sk_buff *skb, const struct nf_hook_state *state)
{
	enum ip_conntrack_info ctinfo;
	struct nf_conn *ct;
	u8 protonum;
	int dataoff, ret;

	ct = nf_ct_get(skb, &ctinfo);
	if (ct || ctinfo == IP_CT_UNTRACKED) {
		/* Seen before (looped back) or untracked: leave it alone. Templates do not exist
		 * here. */
		if ((ct && !(READ_ONCE(ct->status) & IPS_TEMPLATE)) || ctinfo == IP_CT_UNTRACKED)
			return NF_ACCEPT;
		nf_ct_put(ct);
		skb->_nfct = 0;
	}

	dataoff = nf_ct_ipv4_get_l4proto(skb, skb_network_offset(skb), &protonum);
	if (dataoff <= 0) {
		NF_CT_STAT_INC(invalid);
		return NF_ACCEPT;
	}

	if (protonum == IPPROTO_ICMP) {
		ret = nf_conntrack_handle_icmp(skb, dataoff, state);
		if (ret <= 0)
			return -ret;
		/* An ICMP error took the entry it is about. */
		if (skb->_nfct)
			return ret;
	}
repeat:
	if (resolve_normal_ct(skb, dataoff, protonum) < 0) {
		/* Too stressed to deal. */
		NF_CT_STAT_INC(drop);
		return NF_DROP;
	}
	ct = nf_ct_get(skb, &ctinfo);
	if (!ct) {
		/* Not a valid part of a connection. */
		NF_CT_STAT_INC(invalid);
		return NF_ACCEPT;
	}

	ret = nf_conntrack_handle_packet(ct, skb, dataoff, ctinfo, state);
	if (ret <= 0) {
		/* Invalid: the inverse of the return code is the verdict. */
		nf_ct_put(ct);
		skb->_nfct = 0;
		/* TCP reopened a closed connection: the old entry is dead, make a new one. */
		if (ret == -NF_REPEAT)
			goto repeat;
		NF_CT_STAT_INC(invalid);
		if (ret == NF_DROP)
			NF_CT_STAT_INC(drop);
		return -ret;
	}

	if (ctinfo == IP_CT_ESTABLISHED_REPLY && !test_and_set_bit(IPS_SEEN_REPLY_BIT, &ct->status))
		nf_conntrack_event_cache(IPCT_REPLY, ct);
	return ret;
}

/* --- Confirmation ---------------------------------------------------------------------------- */

static void __nf_conntrack_hash_insert(struct nf_conn *ct, unsigned int hash,
				       unsigned int reply_hash)
{
	hlist_nulls_add_head_rcu(&ct->tuplehash[IP_CT_DIR_ORIGINAL].hnnode,
				 &nf_conntrack_hash[hash]);
	hlist_nulls_add_head_rcu(&ct->tuplehash[IP_CT_DIR_REPLY].hnnode,
				 &nf_conntrack_hash[reply_hash]);
}

/* UDP and ICMP may let a loser of the insertion race take the winner's entry. */
static bool nf_ct_allow_clash(const struct nf_conn *ct)
{
	return nf_ct_protonum(ct) == IPPROTO_UDP || nf_ct_protonum(ct) == IPPROTO_ICMP;
}

/* The skb's entry lost the race against an equal one (Linux's nf_ct_resolve_clash()). */
static int nf_ct_resolve_clash(struct sk_buff *skb, struct nf_conntrack_tuple_hash *h)
{
	struct nf_conn *loser, *winner = nf_ct_tuplehash_to_ctrack(h);
	enum ip_conntrack_info ctinfo;

	loser = nf_ct_get(skb, &ctinfo);
	if (nf_ct_allow_clash(loser) && h->tuple.dst.dir == IP_CT_DIR_ORIGINAL &&
	    nf_ct_tuple_equal(&loser->tuplehash[IP_CT_DIR_REPLY].tuple,
			      &winner->tuplehash[IP_CT_DIR_REPLY].tuple) &&
	    !nf_ct_is_dying(winner) && atomic_inc_not_zero(&winner->use)) {
		nf_ct_put(loser);
		nf_ct_set(skb, winner, ctinfo);
		NF_CT_STAT_INC(clash_resolve);
		return NF_ACCEPT;
	}
	NF_CT_STAT_INC(drop);
	NF_CT_STAT_INC(insert_failed);
	return NF_DROP;
}

int __nf_conntrack_confirm(struct sk_buff *skb)
{
	struct nf_conntrack_tuple_hash *h;
	unsigned int hash, reply_hash, chainlen;
	enum ip_conntrack_info ctinfo;
	struct hlist_nulls_node *n;
	struct nf_conn *ct;
	int ret = NF_DROP;

	ct = nf_ct_get(skb, &ctinfo);
	/* Only the packet that created the entry (original direction) confirms it. */
	if (CTINFO2DIR(ctinfo) != IP_CT_DIR_ORIGINAL)
		return NF_ACCEPT;

	hash = hash_conntrack(&ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple);
	reply_hash = hash_conntrack(&ct->tuplehash[IP_CT_DIR_REPLY].tuple);
	local_bh_disable();
	nf_conntrack_double_lock(hash, reply_hash);

	if (unlikely(nf_ct_is_confirmed(ct))) {
		/* A clone of the packet confirmed it first. */
		nf_conntrack_double_unlock(hash, reply_hash);
		local_bh_enable();
		return NF_DROP;
	}

	nf_ct_del_from_unconfirmed_list(ct);
	/* Confirmed before the DYING check, as Linux: a concurrent kill sees one or the other. */
	set_bit(IPS_CONFIRMED_BIT, &ct->status);
	if (unlikely(nf_ct_is_dying(ct))) {
		NF_CT_STAT_INC(insert_failed);
		goto dying;
	}

	/* Lost a race with another CPU inserting the same connection? */
	chainlen = 0;
	hlist_nulls_for_each_entry(h, n, &nf_conntrack_hash[hash], hnnode)
	{
		if (nf_ct_key_equal(h, &ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple))
			goto out;
		if (chainlen++ > NF_CT_MAX_CHAINLEN)
			goto chaintoolong;
	}
	chainlen = 0;
	hlist_nulls_for_each_entry(h, n, &nf_conntrack_hash[reply_hash], hnnode)
	{
		if (nf_ct_key_equal(h, &ct->tuplehash[IP_CT_DIR_REPLY].tuple))
			goto out;
		if (chainlen++ > NF_CT_MAX_CHAINLEN)
			goto chaintoolong;
	}

	/* The timeout runs from confirmation, not from the first packet. */
	ct->timeout += nfct_time_stamp();
	/* The table's reference. */
	atomic_inc(&ct->use);
	__nf_conntrack_hash_insert(ct, hash, reply_hash);
	nf_conntrack_double_unlock(hash, reply_hash);
	local_bh_enable();
	nf_conntrack_event_cache(IPCT_NEW, ct);
	return NF_ACCEPT;

chaintoolong:
	NF_CT_STAT_INC(chaintoolong);
	NF_CT_STAT_INC(insert_failed);
	ret = NF_DROP;
	goto dying;
out:
	ret = nf_ct_resolve_clash(skb, h);
dying:
	nf_conntrack_double_unlock(hash, reply_hash);
	local_bh_enable();
	return ret;
}

int nf_conntrack_confirm(struct sk_buff *skb)
{
	struct nf_conn *ct = skb_nfct(skb);
	int ret = NF_ACCEPT;

	if (!ct)
		return NF_ACCEPT;
	if (!nf_ct_is_confirmed(ct)) {
		ret = __nf_conntrack_confirm(skb);
		if (ret == NF_ACCEPT)
			ct = skb_nfct(skb);
	}
	if (ret == NF_ACCEPT && !nf_ct_is_dying(ct))
		nf_ct_deliver_cached_events(ct);
	return ret;
}

/* --- Garbage collection ---------------------------------------------------------------------- */

static struct timer_list gc_timer;
static unsigned int gc_next_bucket;

/* Deletes the expired entries of buckets [start, start + nr); how many. */
static unsigned int gc_scan(unsigned int start, unsigned int nr)
{
	unsigned int i, expired = 0;

	for (i = start; i < start + nr && i < nf_conntrack_htable_size; i++) {
		struct nf_conntrack_tuple_hash *h;
		struct hlist_nulls_node *n;

		rcu_read_lock();
		hlist_nulls_for_each_entry_rcu(h, n, &nf_conntrack_hash[i], hnnode)
		{
			struct nf_conn *ct;

			if (nf_ct_hash_poisoned(h))
				break;
			ct = nf_ct_tuplehash_to_ctrack(h);
			if (nf_ct_is_expired(ct)) {
				nf_ct_gc_expired(ct);
				expired++;
			}
		}
		rcu_read_unlock();
	}
	return expired;
}

/* Linux's gc_worker(), incremental: a slice of the buckets per timer run, then a pause. */
static void gc_worker(struct timer_list *t)
{
	unsigned long next = jiffies + 1;

	(void)t;
	gc_scan(gc_next_bucket, GC_SCAN_BUCKETS);
	gc_next_bucket += GC_SCAN_BUCKETS;
	if (gc_next_bucket >= nf_conntrack_htable_size) {
		gc_next_bucket = 0;
		next = jiffies + GC_SCAN_INTERVAL;
	}
	mod_timer(&gc_timer, next);
}

void nf_conntrack_gc_wake(void)
{
	gc_next_bucket = 0;
	mod_timer(&gc_timer, jiffies + 1);
}

unsigned int nf_conntrack_bucket_of(const struct nf_conntrack_tuple *tuple)
{
	return hash_conntrack(tuple);
}

unsigned int nf_conntrack_gc_kick(void)
{
	unsigned int deleted;

	local_bh_disable();
	deleted = gc_scan(0, nf_conntrack_htable_size);
	local_bh_enable();
	return deleted;
}

/* --- Statistics ------------------------------------------------------------------------------ */

unsigned int nf_conntrack_count(void)
{
	return atomic_read(&nf_conntrack_entries);
}

void nf_conntrack_stat_sum(struct ip_conntrack_stat *sum)
{
	unsigned int cpu, i;

	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu)
	{
		const unsigned int *st = (const unsigned int *)per_cpu_ptr(&nf_ct_stat, cpu);

		for (i = 0; i < sizeof(*sum) / sizeof(unsigned int); i++)
			((unsigned int *)sum)[i] += READ_ONCE(st[i]);
	}
}

/* /proc/net/stat/nf_conntrack as Linux 6.18 prints it: one line per CPU, in hex. */
void nf_conntrack_show_stat(void)
{
	unsigned int cpu, entries = nf_conntrack_count();

	printk(MACHINE_DEPENDENT "/proc/net/stat/nf_conntrack:\n");
	printk(MACHINE_DEPENDENT
	       "entries  clashres found new invalid ignore delete chainlength insert insert_failed "
	       "drop early_drop icmp_error  expect_new expect_create expect_delete "
	       "search_restart\n");
	for_each_online_cpu(cpu)
	{
		const struct ip_conntrack_stat *st = per_cpu_ptr(&nf_ct_stat, cpu);

		printk(MACHINE_DEPENDENT "%08x  %08x %08x %08x %08x %08x %08x %08x %08x %08x %08x "
					 "%08x %08x  %08x %08x %08x %08x\n",
		       entries, st->clash_resolve, st->found, 0, st->invalid, 0, 0,
		       st->chaintoolong, st->insert, st->insert_failed, st->drop, st->early_drop,
		       st->error, st->expect_new, st->expect_create, st->expect_delete,
		       st->search_restart);
	}
}

/* --- Init ------------------------------------------------------------------------------------ */

/* Linux's default table size for this much RAM (nf_conntrack_init_start()). */
static unsigned int nf_conntrack_default_buckets(void)
{
	unsigned long long ram = 0;
	unsigned int i, size;

	for (i = 0; i < e820_table.nr_entries; i++)
		if (e820_table.entries[i].type == E820_TYPE_RAM)
			ram += e820_table.entries[i].size;
	if (ram > 4ULL << 30)
		return 262144;
	if (ram > 1ULL << 30)
		return 65536;
	size = ram / 16384 / sizeof(struct hlist_nulls_head);
	return size < 1024 ? 1024 : size;
}

static int nf_conntrack_init_result = 1; /* 1: not run yet */

int nf_conntrack_core_init(void)
{
	unsigned long bytes;
	unsigned int i, cpu;

	if (!nf_conntrack_htable_size) {
		nf_conntrack_htable_size = nf_conntrack_default_buckets();
		/* One entry per bucket by default (max_factor 1): two hash nodes per bucket. */
		if (!nf_conntrack_max)
			nf_conntrack_max = nf_conntrack_htable_size;
	} else if (!nf_conntrack_max) {
		nf_conntrack_max = 8 * nf_conntrack_htable_size;
	}
	bytes = (unsigned long)nf_conntrack_htable_size * sizeof(struct hlist_nulls_head);
	nf_conntrack_hash = alloc_pages_contig(PFN_UP(bytes));
	if (!nf_conntrack_hash) {
		printk("nf_conntrack: no memory for %u buckets\n", nf_conntrack_htable_size);
		return -1;
	}
	for (i = 0; i < nf_conntrack_htable_size; i++)
		INIT_HLIST_NULLS_HEAD(&nf_conntrack_hash[i], i);
	for (i = 0; i < CONNTRACK_LOCKS; i++)
		spin_lock_init(&nf_conntrack_locks[i]);
	for_each_possible_cpu(cpu)
	{
		struct ct_pcpu *pcpu = per_cpu_ptr(&nf_ct_pcpu, cpu);

		spin_lock_init(&pcpu->lock);
		INIT_HLIST_NULLS_HEAD(&pcpu->unconfirmed, cpu);
	}
	/*
	 * Freed entries wait out a grace period before they are back in the
	 * cache (Linux reuses them at once: SLAB_TYPESAFE_BY_RCU), hence the slack.
	 */
	if (kmem_cache_grow(&nf_conntrack_cachep, nf_conntrack_max + nf_conntrack_max / 4 + 64) <
	    nf_conntrack_max) {
		printk("nf_conntrack: no memory for %u entries\n", nf_conntrack_max);
		return -1;
	}
	printk(MACHINE_DEPENDENT "nf_conntrack: %u buckets, %u max, %u-byte entries\n",
	       nf_conntrack_htable_size, nf_conntrack_max, (unsigned int)NF_CONN_OBJ_SIZE);
	timer_setup(&gc_timer, gc_worker, 0);
	mod_timer(&gc_timer, jiffies + GC_SCAN_INTERVAL);
	return 0;
}

int nf_conntrack_init(void)
{
	if (nf_conntrack_init_result != 1)
		return nf_conntrack_init_result;
	nf_conntrack_init_result = -1;
	if (!nf_conntrack_enabled)
		return -1;
	if (nf_conntrack_core_init() || nf_conntrack_proto_init())
		return -1;
	nf_conntrack_init_result = 0;
	return 0;
}

bool nf_conntrack_initialized(void)
{
	return nf_conntrack_init_result == 0;
}
