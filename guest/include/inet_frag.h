#ifndef _GUEST_INET_FRAG_H
#define _GUEST_INET_FRAG_H

/*
 * IPv4 fragment reassembly queues, after Linux 6.18's include/net/inet_frag.h,
 * net/ipv4/inet_fragment.c and net/ipv4/ip_fragment.c (one network
 * namespace: one fqdir).
 *
 * One queue per (saddr, daddr, id, protocol, user) in a hash table of
 * buckets, each under its own lock (lookups too: no RCU). A queue holds its
 * fragments sorted by offset on a list linked by skb->next, grouped in runs as
 * Linux's rb-tree of runs: a fragment that continues the last one at the tail
 * joins its run, any other starts a run of its own. A fragment inside a run is
 * a duplicate (dropped, the queue kept); any other overlap kills the queue
 * (RFC 5722). The queue's timer (ipfrag_time, 30 s) kills it when the datagram
 * is not complete by then.
 *
 * References (refcnt): the hash table's, the timer's and each user's
 * (ip_defrag() while it works on the queue). inet_frag_kill() takes the queue
 * out of the table and stops the timer, dropping their references; the last
 * put frees the fragments and the queue.
 *
 * Memory: each fragment is accounted with its truesize (a 2 KiB buffer and
 * its head), each queue with sizeof(struct ipq). Above high_thresh no queue is
 * found or created (ReasmFails), as Linux's inet_frag_find(); low_thresh is
 * kept as Linux keeps the sysctl, unused since Linux 4.17 dropped the evictor.
 *
 * Callers run in softirq context or with bottom halves disabled.
 */

#include "atomic.h"
#include "list.h"
#include "skbuff.h"
#include "spinlock.h"
#include "timer.h"
#include "types.h"

/* What a fragment costs in memory: its buffer and its head (Linux's skb->truesize). */
#define SKB_TRUESIZE (SKB_BUF_SIZE + 128)

/* Linux's struct fqdir: the limits (sysctls net.ipv4.ipfrag_*) and the memory in use. */
struct fqdir {
	long high_thresh; /* ipfrag_high_thresh, 4 MiB */
	long low_thresh;  /* ipfrag_low_thresh, 3 MiB (unused, as in Linux >= 4.17) */
	int timeout;	  /* ipfrag_time in jiffies, 30 s */
	atomic64_t mem;	  /* truesize of the queued fragments + the queues */
};

extern struct fqdir ip4_fqdir;

struct frag_v4_compare_key {
	u32 saddr;
	u32 daddr;
	u32 user;
	u16 id;
	u8 protocol;
	u8 pad; /* 0: keys are compared with memcmp() */
};

/* inet_frag_queue.flags */
#define INET_FRAG_FIRST_IN 0x01 /* the fragment at offset 0 arrived */
#define INET_FRAG_LAST_IN 0x02	/* the one without MF arrived: len is known */
#define INET_FRAG_COMPLETE 0x04 /* killed: out of the table, no more fragments */
#define INET_FRAG_DROP 0x08	/* killed by the timeout: its fragments are drops */

struct inet_frag_queue {
	spinlock_t lock;
	atomic_t refcnt;
	struct hlist_node node; /* in its hash bucket */
	struct frag_v4_compare_key key;
	struct timer_list timer;
	struct sk_buff *fragments;	/* sorted by offset, linked by ->next */
	struct sk_buff *fragments_tail; /* the one with the highest offset */
	struct sk_buff *last_run_head;	/* the run fragments_tail belongs to */
	int len;			/* payload bytes of the datagram (final once LAST_IN) */
	int meat;			/* payload bytes queued */
	u16 max_size;			/* largest fragment (IP header included) */
	u8 flags;
};

/* Per fragment while queued, in skb->cb (Linux's FRAG_CB()). */
struct ipfrag_skb_cb {
	u32 offset;  /* of its payload in the datagram */
	u32 run_len; /* a run's first fragment: bytes of the run; 0 for the others */
};
#define FRAG_CB(skb) ((struct ipfrag_skb_cb *)(skb)->cb)

/*
 * The queue of key with a reference (inet_frag_put() it), or NULL; creates
 * none. For the self-tests: they drive a queue's timeout by calling its timer
 * function after checking when it was due.
 */
struct inet_frag_queue *inet_frag_lookup(const struct frag_v4_compare_key *key);
void inet_frag_put(struct inet_frag_queue *q);
/* Queues that exist (allocated from the pool ipfrag_init() made). */
unsigned int inet_frag_queues_in_use(void);

static inline long frag_mem_limit(const struct fqdir *fqdir)
{
	return atomic64_read(&fqdir->mem);
}

/* The queue pool and the limits; process context, once, before any fragment arrives. */
void ipfrag_init(void);

#endif /* _GUEST_INET_FRAG_H */
