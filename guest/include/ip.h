#ifndef _GUEST_IP_H
#define _GUEST_IP_H

/*
 * IPv4 receive (net/ipv4/ip_input.c and the protocol handlers), after Linux:
 *
 *   ip_rcv()               the IPv4 packet_type handler: ip_rcv_core() drops
 *                          PACKET_OTHERHOST frames, counts InReceives, checks
 *                          version, IHL, header checksum and total length,
 *                          trims the Ethernet padding; then ip_rcv_finish()
 *   ip_rcv_finish()        the route decision (net/ipv4/route.c,
 *                          include/route.h): local, broadcast, 224.0.0.1,
 *                          martians dropped, forwarded (ip_forward.c) with
 *                          ip_forward=1 and a route, else ip_error()
 *                          (InAddrErrors, or InNoRoutes and ICMP net
 *                          unreachable when forwarding)
 *   ip_local_deliver()     fragments (not reassembled yet: ReasmReqds and
 *                          ReasmFails), then the handler of iph->protocol
 *                          (ip_local_deliver_finish(): InDelivers, or
 *                          InUnknownProtos)
 *   icmp_rcv(), udp_rcv(), tcp_v4_rcv(), igmp_rcv()
 *                          the Icmp/IcmpMsg, Udp and Tcp counters; ICMP echo
 *                          requests are answered. There are no sockets: UDP
 *                          counts NoPorts, TCP drops with NO_SOCKET (neither
 *                          sends the ICMP unreachable or the RST Linux would).
 *
 * Every drop goes through kfree_skb_reason() with Linux's reason.
 */

#include "if_ether.h"
#include "skbuff.h"

struct net_device;
struct packet_type;

/* The guest's own address in network byte order: net_options.ip_addr, the ip= option. */
u32 inet_own_addr(void);

int ip_rcv(struct sk_buff *skb, struct net_device *dev, struct packet_type *pt);
int ip_rcv_finish(struct sk_buff *skb);
int ip_local_deliver(struct sk_buff *skb);

/* Transport handlers: skb->data at the transport header, consume the skb; 0. */
int icmp_rcv(struct sk_buff *skb);
int udp_rcv(struct sk_buff *skb);
int tcp_v4_rcv(struct sk_buff *skb);
int igmp_rcv(struct sk_buff *skb);

static inline const struct iphdr *ip_hdr(const struct sk_buff *skb)
{
	return (const struct iphdr *)skb_network_header(skb);
}

static inline unsigned int ip_hdrlen(const struct sk_buff *skb)
{
	return (ip_hdr(skb)->ihl_version & 0xf) * 4;
}

/* Linux's IP_MF / IP_OFFSET in frag_off (host order). */
#define IP_CE 0x8000
#define IP_DF 0x4000
#define IP_MF 0x2000
#define IP_OFFSET 0x1fff

/* IP options (Linux's IPOPT_*): the ones ip_rcv_options() looks at. */
#define IPOPT_END 0
#define IPOPT_NOOP 1
#define IPOPT_LSRR 131
#define IPOPT_SSRR 137

static inline bool ip_is_fragment(const struct iphdr *iph)
{
	return (iph->frag_off & htons(IP_MF | IP_OFFSET)) != 0;
}

/*
 * Forwarding and output (net/ipv4/ip_forward.c, ip_output.c), after Linux:
 *
 *   ip_forward()         the input of a forwarding route: PACKET_HOST only,
 *                        TTL <= 1 (InHdrErrors, ICMP time exceeded), DF and
 *                        too big (FragFails, ICMP frag needed), TTL - 1
 *                        (ip_decrease_ttl()), an ICMP redirect to an on-link
 *                        source, then NF_INET_FORWARD -> ip_forward_finish()
 *                        (ForwDatagrams) -> dst_output()
 *   ip_local_out()       a locally generated packet: tot_len and checksum,
 *                        OutRequests, NF_INET_LOCAL_OUT -> dst_output()
 *   ip_output()          NF_INET_POST_ROUTING (skipped for IPSKB_REROUTED)
 *                        -> ip_finish_output(): too big -> ip_fragment(), else
 *                        ip_finish_output2(): OutTransmits, the neighbour,
 *                        the Ethernet header, dev_queue_xmit() on
 *                        skb->queue_mapping
 *
 * skb->data is the IPv4 header at every hook; skb->dev the device it leaves by
 * (the one NIC, which is also the one it came in by).
 */
int ip_forward(struct sk_buff *skb);
int ip_local_out(struct sk_buff *skb);
int ip_output(struct sk_buff *skb);
int ip_finish_output2(struct sk_buff *skb);
/*
 * Linux's ip_fragment(): a packet longer than mtu. With DF: FragFails and ICMP
 * frag needed; without: ip_do_fragment() (net/ipv4/ip_fragment.c) with output.
 */
int ip_fragment(struct sk_buff *skb, unsigned int mtu, int (*output)(struct sk_buff *));

/* The header checksum of iph, recomputed (Linux's ip_send_check()). */
void ip_send_check(struct iphdr *iph);

/*
 * Linux's ip_decrease_ttl(): TTL - 1 with the checksum updated incrementally
 * (RFC 1624): the TTL is the high byte of its 16-bit word, so the sum grows by
 * 0x0100, added with the end-around carry.
 */
static inline int ip_decrease_ttl(struct iphdr *iph)
{
	u32 check = iph->check;

	check += htons(0x0100);
	iph->check = (u16)(check + (check >= 0xFFFF));
	return --iph->ttl;
}

#endif /* _GUEST_IP_H */
