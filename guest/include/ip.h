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
 *   ip_local_deliver()     fragments are reassembled (ip_defrag(), below),
 *                          then the handler of iph->protocol
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

#include "asm/timer.h"
#include "checksum.h"
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

/* Reassembly queues are kept apart per user (Linux's enum ip_defrag_users; zone 0 only). */
enum ip_defrag_users {
	IP_DEFRAG_LOCAL_DELIVER,
	IP_DEFRAG_CALL_RA_CHAIN,
	IP_DEFRAG_CONNTRACK_IN,
	__IP_DEFRAG_CONNTRACK_IN_END = IP_DEFRAG_CONNTRACK_IN + 0xffff,
	IP_DEFRAG_CONNTRACK_OUT,
	__IP_DEFRAG_CONNTRACK_OUT_END = IP_DEFRAG_CONNTRACK_OUT + 0xffff,
	IP_DEFRAG_CONNTRACK_BRIDGE_IN,
	__IP_DEFRAG_CONNTRACK_BRIDGE_IN = IP_DEFRAG_CONNTRACK_BRIDGE_IN + 0xffff,
	IP_DEFRAG_VS_IN,
	IP_DEFRAG_VS_OUT,
	IP_DEFRAG_VS_FWD,
	IP_DEFRAG_AF_PACKET,
	IP_DEFRAG_MACVLAN,
};

/* ipfrag_time: how long an incomplete datagram waits for its fragments (Linux's IP_FRAG_TIME). */
#define IP_FRAG_TIME (30 * HZ)

/*
 * IPv4 reassembly (net/ipv4/ip_fragment.c). skb is a fragment with data at
 * its network header, its IP header checked (ip_rcv_core()); softirq context
 * or bottom halves disabled. Counts ReasmReqds. Returns
 *   0             the datagram is complete: skb (the caller's pointer, whichever
 *                 fragment it was) is now the whole datagram, data at its IP
 *                 header, the first fragment linear and the others on its
 *                 frag_list; tot_len, frag_off (0, or DF if the largest fragment
 *                 had it) and check fixed; frag_max_size set (ReasmOKs)
 *   -EINPROGRESS  skb was queued: the queue owns it now
 *   other < 0     skb was freed (a duplicate, an overlap or a bad fragment that
 *                 killed the queue: ReasmFails; no memory: ReasmFails)
 */
int ip_defrag(struct sk_buff *skb, u32 user);

/*
 * The MTU to refragment skb with on a device of dev_mtu: a reassembled
 * datagram is cut at most to the size of its largest original fragment
 * (frag_max_size), as Linux's ip_finish_output() / ip_do_fragment() do.
 */
static inline unsigned int ip_frag_mtu(const struct sk_buff *skb, unsigned int dev_mtu)
{
	if (skb->frag_max_size && skb->frag_max_size < dev_mtu)
		return skb->frag_max_size;
	return dev_mtu;
}

/*
 * Linux's ip_do_fragment(): cuts skb (data at its IP header, no link-layer
 * header yet) into fragments of at most ip_frag_mtu(skb, mtu) bytes and hands
 * each to output (which owns it). The frag_list pieces of a reassembled
 * datagram become the fragments themselves when their geometry allows (the
 * fast path); otherwise new skbs are allocated with ETH_HLEN of headroom.
 * skb is consumed in every case. FragCreates per fragment output, then
 * FragOKs; on an error FragFails. 0 or the error (output's, or -ENOMEM).
 */
int ip_do_fragment(struct sk_buff *skb, unsigned int mtu, int (*output)(struct sk_buff *));
/*
 * Linux's ip_fragment(): as ip_do_fragment(), but a datagram with DF is not
 * cut unless skb->ignore_df is set and no original fragment exceeded mtu:
 * FragFails, ICMP fragmentation needed sent, skb freed, -EMSGSIZE.
 */
int ip_fragment(struct sk_buff *skb, unsigned int mtu, int (*output)(struct sk_buff *));

/* Linux's ip_send_check(): the header checksum of iph recomputed. */
static inline void ip_send_check(struct iphdr *iph)
{
	iph->check = 0;
	iph->check = ip_fast_csum(iph, iph->ihl_version & 0xf);
}

#endif /* _GUEST_IP_H */
