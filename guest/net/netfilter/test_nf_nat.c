/*
 * NAT self-tests: bindings (nf_nat_setup_info() on nf_conn entries set up
 * here, as the conntrack core would have them for a packet's first pass),
 * packets crafted with correct checksums, mangled by nf_nat_packet() or the
 * IPv4 hook function, then checked field by field with every checksum
 * recomputed from scratch. The expectations are Linux 6.18's, except where
 * nf_nat_core.c says the guest differs (hashes instead of random offsets).
 *
 * The tuples a mapping must avoid are real confirmed entries of the conntrack
 * table (nf_conntrack_tuple_taken() is the core's): crafted packets through
 * nf_conntrack_in() at PRE_ROUTING, a NAT binding where the test needs one, and
 * nf_conntrack_confirm(). Each test kills the entries it made (nf_ct_kill()), so
 * the next one starts from the table it found.
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
#define REMOTE3 ADDR(203, 0, 113, 11)
#define PUBLIC ADDR(198, 51, 100, 1)
#define PUBLIC_LAST ADDR(198, 51, 100, 4)
#define CLIENT ADDR(192, 0, 2, 7)

#define ORIG IP_CT_DIR_ORIGINAL
#define REPLY IP_CT_DIR_REPLY

static struct nf_conn ct1, ct2, ct3;

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

/*
 * skb's entry is ct, with a reference of the packet's own as the conntrack core
 * gives it: freeing skb drops that one, never the test's.
 */
static void skb_set_ct(struct sk_buff *skb, struct nf_conn *ct, enum ip_conntrack_info info)
{
	nf_conntrack_get(ct);
	nf_ct_set(skb, ct, info);
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

/* --- Entries in the conntrack table ----------------------------------------------------------- */

static const struct nf_hook_state pre_routing = { .hook = NF_INET_PRE_ROUTING, .pf = NFPROTO_IPV4 };

/* The confirmed entries the running test made, for table_flush(). */
#define NR_TABLE_ENTRIES 160

static struct nf_conn *table_entries[NR_TABLE_ENTRIES];
static unsigned int nr_table_entries;

/*
 * A confirmed entry for p's flow, made as the hooks make one: nf_conntrack_in()
 * at PRE_ROUTING, then (range not NULL) the source mapping NAT binds at
 * POST_ROUTING, then nf_conntrack_confirm(). The entry, held by the table (not
 * by us) until table_flush(), or NULL if p was not a new flow or did not confirm.
 */
static struct nf_conn *table_add(const struct pkt *p, const struct nf_nat_range2 *range)
{
	enum ip_conntrack_info ctinfo;
	struct sk_buff *skb;
	struct nf_conn *ct;
	bool ok;

	if (nr_table_entries == NR_TABLE_ENTRIES)
		return NULL;
	skb = pkt_skb(p);
	if (!skb)
		return NULL;
	ok = nf_conntrack_in(skb, &pre_routing) == NF_ACCEPT;
	ct = nf_ct_get(skb, &ctinfo);
	ok = ok && ct && ctinfo == IP_CT_NEW && !nf_ct_is_confirmed(ct);
	ok = ok && (!range || nf_nat_setup_info(ct, range, NF_NAT_MANIP_SRC) == NF_ACCEPT);
	ok = ok && nf_conntrack_confirm(skb) == NF_ACCEPT;
	ct = skb_nfct(skb);
	ok = ok && ct && nf_ct_is_confirmed(ct);
	/* Drops the packet's reference: an entry that did not confirm goes with it. */
	consume_skb(skb);
	if (!ok)
		return NULL;
	table_entries[nr_table_entries++] = ct;
	return ct;
}

/* A UDP flow addr:port -> dst:53 of our own, confirmed: the table then has dst:53 -> addr:port. */
static struct nf_conn *take_port(u32 addr, u16 port, u32 dst)
{
	return table_add(&(struct pkt){ .proto = IPPROTO_UDP,
					.saddr = addr,
					.daddr = dst,
					.sport = port,
					.dport = 53,
					.paylen = 4 },
			 NULL);
}

/* Kills the entries the test made (NAT's bysource entries go with them). */
static void table_flush(void)
{
	while (nr_table_entries)
		nf_ct_kill(table_entries[--nr_table_entries]);
}

/* The tuple_taken lookups that found a tuple taken (Linux's "found" counter), all CPUs. */
static unsigned int found_count(void)
{
	struct ip_conntrack_stat st;

	nf_conntrack_stat_sum(&st);
	return st.found;
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
	skb_set_ct(skb, &ct1, IP_CT_NEW);
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

/*
 * nf_conntrack_tuple_taken() itself: a confirmed entry's tuples are taken in
 * both directions, except for the entry itself and for an entry of the same
 * original tuple (left to the clash resolution at confirm, as Linux); an
 * unconfirmed entry is not in the table; an expired one is killed, not taken.
 */
static const char *tuple_taken_checks(void)
{
	struct nf_conntrack_tuple reply, orig;
	enum ip_conntrack_info ctinfo;
	unsigned int count, found;
	struct sk_buff *skb;
	struct nf_conn *ct;

	ct = take_port(PUBLIC, 2000, REMOTE);
	CHECK(ct);
	orig = ct->tuplehash[ORIG].tuple;
	reply = ct->tuplehash[REPLY].tuple;
	CHECK(reply.src.u3.ip == REMOTE && reply.dst.u3.ip == PUBLIC &&
	      ntohs(reply.dst.u.all) == 2000);
	ct_setup(&ct1, IPPROTO_UDP, LAN_HOST, 5000, REMOTE, 53);
	found = found_count();
	CHECK(nf_conntrack_tuple_taken(&reply, &ct1));
	CHECK(nf_conntrack_tuple_taken(&orig, &ct1));
	CHECK(found_count() == found + 2);
	CHECK(!nf_conntrack_tuple_taken(&reply, ct));
	ct_setup(&ct2, IPPROTO_UDP, PUBLIC, 2000, REMOTE, 53);
	CHECK(!nf_conntrack_tuple_taken(&reply, &ct2));
	reply.dst.u.all = htons(2001);
	CHECK(!nf_conntrack_tuple_taken(&reply, &ct1));

	/* A new flow's entry is unconfirmed while its first packet is on its way: not taken. */
	skb = pkt_skb(&(struct pkt){ .proto = IPPROTO_UDP,
				     .saddr = PUBLIC,
				     .daddr = REMOTE,
				     .sport = 2001,
				     .dport = 53,
				     .paylen = 4 });
	CHECK(skb);
	nf_conntrack_in(skb, &pre_routing);
	ct = nf_ct_get(skb, &ctinfo);
	if (!ct || ctinfo != IP_CT_NEW || nf_conntrack_tuple_taken(&reply, &ct1)) {
		consume_skb(skb);
		return "an unconfirmed entry's tuple is taken, or no entry";
	}
	consume_skb(skb);

	/* Expired: the lookup kills it on its way. */
	ct = table_entries[nr_table_entries - 1];
	count = nf_conntrack_count();
	WRITE_ONCE(ct->timeout, nfct_time_stamp() - 1);
	reply.dst.u.all = htons(2000);
	CHECK(!nf_conntrack_tuple_taken(&reply, &ct1));
	nr_table_entries--;
	CHECK(nf_conntrack_count() == count - 1);
	CHECK(!nf_conntrack_find_get(&orig));
	return NULL;
}

/*
 * With every port of PUBLIC:1024-1031 towards REMOTE:53 taken, the binding of
 * a new flow takes a taken one anyway and the packet is dropped when its entry
 * fails to confirm (an insert clash, counted in insert_failed), as in Linux.
 */
static const char *exhausted_range_drops(const struct nf_conntrack_tuple *orig)
{
	unsigned int count = nf_conntrack_count(), verdict;
	struct ip_conntrack_stat before, after;
	enum ip_conntrack_info ctinfo;
	struct sk_buff *skb;
	struct nf_conn *ct;
	u16 port;

	skb = pkt_skb(&(struct pkt){ .proto = IPPROTO_UDP,
				     .saddr = LAN_HOST,
				     .daddr = REMOTE,
				     .sport = 5000,
				     .dport = 53,
				     .paylen = 4 });
	CHECK(skb);
	nf_conntrack_stat_sum(&before);
	nf_conntrack_in(skb, &pre_routing);
	ct = nf_ct_get(skb, &ctinfo);
	if (!ct || ctinfo != IP_CT_NEW ||
	    nf_nat_setup_info(ct, range_of(PUBLIC, PUBLIC, 1024, 1031), NF_NAT_MANIP_SRC) !=
		    NF_ACCEPT) {
		consume_skb(skb);
		return "no new entry, or its binding refused";
	}
	port = reply_port(ct);
	verdict = nf_conntrack_confirm(skb);
	consume_skb(skb);
	nf_conntrack_stat_sum(&after);
	CHECK(port >= 1024 && port <= 1031);
	CHECK(verdict == NF_DROP);
	CHECK(after.insert_failed - before.insert_failed == 1);
	CHECK(nf_conntrack_count() == count);
	CHECK(nf_nat_bysource_count(orig) == 0);
	return NULL;
}

/* The source port a confirmed flow of ours from PUBLIC:sport moves a LAN flow from sport to. */
static const char *privileged_port(u16 sport, u16 lo, u16 hi)
{
	u16 port;

	CHECK(take_port(PUBLIC, sport, REMOTE));
	ct_setup(&ct1, IPPROTO_UDP, LAN_HOST, sport, REMOTE, 53);
	CHECK(nf_nat_setup_info(&ct1, range_of(PUBLIC, PUBLIC, 0, 0), NF_NAT_MANIP_SRC) ==
	      NF_ACCEPT);
	port = reply_port(&ct1);
	ct_release(&ct1);
	table_flush();
	CHECK(port != sport && port >= lo && port <= hi);
	return NULL;
}

static const char *port_clash_checks(void)
{
	unsigned int count = nf_conntrack_count(), found, i;
	struct nf_conntrack_tuple orig, t;
	u16 p1, p2;

	TRY(tuple_taken_checks());
	table_flush();
	CHECK(nf_conntrack_count() == count);

	/* The first flow: some port of 1024-1031. */
	ct_setup(&ct1, IPPROTO_UDP, LAN_HOST, 5000, REMOTE, 53);
	orig = ct1.tuplehash[ORIG].tuple;
	CHECK(nf_nat_setup_info(&ct1, range_of(PUBLIC, PUBLIC, 1024, 1031), NF_NAT_MANIP_SRC) ==
	      NF_ACCEPT);
	p1 = reply_port(&ct1);
	ct_release(&ct1);
	CHECK(p1 >= 1024 && p1 <= 1031);

	/* Taken by a confirmed entry (a flow of our own from PUBLIC:p1): the next port of the
	 * range. */
	CHECK(take_port(PUBLIC, p1, REMOTE));
	ct_setup(&ct2, IPPROTO_UDP, LAN_HOST, 5000, REMOTE, 53);
	CHECK(nf_nat_setup_info(&ct2, range_of(PUBLIC, PUBLIC, 1024, 1031), NF_NAT_MANIP_SRC) ==
	      NF_ACCEPT);
	p2 = reply_port(&ct2);
	ct_release(&ct2);
	CHECK(p2 == 1024 + (p1 - 1024 + 1) % 8);
	CHECK(ct2.tuplehash[REPLY].tuple.dst.u3.ip == PUBLIC);

	/* The whole range taken: the packet is dropped at confirm. */
	for (i = 1024; i <= 1031; i++)
		if (i != p1)
			CHECK(take_port(PUBLIC, i, REMOTE));
	TRY(exhausted_range_drops(&orig));
	/* Towards another server the same ports are free. */
	ct_setup(&ct3, IPPROTO_UDP, LAN_HOST, 5000, REMOTE2, 53);
	CHECK(nf_nat_setup_info(&ct3, range_of(PUBLIC, PUBLIC, 1024, 1031), NF_NAT_MANIP_SRC) ==
	      NF_ACCEPT);
	ct_release(&ct3);
	table_flush();
	CHECK(nf_conntrack_count() == count);

	/* Without a port range Linux keeps a port's class: < 512, 600-1023, >= 1024. */
	TRY(privileged_port(500, 1, 511));
	TRY(privileged_port(700, 600, 1023));
	TRY(privileged_port(5000, 1024, 65535));

	/*
	 * The attempt limit: with all 129 ports of 1024-1152 taken, 128 tries,
	 * then 64, 32, 16 and 8 from new offsets; a range smaller than 128 is
	 * tried once, port by port. Every try finds its tuple taken.
	 */
	for (i = 1024; i <= 1152; i++)
		CHECK(take_port(PUBLIC, i, REMOTE));
	ct_setup(&ct1, IPPROTO_UDP, LAN_HOST, 5000, REMOTE, 53);
	t = ct1.tuplehash[ORIG].tuple;
	t.src.u3.ip = PUBLIC;
	found = found_count();
	nf_nat_l4proto_unique_tuple(&t, range_of(PUBLIC, PUBLIC, 1024, 1152), NF_NAT_MANIP_SRC,
				    &ct1);
	CHECK(found_count() - found == 128 + 64 + 32 + 16 + 8);
	found = found_count();
	nf_nat_l4proto_unique_tuple(&t, range_of(PUBLIC, PUBLIC, 1024, 1031), NF_NAT_MANIP_SRC,
				    &ct1);
	CHECK(found_count() - found == 8);
	table_flush();
	CHECK(nf_conntrack_count() == count);
	return NULL;
}

/* --- nf_nat_bysource -------------------------------------------------------------------------- */

static const char *bysource_checks(void)
{
	unsigned int count = nf_conntrack_count();
	struct pkt udp = { .proto = IPPROTO_UDP,
			   .saddr = LAN_HOST,
			   .daddr = REMOTE,
			   .sport = 5000,
			   .dport = 53,
			   .paylen = 4 };
	struct nf_conntrack_tuple orig;
	struct nf_conn *c1, *c2, *c3;
	u32 a1, a3;
	u16 p1, p3;

	/* A first connection, bound and confirmed as the hooks do it: its reply is in the table. */
	c1 = table_add(&udp, range_of(PUBLIC, PUBLIC_LAST, 1024, 1031));
	CHECK(c1);
	orig = c1->tuplehash[ORIG].tuple;
	a1 = c1->tuplehash[REPLY].tuple.dst.u3.ip;
	p1 = reply_port(c1);
	CHECK(ntohl(a1) >= ntohl(PUBLIC) && ntohl(a1) <= ntohl(PUBLIC_LAST));
	CHECK(p1 >= 1024 && p1 <= 1031);
	CHECK(nf_nat_bysource_count(&orig) == 1);

	/* Same source, another destination: the same address and port. */
	udp.daddr = REMOTE2;
	c2 = table_add(&udp, range_of(PUBLIC, PUBLIC_LAST, 1024, 1031));
	CHECK(c2);
	CHECK(c2->tuplehash[REPLY].tuple.dst.u3.ip == a1 && reply_port(c2) == p1);
	CHECK(c2->tuplehash[REPLY].tuple.src.u3.ip == REMOTE2);
	CHECK(nf_nat_bysource_count(&orig) == 2);

	/*
	 * A third destination, where a confirmed flow of our own from a1:p1 already
	 * has the reply tuple that mapping would give: another mapping is found.
	 */
	CHECK(take_port(a1, p1, REMOTE3));
	udp.daddr = REMOTE3;
	c3 = table_add(&udp, range_of(PUBLIC, PUBLIC_LAST, 1024, 1031));
	CHECK(c3);
	a3 = c3->tuplehash[REPLY].tuple.dst.u3.ip;
	p3 = reply_port(c3);
	CHECK(a3 != a1 || p3 != p1);
	CHECK(ntohl(a3) >= ntohl(PUBLIC) && ntohl(a3) <= ntohl(PUBLIC_LAST));
	CHECK(p3 >= 1024 && p3 <= 1031);
	CHECK(nf_nat_bysource_count(&orig) == 3);

	/* Killed entries leave the bysource table: the conntrack core's destroy path. */
	table_flush();
	CHECK(nf_nat_bysource_count(&orig) == 0);
	CHECK(nf_conntrack_count() == count);
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
	skb_set_ct(skb, ct, IP_CT_RELATED_REPLY);
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
	skb_set_ct(skb, ct, IP_CT_NEW);
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
	bool ct_up = nf_conntrack_init() == 0;
	unsigned int i;

	skb_pool_grow(4, 4);
	/* The command line's rules wait aside while the tests use their own. */
	nf_nat_swap_rules();
	for (i = 0; i < ARRAY_SIZE(tests); i++) {
		/* Every mapping is checked against the conntrack table. */
		const char *why = ct_up ? tests[i].run() : "conntrack is off or could not start";

		/* A failed check may leave entries bound or in the table: take them off. */
		ct_release(&ct1);
		ct_release(&ct2);
		ct_release(&ct3);
		table_flush();
		selftest_report(tests[i].name, !why, "%s", why);
	}
	nf_nat_flush_rules();
	nf_nat_swap_rules();
}

DEFINE_SELFTEST(selftest_nf_nat, "nf_nat", selftest_nf_nat_run, 0);
