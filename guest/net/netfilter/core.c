/*
 * The netfilter hook core for IPv4, after Linux's net/netfilter/core.c: each
 * hook has an array of (hook function, priv) sorted by priority, replaced as a
 * whole (copy, publish with RCU, wait for a grace period, free the old one)
 * when a hook is registered or unregistered, and walked by nf_hook_slow()
 * under rcu_read_lock() without a lock.
 */

#include "kernel.h"
#include "mm.h"
#include "netfilter.h"
#include "rcupdate.h"
#include "spinlock.h"
#include "string.h"

#define NF_MAX_HOOK_ENTRIES 32

struct nf_hook_entry {
	nf_hookfn *hook;
	void *priv;
};

struct nf_hook_entries {
	unsigned int num;
	struct nf_hook_entry hooks[NF_MAX_HOOK_ENTRIES];
	const struct nf_hook_ops *orig_ops[NF_MAX_HOOK_ENTRIES];
};

_Static_assert(sizeof(struct nf_hook_entries) <= PAGE_SIZE, "hook array fits a page");

static struct nf_hook_entries *nf_hooks_ipv4[NF_INET_NUMHOOKS];
/* Serialises writers (process context); readers take no lock. */
static DEFINE_SPINLOCK(nf_hook_mutex);

bool nf_hook_active(unsigned int hook)
{
	return hook < NF_INET_NUMHOOKS && READ_ONCE(nf_hooks_ipv4[hook]) != NULL;
}

/* Publishes new for hook and frees what it replaced once no reader can see it. */
static void nf_hook_entries_replace(unsigned int hook, struct nf_hook_entries *new)
{
	struct nf_hook_entries *old = nf_hooks_ipv4[hook];

	rcu_assign_pointer(nf_hooks_ipv4[hook], new);
	spin_unlock(&nf_hook_mutex);
	if (old) {
		synchronize_rcu();
		free_page(old);
	}
}

int nf_register_net_hook(const struct nf_hook_ops *reg)
{
	struct nf_hook_entries *old, *new;
	unsigned int i, j;

	if (reg->pf != NFPROTO_IPV4 || reg->hooknum >= NF_INET_NUMHOOKS || !reg->hook)
		return -1;
	new = get_zeroed_page();
	if (!new)
		return -1;
	spin_lock(&nf_hook_mutex);
	old = nf_hooks_ipv4[reg->hooknum];
	if (old && old->num == NF_MAX_HOOK_ENTRIES) {
		spin_unlock(&nf_hook_mutex);
		free_page(new);
		return -1;
	}
	/* After every hook of lower or equal priority: equal ones run in registration order. */
	for (i = 0, j = 0; old && i < old->num; i++) {
		if (old->orig_ops[i]->priority > reg->priority && j == i) {
			new->hooks[j].hook = reg->hook;
			new->hooks[j].priv = reg->priv;
			new->orig_ops[j++] = reg;
		}
		new->hooks[j] = old->hooks[i];
		new->orig_ops[j++] = old->orig_ops[i];
	}
	if (j == (old ? old->num : 0)) {
		new->hooks[j].hook = reg->hook;
		new->hooks[j].priv = reg->priv;
		new->orig_ops[j++] = reg;
	}
	new->num = j;
	nf_hook_entries_replace(reg->hooknum, new);
	return 0;
}

void nf_unregister_net_hook(const struct nf_hook_ops *reg)
{
	struct nf_hook_entries *old, *new = NULL;
	unsigned int i, j;
	bool found = false;

	if (reg->pf != NFPROTO_IPV4 || reg->hooknum >= NF_INET_NUMHOOKS)
		return;
	spin_lock(&nf_hook_mutex);
	old = nf_hooks_ipv4[reg->hooknum];
	for (i = 0; old && i < old->num; i++)
		found |= old->orig_ops[i] == reg;
	if (!found) {
		spin_unlock(&nf_hook_mutex);
		printk("netfilter: unregistering a hook that is not registered\n");
		return;
	}
	if (old->num > 1) {
		/* Allocating with the lock held is fine: writers are process context only. */
		new = get_zeroed_page();
		if (!new) {
			spin_unlock(&nf_hook_mutex);
			printk("netfilter: out of memory unregistering a hook\n");
			return;
		}
		for (i = 0, j = 0; i < old->num; i++) {
			if (old->orig_ops[i] == reg)
				continue;
			new->hooks[j] = old->hooks[i];
			new->orig_ops[j++] = old->orig_ops[i];
		}
		new->num = j;
	}
	nf_hook_entries_replace(reg->hooknum, new);
}

/*
 * Linux's nf_hook_slow() and, for a verdict with no queue handler, nf_queue():
 * without a handler for the queue the packet is freed (0), unless the verdict
 * asks to bypass, which accepts it. NF_REPEAT calls the same hook again, as
 * nf_reinject() does with a verdict from userspace.
 */
int nf_hook_slow(struct sk_buff *skb, struct nf_hook_state *state)
{
	const struct nf_hook_entries *e;
	unsigned int s, verdict;
	int ret = 1;

	rcu_read_lock();
	e = rcu_dereference(nf_hooks_ipv4[state->hook]);
	for (s = 0; e && s < e->num; s++) {
		verdict = e->hooks[s].hook(e->hooks[s].priv, skb, state);
		switch (verdict & NF_VERDICT_MASK) {
		case NF_ACCEPT:
			break;
		case NF_DROP:
			kfree_skb_reason(skb, SKB_DROP_REASON_NETFILTER_DROP);
			/* NF_DROP_GETERR(): an errno in the upper 16 bits, else -EPERM. */
			ret = -(int)(verdict >> NF_VERDICT_QBITS);
			if (ret == 0)
				ret = -1;
			goto out;
		case NF_QUEUE:
			if (verdict & NF_VERDICT_FLAG_QUEUE_BYPASS)
				break;
			kfree_skb(skb);
			ret = 0;
			goto out;
		case NF_REPEAT:
			s--;
			break;
		case NF_STOLEN:
		default:
			ret = 0;
			goto out;
		}
	}
out:
	rcu_read_unlock();
	return ret;
}
