#ifndef _GUEST_ICMP_H
#define _GUEST_ICMP_H

/*
 * Sending ICMP (net/ipv4/icmp.c): icmp_send() builds Linux's ICMP error about
 * a received packet, icmp_reply() the answer to a request (echo). Both go out
 * through ip_local_out() (NF_INET_LOCAL_OUT) and ip_output()
 * (NF_INET_POST_ROUTING).
 */

#include "skbuff.h"
#include "types.h"

/* Codes for ICMP_DEST_UNREACH. */
#define ICMP_NET_UNREACH 0
#define ICMP_HOST_UNREACH 1
#define ICMP_PROT_UNREACH 2
#define ICMP_PORT_UNREACH 3
#define ICMP_FRAG_NEEDED 4
#define ICMP_SR_FAILED 5
#define ICMP_PKT_FILTERED 13
/* Codes for ICMP_REDIRECT. */
#define ICMP_REDIR_NET 0
#define ICMP_REDIR_HOST 1
/* Codes for ICMP_TIME_EXCEEDED. */
#define ICMP_EXC_TTL 0
#define ICMP_EXC_FRAGTIME 1

/*
 * Linux's icmp_send() (__icmp_send()): an error of type and code about
 * skb_in (whose skb_network_header() is the offending IPv4 header; skb_in is
 * not consumed), info in the 4 bytes after the checksum (network order: the
 * MTU for ICMP_FRAG_NEEDED, the gateway for a redirect). Not sent about a
 * packet to a broadcast or multicast address or not PACKET_HOST, a fragment
 * other than the first, or an ICMP error; limited by icmp_global_allow() and
 * per destination (icmp_ratelimit, icmp_ratemask).
 */
void icmp_send(struct sk_buff *skb_in, int type, int code, u32 info);

/* icmp_ratelimit in jiffies (1 s) and icmp_msgs_per_sec / icmp_msgs_burst, Linux's defaults. */
#define ICMP_RATELIMIT HZ
#define ICMP_MSGS_PER_SEC 1000
#define ICMP_MSGS_BURST 50

/* Resets the global and per-destination limits (self-tests). */
void icmp_ratelimit_reset(void);

#endif /* _GUEST_ICMP_H */
