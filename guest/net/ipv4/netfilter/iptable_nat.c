/*
 * The nat table, after Linux's net/ipv4/netfilter/iptable_nat.c with the
 * SNAT, DNAT and MASQUERADE targets (net/netfilter/xt_nat.c,
 * xt_MASQUERADE.c). Rules come from the kernel command line, one per word,
 * appended to their chain in order:
 *
 *   nf.nat=CHAIN[,MATCH...],TARGET[,OPTION...]
 *
 *   CHAIN   PREROUTING | INPUT | OUTPUT | POSTROUTING
 *   MATCH   src=A.B.C.D[/LEN]  dst=A.B.C.D[/LEN]  proto=tcp|udp|icmp
 *           sport=P[-P]  dport=P[-P]  (ports need proto=tcp or udp)
 *   TARGET  SNAT (POSTROUTING, INPUT), DNAT (PREROUTING, OUTPUT): to=ADDR[-ADDR][:PORT[-PORT]]
 *           MASQUERADE (POSTROUTING): [to-ports=PORT[-PORT]]
 *   OPTION  random  fully-random  persistent
 *
 * Only the first packet of a connection traverses the table (a NEW entry
 * without the manip done); the first rule that matches binds it, and when
 * none does the chain's policy (ACCEPT) leaves the null binding to
 * nf_nat_inet_fn(). Each rule counts the packets and bytes it matched, as
 * iptables -t nat -L -v shows them.
 */

#include "atomic.h"
#include "ip.h"
#include "kernel.h"
#include "nf_nat.h"
#include "string.h"

#define NF_NAT_MAX_RULES 32

enum nf_nat_target {
	NF_NAT_TARGET_SNAT,
	NF_NAT_TARGET_DNAT,
	NF_NAT_TARGET_MASQUERADE,
};

static const char *const nf_nat_target_names[] = {
	[NF_NAT_TARGET_SNAT] = "SNAT",
	[NF_NAT_TARGET_DNAT] = "DNAT",
	[NF_NAT_TARGET_MASQUERADE] = "MASQUERADE",
};

struct nf_nat_rule {
	u8 hooknum;		  /* the chain: NF_INET_* */
	u8 target;		  /* enum nf_nat_target */
	u8 proto;		  /* 0: any */
	u32 src, smsk, dst, dmsk; /* network order */
	u16 spts[2], dpts[2];	  /* host order, inclusive */
	struct nf_nat_range2 range;
	atomic64_t pcnt, bcnt;
};

struct nf_nat_chain_policy {
	atomic64_t pcnt, bcnt;
};

static struct nf_nat_rule nf_nat_rules[NF_NAT_MAX_RULES];
static unsigned int nf_nat_nr_rules;
static struct nf_nat_chain_policy nf_nat_policy[NF_INET_NUMHOOKS];

static const char *const nf_nat_chain_names[NF_INET_NUMHOOKS] = {
	[NF_INET_PRE_ROUTING] = "PREROUTING",
	[NF_INET_LOCAL_IN] = "INPUT",
	[NF_INET_FORWARD] = NULL,
	[NF_INET_LOCAL_OUT] = "OUTPUT",
	[NF_INET_POST_ROUTING] = "POSTROUTING",
};

/* The order iptables lists the nat chains in. */
static const u8 nf_nat_chain_order[] = { NF_INET_PRE_ROUTING, NF_INET_LOCAL_IN, NF_INET_LOCAL_OUT,
					 NF_INET_POST_ROUTING };

/* --- Matching --------------------------------------------------------------------------------- */

static bool port_in(u16 port, const u16 pts[2])
{
	return port >= pts[0] && port <= pts[1];
}

static bool nf_nat_rule_match(const struct nf_nat_rule *r, const struct sk_buff *skb)
{
	const struct iphdr *iph = ip_hdr(skb);
	const u16 *ports;

	if ((iph->saddr & r->smsk) != r->src || (iph->daddr & r->dmsk) != r->dst)
		return false;
	if (r->proto && iph->protocol != r->proto)
		return false;
	if (r->proto != IPPROTO_TCP && r->proto != IPPROTO_UDP)
		return true;
	if (r->spts[0] == 0 && r->spts[1] == 0xffff && r->dpts[0] == 0 && r->dpts[1] == 0xffff)
		return true;
	/* A port match never matches a later fragment, nor a header cut short (hotdrop). */
	if (iph->frag_off & htons(IP_OFFSET))
		return false;
	if (skb->len < ip_hdrlen(skb) + 4)
		return false;
	ports = (const u16 *)(skb->data + ip_hdrlen(skb));
	return port_in(ntohs(ports[0]), r->spts) && port_in(ntohs(ports[1]), r->dpts);
}

static unsigned int nf_nat_rule_target(const struct nf_nat_rule *r, struct sk_buff *skb,
				       const struct nf_hook_state *state)
{
	enum ip_conntrack_info ctinfo;
	struct nf_conn *ct = nf_ct_get(skb, &ctinfo);

	switch (r->target) {
	case NF_NAT_TARGET_SNAT:
		return nf_nat_setup_info(ct, &r->range, NF_NAT_MANIP_SRC);
	case NF_NAT_TARGET_DNAT:
		return nf_nat_setup_info(ct, &r->range, NF_NAT_MANIP_DST);
	default:
		return nf_nat_masquerade_ipv4(skb, state->hook, &r->range, state->out);
	}
}

unsigned int iptable_nat_do_chain(struct sk_buff *skb, const struct nf_hook_state *state)
{
	unsigned int i;

	for (i = 0; i < nf_nat_nr_rules; i++) {
		struct nf_nat_rule *r = &nf_nat_rules[i];

		if (r->hooknum != state->hook || !nf_nat_rule_match(r, skb))
			continue;
		atomic64_inc(&r->pcnt);
		atomic64_add(skb->len, &r->bcnt);
		return nf_nat_rule_target(r, skb, state);
	}
	if (state->hook < NF_INET_NUMHOOKS) {
		atomic64_inc(&nf_nat_policy[state->hook].pcnt);
		atomic64_add(skb->len, &nf_nat_policy[state->hook].bcnt);
	}
	return NF_ACCEPT;
}

/* --- Parsing ---------------------------------------------------------------------------------- */

static bool token_is(const char *p, size_t n, const char *name)
{
	return strlen(name) == n && !strncmp(p, name, n);
}

/* A decimal number of at most max at *p (advanced past it). */
static bool parse_uint(const char **p, const char *end, unsigned long max, unsigned long *val)
{
	unsigned long v = 0;
	const char *s = *p;

	if (s == end || *s < '0' || *s > '9')
		return false;
	while (s < end && *s >= '0' && *s <= '9') {
		v = v * 10 + (unsigned long)(*s++ - '0');
		if (v > max)
			return false;
	}
	*p = s;
	*val = v;
	return true;
}

/* A.B.C.D at *p, network order. */
static bool parse_addr(const char **p, const char *end, u32 *addr)
{
	unsigned long b;
	u32 host = 0;
	int i;

	for (i = 0; i < 4; i++) {
		if (i && (*p == end || *(*p)++ != '.'))
			return false;
		if (!parse_uint(p, end, 255, &b))
			return false;
		host = host << 8 | (u32)b;
	}
	*addr = htonl(host);
	return true;
}

/* P or P-P (host order, first <= last). */
static bool parse_ports(const char **p, const char *end, u16 pts[2])
{
	unsigned long lo, hi;

	if (!parse_uint(p, end, 65535, &lo))
		return false;
	hi = lo;
	if (*p < end && **p == '-') {
		(*p)++;
		if (!parse_uint(p, end, 65535, &hi))
			return false;
	}
	if (lo > hi)
		return false;
	pts[0] = (u16)lo;
	pts[1] = (u16)hi;
	return true;
}

/* A.B.C.D[/LEN] */
static bool parse_prefix(const char *p, const char *end, u32 *addr, u32 *mask)
{
	unsigned long len = 32;

	if (!parse_addr(&p, end, addr))
		return false;
	if (p < end && *p == '/') {
		p++;
		if (!parse_uint(&p, end, 32, &len))
			return false;
	}
	if (p != end)
		return false;
	*mask = len ? htonl(~0U << (32 - len)) : 0;
	*addr &= *mask;
	return true;
}

/* to=ADDR[-ADDR][:PORT[-PORT]] or to=:PORT[-PORT] into range. */
static bool parse_to(const char *p, const char *end, struct nf_nat_range2 *range)
{
	u16 pts[2];

	if (p < end && *p != ':') {
		if (!parse_addr(&p, end, &range->min_addr.ip))
			return false;
		range->max_addr = range->min_addr;
		if (p < end && *p == '-') {
			p++;
			if (!parse_addr(&p, end, &range->max_addr.ip))
				return false;
			if (ntohl(range->max_addr.ip) < ntohl(range->min_addr.ip))
				return false;
		}
		range->flags |= NF_NAT_RANGE_MAP_IPS;
	}
	if (p < end && *p == ':') {
		p++;
		if (!parse_ports(&p, end, pts))
			return false;
		range->min_proto.all = htons(pts[0]);
		range->max_proto.all = htons(pts[1]);
		range->flags |= NF_NAT_RANGE_PROTO_SPECIFIED;
	}
	return p == end && range->flags;
}

static int parse_chain(const char *p, size_t n)
{
	unsigned int i;

	for (i = 0; i < NF_INET_NUMHOOKS; i++)
		if (nf_nat_chain_names[i] && token_is(p, n, nf_nat_chain_names[i]))
			return (int)i;
	return -1;
}

/* One rule from the text after "nf.nat=": NULL, or why it is bad. */
static const char *nf_nat_parse_rule(const char *p, const char *end, struct nf_nat_rule *r)
{
	bool have_target = false, have_to = false, have_ports = false;
	const char *field, *value;
	int chain = -1;

	memset(r, 0, sizeof(*r));
	r->spts[1] = r->dpts[1] = 0xffff;
	while (p < end) {
		const char *comma = p;
		size_t n;

		while (comma < end && *comma != ',')
			comma++;
		field = p;
		n = comma - p;
		p = comma < end ? comma + 1 : end;
		for (value = field; value < field + n && *value != '='; value++)
			;
		if (value == field + n)
			value = NULL;
		if (chain < 0) {
			chain = parse_chain(field, n);
			if (chain < 0)
				return "unknown chain (PREROUTING, INPUT, OUTPUT, POSTROUTING)";
			r->hooknum = (u8)chain;
			continue;
		}
		if (value) {
			size_t klen = value - field;
			const char *vend = field + n;

			value++;
			if (token_is(field, klen, "src") && !have_target) {
				if (!parse_prefix(value, vend, &r->src, &r->smsk))
					return "bad src=A.B.C.D/LEN";
			} else if (token_is(field, klen, "dst") && !have_target) {
				if (!parse_prefix(value, vend, &r->dst, &r->dmsk))
					return "bad dst=A.B.C.D/LEN";
			} else if (token_is(field, klen, "proto") && !have_target) {
				if (token_is(value, vend - value, "tcp"))
					r->proto = IPPROTO_TCP;
				else if (token_is(value, vend - value, "udp"))
					r->proto = IPPROTO_UDP;
				else if (token_is(value, vend - value, "icmp"))
					r->proto = IPPROTO_ICMP;
				else
					return "unknown proto (tcp, udp, icmp)";
			} else if ((token_is(field, klen, "sport") ||
				    token_is(field, klen, "dport")) &&
				   !have_target) {
				u16 *pts = field[0] == 's' ? r->spts : r->dpts;

				if (!parse_ports(&value, vend, pts) || value != vend)
					return "bad port range";
				have_ports = true;
			} else if (token_is(field, klen, "to") && have_target &&
				   r->target != NF_NAT_TARGET_MASQUERADE) {
				if (!parse_to(value, vend, &r->range))
					return "bad to=ADDR[-ADDR][:PORT[-PORT]]";
				have_to = true;
			} else if (token_is(field, klen, "to-ports") && have_target &&
				   r->target == NF_NAT_TARGET_MASQUERADE) {
				u16 pts[2];

				if (!parse_ports(&value, vend, pts) || value != vend)
					return "bad to-ports=PORT[-PORT]";
				r->range.min_proto.all = htons(pts[0]);
				r->range.max_proto.all = htons(pts[1]);
				r->range.flags |= NF_NAT_RANGE_PROTO_SPECIFIED;
			} else {
				return "unknown or misplaced field";
			}
			continue;
		}
		if (!have_target) {
			if (token_is(field, n, "SNAT"))
				r->target = NF_NAT_TARGET_SNAT;
			else if (token_is(field, n, "DNAT"))
				r->target = NF_NAT_TARGET_DNAT;
			else if (token_is(field, n, "MASQUERADE"))
				r->target = NF_NAT_TARGET_MASQUERADE;
			else
				return "unknown match or target (SNAT, DNAT, MASQUERADE)";
			have_target = true;
		} else if (token_is(field, n, "random")) {
			r->range.flags |= NF_NAT_RANGE_PROTO_RANDOM;
		} else if (token_is(field, n, "fully-random")) {
			r->range.flags |= NF_NAT_RANGE_PROTO_RANDOM_FULLY;
		} else if (token_is(field, n, "persistent") &&
			   r->target != NF_NAT_TARGET_MASQUERADE) {
			r->range.flags |= NF_NAT_RANGE_PERSISTENT;
		} else {
			return "unknown target option (random, fully-random, persistent)";
		}
	}
	if (chain < 0)
		return "no chain";
	if (!have_target)
		return "no target (SNAT, DNAT, MASQUERADE)";
	switch (r->target) {
	case NF_NAT_TARGET_SNAT:
		if (r->hooknum != NF_INET_POST_ROUTING && r->hooknum != NF_INET_LOCAL_IN)
			return "SNAT is only valid in POSTROUTING and INPUT";
		break;
	case NF_NAT_TARGET_DNAT:
		if (r->hooknum != NF_INET_PRE_ROUTING && r->hooknum != NF_INET_LOCAL_OUT)
			return "DNAT is only valid in PREROUTING and OUTPUT";
		break;
	default:
		if (r->hooknum != NF_INET_POST_ROUTING)
			return "MASQUERADE is only valid in POSTROUTING";
		break;
	}
	if (r->target != NF_NAT_TARGET_MASQUERADE && !have_to)
		return "SNAT and DNAT need to=";
	if ((have_ports || (r->range.flags & NF_NAT_RANGE_PROTO_SPECIFIED)) &&
	    r->proto != IPPROTO_TCP && r->proto != IPPROTO_UDP)
		return "ports need proto=tcp or proto=udp";
	return NULL;
}

bool nf_nat_parse_option(const char *word, size_t len)
{
	static const char prefix[] = "nf.nat=";
	const size_t plen = sizeof(prefix) - 1;
	struct nf_nat_rule rule;
	const char *why;

	if (len < plen || strncmp(word, prefix, plen))
		return false;
	why = nf_nat_parse_rule(word + plen, word + len, &rule);
	if (!why && nf_nat_nr_rules == NF_NAT_MAX_RULES)
		why = "too many rules";
	if (why) {
		printk("nf_nat: bad rule \"%.*s\": %s, ignored\n", (int)len, word, why);
		return true;
	}
	nf_nat_rules[nf_nat_nr_rules++] = rule;
	return true;
}

unsigned int nf_nat_rule_count(void)
{
	return nf_nat_nr_rules;
}

/* Where the self-tests keep the command line's rules meanwhile. */
static struct nf_nat_rule nf_nat_saved_rules[NF_NAT_MAX_RULES];
static struct nf_nat_chain_policy nf_nat_saved_policy[NF_INET_NUMHOOKS];
static unsigned int nf_nat_saved_nr_rules;

void nf_nat_swap_rules(void)
{
	struct nf_nat_rule rule;
	struct nf_nat_chain_policy pol;
	unsigned int i, n;

	for (i = 0; i < NF_NAT_MAX_RULES; i++) {
		rule = nf_nat_rules[i];
		nf_nat_rules[i] = nf_nat_saved_rules[i];
		nf_nat_saved_rules[i] = rule;
	}
	for (i = 0; i < NF_INET_NUMHOOKS; i++) {
		pol = nf_nat_policy[i];
		nf_nat_policy[i] = nf_nat_saved_policy[i];
		nf_nat_saved_policy[i] = pol;
	}
	n = nf_nat_nr_rules;
	nf_nat_nr_rules = nf_nat_saved_nr_rules;
	nf_nat_saved_nr_rules = n;
}

void nf_nat_flush_rules(void)
{
	memset(nf_nat_rules, 0, sizeof(nf_nat_rules));
	memset(nf_nat_policy, 0, sizeof(nf_nat_policy));
	nf_nat_nr_rules = 0;
}

bool nf_nat_rule_counters(unsigned int i, u64 *pkts, u64 *bytes)
{
	if (i >= nf_nat_nr_rules)
		return false;
	*pkts = atomic64_read(&nf_nat_rules[i].pcnt);
	*bytes = atomic64_read(&nf_nat_rules[i].bcnt);
	return true;
}

/* --- Listing ---------------------------------------------------------------------------------- */

/* iptables' counter column: the number, or in K/M/G/T when it has more than 5 digits. */
static void format_count(char *buf, size_t size, u64 n)
{
	static const char suffix[] = "KMGT";
	unsigned int i = 0;

	if (n <= 99999) {
		snprintf(buf, size, "%5llu", (unsigned long long)n);
		return;
	}
	n /= 1000;
	while (n > 9999 && i < sizeof(suffix) - 2) {
		n /= 1000;
		i++;
	}
	snprintf(buf, size, "%4llu%c", (unsigned long long)n, suffix[i]);
}

static void format_prefix(char *buf, size_t size, u32 addr, u32 mask)
{
	u32 a = ntohl(addr), m = ntohl(mask);
	unsigned int len = 0;

	while (len < 32 && (m & (0x80000000U >> len)))
		len++;
	snprintf(buf, size, "%u.%u.%u.%u/%u", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff,
		 len);
}

static const char *proto_name(u8 proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return "tcp";
	case IPPROTO_UDP:
		return "udp";
	case IPPROTO_ICMP:
		return "icmp";
	default:
		return "all";
	}
}

static int format_ports(char *buf, size_t size, const char *name, const u16 pts[2])
{
	if (pts[0] == 0 && pts[1] == 0xffff)
		return 0;
	if (pts[0] == pts[1])
		return snprintf(buf, size, " %s:%u", name, pts[0]);
	return snprintf(buf, size, " %ss:%u:%u", name, pts[0], pts[1]);
}

/* The target's part: "to:A[-B][:P[-Q]]", "masq ports: P[-Q]", then the flags. */
static void format_target(char *buf, size_t size, const struct nf_nat_rule *r)
{
	const struct nf_nat_range2 *range = &r->range;
	u16 lo = ntohs(range->min_proto.all), hi = ntohs(range->max_proto.all);
	int n = 0;

	buf[0] = 0;

	if (r->target == NF_NAT_TARGET_MASQUERADE) {
		if (range->flags & NF_NAT_RANGE_PROTO_SPECIFIED) {
			n += snprintf(buf + n, size - n, "masq ports: %u", lo);
			if (hi != lo)
				n += snprintf(buf + n, size - n, "-%u", hi);
		}
	} else {
		u32 a = ntohl(range->min_addr.ip), b = ntohl(range->max_addr.ip);

		n += snprintf(buf + n, size - n, "to:");
		if (range->flags & NF_NAT_RANGE_MAP_IPS) {
			n += snprintf(buf + n, size - n, "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff,
				      (a >> 8) & 0xff, a & 0xff);
			if (a != b)
				n += snprintf(buf + n, size - n, "-%u.%u.%u.%u", b >> 24,
					      (b >> 16) & 0xff, (b >> 8) & 0xff, b & 0xff);
		}
		if (range->flags & NF_NAT_RANGE_PROTO_SPECIFIED) {
			n += snprintf(buf + n, size - n, ":%u", lo);
			if (hi != lo)
				n += snprintf(buf + n, size - n, "-%u", hi);
		}
	}
	if (range->flags & NF_NAT_RANGE_PROTO_RANDOM)
		n += snprintf(buf + n, size - n, "%srandom", n ? " " : "");
	if (range->flags & NF_NAT_RANGE_PROTO_RANDOM_FULLY)
		n += snprintf(buf + n, size - n, "%srandom-fully", n ? " " : "");
	if (range->flags & NF_NAT_RANGE_PERSISTENT)
		snprintf(buf + n, size - n, "%spersistent", n ? " " : "");
}

void nf_nat_show_rules(void)
{
	char pk[16], by[16], src[24], dst[24], match[48], target[64];
	unsigned int c, i;

	for (c = 0; c < ARRAY_SIZE(nf_nat_chain_order); c++) {
		unsigned int hook = nf_nat_chain_order[c];
		const struct nf_nat_chain_policy *pol = &nf_nat_policy[hook];

		if (c)
			printk("\n");
		printk("Chain %s (policy ACCEPT %llu packets, %llu bytes)\n",
		       nf_nat_chain_names[hook], (unsigned long long)atomic64_read(&pol->pcnt),
		       (unsigned long long)atomic64_read(&pol->bcnt));
		printk(" pkts bytes target     prot opt in     out     source               "
		       "destination\n");
		for (i = 0; i < nf_nat_nr_rules; i++) {
			const struct nf_nat_rule *r = &nf_nat_rules[i];
			int n = 0;

			if (r->hooknum != hook)
				continue;
			format_count(pk, sizeof(pk), atomic64_read(&r->pcnt));
			format_count(by, sizeof(by), atomic64_read(&r->bcnt));
			format_prefix(src, sizeof(src), r->src, r->smsk);
			format_prefix(dst, sizeof(dst), r->dst, r->dmsk);
			match[0] = 0;
			if (r->proto == IPPROTO_TCP || r->proto == IPPROTO_UDP) {
				n = format_ports(match, sizeof(match), "spt", r->spts);
				format_ports(match + n, sizeof(match) - n, "dpt", r->dpts);
				if (match[0]) {
					char tmp[48];

					snprintf(tmp, sizeof(tmp), "%s%s", proto_name(r->proto),
						 match);
					strlcpy(match, tmp, sizeof(match));
				}
			}
			format_target(target, sizeof(target), r);
			printk("%s %s %-10s %-4s --  *      *       %-20s %-20s %s%s%s\n", pk, by,
			       nf_nat_target_names[r->target], proto_name(r->proto), src, dst,
			       match, match[0] && target[0] ? " " : "", target);
		}
	}
}
