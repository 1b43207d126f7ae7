/*
 * IPv4 reassembly, after Linux 6.18's net/ipv4/ip_fragment.c and the queue
 * management of net/ipv4/inet_fragment.c (see include/inet_frag.h for the
 * queues, their references and the memory limit).
 *
 * Differences from Linux: the queues come from a pool that ipfrag_init()
 * fills from the page allocator (which cannot be called from softirqs),
 * sized for ipfrag_high_thresh of one-fragment queues; fragments sit on a
 * sorted list rather than an rb-tree (same runs, same duplicate and overlap
 * rules); there is no inet_peer, so ipfrag_max_dist is not enforced; the
 * fragments are never coalesced into the head (there are no paged
 * fragments): the head carries them on its frag_list.
 */

#include "errno.h"
#include "inet_frag.h"
#include "ip.h"
#include "kernel.h"
#include "mm.h"
#include "snmp.h"
#include "string.h"

struct ipq {
	struct inet_frag_queue q;
	u8 ecn;		  /* IPFRAG_ECN_* of the fragments seen (RFC 3168) */
	u16 max_df_size;  /* largest fragment with DF */
	struct ipq *next; /* on the free pool */
};

struct fqdir ip4_fqdir = {
	.high_thresh = 4 * 1024 * 1024,
	.low_thresh = 3 * 1024 * 1024,
	.timeout = IP_FRAG_TIME,
};

#define IPQ_HASH_BITS 8
#define IPQ_HASH_SIZE (1U << IPQ_HASH_BITS)

struct ipq_bucket {
	spinlock_t lock;
	struct hlist_head chain;
};

static struct ipq_bucket ipq_hash[IPQ_HASH_SIZE];

/*
 * The pool: enough queues for high_thresh worth of queues holding one
 * fragment each, plus one being created per CPU. A lookup that finds the pool
 * empty fails as Linux's does when kmem_cache_zalloc() fails.
 */
#define IPQ_POOL_SIZE (4 * 1024 * 1024 / (SKB_TRUESIZE + sizeof(struct ipq)) + 2 * NR_CPUS)

static DEFINE_SPINLOCK(ipq_pool_lock);
static struct ipq *ipq_pool;
static unsigned int ipq_pool_free, ipq_pool_total;

void ipfrag_init(void)
{
	unsigned int per_page = PAGE_SIZE / sizeof(struct ipq), i;

	if (ipq_pool_total)
		return;
	for (i = 0; i < IPQ_HASH_SIZE; i++)
		spin_lock_init(&ipq_hash[i].lock);
	while (ipq_pool_total < IPQ_POOL_SIZE) {
		struct ipq *page = alloc_page();

		if (!page) {
			printk(MACHINE_DEPENDENT "IPv4: fragment queues: out of pages after %u\n",
			       ipq_pool_total);
			break;
		}
		spin_lock_bh(&ipq_pool_lock);
		for (i = 0; i < per_page; i++) {
			page[i].next = ipq_pool;
			ipq_pool = &page[i];
		}
		ipq_pool_free += per_page;
		ipq_pool_total += per_page;
		spin_unlock_bh(&ipq_pool_lock);
	}
	/*
	 * The fragments a full ipfrag_high_thresh holds are receive buffers the
	 * driver has replaced with new ones: room for them, so a fragment flood
	 * meets the reassembly limit (ReasmFails) before the buffer pool runs dry,
	 * as on a Linux machine with memory to spare.
	 */
	skb_pool_grow(ip4_fqdir.high_thresh / SKB_TRUESIZE, ip4_fqdir.high_thresh / SKB_TRUESIZE);
}

unsigned int inet_frag_queues_in_use(void)
{
	return ipq_pool_total - READ_ONCE(ipq_pool_free);
}

static struct ipq *ipq_alloc(void)
{
	struct ipq *qp;

	spin_lock_bh(&ipq_pool_lock);
	qp = ipq_pool;
	if (qp) {
		ipq_pool = qp->next;
		ipq_pool_free--;
	}
	spin_unlock_bh(&ipq_pool_lock);
	return qp;
}

/* The last put of a queue may come from process context (the self-tests): _bh. */
static void ipq_free(struct ipq *qp)
{
	spin_lock_bh(&ipq_pool_lock);
	qp->next = ipq_pool;
	ipq_pool = qp;
	ipq_pool_free++;
	spin_unlock_bh(&ipq_pool_lock);
}

static inline void add_frag_mem_limit(struct fqdir *fqdir, long val)
{
	atomic64_add(val, &fqdir->mem);
}

static inline void sub_frag_mem_limit(struct fqdir *fqdir, long val)
{
	atomic64_sub(val, &fqdir->mem);
}

/* A fixed mix of the key's words (Linux: jhash2 with a random seed; fixed here for repeatable
 * runs). */
static struct ipq_bucket *ipq_bucket_of(const struct frag_v4_compare_key *key)
{
	u32 h = key->saddr * 0x9e3779b1U;

	h = (h ^ key->daddr) * 0x85ebca6bU;
	h = (h ^ key->user) * 0xc2b2ae35U;
	h = (h ^ ((u32)key->id << 8 | key->protocol)) * 0x9e3779b1U;
	return &ipq_hash[h >> (32 - IPQ_HASH_BITS)];
}

/* --- Queues (inet_fragment.c) ----------------------------------------------------------------- */

/* Frees a queue's fragments: drops if it timed out, consumed otherwise (inet_frag_destroy()). */
static void inet_frag_destroy(struct inet_frag_queue *q)
{
	struct ipq *qp = container_of(q, struct ipq, q);
	struct sk_buff *skb = q->fragments;
	long sum = sizeof(struct ipq);

	while (skb) {
		struct sk_buff *next = skb->next;

		sum += SKB_TRUESIZE;
		if (q->flags & INET_FRAG_DROP)
			kfree_skb_reason(skb, SKB_DROP_REASON_FRAG_REASM_TIMEOUT);
		else
			consume_skb(skb);
		skb = next;
	}
	sub_frag_mem_limit(&ip4_fqdir, sum);
	ipq_free(qp);
}

static void inet_frag_putn(struct inet_frag_queue *q, int refs)
{
	if (refs && atomic_sub_and_test(refs, &q->refcnt))
		inet_frag_destroy(q);
}

void inet_frag_put(struct inet_frag_queue *q)
{
	inet_frag_putn(q, 1);
}

/*
 * Takes q out of the table and stops its timer, with q->lock held; *refs
 * counts the references that dropped (the caller puts them after unlocking).
 */
static void inet_frag_kill(struct inet_frag_queue *q, int *refs)
{
	if (del_timer(&q->timer))
		(*refs)++;
	if (!(q->flags & INET_FRAG_COMPLETE)) {
		struct ipq_bucket *b = ipq_bucket_of(&q->key);

		q->flags |= INET_FRAG_COMPLETE;
		spin_lock(&b->lock);
		hlist_del_init(&q->node);
		spin_unlock(&b->lock);
		(*refs)++;
	}
}

static struct inet_frag_queue *inet_frag_lookup_locked(struct ipq_bucket *b,
						       const struct frag_v4_compare_key *key)
{
	struct inet_frag_queue *q;

	hlist_for_each_entry(q, &b->chain, node)
	{
		if (!memcmp(&q->key, key, sizeof(*key))) {
			atomic_inc(&q->refcnt);
			return q;
		}
	}
	return NULL;
}

struct inet_frag_queue *inet_frag_lookup(const struct frag_v4_compare_key *key)
{
	struct ipq_bucket *b = ipq_bucket_of(key);
	struct inet_frag_queue *q;

	spin_lock_bh(&b->lock);
	q = inet_frag_lookup_locked(b, key);
	spin_unlock_bh(&b->lock);
	return q;
}

static void ip_expire(struct timer_list *t);

/*
 * Linux's inet_frag_find(): the queue of key with a reference for the
 * caller, created if there is none; NULL above high_thresh or when no queue
 * is left. A new queue has three references: the table's, the timer's and
 * the caller's.
 */
static struct inet_frag_queue *inet_frag_find(struct fqdir *fqdir,
					      const struct frag_v4_compare_key *key)
{
	long high_thresh = READ_ONCE(fqdir->high_thresh);
	struct ipq_bucket *b = ipq_bucket_of(key);
	struct inet_frag_queue *q;
	struct ipq *qp;

	if (!high_thresh || frag_mem_limit(fqdir) > high_thresh)
		return NULL;
	spin_lock(&b->lock);
	q = inet_frag_lookup_locked(b, key);
	if (q)
		goto out;
	qp = ipq_alloc();
	if (!qp)
		goto out;
	memset(qp, 0, sizeof(*qp));
	q = &qp->q;
	q->key = *key;
	spin_lock_init(&q->lock);
	atomic_set(&q->refcnt, 3);
	add_frag_mem_limit(fqdir, sizeof(struct ipq));
	timer_setup(&q->timer, ip_expire, 0);
	mod_timer(&q->timer, jiffies + fqdir->timeout);
	hlist_add_head(&q->node, &b->chain);
out:
	spin_unlock(&b->lock);
	return q;
}

enum { IPFRAG_OK, IPFRAG_DUP, IPFRAG_OVERLAP };

/*
 * Linux's inet_frag_queue_insert(): skb (payload [offset, end)) into the
 * sorted list. The common case, past the last fragment, is checked against
 * that one only; anything else is looked up among the runs: inside one it is
 * a duplicate, across a run's edge an overlap.
 */
static int inet_frag_queue_insert(struct inet_frag_queue *q, struct sk_buff *skb, int offset,
				  int end)
{
	struct sk_buff *last = q->fragments_tail, *prev = NULL, *p;

	FRAG_CB(skb)->offset = offset;
	FRAG_CB(skb)->run_len = skb->len;
	skb->next = NULL;
	if (!last) {
		q->fragments = q->fragments_tail = q->last_run_head = skb;
		return IPFRAG_OK;
	}
	if ((int)(FRAG_CB(last)->offset + last->len) < end) {
		int last_end = FRAG_CB(last)->offset + last->len;

		if (offset < last_end)
			return IPFRAG_OVERLAP;
		if (offset == last_end) {
			FRAG_CB(q->last_run_head)->run_len += skb->len;
			FRAG_CB(skb)->run_len = 0;
		} else {
			q->last_run_head = skb;
		}
		last->next = skb;
		q->fragments_tail = skb;
		return IPFRAG_OK;
	}
	/* It ends before the last one does: it goes in front of some fragment. */
	for (p = q->fragments; p; prev = p, p = p->next) {
		int run_start = FRAG_CB(p)->offset, run_end;

		if (!FRAG_CB(p)->run_len)
			continue; /* inside a run already passed */
		run_end = run_start + FRAG_CB(p)->run_len;
		if (end <= run_start)
			break;
		if (offset >= run_end)
			continue;
		if (offset >= run_start && end <= run_end)
			return IPFRAG_DUP;
		return IPFRAG_OVERLAP;
	}
	skb->next = p;
	if (prev)
		prev->next = skb;
	else
		q->fragments = skb;
	return IPFRAG_OK;
}

/* --- IPv4 (ip_fragment.c) ----------------------------------------------------------------------
 */

/* RFC 3168 ECN codepoints of the fragments, one bit each, and what the datagram gets. */
#define IPFRAG_ECN_NOT_ECT 0x01
#define IPFRAG_ECN_ECT_1 0x02
#define IPFRAG_ECN_ECT_0 0x04
#define IPFRAG_ECN_CE 0x08
#define INET_ECN_MASK 3
#define INET_ECN_CE 3

static u8 ip4_frag_ecn(u8 tos)
{
	return 1 << (tos & INET_ECN_MASK);
}

/* CE if some fragment had CE and the others were ECN-capable; 0xff: Not-ECT mixed with ECT/CE. */
static u8 ip_frag_ecn(u8 seen)
{
	if ((seen & IPFRAG_ECN_NOT_ECT) && (seen & ~IPFRAG_ECN_NOT_ECT))
		return 0xff;
	if ((seen & IPFRAG_ECN_CE) && (seen & (IPFRAG_ECN_ECT_0 | IPFRAG_ECN_ECT_1)))
		return INET_ECN_CE;
	return 0;
}

/*
 * Oops, a queue timed out (Linux's ip_expire()): killed, ReasmFails and
 * ReasmTimeout. Linux then sends ICMP time exceeded (fragment reassembly
 * time exceeded) about the first fragment, if it arrived, unless the queue
 * was conntrack's for a datagram not to this host; there is no icmp_send()
 * here yet, so nothing is sent. The fragments are dropped as
 * FRAG_REASM_TIMEOUT.
 */
static void ip_expire(struct timer_list *t)
{
	struct inet_frag_queue *q = from_timer(q, t, timer);
	int refs = 1; /* the timer's */

	spin_lock(&q->lock);
	if (!(q->flags & INET_FRAG_COMPLETE)) {
		q->flags |= INET_FRAG_DROP;
		inet_frag_kill(q, &refs);
		__IP_INC_STATS(IPSTATS_MIB_REASMFAILS);
		__IP_INC_STATS(IPSTATS_MIB_REASMTIMEOUT);
	}
	spin_unlock(&q->lock);
	inet_frag_putn(q, refs);
}

/*
 * Swaps two skb heads' contents but not their ->next links (Linux morphs the
 * arriving skb into the head instead): the caller's pointer then holds the
 * first fragment.
 */
static void skb_swap_contents(struct sk_buff *a, struct sk_buff *b)
{
	struct sk_buff *a_next = a->next, *b_next = b->next, tmp = *a;

	*a = *b;
	a->next = a_next;
	*b = tmp;
	b->next = b_next;
}

/* Linux's ip_frag_reasm(): every fragment is in; skb (the last to arrive) becomes the datagram. */
static int ip_frag_reasm(struct ipq *qp, struct sk_buff *skb, struct net_device *dev, int *refs)
{
	struct inet_frag_queue *q = &qp->q;
	struct sk_buff *first = q->fragments, *fp, *next, **nextp;
	struct iphdr *iph;
	unsigned int len, nr;
	u8 ecn;

	inet_frag_kill(q, refs);
	ecn = ip_frag_ecn(qp->ecn);
	if (unlikely(ecn == 0xff))
		goto out_fail;
	/* The first fragment's header (still in its buffer, before data) counts. */
	len = ((const struct iphdr *)skb_network_header(first))->ihl_version & 0xf;
	len = len * 4 + q->len;
	if (len > 65535)
		goto out_fail; /* Linux logs "Oversized IP packet from ..." (rate-limited) */

	/* The caller's skb becomes the head; the first fragment's head takes its place. */
	if (first != skb)
		skb_swap_contents(first, skb);
	nextp = &skb_shinfo(skb)->frag_list;
	skb->data_len = 0;
	nr = 1;
	for (fp = first->next; fp; fp = next) {
		struct sk_buff *piece = fp == skb ? first : fp;

		next = fp->next;
		if (piece->ip_summed != skb->ip_summed)
			skb->ip_summed = CHECKSUM_NONE;
		skb->data_len += piece->len;
		*nextp = piece;
		nextp = &piece->next;
		nr++;
	}
	*nextp = NULL;
	skb->next = NULL;
	/* The fragments leave the queue's accounting (inet_frag_reasm_finish()). */
	sub_frag_mem_limit(&ip4_fqdir, (long)SKB_TRUESIZE * nr);
	__skb_push(skb, skb->data - skb_network_header(skb));
	skb->len += skb->data_len;
	q->fragments = q->fragments_tail = q->last_run_head = NULL;

	skb->dev = dev;
	skb->frag_max_size = max(qp->max_df_size, q->max_size);
	iph = (struct iphdr *)skb_network_header(skb);
	iph->tot_len = htons(len);
	iph->tos |= ecn;
	/*
	 * DF only if the largest fragment had it: refragmenting then keeps DF
	 * (ip_fragment() refuses to cut such a datagram beyond frag_max_size).
	 */
	if (qp->max_df_size == q->max_size) {
		skb->frag_pmtu = 1;
		iph->frag_off = htons(IP_DF);
	} else {
		skb->frag_pmtu = 0;
		iph->frag_off = 0;
	}
	ip_send_check(iph);
	__IP_INC_STATS(IPSTATS_MIB_REASMOKS);
	return 0;

out_fail:
	__IP_INC_STATS(IPSTATS_MIB_REASMFAILS);
	return ecn == 0xff ? -EINVAL : -E2BIG;
}

/* Linux's ip_frag_queue(): skb into qp (q->lock held). */
static int ip_frag_queue(struct ipq *qp, struct sk_buff *skb, int *refs)
{
	enum skb_drop_reason reason = SKB_DROP_REASON_NOT_SPECIFIED;
	struct inet_frag_queue *q = &qp->q;
	int ihl, end, flags, offset, err = -ENOENT;
	const struct iphdr *iph = ip_hdr(skb);
	struct net_device *dev;
	unsigned int fragsize;
	u8 ecn;

	/* If reassembly is already done, skb must be a duplicate fragment. */
	if (q->flags & INET_FRAG_COMPLETE) {
		reason = SKB_DROP_REASON_DUP_FRAG;
		goto err;
	}
	ecn = ip4_frag_ecn(iph->tos);
	offset = ntohs(iph->frag_off);
	flags = offset & ~IP_OFFSET;
	offset = (offset & IP_OFFSET) << 3;
	ihl = ip_hdrlen(skb);
	end = offset + skb->len - skb_network_offset(skb) - ihl;
	err = -EINVAL;

	if (!(flags & IP_MF)) {
		/* The last fragment: nothing may lie beyond it, nor a different end be known. */
		if (end < q->len || ((q->flags & INET_FRAG_LAST_IN) && end != q->len))
			goto discard_qp;
		q->flags |= INET_FRAG_LAST_IN;
		q->len = end;
	} else {
		if (end & 7) {
			end &= ~7;
			if (skb->ip_summed != CHECKSUM_UNNECESSARY)
				skb->ip_summed = CHECKSUM_NONE;
		}
		if (end > q->len) {
			if (q->flags & INET_FRAG_LAST_IN)
				goto discard_qp; /* data beyond the end */
			q->len = end;
		}
	}
	if (end == offset)
		goto discard_qp;

	err = -ENOMEM;
	/* The fragments of a frag_list are linear: a nonlinear fragment is not pulled (pskb_pull).
	 */
	if (skb_is_nonlinear(skb) || skb_network_offset(skb) + ihl > skb->len)
		goto discard_qp;
	__skb_pull(skb, skb_network_offset(skb) + ihl);
	err = pskb_trim_rcsum(skb, end - offset);
	if (err)
		goto discard_qp;

	dev = skb->dev;
	err = inet_frag_queue_insert(q, skb, offset, end);
	if (err)
		goto insert_error;

	q->meat += skb->len;
	qp->ecn |= ecn;
	add_frag_mem_limit(&ip4_fqdir, SKB_TRUESIZE);
	if (offset == 0)
		q->flags |= INET_FRAG_FIRST_IN;
	fragsize = skb->len + ihl;
	if (fragsize > q->max_size)
		q->max_size = fragsize;
	if ((ip_hdr(skb)->frag_off & htons(IP_DF)) && fragsize > qp->max_df_size)
		qp->max_df_size = fragsize;

	if (q->flags == (INET_FRAG_FIRST_IN | INET_FRAG_LAST_IN) && q->meat == q->len) {
		err = ip_frag_reasm(qp, skb, dev, refs);
		if (err)
			inet_frag_kill(q, refs);
		return err;
	}
	return -EINPROGRESS;

insert_error:
	if (err == IPFRAG_DUP) {
		reason = SKB_DROP_REASON_DUP_FRAG;
		err = -EINVAL;
		goto err;
	}
	err = -EINVAL;
	__IP_INC_STATS(IPSTATS_MIB_REASM_OVERLAPS);
discard_qp:
	inet_frag_kill(q, refs);
	__IP_INC_STATS(IPSTATS_MIB_REASMFAILS);
err:
	kfree_skb_reason(skb, reason);
	return err;
}

int ip_defrag(struct sk_buff *skb, u32 user)
{
	const struct iphdr *iph = ip_hdr(skb);
	struct frag_v4_compare_key key = {
		.saddr = iph->saddr,
		.daddr = iph->daddr,
		.user = user,
		.id = iph->id,
		.protocol = iph->protocol,
	};
	struct inet_frag_queue *q;

	__IP_INC_STATS(IPSTATS_MIB_REASMREQDS);
	q = inet_frag_find(&ip4_fqdir, &key);
	if (q) {
		struct ipq *qp = container_of(q, struct ipq, q);
		int ret, refs = 1; /* ours, from inet_frag_find() */

		spin_lock(&q->lock);
		ret = ip_frag_queue(qp, skb, &refs);
		spin_unlock(&q->lock);
		inet_frag_putn(q, refs);
		return ret;
	}
	__IP_INC_STATS(IPSTATS_MIB_REASMFAILS);
	kfree_skb(skb);
	return -ENOMEM;
}
