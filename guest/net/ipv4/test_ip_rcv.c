/*
 * IPv4 receive self-tests, on the boot CPU before the NIC is up: crafted
 * frames go through netif_receive_skb() to ip_rcv() (a test packet_type, the
 * real one is registered later with the NIC) on a test device whose
 * transmissions are captured. Each bad header must be dropped under Linux's
 * reason and counted in Linux's counter; the VLAN cases check the outcome of
 * __netif_receive_skb_core() without a VLAN device. The counters are checked
 * as differences, so the packets stay counted in the views like any other.
 */

#include "checksum.h"
#include "inet_frag.h"
#include "ip.h"
#include "kernel.h"
#include "neighbour.h"
#include "netdevice.h"
#include "route.h"
#include "selftest.h"
#include "snmp.h"
#include "string.h"

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond))                                                                       \
			return #cond;                                                              \
	} while (0)

static const u8 test_mac[ETH_ALEN] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };
static const u8 peer_mac[ETH_ALEN] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x99 };
static const u8 other_mac[ETH_ALEN] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x42 };
#define PEER_ADDR htonl(0x0a000063) /* 10.0.0.99 */

static struct sk_buff *sent; /* what the test device transmitted last */
static unsigned int nr_sent;

static int test_xmit(struct sk_buff *skb, struct net_device *dev)
{
	if (sent)
		consume_skb(sent);
	sent = skb;
	nr_sent++;
	return 0;
}

static struct net_device test_dev = {
	.name = "test0",
	.mtu = ETH_DATA_LEN,
	.num_rx_queues = 1,
	.num_tx_queues = 1,
	.carrier = true,
	.start_xmit = test_xmit,
};

static struct packet_type test_ip_type = { .type = ETH_P_IP, .func = ip_rcv };

/* A frame under construction: Ethernet header, optional tags, then the IPv4 packet. */
struct test_frame {
	u8 buf[256];
	unsigned int len;
};

static void frame_eth(struct test_frame *f, const u8 *dst)
{
	memcpy(f->buf, dst, ETH_ALEN);
	memcpy(f->buf + ETH_ALEN, peer_mac, ETH_ALEN);
	f->len = 2 * ETH_ALEN;
}

static void frame_u16(struct test_frame *f, u16 v)
{
	f->buf[f->len++] = v >> 8;
	f->buf[f->len++] = v;
}

/* An IPv4 header of ihl words (options zero) with a correct checksum, then payload. */
static struct iphdr *frame_ip(struct test_frame *f, unsigned int ihl, u8 protocol, u32 daddr,
			      const void *payload, unsigned int payload_len)
{
	struct iphdr *iph = (struct iphdr *)(f->buf + f->len);

	memset(iph, 0, ihl * 4);
	iph->ihl_version = 0x40 | ihl;
	iph->tot_len = htons(ihl * 4 + payload_len);
	iph->id = htons(0x1234);
	iph->ttl = 64;
	iph->protocol = protocol;
	iph->saddr = PEER_ADDR;
	iph->daddr = daddr;
	iph->check = htons(csum_fold(csum_partial(iph, ihl * 4, 0)));
	f->len += ihl * 4;
	memcpy(f->buf + f->len, payload, payload_len);
	f->len += payload_len;
	return iph;
}

static void ip_fix_csum(struct iphdr *iph)
{
	iph->check = 0;
	iph->check = htons(csum_fold(csum_partial(iph, (iph->ihl_version & 0xf) * 4, 0)));
}

/* Ethernet padding up to the 60-byte minimum, as a NIC delivers short frames. */
static void frame_pad(struct test_frame *f)
{
	while (f->len < ETH_ZLEN)
		f->buf[f->len++] = 0;
}

static void frame_rcv(const struct test_frame *f)
{
	struct sk_buff *skb = alloc_skb(SKB_MAX_HEAD);

	if (!skb)
		return;
	memcpy(skb_put(skb, f->len), f->buf, f->len);
	eth_type_trans(skb, &test_dev);
	netif_receive_skb(skb);
}

/* An ICMP echo request of 8 + 4 bytes with a correct checksum. */
static void echo_request(u8 *msg)
{
	struct icmphdr *icmp = (struct icmphdr *)msg;

	memset(msg, 0, 12);
	icmp->type = ICMP_ECHO;
	icmp->id = htons(7);
	icmp->sequence = htons(1);
	memcpy(msg + 8, "ping", 4);
	icmp->checksum = htons(csum_fold(csum_partial(msg, 12, 0)));
}

/* A UDP datagram of 8 + 4 bytes to port 9 with a correct checksum (pseudo-header included). */
static void udp_datagram(u8 *msg, u32 daddr)
{
	struct udphdr *uh = (struct udphdr *)msg;

	uh->source = htons(1024);
	uh->dest = htons(9);
	uh->len = htons(12);
	uh->check = 0;
	memcpy(msg + 8, "data", 4);
	uh->check = htons(csum_fold(
		csum_partial(msg, 12, csum_tcpudp_nofold(PEER_ADDR, daddr, 12, IPPROTO_UDP, 0))));
}

struct counts {
	unsigned long ip[IPSTATS_MIB_MAX];
	unsigned long drops[SKB_DROP_REASON_MAX];
	unsigned long udp[UDP_MIB_MAX];
	unsigned long tcp[TCP_MIB_MAX];
	unsigned long icmp[ICMP_MIB_MAX];
};

static void counts_take(struct counts *c)
{
	unsigned int i;

	for (i = 0; i < IPSTATS_MIB_MAX; i++)
		c->ip[i] = snmp_fold_ip(i);
	for (i = 0; i < SKB_DROP_REASON_MAX; i++)
		c->drops[i] = skb_drop_reason_count(i);
	for (i = 0; i < UDP_MIB_MAX; i++)
		c->udp[i] = snmp_fold_udp(i);
	for (i = 0; i < TCP_MIB_MAX; i++)
		c->tcp[i] = snmp_fold_tcp(i);
	for (i = 0; i < ICMP_MIB_MAX; i++)
		c->icmp[i] = snmp_fold_icmp(i);
}

static struct counts before;

#define IP_DELTA(f) (snmp_fold_ip(f) - before.ip[f])
#define UDP_DELTA(f) (snmp_fold_udp(f) - before.udp[f])
#define TCP_DELTA(f) (snmp_fold_tcp(f) - before.tcp[f])
#define ICMP_DELTA(f) (snmp_fold_icmp(f) - before.icmp[f])

/* Exactly one drop since counts_take(), under reason r; none for SKB_NOT_DROPPED_YET. */
static bool only_drop(enum skb_drop_reason r)
{
	unsigned int i;

	for (i = 0; i < SKB_DROP_REASON_MAX; i++)
		if (skb_drop_reason_count(i) - before.drops[i] !=
		    (i == r && r != SKB_NOT_DROPPED_YET))
			return false;
	return true;
}

static const char *ip_rcv_good_checks(void)
{
	struct test_frame f;
	u8 msg[12];
	u32 own = inet_own_addr();

	/* A UDP datagram to us, padded: delivered, no socket. */
	counts_take(&before);
	udp_datagram(msg, own);
	frame_eth(&f, test_mac);
	frame_u16(&f, ETH_P_IP);
	frame_ip(&f, 5, IPPROTO_UDP, own, msg, sizeof(msg));
	frame_pad(&f);
	frame_rcv(&f);
	CHECK(IP_DELTA(IPSTATS_MIB_INPKTS) == 1 && IP_DELTA(IPSTATS_MIB_INDELIVERS) == 1);
	CHECK(UDP_DELTA(UDP_MIB_NOPORTS) == 1 && UDP_DELTA(UDP_MIB_INERRORS) == 0);
	CHECK(only_drop(SKB_DROP_REASON_NO_SOCKET));

	/* An echo request to us, padded: one reply of the request's length, checksums right. */
	counts_take(&before);
	nr_sent = 0;
	echo_request(msg);
	frame_eth(&f, test_mac);
	frame_u16(&f, ETH_P_IP);
	frame_ip(&f, 5, IPPROTO_ICMP, own, msg, sizeof(msg));
	frame_pad(&f);
	frame_rcv(&f);
	CHECK(nr_sent == 1 && sent);
	/* Not padded: the NIC pads short frames (TCTL.PSP), as with Linux's igb. */
	CHECK(sent->len == ETH_HLEN + 20 + sizeof(msg) && !memcmp(sent->data, peer_mac, ETH_ALEN));
	{
		const struct iphdr *r = (const struct iphdr *)(sent->data + ETH_HLEN);
		const struct icmphdr *ri = (const struct icmphdr *)(r + 1);

		CHECK(ntohs(r->tot_len) == 20 + sizeof(msg) && r->daddr == PEER_ADDR &&
		      r->saddr == own && !ip_fast_csum(r, 5));
		CHECK(ri->type == ICMP_ECHOREPLY && !csum_fold(csum_partial(ri, sizeof(msg), 0)) &&
		      !memcmp((const u8 *)ri + 8, "ping", 4));
	}
	CHECK(ICMP_DELTA(ICMP_MIB_INMSGS) == 1 && ICMP_DELTA(ICMP_MIB_OUTMSGS) == 1);
	CHECK(IP_DELTA(IPSTATS_MIB_OUTREQUESTS) == 1 && IP_DELTA(IPSTATS_MIB_INDELIVERS) == 1);
	CHECK(only_drop(SKB_NOT_DROPPED_YET));

	/* To another address (forwarding off): InAddrErrors. */
	counts_take(&before);
	udp_datagram(msg, htonl(0x0a000005));
	frame_eth(&f, test_mac);
	frame_u16(&f, ETH_P_IP);
	frame_ip(&f, 5, IPPROTO_UDP, htonl(0x0a000005), msg, sizeof(msg));
	frame_rcv(&f);
	CHECK(IP_DELTA(IPSTATS_MIB_INADDRERRORS) == 1 && IP_DELTA(IPSTATS_MIB_INDELIVERS) == 0);
	CHECK(only_drop(SKB_DROP_REASON_IP_INADDRERRORS));

	/* For another MAC (promiscuous NIC): dropped before InReceives. */
	counts_take(&before);
	frame_eth(&f, other_mac);
	frame_u16(&f, ETH_P_IP);
	frame_ip(&f, 5, IPPROTO_UDP, own, msg, sizeof(msg));
	frame_rcv(&f);
	CHECK(IP_DELTA(IPSTATS_MIB_INPKTS) == 0 && only_drop(SKB_DROP_REASON_OTHERHOST));

	/* An unknown protocol (GRE): InUnknownProtos. */
	counts_take(&before);
	frame_eth(&f, test_mac);
	frame_u16(&f, ETH_P_IP);
	frame_ip(&f, 5, 47, own, msg, sizeof(msg));
	frame_rcv(&f);
	CHECK(IP_DELTA(IPSTATS_MIB_INUNKNOWNPROTOS) == 1 && only_drop(SKB_DROP_REASON_IP_NOPROTO));
	return NULL;
}

/* One bad header: InReceives, then counter (or none) and reason. */
static const char *bad_header(struct test_frame *f, unsigned int counter, unsigned int counter2,
			      enum skb_drop_reason reason)
{
	counts_take(&before);
	frame_rcv(f);
	CHECK(IP_DELTA(IPSTATS_MIB_INPKTS) == 1 && IP_DELTA(IPSTATS_MIB_INDELIVERS) == 0);
	CHECK(IP_DELTA(counter) == 1);
	CHECK(counter2 == IPSTATS_MIB_MAX || IP_DELTA(counter2) == 1);
	CHECK(counter == IPSTATS_MIB_INHDRERRORS || counter2 == IPSTATS_MIB_INHDRERRORS ||
	      IP_DELTA(IPSTATS_MIB_INHDRERRORS) == 0);
	CHECK(only_drop(reason));
	return NULL;
}

static const char *ip_rcv_bad_header_checks(void)
{
	u32 own = inet_own_addr();
	struct test_frame f;
	struct iphdr *iph;
	const char *why;
	u8 msg[12];

	udp_datagram(msg, own);
	/* Truncated: 19 bytes of IPv4 (no padding, as in a pcap record). */
	frame_eth(&f, test_mac);
	frame_u16(&f, ETH_P_IP);
	frame_ip(&f, 5, IPPROTO_UDP, own, msg, 0);
	f.len -= 1;
	why = bad_header(&f, IPSTATS_MIB_INHDRERRORS, IPSTATS_MIB_MAX, SKB_DROP_REASON_IP_INHDR);
	if (why)
		return why;
	/* IHL 4. */
	frame_eth(&f, test_mac);
	frame_u16(&f, ETH_P_IP);
	iph = frame_ip(&f, 5, IPPROTO_UDP, own, msg, sizeof(msg));
	iph->ihl_version = 0x44;
	ip_fix_csum(iph);
	why = bad_header(&f, IPSTATS_MIB_INHDRERRORS, IPSTATS_MIB_MAX, SKB_DROP_REASON_IP_INHDR);
	if (why)
		return why;
	/* Version 6 in an IPv4 ethertype. */
	iph->ihl_version = 0x65;
	why = bad_header(&f, IPSTATS_MIB_INHDRERRORS, IPSTATS_MIB_MAX, SKB_DROP_REASON_IP_INHDR);
	if (why)
		return why;
	/* IHL 15 (60 bytes) in a 40-byte packet. */
	frame_eth(&f, test_mac);
	frame_u16(&f, ETH_P_IP);
	iph = frame_ip(&f, 5, IPPROTO_UDP, own, msg, sizeof(msg));
	iph->ihl_version = 0x4f;
	why = bad_header(&f, IPSTATS_MIB_INHDRERRORS, IPSTATS_MIB_MAX, SKB_DROP_REASON_IP_INHDR);
	if (why)
		return why;
	/* Bad header checksum: InCsumErrors and InHdrErrors. */
	frame_eth(&f, test_mac);
	frame_u16(&f, ETH_P_IP);
	iph = frame_ip(&f, 5, IPPROTO_UDP, own, msg, sizeof(msg));
	iph->check ^= htons(0x0100);
	why = bad_header(&f, IPSTATS_MIB_CSUMERRORS, IPSTATS_MIB_INHDRERRORS,
			 SKB_DROP_REASON_IP_CSUM);
	if (why)
		return why;
	/* Total length beyond the frame: InTruncatedPkts, not a header error. */
	frame_eth(&f, test_mac);
	frame_u16(&f, ETH_P_IP);
	iph = frame_ip(&f, 5, IPPROTO_UDP, own, msg, sizeof(msg));
	iph->tot_len = htons(ntohs(iph->tot_len) + 1);
	ip_fix_csum(iph);
	why = bad_header(&f, IPSTATS_MIB_INTRUNCATEDPKTS, IPSTATS_MIB_MAX,
			 SKB_DROP_REASON_PKT_TOO_SMALL);
	if (why)
		return why;
	/* Total length shorter than the header. */
	iph->tot_len = htons(19);
	ip_fix_csum(iph);
	why = bad_header(&f, IPSTATS_MIB_INHDRERRORS, IPSTATS_MIB_MAX, SKB_DROP_REASON_IP_INHDR);
	if (why)
		return why;
	/* The datagram in two fragments (8 + 4 bytes): queued, then reassembled and delivered. */
	frame_eth(&f, test_mac);
	frame_u16(&f, ETH_P_IP);
	iph = frame_ip(&f, 5, IPPROTO_UDP, own, msg, 8);
	iph->frag_off = htons(IP_MF);
	ip_fix_csum(iph);
	counts_take(&before);
	frame_rcv(&f);
	CHECK(IP_DELTA(IPSTATS_MIB_REASMREQDS) == 1 && IP_DELTA(IPSTATS_MIB_REASMFAILS) == 0);
	CHECK(IP_DELTA(IPSTATS_MIB_INDELIVERS) == 0 && only_drop(SKB_NOT_DROPPED_YET));
	frame_eth(&f, test_mac);
	frame_u16(&f, ETH_P_IP);
	iph = frame_ip(&f, 5, IPPROTO_UDP, own, msg + 8, 4);
	iph->frag_off = htons(1);
	ip_fix_csum(iph);
	frame_rcv(&f);
	CHECK(IP_DELTA(IPSTATS_MIB_REASMREQDS) == 2 && IP_DELTA(IPSTATS_MIB_REASMOKS) == 1);
	CHECK(IP_DELTA(IPSTATS_MIB_INDELIVERS) == 1 && UDP_DELTA(UDP_MIB_NOPORTS) == 1);
	CHECK(only_drop(SKB_DROP_REASON_NO_SOCKET));
	return NULL;
}

static const char *l4_bad_checks(void)
{
	u32 own = inet_own_addr();
	struct test_frame f;
	u8 msg[20];

	/* UDP with a wrong checksum: InCsumErrors and InErrors. */
	udp_datagram(msg, own);
	msg[8] ^= 1;
	counts_take(&before);
	frame_eth(&f, test_mac);
	frame_u16(&f, ETH_P_IP);
	frame_ip(&f, 5, IPPROTO_UDP, own, msg, 12);
	frame_rcv(&f);
	CHECK(UDP_DELTA(UDP_MIB_CSUMERRORS) == 1 && UDP_DELTA(UDP_MIB_INERRORS) == 1 &&
	      UDP_DELTA(UDP_MIB_NOPORTS) == 0 && only_drop(SKB_DROP_REASON_UDP_CSUM));
	/* UDP length beyond the packet: InErrors. */
	udp_datagram(msg, own);
	((struct udphdr *)msg)->len = htons(13);
	counts_take(&before);
	frame_eth(&f, test_mac);
	frame_u16(&f, ETH_P_IP);
	frame_ip(&f, 5, IPPROTO_UDP, own, msg, 12);
	frame_rcv(&f);
	CHECK(UDP_DELTA(UDP_MIB_INERRORS) == 1 && only_drop(SKB_DROP_REASON_PKT_TOO_SMALL));
	/* TCP with a data offset of 4 words: InSegs, InErrs. */
	memset(msg, 0, sizeof(msg));
	((struct tcphdr *)msg)->doff_res = 4 << 4;
	counts_take(&before);
	frame_eth(&f, test_mac);
	frame_u16(&f, ETH_P_IP);
	frame_ip(&f, 5, IPPROTO_TCP, own, msg, 20);
	frame_rcv(&f);
	CHECK(TCP_DELTA(TCP_MIB_INSEGS) == 1 && TCP_DELTA(TCP_MIB_INERRS) == 1 &&
	      only_drop(SKB_DROP_REASON_PKT_TOO_SMALL));
	/* TCP with a wrong checksum: InCsumErrors and InErrs. */
	((struct tcphdr *)msg)->doff_res = 5 << 4;
	((struct tcphdr *)msg)->check = htons(0x1234);
	counts_take(&before);
	frame_eth(&f, test_mac);
	frame_u16(&f, ETH_P_IP);
	frame_ip(&f, 5, IPPROTO_TCP, own, msg, 20);
	frame_rcv(&f);
	CHECK(TCP_DELTA(TCP_MIB_CSUMERRORS) == 1 && TCP_DELTA(TCP_MIB_INERRS) == 1 &&
	      only_drop(SKB_DROP_REASON_TCP_CSUM));
	/* ICMP with a wrong checksum: InCsumErrors and InErrors, no reply. */
	echo_request(msg);
	msg[9] ^= 1;
	nr_sent = 0;
	counts_take(&before);
	frame_eth(&f, test_mac);
	frame_u16(&f, ETH_P_IP);
	frame_ip(&f, 5, IPPROTO_ICMP, own, msg, 12);
	frame_rcv(&f);
	CHECK(ICMP_DELTA(ICMP_MIB_CSUMERRORS) == 1 && ICMP_DELTA(ICMP_MIB_INERRORS) == 1 &&
	      !nr_sent && only_drop(SKB_DROP_REASON_ICMP_CSUM));
	return NULL;
}

/* An echo request to us behind the given tags ({TPID, TCI} pairs); true if it was answered. */
static const char *vlan_case(const u16 *tags, unsigned int nr_tags, bool answered)
{
	struct test_frame f;
	unsigned int i;
	u8 msg[12];

	echo_request(msg);
	frame_eth(&f, test_mac);
	for (i = 0; i < nr_tags; i++) {
		frame_u16(&f, tags[2 * i]);
		frame_u16(&f, tags[2 * i + 1]);
	}
	frame_u16(&f, ETH_P_IP);
	frame_ip(&f, 5, IPPROTO_ICMP, inet_own_addr(), msg, sizeof(msg));
	frame_pad(&f);
	nr_sent = 0;
	counts_take(&before);
	frame_rcv(&f);
	if (answered) {
		CHECK(nr_sent == 1 && IP_DELTA(IPSTATS_MIB_INPKTS) == 1);
		/* The reply goes back untagged to the request's source MAC. */
		CHECK(!memcmp(sent->data, peer_mac, ETH_ALEN) &&
		      ((struct ethhdr *)sent->data)->h_proto == htons(ETH_P_IP));
		CHECK(only_drop(SKB_NOT_DROPPED_YET));
	} else {
		CHECK(nr_sent == 0 && IP_DELTA(IPSTATS_MIB_INPKTS) == 0);
		CHECK(only_drop(SKB_DROP_REASON_OTHERHOST));
	}
	return NULL;
}

static const char *vlan_checks(void)
{
	static const u16 vid5[] = { ETH_P_8021Q, 5 };
	static const u16 prio0[] = { ETH_P_8021Q, 0x6000 }; /* PCP 3, VID 0 */
	static const u16 qinq00[] = { ETH_P_8021AD, 0, ETH_P_8021Q, 0 };
	static const u16 qinq07[] = { ETH_P_8021AD, 0, ETH_P_8021Q, 7 };
	static const u16 qinq70[] = { ETH_P_8021AD, 7, ETH_P_8021Q, 0 };
	struct test_frame f;
	const char *why;

	why = vlan_case(vid5, 1, false);
	if (why)
		return why;
	why = vlan_case(prio0, 1, true);
	if (why)
		return why;
	why = vlan_case(qinq00, 2, true);
	if (why)
		return why;
	why = vlan_case(qinq07, 2, false);
	if (why)
		return why;
	/* Outer VID 7: OTHERHOST with the inner tag still on, no handler for 802.1Q. */
	frame_eth(&f, test_mac);
	frame_u16(&f, ETH_P_8021AD);
	frame_u16(&f, qinq70[1]);
	frame_u16(&f, ETH_P_8021Q);
	frame_u16(&f, 0);
	frame_pad(&f);
	counts_take(&before);
	frame_rcv(&f);
	CHECK(only_drop(SKB_DROP_REASON_UNHANDLED_PROTO));
	/* A tag cut short (3 bytes after the TPID): freed by skb_vlan_untag(). */
	frame_eth(&f, test_mac);
	frame_u16(&f, ETH_P_8021Q);
	frame_u16(&f, 0);
	f.buf[f.len++] = 0x08;
	counts_take(&before);
	frame_rcv(&f);
	CHECK(only_drop(SKB_DROP_REASON_NOT_SPECIFIED));
	return NULL;
}

static struct net_options saved_options;

static void selftest_ip_rcv_run(void)
{
	const char *why;

	skb_pool_grow(8, 8);
	ipfrag_init(); /* net_proto_init() has not run yet */
	/* The tests' own configuration, whatever ip=, ip_forward= and route= said: 10.0.0.2/8. */
	saved_options = net_options;
	net_options.ip_addr = 0x0a000002;
	net_options.ip_netmask = 0xff000000;
	net_options.ip_gateway = 0;
	net_options.ip_forward = false;
	net_options.nr_routes = 0;
	ip_fib_init();
	memcpy(test_dev.dev_addr, test_mac, ETH_ALEN);
	test_dev.ip_addr = inet_own_addr();
	dev_add_pack(&test_ip_type);
	/* The echo replies go to the peer by the neighbour table (as if it had ARPed us first). */
	neigh_update(PEER_ADDR, peer_mac, NUD_PERMANENT, true);

	why = ip_rcv_good_checks();
	selftest_report("ip_rcv_deliver", !why, "%s", why);
	why = ip_rcv_bad_header_checks();
	selftest_report("ip_rcv_bad_headers", !why, "%s", why);
	why = l4_bad_checks();
	selftest_report("ip_local_deliver_bad_l4", !why, "%s", why);
	why = vlan_checks();
	selftest_report("vlan_no_vlan_dev", !why, "%s", why);

	dev_remove_pack(&test_ip_type);
	neigh_delete(PEER_ADDR);
	net_options = saved_options;
	ip_fib_init();
	if (sent)
		consume_skb(sent);
	sent = NULL;
}

DEFINE_SELFTEST(selftest_ip_rcv, "ip_rcv", selftest_ip_rcv_run, 0);
