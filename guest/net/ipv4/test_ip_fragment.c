/*
 * IPv4 reassembly and fragmentation self-tests, on the boot CPU before the
 * NIC is up (nobody else uses the skb caches, so the objects in use are
 * exact). Fragments are crafted as the receive path leaves them (Ethernet
 * header at the start of the buffer, data at the IP header, checked and
 * trimmed) and handed to ip_defrag(), ip_local_deliver() or the conntrack
 * defrag hook with bottom halves disabled, as in NET_RX. The counters are
 * checked as differences. Every test ends with no queue, no fragment memory
 * and no skb left over.
 */

#include "checksum.h"
#include "errno.h"
#include "inet_frag.h"
#include "ip.h"
#include "kernel.h"
#include "netfilter.h"
#include "nf_defrag_ipv4.h"
#include "preempt.h"
#include "selftest.h"
#include "smp.h"
#include "snmp.h"
#include "string.h"

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond))                                                                       \
			return #cond;                                                              \
	} while (0)

#define PEER_ADDR htonl(0x0a000063) /* 10.0.0.99 */

/* The datagram under test: an IP header (no options) and up to 64 KiB of payload. */
#define DGRAM_MAX 65536
static u8 payload[DGRAM_MAX + 64];
static struct iphdr dgram_iph;
static unsigned int dgram_len; /* payload bytes */

static unsigned long ip_before[IPSTATS_MIB_MAX];
static unsigned int heads0, bufs0;

#define IP_DELTA(f) (snmp_fold_ip(f) - ip_before[f])

static void counts_take(void)
{
	unsigned int i;

	for (i = 0; i < IPSTATS_MIB_MAX; i++)
		ip_before[i] = snmp_fold_ip(i);
}

/* A UDP datagram of len bytes (header included) to us, with a correct checksum. */
static void dgram_udp(unsigned int len, u16 id)
{
	struct udphdr *uh = (struct udphdr *)payload;
	unsigned int i;

	for (i = 8; i < len; i++)
		payload[i] = (u8)(i * 7 + id);
	uh->source = htons(1024);
	uh->dest = htons(9);
	uh->len = htons(len);
	uh->check = 0;
	uh->check = htons(csum_fold(
		csum_partial(payload, len,
			     csum_tcpudp_nofold(PEER_ADDR, inet_own_addr(), len, IPPROTO_UDP, 0))));
	if (!uh->check)
		uh->check = 0xffff;
	dgram_len = len;
	memset(&dgram_iph, 0, sizeof(dgram_iph));
	dgram_iph.ihl_version = 0x45;
	dgram_iph.id = htons(id);
	dgram_iph.ttl = 64;
	dgram_iph.protocol = IPPROTO_UDP;
	dgram_iph.saddr = PEER_ADDR;
	dgram_iph.daddr = inet_own_addr();
}

/*
 * The fragment [off, off + len) of the datagram, as ip_rcv_core() hands it on:
 * Ethernet header at the head, data and network header at the IP header.
 */
static struct sk_buff *make_frag(unsigned int off, unsigned int len, bool mf, u16 extra_flags)
{
	struct sk_buff *skb = alloc_skb(SKB_MAX_HEAD);
	struct iphdr *iph;
	u8 *p;

	if (!skb)
		return NULL;
	p = skb_put(skb, ETH_HLEN + sizeof(*iph) + len);
	memset(p, 0, ETH_HLEN);
	p[12] = 0x08;
	skb_reset_mac_header(skb);
	__skb_pull(skb, ETH_HLEN);
	skb_reset_network_header(skb);
	iph = (struct iphdr *)skb->data;
	*iph = dgram_iph;
	iph->tot_len = htons(sizeof(*iph) + len);
	iph->frag_off = htons((off >> 3) | (mf ? IP_MF : 0) | extra_flags);
	ip_send_check(iph);
	memcpy(iph + 1, payload + off, len);
	skb->transport_header = skb->network_header + sizeof(*iph);
	skb->protocol = ETH_P_IP;
	return skb;
}

/* Cuts the datagram into pieces of size bytes (a multiple of 8): frags[], their number. */
static unsigned int make_frags(struct sk_buff **frags, unsigned int size, u16 extra_flags)
{
	unsigned int n = 0, off;

	for (off = 0; off < dgram_len; off += size) {
		unsigned int len = min(size, dgram_len - off);

		frags[n++] = make_frag(off, len, off + len < dgram_len, extra_flags);
	}
	return n;
}

static int defrag(struct sk_buff *skb, u32 user)
{
	int ret;

	local_bh_disable();
	ret = ip_defrag(skb, user);
	local_bh_enable();
	return ret;
}

/* The whole datagram is skb: header fixed, payload equal, frag_list present. */
static const char *check_whole(struct sk_buff *skb, unsigned int frag_max)
{
	static u8 copy[DGRAM_MAX + 64];
	const struct iphdr *iph = ip_hdr(skb);

	CHECK(skb->data == skb_network_header(skb) && skb->len == sizeof(*iph) + dgram_len);
	CHECK(skb_has_frag_list(skb) && skb_headlen(skb) < skb->len);
	CHECK(ntohs(iph->tot_len) == skb->len && !(iph->frag_off & htons(IP_MF | IP_OFFSET)));
	CHECK(!ip_fast_csum(iph, 5) && iph->id == dgram_iph.id && iph->saddr == dgram_iph.saddr);
	CHECK(skb->frag_max_size == frag_max);
	CHECK(!skb_copy_bits(skb, sizeof(*iph), copy, dgram_len));
	CHECK(!memcmp(copy, payload, dgram_len));
	CHECK(skb_copy_bits(skb, 1, copy, skb->len) == -EFAULT);
	return NULL;
}

/* Nothing left over: no queue, no fragment memory, the skbs back in their caches. */
static const char *check_clean(void)
{
	unsigned int heads, bufs;

	skb_cache_in_use(&heads, &bufs);
	CHECK(inet_frag_queues_in_use() == 0 && frag_mem_limit(&ip4_fqdir) == 0);
	CHECK(heads == heads0 && bufs == bufs0);
	return NULL;
}

/* Feeds frags in the given order: all but the last are queued; the last gives the datagram. */
static const char *feed_order(struct sk_buff **frags, const unsigned int *order, unsigned int n,
			      unsigned int frag_max)
{
	struct sk_buff *skb = NULL;
	const char *why;
	unsigned int i;
	int ret;

	counts_take();
	for (i = 0; i < n; i++) {
		skb = frags[order[i]];
		ret = defrag(skb, IP_DEFRAG_LOCAL_DELIVER);
		if (i + 1 < n)
			CHECK(ret == -EINPROGRESS);
		else
			CHECK(ret == 0);
	}
	CHECK(IP_DELTA(IPSTATS_MIB_REASMREQDS) == n && IP_DELTA(IPSTATS_MIB_REASMOKS) == 1);
	CHECK(IP_DELTA(IPSTATS_MIB_REASMFAILS) == 0);
	CHECK(inet_frag_queues_in_use() == 0 && frag_mem_limit(&ip4_fqdir) == 0);
	why = check_whole(skb, frag_max);
	consume_skb(skb);
	return why ? why : check_clean();
}

static const char *defrag_order_checks(int kind)
{
	static const unsigned int shuffled[] = { 3, 0, 6, 1, 7, 5, 2, 4 };
	struct sk_buff *frags[8];
	unsigned int order[8], n, i;

	dgram_udp(3000, 0x100 + kind);
	n = make_frags(frags, 400, 0); /* 7 x 400 + 200 */
	CHECK(n == 8);
	for (i = 0; i < n; i++) {
		CHECK(frags[i]);
		order[i] = kind == 0 ? i : kind == 1 ? n - 1 - i : shuffled[i];
	}
	return feed_order(frags, order, n, 420);
}

/* Exact and contained duplicates are dropped (DUP_FRAG) and the queue goes on. */
static const char *defrag_dup_checks(void)
{
	unsigned long dups = skb_drop_reason_count(SKB_DROP_REASON_DUP_FRAG);
	struct sk_buff *frags[8], *skb;
	const char *why;

	dgram_udp(2000, 0x200);
	CHECK(make_frags(frags, 400, 0) == 5);
	counts_take();
	CHECK(defrag(frags[0], IP_DEFRAG_LOCAL_DELIVER) == -EINPROGRESS);
	CHECK(defrag(frags[1], IP_DEFRAG_LOCAL_DELIVER) == -EINPROGRESS);
	/* The same again: [400, 800) lies in the run [0, 800). */
	CHECK(defrag(make_frag(400, 400, true, 0), IP_DEFRAG_LOCAL_DELIVER) == -EINVAL);
	/* Part of the run: [200, 600), also a duplicate. */
	CHECK(defrag(make_frag(200, 400, true, 0), IP_DEFRAG_LOCAL_DELIVER) == -EINVAL);
	CHECK(defrag(frags[3], IP_DEFRAG_LOCAL_DELIVER) == -EINPROGRESS);
	/* Inside the run [1200, 2000) that the tail belongs to. */
	CHECK(defrag(make_frag(1200, 400, true, 0), IP_DEFRAG_LOCAL_DELIVER) == -EINVAL);
	CHECK(defrag(frags[4], IP_DEFRAG_LOCAL_DELIVER) == -EINPROGRESS);
	CHECK(defrag(make_frag(1600, 400, false, 0), IP_DEFRAG_LOCAL_DELIVER) == -EINVAL);
	skb = frags[2];
	CHECK(defrag(skb, IP_DEFRAG_LOCAL_DELIVER) == 0);
	CHECK(skb_drop_reason_count(SKB_DROP_REASON_DUP_FRAG) == dups + 4);
	CHECK(IP_DELTA(IPSTATS_MIB_REASMREQDS) == 9 && IP_DELTA(IPSTATS_MIB_REASMOKS) == 1 &&
	      IP_DELTA(IPSTATS_MIB_REASMFAILS) == 0);
	why = check_whole(skb, 420);
	consume_skb(skb);
	return why ? why : check_clean();
}

/* The queue of the datagram under test for user, expired now as its timer would. */
static const char *expire_queue(u32 user, bool check_due, unsigned long j0, unsigned long j1)
{
	struct frag_v4_compare_key key = {
		.saddr = dgram_iph.saddr,
		.daddr = dgram_iph.daddr,
		.user = user,
		.id = dgram_iph.id,
		.protocol = dgram_iph.protocol,
	};
	struct inet_frag_queue *q = inet_frag_lookup(&key);

	CHECK(q);
	CHECK(timer_pending(&q->timer));
	if (check_due)
		CHECK(!time_before(q->timer.expires, j0 + IP_FRAG_TIME) &&
		      !time_after(q->timer.expires, j1 + IP_FRAG_TIME));
	local_bh_disable();
	if (del_timer(&q->timer))
		q->timer.function(&q->timer);
	inet_frag_put(q);
	local_bh_enable();
	return NULL;
}

/* Overlaps kill the queue (RFC 5722): ReasmFails, ReasmOverlaps; so does a bad last fragment. */
static const char *defrag_overlap_checks(void)
{
	unsigned long overlaps;

	dgram_udp(2000, 0x300);
	/* Past the tail, but starting inside the last fragment. */
	counts_take();
	CHECK(defrag(make_frag(0, 400, true, 0), IP_DEFRAG_LOCAL_DELIVER) == -EINPROGRESS);
	CHECK(defrag(make_frag(200, 400, true, 0), IP_DEFRAG_LOCAL_DELIVER) == -EINVAL);
	CHECK(IP_DELTA(IPSTATS_MIB_REASMFAILS) == 1 && IP_DELTA(IPSTATS_MIB_REASM_OVERLAPS) == 1);
	CHECK(inet_frag_queues_in_use() == 0);
	/* Across the edge of a run in the middle. */
	counts_take();
	CHECK(defrag(make_frag(0, 400, true, 0), IP_DEFRAG_LOCAL_DELIVER) == -EINPROGRESS);
	CHECK(defrag(make_frag(800, 400, true, 0), IP_DEFRAG_LOCAL_DELIVER) == -EINPROGRESS);
	CHECK(defrag(make_frag(1600, 400, false, 0), IP_DEFRAG_LOCAL_DELIVER) == -EINPROGRESS);
	CHECK(defrag(make_frag(296, 512, true, 0), IP_DEFRAG_LOCAL_DELIVER) == -EINVAL);
	CHECK(IP_DELTA(IPSTATS_MIB_REASMFAILS) == 1 && IP_DELTA(IPSTATS_MIB_REASM_OVERLAPS) == 1);
	CHECK(inet_frag_queues_in_use() == 0);
	/* A second last fragment with another end; data beyond the end. */
	overlaps = snmp_fold_ip(IPSTATS_MIB_REASM_OVERLAPS);
	counts_take();
	CHECK(defrag(make_frag(1600, 400, false, 0), IP_DEFRAG_LOCAL_DELIVER) == -EINPROGRESS);
	CHECK(defrag(make_frag(1600, 392, false, 0), IP_DEFRAG_LOCAL_DELIVER) == -EINVAL);
	CHECK(defrag(make_frag(1600, 400, false, 0), IP_DEFRAG_LOCAL_DELIVER) == -EINPROGRESS);
	CHECK(defrag(make_frag(1200, 808, true, 0), IP_DEFRAG_LOCAL_DELIVER) == -EINVAL);
	CHECK(IP_DELTA(IPSTATS_MIB_REASMFAILS) == 2 &&
	      snmp_fold_ip(IPSTATS_MIB_REASM_OVERLAPS) == overlaps);
	return check_clean();
}

/* The 30 s timer: armed at jiffies + ipfrag_time; its expiry counts and frees. */
static const char *defrag_timeout_checks(void)
{
	unsigned long drops = skb_drop_reason_count(SKB_DROP_REASON_FRAG_REASM_TIMEOUT);
	unsigned long j0, j1;
	const char *why;

	dgram_udp(2000, 0x400);
	counts_take();
	j0 = jiffies;
	CHECK(defrag(make_frag(0, 400, true, 0), IP_DEFRAG_LOCAL_DELIVER) == -EINPROGRESS);
	CHECK(defrag(make_frag(800, 400, true, 0), IP_DEFRAG_LOCAL_DELIVER) == -EINPROGRESS);
	j1 = jiffies;
	CHECK(inet_frag_queues_in_use() == 1 && frag_mem_limit(&ip4_fqdir) > 2 * SKB_TRUESIZE);
	why = expire_queue(IP_DEFRAG_LOCAL_DELIVER, true, j0, j1);
	if (why)
		return why;
	CHECK(IP_DELTA(IPSTATS_MIB_REASMFAILS) == 1 && IP_DELTA(IPSTATS_MIB_REASMTIMEOUT) == 1);
	CHECK(skb_drop_reason_count(SKB_DROP_REASON_FRAG_REASM_TIMEOUT) == drops + 2);
	/* A late fragment starts a new queue of its own. */
	CHECK(defrag(make_frag(400, 400, true, 0), IP_DEFRAG_LOCAL_DELIVER) == -EINPROGRESS);
	why = expire_queue(IP_DEFRAG_LOCAL_DELIVER, false, 0, 0);
	if (why)
		return why;
	return check_clean();
}

/* Above ipfrag_high_thresh no queue is found or made: ReasmFails, the fragment freed. */
static const char *defrag_mem_limit_checks(void)
{
	long saved = ip4_fqdir.high_thresh;
	unsigned int accepted = 0, refused = 0, id;
	const char *why = NULL;

	ip4_fqdir.high_thresh = 16 * 1024;
	counts_take();
	for (id = 1; id <= 12; id++) {
		int ret;

		dgram_udp(2000, 0x500 + id);
		ret = defrag(make_frag(0, 400, true, 0), IP_DEFRAG_LOCAL_DELIVER);
		if (ret == -EINPROGRESS)
			accepted++;
		else if (ret == -ENOMEM)
			refused++;
	}
	ip4_fqdir.high_thresh = saved;
	/* Accepted while at most high_thresh was in use: the first over it is the last in. */
	for (id = 1; id <= accepted && !why; id++) {
		dgram_udp(2000, 0x500 + id);
		why = expire_queue(IP_DEFRAG_LOCAL_DELIVER, false, 0, 0);
	}
	if (why)
		return why;
	CHECK(accepted >= 2 && refused >= 1 && accepted + refused == 12);
	CHECK(accepted * SKB_TRUESIZE <= 16 * 1024 + 2 * SKB_TRUESIZE);
	CHECK(IP_DELTA(IPSTATS_MIB_REASMREQDS) == 12);
	CHECK(IP_DELTA(IPSTATS_MIB_REASMFAILS) == refused + accepted);
	return check_clean();
}

/* A datagram that would exceed 65535 bytes is refused at reassembly (ReasmFails). */
static const char *defrag_oversize_checks(void)
{
	unsigned int off, n = 0;
	int ret = 0;

	dgram_udp(8, 0x600); /* the header; the payload is whatever payload[] holds */
	counts_take();
	for (off = 0; off < 65536; off += 1480) {
		unsigned int len = min(1480U, 65536 - off);

		ret = defrag(make_frag(off, len, off + len < 65536, 0), IP_DEFRAG_LOCAL_DELIVER);
		n++;
		if (off + len < 65536)
			CHECK(ret == -EINPROGRESS);
	}
	CHECK(ret == -E2BIG);
	CHECK(IP_DELTA(IPSTATS_MIB_REASMREQDS) == n && IP_DELTA(IPSTATS_MIB_REASMFAILS) == 1 &&
	      IP_DELTA(IPSTATS_MIB_REASMOKS) == 0);
	return check_clean();
}

/* Through ip_local_deliver() to UDP: the checksum covers the frag_list. */
static const char *defrag_deliver_checks(void)
{
	unsigned long noports = snmp_fold_udp(UDP_MIB_NOPORTS);
	unsigned long csumerr = snmp_fold_udp(UDP_MIB_CSUMERRORS);
	struct sk_buff *frags[4];
	unsigned int n, i;

	dgram_udp(1200, 0x700);
	n = make_frags(frags, 400, 0);
	local_bh_disable();
	for (i = 0; i < n; i++)
		ip_local_deliver(frags[n - 1 - i]);
	local_bh_enable();
	CHECK(snmp_fold_udp(UDP_MIB_NOPORTS) == noports + 1);
	CHECK(snmp_fold_udp(UDP_MIB_CSUMERRORS) == csumerr);
	/* One byte changed in the second fragment: the checksum fails. */
	dgram_udp(1200, 0x701);
	n = make_frags(frags, 400, 0);
	skb_network_header(frags[1])[20 + 5] ^= 0x10;
	local_bh_disable();
	for (i = 0; i < n; i++)
		ip_local_deliver(frags[i]);
	local_bh_enable();
	CHECK(snmp_fold_udp(UDP_MIB_CSUMERRORS) == csumerr + 1);
	CHECK(snmp_fold_udp(UDP_MIB_NOPORTS) == noports + 1);
	return check_clean();
}

/*
 * skb_checksum() over a frag_list with odd-length pieces and odd offsets
 * equals csum_partial() of the same bytes in one piece; skb_copy() linearises
 * what fits; a clone keeps the frag_list until the last head goes.
 */
static const char *skb_frag_list_checks(void)
{
	static const unsigned int piece_len[] = { 5, 3, 7, 1, 10, 1200 };
	static u8 flat[1300];
	struct sk_buff *head = alloc_skb(SKB_MAX_HEAD), *frag, **nextp, *copy, *clone;
	unsigned int i, total = 0, off, len;

	CHECK(head);
	nextp = &skb_shinfo(head)->frag_list;
	for (i = 0; i < ARRAY_SIZE(piece_len); i++) {
		struct sk_buff *skb = i ? alloc_skb(SKB_MAX_HEAD) : head;
		u8 *p;
		unsigned int j;

		CHECK(skb);
		skb_reserve(skb, 40);
		p = skb_put(skb, piece_len[i]);
		for (j = 0; j < piece_len[i]; j++)
			flat[total + j] = p[j] = (u8)(total + j) * 13 + 1;
		total += piece_len[i];
		if (i) {
			*nextp = skb;
			nextp = &skb->next;
			head->data_len += skb->len;
			head->len += skb->len;
		}
	}
	*nextp = NULL;
	CHECK(skb_has_frag_list(head) && skb_headlen(head) == 5 && head->len == total);
	i = 0;
	skb_walk_frags(head, frag) i++;
	CHECK(i == ARRAY_SIZE(piece_len) - 1);
	for (off = 0; off < 20; off++) {
		for (len = 0; len + off <= total; len += 1 + len / 3) {
			u32 a = skb_checksum(head, off, len, 0x1234);
			u32 b = csum_partial(flat + off, len, 0x1234);

			CHECK(csum_fold(a) == csum_fold(b));
		}
	}
	/* Fits one buffer: a linear copy. */
	copy = skb_copy(head);
	CHECK(copy && !skb_is_nonlinear(copy) && copy->len == total);
	CHECK(!memcmp(copy->data, flat, total));
	consume_skb(copy);
	/* Trim into the frag_list: the pieces beyond go. */
	clone = skb_clone(head);
	CHECK(clone && skb_has_frag_list(clone));
	CHECK(pskb_trim(head, 10) == -ENOMEM); /* shared: Linux would copy first */
	consume_skb(clone);
	CHECK(pskb_trim(head, 12) == 0 && head->len == 12 && head->data_len == 7);
	CHECK(csum_fold(skb_checksum(head, 0, 12, 0)) == csum_fold(csum_partial(flat, 12, 0)));
	/* Linearised in place: the piece moves into the tailroom. */
	clone = skb_clone(head);
	CHECK(clone && skb_linearize(head) == -ENOMEM); /* shared */
	consume_skb(clone);
	CHECK(skb_linearize(head) == 0 && !skb_is_nonlinear(head) && head->len == 12);
	CHECK(skb_headlen(head) == 12 && !memcmp(head->data, flat, 12));
	CHECK(skb_tail_pointer(head) == head->data + 12);
	CHECK(pskb_trim(head, 4) == 0 && head->len == 4);
	consume_skb(head);
	return check_clean();
}

/*
 * Every CPU at once: SMP_DGRAMS datagrams of SMP_FRAGS fragments, CPU c
 * feeding fragments c, c + N, ... of each (odd CPUs from the last datagram
 * back), so the CPUs race on the same queues. Exactly one CPU completes each
 * datagram, and its UDP checksum over the frag_list holds.
 */
#define SMP_DGRAMS 16
#define SMP_FRAGS 8
#define SMP_FRAG_LEN 64
static struct sk_buff *smp_frags[SMP_DGRAMS][SMP_FRAGS];
static u32 smp_daddr;
static atomic_t smp_done, smp_queued, smp_bad;

static bool smp_check_whole(struct sk_buff *skb)
{
	unsigned int len = SMP_FRAGS * SMP_FRAG_LEN;
	const struct iphdr *iph = ip_hdr(skb);

	if (skb->len != sizeof(*iph) + len || !skb_has_frag_list(skb) || ip_fast_csum(iph, 5))
		return false;
	return !csum_fold(
		skb_checksum(skb, sizeof(*iph), len,
			     csum_tcpudp_nofold(PEER_ADDR, smp_daddr, len, IPPROTO_UDP, 0)));
}

static void defrag_smp_worker(void *arg)
{
	unsigned int cpu = smp_processor_id(), ncpus = selftest_nr_cpus, i, j;

	(void)arg;
	selftest_rendezvous();
	for (i = 0; i < SMP_DGRAMS; i++) {
		unsigned int k = cpu & 1 ? SMP_DGRAMS - 1 - i : i;

		for (j = cpu; j < SMP_FRAGS; j += ncpus) {
			struct sk_buff *skb = smp_frags[k][j];
			int ret;

			local_bh_disable();
			ret = ip_defrag(skb, IP_DEFRAG_LOCAL_DELIVER);
			if (ret == 0) {
				if (!smp_check_whole(skb))
					atomic_inc(&smp_bad);
				consume_skb(skb);
				atomic_inc(&smp_done);
			} else if (ret == -EINPROGRESS) {
				atomic_inc(&smp_queued);
			} else {
				atomic_inc(&smp_bad);
			}
			local_bh_enable();
		}
	}
}

static const char *defrag_smp_checks(void)
{
	unsigned int k, n;

	smp_daddr = inet_own_addr();
	for (k = 0; k < SMP_DGRAMS; k++) {
		dgram_udp(SMP_FRAGS * SMP_FRAG_LEN, 0xb00 + k);
		n = make_frags(smp_frags[k], SMP_FRAG_LEN, 0);
		CHECK(n == SMP_FRAGS);
		for (n = 0; n < SMP_FRAGS; n++)
			CHECK(smp_frags[k][n]);
	}
	atomic_set(&smp_done, 0);
	atomic_set(&smp_queued, 0);
	atomic_set(&smp_bad, 0);
	counts_take();
	run_on_each_cpu(defrag_smp_worker, NULL);
	CHECK(atomic_read(&smp_bad) == 0);
	CHECK(atomic_read(&smp_done) == SMP_DGRAMS &&
	      atomic_read(&smp_queued) == SMP_DGRAMS * (SMP_FRAGS - 1));
	CHECK(IP_DELTA(IPSTATS_MIB_REASMREQDS) == SMP_DGRAMS * SMP_FRAGS &&
	      IP_DELTA(IPSTATS_MIB_REASMOKS) == SMP_DGRAMS &&
	      IP_DELTA(IPSTATS_MIB_REASMFAILS) == 0);
	return check_clean();
}

/* --- Fragmentation ---------------------------------------------------------------------------- */

#define MAX_OUT 64
static struct sk_buff *out[MAX_OUT];
static unsigned int nr_out;

static int capture_output(struct sk_buff *skb)
{
	if (nr_out == MAX_OUT) {
		kfree_skb(skb);
		return -ENOMEM;
	}
	out[nr_out++] = skb;
	return 0;
}

static void out_free(void)
{
	while (nr_out)
		consume_skb(out[--nr_out]);
}

/* The originals, as sent: IP header and payload of each fragment. */
static u8 orig[4][1500];
static unsigned int orig_len[4];

/*
 * Reassembled through the conntrack hook (NF_STOLEN, then NF_ACCEPT), then
 * refragmented with the size of the largest fragment: the frag_list pieces
 * are the fragments (fast path), equal to the originals byte for byte.
 */
static const char *refragment_checks(void)
{
	struct nf_hook_state state = { .hook = NF_INET_PRE_ROUTING, .pf = NFPROTO_IPV4 };
	struct sk_buff *frags[4], *skb = NULL;
	unsigned int n, i, verdict = 0;
	const char *why;

	dgram_udp(3008, 0x800);
	n = make_frags(frags, 1480, 0);
	CHECK(n == 3);
	for (i = 0; i < n; i++) {
		CHECK(frags[i]);
		orig_len[i] = frags[i]->len;
		memcpy(orig[i], frags[i]->data, frags[i]->len);
	}
	counts_take();
	for (i = 0; i < n; i++) {
		skb = frags[(i + 1) % n]; /* 1, 2, 0 */
		verdict = ipv4_conntrack_defrag(NULL, skb, &state);
		if (i + 1 < n)
			CHECK(verdict == NF_STOLEN);
	}
	CHECK(verdict == NF_ACCEPT && skb->ignore_df);
	why = check_whole(skb, 1500);
	if (why)
		return why;
	CHECK(ip_frag_mtu(skb, 9000) == 1500 && ip_frag_mtu(skb, 1400) == 1400);
	nr_out = 0;
	CHECK(ip_do_fragment(skb, 9000, capture_output) == 0);
	CHECK(nr_out == n);
	for (i = 0; i < n; i++) {
		CHECK(out[i]->len == orig_len[i] && !memcmp(out[i]->data, orig[i], orig_len[i]));
		CHECK(skb_headroom(out[i]) >= ETH_HLEN);
	}
	CHECK(IP_DELTA(IPSTATS_MIB_FRAGOKS) == 1 && IP_DELTA(IPSTATS_MIB_FRAGCREATES) == n);
	out_free();
	return check_clean();
}

/*
 * A smaller MTU than the fragments: the slow path copies into new skbs of at
 * most mtu bytes, 8-byte aligned offsets, MF on all but the last; they
 * reassemble to the same datagram.
 */
static const char *fragment_slow_path_checks(void)
{
	struct sk_buff *frags[4], *skb = NULL, *pieces[8];
	unsigned int n, i, off = 0;
	const char *why;
	int ret = 0;

	dgram_udp(3008, 0x900);
	n = make_frags(frags, 1480, 0);
	for (i = 0; i < n; i++)
		ret = defrag(skb = frags[i], IP_DEFRAG_LOCAL_DELIVER);
	CHECK(ret == 0);
	counts_take();
	nr_out = 0;
	CHECK(ip_fragment(skb, 996, capture_output) == 0);
	CHECK(nr_out == 4); /* 976 x 3 + 80 */
	for (i = 0; i < nr_out; i++) {
		const struct iphdr *iph = (const struct iphdr *)out[i]->data;
		unsigned int len = ntohs(iph->tot_len) - 20;

		CHECK(out[i]->len == ntohs(iph->tot_len) && out[i]->len <= 996 &&
		      !ip_fast_csum(iph, 5));
		CHECK((ntohs(iph->frag_off) & IP_OFFSET) << 3 == off);
		CHECK(!!(iph->frag_off & htons(IP_MF)) == (i + 1 < nr_out));
		CHECK(!memcmp(out[i]->data + 20, payload + off, len));
		CHECK(skb_headroom(out[i]) >= ETH_HLEN);
		off += len;
	}
	CHECK(off == dgram_len);
	CHECK(IP_DELTA(IPSTATS_MIB_FRAGOKS) == 1 && IP_DELTA(IPSTATS_MIB_FRAGCREATES) == 4);
	/* The pieces reassemble to the datagram. */
	for (i = 0; i < nr_out; i++)
		pieces[i] = out[i];
	n = nr_out;
	nr_out = 0;
	for (i = 0; i < n; i++) {
		skb_reset_network_header(pieces[i]);
		ret = defrag(skb = pieces[i], IP_DEFRAG_LOCAL_DELIVER);
	}
	CHECK(ret == 0);
	why = check_whole(skb, 996);
	consume_skb(skb);
	return why ? why : check_clean();
}

/* DF: not cut unless conntrack reassembled it and no original exceeded the MTU. */
static const char *fragment_df_checks(void)
{
	struct nf_hook_state state = { .hook = NF_INET_PRE_ROUTING, .pf = NFPROTO_IPV4 };
	struct sk_buff *frags[4], *skb = NULL;
	unsigned int n, i, verdict = 0;
	int ret = 0;

	/* Reassembled by local delivery, largest fragment with DF: the datagram has DF. */
	dgram_udp(1600, 0xa00);
	n = make_frags(frags, 800, IP_DF);
	for (i = 0; i < n; i++)
		ret = defrag(skb = frags[i], IP_DEFRAG_LOCAL_DELIVER);
	CHECK(ret == 0 && (ip_hdr(skb)->frag_off & htons(IP_DF)) && !skb->ignore_df);
	counts_take();
	nr_out = 0;
	CHECK(ip_fragment(skb, 1500, capture_output) == -EMSGSIZE && nr_out == 0);
	CHECK(IP_DELTA(IPSTATS_MIB_FRAGFAILS) == 1);
	/*
	 * Through conntrack (ignore_df), original fragments of 820 bytes: cut at
	 * 820. The fast path clears DF as Linux's ip_fraglist_init() does.
	 */
	dgram_udp(1600, 0xa01);
	n = make_frags(frags, 800, IP_DF);
	for (i = 0; i < n; i++)
		verdict = ipv4_conntrack_defrag(NULL, skb = frags[i], &state);
	CHECK(verdict == NF_ACCEPT && skb->ignore_df && skb->frag_max_size == 820);
	CHECK(ip_fragment(skb, 1500, capture_output) == 0 && nr_out == 2);
	for (i = 0; i < nr_out; i++)
		CHECK(out[i]->len == 820 && !(ip_hdr(out[i])->frag_off & htons(IP_DF)));
	out_free();
	/* The same with an MTU below the originals: refused. */
	dgram_udp(1600, 0xa02);
	n = make_frags(frags, 800, IP_DF);
	for (i = 0; i < n; i++)
		verdict = ipv4_conntrack_defrag(NULL, skb = frags[i], &state);
	CHECK(verdict == NF_ACCEPT);
	counts_take();
	CHECK(ip_fragment(skb, 576, capture_output) == -EMSGSIZE && nr_out == 0);
	CHECK(IP_DELTA(IPSTATS_MIB_FRAGFAILS) == 1);
	/* A datagram that is not a fragment passes the hook untouched. */
	dgram_udp(100, 0xa03);
	skb = make_frag(0, 100, false, 0);
	CHECK(skb && ipv4_conntrack_defrag(NULL, skb, &state) == NF_ACCEPT && !skb->ignore_df);
	consume_skb(skb);
	return check_clean();
}

static void report(const char *name, const char *why)
{
	selftest_report(name, !why, "%s", why);
}

static void selftest_ip_defrag_run(void)
{
	ipfrag_init();
	/* The oversize test holds 45 fragments at once. */
	skb_pool_grow(64, 64);
	skb_cache_in_use(&heads0, &bufs0);

	report("ip_defrag_in_order", defrag_order_checks(0));
	report("ip_defrag_reversed", defrag_order_checks(1));
	report("ip_defrag_shuffled", defrag_order_checks(2));
	report("ip_defrag_duplicates", defrag_dup_checks());
	report("ip_defrag_overlap", defrag_overlap_checks());
	report("ip_defrag_timeout", defrag_timeout_checks());
	report("ip_defrag_mem_limit", defrag_mem_limit_checks());
	report("ip_defrag_oversize", defrag_oversize_checks());
	report("ip_defrag_local_deliver", defrag_deliver_checks());
	report("skb_frag_list", skb_frag_list_checks());
	skb_pool_grow(SMP_DGRAMS * SMP_FRAGS, SMP_DGRAMS * SMP_FRAGS);
	skb_cache_in_use(&heads0, &bufs0);
	report("ip_defrag_smp", defrag_smp_checks());
}

static void selftest_ip_fragment_run(void)
{
	ipfrag_init();
	skb_pool_grow(16, 16);
	skb_cache_in_use(&heads0, &bufs0);

	report("ip_fragment_refragment", refragment_checks());
	report("ip_fragment_slow_path", fragment_slow_path_checks());
	report("ip_fragment_df", fragment_df_checks());
}

DEFINE_SELFTEST(selftest_ip_defrag, "ip_defrag", selftest_ip_defrag_run, 0);
DEFINE_SELFTEST(selftest_ip_fragment, "ip_fragment", selftest_ip_fragment_run, 0);
