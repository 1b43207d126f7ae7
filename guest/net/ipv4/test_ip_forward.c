/*
 * IPv4 forwarding and filter-table self-tests ("ip_forward",
 * "iptable_filter"), on the boot CPU before the NIC is up: crafted frames go
 * through netif_receive_skb() to ip_rcv() on a test device whose
 * transmissions are captured (its start_xmit keeps the frames), with a test
 * configuration (192.0.2.1/24, default gateway 192.0.2.254, 203.0.113.0/24
 * via 192.0.2.253, ip_forward=1, permanent neighbours) that replaces the
 * command line's for the test and is put back afterwards.
 */

#include "checksum.h"
#include "icmp.h"
#include "ip.h"
#include "ip_tables.h"
#include "kernel.h"
#include "neighbour.h"
#include "netdevice.h"
#include "netfilter.h"
#include "nf_conntrack.h"
#include "route.h"
#include "selftest.h"
#include "snmp.h"
#include "string.h"

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond))                                                                       \
			return #cond;                                                              \
	} while (0)

#define OWN_ADDR 0xc0000201   /* 192.0.2.1/24, host order */
#define GW_A 0xc00002fe	      /* 192.0.2.254: the default gateway */
#define GW_B 0xc00002fd	      /* 192.0.2.253: 203.0.113.0/24 */
#define ONLINK 0xc000024d     /* 192.0.2.77: a host on our link */
#define REMOTE 0x0a090909     /* 10.9.9.9: a sender behind the default gateway */
#define FAR_DST 0xc6120005    /* 198.18.0.5: by the default route */
#define ROUTED_DST 0xcb007107 /* 203.0.113.7: by the /24 route */

static const u8 test_mac[ETH_ALEN] = { 0x02, 0x00, 0x00, 0x00, 0x01, 0x01 };
static const u8 mac_a[ETH_ALEN] = { 0x02, 0x00, 0x00, 0x00, 0x0a, 0x0a };
static const u8 mac_b[ETH_ALEN] = { 0x02, 0x00, 0x00, 0x00, 0x0b, 0x0b };
static const u8 mac_c[ETH_ALEN] = { 0x02, 0x00, 0x00, 0x00, 0x0c, 0x0c };
static const u8 bcast_mac[ETH_ALEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

#define MAX_SENT 8
static struct sk_buff *sent[MAX_SENT]; /* what the test device transmitted, in order */
static unsigned int nr_sent;

static int fwd_test_xmit(struct sk_buff *skb, struct net_device *dev)
{
	if (nr_sent < MAX_SENT)
		sent[nr_sent++] = skb;
	else
		consume_skb(skb);
	return 0;
}

static void sent_clear(void)
{
	while (nr_sent)
		consume_skb(sent[--nr_sent]);
}

static struct net_device fwd_dev = {
	.name = "test1",
	.mtu = ETH_DATA_LEN,
	.num_rx_queues = 4,
	.num_tx_queues = 4,
	.carrier = true,
	.start_xmit = fwd_test_xmit,
};

static struct packet_type fwd_ip_type = { .type = ETH_P_IP, .func = ip_rcv };

/* A received frame: Ethernet header to dst from the peer, then the IPv4 packet in ip[]. */
struct fwd_frame {
	u8 buf[256];
	unsigned int len;
	struct iphdr *iph;
	unsigned int ip_len;
};

static struct iphdr *fwd_frame_build(struct fwd_frame *f, const u8 *dst, u32 saddr, u32 daddr,
				     u8 ttl, u8 protocol, unsigned int payload_len)
{
	struct iphdr *iph;
	unsigned int i;

	memcpy(f->buf, dst, ETH_ALEN);
	memcpy(f->buf + ETH_ALEN, mac_a, ETH_ALEN);
	f->buf[12] = ETH_P_IP >> 8;
	f->buf[13] = ETH_P_IP & 0xff;
	iph = (struct iphdr *)(f->buf + ETH_HLEN);
	memset(iph, 0, sizeof(*iph));
	iph->ihl_version = 0x45;
	iph->tot_len = htons(20 + payload_len);
	iph->id = htons(0x4242);
	iph->ttl = ttl;
	iph->protocol = protocol;
	iph->saddr = htonl(saddr);
	iph->daddr = htonl(daddr);
	for (i = 0; i < payload_len; i++)
		f->buf[ETH_HLEN + 20 + i] = (u8)(i * 7 + 1);
	if (protocol == IPPROTO_UDP || protocol == IPPROTO_TCP) {
		/* Ports 1000 -> 53 (udp) or 1000 -> 80 (tcp). */
		f->buf[ETH_HLEN + 20] = 1000 >> 8;
		f->buf[ETH_HLEN + 21] = 1000 & 0xff;
		f->buf[ETH_HLEN + 22] = 0;
		f->buf[ETH_HLEN + 23] = protocol == IPPROTO_UDP ? 53 : 80;
	}
	ip_send_check(iph);
	f->iph = iph;
	f->ip_len = 20 + payload_len;
	f->len = ETH_HLEN + f->ip_len;
	return iph;
}

static void fwd_frame_rcv(const struct fwd_frame *f, u16 queue, unsigned long nfct)
{
	struct sk_buff *skb = alloc_skb(SKB_MAX_HEAD);

	if (!skb)
		return;
	skb_reserve(skb, 2);
	memcpy(skb_put(skb, f->len), f->buf, f->len);
	skb->queue_mapping = queue;
	skb->_nfct = nfct;
	eth_type_trans(skb, &fwd_dev);
	netif_receive_skb(skb);
}

static const struct iphdr *sent_iph(unsigned int i)
{
	return (const struct iphdr *)(sent[i]->data + ETH_HLEN);
}

static bool sent_eth_ok(unsigned int i, const u8 *dst)
{
	const struct ethhdr *eth = (const struct ethhdr *)sent[i]->data;

	return !memcmp(eth->h_dest, dst, ETH_ALEN) && !memcmp(eth->h_source, test_mac, ETH_ALEN) &&
	       eth->h_proto == htons(ETH_P_IP);
}

/*
 * An ICMP error of type/code from us to daddr quoting the first quoted bytes of the frame's
 * packet (all of it when it fits: Linux quotes up to min(MTU, 576) - 28 bytes).
 */
static const char *check_icmp_error(unsigned int i, u32 daddr, u8 type, u8 code,
				    const struct fwd_frame *f, unsigned int quoted)
{
	const struct iphdr *iph = sent_iph(i);
	const struct icmphdr *icmph = (const struct icmphdr *)(iph + 1);
	unsigned int len = ntohs(iph->tot_len);

	CHECK(sent[i]->len == ETH_HLEN + len && len == 20 + 8 + quoted);
	CHECK(!ip_fast_csum(iph, 5) && iph->protocol == IPPROTO_ICMP && iph->ttl == 64);
	CHECK(iph->saddr == htonl(OWN_ADDR) && iph->daddr == htonl(daddr));
	CHECK((iph->tos & 0xc0) == 0xc0 && iph->frag_off == 0);
	CHECK(icmph->type == type && icmph->code == code);
	CHECK(!csum_fold(csum_partial(icmph, len - 20, 0)));
	CHECK(!memcmp(icmph + 1, f->iph, quoted));
	return NULL;
}

struct fwd_counts {
	unsigned long ip[IPSTATS_MIB_MAX];
	unsigned long drops[SKB_DROP_REASON_MAX];
	s64 out_type[NR_ICMP_TYPES + 1];
	unsigned long icmp_out;
};

static struct fwd_counts before;

static void counts_take(void)
{
	unsigned int i;

	for (i = 0; i < IPSTATS_MIB_MAX; i++)
		before.ip[i] = snmp_fold_ip(i);
	for (i = 0; i < SKB_DROP_REASON_MAX; i++)
		before.drops[i] = skb_drop_reason_count(i);
	for (i = 0; i <= NR_ICMP_TYPES; i++)
		before.out_type[i] = atomic64_read(&icmpmsg_statistics[0x100 + i]);
	before.icmp_out = snmp_fold_icmp(ICMP_MIB_OUTMSGS);
	sent_clear();
}

#define IP_DELTA(f) (snmp_fold_ip(f) - before.ip[f])
#define OUT_TYPE_DELTA(t) (atomic64_read(&icmpmsg_statistics[0x100 + (t)]) - before.out_type[t])

/* Exactly one drop since counts_take(), under r; none for SKB_NOT_DROPPED_YET. */
static bool only_drop(enum skb_drop_reason r)
{
	unsigned int i;

	for (i = 0; i < SKB_DROP_REASON_MAX; i++)
		if (skb_drop_reason_count(i) - before.drops[i] !=
		    (i == r && r != SKB_NOT_DROPPED_YET))
			return false;
	return true;
}

/* Same bytes but for TTL and checksum; TTL one less; the checksum as a full recomputation. */
static const char *check_forwarded(unsigned int i, const struct fwd_frame *f, const u8 *mac)
{
	struct iphdr copy;
	const struct iphdr *iph = sent_iph(i);

	CHECK(sent_eth_ok(i, mac));
	CHECK(sent[i]->len == ETH_HLEN + f->ip_len);
	CHECK(iph->ttl == f->iph->ttl - 1 && !ip_fast_csum(iph, 5));
	copy = *iph;
	ip_send_check(&copy);
	CHECK(copy.check == iph->check);
	CHECK(!memcmp((const u8 *)iph + 20, (const u8 *)f->iph + 20, f->ip_len - 20));
	copy = *f->iph;
	copy.ttl--;
	copy.check = iph->check;
	CHECK(!memcmp(&copy, iph, 20));
	return NULL;
}

static const char *forward_checks(void)
{
	struct fwd_frame f;
	const char *why;

	/* By the default route, from a remote sender: TTL - 1, to gateway A, same TX queue. */
	counts_take();
	fwd_frame_build(&f, test_mac, REMOTE, FAR_DST, 64, IPPROTO_UDP, 12);
	fwd_frame_rcv(&f, 3, 0);
	CHECK(nr_sent == 1);
	why = check_forwarded(0, &f, mac_a);
	if (why)
		return why;
	CHECK(sent[0]->queue_mapping == 3);
	CHECK(IP_DELTA(IPSTATS_MIB_INPKTS) == 1 && IP_DELTA(IPSTATS_MIB_OUTFORWDATAGRAMS) == 1);
	CHECK(IP_DELTA(IPSTATS_MIB_OUTPKTS) == 1 && IP_DELTA(IPSTATS_MIB_OUTREQUESTS) == 0);
	CHECK(IP_DELTA(IPSTATS_MIB_INDELIVERS) == 0 && only_drop(SKB_NOT_DROPPED_YET));

	/* A checksum that wraps: TTL 255 and the header's check at 0x0000 or near it. */
	counts_take();
	fwd_frame_build(&f, test_mac, REMOTE, FAR_DST, 255, IPPROTO_UDP, 12);
	fwd_frame_rcv(&f, 0, 0);
	CHECK(nr_sent == 1);
	why = check_forwarded(0, &f, mac_a);
	if (why)
		return why;

	/* Longest prefix: 203.0.113.0/24 by gateway B. */
	counts_take();
	fwd_frame_build(&f, test_mac, REMOTE, ROUTED_DST, 30, IPPROTO_TCP, 20);
	fwd_frame_rcv(&f, 1, 0);
	CHECK(nr_sent == 1);
	why = check_forwarded(0, &f, mac_b);
	if (why)
		return why;
	return NULL;
}

static const char *forward_error_checks(void)
{
	struct fwd_frame f;
	const char *why;

	/* TTL 1: time exceeded back to the sender (by gateway A), InHdrErrors. */
	counts_take();
	fwd_frame_build(&f, test_mac, REMOTE, FAR_DST, 1, IPPROTO_UDP, 12);
	fwd_frame_rcv(&f, 2, 0);
	CHECK(nr_sent == 1 && sent_eth_ok(0, mac_a) && sent[0]->queue_mapping == 2);
	why = check_icmp_error(0, REMOTE, ICMP_TIME_EXCEEDED, ICMP_EXC_TTL, &f, f.ip_len);
	if (why)
		return why;
	CHECK(IP_DELTA(IPSTATS_MIB_INHDRERRORS) == 1 &&
	      IP_DELTA(IPSTATS_MIB_OUTFORWDATAGRAMS) == 0);
	CHECK(IP_DELTA(IPSTATS_MIB_OUTREQUESTS) == 1 && IP_DELTA(IPSTATS_MIB_OUTPKTS) == 1);
	CHECK(OUT_TYPE_DELTA(ICMP_TIME_EXCEEDED) == 1 &&
	      snmp_fold_icmp(ICMP_MIB_OUTMSGS) - before.icmp_out == 1);
	CHECK(only_drop(SKB_DROP_REASON_IP_INHDR));

	/* No route (no default gateway): InNoRoutes, net unreachable to the on-link sender. */
	net_options.ip_gateway = 0;
	ip_fib_init();
	counts_take();
	fwd_frame_build(&f, test_mac, ONLINK, FAR_DST, 64, IPPROTO_UDP, 12);
	fwd_frame_rcv(&f, 0, 0);
	net_options.ip_gateway = GW_A;
	ip_fib_init();
	CHECK(nr_sent == 1 && sent_eth_ok(0, mac_c));
	why = check_icmp_error(0, ONLINK, ICMP_DEST_UNREACH, ICMP_NET_UNREACH, &f, f.ip_len);
	if (why)
		return why;
	CHECK(IP_DELTA(IPSTATS_MIB_INNOROUTES) == 1 && IP_DELTA(IPSTATS_MIB_INADDRERRORS) == 0);
	CHECK(OUT_TYPE_DELTA(ICMP_DEST_UNREACH) == 1 && only_drop(SKB_DROP_REASON_IP_INNOROUTES));

	/*
	 * DF and longer than the MTU: frag needed with the MTU, FragFails, not forwarded. The
	 * error leaves by the same 100-byte MTU, so it quotes 72 bytes.
	 */
	fwd_dev.mtu = 100;
	counts_take();
	fwd_frame_build(&f, test_mac, REMOTE, FAR_DST, 64, IPPROTO_UDP, 100);
	f.iph->frag_off = htons(IP_DF);
	ip_send_check(f.iph);
	fwd_frame_rcv(&f, 0, 0);
	fwd_dev.mtu = ETH_DATA_LEN;
	CHECK(nr_sent == 1 && sent_eth_ok(0, mac_a));
	why = check_icmp_error(0, REMOTE, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, &f, 100 - 28);
	if (why)
		return why;
	CHECK(((const struct icmphdr *)(sent_iph(0) + 1))->sequence == htons(100));
	CHECK(IP_DELTA(IPSTATS_MIB_FRAGFAILS) == 1 && IP_DELTA(IPSTATS_MIB_OUTFORWDATAGRAMS) == 0);
	CHECK(only_drop(SKB_DROP_REASON_PKT_TOO_BIG));

	/* To the link's broadcast address: not PACKET_HOST, not forwarded, nothing sent. */
	counts_take();
	fwd_frame_build(&f, bcast_mac, REMOTE, FAR_DST, 64, IPPROTO_UDP, 12);
	fwd_frame_rcv(&f, 0, 0);
	CHECK(nr_sent == 0 && IP_DELTA(IPSTATS_MIB_OUTFORWDATAGRAMS) == 0);
	CHECK(only_drop(SKB_DROP_REASON_NOT_SPECIFIED));

	/* An ICMP error about an ICMP error is never sent: TTL 1 on a dest unreachable. */
	counts_take();
	fwd_frame_build(&f, test_mac, REMOTE, FAR_DST, 1, IPPROTO_ICMP, 36);
	f.buf[ETH_HLEN + 20] = ICMP_DEST_UNREACH;
	ip_send_check(f.iph);
	fwd_frame_rcv(&f, 0, 0);
	CHECK(nr_sent == 0 && IP_DELTA(IPSTATS_MIB_INHDRERRORS) == 1);

	/* Loose source routing: dropped on input (accept_source_route=0). */
	counts_take();
	fwd_frame_build(&f, test_mac, REMOTE, FAR_DST, 64, IPPROTO_UDP, 20);
	f.iph->ihl_version = 0x47; /* 8 bytes of options: LSRR of one address, then EOL */
	f.buf[ETH_HLEN + 20] = IPOPT_LSRR;
	f.buf[ETH_HLEN + 21] = 7;
	f.buf[ETH_HLEN + 22] = 4;
	f.buf[ETH_HLEN + 27] = IPOPT_END;
	ip_send_check(f.iph);
	fwd_frame_rcv(&f, 0, 0);
	CHECK(nr_sent == 0 && IP_DELTA(IPSTATS_MIB_OUTFORWDATAGRAMS) == 0);
	CHECK(only_drop(SKB_DROP_REASON_NOT_SPECIFIED));

	/* A martian destination (0/8): dropped. */
	counts_take();
	fwd_frame_build(&f, test_mac, REMOTE, 0x00010203, 64, IPPROTO_UDP, 12);
	fwd_frame_rcv(&f, 0, 0);
	CHECK(nr_sent == 0 && only_drop(SKB_DROP_REASON_IP_INVALID_DEST));
	return NULL;
}

static const char *redirect_checks(void)
{
	struct fwd_frame f, quoted;
	const struct icmphdr *icmph;
	const char *why;

	/*
	 * From a host on our link to a destination by gateway A: forwarded, and a host redirect,
	 * which quotes the header as it leaves (TTL already decreased, as Linux).
	 */
	counts_take();
	fwd_frame_build(&f, test_mac, ONLINK, FAR_DST, 64, IPPROTO_UDP, 12);
	fwd_frame_rcv(&f, 0, 0);
	CHECK(nr_sent == 2 && sent_eth_ok(0, mac_c));
	quoted = f;
	quoted.iph = (struct iphdr *)(quoted.buf + ETH_HLEN);
	ip_decrease_ttl(quoted.iph);
	why = check_icmp_error(0, ONLINK, ICMP_REDIRECT, ICMP_REDIR_HOST, &quoted, f.ip_len);
	if (why)
		return why;
	icmph = (const struct icmphdr *)(sent_iph(0) + 1);
	CHECK(!memcmp(&icmph->id, &(u32){ htonl(GW_A) }, 4));
	why = check_forwarded(1, &f, mac_a);
	if (why)
		return why;
	/* The second within ip_rt_redirect_load << 1 is not sent. */
	counts_take();
	fwd_frame_rcv(&f, 0, 0);
	CHECK(nr_sent == 1 && OUT_TYPE_DELTA(ICMP_REDIRECT) == 0);
	return NULL;
}

/* --- The hooks on the paths ------------------------------------------------------------------ */

static unsigned int hook_calls[NF_INET_NUMHOOKS];
static unsigned int hook_bad_data;
static bool hook_forward_drop;

static unsigned int path_hook(void *priv, struct sk_buff *skb, const struct nf_hook_state *state)
{
	unsigned int hook = (unsigned long)priv;

	hook_calls[hook]++;
	if (skb->data != skb_network_header(skb) || (skb->data[0] >> 4) != 4 ||
	    state->hook != hook || skb->len != ntohs(((const struct iphdr *)skb->data)->tot_len))
		hook_bad_data++;
	if (hook == NF_INET_FORWARD && hook_forward_drop)
		return NF_DROP;
	return NF_ACCEPT;
}

static struct nf_hook_ops path_ops[NF_INET_NUMHOOKS];

static const char *hook_path_checks(void)
{
	static const u8 echo[12] = { ICMP_ECHO, 0, 0, 0, 0, 7, 0, 1, 'p', 'i', 'n', 'g' };
	struct fwd_frame f;
	unsigned int i;
	u16 sum;

	for (i = 0; i < NF_INET_NUMHOOKS; i++) {
		path_ops[i] = (struct nf_hook_ops){ .hook = path_hook,
						    .priv = (void *)(unsigned long)i,
						    .pf = NFPROTO_IPV4,
						    .hooknum = i,
						    .priority = NF_IP_PRI_FILTER };
		CHECK(nf_register_net_hook(&path_ops[i]) == 0);
	}
	memset(hook_calls, 0, sizeof(hook_calls));
	hook_bad_data = 0;
	/* Forwarded: PRE_ROUTING, FORWARD, POST_ROUTING. */
	counts_take();
	fwd_frame_build(&f, test_mac, REMOTE, FAR_DST, 64, IPPROTO_UDP, 12);
	fwd_frame_rcv(&f, 0, 0);
	CHECK(nr_sent == 1);
	CHECK(hook_calls[NF_INET_PRE_ROUTING] == 1 && hook_calls[NF_INET_FORWARD] == 1 &&
	      hook_calls[NF_INET_POST_ROUTING] == 1 && hook_calls[NF_INET_LOCAL_IN] == 0 &&
	      hook_calls[NF_INET_LOCAL_OUT] == 0);
	/* An echo request to us: PRE_ROUTING, LOCAL_IN; its reply LOCAL_OUT, POST_ROUTING. */
	memset(hook_calls, 0, sizeof(hook_calls));
	counts_take();
	fwd_frame_build(&f, test_mac, REMOTE, OWN_ADDR, 64, IPPROTO_ICMP, sizeof(echo));
	memcpy(f.buf + ETH_HLEN + 20, echo, sizeof(echo));
	sum = htons(csum_fold(csum_partial(echo, sizeof(echo), 0)));
	memcpy(f.buf + ETH_HLEN + 22, &sum, 2);
	fwd_frame_rcv(&f, 0, 0);
	CHECK(nr_sent == 1 && sent_eth_ok(0, mac_a));
	CHECK(((const struct icmphdr *)(sent_iph(0) + 1))->type == ICMP_ECHOREPLY);
	CHECK(hook_calls[NF_INET_PRE_ROUTING] == 1 && hook_calls[NF_INET_LOCAL_IN] == 1 &&
	      hook_calls[NF_INET_LOCAL_OUT] == 1 && hook_calls[NF_INET_POST_ROUTING] == 1 &&
	      hook_calls[NF_INET_FORWARD] == 0);
	/* FORWARD drops: nothing leaves, no ForwDatagrams. */
	hook_forward_drop = true;
	counts_take();
	fwd_frame_build(&f, test_mac, REMOTE, FAR_DST, 64, IPPROTO_UDP, 12);
	fwd_frame_rcv(&f, 0, 0);
	hook_forward_drop = false;
	CHECK(nr_sent == 0 && IP_DELTA(IPSTATS_MIB_OUTFORWDATAGRAMS) == 0);
	CHECK(only_drop(SKB_DROP_REASON_NETFILTER_DROP));
	for (i = 0; i < NF_INET_NUMHOOKS; i++)
		nf_unregister_net_hook(&path_ops[i]);
	CHECK(hook_bad_data == 0);
	return NULL;
}

/* --- Setup ----------------------------------------------------------------------------------- */

static struct net_options saved_options;

static void fwd_setup(void)
{
	skb_pool_grow(16, 16);
	saved_options = net_options;
	net_options.ip_addr = OWN_ADDR;
	net_options.ip_netmask = 0xffffff00;
	net_options.ip_gateway = GW_A;
	net_options.ip_forward = true;
	net_options.nr_routes = 1;
	net_options.routes[0] =
		(struct net_route_option){ .dst = 0xcb007100, .gw = GW_B, .prefixlen = 24 };
	ip_fib_init();
	icmp_ratelimit_reset();
	neigh_update(htonl(GW_A), mac_a, NUD_PERMANENT, true);
	neigh_update(htonl(GW_B), mac_b, NUD_PERMANENT, true);
	neigh_update(htonl(ONLINK), mac_c, NUD_PERMANENT, true);
	memcpy(fwd_dev.dev_addr, test_mac, ETH_ALEN);
	fwd_dev.ip_addr = htonl(OWN_ADDR);
	dev_add_pack(&fwd_ip_type);
}

static void fwd_teardown(void)
{
	dev_remove_pack(&fwd_ip_type);
	sent_clear();
	neigh_delete(htonl(GW_A));
	neigh_delete(htonl(GW_B));
	neigh_delete(htonl(ONLINK));
	net_options = saved_options;
	ip_fib_init();
	icmp_ratelimit_reset();
}

static void selftest_ip_forward_run(void)
{
	const char *why;

	fwd_setup();
	why = forward_checks();
	if (!why)
		why = forward_error_checks();
	if (!why)
		why = redirect_checks();
	if (!why)
		why = hook_path_checks();
	fwd_teardown();
	selftest_report("ip_forward", !why, "%s", why);
}

DEFINE_SELFTEST(selftest_ip_forward, "ip_forward", selftest_ip_forward_run, 0);

/* --- The filter table ------------------------------------------------------------------------ */

static int add_rule(const char *rule)
{
	return ipt_filter_add_rule(rule, rule + strlen(rule));
}

static bool rule_counts(enum ipt_chain chain, int index, u64 pkts, u64 bytes)
{
	u64 p, b;

	ipt_filter_counters(chain, index, &p, &b);
	return p == pkts && b == bytes;
}

/* A dummy connection for ctinfo: never looked into by the filter. */
static struct nf_conn *const fake_ct = (struct nf_conn *)&saved_options;

static const char *filter_checks(void)
{
	struct fwd_frame f;

	/* Bad rules: reported and ignored. */
	CHECK(add_rule("FORWARD,sport=5,ACCEPT") < 0);
	CHECK(add_rule("BOGUS,ACCEPT") < 0);
	CHECK(add_rule("FORWARD,proto=udp,REJECT") < 0);
	CHECK(add_rule("FORWARD,src=1.2.3.4/33,DROP") < 0);
	CHECK(add_rule("FORWARD,ctstate=sleepy,DROP") < 0);
	CHECK(add_rule("FORWARD,,DROP") < 0);
	CHECK(add_rule("INPUT") < 0);
	/* FORWARD: 0 udp dpt:53 DROP, 1 tcp from 10.9.9.0/24 spt:1000 ACCEPT, 2 untracked ACCEPT,
	 * 3 established/related ACCEPT, policy DROP. INPUT: 0 icmp ACCEPT. OUTPUT: 0 to 10.9.9.9
	 * DROP. */
	CHECK(add_rule("FORWARD,proto=udp,dport=53,DROP") == 0);
	CHECK(add_rule("FORWARD,src=10.9.9.0/24,proto=tcp,sport=1000,ACCEPT") == 0);
	CHECK(add_rule("FORWARD,ctstate=untracked,ACCEPT") == 0);
	CHECK(add_rule("FORWARD,dst=198.18.0.0/15,ctstate=established+related,ACCEPT") == 0);
	CHECK(ipt_filter_parse_option("nf.policy=FORWARD,DROP", strlen("nf.policy=FORWARD,DROP")));
	CHECK(add_rule("INPUT,proto=icmp,ACCEPT") == 0);
	CHECK(add_rule("OUTPUT,dst=10.9.9.9,DROP") == 0);
	iptable_filter_init();

	/* UDP to port 53: rule 0 drops it (28 + 12 bytes... the IPv4 packet's length). */
	counts_take();
	fwd_frame_build(&f, test_mac, REMOTE, FAR_DST, 64, IPPROTO_UDP, 12);
	fwd_frame_rcv(&f, 0, 0);
	CHECK(nr_sent == 0 && rule_counts(IPT_FORWARD, 0, 1, 32));
	CHECK(only_drop(SKB_DROP_REASON_NETFILTER_DROP));
	/* TCP 1000 -> 80 from 10.9.9.9: rule 1 accepts, forwarded. */
	counts_take();
	fwd_frame_build(&f, test_mac, REMOTE, FAR_DST, 64, IPPROTO_TCP, 20);
	fwd_frame_rcv(&f, 0, 0);
	CHECK(nr_sent == 1 && rule_counts(IPT_FORWARD, 1, 1, 40));
	/* ICMP with no conntrack entry (INVALID): no rule, the DROP policy. */
	counts_take();
	fwd_frame_build(&f, test_mac, REMOTE, FAR_DST, 64, IPPROTO_ICMP, 16);
	fwd_frame_rcv(&f, 0, 0);
	CHECK(nr_sent == 0 && rule_counts(IPT_FORWARD, -1, 1, 36));
	/* The same, untracked: rule 2. */
	counts_take();
	fwd_frame_rcv(&f, 0, IP_CT_UNTRACKED);
	CHECK(nr_sent == 1 && rule_counts(IPT_FORWARD, 2, 1, 36));
	/* The same, established (reply direction) and then related: rule 3. */
	counts_take();
	fwd_frame_rcv(&f, 0, (unsigned long)fake_ct | IP_CT_ESTABLISHED_REPLY);
	fwd_frame_rcv(&f, 0, (unsigned long)fake_ct | IP_CT_RELATED);
	CHECK(nr_sent == 2 && rule_counts(IPT_FORWARD, 3, 2, 72));
	/* New: the policy again. */
	counts_take();
	fwd_frame_rcv(&f, 0, (unsigned long)fake_ct | IP_CT_NEW);
	CHECK(nr_sent == 0 && rule_counts(IPT_FORWARD, -1, 2, 72));
	/* TTL 1 from 10.9.9.9 (TCP, accepted... before FORWARD, the time exceeded is made; OUTPUT
	 * drops it: counted as sent by ICMP, nothing leaves. */
	counts_take();
	fwd_frame_build(&f, test_mac, REMOTE, FAR_DST, 1, IPPROTO_TCP, 20);
	fwd_frame_rcv(&f, 0, 0);
	CHECK(nr_sent == 0 && OUT_TYPE_DELTA(ICMP_TIME_EXCEEDED) == 1);
	CHECK(rule_counts(IPT_OUTPUT, 0, 1, 20 + 8 + 40) && rule_counts(IPT_OUTPUT, -1, 0, 0));
	CHECK(IP_DELTA(IPSTATS_MIB_OUTREQUESTS) == 1 && IP_DELTA(IPSTATS_MIB_OUTPKTS) == 0);
	/* INPUT: an echo request to us is accepted by rule 0 and answered (OUTPUT policy). */
	counts_take();
	fwd_frame_build(&f, test_mac, ONLINK, OWN_ADDR, 64, IPPROTO_ICMP, 8);
	f.buf[ETH_HLEN + 20] = ICMP_ECHO;
	f.buf[ETH_HLEN + 22] = f.buf[ETH_HLEN + 23] = 0;
	{
		u16 sum = htons(csum_fold(csum_partial(f.buf + ETH_HLEN + 20, 8, 0)));

		memcpy(f.buf + ETH_HLEN + 22, &sum, 2);
	}
	fwd_frame_rcv(&f, 0, 0);
	CHECK(nr_sent == 1 && rule_counts(IPT_INPUT, 0, 1, 28) &&
	      rule_counts(IPT_OUTPUT, -1, 1, 28));
	return NULL;
}

static void selftest_iptable_filter_run(void)
{
	const char *why;

	fwd_setup();
	why = filter_checks();
	iptable_filter_flush();
	fwd_teardown();
	selftest_report("iptable_filter", !why, "%s", why);
}

DEFINE_SELFTEST(selftest_iptable_filter, "iptable_filter", selftest_iptable_filter_run, 0);
