/*
 * IPv4 routing for a host with one interface, after Linux 6.18's
 * net/ipv4/route.c (ip_route_input_slow(), ip_error(), ip_route_output_key())
 * and the FIB (net/ipv4/fib_trie.c, fib_frontend.c) reduced to a table
 * searched for the longest prefix:
 *
 *   our connected prefix    ip= address and netmask (the class's without one,
 *                           as ipconfig's ic_defaults()), next hop: the
 *                           destination itself
 *   route=PREFIX/LEN,via,GW each with its gateway, which must be on-link
 *                           (Linux refuses a gateway it cannot reach)
 *   0.0.0.0/0               via the ip= gateway, if there is one
 *
 * The local table of Linux (our address RTN_LOCAL, the subnet's directed
 * broadcast RTN_BROADCAST when the prefix is shorter than /31) is checked
 * before the FIB by ip_route_input_noref(). The table is built at boot, before
 * the NIC is up, and rebuilt only by self-tests (nothing receives meanwhile),
 * so readers take no lock.
 */

#include "route.h"
#include "asm/timer.h"
#include "icmp.h"
#include "ip.h"
#include "kernel.h"
#include "netdevice.h"
#include "snmp.h"
#include "spinlock.h"
#include "string.h"

#define FIB_MAX_ENTRIES (NET_MAX_ROUTES + 2)

struct fib_entry {
	u32 prefix; /* network order */
	u32 mask;   /* network order */
	u8 prefixlen;
	struct rtable rt; /* the route of the packets forwarded by this entry */
};

static struct fib_entry fib_table[FIB_MAX_ENTRIES];
static unsigned int fib_entries;
static bool fib_ready;
static u32 inet_mask; /* network order */
static unsigned int inet_plen;

/* Routes of the local table and the unreachable ones (ip_route_input_slow()'s rth). */
static struct rtable rt_local = {
	.input = ip_local_deliver, .output = ip_output, .rt_type = RTN_LOCAL, .rt_flags = RTCF_LOCAL
};
static struct rtable rt_broadcast = { .input = ip_local_deliver,
				      .output = ip_output,
				      .rt_type = RTN_BROADCAST,
				      .rt_flags = RTCF_BROADCAST | RTCF_LOCAL };
static struct rtable rt_multicast = { .input = ip_local_deliver,
				      .output = ip_output,
				      .rt_type = RTN_MULTICAST,
				      .rt_flags = RTCF_MULTICAST | RTCF_LOCAL };
static struct rtable rt_hostunreach = {
	.input = ip_error, .output = ip_output, .rt_type = RTN_UNREACHABLE, .error = EHOSTUNREACH
};
static struct rtable rt_netunreach = {
	.input = ip_error, .output = ip_output, .rt_type = RTN_UNREACHABLE, .error = ENETUNREACH
};

static inline u32 inet_make_mask(unsigned int logmask)
{
	return logmask ? htonl(~0U << (32 - logmask)) : 0;
}

bool ipv4_forwarding(void)
{
	return net_options.ip_forward;
}

/* ipconfig's ic_defaults(): the netmask of the address's class when ip= gave none. */
static u32 default_netmask(u32 addr)
{
	if (net_options.ip_netmask)
		return net_options.ip_netmask;
	if (!(addr & 0x80000000))
		return 0xff000000;
	if ((addr & 0xc0000000) == 0x80000000)
		return 0xffff0000;
	if ((addr & 0xe0000000) == 0xc0000000)
		return 0xffffff00;
	return 0xffffffff;
}

unsigned int inet_prefixlen(void)
{
	return inet_plen;
}

bool inet_addr_onlink(u32 addr)
{
	return ((addr ^ inet_own_addr()) & inet_mask) == 0;
}

static void fib_add(u32 prefix, unsigned int prefixlen, u32 gw)
{
	struct fib_entry *fe = &fib_table[fib_entries++];

	fe->prefixlen = prefixlen;
	fe->mask = inet_make_mask(prefixlen);
	fe->prefix = prefix & fe->mask;
	fe->rt = (struct rtable){ .input = ip_forward,
				  .output = ip_output,
				  .rt_type = RTN_UNICAST,
				  .rt_uses_gateway = gw != 0,
				  .rt_gw4 = gw };
}

void ip_fib_init(void)
{
	u32 addr = inet_own_addr();
	unsigned int i;

	fib_entries = 0;
	inet_mask = htonl(default_netmask(net_options.ip_addr));
	for (inet_plen = 0; inet_plen < 32 && (ntohl(inet_mask) << inet_plen) & 0x80000000;
	     inet_plen++)
		;
	fib_add(addr, inet_prefixlen(), 0);
	for (i = 0; i < net_options.nr_routes; i++) {
		const struct net_route_option *r = &net_options.routes[i];

		if (!inet_addr_onlink(htonl(r->gw)) || htonl(r->gw) == addr) {
			printk("route=%u.%u.%u.%u/%u: gateway %u.%u.%u.%u is not on-link, "
			       "ignored\n",
			       r->dst >> 24, r->dst >> 16 & 255, r->dst >> 8 & 255, r->dst & 255,
			       r->prefixlen, r->gw >> 24, r->gw >> 16 & 255, r->gw >> 8 & 255,
			       r->gw & 255);
			continue;
		}
		fib_add(htonl(r->dst), r->prefixlen, htonl(r->gw));
	}
	if (net_options.ip_gateway) {
		u32 gw = htonl(net_options.ip_gateway);

		if (inet_addr_onlink(gw) && gw != addr)
			fib_add(0, 0, gw);
		else
			printk("ip=: gateway %u.%u.%u.%u is not on-link, no default route\n",
			       net_options.ip_gateway >> 24, net_options.ip_gateway >> 16 & 255,
			       net_options.ip_gateway >> 8 & 255, net_options.ip_gateway & 255);
	}
	fib_ready = true;
}

bool fib_lookup(u32 daddr, struct fib_result *res)
{
	struct fib_entry *best = NULL;
	unsigned int i;

	if (unlikely(!fib_ready))
		ip_fib_init();
	/* Longest prefix first; of equal ones, the first configured (the connected route). */
	for (i = 0; i < fib_entries; i++) {
		struct fib_entry *fe = &fib_table[i];

		if ((daddr & fe->mask) == fe->prefix && (!best || fe->prefixlen > best->prefixlen))
			best = fe;
	}
	if (!best)
		return false;
	res->rt = &best->rt;
	res->prefixlen = best->prefixlen;
	return true;
}

/* Linux's ipv4_is_*() tests on network-order addresses. */
static inline bool ipv4_is_multicast(u32 addr)
{
	return (addr & htonl(0xf0000000)) == htonl(0xe0000000);
}

static inline bool ipv4_is_lbcast(u32 addr)
{
	return addr == 0xffffffff;
}

static inline bool ipv4_is_zeronet(u32 addr)
{
	return (addr & htonl(0xff000000)) == 0;
}

static inline bool ipv4_is_loopback(u32 addr)
{
	return (addr & htonl(0xff000000)) == htonl(0x7f000000);
}

#define INADDR_ALLHOSTS_GROUP htonl(0xe0000001) /* 224.0.0.1: every interface is a member */

/* The subnet's directed broadcast, a local RTN_BROADCAST route for prefixes shorter than /31. */
static bool inet_is_subnet_broadcast(u32 daddr)
{
	if (unlikely(!fib_ready))
		ip_fib_init();
	return inet_prefixlen() < 31 && daddr == (inet_own_addr() | ~inet_mask);
}

/*
 * ip_route_input_slow(), in its order: multicast (224.0.0.1 is ours, as
 * ip_check_mc_rcu(); other groups are not joined and nothing routes
 * multicast), limited broadcast, martian sources (multicast, limited
 * broadcast, 0/8 unless to 255.255.255.255, loopback), our address, the
 * subnet's broadcast, martian destinations (0/8, loopback: dropped); then, with forwarding
 * off, an unreachable route (EHOSTUNREACH: InAddrErrors in ip_error()); with
 * it on, the FIB: a route forwards, none is ENETUNREACH.
 */
enum skb_drop_reason ip_route_input_noref(struct sk_buff *skb, u32 daddr, u32 saddr)
{
	struct fib_result res;

	if (ipv4_is_multicast(daddr)) {
		if (daddr != INADDR_ALLHOSTS_GROUP)
			return SKB_DROP_REASON_NOT_SPECIFIED;
		/* ip_mc_validate_source(): no multicast, broadcast or loopback source; 0/8 only to
		 * 224.0.0.0/24 or for IGMP. */
		if (ipv4_is_multicast(saddr) || ipv4_is_lbcast(saddr) || ipv4_is_loopback(saddr))
			return SKB_DROP_REASON_IP_INVALID_SOURCE;
		if (ipv4_is_zeronet(saddr) && (daddr & htonl(0xffffff00)) != htonl(0xe0000000) &&
		    ip_hdr(skb)->protocol != IPPROTO_IGMP)
			return SKB_DROP_REASON_IP_INVALID_SOURCE;
		skb_dst_set_noref(skb, &rt_multicast);
		return SKB_NOT_DROPPED_YET;
	}
	if (ipv4_is_multicast(saddr) || ipv4_is_lbcast(saddr) || ipv4_is_loopback(saddr) ||
	    (ipv4_is_zeronet(saddr) && !ipv4_is_lbcast(daddr)))
		return SKB_DROP_REASON_IP_INVALID_SOURCE;
	if (ipv4_is_lbcast(daddr)) {
		skb_dst_set_noref(skb, &rt_broadcast);
		return SKB_NOT_DROPPED_YET;
	}
	if (daddr == inet_own_addr()) {
		skb_dst_set_noref(skb, &rt_local);
		return SKB_NOT_DROPPED_YET;
	}
	if (inet_is_subnet_broadcast(daddr)) {
		skb_dst_set_noref(skb, &rt_broadcast);
		return SKB_NOT_DROPPED_YET;
	}
	if (ipv4_is_zeronet(daddr) || ipv4_is_loopback(daddr))
		return SKB_DROP_REASON_IP_INVALID_DEST;
	if (!ipv4_forwarding()) {
		skb_dst_set_noref(skb, &rt_hostunreach);
		return SKB_NOT_DROPPED_YET;
	}
	if (!fib_lookup(daddr, &res)) {
		skb_dst_set_noref(skb, &rt_netunreach);
		return SKB_NOT_DROPPED_YET;
	}
	skb_dst_set_noref(skb, res.rt);
	/*
	 * __mkroute_input(): leaving by the device it came in on, to a source on
	 * the link, makes the packet a candidate for an ICMP redirect.
	 */
	if (inet_addr_onlink(saddr))
		IPCB(skb)->flags |= IPSKB_DOREDIRECT;
	return SKB_NOT_DROPPED_YET;
}

struct rtable *ip_route_output(u32 daddr)
{
	struct fib_result res;

	if (daddr == inet_own_addr())
		return NULL; /* no loopback device */
	if (ipv4_is_lbcast(daddr) || inet_is_subnet_broadcast(daddr))
		return &rt_broadcast;
	if (!fib_lookup(daddr, &res))
		return NULL;
	return res.rt;
}

/* --- inet_peer ------------------------------------------------------------------------------- */

#define INET_PEER_SLOTS 64
#define XRLIM_BURST_FACTOR 6

struct inet_peer {
	u32 daddr;
	bool used;
	unsigned long rate_last;
	unsigned long rate_tokens;
	unsigned int n_redirects;
};

static struct inet_peer inet_peers[INET_PEER_SLOTS];
static DEFINE_SPINLOCK(inet_peer_lock);

/* The peer of daddr, made new if its slot held another (lock held). */
static struct inet_peer *inet_getpeer_v4(u32 daddr)
{
	u32 h = ntohl(daddr);
	struct inet_peer *p;

	h ^= h >> 16;
	h ^= h >> 8;
	p = &inet_peers[h % INET_PEER_SLOTS];
	if (!p->used || p->daddr != daddr) {
		p->used = true;
		p->daddr = daddr;
		p->rate_tokens = 0;
		p->n_redirects = 0;
		/* As inet_getpeer(): far enough in the past that the first count is the maximum. */
		p->rate_last = jiffies - 60 * HZ;
	}
	return p;
}

bool inet_peer_xrlim_allow(u32 daddr, unsigned long timeout)
{
	unsigned long flags = spin_lock_irqsave(&inet_peer_lock), token, now = jiffies;
	struct inet_peer *peer = inet_getpeer_v4(daddr);
	bool rc = false;

	token = peer->rate_tokens + (now - peer->rate_last);
	peer->rate_last = now;
	if (token > XRLIM_BURST_FACTOR * timeout)
		token = XRLIM_BURST_FACTOR * timeout;
	if (token >= timeout) {
		token -= timeout;
		rc = true;
	}
	peer->rate_tokens = token;
	spin_unlock_irqrestore(&inet_peer_lock, flags);
	return rc;
}

void inet_peer_flush(void)
{
	unsigned long flags = spin_lock_irqsave(&inet_peer_lock);

	memset(inet_peers, 0, sizeof(inet_peers));
	spin_unlock_irqrestore(&inet_peer_lock, flags);
}

/* ip_rt_redirect_number, _load and _silence: Linux's defaults. */
#define IP_RT_REDIRECT_NUMBER 9
#define IP_RT_REDIRECT_LOAD (HZ / 50)
#define IP_RT_REDIRECT_SILENCE ((HZ / 50) << (IP_RT_REDIRECT_NUMBER + 1))

/*
 * Linux's ip_rt_send_redirect(): a host redirect to the next hop, with
 * exponential backoff per source (load << n), at most 9 until the source has
 * been silent for ip_rt_redirect_silence.
 */
void ip_rt_send_redirect(struct sk_buff *skb)
{
	const struct rtable *rt = skb_rtable(skb);
	unsigned long flags = spin_lock_irqsave(&inet_peer_lock), now = jiffies;
	struct inet_peer *peer = inet_getpeer_v4(ip_hdr(skb)->saddr);
	bool send = false;

	if ((long)(now - (peer->rate_last + IP_RT_REDIRECT_SILENCE)) > 0) {
		peer->rate_tokens = 0;
		peer->n_redirects = 0;
	}
	if (peer->n_redirects >= IP_RT_REDIRECT_NUMBER) {
		peer->rate_last = now;
	} else if (peer->n_redirects == 0 ||
		   (long)(now - (peer->rate_last + (IP_RT_REDIRECT_LOAD << peer->n_redirects))) >
			   0) {
		peer->rate_last = now;
		peer->n_redirects++;
		send = true;
	}
	spin_unlock_irqrestore(&inet_peer_lock, flags);
	if (send)
		icmp_send(skb, ICMP_REDIRECT, ICMP_REDIR_HOST, rt_nexthop(rt, ip_hdr(skb)->daddr));
}

/* ip_rt_error_cost and ip_rt_error_burst: one ICMP unreachable per second, bursts of 5. */
#define IP_RT_ERROR_COST HZ
#define IP_RT_ERROR_BURST (5 * HZ)

/* ip_error()'s own use of the peer's tokens. */
static bool ip_error_allow(u32 saddr)
{
	unsigned long flags = spin_lock_irqsave(&inet_peer_lock), now = jiffies;
	struct inet_peer *peer = inet_getpeer_v4(saddr);
	bool send = false;

	peer->rate_tokens += now - peer->rate_last;
	if (peer->rate_tokens > IP_RT_ERROR_BURST)
		peer->rate_tokens = IP_RT_ERROR_BURST;
	peer->rate_last = now;
	if (peer->rate_tokens >= IP_RT_ERROR_COST) {
		peer->rate_tokens -= IP_RT_ERROR_COST;
		send = true;
	}
	spin_unlock_irqrestore(&inet_peer_lock, flags);
	return send;
}

/*
 * Linux's ip_error(): with forwarding off, EHOSTUNREACH is InAddrErrors (and
 * ENETUNREACH InNoRoutes), nothing is sent; with it on, ENETUNREACH is
 * InNoRoutes and an ICMP net unreachable, EHOSTUNREACH a host unreachable,
 * both limited per source.
 */
int ip_error(struct sk_buff *skb)
{
	const struct rtable *rt = skb_rtable(skb);
	enum skb_drop_reason reason = SKB_DROP_REASON_NOT_SPECIFIED;
	int code;

	if (!ipv4_forwarding()) {
		switch (rt->error) {
		case EHOSTUNREACH:
			reason = SKB_DROP_REASON_IP_INADDRERRORS;
			__IP_INC_STATS(IPSTATS_MIB_INADDRERRORS);
			break;
		case ENETUNREACH:
			reason = SKB_DROP_REASON_IP_INNOROUTES;
			__IP_INC_STATS(IPSTATS_MIB_INNOROUTES);
			break;
		}
		goto out;
	}
	switch (rt->error) {
	case EHOSTUNREACH:
		code = ICMP_HOST_UNREACH;
		break;
	case ENETUNREACH:
		code = ICMP_NET_UNREACH;
		reason = SKB_DROP_REASON_IP_INNOROUTES;
		__IP_INC_STATS(IPSTATS_MIB_INNOROUTES);
		break;
	default:
		goto out;
	}
	if (ip_error_allow(ip_hdr(skb)->saddr))
		icmp_send(skb, ICMP_DEST_UNREACH, code, 0);
out:
	kfree_skb_reason(skb, reason);
	return 0;
}
