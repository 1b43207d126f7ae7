#ifndef _GUEST_ROUTE_H
#define _GUEST_ROUTE_H

/*
 * IPv4 routing, after Linux 6.18's net/ipv4/route.c and fib_*.c, for a host
 * with one interface:
 *
 *   the FIB        longest-prefix match over the connected prefix of our
 *                  address, the route= routes and the default route (ip=...:gw);
 *                  each entry owns the struct rtable that packets routed by it
 *                  point to (skb->_skb_refdst, Linux's noref dst)
 *   ip_route_input_noref()
 *                  the input decision: local, broadcast (limited and the
 *                  subnet's directed broadcast), multicast, martians, forward
 *                  when net.ipv4.ip_forward=1 and a route exists, else an
 *                  unreachable route whose input is ip_error()
 *   ip_route_output()
 *                  the route of a locally generated packet (ICMP replies and
 *                  errors) to daddr
 *
 * Addresses are in network byte order.
 */

#include "skbuff.h"
#include "types.h"

/* Linux's rtm_type values used here. */
enum {
	RTN_UNSPEC,
	RTN_UNICAST,
	RTN_LOCAL,
	RTN_BROADCAST,
	RTN_ANYCAST,
	RTN_MULTICAST,
	RTN_BLACKHOLE,
	RTN_UNREACHABLE,
};

/* rt_flags, Linux's RTCF_*. */
#define RTCF_BROADCAST 0x10000000
#define RTCF_MULTICAST 0x20000000
#define RTCF_LOCAL 0x80000000

/* skb->ipcb.flags, Linux's IPSKB_*. */
#define IPSKB_FORWARDED 0x1
#define IPSKB_XFRM_TUNNEL_SIZE 0x2
#define IPSKB_XFRM_TRANSFORMED 0x4
#define IPSKB_FRAG_COMPLETE 0x8
#define IPSKB_REROUTED 0x10
#define IPSKB_DOREDIRECT 0x20

struct rtable {
	int (*input)(struct sk_buff *skb);  /* dst.input: ip_local_deliver, ip_forward, ip_error */
	int (*output)(struct sk_buff *skb); /* dst.output: ip_output */
	int error;	    /* dst.error for ip_error(): EHOSTUNREACH, ENETUNREACH */
	u32 rt_flags;	    /* RTCF_* */
	u16 rt_type;	    /* RTN_* */
	u8 rt_uses_gateway; /* rt_gw4 is the next hop */
	u32 rt_gw4;	    /* the gateway, network order */
	unsigned int mtu;   /* 0: the device's */
};

/* errno values dst.error takes (Linux's). */
#define EINVAL 22
#define ENETUNREACH 101
#define EHOSTUNREACH 113
#define EMSGSIZE 90

static inline struct rtable *skb_rtable(const struct sk_buff *skb)
{
	return (struct rtable *)skb->_skb_refdst;
}

static inline void skb_dst_set_noref(struct sk_buff *skb, struct rtable *rt)
{
	skb->_skb_refdst = (unsigned long)rt;
}

/* The next hop for daddr on rt: its gateway, or daddr itself on the connected prefix. */
static inline u32 rt_nexthop(const struct rtable *rt, u32 daddr)
{
	return rt->rt_uses_gateway ? rt->rt_gw4 : daddr;
}

/* Linux's dst_input() and dst_output(). */
static inline int dst_input(struct sk_buff *skb)
{
	return skb_rtable(skb)->input(skb);
}

static inline int dst_output(struct sk_buff *skb)
{
	return skb_rtable(skb)->output(skb);
}

/* A FIB lookup result: the entry's route and prefix length; false if no route. */
struct fib_result {
	struct rtable *rt;
	u8 prefixlen;
};
bool fib_lookup(u32 daddr, struct fib_result *res);

/* Rebuilds the FIB from net_options (our address, prefix, gateway, route= routes). */
void ip_fib_init(void);

/*
 * The input route of skb (ip_rcv_finish): sets skb's dst, or drops and frees
 * the skb and returns its reason (martian source, multicast we are not in).
 */
enum skb_drop_reason ip_route_input_noref(struct sk_buff *skb, u32 daddr, u32 saddr);
/* The route of a locally generated packet to daddr, or NULL (no route). */
struct rtable *ip_route_output(u32 daddr);

/* true if addr is on our connected prefix (inet_addr_onlink()). */
bool inet_addr_onlink(u32 addr);
/* The prefix length of our address (ip= netmask, or its class's). */
unsigned int inet_prefixlen(void);

/* net.ipv4.ip_forward */
bool ipv4_forwarding(void);

/*
 * Per-destination rate limits (Linux's inet_peer, net/ipv4/inetpeer.c): a
 * small table of peers by address, each with the token bucket of
 * inet_peer_xrlim_allow() (tokens are jiffies, at most 6 timeouts' worth; a
 * new peer starts full). Two peers whose slots collide share one bucket.
 */
bool inet_peer_xrlim_allow(u32 daddr, unsigned long timeout);
/* Forgets every peer (self-tests). */
void inet_peer_flush(void);

/* An ICMP redirect to the next hop for skb, limited per source (ip_forward()). */
void ip_rt_send_redirect(struct sk_buff *skb);

/* ip_error(): the input of an unreachable route (net/ipv4/route.c). */
int ip_error(struct sk_buff *skb);

#endif /* _GUEST_ROUTE_H */
