#ifndef _GUEST_NETFILTER_H
#define _GUEST_NETFILTER_H

/*
 * Netfilter hooks for IPv4, after Linux's include/linux/netfilter.h and
 * net/netfilter/core.c. Each of the five hooks has an array of
 * nf_hook_ops sorted by priority (lowest first, equal priorities in
 * registration order), published with RCU; NF_HOOK() runs them in order
 * (nf_hook_slow()) and calls okfn when every hook accepted.
 *
 * Verdicts, as Linux handles them:
 *   NF_ACCEPT   go on with the next hook, then okfn
 *   NF_DROP     kfree_skb_reason(NETFILTER_DROP); NF_HOOK returns -EPERM
 *   NF_STOLEN   the hook took the skb: stop, return 0, do not touch it
 *   NF_QUEUE    no queue handler is registered: dropped, unless the verdict has
 *               NF_VERDICT_FLAG_QUEUE_BYPASS, then accepted
 *   NF_REPEAT   call the same hook again
 */

#include "skbuff.h"
#include "types.h"

struct net_device;

enum nf_inet_hooks {
	NF_INET_PRE_ROUTING,
	NF_INET_LOCAL_IN,
	NF_INET_FORWARD,
	NF_INET_LOCAL_OUT,
	NF_INET_POST_ROUTING,
	NF_INET_NUMHOOKS,
};

#define NFPROTO_IPV4 2

/* Verdicts (the low 16 bits of a hook's return value). */
#define NF_DROP 0
#define NF_ACCEPT 1
#define NF_STOLEN 2
#define NF_QUEUE 3
#define NF_REPEAT 4
#define NF_MAX_VERDICT NF_REPEAT
#define NF_VERDICT_MASK 0x000000ff
#define NF_VERDICT_FLAG_QUEUE_BYPASS 0x00008000
#define NF_VERDICT_QMASK 0xffff0000
#define NF_VERDICT_QBITS 16
#define NF_QUEUE_NR(x) ((((x) << 16) & NF_VERDICT_QMASK) | NF_QUEUE)

/* Linux's enum nf_ip_hook_priorities. */
enum nf_ip_hook_priorities {
	NF_IP_PRI_FIRST = -2147483647 - 1,
	NF_IP_PRI_RAW_BEFORE_DEFRAG = -450,
	NF_IP_PRI_CONNTRACK_DEFRAG = -400,
	NF_IP_PRI_RAW = -300,
	NF_IP_PRI_SELINUX_FIRST = -225,
	NF_IP_PRI_CONNTRACK = -200,
	NF_IP_PRI_MANGLE = -150,
	NF_IP_PRI_NAT_DST = -100,
	NF_IP_PRI_FILTER = 0,
	NF_IP_PRI_SECURITY = 50,
	NF_IP_PRI_NAT_SRC = 100,
	NF_IP_PRI_SELINUX_LAST = 225,
	NF_IP_PRI_CONNTRACK_HELPER = 300,
	NF_IP_PRI_CONNTRACK_CONFIRM = 2147483647,
	NF_IP_PRI_LAST = 2147483647,
};

struct nf_hook_state {
	u8 hook; /* NF_INET_* */
	u8 pf;	 /* NFPROTO_IPV4 */
	struct net_device *in;
	struct net_device *out;
	int (*okfn)(struct sk_buff *skb);
};

typedef unsigned int nf_hookfn(void *priv, struct sk_buff *skb, const struct nf_hook_state *state);

struct nf_hook_ops {
	nf_hookfn *hook;
	void *priv;
	u8 pf;
	unsigned int hooknum;
	int priority;
};

/* 0, or -1 when the hook's array is full. Process context. */
int nf_register_net_hook(const struct nf_hook_ops *ops);
/* Waits for a grace period before it returns (readers may still run the hook until then). */
void nf_unregister_net_hook(const struct nf_hook_ops *ops);

/*
 * Runs the hooks of state->hook on skb: 1 when okfn may be called (every hook
 * accepted), 0 when a hook stole it, -EPERM (-1) when it was dropped.
 */
int nf_hook_slow(struct sk_buff *skb, struct nf_hook_state *state);
/* true if some hook is registered at hook (a quick test before nf_hook_slow). */
bool nf_hook_active(unsigned int hook);

/* Linux's NF_HOOK(): okfn(skb) if the hooks accept it, else their result. */
static inline int NF_HOOK(u8 pf, unsigned int hook, struct sk_buff *skb, struct net_device *in,
			  struct net_device *out, int (*okfn)(struct sk_buff *skb))
{
	struct nf_hook_state state = { .hook = hook, .pf = pf, .in = in, .out = out, .okfn = okfn };
	int ret = 1;

	if (nf_hook_active(hook))
		ret = nf_hook_slow(skb, &state);
	if (ret == 1)
		ret = okfn(skb);
	return ret;
}

/*
 * Linux's nf_ip_checksum(): 0 if the transport checksum of skb from dataoff
 * to the end is correct (or the NIC already said so: CHECKSUM_UNNECESSARY),
 * non-zero if not. protocol 0 checksums without a pseudo-header (ICMP).
 */
u16 nf_ip_checksum(struct sk_buff *skb, unsigned int hook, unsigned int dataoff, u8 protocol);

#endif /* _GUEST_NETFILTER_H */
