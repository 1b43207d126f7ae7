#ifndef _GUEST_NF_CONNTRACK_H
#define _GUEST_NF_CONNTRACK_H

/*
 * Connection tracking, after Linux 6.18's include/net/netfilter/nf_conntrack.h
 * and net/netfilter/nf_conntrack_core.c (IPv4 only, one network namespace,
 * zone 0).
 *
 * An nf_conn is hashed twice, by its original and its reply tuple
 * (tuplehash[]), into a table of hlist_nulls chains. Lookups run under
 * rcu_read_lock() without a lock (__nf_conntrack_find_get(): a nulls marker of
 * another bucket restarts the walk; a found entry is taken with
 * refcount_inc_not_zero() and its tuple checked again); insertion and
 * deletion take the bucket locks. A new entry waits on this CPU's unconfirmed
 * list until nf_conntrack_confirm() at POST_ROUTING or LOCAL_IN hashes it.
 * Freed entries go through call_rcu().
 *
 * skb->_nfct is the nf_conn pointer with the enum ip_conntrack_info in its low
 * 3 bits (nf_ct_get()); 0 means no entry: the packet is INVALID.
 */

#include "atomic.h"
#include "list.h"
#include "list_nulls.h"
#include "nf_conntrack_tcp.h"
#include "nf_conntrack_tuple.h"
#include "rcupdate.h"
#include "skbuff.h"
#include "spinlock.h"
#include "types.h"

struct nf_hook_state;

enum ip_conntrack_info {
	IP_CT_ESTABLISHED,
	IP_CT_RELATED,
	IP_CT_NEW,
	IP_CT_IS_REPLY,
	IP_CT_ESTABLISHED_REPLY = IP_CT_ESTABLISHED + IP_CT_IS_REPLY,
	IP_CT_RELATED_REPLY = IP_CT_RELATED + IP_CT_IS_REPLY,
	IP_CT_NUMBER,
	IP_CT_UNTRACKED = 7,
};

#define NFCT_INFOMASK 7UL
#define NFCT_PTRMASK ~(NFCT_INFOMASK)

#define CTINFO2DIR(ctinfo) ((ctinfo) >= IP_CT_IS_REPLY ? IP_CT_DIR_REPLY : IP_CT_DIR_ORIGINAL)

/* ct->status bits, Linux's enum ip_conntrack_status. */
enum ip_conntrack_status {
	IPS_EXPECTED_BIT = 0,
	IPS_EXPECTED = (1 << IPS_EXPECTED_BIT),
	IPS_SEEN_REPLY_BIT = 1,
	IPS_SEEN_REPLY = (1 << IPS_SEEN_REPLY_BIT),
	IPS_ASSURED_BIT = 2,
	IPS_ASSURED = (1 << IPS_ASSURED_BIT),
	IPS_CONFIRMED_BIT = 3,
	IPS_CONFIRMED = (1 << IPS_CONFIRMED_BIT),
	IPS_SRC_NAT_BIT = 4,
	IPS_SRC_NAT = (1 << IPS_SRC_NAT_BIT),
	IPS_DST_NAT_BIT = 5,
	IPS_DST_NAT = (1 << IPS_DST_NAT_BIT),
	IPS_NAT_MASK = (IPS_DST_NAT | IPS_SRC_NAT),
	IPS_SEQ_ADJUST_BIT = 6,
	IPS_SEQ_ADJUST = (1 << IPS_SEQ_ADJUST_BIT),
	IPS_SRC_NAT_DONE_BIT = 7,
	IPS_SRC_NAT_DONE = (1 << IPS_SRC_NAT_DONE_BIT),
	IPS_DST_NAT_DONE_BIT = 8,
	IPS_DST_NAT_DONE = (1 << IPS_DST_NAT_DONE_BIT),
	IPS_NAT_DONE_MASK = (IPS_DST_NAT_DONE | IPS_SRC_NAT_DONE),
	IPS_DYING_BIT = 9,
	IPS_DYING = (1 << IPS_DYING_BIT),
	IPS_FIXED_TIMEOUT_BIT = 10,
	IPS_FIXED_TIMEOUT = (1 << IPS_FIXED_TIMEOUT_BIT),
	IPS_TEMPLATE_BIT = 11,
	IPS_TEMPLATE = (1 << IPS_TEMPLATE_BIT),
	IPS_NAT_CLASH_BIT = 12,
	IPS_NAT_CLASH = (1 << IPS_NAT_CLASH_BIT),
	IPS_HELPER_BIT = 13,
	IPS_HELPER = (1 << IPS_HELPER_BIT),
	IPS_OFFLOAD_BIT = 14,
	IPS_OFFLOAD = (1 << IPS_OFFLOAD_BIT),
	IPS_HW_OFFLOAD_BIT = 15,
	IPS_HW_OFFLOAD = (1 << IPS_HW_OFFLOAD_BIT),
};

/* Events, Linux's enum ip_conntrack_events (bits of ct->ecache). */
enum ip_conntrack_events {
	IPCT_NEW,
	IPCT_RELATED,
	IPCT_DESTROY,
	IPCT_REPLY,
	IPCT_ASSURED,
	IPCT_PROTOINFO,
	IPCT_HELPER,
	IPCT_MARK,
	IPCT_SEQADJ,
	IPCT_SECMARK,
	IPCT_LABEL,
	IPCT_SYNPROXY,
	__IPCT_MAX
};

/* UDP: when an entry that has seen a reply counts as a stream (Linux 6.x). */
struct nf_ct_udp {
	unsigned long stream_ts;
};

union nf_conntrack_proto {
	struct ip_ct_tcp tcp;
	struct nf_ct_udp udp;
};

struct nf_conn {
	/* First: the slab's free-list link lands here, never on a field a reader touches. */
	struct rcu_head rcu;
	atomic_t use; /* Linux's ct_general.use: 0 means being freed */
	spinlock_t lock;
	/* jiffies when it expires once confirmed; the relative timeout before that */
	u32 timeout;
	struct nf_conntrack_tuple_hash tuplehash[IP_CT_DIR_MAX];
	unsigned long status; /* IPS_* bits */
	u16 cpu;	      /* CPU whose unconfirmed list holds it until confirmed */
	u16 ecache;	      /* IPCT_* events cached until nf_ct_deliver_cached_events() */
	u32 mark;
	struct hlist_nulls_node unconfirmed; /* on the per-CPU unconfirmed list */
	union nf_conntrack_proto proto;
	/* NAT (net/netfilter/nf_nat_core.c): on the bysource table once IPS_SRC_NAT_DONE */
	struct hlist_node nat_bysource;
};

/* The jiffies clock conntrack timeouts use (32 bits, as Linux's nfct_time_stamp). */
static inline u32 nfct_time_stamp(void)
{
	extern volatile unsigned long jiffies;

	return (u32)jiffies;
}

static inline struct nf_conn *nf_ct_get(const struct sk_buff *skb, enum ip_conntrack_info *ctinfo)
{
	unsigned long nfct = skb->_nfct;

	*ctinfo = nfct & NFCT_INFOMASK;
	return (struct nf_conn *)(nfct & NFCT_PTRMASK);
}

static inline void nf_ct_set(struct sk_buff *skb, struct nf_conn *ct, enum ip_conntrack_info info)
{
	skb->_nfct = (unsigned long)ct | info;
}

static inline const struct nf_conntrack_tuple *nf_ct_tuple(const struct nf_conn *ct,
							   enum ip_conntrack_dir dir)
{
	return &ct->tuplehash[dir].tuple;
}

static inline u8 nf_ct_protonum(const struct nf_conn *ct)
{
	return ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple.dst.protonum;
}

static inline struct nf_conn *nf_ct_tuplehash_to_ctrack(const struct nf_conntrack_tuple_hash *hash)
{
	return (struct nf_conn *)((char *)hash -
				  __builtin_offsetof(struct nf_conn,
						     tuplehash[hash->tuple.dst.dir]));
}

static inline bool nf_ct_is_confirmed(const struct nf_conn *ct)
{
	return (READ_ONCE(ct->status) & IPS_CONFIRMED) != 0;
}

static inline bool nf_ct_is_dying(const struct nf_conn *ct)
{
	return (READ_ONCE(ct->status) & IPS_DYING) != 0;
}

/* Seconds (jiffies) left before a confirmed entry expires; 0 once it has. */
static inline s32 nf_ct_expires(const struct nf_conn *ct)
{
	s32 timeout = (s32)(READ_ONCE(ct->timeout) - nfct_time_stamp());

	return timeout > 0 ? timeout : 0;
}

static inline bool nf_ct_is_expired(const struct nf_conn *ct)
{
	return (s32)(READ_ONCE(ct->timeout) - nfct_time_stamp()) <= 0;
}

/* Remembers event for this entry; it is reported when the packet leaves conntrack. */
static inline void nf_conntrack_event_cache(enum ip_conntrack_events event, struct nf_conn *ct)
{
	__atomic_fetch_or(&ct->ecache, (u16)(1U << event), __ATOMIC_RELAXED);
}

/*
 * Linux's __nf_ct_refresh_acct() without accounting: a confirmed entry expires
 * extra_jiffies from now; an unconfirmed one keeps the relative timeout until
 * nf_conntrack_confirm() makes it absolute. A fixed timeout is left alone.
 */
static inline void nf_ct_refresh_acct(struct nf_conn *ct, enum ip_conntrack_info ctinfo,
				      const struct sk_buff *skb, u32 extra_jiffies)
{
	(void)ctinfo;
	(void)skb;
	if (READ_ONCE(ct->status) & IPS_FIXED_TIMEOUT)
		return;
	if (nf_ct_is_confirmed(ct))
		extra_jiffies += nfct_time_stamp();
	if (READ_ONCE(ct->timeout) != extra_jiffies)
		WRITE_ONCE(ct->timeout, extra_jiffies);
}

static inline void nf_ct_refresh(struct nf_conn *ct, const struct sk_buff *skb, u32 extra_jiffies)
{
	nf_ct_refresh_acct(ct, IP_CT_NEW, skb, extra_jiffies);
}

/*
 * Removes ct from the table now (IPS_DYING, unhashed, [DESTROY] reported) and
 * drops the table's reference; false if somebody else already did.
 * net/netfilter/nf_conntrack_core.c.
 */
bool nf_ct_kill(struct nf_conn *ct);

static inline bool nf_ct_kill_acct(struct nf_conn *ct, enum ip_conntrack_info ctinfo,
				   const struct sk_buff *skb)
{
	(void)ctinfo;
	(void)skb;
	return nf_ct_kill(ct);
}

/* Drops a reference; the last one frees the entry through call_rcu(). */
void nf_ct_put(struct nf_conn *ct);

/* The reply tuple of orig (addresses, ports swapped; ICMP type inverted); false if none. */
bool nf_ct_invert_tuple(struct nf_conntrack_tuple *inverse, const struct nf_conntrack_tuple *orig);

/*
 * true if a confirmed entry other than ignored_conntrack already has tuple in
 * either direction (Linux's nf_conntrack_tuple_taken(): NAT asks it with the
 * reply tuple a mapping would give). net/netfilter/nf_conntrack_core.c.
 */
bool nf_conntrack_tuple_taken(const struct nf_conntrack_tuple *tuple,
			      const struct nf_conn *ignored_conntrack);

/* NAT changed the reply tuple of an unconfirmed entry (Linux's nf_conntrack_alter_reply()). */
static inline void nf_conntrack_alter_reply(struct nf_conn *ct,
					    const struct nf_conntrack_tuple *newreply)
{
	/* Only an unconfirmed entry: it is not hashed yet. */
	if (nf_ct_is_confirmed(ct))
		return;
	ct->tuplehash[IP_CT_DIR_REPLY].tuple = *newreply;
	ct->tuplehash[IP_CT_DIR_REPLY].tuple.dst.dir = IP_CT_DIR_REPLY;
}

/* Settings, Linux's sysctls with their defaults (net.netfilter.nf_conntrack_*). */
extern int nf_conntrack_checksum;     /* 1 */
extern unsigned int nf_conntrack_max; /* the table limit */
extern unsigned int nf_conntrack_htable_size;

/* The TCP tracker (net/netfilter/nf_conntrack_proto_tcp.c). */
extern int nf_ct_tcp_loose;				  /* nf_conntrack_tcp_loose, 1 */
extern int nf_ct_tcp_be_liberal;			  /* nf_conntrack_tcp_be_liberal, 0 */
extern int nf_ct_tcp_max_retrans;			  /* nf_conntrack_tcp_max_retrans, 3 */
extern u32 nf_ct_tcp_timeouts[TCP_CONNTRACK_TIMEOUT_MAX]; /* jiffies */
extern const char *const tcp_conntrack_names[TCP_CONNTRACK_MAX];

/*
 * The TCP tracker, as Linux's nf_conntrack_tcp_packet(): dataoff is the offset
 * of the TCP header in skb. Checks the header (tcp_error(): length, checksum
 * at PRE_ROUTING when nf_conntrack_checksum, flag combinations), starts an
 * unconfirmed entry (tcp_new()), moves the state, checks the window
 * (tcp_in_window()) and refreshes the timeout. Returns NF_ACCEPT, or a
 * negative verdict for an invalid packet (-NF_ACCEPT: let it through as
 * INVALID; -NF_REPEAT: the entry was closed and killed, look up again).
 */
int nf_conntrack_tcp_packet(struct nf_conn *ct, struct sk_buff *skb, unsigned int dataoff,
			    enum ip_conntrack_info ctinfo, const struct nf_hook_state *state);

/*
 * Kernel command line words nf_conntrack_tcp_loose=N, nf_conntrack_tcp_be_liberal=N and
 * nf_conntrack_tcp_max_retrans=N: true if word was one of them (a malformed N is reported).
 */
bool nf_ct_tcp_parse_option(const char *word, size_t len);

/* --- The core (net/netfilter/nf_conntrack_core.c) --------------------------------------------- */

/* Per-CPU counters, Linux's struct ip_conntrack_stat (/proc/net/stat/nf_conntrack). */
struct ip_conntrack_stat {
	unsigned int found;
	unsigned int invalid;
	unsigned int insert;
	unsigned int insert_failed;
	unsigned int clash_resolve;
	unsigned int drop;
	unsigned int early_drop;
	unsigned int error;
	unsigned int expect_new;
	unsigned int expect_create;
	unsigned int expect_delete;
	unsigned int search_restart;
	unsigned int chaintoolong;
};

extern bool nf_conntrack_enabled; /* conntrack=0 turns it off */
extern bool nf_conntrack_events;  /* ct.events: print the events (conntrack -E) */
extern struct hlist_nulls_head *nf_conntrack_hash;

/*
 * Grows the nf_conn cache to nf_conntrack_max, allocates the hash table,
 * starts the GC worker and registers the IPv4 hooks. Process context on the
 * boot CPU after the other CPUs are up; runs once (later calls return its
 * result). 0, or -1 if out of memory or conntrack is off.
 */
int nf_conntrack_init(void);
bool nf_conntrack_initialized(void);
/* The kernel command line words of conntrack (net_parse_option() asks). */
bool nf_conntrack_parse_option(const char *word, size_t len);
/* /proc/net/nf_conntrack, /proc/net/stat/nf_conntrack and the ct state counts. */
void nf_conntrack_show_views(void);
void nf_conntrack_show_stat(void);
void nf_conntrack_show_state_counts(void);
/* The two halves of nf_conntrack_init(): the table and cache, the hooks. */
int nf_conntrack_core_init(void);
int nf_conntrack_proto_init(void);

/* Linux's nf_conntrack_in(): the PRE_ROUTING and LOCAL_OUT work. A verdict. */
unsigned int nf_conntrack_in(struct sk_buff *skb, const struct nf_hook_state *state);
/* Hashes skb's new entry (POST_ROUTING, LOCAL_IN) and delivers its cached events. */
int nf_conntrack_confirm(struct sk_buff *skb);
int __nf_conntrack_confirm(struct sk_buff *skb);
/* The confirmed entry with this tuple, with a reference, or NULL. */
struct nf_conntrack_tuple_hash *nf_conntrack_find_get(const struct nf_conntrack_tuple *tuple);
/* Sets IPS_DYING, reports [DESTROY], unhashes and drops the table's reference. */
bool nf_ct_delete(struct nf_conn *ct, u32 portid, int report);
unsigned int nf_conntrack_count(void);
/* The sum over the CPUs of the counters. */
void nf_conntrack_stat_sum(struct ip_conntrack_stat *sum);
/* Runs the GC worker over the whole table now (tests); how many it deleted. */
unsigned int nf_conntrack_gc_kick(void);
/* Runs the GC worker's timer at the next tick, from the first bucket (tests). */
void nf_conntrack_gc_wake(void);
/* The bucket of a tuple (tests). */
unsigned int nf_conntrack_bucket_of(const struct nf_conntrack_tuple *tuple);

/* Debugging RCU: lookups that met a freed (poisoned) entry; freeing without a grace period. */
extern atomic_t nf_conntrack_rcu_poisoned;
extern bool nf_conntrack_skip_grace_period;

/* --- Tuples and trackers (nf_conntrack_proto*.c) ---------------------------------------------- */

/* The tuple of the packet at nhoff (its transport header at dataoff). */
bool nf_ct_get_tuple(const struct sk_buff *skb, unsigned int nhoff, unsigned int dataoff,
		     u8 protonum, struct nf_conntrack_tuple *tuple);
bool nf_ct_invert_tuple(struct nf_conntrack_tuple *inverse, const struct nf_conntrack_tuple *orig);
/* The transport offset of the IPv4 packet at nhoff, or -1 (non-first fragment, bogus header). */
int nf_ct_ipv4_get_l4proto(const struct sk_buff *skb, unsigned int nhoff, u8 *protonum);
/* Copies len bytes at offset (from skb->data) into buf; NULL if the packet is shorter. */
const void *nf_ct_header_pointer(const struct sk_buff *skb, unsigned int offset, unsigned int len,
				 void *buf);

int nf_conntrack_handle_packet(struct nf_conn *ct, struct sk_buff *skb, unsigned int dataoff,
			       enum ip_conntrack_info ctinfo, const struct nf_hook_state *state);
int nf_conntrack_udp_packet(struct nf_conn *ct, struct sk_buff *skb, unsigned int dataoff,
			    enum ip_conntrack_info ctinfo, const struct nf_hook_state *state);
int nf_conntrack_icmp_packet(struct nf_conn *ct, struct sk_buff *skb, enum ip_conntrack_info ctinfo,
			     const struct nf_hook_state *state);
int nf_conntrack_icmpv4_error(struct nf_conn *tmpl, struct sk_buff *skb, unsigned int dataoff,
			      const struct nf_hook_state *state);
bool nf_conntrack_invert_icmp_tuple(struct nf_conntrack_tuple *tuple,
				    const struct nf_conntrack_tuple *orig);
int nf_conntrack_generic_packet(struct nf_conn *ct, struct sk_buff *skb,
				enum ip_conntrack_info ctinfo);

/* Timeouts in jiffies (net.netfilter.nf_conntrack_*_timeout*). */
enum udp_conntrack { UDP_CT_UNREPLIED, UDP_CT_REPLIED, UDP_CT_MAX };
extern u32 nf_ct_udp_timeouts[UDP_CT_MAX];
extern u32 nf_ct_icmp_timeout;
extern u32 nf_ct_generic_timeout;

/* --- Events (nf_conntrack_ecache.c), conntrack -L/-E lines (nf_conntrack_standalone.c) --- */

/* Reports the cached events of ct (once it is confirmed): one [NEW] or [UPDATE] line. */
void nf_ct_deliver_cached_events(struct nf_conn *ct);
/* Reports event now, with the events cached so far ([DESTROY]). */
int nf_conntrack_event_report(enum ip_conntrack_events event, struct nf_conn *ct);
/* The entry in conntrack's text format; event: also the timeout rules of -E. Returns the length. */
int nf_ct_snprint(char *buf, size_t size, const struct nf_conn *ct, bool with_timeout,
		  bool listing);

#endif /* _GUEST_NF_CONNTRACK_H */
