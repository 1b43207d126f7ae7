/*
 * Conntrack self-tests: crafted packets through nf_conntrack_in() and
 * nf_conntrack_confirm() as the PRE_ROUTING and POST_ROUTING hooks run them.
 *
 *   nf_conntrack     UDP: NEW, the reply (SEEN_REPLY), the stream rule
 *                    (ASSURED, 120 s), bad checksums and lengths INVALID;
 *                    a generic protocol (600 s); the listing line
 *   nf_ct_icmp       echo request/reply; errors RELATED (or RELATED_REPLY) to
 *                    a tracked UDP flow, INVALID for an untracked one
 *   nf_ct_early_drop a full table drops a non-ASSURED neighbour; full of
 *                    ASSURED entries it refuses the packet (drop counted)
 *   nf_ct_gc         entries with a short timeout go by the GC worker's
 *                    timer, and lazily in a lookup
 *   nf_ct_rcu        4-CPU torture: one CPU kills, expires (for the lookups and
 *                    the GC scan to kill) and recreates entries while the
 *                    others look them up under RCU; no reader meets a
 *                    freed (poisoned) entry. selftest=norcu frees without the
 *                    grace period and reports what the readers met ("~ ").
 */

#include "asm/timer.h"
#include "checksum.h"
#include "if_ether.h"
#include "ip.h"
#include "kernel.h"
#include "netfilter.h"
#include "nf_conntrack.h"
#include "poison.h"
#include "rculist_nulls.h"
#include "selftest.h"
#include "setup.h"
#include "smp.h"
#include "string.h"
#include "timer.h"

#define ADDR(a, b, c, d) ((u32)(a) | (u32)(b) << 8 | (u32)(c) << 16 | (u32)(d) << 24)
#define HOST_A ADDR(10, 9, 0, 1)
#define HOST_B ADDR(10, 9, 0, 2)
#define HOST_C ADDR(10, 9, 0, 3)
#define ROUTER ADDR(10, 9, 0, 254)

static const struct nf_hook_state pre_routing = { .hook = NF_INET_PRE_ROUTING, .pf = NFPROTO_IPV4 };

static struct sk_buff *ct_ip_skb(u32 saddr, u32 daddr, u8 protocol, const void *l4,
				 unsigned int l4len)
{
	struct sk_buff *skb = alloc_skb(512);
	struct iphdr *iph;

	if (!skb)
		return NULL;
	skb_reserve(skb, 64);
	iph = (struct iphdr *)skb_put(skb, sizeof(*iph) + l4len);
	memset(iph, 0, sizeof(*iph));
	iph->ihl_version = 0x45;
	iph->tot_len = htons(sizeof(*iph) + l4len);
	iph->ttl = 64;
	iph->protocol = protocol;
	iph->saddr = saddr;
	iph->daddr = daddr;
	iph->check = htons(csum_fold(csum_partial(iph, sizeof(*iph), 0)));
	memcpy(iph + 1, l4, l4len);
	skb_reset_network_header(skb);
	skb_set_transport_header(skb, sizeof(*iph));
	skb->protocol = ETH_P_IP;
	return skb;
}

/* A UDP datagram with 4 bytes of data; bad_csum spoils its checksum, short_len its length field. */
static struct sk_buff *ct_udp_skb(u32 saddr, u16 sport, u32 daddr, u16 dport, bool bad_csum,
				  bool long_len)
{
	u8 msg[12];
	struct udphdr *uh = (struct udphdr *)msg;

	uh->source = htons(sport);
	uh->dest = htons(dport);
	uh->len = htons(long_len ? 40 : 12);
	uh->check = 0;
	memcpy(msg + 8, "ping", 4);
	uh->check = htons(csum_fold(
		csum_partial(msg, 12, csum_tcpudp_nofold(saddr, daddr, 12, IPPROTO_UDP, 0))));
	if (bad_csum)
		uh->check ^= 0x0101;
	return ct_ip_skb(saddr, daddr, IPPROTO_UDP, msg, sizeof(msg));
}

static void icmp_fix_csum(u8 *msg, unsigned int len)
{
	struct icmphdr *ih = (struct icmphdr *)msg;

	ih->checksum = 0;
	ih->checksum = htons(csum_fold(csum_partial(msg, len, 0)));
}

static struct sk_buff *ct_echo_skb(u32 saddr, u32 daddr, u8 type, u16 id)
{
	u8 msg[16] = { 0 };
	struct icmphdr *ih = (struct icmphdr *)msg;

	ih->type = type;
	ih->id = htons(id);
	ih->sequence = htons(1);
	icmp_fix_csum(msg, sizeof(msg));
	return ct_ip_skb(saddr, daddr, IPPROTO_ICMP, msg, sizeof(msg));
}

/* An ICMP error from saddr to daddr quoting a UDP packet qsrc:qsport -> qdst:qdport. */
static struct sk_buff *ct_icmp_error_skb(u32 saddr, u32 daddr, u8 type, u32 qsrc, u16 qsport,
					 u32 qdst, u16 qdport, bool bad_csum)
{
	struct sk_buff *quoted = ct_udp_skb(qsrc, qsport, qdst, qdport, false, false);
	u8 msg[8 + 28] = { 0 };
	struct icmphdr *ih = (struct icmphdr *)msg;
	struct sk_buff *skb;

	if (!quoted)
		return NULL;
	ih->type = type;
	ih->code = 3;
	memcpy(msg + 8, quoted->data, 28);
	consume_skb(quoted);
	icmp_fix_csum(msg, sizeof(msg));
	if (bad_csum)
		ih->checksum ^= 0x0404;
	skb = ct_ip_skb(saddr, daddr, IPPROTO_ICMP, msg, sizeof(msg));
	return skb;
}

/*
 * Runs skb through conntrack at PRE_ROUTING and, if accepted, POST_ROUTING, then
 * frees it. Returns the ctinfo it got (IP_CT_UNTRACKED when none: INVALID), the
 * entry in *ctp (with no reference: valid while the table holds it).
 */
static int ct_pass(struct sk_buff *skb, struct nf_conn **ctp, unsigned int *verdict)
{
	enum ip_conntrack_info ctinfo;
	struct nf_conn *ct;
	unsigned int v;

	if (!skb)
		return -1;
	v = nf_conntrack_in(skb, &pre_routing);
	ct = nf_ct_get(skb, &ctinfo);
	if (!ct)
		ctinfo = IP_CT_UNTRACKED;
	if (v == NF_ACCEPT)
		v = nf_conntrack_confirm(skb);
	if (ctp)
		*ctp = skb_nfct(skb);
	if (verdict)
		*verdict = v;
	consume_skb(skb);
	return ctinfo;
}

static struct nf_conn *ct_lookup_udp(u32 saddr, u16 sport, u32 daddr, u16 dport)
{
	struct nf_conntrack_tuple t;
	struct nf_conntrack_tuple_hash *h;
	struct nf_conn *ct;

	memset(&t, 0, sizeof(t));
	t.src.l3num = NFPROTO_IPV4;
	t.src.u3.ip = saddr;
	t.src.u.all = htons(sport);
	t.dst.u3.ip = daddr;
	t.dst.u.all = htons(dport);
	t.dst.protonum = IPPROTO_UDP;
	h = nf_conntrack_find_get(&t);
	if (!h)
		return NULL;
	ct = nf_ct_tuplehash_to_ctrack(h);
	nf_ct_put(ct); /* the table still holds it: the tests only look */
	return ct;
}

static bool ct_setup(const char *name)
{
	if (nf_conntrack_init()) {
		selftest_report(name, false, "conntrack is off or could not start");
		return false;
	}
	return true;
}

static u32 ct_left(const struct nf_conn *ct)
{
	return nf_ct_expires(ct);
}

/* --- nf_conntrack: UDP and generic ------------------------------------------------------------ */

/* skb_clone() and skb_copy() take a reference on the entry, freeing either drops it. */
static const char *ct_skb_ref_checks(struct nf_conn *ct)
{
	struct sk_buff *skb = ct_udp_skb(HOST_A, 1000, HOST_B, 53, false, false), *clone, *copy;
	const char *why = NULL;

	if (!skb)
		return "no skb";
	nf_conntrack_in(skb, &pre_routing);
	if (skb_nfct(skb) != ct || atomic_read(&ct->use) != 2) {
		consume_skb(skb);
		return "the packet holds no reference on its entry";
	}
	clone = skb_clone(skb);
	copy = skb_copy(skb);
	if (!clone || !copy || skb_nfct(clone) != ct || skb_nfct(copy) != ct ||
	    atomic_read(&ct->use) != 4)
		why = "skb_clone/skb_copy did not take a reference";
	consume_skb(clone);
	kfree_skb(copy);
	consume_skb(skb);
	if (!why && atomic_read(&ct->use) != 1)
		why = "freeing the skbs did not drop their references";
	return why;
}

static const char *ct_udp_checks(void)
{
	unsigned int count = nf_conntrack_count(), verdict;
	struct ip_conntrack_stat before, after;
	struct nf_conn *ct, *ct2;
	const char *why;
	char line[320];
	u8 gre[8] = { 0 };

	nf_conntrack_stat_sum(&before);
	if (ct_pass(ct_udp_skb(HOST_A, 1000, HOST_B, 53, false, false), &ct, NULL) != IP_CT_NEW)
		return "first packet not NEW";
	if (!ct || !nf_ct_is_confirmed(ct) || nf_conntrack_count() != count + 1)
		return "first packet did not confirm an entry";
	if (atomic_read(&ct->use) != 1)
		return "the table does not hold exactly one reference";
	if (ct_left(ct) > 30 * HZ || ct_left(ct) < 29 * HZ)
		return "unreplied timeout not 30 s";
	if (ct->status & (IPS_SEEN_REPLY | IPS_ASSURED))
		return "new entry already replied or assured";
	nf_ct_snprint(line, sizeof(line), ct, false, true);
	if (strcmp(line, "udp      17 src=10.9.0.1 dst=10.9.0.2 sport=1000 dport=53 [UNREPLIED] "
			 "src=10.9.0.2 dst=10.9.0.1 sport=53 dport=1000 mark=0 use=1"))
		return "listing line differs from conntrack -L";
	if (ct_pass(ct_udp_skb(HOST_A, 1000, HOST_B, 53, false, false), &ct2, NULL) != IP_CT_NEW ||
	    ct2 != ct)
		return "second original packet not NEW on the same entry";
	if (ct_pass(ct_udp_skb(HOST_B, 53, HOST_A, 1000, false, false), &ct2, NULL) !=
		    IP_CT_ESTABLISHED_REPLY ||
	    ct2 != ct)
		return "reply not ESTABLISHED_REPLY";
	if (!(ct->status & IPS_SEEN_REPLY) || (ct->status & IPS_ASSURED))
		return "reply did not set SEEN_REPLY alone";
	if (ct->ecache)
		return "events not delivered at confirm";
	why = ct_skb_ref_checks(ct);
	if (why)
		return why;
	if (ct_pass(ct_udp_skb(HOST_A, 1000, HOST_B, 53, false, false), NULL, NULL) !=
	    IP_CT_ESTABLISHED)
		return "original after reply not ESTABLISHED";
	if ((ct->status & IPS_ASSURED) || ct_left(ct) > 30 * HZ)
		return "a stream before 2 s";
	/* Two seconds after the first packet it is a stream (proto.udp.stream_ts). */
	ct->proto.udp.stream_ts = jiffies - 1;
	if (ct_pass(ct_udp_skb(HOST_B, 53, HOST_A, 1000, false, false), NULL, NULL) !=
	    IP_CT_ESTABLISHED_REPLY)
		return "late reply not ESTABLISHED_REPLY";
	if (!(ct->status & IPS_ASSURED) || ct_left(ct) < 119 * HZ || ct_left(ct) > 120 * HZ)
		return "stream not ASSURED with 120 s";
	nf_ct_snprint(line, sizeof(line), ct, false, true);
	if (strcmp(line, "udp      17 src=10.9.0.1 dst=10.9.0.2 sport=1000 dport=53 src=10.9.0.2 "
			 "dst=10.9.0.1 sport=53 dport=1000 [ASSURED] mark=0 use=1"))
		return "assured listing line differs from conntrack -L";

	/* INVALID: bad checksum at PRE_ROUTING, a length beyond the packet. */
	if (ct_pass(ct_udp_skb(HOST_A, 1001, HOST_B, 53, true, false), NULL, NULL) !=
	    IP_CT_UNTRACKED)
		return "bad checksum not INVALID";
	if (ct_pass(ct_udp_skb(HOST_A, 1002, HOST_B, 53, false, true), NULL, NULL) !=
	    IP_CT_UNTRACKED)
		return "truncated datagram not INVALID";
	nf_conntrack_checksum = 0;
	if (ct_pass(ct_udp_skb(HOST_A, 1003, HOST_B, 53, true, false), &ct2, NULL) != IP_CT_NEW)
		return "bad checksum INVALID with nf_conntrack_checksum=0";
	nf_conntrack_checksum = 1;
	nf_ct_kill(ct2);
	if (nf_conntrack_count() != count + 1)
		return "invalid packets left entries";
	nf_conntrack_stat_sum(&after);
	if (after.invalid - before.invalid != 2)
		return "invalid not counted twice";

	/* A protocol without a tracker: addresses only, 600 s. */
	if (ct_pass(ct_ip_skb(HOST_A, HOST_C, 47, gre, sizeof(gre)), &ct2, &verdict) != IP_CT_NEW ||
	    verdict != NF_ACCEPT)
		return "GRE packet not NEW";
	if (ct_left(ct2) < 599 * HZ || ct_left(ct2) > 600 * HZ)
		return "generic timeout not 600 s";
	nf_ct_snprint(line, sizeof(line), ct2, false, true);
	if (strcmp(line, "gre      47 src=10.9.0.1 dst=10.9.0.3 [UNREPLIED] src=10.9.0.3 "
			 "dst=10.9.0.1 mark=0 use=1"))
		return "generic listing line";
	if (ct_pass(ct_ip_skb(HOST_C, HOST_A, 47, gre, sizeof(gre)), NULL, NULL) !=
	    IP_CT_ESTABLISHED_REPLY)
		return "GRE reply not ESTABLISHED_REPLY";
	nf_ct_kill(ct2);
	nf_ct_kill(ct);
	if (ct_lookup_udp(HOST_A, 1000, HOST_B, 53) || nf_conntrack_count() != count)
		return "killed entry still there";
	return NULL;
}

static void test_nf_conntrack(void)
{
	int saved = nf_conntrack_checksum;
	const char *why;

	if (!ct_setup("nf_conntrack"))
		return;
	nf_conntrack_checksum = 1;
	why = ct_udp_checks();
	nf_conntrack_checksum = saved;
	selftest_report("nf_conntrack", !why, "%s", why);
}

/* --- nf_ct_icmp ------------------------------------------------------------------------------ */

static const char *ct_icmp_checks(void)
{
	struct ip_conntrack_stat before, after;
	unsigned int count = nf_conntrack_count();
	struct nf_conn *echo, *udp, *ct;
	char line[320];

	nf_conntrack_stat_sum(&before);
	if (ct_pass(ct_echo_skb(HOST_A, HOST_B, ICMP_ECHO, 77), &echo, NULL) != IP_CT_NEW)
		return "echo request not NEW";
	if (ct_left(echo) < 29 * HZ || ct_left(echo) > 30 * HZ)
		return "icmp timeout not 30 s";
	if (ct_pass(ct_echo_skb(HOST_B, HOST_A, ICMP_ECHOREPLY, 77), &ct, NULL) !=
		    IP_CT_ESTABLISHED_REPLY ||
	    ct != echo)
		return "echo reply not ESTABLISHED_REPLY";
	nf_ct_snprint(line, sizeof(line), echo, false, true);
	if (strcmp(line, "icmp     1 src=10.9.0.1 dst=10.9.0.2 type=8 code=0 id=77 src=10.9.0.2 "
			 "dst=10.9.0.1 type=0 code=0 id=77 mark=0 use=1"))
		return "icmp listing line differs from conntrack -L";
	if (ct_pass(ct_echo_skb(HOST_B, HOST_A, ICMP_ECHOREPLY, 99), NULL, NULL) != IP_CT_UNTRACKED)
		return "echo reply without request not INVALID";

	if (ct_pass(ct_udp_skb(HOST_A, 2000, HOST_B, 7000, false, false), &udp, NULL) != IP_CT_NEW)
		return "udp flow not NEW";
	/* The router tells A its datagram to B did not get through. */
	if (ct_pass(ct_icmp_error_skb(ROUTER, HOST_A, ICMP_DEST_UNREACH, HOST_A, 2000, HOST_B, 7000,
				      false),
		    &ct, NULL) != IP_CT_RELATED_REPLY ||
	    ct != udp)
		return "error to the sender not RELATED_REPLY to its flow";
	/* B's reply could not reach A: the error goes to B. */
	if (ct_pass(ct_icmp_error_skb(ROUTER, HOST_B, ICMP_TIME_EXCEEDED, HOST_B, 7000, HOST_A,
				      2000, false),
		    &ct, NULL) != IP_CT_RELATED ||
	    ct != udp)
		return "error to the replier not RELATED";
	if (ct_pass(ct_icmp_error_skb(ROUTER, HOST_A, ICMP_DEST_UNREACH, HOST_A, 3000, HOST_C, 9,
				      false),
		    NULL, NULL) != IP_CT_UNTRACKED)
		return "error about an untracked flow not INVALID";
	if (ct_pass(ct_icmp_error_skb(ROUTER, HOST_C, ICMP_DEST_UNREACH, HOST_A, 2000, HOST_B, 7000,
				      false),
		    NULL, NULL) != IP_CT_UNTRACKED)
		return "error to the wrong host not INVALID";
	if (ct_pass(ct_icmp_error_skb(ROUTER, HOST_A, ICMP_DEST_UNREACH, HOST_A, 2000, HOST_B, 7000,
				      true),
		    NULL, NULL) != IP_CT_UNTRACKED)
		return "error with a bad checksum not INVALID";
	if (udp->status & IPS_SEEN_REPLY)
		return "an error counted as a reply";
	nf_conntrack_stat_sum(&after);
	if (after.error - before.error != 3)
		return "icmp_error not counted for the three bad errors";
	if (after.invalid - before.invalid != 1)
		return "invalid not counted for the lone echo reply";
	nf_ct_kill(udp);
	nf_ct_kill(echo);
	if (nf_conntrack_count() != count)
		return "entries left behind";
	return NULL;
}

static void test_nf_ct_icmp(void)
{
	int saved = nf_conntrack_checksum;
	const char *why;

	if (!ct_setup("nf_ct_icmp"))
		return;
	nf_conntrack_checksum = 1;
	why = ct_icmp_checks();
	nf_conntrack_checksum = saved;
	selftest_report("nf_ct_icmp", !why, "%s", why);
}

/* --- nf_ct_early_drop ------------------------------------------------------------------------ */

#define ED_ENTRIES 8

static const char *ct_early_drop_checks(void)
{
	unsigned int saved_max = nf_conntrack_max, verdict, i, count = nf_conntrack_count();
	struct nf_conn *victims[ED_ENTRIES], *ct;
	struct ip_conntrack_stat before, after;
	unsigned int buckets[ED_ENTRIES];
	const char *why = NULL;
	u16 sport;

	for (i = 0; i < ED_ENTRIES; i++) {
		struct nf_conntrack_tuple t;

		if (ct_pass(ct_udp_skb(HOST_A, 4000 + i, HOST_C, 53, false, false), &victims[i],
			    NULL) != IP_CT_NEW)
			return "setup flow not NEW";
		t = victims[i]->tuplehash[IP_CT_DIR_ORIGINAL].tuple;
		buckets[i] = nf_conntrack_bucket_of(&t);
	}
	/* A new flow whose bucket or the next 7 (Linux's eviction range) hold victim 0. */
	for (sport = 5000; sport < 65000; sport++) {
		struct nf_conntrack_tuple t = victims[0]->tuplehash[IP_CT_DIR_ORIGINAL].tuple;
		unsigned int b;

		t.src.u.all = htons(sport);
		b = nf_conntrack_bucket_of(&t);
		if ((buckets[0] - b + nf_conntrack_htable_size) % nf_conntrack_htable_size < 8)
			break;
	}
	nf_conntrack_max = nf_conntrack_count();
	nf_conntrack_stat_sum(&before);
	if (ct_pass(ct_udp_skb(HOST_A, sport, HOST_C, 53, false, false), &ct, &verdict) !=
		    IP_CT_NEW ||
	    verdict != NF_ACCEPT) {
		why = "a full table with a non-assured neighbour refused a new flow";
		goto out;
	}
	nf_conntrack_stat_sum(&after);
	if (after.early_drop == before.early_drop) {
		why = "early_drop not counted";
		goto out;
	}
	for (i = 0; i < ED_ENTRIES && ct_lookup_udp(HOST_A, 4000 + i, HOST_C, 53); i++)
		;
	if (i == ED_ENTRIES) {
		why = "no non-assured neighbour was dropped";
		goto out;
	}
	if (nf_conntrack_count() > nf_conntrack_max) {
		why = "the table grew past nf_conntrack_max";
		goto out;
	}
	/* Now every entry is ASSURED: nothing may go, the packet is dropped. */
	for (i = 0; i < ED_ENTRIES; i++) {
		struct nf_conn *v = ct_lookup_udp(HOST_A, 4000 + i, HOST_C, 53);

		if (v)
			set_bit(IPS_ASSURED_BIT, &v->status);
	}
	set_bit(IPS_ASSURED_BIT, &ct->status);
	nf_conntrack_stat_sum(&before);
	if (ct_pass(ct_udp_skb(HOST_A, sport + 1, HOST_C, 53, false, false), NULL, &verdict) !=
		    IP_CT_UNTRACKED ||
	    verdict != NF_DROP) {
		why = "a table full of assured entries took a new flow";
		goto out;
	}
	nf_conntrack_stat_sum(&after);
	if (after.drop - before.drop != 1 || after.early_drop != before.early_drop)
		why = "drop not counted once (or something was early-dropped)";
out:
	nf_conntrack_max = saved_max;
	for (i = 0; i < ED_ENTRIES; i++) {
		struct nf_conn *v = ct_lookup_udp(HOST_A, 4000 + i, HOST_C, 53);

		if (v)
			nf_ct_kill(v);
	}
	ct = ct_lookup_udp(HOST_A, sport, HOST_C, 53);
	if (ct)
		nf_ct_kill(ct);
	if (!why && nf_conntrack_count() != count)
		why = "entries left behind";
	return why;
}

static void test_nf_ct_early_drop(void)
{
	const char *why;

	if (!ct_setup("nf_ct_early_drop"))
		return;
	why = ct_early_drop_checks();
	selftest_report("nf_ct_early_drop", !why, "%s", why);
}

/* --- nf_ct_gc -------------------------------------------------------------------------------- */

#define GC_ENTRIES 16

static const char *ct_gc_checks(void)
{
	u32 saved = nf_ct_udp_timeouts[UDP_CT_UNREPLIED];
	unsigned int count = nf_conntrack_count(), i;
	unsigned long end;
	struct nf_conn *ct;

	/* Entries that expire 3 ticks after their confirmation. */
	nf_ct_udp_timeouts[UDP_CT_UNREPLIED] = 3;
	for (i = 0; i < GC_ENTRIES; i++)
		if (ct_pass(ct_udp_skb(HOST_B, 6000 + i, HOST_C, 53, false, false), NULL, NULL) !=
		    IP_CT_NEW)
			break;
	nf_ct_udp_timeouts[UDP_CT_UNREPLIED] = saved;
	if (i < GC_ENTRIES)
		return "setup flow not NEW";
	if (nf_conntrack_count() != count + GC_ENTRIES)
		return "setup entries missing";
	/* Lazily: a lookup kills an expired entry it meets. */
	end = jiffies + 5;
	while (time_before(jiffies, end))
		cpu_relax();
	if (ct_lookup_udp(HOST_B, 6000, HOST_C, 53))
		return "expired entry found by a lookup";
	/* The rest by the GC worker's timer, without lookups. */
	nf_conntrack_gc_wake();
	end = jiffies + 50;
	while (nf_conntrack_count() != count && time_before(jiffies, end))
		cpu_relax();
	if (nf_conntrack_count() != count)
		return "the GC worker did not delete the expired entries";
	ct = ct_lookup_udp(HOST_B, 6000 + GC_ENTRIES - 1, HOST_C, 53);
	if (ct)
		return "expired entry still hashed";
	return NULL;
}

static void test_nf_ct_gc(void)
{
	const char *why;

	if (!ct_setup("nf_ct_gc"))
		return;
	why = ct_gc_checks();
	selftest_report("nf_ct_gc", !why, "%s", why);
}

/* --- nf_ct_rcu ------------------------------------------------------------------------------- */

#define RCU_KEYS 48
#define RCU_ROUNDS 192

static int ct_rcu_writer_done;
static u16 ct_rcu_target; /* the port of the entry the writer is about to kill */
static atomic_t ct_rcu_found, ct_rcu_lookups, ct_rcu_bad;
static bool ct_rcu_recreate;

static void ct_rcu_tuple(struct nf_conntrack_tuple *t, u16 sport)
{
	memset(t, 0, sizeof(*t));
	t->src.l3num = NFPROTO_IPV4;
	t->src.u3.ip = HOST_A;
	t->src.u.all = htons(sport);
	t->dst.u3.ip = HOST_B;
	t->dst.u.all = htons(9);
	t->dst.protonum = IPPROTO_UDP;
}

/* Walks a chain as a lookup does, slowly, checking every entry for the poison of a freed one. */
static void ct_rcu_slow_walk(u16 sport)
{
	struct nf_conntrack_tuple_hash *h;
	struct nf_conntrack_tuple t;
	struct hlist_nulls_node *n;

	ct_rcu_tuple(&t, sport);
	rcu_read_lock();
	hlist_nulls_for_each_entry_rcu(h, n, &nf_conntrack_hash[nf_conntrack_bucket_of(&t)], hnnode)
	{
		const u64 *key = (const u64 *)&h->tuple;

		spin_delay(400);
		if (ptr_poisoned(READ_ONCE(h->hnnode.next)) || word_poisoned(READ_ONCE(key[0])) ||
		    word_poisoned(READ_ONCE(key[1]))) {
			atomic_inc(&nf_conntrack_rcu_poisoned);
			break;
		}
	}
	rcu_read_unlock();
}

static void ct_rcu_reader(void)
{
	unsigned int i = smp_processor_id() * 7, lookups = 0, found = 0, bad = 0;

	while (!smp_load_acquire(&ct_rcu_writer_done)) {
		u16 sport = 8000 + i++ % RCU_KEYS;
		struct nf_conntrack_tuple t;
		struct nf_conntrack_tuple_hash *h;

		/* Every other pass on the entry the writer goes for next. */
		if (lookups & 1)
			ct_rcu_slow_walk(READ_ONCE(ct_rcu_target));
		ct_rcu_tuple(&t, sport);
		local_bh_disable();
		h = nf_conntrack_find_get(&t);
		if (h) {
			struct nf_conn *ct = nf_ct_tuplehash_to_ctrack(h);

			found++;
			spin_delay(50);
			if (!nf_ct_tuple_equal(&t, &ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple) ||
			    !nf_ct_is_confirmed(ct))
				bad++;
			nf_ct_put(ct);
		}
		local_bh_enable();
		lookups++;
		if (lookups & 1)
			rcu_all_qs();
		spin_delay(100);
	}
	atomic_add(lookups, &ct_rcu_lookups);
	atomic_add(found, &ct_rcu_found);
	atomic_add(bad, &ct_rcu_bad);
}

static void ct_rcu_writer(void)
{
	unsigned int round;

	for (round = 0; round < RCU_ROUNDS; round++) {
		u16 sport = 8000 + (round * 5) % RCU_KEYS;
		struct nf_conn *ct = ct_lookup_udp(HOST_A, sport, HOST_B, 9);

		WRITE_ONCE(ct_rcu_target, sport);
		udelay(10);
		local_bh_disable();
		if (ct && (round & 3) == 3) {
			/* Expired: the next lookup (a reader's, likely) kills it. */
			WRITE_ONCE(ct->timeout, nfct_time_stamp() - 1);
		} else if (ct) {
			nf_ct_kill(ct);
		} else if (ct_rcu_recreate) {
			ct_pass(ct_udp_skb(HOST_A, sport, HOST_B, 9, false, false), NULL, NULL);
		}
		/* Now and then the GC worker's scan collects what expired. */
		if ((round & 15) == 15)
			nf_conntrack_gc_kick();
		local_bh_enable();
		udelay(20);
	}
	smp_store_release(&ct_rcu_writer_done, 1);
}

static void ct_rcu_worker(void *arg)
{
	(void)arg;
	selftest_rendezvous();
	if (smp_processor_id() == 0)
		ct_rcu_writer();
	else
		ct_rcu_reader();
}

static const char *ct_rcu_setup(bool recreate)
{
	unsigned int i;

	for (i = 0; i < RCU_KEYS; i++)
		if (ct_pass(ct_udp_skb(HOST_A, 8000 + i, HOST_B, 9, false, false), NULL, NULL) !=
		    IP_CT_NEW)
			return "setup flow not NEW";
	ct_rcu_writer_done = 0;
	ct_rcu_target = 8000;
	ct_rcu_recreate = recreate;
	atomic_set(&ct_rcu_found, 0);
	atomic_set(&ct_rcu_lookups, 0);
	atomic_set(&ct_rcu_bad, 0);
	atomic_set(&nf_conntrack_rcu_poisoned, 0);
	return NULL;
}

static void ct_rcu_cleanup(void)
{
	unsigned int i;

	for (i = 0; i < RCU_KEYS; i++) {
		struct nf_conn *ct = ct_lookup_udp(HOST_A, 8000 + i, HOST_B, 9);

		if (ct)
			nf_ct_kill(ct);
	}
	nf_conntrack_gc_kick();
	synchronize_rcu();
}

static void test_nf_ct_rcu(void)
{
	unsigned int count;
	const char *why;

	if (!ct_setup("nf_ct_rcu"))
		return;
	count = nf_conntrack_count();
	why = ct_rcu_setup(true);
	if (!why) {
		run_on_each_cpu(ct_rcu_worker, NULL);
		/* The frees queued so far run before this returns. */
		synchronize_rcu();
		printk(MACHINE_DEPENDENT "nf_ct_rcu: %d lookups, %d found, %d poisoned\n",
		       atomic_read(&ct_rcu_lookups), atomic_read(&ct_rcu_found),
		       atomic_read(&nf_conntrack_rcu_poisoned));
		if (atomic_read(&nf_conntrack_rcu_poisoned))
			why = "a reader met a freed (poisoned) entry";
		else if (atomic_read(&ct_rcu_bad))
			why = "a reader got an entry with another tuple";
		else if (selftest_nr_cpus > 1 && !atomic_read(&ct_rcu_found))
			why = "the readers found nothing";
	}
	ct_rcu_cleanup();
	if (!why && nf_conntrack_count() != count)
		why = "entries left behind";
	selftest_report("nf_ct_rcu", !why, "%s", why);
}

static void test_nf_ct_rcu_norcu(void)
{
	const char *why;

	if (!ct_setup("nf_ct_rcu-norcu"))
		return;
	/* Kill only (no reuse while the readers run): the freed entries stay poisoned. */
	why = ct_rcu_setup(false);
	if (!why) {
		nf_conntrack_skip_grace_period = true;
		run_on_each_cpu(ct_rcu_worker, NULL);
		nf_conntrack_skip_grace_period = false;
	}
	printk(MACHINE_DEPENDENT "selftest nf_ct_rcu-norcu: readers met %d freed entries%s%s\n",
	       atomic_read(&nf_conntrack_rcu_poisoned), why ? ": " : "", why ? why : "");
	ct_rcu_cleanup();
}

DEFINE_SELFTEST(selftest_nf_conntrack, "nf_conntrack", test_nf_conntrack, 0);
DEFINE_SELFTEST(selftest_nf_ct_icmp, "nf_ct_icmp", test_nf_ct_icmp, 0);
DEFINE_SELFTEST(selftest_nf_ct_early_drop, "nf_ct_early_drop", test_nf_ct_early_drop, 0);
DEFINE_SELFTEST(selftest_nf_ct_gc, "nf_ct_gc", test_nf_ct_gc, 0);
DEFINE_SELFTEST(selftest_nf_ct_rcu, "nf_ct_rcu", test_nf_ct_rcu, 0);
DEFINE_SELFTEST(selftest_nf_ct_rcu_norcu, "nf_ct_rcu-norcu", test_nf_ct_rcu_norcu, SELFTEST_NORCU);
