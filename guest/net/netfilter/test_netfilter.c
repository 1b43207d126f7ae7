/*
 * Netfilter hook core self-tests ("nf_hooks"): NF_HOOK() on a crafted IPv4
 * packet at NF_INET_FORWARD (nothing else hooks there at boot) with hooks of
 * different and equal priorities, every verdict as net/netfilter/core.c
 * handles it, and a hook unregistered while the other CPUs run the hook
 * chain: after nf_unregister_net_hook() returns, no CPU may still call it.
 */

#include "asm/percpu.h"
#include "atomic.h"
#include "checksum.h"
#include "ip.h"
#include "kernel.h"
#include "netfilter.h"
#include "selftest.h"
#include "smp.h"
#include "string.h"

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond))                                                                       \
			return #cond;                                                              \
	} while (0)

#define NF_TEST_HOOK NF_INET_FORWARD
#define NF_TEST_MAX_CALLS 16

/* The order in which the test hooks ran, by their tags. */
static int nf_calls[NF_TEST_MAX_CALLS];
static unsigned int nf_nr_calls, nf_okfn_calls;
static unsigned int nf_repeat_left;

struct nf_test_hook {
	int tag;
	unsigned int verdict;
	struct nf_hook_ops ops;
};

static unsigned int nf_test_hookfn(void *priv, struct sk_buff *skb,
				   const struct nf_hook_state *state)
{
	struct nf_test_hook *h = priv;

	if (nf_nr_calls < NF_TEST_MAX_CALLS)
		nf_calls[nf_nr_calls++] = h->tag;
	/* The hook sees the IPv4 header at skb->data. */
	if (skb->data != skb_network_header(skb) || (skb->data[0] >> 4) != 4 ||
	    state->hook != NF_TEST_HOOK || state->pf != NFPROTO_IPV4)
		nf_calls[0] = -1000;
	if ((h->verdict & NF_VERDICT_MASK) == NF_REPEAT) {
		if (nf_repeat_left == 0)
			return NF_ACCEPT;
		nf_repeat_left--;
	}
	return h->verdict;
}

static int nf_test_okfn(struct sk_buff *skb)
{
	nf_okfn_calls++;
	consume_skb(skb);
	return 0;
}

static void nf_hook_init(struct nf_test_hook *h, int tag, int priority, unsigned int verdict)
{
	h->tag = tag;
	h->verdict = verdict;
	h->ops = (struct nf_hook_ops){ .hook = nf_test_hookfn,
				       .priv = h,
				       .pf = NFPROTO_IPV4,
				       .hooknum = NF_TEST_HOOK,
				       .priority = priority };
}

/* A 28-byte IPv4/UDP packet with skb->data at its header. */
static struct sk_buff *nf_test_skb(void)
{
	struct sk_buff *skb = alloc_skb(SKB_MAX_HEAD);
	struct iphdr *iph;

	if (!skb)
		return NULL;
	skb_reserve(skb, 64);
	skb_reset_network_header(skb);
	iph = (struct iphdr *)skb_put(skb, 28);
	memset(iph, 0, 28);
	iph->ihl_version = 0x45;
	iph->tot_len = htons(28);
	iph->ttl = 64;
	iph->protocol = IPPROTO_UDP;
	iph->saddr = htonl(0xc0000201);
	iph->daddr = htonl(0xc6120005);
	iph->check = htons(csum_fold(csum_partial(iph, 20, 0)));
	return skb;
}

/* Runs NF_HOOK on a fresh packet; the packet's fate in *freed (0 kept, 1 freed). */
static int nf_run(struct sk_buff **kept)
{
	struct sk_buff *skb = nf_test_skb();

	nf_nr_calls = nf_okfn_calls = 0;
	*kept = skb;
	return NF_HOOK(NFPROTO_IPV4, NF_TEST_HOOK, skb, NULL, NULL, nf_test_okfn);
}

static const char *nf_order_checks(void)
{
	static struct nf_test_hook h[4];
	struct sk_buff *skb;
	unsigned int i;
	int ret;

	/* Registered as 10, -5, 10, 0: run as -5, 0, 10 (first), 10 (second). */
	nf_hook_init(&h[0], 1, 10, NF_ACCEPT);
	nf_hook_init(&h[1], 2, -5, NF_ACCEPT);
	nf_hook_init(&h[2], 3, 10, NF_ACCEPT);
	nf_hook_init(&h[3], 4, 0, NF_ACCEPT);
	for (i = 0; i < 4; i++)
		CHECK(nf_register_net_hook(&h[i].ops) == 0);
	ret = nf_run(&skb);
	for (i = 0; i < 4; i++)
		nf_unregister_net_hook(&h[i].ops);
	CHECK(ret == 0 && nf_okfn_calls == 1);
	CHECK(nf_nr_calls == 4 && nf_calls[0] == 2 && nf_calls[1] == 4 && nf_calls[2] == 1 &&
	      nf_calls[3] == 3);
	CHECK(!nf_hook_active(NF_TEST_HOOK));
	return NULL;
}

/* The ACCEPT hook (tag 2) after the one under test. */
static struct nf_test_hook nf_second;

/* One hook of the given verdict before nf_second. */
static const char *nf_verdict_case(unsigned int verdict, int want_ret, unsigned int want_calls,
				   unsigned int want_okfn, bool want_freed,
				   enum skb_drop_reason want_reason)
{
	static struct nf_test_hook first;
	unsigned long drops = skb_drop_reason_count(want_reason);
	unsigned int heads0, heads1, bufs;
	struct sk_buff *skb;
	int ret;

	nf_hook_init(&first, 1, -10, verdict);
	CHECK(nf_register_net_hook(&first.ops) == 0);
	nf_repeat_left = 2;
	skb_cache_in_use(&heads0, &bufs);
	ret = nf_run(&skb);
	skb_cache_in_use(&heads1, &bufs);
	nf_unregister_net_hook(&first.ops);
	CHECK(ret == want_ret);
	CHECK(nf_nr_calls == want_calls && nf_okfn_calls == want_okfn);
	if (want_okfn)
		CHECK(nf_calls[want_calls - 1] == 2);
	if (want_freed)
		CHECK(heads1 == heads0);
	if (want_freed && !want_okfn)
		CHECK(skb_drop_reason_count(want_reason) == drops + 1);
	if (!want_freed) {
		/* Stolen: still ours, not freed. */
		CHECK(heads1 == heads0 + 1);
		consume_skb(skb);
	}
	return NULL;
}

static const char *nf_verdict_cases(void);

static const char *nf_verdict_checks(void)
{
	const char *why;

	nf_hook_init(&nf_second, 2, 10, NF_ACCEPT);
	CHECK(nf_register_net_hook(&nf_second.ops) == 0);
	why = nf_verdict_cases();
	nf_unregister_net_hook(&nf_second.ops);
	return why;
}

static const char *nf_verdict_cases(void)
{
	const char *why;

	/* ACCEPT: on to the next hook, then okfn. */
	why = nf_verdict_case(NF_ACCEPT, 0, 2, 1, true, SKB_NOT_DROPPED_YET);
	if (why)
		return why;
	/* DROP: freed as NETFILTER_DROP, -EPERM, nothing after it. */
	why = nf_verdict_case(NF_DROP, -1, 1, 0, true, SKB_DROP_REASON_NETFILTER_DROP);
	if (why)
		return why;
	/* STOLEN: 0, not freed, nothing after it. */
	why = nf_verdict_case(NF_STOLEN, 0, 1, 0, false, SKB_NOT_DROPPED_YET);
	if (why)
		return why;
	/* QUEUE with no queue handler: dropped, 0. */
	why = nf_verdict_case(NF_QUEUE_NR(3), 0, 1, 0, true, SKB_DROP_REASON_NOT_SPECIFIED);
	if (why)
		return why;
	/* QUEUE with bypass and no handler: accepted. */
	why = nf_verdict_case(NF_QUEUE_NR(3) | NF_VERDICT_FLAG_QUEUE_BYPASS, 0, 2, 1, true,
			      SKB_NOT_DROPPED_YET);
	if (why)
		return why;
	/* REPEAT (twice, then ACCEPT): the same hook three times, then the next. */
	why = nf_verdict_case(NF_REPEAT, 0, 4, 1, true, SKB_NOT_DROPPED_YET);
	if (why)
		return why;
	CHECK(nf_calls[0] == 1 && nf_calls[1] == 1 && nf_calls[2] == 1);
	return NULL;
}

/* --- Unregistering under traffic ------------------------------------------------------------- */

static struct sk_buff *nf_race_skbs[NR_CPUS];
static int nf_race_stop;
static atomic_t nf_race_late_calls, nf_race_calls, nf_race_okfn;
static int nf_race_gone; /* the racing hook has been unregistered (set after it returned) */

static unsigned int nf_race_hookfn(void *priv, struct sk_buff *skb,
				   const struct nf_hook_state *state)
{
	if (READ_ONCE(nf_race_gone))
		atomic_inc(&nf_race_late_calls);
	atomic_inc(&nf_race_calls);
	return NF_ACCEPT;
}

static unsigned int nf_race_anchor(void *priv, struct sk_buff *skb,
				   const struct nf_hook_state *state)
{
	return NF_ACCEPT;
}

static int nf_race_okfn_count(struct sk_buff *skb)
{
	atomic_inc(&nf_race_okfn);
	return 0; /* the packet is reused: not freed */
}

static const struct nf_hook_ops nf_race_ops = {
	.hook = nf_race_hookfn, .pf = NFPROTO_IPV4, .hooknum = NF_TEST_HOOK, .priority = 0
};
static const struct nf_hook_ops nf_anchor_ops = {
	.hook = nf_race_anchor, .pf = NFPROTO_IPV4, .hooknum = NF_TEST_HOOK, .priority = -1
};

static void nf_race_worker(void *arg)
{
	unsigned int cpu = smp_processor_id();

	selftest_rendezvous();
	/* Two CPUs of traffic are enough for the race and keep the simulation short. */
	if (cpu > 2)
		return;
	if (cpu != 0) {
		while (!READ_ONCE(nf_race_stop))
			NF_HOOK(NFPROTO_IPV4, NF_TEST_HOOK, nf_race_skbs[cpu], NULL, NULL,
				nf_race_okfn_count);
		return;
	}
	/* One round: each grace period costs the simulation the readers' whole spin. */
	WRITE_ONCE(nf_race_gone, 0);
	nf_register_net_hook(&nf_race_ops);
	spin_delay(2000);
	nf_unregister_net_hook(&nf_race_ops);
	WRITE_ONCE(nf_race_gone, 1);
	spin_delay(2000);
	WRITE_ONCE(nf_race_stop, 1);
}

static const char *nf_unregister_checks(void)
{
	unsigned int cpu;
	const char *why = NULL;

	for_each_online_cpu(cpu)
	{
		nf_race_skbs[cpu] = nf_test_skb();
		if (!nf_race_skbs[cpu])
			why = "no skb";
	}
	if (!why && nf_register_net_hook(&nf_anchor_ops))
		why = "cannot register the anchor hook";
	if (!why) {
		nf_race_stop = 0;
		atomic_set(&nf_race_late_calls, 0);
		atomic_set(&nf_race_calls, 0);
		atomic_set(&nf_race_okfn, 0);
		run_on_each_cpu(nf_race_worker, NULL);
		nf_unregister_net_hook(&nf_anchor_ops);
	}
	for_each_online_cpu(cpu) if (nf_race_skbs[cpu]) consume_skb(nf_race_skbs[cpu]);
	if (why)
		return why;
	printk(MACHINE_DEPENDENT "nf_hooks: %d calls of the racing hook, %d packets through\n",
	       atomic_read(&nf_race_calls), atomic_read(&nf_race_okfn));
	CHECK(atomic_read(&nf_race_late_calls) == 0);
	CHECK(selftest_nr_cpus < 2 || atomic_read(&nf_race_okfn) > 0);
	CHECK(!nf_hook_active(NF_TEST_HOOK));
	return NULL;
}

static void selftest_nf_hooks_run(void)
{
	const char *why;

	skb_pool_grow(8, 8);
	why = nf_order_checks();
	if (!why)
		why = nf_verdict_checks();
	if (!why)
		why = nf_unregister_checks();
	selftest_report("nf_hooks", !why, "%s", why);
}

DEFINE_SELFTEST(selftest_nf_hooks, "nf_hooks", selftest_nf_hooks_run, 0);
