/*
 * Conntrack's settings and views, after Linux 6.18's
 * net/netfilter/nf_conntrack_standalone.c: the kernel command line words (the
 * sysctls), the entry text of `conntrack -L` / `conntrack -E`
 * (libnetfilter_conntrack's default format), /proc/net/nf_conntrack as
 * `conntrack -L | sort` and /proc/net/stat/nf_conntrack.
 */

#include "asm/timer.h"
#include "ctype.h"
#include "if_ether.h"
#include "kernel.h"
#include "mm.h"
#include "nf_conntrack.h"
#include "cmdline.h"
#include "rculist_nulls.h"
#include "string.h"

/* --- Options --------------------------------------------------------------------------------- */

static bool ct_option_bool(const char *word, size_t len, const char *name, bool *value)
{
	unsigned long long n;

	if (cmdline_word_is(word, len, name)) {
		*value = true;
		return true;
	}
	if (!cmdline_option_number(word, len, name, &n))
		return false;
	if (n > 1 && n != ~0ULL)
		printk("%s=%llu: must be 0 or 1, ignored\n", name, n);
	else if (n != ~0ULL)
		*value = n;
	return true;
}

bool nf_conntrack_parse_option(const char *word, size_t len)
{
	bool flag = nf_conntrack_checksum;
	unsigned long long n;

	if (ct_option_bool(word, len, "conntrack", &nf_conntrack_enabled) ||
	    ct_option_bool(word, len, "ct.events", &nf_conntrack_events))
		return true;
	if (ct_option_bool(word, len, "nf_conntrack_checksum", &flag)) {
		nf_conntrack_checksum = flag;
		return true;
	}
	if (cmdline_option_number(word, len, "nf_conntrack_max", &n)) {
		if (n != ~0ULL && (n < 1 || n > 1U << 20))
			printk("nf_conntrack_max=%llu: must be 1-1048576, ignored\n", n);
		else if (n != ~0ULL)
			nf_conntrack_max = n;
		return true;
	}
	if (cmdline_option_number(word, len, "nf_conntrack_buckets", &n)) {
		if (n != ~0ULL && (n < 1 || n > 1U << 20))
			printk("nf_conntrack_buckets=%llu: must be 1-1048576, ignored\n", n);
		else if (n != ~0ULL)
			nf_conntrack_htable_size = n;
		return true;
	}
	return false;
}

/* --- Entry text ------------------------------------------------------------------------------ */

static const char *ct_proto_name(u8 protonum)
{
	switch (protonum) {
	case IPPROTO_ICMP:
		return "icmp";
	case IPPROTO_TCP:
		return "tcp";
	case IPPROTO_UDP:
		return "udp";
	case 33:
		return "dccp";
	case 47:
		return "gre";
	case 58:
		return "icmpv6";
	case 132:
		return "sctp";
	case 136:
		return "udplite";
	}
	return "unknown";
}

static int ct_print_tuple(char *buf, size_t size, const struct nf_conntrack_tuple *t)
{
	const u8 *s = (const u8 *)&t->src.u3.ip, *d = (const u8 *)&t->dst.u3.ip;
	int len;

	len = snprintf(buf, size, "src=%u.%u.%u.%u dst=%u.%u.%u.%u ", s[0], s[1], s[2], s[3], d[0],
		       d[1], d[2], d[3]);
	switch (t->dst.protonum) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
		len += snprintf(buf + len, size - len, "sport=%u dport=%u ", ntohs(t->src.u.all),
				ntohs(t->dst.u.all));
		break;
	case IPPROTO_ICMP:
		len += snprintf(buf + len, size - len, "type=%u code=%u id=%u ", t->dst.u.icmp.type,
				t->dst.u.icmp.code, ntohs(t->src.u.icmp.id));
		break;
	}
	return len;
}

int nf_ct_snprint(char *buf, size_t size, const struct nf_conn *ct, bool with_timeout, bool listing)
{
	unsigned long status = READ_ONCE(ct->status);
	u8 protonum = nf_ct_protonum(ct);
	int len;

	len = snprintf(buf, size, "%-8s %u ", ct_proto_name(protonum), protonum);
	if (with_timeout)
		len += snprintf(buf + len, size - len, "%u ", (unsigned int)nf_ct_expires(ct) / HZ);
	if (protonum == IPPROTO_TCP && ct->proto.tcp.state < TCP_CONNTRACK_MAX)
		len += snprintf(buf + len, size - len, "%s ",
				tcp_conntrack_names[ct->proto.tcp.state]);
	len += ct_print_tuple(buf + len, size - len, &ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple);
	if (!(status & IPS_SEEN_REPLY))
		len += snprintf(buf + len, size - len, "[UNREPLIED] ");
	len += ct_print_tuple(buf + len, size - len, &ct->tuplehash[IP_CT_DIR_REPLY].tuple);
	if (status & IPS_ASSURED)
		len += snprintf(buf + len, size - len, "[ASSURED] ");
	if (listing)
		len += snprintf(buf + len, size - len, "mark=%u use=%u ", ct->mark,
				(unsigned int)atomic_read(&ct->use));
	else if (ct->mark)
		len += snprintf(buf + len, size - len, "mark=%u ", ct->mark);
	if (len > 0 && (size_t)len <= size)
		buf[--len] = '\0'; /* the last space */
	return len;
}

/* --- /proc/net/nf_conntrack ------------------------------------------------------------------ */

/* One entry of the listing: its line without the timeout (the sort key), and the timeout. */
struct ct_listing_line {
	char key[244];
	u32 timeout;
	u16 prefix; /* "proto    N ": where the timeout goes */
	u16 pad;
};

static struct ct_listing_line *ct_lines;
static unsigned int *ct_order;

static void ct_sort_lines(unsigned int nr)
{
	unsigned int gap, i, j;

	/* Shell sort with Ciura-like gaps: the listing is at most nf_conntrack_max lines. */
	for (gap = nr / 2; gap; gap = gap == 2 ? 1 : gap * 5 / 11) {
		for (i = gap; i < nr; i++) {
			unsigned int moving = ct_order[i];

			for (j = i; j >= gap && strcmp(ct_lines[ct_order[j - gap]].key,
						       ct_lines[moving].key) > 0;
			     j -= gap)
				ct_order[j] = ct_order[j - gap];
			ct_order[j] = moving;
		}
	}
}

static void nf_conntrack_show_table(void)
{
	unsigned int room = nf_conntrack_count() + 64, nr = 0, i;
	unsigned long pages = PFN_UP((unsigned long)room * sizeof(*ct_lines)) +
			      PFN_UP((unsigned long)room * sizeof(*ct_order));

	printk("/proc/net/nf_conntrack:\n");
	ct_lines = alloc_pages_contig(pages);
	if (!ct_lines) {
		printk("nf_conntrack: no memory to list %u entries\n", room);
		return;
	}
	ct_order = (unsigned int *)((u8 *)ct_lines +
				    PFN_PHYS(PFN_UP((unsigned long)room * sizeof(*ct_lines))));
	rcu_read_lock();
	for (i = 0; i < nf_conntrack_htable_size && nr < room; i++) {
		struct nf_conntrack_tuple_hash *h;
		struct hlist_nulls_node *n;

		hlist_nulls_for_each_entry_rcu(h, n, &nf_conntrack_hash[i], hnnode)
		{
			struct nf_conn *ct = nf_ct_tuplehash_to_ctrack(h);
			struct ct_listing_line *line = &ct_lines[nr];

			if (h->tuple.dst.dir != IP_CT_DIR_ORIGINAL || !nf_ct_is_confirmed(ct) ||
			    nf_ct_is_expired(ct))
				continue;
			line->prefix =
				snprintf(line->key, sizeof(line->key), "%-8s %u ",
					 ct_proto_name(nf_ct_protonum(ct)), nf_ct_protonum(ct));
			nf_ct_snprint(line->key, sizeof(line->key), ct, false, true);
			line->timeout = nf_ct_expires(ct) / HZ;
			ct_order[nr] = nr;
			if (++nr == room)
				break;
		}
	}
	rcu_read_unlock();
	ct_sort_lines(nr);
	for (i = 0; i < nr; i++) {
		const struct ct_listing_line *line = &ct_lines[ct_order[i]];

		printk("%.*s%u %s\n", line->prefix, line->key, line->timeout,
		       line->key + line->prefix);
	}
	free_pages_contig(ct_lines, pages);
	ct_lines = NULL;
}

void nf_conntrack_show_views(void)
{
	if (!nf_conntrack_initialized())
		return;
	nf_conntrack_show_table();
	nf_conntrack_show_stat();
	nf_conntrack_show_state_counts();
}
