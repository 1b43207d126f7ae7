/*
 * NAT self-tests: bindings (nf_nat_setup_info() on nf_conn entries set up
 * here, as the conntrack core would have them for a packet's first pass),
 * packets crafted with correct checksums, mangled by nf_nat_packet() or the
 * IPv4 hook function, then checked field by field with every checksum
 * recomputed from scratch. The expectations are Linux 6.18's, except where
 * nf_nat_core.c says the guest differs (hash instead of random offsets,
 * NF_DROP on an exhausted range).
 */

#include "checksum.h"
#include "ip.h"
#include "jhash.h"
#include "kernel.h"
#include "netfilter.h"
#include "nf_conntrack.h"
#include "nf_nat.h"
#include "selftest.h"
#include "string.h"

/*
 * TEST DOUBLES, weak so that the conntrack core's real ones replace them when
 * it is merged: nf_conntrack_tuple_taken() looks in a small table of tuples
 * the tests register (plus "every tuple towards one address", to exhaust a
 * range), and counts its lookups; nf_ct_invert_tuple() is Linux's.
 */
#define NR_TAKEN 16

static struct {
	struct nf_conntrack_tuple tuple; /* as the table holds it: the reply of a mapping */
	const struct nf_conn *owner;
} taken[NR_TAKEN];
static unsigned int nr_taken;
static u32 taken_all_dst; /* non-zero: every tuple towards this address is taken */
static unsigned int taken_lookups;

__attribute__((weak)) bool nf_conntrack_tuple_taken(const struct nf_conntrack_tuple *tuple,
						    const struct nf_conn *ignored_conntrack)
{
	unsigned int i;

	taken_lookups++;
	if (taken_all_dst && tuple->dst.u3.ip == taken_all_dst)
		return true;
	for (i = 0; i < nr_taken; i++)
		if (taken[i].owner != ignored_conntrack &&
		    nf_ct_tuple_equal(&taken[i].tuple, tuple))
			return true;
	return false;
}

__attribute__((weak)) bool nf_ct_invert_tuple(struct nf_conntrack_tuple *inverse,
					      const struct nf_conntrack_tuple *orig)
{
	/* Query types and their answers, + 1 (0: no inverse). */
	static const u8 invmap[] = {
		[ICMP_ECHO] = ICMP_ECHOREPLY + 1,
		[ICMP_ECHOREPLY] = ICMP_ECHO + 1,
		[ICMP_TIMESTAMP] = ICMP_TIMESTAMPREPLY + 1,
		[ICMP_TIMESTAMPREPLY] = ICMP_TIMESTAMP + 1,
		[ICMP_INFO_REQUEST] = ICMP_INFO_REPLY + 1,
		[ICMP_INFO_REPLY] = ICMP_INFO_REQUEST + 1,
		[ICMP_ADDRESS] = ICMP_ADDRESSREPLY + 1,
		[ICMP_ADDRESSREPLY] = ICMP_ADDRESS + 1,
	};

	memset(inverse, 0, sizeof(*inverse));
	inverse->src.l3num = orig->src.l3num;
	inverse->src.u3.ip = orig->dst.u3.ip;
	inverse->dst.u3.ip = orig->src.u3.ip;
	inverse->dst.dir = !orig->dst.dir;
	inverse->dst.protonum = orig->dst.protonum;
	switch (orig->dst.protonum) {
	case IPPROTO_ICMP:
		if (orig->dst.u.icmp.type >= sizeof(invmap) || !invmap[orig->dst.u.icmp.type])
			return false;
		inverse->src.u.icmp.id = orig->src.u.icmp.id;
		inverse->dst.u.icmp.type = invmap[orig->dst.u.icmp.type] - 1;
		inverse->dst.u.icmp.code = orig->dst.u.icmp.code;
		return true;
	case IPPROTO_TCP:
	case IPPROTO_UDP:
		inverse->src.u.all = orig->dst.u.all;
		inverse->dst.u.all = orig->src.u.all;
		return true;
	}
	return true;
}

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond))                                                                       \
			return #cond;                                                              \
	} while (0)

/* Run a sub-check that returns NULL or why it failed. */
#define TRY(expr)                                                                                  \
	do {                                                                                       \
		const char *_why = (expr);                                                         \
		if (_why)                                                                          \
			return _why;                                                               \
	} while (0)

#define ADDR(a, b, c, d) htonl((u32)(a) << 24 | (u32)(b) << 16 | (u32)(c) << 8 | (u32)(d))
#define LAN_HOST ADDR(10, 0, 0, 1)
#define SERVER ADDR(10, 0, 0, 5)
#define VIP ADDR(10, 0, 0, 2)
#define REMOTE ADDR(203, 0, 113, 9)
#define REMOTE2 ADDR(203, 0, 113, 10)
#define PUBLIC ADDR(198, 51, 100, 1)
#define PUBLIC_LAST ADDR(198, 51, 100, 4)
#define CLIENT ADDR(192, 0, 2, 7)

#define ORIG IP_CT_DIR_ORIGINAL
#define REPLY IP_CT_DIR_REPLY

static struct nf_conn ct1, ct2, ct3, owner;

/*
 * true while the double above is the nf_conntrack_tuple_taken() linked in:
 * the conntrack core's would not see the tuples the tests register, and the
 * checks that rely on them must then insert real entries instead.
 */
static bool taken_double_linked(void)
{
	struct nf_conntrack_tuple t = { .src.l3num = NFPROTO_IPV4, .dst.protonum = IPPROTO_UDP };
	unsigned int before = taken_lookups;

	nf_conntrack_tuple_taken(&t, NULL);
	return taken_lookups != before;
}

#define NEED_TAKEN_DOUBLE()                                                                        \
	do {                                                                                       \
		if (!taken_double_linked())                                                        \
			return "nf_conntrack_tuple_taken() is not the test double";                \
	} while (0)

static void taken_reset(void)
{
	nr_taken = 0;
	taken_all_dst = 0;
	taken_lookups = 0;
}

/* Registers the reply tuple a mapping of orig to (addr, port) would give. */
static void taken_add(const struct nf_conntrack_tuple *orig, u32 addr, u16 port,
		      const struct nf_conn *by)
{
	struct nf_conntrack_tuple mapped = *orig;

	mapped.src.u3.ip = addr;
	mapped.src.u.all = htons(port);
	if (nr_taken < NR_TAKEN) {
		nf_ct_invert_tuple(&taken[nr_taken].tuple, &mapped);
		taken[nr_taken++].owner = by;
	}
}

/* A fresh unconfirmed entry for proto saddr:sport -> daddr:dport (ICMP echo: sport is the id). */
static void ct_setup(struct nf_conn *ct, u8 proto, u32 saddr, u16 sport, u32 daddr, u16 dport)
{
	struct nf_conntrack_tuple *t = &ct->tuplehash[ORIG].tuple;

	memset(ct, 0, sizeof(*ct));
	spin_lock_init(&ct->lock);
	atomic_set(&ct->use, 1);
	t->src.l3num = NFPROTO_IPV4;
	t->src.u3.ip = saddr;
	t->dst.u3.ip = daddr;
	t->dst.protonum = proto;
	t->dst.dir = ORIG;
	if (proto == IPPROTO_ICMP) {
		t->src.u.icmp.id = htons(sport);
		t->dst.u.icmp.type = ICMP_ECHO;
	} else {
		t->src.u.all = htons(sport);
		t->dst.u.all = htons(dport);
	}
	nf_ct_invert_tuple(&ct->tuplehash[REPLY].tuple, t);
}

/* What the conntrack core's destroy path does for NAT. */
static void ct_release(struct nf_conn *ct)
{
	nf_nat_cleanup_conntrack(ct);
	ct->status = 0;
}

static const struct nf_nat_range2 *range_of(u32 min_addr, u32 max_addr, u16 min_port, u16 max_port)
{
	static struct nf_nat_range2 r;

	memset(&r, 0, sizeof(r));
	if (min_addr) {
		r.flags |= NF_NAT_RANGE_MAP_IPS;
		r.min_addr.ip = min_addr;
		r.max_addr.ip = max_addr;
	}
	if (min_port) {
		r.flags |= NF_NAT_RANGE_PROTO_SPECIFIED;
		r.min_proto.all = htons(min_port);
		r.max_proto.all = htons(max_port);
	}
	return &r;
}

/* --- Packets ---------------------------------------------------------------------------------- */

struct pkt {
	u8 proto;
	u32 saddr, daddr;
	u16 sport, dport; /* host order; ICMP: sport is the id */
	u8 icmp_type;
	u16 paylen;
	const u8 *payload; /* NULL: 'x' bytes */
	bool no_csum;	   /* UDP without a checksum */
};

static u16 l4_header_len(u8 proto)
{
	return proto == IPPROTO_TCP   ? sizeof(struct tcphdr)
	       : proto == IPPROTO_UDP ? sizeof(struct udphdr)
				      : sizeof(struct icmphdr);
}

/* The checksum (host order) a sender would put in the transport header at l4. */
static u16 l4_csum(const struct iphdr *iph, const u8 *l4, unsigned int len)
{
	u32 sum = 0;

	if (iph->protocol != IPPROTO_ICMP)
		sum = csum_tcpudp_nofold(iph->saddr, iph->daddr, len, iph->protocol, 0);
	return csum_fold(csum_partial(l4, len, sum));
}

/* Writes the IPv4 packet of p at buf; its length. */
static unsigned int pkt_write(u8 *buf, const struct pkt *p)
{
	unsigned int l4len = l4_header_len(p->proto) + p->paylen;
	struct iphdr *iph = (struct iphdr *)buf;
	u8 *l4 = buf + sizeof(*iph);
	u16 csum;

	memset(buf, 0, sizeof(*iph) + l4len);
	iph->ihl_version = 0x45;
	iph->tot_len = htons(sizeof(*iph) + l4len);
	iph->id = htons(0x4242);
	iph->ttl = 64;
	iph->protocol = p->proto;
	iph->saddr = p->saddr;
	iph->daddr = p->daddr;
	iph->check = htons(csum_fold(csum_partial(iph, sizeof(*iph), 0)));
	if (p->payload)
		memcpy(l4 + l4_header_len(p->proto), p->payload, p->paylen);
	else
		memset(l4 + l4_header_len(p->proto), 'x', p->paylen);

	if (p->proto == IPPROTO_TCP) {
		struct tcphdr *th = (struct tcphdr *)l4;

		th->source = htons(p->sport);
		th->dest = htons(p->dport);
		th->seq = htonl(1000);
		th->doff_res = 5 << 4;
		th->flags = 0x02; /* SYN */
		th->window = htons(65535);
		th->check = htons(l4_csum(iph, l4, l4len));
	} else if (p->proto == IPPROTO_UDP) {
		struct udphdr *uh = (struct udphdr *)l4;

		uh->source = htons(p->sport);
		uh->dest = htons(p->dport);
		uh->len = htons(l4len);
		if (!p->no_csum) {
			csum = l4_csum(iph, l4, l4len);
			uh->check = htons(csum ? csum : 0xffff);
		}
	} else {
		struct icmphdr *ih = (struct icmphdr *)l4;

		ih->type = p->icmp_type;
		ih->id = htons(p->sport);
		ih->sequence = htons(1);
		ih->checksum = htons(l4_csum(iph, l4, l4len));
	}
	return sizeof(*iph) + l4len;
}

static struct sk_buff *pkt_skb(const struct pkt *p)
{
	struct sk_buff *skb = alloc_skb(SKB_MAX_HEAD);
	u8 buf[256];
	unsigned int len;

	if (!skb)
		return NULL;
	len = pkt_write(buf, p);
	memcpy(skb_put(skb, len), buf, len);
	skb_reset_network_header(skb);
	skb->protocol = ETH_P_IP;
	skb->ip_summed = CHECKSUM_NONE;
	return skb;
}

/* The IPv4 header checksum and the transport checksum of the packet at iph are right. */
static const char *sums_ok(const u8 *pkt)
{
	const struct iphdr *iph = (const struct iphdr *)pkt;
	unsigned int len = ntohs(iph->tot_len) - sizeof(*iph);
	const u8 *l4 = pkt + sizeof(*iph);

	if (ip_fast_csum(iph, 5))
		return "IPv4 header checksum wrong";
	if (iph->protocol == IPPROTO_UDP && !((const struct udphdr *)l4)->check)
		return NULL; /* none */
	if (l4_csum(iph, l4, len))
		return "transport checksum wrong";
	return NULL;
}

/* The ports (ICMP: id) of the packet, host order. */
static u16 sport_of(const struct sk_buff *skb)
{
	const u8 *l4 = skb->data + ip_hdrlen(skb);

	if (ip_hdr(skb)->protocol == IPPROTO_ICMP)
		return ntohs(((const struct icmphdr *)l4)->id);
	return ntohs(((const u16 *)l4)[0]);
}

static u16 dport_of(const struct sk_buff *skb)
{
	return ntohs(((const u16 *)(skb->data + ip_hdrlen(skb)))[1]);
}

static u16 reply_port(const struct nf_conn *ct)
{
	return ntohs(ct->tuplehash[REPLY].tuple.dst.u.all);
}

/* --- nf_nat_tuple ----------------------------------------------------------------------------- */

static const char *tuple_checks(void)
{
	struct nf_conntrack_tuple orig, reply;
	const struct nf_conntrack_tuple *t;
	struct sk_buff *skb;
	u32 words[4];
	u32 expect;

	taken_reset();

	/* SNAT of the address only: the port is kept, the reply goes to the mapped source. */
	ct_setup(&ct1, IPPROTO_UDP, LAN_HOST, 5000, REMOTE, 53);
	orig = ct1.tuplehash[ORIG].tuple;
	CHECK(nf_nat_setup_info(&ct1, range_of(PUBLIC, PUBLIC, 0, 0), NF_NAT_MANIP_SRC) ==
	      NF_ACCEPT);
	CHECK(nf_ct_tuple_equal(&ct1.tuplehash[ORIG].tuple, &orig));
	t = &ct1.tuplehash[REPLY].tuple;
	CHECK(t->src.u3.ip == REMOTE && ntohs(t->src.u.all) == 53);
	CHECK(t->dst.u3.ip == PUBLIC && ntohs(t->dst.u.all) == 5000);
	CHECK(t->dst.protonum == IPPROTO_UDP && t->dst.dir == REPLY);
	CHECK((ct1.status & (IPS_SRC_NAT | IPS_SRC_NAT_DONE)) == (IPS_SRC_NAT | IPS_SRC_NAT_DONE));
	CHECK(!(ct1.status & (IPS_DST_NAT | IPS_DST_NAT_DONE)));
	CHECK(nf_nat_bysource_count(&orig) == 1);
	/* The same manip twice is refused. */
	CHECK(nf_nat_setup_info(&ct1, range_of(PUBLIC, PUBLIC, 0, 0), NF_NAT_MANIP_SRC) == NF_DROP);
	ct_release(&ct1);
	CHECK(nf_nat_bysource_count(&orig) == 0);

	/* DNAT to another address and port, then the null binding of POST_ROUTING. */
	ct_setup(&ct1, IPPROTO_TCP, CLIENT, 40000, VIP, 80);
	orig = ct1.tuplehash[ORIG].tuple;
	CHECK(nf_nat_setup_info(&ct1, range_of(SERVER, SERVER, 8080, 8080), NF_NAT_MANIP_DST) ==
	      NF_ACCEPT);
	CHECK(nf_ct_tuple_equal(&ct1.tuplehash[ORIG].tuple, &orig));
	t = &ct1.tuplehash[REPLY].tuple;
	CHECK(t->src.u3.ip == SERVER && ntohs(t->src.u.all) == 8080);
	CHECK(t->dst.u3.ip == CLIENT && ntohs(t->dst.u.all) == 40000);
	CHECK((ct1.status & (IPS_DST_NAT | IPS_DST_NAT_DONE)) == (IPS_DST_NAT | IPS_DST_NAT_DONE));
	reply = *t;
	CHECK(nf_nat_alloc_null_binding(&ct1, NF_INET_POST_ROUTING) == NF_ACCEPT);
	CHECK(ct1.status & IPS_SRC_NAT_DONE);
	CHECK(!(ct1.status & IPS_SRC_NAT));
	CHECK(nf_ct_tuple_equal(&ct1.tuplehash[REPLY].tuple, &reply));
	ct_release(&ct1);

	/* MASQUERADE: our own address. */
	ct_setup(&ct1, IPPROTO_UDP, LAN_HOST, 5000, REMOTE, 53);
	skb = pkt_skb(&(struct pkt){ .proto = IPPROTO_UDP,
				     .saddr = LAN_HOST,
				     .daddr = REMOTE,
				     .sport = 5000,
				     .dport = 53,
				     .paylen = 4 });
	CHECK(skb);
	nf_ct_set(skb, &ct1, IP_CT_NEW);
	expect = nf_nat_masquerade_ipv4(skb, NF_INET_POST_ROUTING, range_of(0, 0, 0, 0), NULL);
	consume_skb(skb);
	CHECK(expect == NF_ACCEPT);
	t = &ct1.tuplehash[REPLY].tuple;
	CHECK(t->dst.u3.ip == inet_own_addr() && ntohs(t->dst.u.all) == 5000);
	CHECK(ct1.status & IPS_SRC_NAT);
	ct_release(&ct1);

	/* An address range: Linux's hash of the source, seeded with the destination. */
	ct_setup(&ct1, IPPROTO_UDP, LAN_HOST, 5000, REMOTE, 53);
	CHECK(nf_nat_setup_info(&ct1, range_of(PUBLIC, PUBLIC_LAST, 0, 0), NF_NAT_MANIP_SRC) ==
	      NF_ACCEPT);
	words[0] = LAN_HOST;
	words[1] = words[2] = words[3] = 0;
	expect = htonl(ntohl(PUBLIC) + reciprocal_scale(jhash2(words, 4, REMOTE), 4));
	CHECK(ct1.tuplehash[REPLY].tuple.dst.u3.ip == expect);
	ct_release(&ct1);

	/* A confirmed entry keeps what it has. */
	ct_setup(&ct1, IPPROTO_UDP, LAN_HOST, 5000, REMOTE, 53);
	ct1.status = IPS_CONFIRMED;
	reply = ct1.tuplehash[REPLY].tuple;
	CHECK(nf_nat_setup_info(&ct1, range_of(PUBLIC, PUBLIC, 0, 0), NF_NAT_MANIP_SRC) ==
	      NF_ACCEPT);
	CHECK(nf_ct_tuple_equal(&ct1.tuplehash[REPLY].tuple, &reply));
	CHECK(!(ct1.status & IPS_SRC_NAT_DONE));
	return NULL;
}

/* --- nf_nat_mangle ---------------------------------------------------------------------------- */

/*
 * An SNAT'ed flow of p (LAN_HOST -> REMOTE) mapped to PUBLIC:map_port: the
 * original direction at POST_ROUTING, then its reply at PRE_ROUTING.
 */
static const char *snat_roundtrip(const struct pkt *p, u16 map_port)
{
	struct pkt rp = *p;
	struct sk_buff *skb;
	u8 before[256];
	bool zero = p->no_csum;

	ct_setup(&ct1, p->proto, p->saddr, p->sport, p->daddr, p->dport);
	CHECK(nf_nat_setup_info(&ct1, range_of(PUBLIC, PUBLIC, map_port, map_port),
				NF_NAT_MANIP_SRC) == NF_ACCEPT);

	/* PRE_ROUTING, original direction: nothing to do for SNAT. */
	skb = pkt_skb(p);
	CHECK(skb);
	memcpy(before, skb->data, skb->len);
	CHECK(nf_nat_packet(&ct1, IP_CT_NEW, NF_INET_PRE_ROUTING, skb) == NF_ACCEPT);
	CHECK(!memcmp(before, skb->data, skb->len));

	/* POST_ROUTING: source rewritten. */
	CHECK(nf_nat_packet(&ct1, IP_CT_NEW, NF_INET_POST_ROUTING, skb) == NF_ACCEPT);
	CHECK(ip_hdr(skb)->saddr == PUBLIC && ip_hdr(skb)->daddr == p->daddr);
	CHECK(sport_of(skb) == map_port);
	if (p->proto != IPPROTO_ICMP)
		CHECK(dport_of(skb) == p->dport);
	if (zero)
		CHECK(((const struct udphdr *)(skb->data + 20))->check == 0);
	TRY(sums_ok(skb->data));
	consume_skb(skb);

	/* The reply, to the mapped address, gets the original one back at PRE_ROUTING. */
	rp.saddr = p->daddr;
	rp.daddr = PUBLIC;
	rp.sport = p->proto == IPPROTO_ICMP ? map_port : p->dport;
	rp.dport = map_port;
	if (p->proto == IPPROTO_ICMP)
		rp.icmp_type = ICMP_ECHOREPLY;
	skb = pkt_skb(&rp);
	CHECK(skb);
	CHECK(nf_nat_packet(&ct1, IP_CT_ESTABLISHED_REPLY, NF_INET_PRE_ROUTING, skb) == NF_ACCEPT);
	CHECK(ip_hdr(skb)->saddr == p->daddr && ip_hdr(skb)->daddr == p->saddr);
	if (p->proto == IPPROTO_ICMP)
		CHECK(sport_of(skb) == p->sport);
	else
		CHECK(sport_of(skb) == p->dport && dport_of(skb) == p->sport);
	if (zero)
		CHECK(((const struct udphdr *)(skb->data + 20))->check == 0);
	TRY(sums_ok(skb->data));
	/* POST_ROUTING in the reply direction: no DNAT to undo. */
	memcpy(before, skb->data, skb->len);
	CHECK(nf_nat_packet(&ct1, IP_CT_ESTABLISHED_REPLY, NF_INET_POST_ROUTING, skb) == NF_ACCEPT);
	CHECK(!memcmp(before, skb->data, skb->len));
	consume_skb(skb);
	ct_release(&ct1);
	return NULL;
}

/* A UDP datagram whose checksum becomes 0 through the SNAT: it must go out as 0xffff. */
static const char *udp_mangled_zero(void)
{
	struct pkt after = { .proto = IPPROTO_UDP,
			     .saddr = PUBLIC,
			     .daddr = REMOTE,
			     .sport = 61000,
			     .dport = 53,
			     .paylen = 2 };
	u8 buf[64], payload[2] = { 0, 0 };
	struct sk_buff *skb;
	u16 c;

	/* The payload word that makes the translated datagram's sum 0xffff. */
	after.payload = payload;
	pkt_write(buf, &after);
	((struct udphdr *)(buf + 20))->check = 0;
	c = l4_csum((const struct iphdr *)buf, buf + 20, sizeof(struct udphdr) + 2);
	/* With the checksum field 0, c is what the field would be: make the payload c. */
	payload[0] = c >> 8;
	payload[1] = c;
	pkt_write(buf, &after);
	((struct udphdr *)(buf + 20))->check = 0;
	CHECK(l4_csum((const struct iphdr *)buf, buf + 20, sizeof(struct udphdr) + 2) == 0);

	ct_setup(&ct1, IPPROTO_UDP, LAN_HOST, 5000, REMOTE, 53);
	CHECK(nf_nat_setup_info(&ct1, range_of(PUBLIC, PUBLIC, 61000, 61000), NF_NAT_MANIP_SRC) ==
	      NF_ACCEPT);
	skb = pkt_skb(&(struct pkt){ .proto = IPPROTO_UDP,
				     .saddr = LAN_HOST,
				     .daddr = REMOTE,
				     .sport = 5000,
				     .dport = 53,
				     .paylen = 2,
				     .payload = payload });
	CHECK(skb);
	CHECK(((const struct udphdr *)(skb->data + 20))->check != 0);
	CHECK(nf_nat_packet(&ct1, IP_CT_NEW, NF_INET_POST_ROUTING, skb) == NF_ACCEPT);
	CHECK(ip_hdr(skb)->saddr == PUBLIC && sport_of(skb) == 61000);
	CHECK(((const struct udphdr *)(skb->data + 20))->check == CSUM_MANGLED_0);
	TRY(sums_ok(skb->data));
	consume_skb(skb);
	ct_release(&ct1);
	return NULL;
}

/* DNAT of a TCP connection: destination at PRE_ROUTING, the reply's source at POST_ROUTING. */
static const char *dnat_roundtrip(void)
{
	struct sk_buff *skb;

	ct_setup(&ct1, IPPROTO_TCP, CLIENT, 40000, VIP, 80);
	CHECK(nf_nat_setup_info(&ct1, range_of(SERVER, SERVER, 8080, 8080), NF_NAT_MANIP_DST) ==
	      NF_ACCEPT);
	skb = pkt_skb(&(struct pkt){ .proto = IPPROTO_TCP,
				     .saddr = CLIENT,
				     .daddr = VIP,
				     .sport = 40000,
				     .dport = 80,
				     .paylen = 33 });
	CHECK(skb);
	CHECK(nf_nat_packet(&ct1, IP_CT_NEW, NF_INET_PRE_ROUTING, skb) == NF_ACCEPT);
	CHECK(ip_hdr(skb)->saddr == CLIENT && ip_hdr(skb)->daddr == SERVER);
	CHECK(sport_of(skb) == 40000 && dport_of(skb) == 8080);
	TRY(sums_ok(skb->data));
	consume_skb(skb);

	skb = pkt_skb(&(struct pkt){ .proto = IPPROTO_TCP,
				     .saddr = SERVER,
				     .daddr = CLIENT,
				     .sport = 8080,
				     .dport = 40000,
				     .paylen = 7 });
	CHECK(skb);
	CHECK(nf_nat_packet(&ct1, IP_CT_ESTABLISHED_REPLY, NF_INET_POST_ROUTING, skb) == NF_ACCEPT);
	CHECK(ip_hdr(skb)->saddr == VIP && ip_hdr(skb)->daddr == CLIENT);
	CHECK(sport_of(skb) == 80 && dport_of(skb) == 40000);
	TRY(sums_ok(skb->data));
	consume_skb(skb);
	ct_release(&ct1);
	return NULL;
}

static const char *mangle_checks(void)
{
	taken_reset();
	TRY(snat_roundtrip(&(struct pkt){ .proto = IPPROTO_TCP,
					  .saddr = LAN_HOST,
					  .daddr = REMOTE,
					  .sport = 40000,
					  .dport = 80,
					  .paylen = 21 },
			   61000));
	TRY(snat_roundtrip(&(struct pkt){ .proto = IPPROTO_UDP,
					  .saddr = LAN_HOST,
					  .daddr = REMOTE,
					  .sport = 5000,
					  .dport = 53,
					  .paylen = 13 },
			   61001));
	TRY(snat_roundtrip(&(struct pkt){ .proto = IPPROTO_UDP,
					  .saddr = LAN_HOST,
					  .daddr = REMOTE,
					  .sport = 5000,
					  .dport = 53,
					  .paylen = 13,
					  .no_csum = true },
			   61002));
	TRY(snat_roundtrip(&(struct pkt){ .proto = IPPROTO_ICMP,
					  .saddr = LAN_HOST,
					  .daddr = REMOTE,
					  .sport = 0x1234,
					  .icmp_type = ICMP_ECHO,
					  .paylen = 56 },
			   7000));
	TRY(udp_mangled_zero());
	TRY(dnat_roundtrip());
	return NULL;
}

/* --- nf_nat_port_clash ------------------------------------------------------------------------ */

/* The source port a taken mapping to PUBLIC:port moves a flow from sport to. */
static const char *privileged_port(u16 sport, u16 lo, u16 hi)
{
	u16 port;

	taken_reset();
	ct_setup(&ct1, IPPROTO_UDP, LAN_HOST, sport, REMOTE, 53);
	taken_add(&ct1.tuplehash[ORIG].tuple, PUBLIC, sport, &owner);
	CHECK(nf_nat_setup_info(&ct1, range_of(PUBLIC, PUBLIC, 0, 0), NF_NAT_MANIP_SRC) ==
	      NF_ACCEPT);
	port = reply_port(&ct1);
	ct_release(&ct1);
	CHECK(port != sport && port >= lo && port <= hi);
	return NULL;
}

static const char *port_clash_checks(void)
{
	struct nf_conntrack_tuple orig, t;
	u16 p1, p2;
	unsigned int i;

	NEED_TAKEN_DOUBLE();

	/* The first flow: some port of 1024-1031. */
	taken_reset();
	ct_setup(&ct1, IPPROTO_UDP, LAN_HOST, 5000, REMOTE, 53);
	orig = ct1.tuplehash[ORIG].tuple;
	CHECK(nf_nat_setup_info(&ct1, range_of(PUBLIC, PUBLIC, 1024, 1031), NF_NAT_MANIP_SRC) ==
	      NF_ACCEPT);
	p1 = reply_port(&ct1);
	ct_release(&ct1);
	CHECK(p1 >= 1024 && p1 <= 1031);

	/* Taken by another entry: the search goes on to the next port of the range. */
	taken_add(&orig, PUBLIC, p1, &owner);
	ct_setup(&ct2, IPPROTO_UDP, LAN_HOST, 5000, REMOTE, 53);
	CHECK(nf_nat_setup_info(&ct2, range_of(PUBLIC, PUBLIC, 1024, 1031), NF_NAT_MANIP_SRC) ==
	      NF_ACCEPT);
	p2 = reply_port(&ct2);
	ct_release(&ct2);
	CHECK(p2 == 1024 + (p1 - 1024 + 1) % 8);
	CHECK(ct2.tuplehash[REPLY].tuple.dst.u3.ip == PUBLIC);

	/* The whole range taken: dropped, nothing bound. */
	for (i = 1024; i <= 1031; i++)
		if (i != p1)
			taken_add(&orig, PUBLIC, i, &owner);
	ct_setup(&ct3, IPPROTO_UDP, LAN_HOST, 5000, REMOTE, 53);
	t = ct3.tuplehash[REPLY].tuple;
	CHECK(nf_nat_setup_info(&ct3, range_of(PUBLIC, PUBLIC, 1024, 1031), NF_NAT_MANIP_SRC) ==
	      NF_DROP);
	CHECK(!(ct3.status & (IPS_SRC_NAT | IPS_SRC_NAT_DONE)));
	CHECK(nf_ct_tuple_equal(&ct3.tuplehash[REPLY].tuple, &t));
	CHECK(nf_nat_bysource_count(&orig) == 0);

	/* Without a port range Linux keeps a port's class: < 512, 600-1023, >= 1024. */
	TRY(privileged_port(500, 1, 511));
	TRY(privileged_port(700, 600, 1023));
	TRY(privileged_port(5000, 1024, 65535));

	/*
	 * The attempt limit: with everything taken, 128 tries, then 64, 32, 16
	 * and 8 from new offsets; a range smaller than 128 is tried once, port by port.
	 */
	taken_reset();
	taken_all_dst = PUBLIC;
	ct_setup(&ct1, IPPROTO_UDP, LAN_HOST, 5000, REMOTE, 53);
	t = ct1.tuplehash[ORIG].tuple;
	t.src.u3.ip = PUBLIC;
	nf_nat_l4proto_unique_tuple(&t, range_of(PUBLIC, PUBLIC, 0, 0), NF_NAT_MANIP_SRC, &ct1);
	CHECK(taken_lookups == 128 + 64 + 32 + 16 + 8);
	taken_lookups = 0;
	nf_nat_l4proto_unique_tuple(&t, range_of(PUBLIC, PUBLIC, 1024, 1031), NF_NAT_MANIP_SRC,
				    &ct1);
	CHECK(taken_lookups == 8);
	taken_reset();
	return NULL;
}

/* --- nf_nat_bysource -------------------------------------------------------------------------- */

static const char *bysource_checks(void)
{
	const struct nf_nat_range2 *range;
	struct nf_conntrack_tuple orig;
	u32 a1;
	u16 p1;

	NEED_TAKEN_DOUBLE();

	taken_reset();
	range = range_of(PUBLIC, PUBLIC_LAST, 1024, 1031);
	ct_setup(&ct1, IPPROTO_UDP, LAN_HOST, 5000, REMOTE, 53);
	orig = ct1.tuplehash[ORIG].tuple;
	CHECK(nf_nat_setup_info(&ct1, range, NF_NAT_MANIP_SRC) == NF_ACCEPT);
	a1 = ct1.tuplehash[REPLY].tuple.dst.u3.ip;
	p1 = reply_port(&ct1);
	/* ct1 confirmed: its reply tuple is in the table. */
	taken_add(&orig, a1, p1, &ct1);

	/* Same source, another destination: the same address and port. */
	range = range_of(PUBLIC, PUBLIC_LAST, 1024, 1031);
	ct_setup(&ct2, IPPROTO_UDP, LAN_HOST, 5000, REMOTE2, 53);
	CHECK(nf_nat_setup_info(&ct2, range, NF_NAT_MANIP_SRC) == NF_ACCEPT);
	CHECK(ct2.tuplehash[REPLY].tuple.dst.u3.ip == a1 && reply_port(&ct2) == p1);
	CHECK(ct2.tuplehash[REPLY].tuple.src.u3.ip == REMOTE2);
	CHECK(nf_nat_bysource_count(&orig) == 2);

	/* The same flow again: that mapping is taken, another one is found. */
	range = range_of(PUBLIC, PUBLIC_LAST, 1024, 1031);
	ct_setup(&ct3, IPPROTO_UDP, LAN_HOST, 5000, REMOTE, 53);
	CHECK(nf_nat_setup_info(&ct3, range, NF_NAT_MANIP_SRC) == NF_ACCEPT);
	CHECK(ct3.tuplehash[REPLY].tuple.dst.u3.ip != a1 || reply_port(&ct3) != p1);
	CHECK(nf_nat_bysource_count(&orig) == 3);

	/* Destroyed entries leave the table. */
	ct_release(&ct1);
	ct_release(&ct2);
	ct_release(&ct3);
	CHECK(nf_nat_bysource_count(&orig) == 0);
	taken_reset();
	return NULL;
}

/* --- nf_nat_icmp_error ------------------------------------------------------------------------ */

/*
 * REMOTE's ICMP error (type, code 3) about the packet inner_pkt it got: an IPv4
 * header and the first quote bytes of it (at most its length).
 */
static struct sk_buff *icmp_error_skb(const struct pkt *inner_pkt, u8 type, unsigned int quote,
				      bool bad_csum)
{
	struct sk_buff *skb = alloc_skb(SKB_MAX_HEAD);
	struct iphdr *iph;
	struct icmphdr *ih;
	u8 inner[256];
	u8 *p;

	if (!skb)
		return NULL;
	quote = min(quote, pkt_write(inner, inner_pkt));
	p = skb_put(skb, 20 + 8 + quote);
	memset(p, 0, skb->len);
	memcpy(p + 28, inner, quote);
	iph = (struct iphdr *)p;
	iph->ihl_version = 0x45;
	iph->tot_len = htons(28 + quote);
	iph->ttl = 64;
	iph->protocol = IPPROTO_ICMP;
	iph->saddr = REMOTE;
	iph->daddr = inner_pkt->saddr;
	iph->check = htons(csum_fold(csum_partial(iph, 20, 0)));
	ih = (struct icmphdr *)(p + 20);
	ih->type = type;
	ih->code = 3;
	ih->checksum = htons(csum_fold(csum_partial(ih, 8 + quote, 0)));
	if (bad_csum)
		ih->checksum ^= htons(0x0101);
	skb_reset_network_header(skb);
	skb->protocol = ETH_P_IP;
	skb->ip_summed = CHECKSUM_NONE;
	return skb;
}

/* The error through the PRE_ROUTING NAT hook as RELATED_REPLY of ct: the verdict, or 1000. */
static unsigned int icmp_error_rcv(struct nf_conn *ct, struct sk_buff *skb)
{
	struct nf_hook_state pre = { .hook = NF_INET_PRE_ROUTING, .pf = NFPROTO_IPV4 };

	if (!skb)
		return 1000;
	nf_ct_set(skb, ct, IP_CT_RELATED_REPLY);
	return nf_nat_ipv4_fn(NULL, skb, &pre);
}

/* The outer and inner IPv4 headers and the ICMP checksum are right. */
static const char *icmp_error_sums_ok(const struct sk_buff *skb)
{
	CHECK(!ip_fast_csum(skb->data, 5));
	CHECK(!csum_fold(csum_partial(skb->data + 20, skb->len - 20, 0)));
	CHECK(!ip_fast_csum(skb->data + 28, 5));
	return NULL;
}

static const char *icmp_error_checks(void)
{
	/* What REMOTE received of each flow, after the SNAT. */
	const struct pkt udp = { .proto = IPPROTO_UDP,
				 .saddr = PUBLIC,
				 .daddr = REMOTE,
				 .sport = 61000,
				 .dport = 53,
				 .paylen = 6 };
	const struct pkt tcp = { .proto = IPPROTO_TCP,
				 .saddr = PUBLIC,
				 .daddr = REMOTE,
				 .sport = 61005,
				 .dport = 80,
				 .paylen = 0 };
	const struct iphdr *outer, *inner;
	const struct udphdr *uh;
	struct sk_buff *skb;
	unsigned int ret;
	u8 quoted[28];

	taken_reset();
	/* A port unreachable quoting the whole datagram: every checksum can be checked. */
	ct_setup(&ct1, IPPROTO_UDP, LAN_HOST, 5000, REMOTE, 53);
	CHECK(nf_nat_setup_info(&ct1, range_of(PUBLIC, PUBLIC, 61000, 61000), NF_NAT_MANIP_SRC) ==
	      NF_ACCEPT);
	skb = icmp_error_skb(&udp, ICMP_DEST_UNREACH, 256, false);
	ret = icmp_error_rcv(&ct1, skb);
	CHECK(ret != 1000);
	if (ret != NF_ACCEPT) {
		consume_skb(skb);
		return "the port unreachable was dropped";
	}
	outer = ip_hdr(skb);
	inner = (const struct iphdr *)(skb->data + 28);
	uh = (const struct udphdr *)(skb->data + 48);
	CHECK(outer->saddr == REMOTE && outer->daddr == LAN_HOST);
	CHECK(inner->saddr == LAN_HOST && inner->daddr == REMOTE);
	CHECK(ntohs(uh->source) == 5000 && ntohs(uh->dest) == 53);
	TRY(icmp_error_sums_ok(skb));
	TRY(sums_ok(skb->data + 28));
	consume_skb(skb);

	/* A corrupt ICMP checksum: Linux does not translate it, the packet is dropped. */
	skb = icmp_error_skb(&udp, ICMP_DEST_UNREACH, 256, true);
	ret = icmp_error_rcv(&ct1, skb);
	CHECK(ret != 1000);
	consume_skb(skb);
	CHECK(ret == NF_DROP);
	ct_release(&ct1);

	/*
	 * A time exceeded quoting 8 bytes of a TCP segment: the ports are
	 * translated, the TCP checksum (not quoted) is left alone.
	 */
	ct_setup(&ct2, IPPROTO_TCP, LAN_HOST, 40000, REMOTE, 80);
	CHECK(nf_nat_setup_info(&ct2, range_of(PUBLIC, PUBLIC, 61005, 61005), NF_NAT_MANIP_SRC) ==
	      NF_ACCEPT);
	skb = icmp_error_skb(&tcp, ICMP_TIME_EXCEEDED, 28, false);
	ret = icmp_error_rcv(&ct2, skb);
	CHECK(ret != 1000);
	if (ret != NF_ACCEPT) {
		consume_skb(skb);
		return "the time exceeded was dropped";
	}
	CHECK(skb->len == 56);
	memcpy(quoted, skb->data + 28, sizeof(quoted));
	outer = ip_hdr(skb);
	inner = (const struct iphdr *)quoted;
	CHECK(outer->saddr == REMOTE && outer->daddr == LAN_HOST);
	CHECK(inner->saddr == LAN_HOST && inner->daddr == REMOTE);
	CHECK(ntohs(((const u16 *)(quoted + 20))[0]) == 40000);
	CHECK(ntohs(((const u16 *)(quoted + 20))[1]) == 80);
	CHECK(ntohl(((const u32 *)(quoted + 20))[1]) == 1000); /* the sequence number */
	TRY(icmp_error_sums_ok(skb));
	consume_skb(skb);
	ct_release(&ct2);
	return NULL;
}

/* --- nf_nat_rules ----------------------------------------------------------------------------- */

static bool parse(const char *rule)
{
	return nf_nat_parse_option(rule, strlen(rule));
}

/* p through nf_nat_ipv4_fn() at hook as a NEW packet of ct; the verdict, or 1000 without an skb. */
static unsigned int hook_pkt(struct nf_conn *ct, const struct pkt *p, unsigned int hook, u8 *out,
			     unsigned int *len)
{
	struct nf_hook_state state = { .hook = hook, .pf = NFPROTO_IPV4 };
	struct sk_buff *skb = pkt_skb(p);
	unsigned int ret;

	if (!skb)
		return 1000;
	nf_ct_set(skb, ct, IP_CT_NEW);
	ret = nf_nat_ipv4_fn(NULL, skb, &state);
	*len = skb->len;
	memcpy(out, skb->data, skb->len);
	consume_skb(skb);
	return ret;
}

static const char *rules_checks(void)
{
	const struct pkt udp = { .proto = IPPROTO_UDP,
				 .saddr = LAN_HOST,
				 .daddr = REMOTE,
				 .sport = 5000,
				 .dport = 53,
				 .paylen = 10 };
	const struct pkt tcp = { .proto = IPPROTO_TCP,
				 .saddr = CLIENT,
				 .daddr = VIP,
				 .sport = 40000,
				 .dport = 80,
				 .paylen = 0 };
	const struct iphdr *iph;
	unsigned int len;
	u64 pk, by;
	u8 buf[256];

	taken_reset();
	CHECK(parse("nf.nat=POSTROUTING,src=10.0.0.0/8,proto=udp,MASQUERADE"));
	CHECK(parse("nf.nat=PREROUTING,dst=10.0.0.2,dport=80,proto=tcp,DNAT,to=10.0.0.5:8080"));
	CHECK(parse("nf.nat=POSTROUTING,src=10.0.0.0/8,proto=tcp,SNAT,to=198.51.100.1:1024-65535"));
	CHECK(!parse("nf.nats=POSTROUTING,MASQUERADE"));
	CHECK(nf_nat_rule_count() == 3);

	/* UDP from the LAN: a null binding at PRE_ROUTING, MASQUERADE at POST_ROUTING. */
	ct_setup(&ct1, IPPROTO_UDP, LAN_HOST, 5000, REMOTE, 53);
	CHECK(hook_pkt(&ct1, &udp, NF_INET_PRE_ROUTING, buf, &len) == NF_ACCEPT);
	CHECK((ct1.status & (IPS_DST_NAT | IPS_DST_NAT_DONE)) == IPS_DST_NAT_DONE);
	CHECK(hook_pkt(&ct1, &udp, NF_INET_POST_ROUTING, buf, &len) == NF_ACCEPT);
	iph = (const struct iphdr *)buf;
	CHECK(iph->saddr == inet_own_addr() && iph->daddr == REMOTE);
	TRY(sums_ok(buf));
	CHECK(nf_nat_rule_counters(0, &pk, &by) && pk == 1 && by == len);
	ct_release(&ct1);

	/* TCP to the published port: DNAT to the server. */
	ct_setup(&ct2, IPPROTO_TCP, CLIENT, 40000, VIP, 80);
	CHECK(hook_pkt(&ct2, &tcp, NF_INET_PRE_ROUTING, buf, &len) == NF_ACCEPT);
	iph = (const struct iphdr *)buf;
	CHECK(iph->daddr == SERVER && ntohs(((const u16 *)(buf + 20))[1]) == 8080);
	TRY(sums_ok(buf));
	CHECK(nf_nat_rule_counters(1, &pk, &by) && pk == 1 && by == len);
	CHECK(nf_nat_rule_counters(2, &pk, &by) && pk == 0);
	ct_release(&ct2);
	return NULL;
}

static void selftest_nf_nat_run(void)
{
	static const struct {
		const char *name;
		const char *(*run)(void);
	} tests[] = {
		{ "nf_nat_tuple", tuple_checks },	    { "nf_nat_mangle", mangle_checks },
		{ "nf_nat_port_clash", port_clash_checks }, { "nf_nat_bysource", bysource_checks },
		{ "nf_nat_icmp_error", icmp_error_checks }, { "nf_nat_rules", rules_checks },
	};
	unsigned int i;

	skb_pool_grow(4, 4);
	/* The command line's rules wait aside while the tests use their own. */
	nf_nat_swap_rules();
	for (i = 0; i < ARRAY_SIZE(tests); i++) {
		const char *why = tests[i].run();

		/* A failed check may leave entries bound: take them off the bysource table. */
		ct_release(&ct1);
		ct_release(&ct2);
		ct_release(&ct3);
		selftest_report(tests[i].name, !why, "%s", why);
	}
	nf_nat_flush_rules();
	nf_nat_swap_rules();
	taken_reset();
}

DEFINE_SELFTEST(selftest_nf_nat, "nf_nat", selftest_nf_nat_run, 0);
