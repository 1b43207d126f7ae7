/*
 * TCP connection tracker self-tests: crafted segments go straight to
 * nf_conntrack_tcp_packet() on an nf_conn set up here, with the conntrack
 * core's part played by ct_rcv(): the ctinfo of each direction, the entry
 * confirmed after its first accepted packet (timeout made absolute) and
 * IPS_SEEN_REPLY set after the first accepted reply, as Linux's
 * nf_conntrack_in() and nf_conntrack_confirm() do. The expectations are
 * Linux 6.18's tracker with default sysctls.
 */

#include "checksum.h"
#include "ip.h"
#include "kernel.h"
#include "netfilter.h"
#include "nf_conntrack.h"
#include "selftest.h"
#include "string.h"

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond))                                                                       \
			return #cond;                                                              \
	} while (0)

#define FIN 0x01
#define SYN 0x02
#define RST 0x04
#define PSH 0x08
#define ACK 0x10
#define URG 0x20
#define ECE 0x40
#define CWR 0x80

#define CLIENT_ADDR htonl(0x0a000001) /* 10.0.0.1:40000 -> 10.0.0.2:80 */
#define SERVER_ADDR htonl(0x0a000002)
#define CLIENT_PORT 40000
#define SERVER_PORT 80

#define ORIG IP_CT_DIR_ORIGINAL
#define REPLY IP_CT_DIR_REPLY

/* A segment to craft. */
struct seg {
	u8 flags;
	u32 seq, ack;
	u16 win;
	const u8 *opts; /* a multiple of 4 bytes */
	u8 optlen;
	u16 paylen;
	bool bad_csum;
};

static struct nf_conn test_ct;
static struct nf_hook_state pre_routing = { .hook = NF_INET_PRE_ROUTING, .pf = NFPROTO_IPV4 };
static struct nf_hook_state local_out = { .hook = NF_INET_LOCAL_OUT, .pf = NFPROTO_IPV4 };

static void ct_init(struct nf_conn *ct)
{
	struct nf_conntrack_tuple *t;

	memset(ct, 0, sizeof(*ct));
	spin_lock_init(&ct->lock);
	/* The table's reference and the test's (a packet's), so nf_ct_kill() never frees it: it is
	 * not in the table and not from the cache. */
	atomic_set(&ct->use, 2);
	t = &ct->tuplehash[ORIG].tuple;
	t->src.u3.ip = CLIENT_ADDR;
	t->src.u.tcp.port = htons(CLIENT_PORT);
	t->src.l3num = NFPROTO_IPV4;
	t->dst.u3.ip = SERVER_ADDR;
	t->dst.u.tcp.port = htons(SERVER_PORT);
	t->dst.protonum = IPPROTO_TCP;
	t->dst.dir = ORIG;
	t = &ct->tuplehash[REPLY].tuple;
	t->src.u3.ip = SERVER_ADDR;
	t->src.u.tcp.port = htons(SERVER_PORT);
	t->src.l3num = NFPROTO_IPV4;
	t->dst.u3.ip = CLIENT_ADDR;
	t->dst.u.tcp.port = htons(CLIENT_PORT);
	t->dst.protonum = IPPROTO_TCP;
	t->dst.dir = REPLY;
}

/* An skb holding the IPv4 packet of s in direction dir, data at the IP header. */
static struct sk_buff *seg_skb(enum ip_conntrack_dir dir, const struct seg *s)
{
	unsigned int tcplen = sizeof(struct tcphdr) + s->optlen + s->paylen;
	struct sk_buff *skb = alloc_skb(SKB_MAX_HEAD);
	struct iphdr *iph;
	struct tcphdr *th;
	u8 *p;

	if (!skb)
		return NULL;
	p = skb_put(skb, sizeof(*iph) + tcplen);
	memset(p, 0, sizeof(*iph) + tcplen);
	skb_reset_network_header(skb);
	iph = (struct iphdr *)p;
	iph->ihl_version = 0x45;
	iph->tot_len = htons(sizeof(*iph) + tcplen);
	iph->ttl = 64;
	iph->protocol = IPPROTO_TCP;
	iph->saddr = dir == ORIG ? CLIENT_ADDR : SERVER_ADDR;
	iph->daddr = dir == ORIG ? SERVER_ADDR : CLIENT_ADDR;
	iph->check = htons(csum_fold(csum_partial(iph, sizeof(*iph), 0)));

	th = (struct tcphdr *)(p + sizeof(*iph));
	th->source = htons(dir == ORIG ? CLIENT_PORT : SERVER_PORT);
	th->dest = htons(dir == ORIG ? SERVER_PORT : CLIENT_PORT);
	th->seq = htonl(s->seq);
	th->ack_seq = htonl(s->ack);
	th->doff_res = ((sizeof(struct tcphdr) + s->optlen) / 4) << 4;
	th->flags = s->flags;
	th->window = htons(s->win);
	if (s->optlen)
		memcpy(th + 1, s->opts, s->optlen);
	memset((u8 *)(th + 1) + s->optlen, 'x', s->paylen);
	th->check = htons(csum_fold(csum_partial(
		th, tcplen, csum_tcpudp_nofold(iph->saddr, iph->daddr, tcplen, IPPROTO_TCP, 0))));
	if (s->bad_csum)
		th->check ^= htons(0x0101);
	skb->ip_summed = CHECKSUM_NONE;
	return skb;
}

/*
 * One packet through the tracker as the conntrack core would pass it: the
 * tracker's verdict, or -1000 if no skb could be had.
 */
static int ct_rcv_hook(struct nf_conn *ct, enum ip_conntrack_dir dir, const struct seg *s,
		       const struct nf_hook_state *state)
{
	struct sk_buff *skb = seg_skb(dir, s);
	enum ip_conntrack_info ctinfo;
	int ret;

	if (!skb)
		return -1000;
	if (dir == REPLY)
		ctinfo = IP_CT_ESTABLISHED_REPLY;
	else
		ctinfo = (ct->status & IPS_SEEN_REPLY) ? IP_CT_ESTABLISHED : IP_CT_NEW;
	ret = nf_conntrack_tcp_packet(ct, skb, sizeof(struct iphdr), ctinfo, state);
	consume_skb(skb);
	if (ret > 0 && !nf_ct_is_confirmed(ct)) {
		/* nf_conntrack_confirm(): the relative timeout becomes absolute. */
		ct->timeout += nfct_time_stamp();
		set_bit(IPS_CONFIRMED_BIT, &ct->status);
	}
	if (ret > 0 && dir == REPLY && !test_and_set_bit(IPS_SEEN_REPLY_BIT, &ct->status))
		nf_conntrack_event_cache(IPCT_REPLY, ct);
	return ret;
}

static int ct_rcv(struct nf_conn *ct, enum ip_conntrack_dir dir, const struct seg *s)
{
	return ct_rcv_hook(ct, dir, s, &pre_routing);
}

#define SEG(...) (&(const struct seg){ __VA_ARGS__ })

/* The timeout is secs seconds from now (a jiffy may pass while the test runs). */
static bool expires_in(const struct nf_conn *ct, u32 secs)
{
	s32 left = nf_ct_expires(ct);

	return left <= (s32)(secs * HZ) && left >= (s32)(secs * HZ) - 2;
}

static u16 take_events(struct nf_conn *ct)
{
	u16 ev = ct->ecache;

	ct->ecache = 0;
	return ev;
}

#define EV(e) (1U << (e))

/* Client ISN, server ISN. */
#define CISN 1000000u
#define SISN 0xfffff000u /* wraps during the test */

/* SYN, SYN/ACK, ACK: an ESTABLISHED, ASSURED entry with windows of win (no scaling). */
static const char *handshake(struct nf_conn *ct, u16 win)
{
	ct_init(ct);
	CHECK(ct_rcv(ct, ORIG, SEG(.flags = SYN, .seq = CISN, .win = win)) == NF_ACCEPT);
	CHECK(ct_rcv(ct, REPLY,
		     SEG(.flags = SYN | ACK, .seq = SISN, .ack = CISN + 1, .win = win)) ==
	      NF_ACCEPT);
	CHECK(ct_rcv(ct, ORIG, SEG(.flags = ACK, .seq = CISN + 1, .ack = SISN + 1, .win = win)) ==
	      NF_ACCEPT);
	CHECK(ct->proto.tcp.state == TCP_CONNTRACK_ESTABLISHED);
	CHECK(ct->status & IPS_ASSURED);
	take_events(ct);
	return NULL;
}

static const char *handshake_close_checks(void)
{
	struct nf_conn *ct = &test_ct;

	ct_init(ct);
	CHECK(ct_rcv(ct, ORIG, SEG(.flags = SYN, .seq = CISN, .win = 64240)) == NF_ACCEPT);
	CHECK(ct->proto.tcp.state == TCP_CONNTRACK_SYN_SENT);
	CHECK(take_events(ct) == EV(IPCT_PROTOINFO));
	CHECK(expires_in(ct, 120));
	CHECK(ct->proto.tcp.seen[0].td_end == CISN + 1);

	CHECK(ct_rcv(ct, REPLY,
		     SEG(.flags = SYN | ACK, .seq = SISN, .ack = CISN + 1, .win = 65160)) ==
	      NF_ACCEPT);
	CHECK(ct->proto.tcp.state == TCP_CONNTRACK_SYN_RECV);
	CHECK(take_events(ct) == (EV(IPCT_PROTOINFO) | EV(IPCT_REPLY)));
	CHECK(expires_in(ct, 60));
	CHECK(!(ct->status & IPS_ASSURED));

	CHECK(ct_rcv(ct, ORIG, SEG(.flags = ACK, .seq = CISN + 1, .ack = SISN + 1, .win = 502)) ==
	      NF_ACCEPT);
	CHECK(ct->proto.tcp.state == TCP_CONNTRACK_ESTABLISHED);
	CHECK(ct->status & IPS_ASSURED);
	CHECK(take_events(ct) == (EV(IPCT_PROTOINFO) | EV(IPCT_ASSURED)));
	CHECK(expires_in(ct, 5 * 24 * 3600));

	/* 100 bytes not yet acknowledged: the UNACK timeout; acknowledged: days again. */
	CHECK(ct_rcv(ct, ORIG,
		     SEG(.flags = ACK | PSH, .seq = CISN + 1, .ack = SISN + 1, .win = 502,
			 .paylen = 100)) == NF_ACCEPT);
	CHECK(expires_in(ct, 300));
	CHECK(take_events(ct) == 0);
	CHECK(ct_rcv(ct, REPLY,
		     SEG(.flags = ACK, .seq = SISN + 1, .ack = CISN + 101, .win = 509)) ==
	      NF_ACCEPT);
	CHECK(expires_in(ct, 5 * 24 * 3600));

	/* The client closes first. */
	CHECK(ct_rcv(ct, ORIG,
		     SEG(.flags = FIN | ACK, .seq = CISN + 101, .ack = SISN + 1, .win = 502)) ==
	      NF_ACCEPT);
	CHECK(ct->proto.tcp.state == TCP_CONNTRACK_FIN_WAIT);
	CHECK(ct->proto.tcp.seen[0].flags & IP_CT_TCP_FLAG_CLOSE_INIT);
	CHECK(take_events(ct) == EV(IPCT_PROTOINFO));
	CHECK(expires_in(ct, 120));
	CHECK(ct_rcv(ct, REPLY,
		     SEG(.flags = ACK, .seq = SISN + 1, .ack = CISN + 102, .win = 509)) ==
	      NF_ACCEPT);
	CHECK(ct->proto.tcp.state == TCP_CONNTRACK_CLOSE_WAIT);
	CHECK(expires_in(ct, 60));
	CHECK(ct_rcv(ct, REPLY,
		     SEG(.flags = FIN | ACK, .seq = SISN + 1, .ack = CISN + 102, .win = 509)) ==
	      NF_ACCEPT);
	CHECK(ct->proto.tcp.state == TCP_CONNTRACK_LAST_ACK);
	CHECK(expires_in(ct, 30));
	CHECK(ct_rcv(ct, ORIG, SEG(.flags = ACK, .seq = CISN + 102, .ack = SISN + 2, .win = 502)) ==
	      NF_ACCEPT);
	CHECK(ct->proto.tcp.state == TCP_CONNTRACK_TIME_WAIT);
	CHECK(expires_in(ct, 120));
	take_events(ct);

	/* A new SYN on TIME_WAIT: the entry is killed and the packet looked up again. */
	CHECK(ct_rcv(ct, ORIG, SEG(.flags = SYN, .seq = CISN + 5000, .win = 64240)) == -NF_REPEAT);
	CHECK(ct->status & IPS_DYING);
	CHECK(ct->proto.tcp.state == TCP_CONNTRACK_TIME_WAIT);
	return NULL;
}

/* Both sides send a SYN: SYN_SENT, SYN_SENT2, SYN_RECV, then ESTABLISHED on the reply's ACK. */
static const char *simultaneous_open_checks(void)
{
	struct nf_conn *ct = &test_ct;

	ct_init(ct);
	CHECK(ct_rcv(ct, ORIG, SEG(.flags = SYN, .seq = CISN, .win = 1000)) == NF_ACCEPT);
	CHECK(ct->proto.tcp.state == TCP_CONNTRACK_SYN_SENT);
	CHECK(ct_rcv(ct, REPLY, SEG(.flags = SYN, .seq = SISN, .win = 1000)) == NF_ACCEPT);
	CHECK(ct->proto.tcp.state == TCP_CONNTRACK_SYN_SENT2);
	CHECK(ct->proto.tcp.last_flags & IP_CT_TCP_SIMULTANEOUS_OPEN);
	CHECK(ct_rcv(ct, ORIG,
		     SEG(.flags = SYN | ACK, .seq = CISN, .ack = SISN + 1, .win = 1000)) ==
	      NF_ACCEPT);
	CHECK(ct->proto.tcp.state == TCP_CONNTRACK_SYN_RECV);
	/* The reply's SYN/ACK in SYN_RECV is ignored. */
	CHECK(ct_rcv(ct, REPLY,
		     SEG(.flags = SYN | ACK, .seq = SISN, .ack = CISN + 1, .win = 1000)) ==
	      NF_ACCEPT);
	CHECK(ct->proto.tcp.state == TCP_CONNTRACK_SYN_RECV);
	take_events(ct);
	CHECK(ct_rcv(ct, REPLY, SEG(.flags = ACK, .seq = SISN + 1, .ack = CISN + 1, .win = 1000)) ==
	      NF_ACCEPT);
	CHECK(ct->proto.tcp.state == TCP_CONNTRACK_ESTABLISHED);
	CHECK(ct->status & IPS_ASSURED);
	CHECK(take_events(ct) == (EV(IPCT_PROTOINFO) | EV(IPCT_ASSURED)));
	return NULL;
}

/*
 * Linux's tcp_conntracks table as it reads, one row per (direction, flags):
 * the new state from NO, SS, SR, ES, FW, CW, LA, TW, CL, S2.
 */
static const char *const linux_table[2][5] = {
	{
		"SS SS IG IG IG IG IG SS SS S2", /* ORIGINAL syn */
		"IV IV SR IV IV IV IV IV IV SR", /* synack */
		"IV IV FW FW LA LA LA TW CL IV", /* fin */
		"ES IV ES ES CW CW TW TW CL IV", /* ack */
		"IV CL CL CL CL CL CL CL CL CL", /* rst */
	},
	{
		"IV S2 IV IV IV IV IV SS IV S2", /* REPLY syn */
		"IV SR IG IG IG IG IG IG IG SR", /* synack */
		"IV IV FW FW LA LA LA TW CL IV", /* fin */
		"IV IG SR ES CW CW TW TW CL IG", /* ack */
		"IV CL CL CL CL CL CL CL CL CL", /* rst */
	},
};

static const char *const state_codes[] = { "NO", "SS", "SR", "ES", "FW",
					   "CW", "LA", "TW", "CL", "S2" };

/* The state of a two-letter code; TCP_CONNTRACK_MAX for IV, TCP_CONNTRACK_IGNORE for IG. */
static unsigned int table_state(const char *code)
{
	unsigned int i;

	if (!strncmp(code, "IV", 2))
		return TCP_CONNTRACK_MAX;
	if (!strncmp(code, "IG", 2))
		return TCP_CONNTRACK_IGNORE;
	for (i = 0; i < ARRAY_SIZE(state_codes); i++)
		if (!strncmp(code, state_codes[i], 2))
			return i;
	return ~0U;
}

static const u8 class_flags[5] = { SYN, SYN | ACK, FIN | ACK, ACK, RST };

static char table_why[96];

/*
 * Every reachable cell: an entry put in the old state with both directions
 * liberal (so the window check cannot interfere), a packet of the class, and
 * the outcome Linux gives: IV invalid and unchanged, IG accepted and
 * unchanged, SS from TIME_WAIT or CLOSE a kill and -NF_REPEAT (an endpoint
 * closed: CLOSE_INIT), else accepted in the new state. NONE is reached only by
 * a new entry's first packet (ORIGINAL); the "none" row is unreachable, as no
 * valid flag combination lacks SYN, FIN, ACK and RST (see the flags test).
 */
static const char *transition_checks(void)
{
	struct nf_conn *ct = &test_ct;
	unsigned int dir, cls, old, cells = 0;

	for (dir = 0; dir < 2; dir++) {
		for (cls = 0; cls < 5; cls++) {
			const char *row = linux_table[dir][cls];

			for (old = 0; old < TCP_CONNTRACK_MAX; old++) {
				unsigned int want = table_state(row + 3 * old), got_state;
				int want_ret = NF_ACCEPT, ret;
				bool kill = false;

				if (old == TCP_CONNTRACK_NONE && dir == REPLY)
					continue;
				ct_init(ct);
				if (old != TCP_CONNTRACK_NONE) {
					ct->status = IPS_CONFIRMED | IPS_SEEN_REPLY | IPS_ASSURED;
					ct->timeout = nfct_time_stamp() + 100 * HZ;
					ct->proto.tcp.state = old;
					ct->proto.tcp.last_index = 5; /* TCP_NONE_SET */
					ct->proto.tcp.seen[0].flags = IP_CT_TCP_FLAG_BE_LIBERAL |
								      IP_CT_TCP_FLAG_CLOSE_INIT;
					ct->proto.tcp.seen[1].flags = IP_CT_TCP_FLAG_BE_LIBERAL;
				}
				if (want == TCP_CONNTRACK_MAX) {
					want_ret = -NF_ACCEPT;
					want = old;
				} else if (want == TCP_CONNTRACK_IGNORE) {
					want = old;
				} else if (want == TCP_CONNTRACK_SYN_SENT &&
					   old >= TCP_CONNTRACK_TIME_WAIT) {
					want_ret = -NF_REPEAT;
					want = old;
					kill = true;
				}
				ret = ct_rcv(ct, dir,
					     SEG(.flags = class_flags[cls], .seq = 5000,
						 .ack = 7000, .win = 1000));
				got_state = ct->proto.tcp.state;
				if (ret != want_ret || got_state != want ||
				    !!(ct->status & IPS_DYING) != kill) {
					snprintf(table_why, sizeof(table_why),
						 "dir %u flags %#x from %s: %d %s, want %d %s", dir,
						 class_flags[cls], state_codes[old], ret,
						 state_codes[got_state % TCP_CONNTRACK_MAX],
						 want_ret, state_codes[want % TCP_CONNTRACK_MAX]);
					return table_why;
				}
				cells++;
			}
		}
	}
	CHECK(cells == 2 * 5 * 10 - 5);
	return NULL;
}

/* RSTs on an ESTABLISHED entry: below the acknowledged sequence invalid, exact closes, else kept.
 */
static const char *rst_checks(void)
{
	struct nf_conn *ct = &test_ct;
	const char *why;

	if ((why = handshake(ct, 1000)))
		return why;
	/* The server acknowledged CISN + 1: a client RST below it is invalid. */
	CHECK(ct_rcv(ct, ORIG, SEG(.flags = RST, .seq = CISN - 10)) == -NF_ACCEPT);
	CHECK(ct->proto.tcp.state == TCP_CONNTRACK_ESTABLISHED);
	/* In the window but not exact: the state stays for a challenge ACK, the timeout is CLOSE's.
	 */
	CHECK(ct_rcv(ct, ORIG, SEG(.flags = RST, .seq = CISN + 10)) == NF_ACCEPT);
	CHECK(ct->proto.tcp.state == TCP_CONNTRACK_ESTABLISHED);
	CHECK(expires_in(ct, 10));
	CHECK(take_events(ct) == 0);
	/* Exactly at the acknowledged sequence: CLOSE. */
	CHECK(ct_rcv(ct, ORIG, SEG(.flags = RST, .seq = CISN + 1)) == NF_ACCEPT);
	CHECK(ct->proto.tcp.state == TCP_CONNTRACK_CLOSE);
	CHECK(take_events(ct) == EV(IPCT_PROTOINFO));
	CHECK(expires_in(ct, 10));
	CHECK(!(ct->status & IPS_DYING));
	/* Beyond the window: invalid. */
	if ((why = handshake(ct, 1000)))
		return why;
	CHECK(ct_rcv(ct, ORIG, SEG(.flags = RST | ACK, .seq = CISN + 100000, .ack = SISN + 1)) ==
	      -NF_ACCEPT);
	CHECK(ct->proto.tcp.state == TCP_CONNTRACK_ESTABLISHED);

	/* The only answer to a SYN is a RST: the entry is killed at once. */
	ct_init(ct);
	CHECK(ct_rcv(ct, ORIG, SEG(.flags = SYN, .seq = CISN, .win = 1000)) == NF_ACCEPT);
	CHECK(ct_rcv(ct, REPLY, SEG(.flags = RST | ACK, .seq = 0, .ack = CISN + 1)) == NF_ACCEPT);
	CHECK(ct->proto.tcp.state == TCP_CONNTRACK_CLOSE);
	CHECK(ct->status & IPS_DYING);
	/* A RST with a wrong ack for the SYN: out of the window, the entry stays. */
	ct_init(ct);
	CHECK(ct_rcv(ct, ORIG, SEG(.flags = SYN, .seq = CISN, .win = 1000)) == NF_ACCEPT);
	CHECK(ct_rcv(ct, REPLY, SEG(.flags = RST | ACK, .seq = 0, .ack = CISN + 7)) == -NF_ACCEPT);
	CHECK(ct->proto.tcp.state == TCP_CONNTRACK_SYN_SENT);
	CHECK(!(ct->status & IPS_DYING));
	return NULL;
}

static const u8 opt_wscale7[] = { 1, 3, 3, 7 }; /* NOP, WS 7 */
static const u8 opt_mss_sackperm_wscale7[] = {
	2, 4, 5, 180, 4, 2, 1, 1, 1, 3, 3, 7
}; /* MSS, SACKOK, NOP, NOP, NOP, WS 7 */

/* The window check: the upper bound, and window scaling when both sides offer it. */
static const char *window_checks(void)
{
	struct nf_conn *ct = &test_ct;
	const char *why;
	u32 maxend;

	if ((why = handshake(ct, 1000)))
		return why;
	/* The server allows 1000 bytes from CISN + 1. */
	maxend = ct->proto.tcp.seen[0].td_maxend;
	CHECK(maxend == CISN + 1 + 1000);
	CHECK(ct_rcv(ct, ORIG,
		     SEG(.flags = ACK, .seq = CISN + 1 + 5000, .ack = SISN + 1, .win = 1000,
			 .paylen = 10)) == -NF_ACCEPT);
	CHECK(ct_rcv(ct, ORIG,
		     SEG(.flags = ACK, .seq = CISN + 1 + 900, .ack = SISN + 1, .win = 1000,
			 .paylen = 10)) == NF_ACCEPT);
	CHECK(ct->proto.tcp.seen[0].td_end == CISN + 1 + 910);
	/* An ACK of data the client never sent: over the upper bound. */
	CHECK(ct_rcv(ct, REPLY,
		     SEG(.flags = ACK, .seq = SISN + 1, .ack = CISN + 5000, .win = 1000)) ==
	      -NF_ACCEPT);
	/* Already acknowledged data again (under the lower bound): ignored, not invalid. */
	CHECK(ct_rcv(ct, ORIG,
		     SEG(.flags = ACK, .seq = CISN + 1 - 200000, .ack = SISN + 1, .win = 1000,
			 .paylen = 10)) == NF_ACCEPT);

	/* Both offer scale 7: a window of 1000 means 128000 bytes. */
	ct_init(ct);
	CHECK(ct_rcv(ct, ORIG,
		     SEG(.flags = SYN, .seq = CISN, .win = 64240, .opts = opt_mss_sackperm_wscale7,
			 .optlen = sizeof(opt_mss_sackperm_wscale7))) == NF_ACCEPT);
	CHECK(ct->proto.tcp.seen[0].td_scale == 7);
	CHECK(ct->proto.tcp.seen[0].flags & IP_CT_TCP_FLAG_SACK_PERM);
	CHECK(ct_rcv(ct, REPLY,
		     SEG(.flags = SYN | ACK, .seq = SISN, .ack = CISN + 1, .win = 65160,
			 .opts = opt_wscale7, .optlen = sizeof(opt_wscale7))) == NF_ACCEPT);
	CHECK(ct->proto.tcp.seen[1].td_scale == 7);
	CHECK(ct_rcv(ct, ORIG, SEG(.flags = ACK, .seq = CISN + 1, .ack = SISN + 1, .win = 1000)) ==
	      NF_ACCEPT);
	CHECK(ct_rcv(ct, REPLY, SEG(.flags = ACK, .seq = SISN + 1, .ack = CISN + 1, .win = 1000)) ==
	      NF_ACCEPT);
	CHECK(ct->proto.tcp.seen[0].td_maxend == CISN + 1 + (1000 << 7));
	CHECK(ct_rcv(ct, ORIG,
		     SEG(.flags = ACK, .seq = CISN + 1 + 100000, .ack = SISN + 1, .win = 1000,
			 .paylen = 10)) == NF_ACCEPT);

	/* Only the client offers it: no scaling either way. */
	ct_init(ct);
	CHECK(ct_rcv(ct, ORIG,
		     SEG(.flags = SYN, .seq = CISN, .win = 64240, .opts = opt_wscale7,
			 .optlen = sizeof(opt_wscale7))) == NF_ACCEPT);
	CHECK(ct_rcv(ct, REPLY,
		     SEG(.flags = SYN | ACK, .seq = SISN, .ack = CISN + 1, .win = 1000)) ==
	      NF_ACCEPT);
	CHECK(ct->proto.tcp.seen[0].td_scale == 0 && ct->proto.tcp.seen[1].td_scale == 0);
	CHECK(ct_rcv(ct, ORIG, SEG(.flags = ACK, .seq = CISN + 1, .ack = SISN + 1, .win = 1000)) ==
	      NF_ACCEPT);
	CHECK(ct_rcv(ct, REPLY, SEG(.flags = ACK, .seq = SISN + 1, .ack = CISN + 1, .win = 1000)) ==
	      NF_ACCEPT);
	CHECK(ct_rcv(ct, ORIG,
		     SEG(.flags = ACK, .seq = CISN + 1 + 100000, .ack = SISN + 1, .win = 1000,
			 .paylen = 10)) == -NF_ACCEPT);
	return NULL;
}

/* With tcp_loose an ACK starts an entry midstream, liberal, timed out as UNACK until a reply. */
static const char *midstream_checks(void)
{
	struct nf_conn *ct = &test_ct;
	int saved = nf_ct_tcp_loose;

	ct_init(ct);
	CHECK(ct_rcv(ct, ORIG,
		     SEG(.flags = ACK | PSH, .seq = 5000, .ack = 9000, .win = 500, .paylen = 50)) ==
	      NF_ACCEPT);
	CHECK(ct->proto.tcp.state == TCP_CONNTRACK_ESTABLISHED);
	CHECK(ct->proto.tcp.seen[0].flags & IP_CT_TCP_FLAG_BE_LIBERAL);
	CHECK(ct->proto.tcp.seen[1].flags & IP_CT_TCP_FLAG_BE_LIBERAL);
	CHECK(ct->proto.tcp.seen[0].flags & IP_CT_TCP_FLAG_SACK_PERM);
	CHECK(ct->proto.tcp.seen[0].td_end == 5050);
	CHECK(ct->proto.tcp.seen[0].td_maxend == 5050 + 500);
	CHECK(take_events(ct) == EV(IPCT_PROTOINFO));
	CHECK(expires_in(ct, 300));
	CHECK(!(ct->status & IPS_ASSURED));
	/* A pure ACK with no reply yet: still 300 s, not 5 days. */
	CHECK(ct_rcv(ct, ORIG, SEG(.flags = ACK, .seq = 5050, .ack = 9000, .win = 500)) ==
	      NF_ACCEPT);
	CHECK(expires_in(ct, 300));
	/* A FIN of the picked-up side. */
	CHECK(ct_rcv(ct, ORIG, SEG(.flags = FIN | ACK, .seq = 5050, .ack = 9000, .win = 500)) ==
	      NF_ACCEPT);
	CHECK(ct->proto.tcp.state == TCP_CONNTRACK_FIN_WAIT);
	CHECK(!(ct->status & IPS_ASSURED));

	/* The reply, then the next packet: ASSURED (a valid answer to a picked-up connection). */
	ct_init(ct);
	CHECK(ct_rcv(ct, ORIG, SEG(.flags = ACK, .seq = 5000, .ack = 9000, .win = 500)) ==
	      NF_ACCEPT);
	CHECK(ct_rcv(ct, REPLY, SEG(.flags = ACK, .seq = 9000, .ack = 5000, .win = 500)) ==
	      NF_ACCEPT);
	CHECK(!(ct->status & IPS_ASSURED));
	CHECK(ct->status & IPS_SEEN_REPLY);
	take_events(ct);
	CHECK(ct_rcv(ct, ORIG, SEG(.flags = ACK, .seq = 5000, .ack = 9000, .win = 501)) ==
	      NF_ACCEPT);
	CHECK(ct->status & IPS_ASSURED);
	CHECK(take_events(ct) == EV(IPCT_ASSURED));
	CHECK(expires_in(ct, 5 * 24 * 3600));

	/* Without tcp_loose nothing but a SYN starts an entry. */
	nf_ct_tcp_loose = 0;
	ct_init(ct);
	if (ct_rcv(ct, ORIG, SEG(.flags = ACK, .seq = 5000, .ack = 9000, .win = 500)) !=
	    -NF_ACCEPT) {
		nf_ct_tcp_loose = saved;
		return "loose=0: ACK on a new entry not refused";
	}
	ct_init(ct);
	if (ct_rcv(ct, ORIG, SEG(.flags = SYN, .seq = 5000, .win = 500)) != NF_ACCEPT) {
		nf_ct_tcp_loose = saved;
		return "loose=0: SYN refused";
	}
	nf_ct_tcp_loose = saved;
	CHECK(nf_ct_tcp_parse_option("nf_conntrack_tcp_loose=0", 24) && nf_ct_tcp_loose == 0);
	CHECK(nf_ct_tcp_parse_option("nf_conntrack_tcp_loose=1", 24) && nf_ct_tcp_loose == 1);
	CHECK(!nf_ct_tcp_parse_option("nf_conntrack_tcp_loosely=1", 26));
	return NULL;
}

/* Checksums are checked at PRE_ROUTING only, and only with nf_conntrack_checksum. */
static const char *checksum_checks(void)
{
	struct nf_conn *ct = &test_ct;
	int saved = nf_conntrack_checksum;

	ct_init(ct);
	CHECK(ct_rcv(ct, ORIG, SEG(.flags = SYN, .seq = CISN, .win = 1000, .bad_csum = true)) ==
	      -NF_ACCEPT);
	CHECK(!nf_ct_is_confirmed(ct));
	CHECK(ct_rcv_hook(ct, ORIG, SEG(.flags = SYN, .seq = CISN, .win = 1000, .bad_csum = true),
			  &local_out) == NF_ACCEPT);
	CHECK(ct->proto.tcp.state == TCP_CONNTRACK_SYN_SENT);
	nf_conntrack_checksum = 0;
	ct_init(ct);
	if (ct_rcv(ct, ORIG, SEG(.flags = SYN, .seq = CISN, .win = 1000, .bad_csum = true)) !=
	    NF_ACCEPT) {
		nf_conntrack_checksum = saved;
		return "checksum=0: bad checksum refused";
	}
	nf_conntrack_checksum = saved;

	/* Truncated: a data offset below 5 words, or beyond the packet. */
	ct_init(ct);
	{
		struct sk_buff *skb = seg_skb(ORIG, SEG(.flags = SYN, .seq = CISN, .win = 1000));
		struct tcphdr *th;
		int ret;

		CHECK(skb);
		th = (struct tcphdr *)(skb->data + sizeof(struct iphdr));
		th->doff_res = 4 << 4;
		ret = nf_conntrack_tcp_packet(ct, skb, sizeof(struct iphdr), IP_CT_NEW, &local_out);
		th->doff_res = 6 << 4;
		if (ret == -NF_ACCEPT)
			ret = nf_conntrack_tcp_packet(ct, skb, sizeof(struct iphdr), IP_CT_NEW,
						      &local_out);
		consume_skb(skb);
		CHECK(ret == -NF_ACCEPT);
	}
	return NULL;
}

/* Linux's tcp_valid_flags, written out: the valid combinations once PSH, ECE and CWR are ignored.
 */
static bool linux_valid_flags(u8 flags)
{
	static const u8 valid[] = { SYN,       SYN | URG,	SYN | ACK, RST,	     RST | ACK,
				    FIN | ACK, FIN | ACK | URG, ACK,	   ACK | URG };
	unsigned int i;

	flags &= ~(PSH | ECE | CWR);
	for (i = 0; i < ARRAY_SIZE(valid); i++)
		if (flags == valid[i])
			return true;
	return false;
}

static char flags_why[64];

/*
 * All 256 flag bytes on an ESTABLISHED liberal entry, each sent where its
 * class is accepted (a SYN/ACK in REPLY, the rest in ORIGINAL): only the
 * invalid combinations are refused.
 */
static const char *flags_checks(void)
{
	struct nf_conn *ct = &test_ct;
	unsigned int f, valid = 0;

	for (f = 0; f < 256; f++) {
		bool synack = (f & (SYN | ACK | RST)) == (SYN | ACK);
		int ret;

		ct_init(ct);
		ct->status = IPS_CONFIRMED | IPS_SEEN_REPLY | IPS_ASSURED;
		ct->timeout = nfct_time_stamp() + 100 * HZ;
		ct->proto.tcp.state = TCP_CONNTRACK_ESTABLISHED;
		ct->proto.tcp.last_index = 5;
		ct->proto.tcp.seen[0].flags = IP_CT_TCP_FLAG_BE_LIBERAL;
		ct->proto.tcp.seen[1].flags = IP_CT_TCP_FLAG_BE_LIBERAL;
		ret = ct_rcv(ct, synack ? REPLY : ORIG,
			     SEG(.flags = f, .seq = 5000, .ack = 7000, .win = 1000));
		if ((ret == NF_ACCEPT) != linux_valid_flags(f) ||
		    (ret != NF_ACCEPT && ret != -NF_ACCEPT)) {
			snprintf(flags_why, sizeof(flags_why), "flags %#x: verdict %d", f, ret);
			return flags_why;
		}
		valid += ret == NF_ACCEPT;
	}
	CHECK(valid == 9 * 8); /* each valid combination with any PSH, ECE, CWR */
	return NULL;
}

/* The same ACK max_retrans times more: the RETRANS timeout; a zero window too. */
static const char *retrans_checks(void)
{
	struct nf_conn *ct = &test_ct;
	const char *why;
	unsigned int i;

	if ((why = handshake(ct, 1000)))
		return why;
	for (i = 0; i < 3; i++) {
		CHECK(ct_rcv(ct, REPLY,
			     SEG(.flags = ACK, .seq = SISN + 1, .ack = CISN + 1, .win = 900)) ==
		      NF_ACCEPT);
		CHECK(ct->proto.tcp.retrans == i);
		CHECK(expires_in(ct, 5 * 24 * 3600));
	}
	CHECK(ct_rcv(ct, REPLY, SEG(.flags = ACK, .seq = SISN + 1, .ack = CISN + 1, .win = 900)) ==
	      NF_ACCEPT);
	CHECK(ct->proto.tcp.retrans == 3);
	CHECK(expires_in(ct, 300));
	/* Something new resets the count. */
	CHECK(ct_rcv(ct, ORIG, SEG(.flags = ACK, .seq = CISN + 1, .ack = SISN + 1, .win = 900)) ==
	      NF_ACCEPT);
	CHECK(ct->proto.tcp.retrans == 0);
	CHECK(expires_in(ct, 5 * 24 * 3600));
	/* A zero window advertised: RETRANS's timeout as well. */
	CHECK(ct_rcv(ct, REPLY, SEG(.flags = ACK, .seq = SISN + 1, .ack = CISN + 1, .win = 0)) ==
	      NF_ACCEPT);
	CHECK(expires_in(ct, 300));
	return NULL;
}

/* Packets the tracker lets through without a state change, and how it resynchronises. */
static const char *ignore_checks(void)
{
	struct nf_conn *ct = &test_ct;
	const char *why;

	/* A new SYN on an ESTABLISHED entry, answered by a SYN/ACK: SYN_RECV from the new numbers.
	 */
	if ((why = handshake(ct, 1000)))
		return why;
	CHECK(ct_rcv(ct, ORIG,
		     SEG(.flags = SYN, .seq = 77777, .win = 2000, .opts = opt_wscale7,
			 .optlen = sizeof(opt_wscale7))) == NF_ACCEPT);
	CHECK(ct->proto.tcp.state == TCP_CONNTRACK_ESTABLISHED);
	CHECK(ct->proto.tcp.last_index == 0 && ct->proto.tcp.last_end == 77778);
	CHECK(take_events(ct) == 0);
	CHECK(ct_rcv(ct, REPLY,
		     SEG(.flags = SYN | ACK, .seq = 4242, .ack = 77778, .win = 3000,
			 .opts = opt_wscale7, .optlen = sizeof(opt_wscale7))) == NF_ACCEPT);
	CHECK(ct->proto.tcp.state == TCP_CONNTRACK_SYN_RECV);
	CHECK(ct->proto.tcp.seen[0].td_end == 77778);
	CHECK(ct->proto.tcp.seen[1].td_end == 4243);
	CHECK(ct->proto.tcp.seen[0].td_scale == 7 && ct->proto.tcp.seen[1].td_scale == 7);
	CHECK(take_events(ct) == EV(IPCT_PROTOINFO));
	CHECK(ct_rcv(ct, ORIG, SEG(.flags = ACK, .seq = 77778, .ack = 4243, .win = 2000)) ==
	      NF_ACCEPT);
	CHECK(ct->proto.tcp.state == TCP_CONNTRACK_ESTABLISHED);

	/* LAST_ACK: a SYN let through, then the peer's challenge ACK does not end the connection.
	 */
	if ((why = handshake(ct, 1000)))
		return why;
	CHECK(ct_rcv(ct, ORIG,
		     SEG(.flags = FIN | ACK, .seq = CISN + 1, .ack = SISN + 1, .win = 1000)) ==
	      NF_ACCEPT);
	CHECK(ct_rcv(ct, REPLY,
		     SEG(.flags = FIN | ACK, .seq = SISN + 1, .ack = CISN + 2, .win = 1000)) ==
	      NF_ACCEPT);
	CHECK(ct->proto.tcp.state == TCP_CONNTRACK_LAST_ACK);
	CHECK(ct_rcv(ct, ORIG, SEG(.flags = SYN, .seq = CISN + 3000, .win = 1000)) == NF_ACCEPT);
	CHECK(ct->proto.tcp.last_flags & IP_CT_EXP_CHALLENGE_ACK);
	CHECK(ct_rcv(ct, REPLY, SEG(.flags = ACK, .seq = SISN + 2, .ack = CISN + 2, .win = 1000)) ==
	      NF_ACCEPT);
	CHECK(ct->proto.tcp.state == TCP_CONNTRACK_LAST_ACK);
	CHECK(!(ct->proto.tcp.last_flags & IP_CT_EXP_CHALLENGE_ACK));
	/* The real last ACK. */
	CHECK(ct_rcv(ct, ORIG, SEG(.flags = ACK, .seq = CISN + 2, .ack = SISN + 2, .win = 1000)) ==
	      NF_ACCEPT);
	CHECK(ct->proto.tcp.state == TCP_CONNTRACK_TIME_WAIT);
	return NULL;
}

static void selftest_nf_ct_tcp_run(void)
{
	static const struct {
		const char *name;
		const char *(*run)(void);
	} tests[] = {
		{ "nf_ct_tcp_handshake_close", handshake_close_checks },
		{ "nf_ct_tcp_simultaneous_open", simultaneous_open_checks },
		{ "nf_ct_tcp_transitions", transition_checks },
		{ "nf_ct_tcp_rst", rst_checks },
		{ "nf_ct_tcp_window", window_checks },
		{ "nf_ct_tcp_midstream", midstream_checks },
		{ "nf_ct_tcp_checksum", checksum_checks },
		{ "nf_ct_tcp_flags", flags_checks },
		{ "nf_ct_tcp_retrans", retrans_checks },
		{ "nf_ct_tcp_ignore", ignore_checks },
	};
	/* The expectations are for the default settings, whatever the command line said. */
	int loose = nf_ct_tcp_loose, liberal = nf_ct_tcp_be_liberal;
	int max_retrans = nf_ct_tcp_max_retrans, checksum = nf_conntrack_checksum;
	unsigned int i;

	nf_ct_tcp_loose = 1;
	nf_ct_tcp_be_liberal = 0;
	nf_ct_tcp_max_retrans = 3;
	nf_conntrack_checksum = 1;
	skb_pool_grow(4, 4);
	for (i = 0; i < ARRAY_SIZE(tests); i++) {
		const char *why = tests[i].run();

		selftest_report(tests[i].name, !why, "%s", why);
	}
	nf_ct_tcp_loose = loose;
	nf_ct_tcp_be_liberal = liberal;
	nf_ct_tcp_max_retrans = max_retrans;
	nf_conntrack_checksum = checksum;
}

DEFINE_SELFTEST(selftest_nf_ct_tcp, "nf_ct_tcp", selftest_nf_ct_tcp_run, 0);
