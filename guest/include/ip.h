#ifndef _GUEST_IP_H
#define _GUEST_IP_H

/*
 * IPv4 receive (net/ipv4/ip_input.c and the protocol handlers), after Linux:
 *
 *   ip_rcv()               the IPv4 packet_type handler: ip_rcv_core() drops
 *                          PACKET_OTHERHOST frames, counts InReceives, checks
 *                          version, IHL, header checksum and total length,
 *                          trims the Ethernet padding; then ip_rcv_finish()
 *   ip_rcv_finish()        the route decision (no routing table yet: our own
 *                          address, limited broadcast and 224.0.0.1 are
 *                          local, martian sources are dropped, anything else
 *                          is InAddrErrors: forwarding is off)
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

static inline bool ip_is_fragment(const struct iphdr *iph)
{
	return (iph->frag_off & htons(IP_MF | IP_OFFSET)) != 0;
}

/* Outgoing IPv4 (the echo reply): counts OutRequests and OutTransmits, hands skb to the device. */
int ip_send_reply_skb(struct sk_buff *skb);

#endif /* _GUEST_IP_H */
