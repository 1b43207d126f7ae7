/*
 * The filter table, after iptables' (net/ipv4/netfilter/iptable_filter.c,
 * ip_tables.c, and the tcp/udp, conntrack matches): three chains on the
 * LOCAL_IN, FORWARD and LOCAL_OUT hooks at NF_IP_PRI_FILTER, each a list of
 * rules walked in order, the first that matches decides, the chain's policy
 * decides when none does. Each rule and policy counts the packets it decided
 * and their bytes (skb->len at the hook, the IPv4 packet) per CPU, as Linux's
 * xt_counters. Rules come from the command line (include/ip_tables.h); the
 * hooks are registered only when there is something to filter (as if the
 * module were loaded only then), so an unfiltered run pays nothing.
 */

#include "asm/percpu.h"
#include "cpumask.h"
#include "ctype.h"
#include "ip.h"
#include "ip_tables.h"
#include "kernel.h"
#include "netfilter.h"
#include "nf_conntrack.h"
#include "string.h"

#define IPT_MAX_RULES 32

/* xt_conntrack's state bits. */
#define XT_CONNTRACK_STATE_BIT(ctinfo) (1 << ((ctinfo) % IP_CT_IS_REPLY + 1))
#define XT_CONNTRACK_STATE_INVALID (1 << 0)
#define XT_CONNTRACK_STATE_UNTRACKED (1 << 10)

struct ipt_rule {
	u8 chain;
	u8 verdict; /* NF_ACCEPT or NF_DROP */
	u8 proto;   /* 0: any */
	u8 smsk_len, dmsk_len;
	u32 src, smsk; /* network order */
	u32 dst, dmsk;
	int sport, dport; /* -1: any */
	u16 ctstate;	  /* XT_CONNTRACK_STATE_* bits; 0: no ctstate match */
};

static struct ipt_rule ipt_rules[IPT_MAX_RULES];
static unsigned int ipt_nr_rules;
static u8 ipt_policy[IPT_NR_CHAINS] = { NF_ACCEPT, NF_ACCEPT, NF_ACCEPT };
static bool ipt_registered;

/* Counters per CPU: the rules', then the policies'. */
struct ipt_counters {
	u64 pcnt[IPT_MAX_RULES + IPT_NR_CHAINS];
	u64 bcnt[IPT_MAX_RULES + IPT_NR_CHAINS];
};
static DEFINE_PER_CPU(struct ipt_counters, ipt_counters);

static const char *const ipt_chain_names[IPT_NR_CHAINS] = { "INPUT", "FORWARD", "OUTPUT" };
static const char *const ct_state_names[] = { "invalid", "established", "related", "new" };

static void ipt_count(unsigned int slot, const struct sk_buff *skb)
{
	struct ipt_counters *c = this_cpu_ptr(&ipt_counters);

	c->pcnt[slot]++;
	c->bcnt[slot] += skb->len;
}

/* The rule's match; *hotdrop for a TCP/UDP packet too short for its ports (as tcp_mt()). */
static bool ipt_rule_match(const struct ipt_rule *r, const struct sk_buff *skb, bool *hotdrop)
{
	const struct iphdr *iph = ip_hdr(skb);

	if ((iph->saddr & r->smsk) != r->src || (iph->daddr & r->dmsk) != r->dst)
		return false;
	if (r->proto && iph->protocol != r->proto)
		return false;
	if (r->sport >= 0 || r->dport >= 0) {
		unsigned int ihl = ip_hdrlen(skb);
		const u8 *ports = (const u8 *)iph + ihl;

		/* Ports are in the first fragment only. */
		if (iph->frag_off & htons(IP_OFFSET))
			return false;
		if (skb->len < skb_network_offset(skb) + ihl + 4) {
			*hotdrop = true;
			return false;
		}
		if (r->sport >= 0 && (ports[0] << 8 | ports[1]) != r->sport)
			return false;
		if (r->dport >= 0 && (ports[2] << 8 | ports[3]) != r->dport)
			return false;
	}
	if (r->ctstate) {
		enum ip_conntrack_info ctinfo;
		unsigned int statebit;

		if (nf_ct_get(skb, &ctinfo))
			statebit = XT_CONNTRACK_STATE_BIT(ctinfo);
		else if (ctinfo == IP_CT_UNTRACKED)
			statebit = XT_CONNTRACK_STATE_UNTRACKED;
		else
			statebit = XT_CONNTRACK_STATE_INVALID;
		if (!(r->ctstate & statebit))
			return false;
	}
	return true;
}

/* ipt_do_table() for one chain: priv is the chain. */
static unsigned int iptable_filter_hook(void *priv, struct sk_buff *skb,
					const struct nf_hook_state *state)
{
	unsigned int chain = (unsigned long)priv, i;
	bool hotdrop = false;

	for (i = 0; i < ipt_nr_rules; i++) {
		const struct ipt_rule *r = &ipt_rules[i];

		if (r->chain != chain)
			continue;
		if (ipt_rule_match(r, skb, &hotdrop)) {
			ipt_count(i, skb);
			return r->verdict;
		}
		if (hotdrop)
			return NF_DROP;
	}
	ipt_count(IPT_MAX_RULES + chain, skb);
	return ipt_policy[chain];
}

static const struct nf_hook_ops ipt_ops[IPT_NR_CHAINS] = {
	{ .hook = iptable_filter_hook,
	  .priv = (void *)IPT_INPUT,
	  .pf = NFPROTO_IPV4,
	  .hooknum = NF_INET_LOCAL_IN,
	  .priority = NF_IP_PRI_FILTER },
	{ .hook = iptable_filter_hook,
	  .priv = (void *)IPT_FORWARD,
	  .pf = NFPROTO_IPV4,
	  .hooknum = NF_INET_FORWARD,
	  .priority = NF_IP_PRI_FILTER },
	{ .hook = iptable_filter_hook,
	  .priv = (void *)IPT_OUTPUT,
	  .pf = NFPROTO_IPV4,
	  .hooknum = NF_INET_LOCAL_OUT,
	  .priority = NF_IP_PRI_FILTER },
};

/* --- Parsing --------------------------------------------------------------------------------- */

static int ipt_chain_of(const char *p, size_t n)
{
	unsigned int i;

	for (i = 0; i < IPT_NR_CHAINS; i++)
		if (strlen(ipt_chain_names[i]) == n && !strncmp(p, ipt_chain_names[i], n))
			return i;
	return -1;
}

static int ipt_verdict_of(const char *p, size_t n)
{
	if (n == 6 && !strncmp(p, "ACCEPT", 6))
		return NF_ACCEPT;
	if (n == 4 && !strncmp(p, "DROP", 4))
		return NF_DROP;
	return -1;
}

/* A decimal number in [p, end) of at most max; -1 if not. */
static long ipt_number(const char *p, const char *end, unsigned long max)
{
	unsigned long long n;
	const char *q;

	if (p == end || !isdigit(*p))
		return -1;
	n = simple_strtoull(p, &q, 10);
	return q == end && n <= max ? (long)n : -1;
}

/* "A.B.C.D[/LEN]" into addr and mask (network order). */
static bool ipt_parse_addr(const char *p, const char *end, u32 *addr, u32 *mask, u8 *len)
{
	u32 value = 0;
	long n = 32;
	unsigned int part;
	const char *slash = p;

	while (slash < end && *slash != '/')
		slash++;
	for (part = 0; part < 4; part++) {
		const char *q = p;
		long byte;

		while (q < slash && *q != '.')
			q++;
		byte = ipt_number(p, q, 255);
		if (byte < 0 || (part < 3 && q == slash) || (part == 3 && q != slash))
			return false;
		value = value << 8 | byte;
		p = q + 1;
	}
	if (slash < end) {
		n = ipt_number(slash + 1, end, 32);
		if (n < 0)
			return false;
	}
	*mask = n ? htonl(~0U << (32 - n)) : 0;
	*addr = htonl(value) & *mask; /* iptables keeps the masked address */
	*len = n;
	return true;
}

static bool ipt_parse_ctstate(const char *p, const char *end, u16 *states)
{
	*states = 0;
	while (p < end) {
		const char *q = p;
		unsigned int i;
		bool found = false;

		while (q < end && *q != '+')
			q++;
		for (i = 0; i < ARRAY_SIZE(ct_state_names); i++) {
			if (strlen(ct_state_names[i]) == (size_t)(q - p) &&
			    !strncmp(p, ct_state_names[i], q - p)) {
				*states |= 1 << i;
				found = true;
			}
		}
		if (q - p == 9 && !strncmp(p, "untracked", 9)) {
			*states |= XT_CONNTRACK_STATE_UNTRACKED;
			found = true;
		}
		if (!found)
			return false;
		p = q < end ? q + 1 : q;
		if (q + 1 == end && *q == '+')
			return false;
	}
	return *states != 0;
}

/* One "key=value" match into r; false if malformed. */
static bool ipt_parse_match(struct ipt_rule *r, const char *p, const char *end)
{
	const char *eq = p;
	size_t klen;
	long n;

	while (eq < end && *eq != '=')
		eq++;
	if (eq == end)
		return false;
	klen = eq - p;
	eq++;
	if (klen == 3 && !strncmp(p, "src", 3))
		return ipt_parse_addr(eq, end, &r->src, &r->smsk, &r->smsk_len);
	if (klen == 3 && !strncmp(p, "dst", 3))
		return ipt_parse_addr(eq, end, &r->dst, &r->dmsk, &r->dmsk_len);
	if (klen == 5 && !strncmp(p, "proto", 5)) {
		if (end - eq == 3 && !strncmp(eq, "tcp", 3))
			r->proto = IPPROTO_TCP;
		else if (end - eq == 3 && !strncmp(eq, "udp", 3))
			r->proto = IPPROTO_UDP;
		else if (end - eq == 4 && !strncmp(eq, "icmp", 4))
			r->proto = IPPROTO_ICMP;
		else if ((n = ipt_number(eq, end, 255)) > 0)
			r->proto = n;
		else
			return false;
		return true;
	}
	if (klen == 5 && (!strncmp(p, "sport", 5) || !strncmp(p, "dport", 5))) {
		n = ipt_number(eq, end, 65535);
		if (n < 0)
			return false;
		if (*p == 's')
			r->sport = n;
		else
			r->dport = n;
		return true;
	}
	if (klen == 7 && !strncmp(p, "ctstate", 7))
		return ipt_parse_ctstate(eq, end, &r->ctstate);
	return false;
}

int ipt_filter_add_rule(const char *p, const char *end)
{
	struct ipt_rule r = { .sport = -1, .dport = -1 };
	const char *start = p, *last;
	int chain, verdict;
	const char *q = p;

	while (q < end && *q != ',')
		q++;
	chain = ipt_chain_of(p, q - p);
	last = end;
	while (last > q && last[-1] != ',')
		last--;
	if (chain < 0 || q == end || last == q) {
		printk("nf.filter=%.*s: want CHAIN,MATCH...,ACCEPT|DROP (CHAIN: INPUT, FORWARD, "
		       "OUTPUT), ignored\n",
		       (int)(end - start), start);
		return -1;
	}
	verdict = ipt_verdict_of(last, end - last);
	if (verdict < 0) {
		printk("nf.filter=%.*s: target must be ACCEPT or DROP, ignored\n",
		       (int)(end - start), start);
		return -1;
	}
	r.chain = chain;
	r.verdict = verdict;
	for (p = q + 1; p < last; p = q + 1) {
		q = p;
		while (q < last - 1 && *q != ',')
			q++;
		if (!ipt_parse_match(&r, p, q)) {
			printk("nf.filter=%.*s: bad match \"%.*s\" (src=, dst=, proto=, sport=, "
			       "dport=, ctstate=), ignored\n",
			       (int)(end - start), start, (int)(q - p), p);
			return -1;
		}
	}
	if ((r.sport >= 0 || r.dport >= 0) && r.proto != IPPROTO_TCP && r.proto != IPPROTO_UDP) {
		printk("nf.filter=%.*s: sport= and dport= need proto=tcp or proto=udp, ignored\n",
		       (int)(end - start), start);
		return -1;
	}
	if (ipt_nr_rules == IPT_MAX_RULES) {
		printk("nf.filter=%.*s: at most %u rules, ignored\n", (int)(end - start), start,
		       IPT_MAX_RULES);
		return -1;
	}
	ipt_rules[ipt_nr_rules++] = r;
	return 0;
}

bool ipt_filter_parse_option(const char *word, size_t len)
{
	const char *end = word + len;

	if (len >= 10 && !strncmp(word, "nf.filter=", 10)) {
		ipt_filter_add_rule(word + 10, end);
		return true;
	}
	if (len >= 10 && !strncmp(word, "nf.policy=", 10)) {
		const char *p = word + 10, *q = p;
		int chain, verdict;

		while (q < end && *q != ',')
			q++;
		chain = ipt_chain_of(p, q - p);
		verdict = q < end ? ipt_verdict_of(q + 1, end - q - 1) : -1;
		if (chain < 0 || verdict < 0)
			printk("Malformed option \"%.*s\" "
			       "(nf.policy=INPUT|FORWARD|OUTPUT,ACCEPT|DROP), ignored\n",
			       (int)len, word);
		else
			ipt_policy[chain] = verdict;
		return true;
	}
	return false;
}

/* --- Registration, counters, listing --------------------------------------------------------- */

void iptable_filter_init(void)
{
	unsigned int i;
	bool needed = ipt_nr_rules != 0;

	for (i = 0; i < IPT_NR_CHAINS; i++)
		needed |= ipt_policy[i] != NF_ACCEPT;
	if (!needed || ipt_registered)
		return;
	for (i = 0; i < IPT_NR_CHAINS; i++)
		if (nf_register_net_hook(&ipt_ops[i]))
			printk("iptable_filter: cannot register the %s hook\n", ipt_chain_names[i]);
	ipt_registered = true;
}

void iptable_filter_flush(void)
{
	unsigned int i, cpu;

	if (ipt_registered)
		for (i = 0; i < IPT_NR_CHAINS; i++)
			nf_unregister_net_hook(&ipt_ops[i]);
	ipt_registered = false;
	ipt_nr_rules = 0;
	for (i = 0; i < IPT_NR_CHAINS; i++)
		ipt_policy[i] = NF_ACCEPT;
	for_each_possible_cpu(cpu)
		memset(per_cpu_ptr(&ipt_counters, cpu), 0, sizeof(struct ipt_counters));
}

/* The index-th rule of chain in the table, or -1. */
static int ipt_rule_slot(enum ipt_chain chain, int index)
{
	unsigned int i;

	for (i = 0; i < ipt_nr_rules; i++)
		if (ipt_rules[i].chain == chain && index-- == 0)
			return i;
	return -1;
}

void ipt_filter_counters(enum ipt_chain chain, int index, u64 *pkts, u64 *bytes)
{
	int slot = index < 0 ? IPT_MAX_RULES + (int)chain : ipt_rule_slot(chain, index);
	unsigned int cpu;

	*pkts = *bytes = 0;
	if (slot < 0)
		return;
	for_each_possible_cpu(cpu)
	{
		const struct ipt_counters *c = per_cpu_ptr(&ipt_counters, cpu);

		*pkts += c->pcnt[slot];
		*bytes += c->bcnt[slot];
	}
}

static const char *ipt_proto_name(u8 proto, char *buf, size_t size)
{
	switch (proto) {
	case 0:
		return "all";
	case IPPROTO_TCP:
		return "tcp";
	case IPPROTO_UDP:
		return "udp";
	case IPPROTO_ICMP:
		return "icmp";
	}
	snprintf(buf, size, "%u", proto);
	return buf;
}

static void ipt_addr_str(char *buf, size_t size, u32 addr, u8 len)
{
	u32 a = ntohl(addr);

	snprintf(buf, size, "%u.%u.%u.%u/%u", a >> 24, a >> 16 & 255, a >> 8 & 255, a & 255, len);
}

/* One rule as `iptables -L -v -n -x` prints it. */
static void ipt_rule_show(unsigned int slot, const struct ipt_rule *r)
{
	char src[24], dst[24], proto[8], line[256];
	const char *pname;
	u64 pkts = 0, bytes = 0;
	unsigned int cpu, i;
	int len;

	for_each_possible_cpu(cpu)
	{
		pkts += per_cpu_ptr(&ipt_counters, cpu)->pcnt[slot];
		bytes += per_cpu_ptr(&ipt_counters, cpu)->bcnt[slot];
	}
	ipt_addr_str(src, sizeof(src), r->src, r->smsk_len);
	ipt_addr_str(dst, sizeof(dst), r->dst, r->dmsk_len);
	pname = ipt_proto_name(r->proto, proto, sizeof(proto));
	/* Columns as iptables' print_firewall(): a blank for each '!' that is not there. */
	len = snprintf(line, sizeof(line), "%8llu %8llu %-9s  %-5s--  %-6s %-6s  %-19s  %-19s ",
		       (unsigned long long)pkts, (unsigned long long)bytes,
		       r->verdict == NF_ACCEPT ? "ACCEPT" : "DROP", pname, "*", "*", src, dst);
	if (r->sport >= 0 || r->dport >= 0) {
		len += snprintf(line + len, sizeof(line) - len, " %s", pname);
		if (r->sport >= 0)
			len += snprintf(line + len, sizeof(line) - len, " spt:%d", r->sport);
		if (r->dport >= 0)
			len += snprintf(line + len, sizeof(line) - len, " dpt:%d", r->dport);
	}
	if (r->ctstate) {
		const char *sep = " ctstate ";

		for (i = 0; i < ARRAY_SIZE(ct_state_names); i++) {
			if (r->ctstate & (1 << i)) {
				char up[16];
				unsigned int k;

				for (k = 0; ct_state_names[i][k] && k < sizeof(up) - 1; k++)
					up[k] = ct_state_names[i][k] - 'a' + 'A';
				up[k] = 0;
				len += snprintf(line + len, sizeof(line) - len, "%s%s", sep, up);
				sep = ",";
			}
		}
		if (r->ctstate & XT_CONNTRACK_STATE_UNTRACKED)
			len += snprintf(line + len, sizeof(line) - len, "%sUNTRACKED", sep);
	}
	/* Trailing blanks off, as the console keeps them. */
	while (len > 0 && line[len - 1] == ' ')
		line[--len] = 0;
	printk("%s\n", line);
}

void ipt_filter_show(void)
{
	unsigned int chain, i;

	if (!ipt_registered)
		return;
	printk("iptables -L -v -n -x (table filter):\n");
	for (chain = 0; chain < IPT_NR_CHAINS; chain++) {
		u64 pkts, bytes;

		ipt_filter_counters(chain, -1, &pkts, &bytes);
		printk("Chain %s (policy %s %llu packets, %llu bytes)\n", ipt_chain_names[chain],
		       ipt_policy[chain] == NF_ACCEPT ? "ACCEPT" : "DROP", (unsigned long long)pkts,
		       (unsigned long long)bytes);
		printk("    pkts      bytes target     prot opt in     out     source              "
		       " "
		       "destination\n");
		for (i = 0; i < ipt_nr_rules; i++)
			if (ipt_rules[i].chain == chain)
				ipt_rule_show(i, &ipt_rules[i]);
	}
}
