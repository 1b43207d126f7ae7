#ifndef _GUEST_IF_ETHER_H
#define _GUEST_IF_ETHER_H

/* Ethernet, ARP (RFC 826), IPv4 (RFC 791) and ICMP (RFC 792) headers, network byte order. */

#include "compiler.h"
#include "types.h"

#define ETH_ALEN 6
#define ETH_HLEN 14
#define ETH_ZLEN 60 /* minimum frame without FCS */
#define ETH_DATA_LEN 1500
#define ETH_FRAME_LEN 1514
#define ETH_FCS_LEN 4
#define VLAN_HLEN 4

#define ETH_P_IP 0x0800
#define ETH_P_ARP 0x0806
#define ETH_P_8021Q 0x8100
#define ETH_P_8021AD 0x88a8
#define ETH_P_IPV6 0x86dd
#define ETH_P_802_3_MIN 0x0600 /* smaller h_proto values are 802.3 lengths */
#define ETH_P_802_3 0x0001
#define ETH_P_802_2 0x0004

#define VLAN_VID_MASK 0x0fff

/* The 802.1Q tag after the MAC addresses: TCI, then the encapsulated ethertype. */
struct vlan_hdr {
	u16 h_vlan_TCI;
	u16 h_vlan_encapsulated_proto;
} __packed;

struct ethhdr {
	u8 h_dest[ETH_ALEN];
	u8 h_source[ETH_ALEN];
	u16 h_proto; /* big endian */
} __packed;

#define ARPHRD_ETHER 1
#define ARPOP_REQUEST 1
#define ARPOP_REPLY 2

/* ARP for IPv4 over Ethernet. */
struct arp_eth {
	u16 ar_hrd;
	u16 ar_pro;
	u8 ar_hln;
	u8 ar_pln;
	u16 ar_op;
	u8 ar_sha[ETH_ALEN];
	u8 ar_sip[4];
	u8 ar_tha[ETH_ALEN];
	u8 ar_tip[4];
} __packed;

struct iphdr {
	u8 ihl_version; /* version << 4 | header length in words */
	u8 tos;
	u16 tot_len;
	u16 id;
	u16 frag_off;
	u8 ttl;
	u8 protocol;
	u16 check;
	u32 saddr;
	u32 daddr;
} __packed;

#define IPPROTO_ICMP 1
#define IPPROTO_IGMP 2
#define IPPROTO_TCP 6
#define IPPROTO_UDP 17

struct udphdr {
	u16 source;
	u16 dest;
	u16 len;
	u16 check;
} __packed;

struct tcphdr {
	u16 source;
	u16 dest;
	u32 seq;
	u32 ack_seq;
	u8 doff_res; /* data offset in words << 4 */
	u8 flags;
	u16 window;
	u16 check;
	u16 urg_ptr;
} __packed;

#define ICMP_ECHOREPLY 0
#define ICMP_DEST_UNREACH 3
#define ICMP_SOURCE_QUENCH 4
#define ICMP_REDIRECT 5
#define ICMP_ECHO 8
#define ICMP_TIME_EXCEEDED 11
#define ICMP_PARAMETERPROB 12
#define ICMP_TIMESTAMP 13
#define ICMP_TIMESTAMPREPLY 14
#define ICMP_INFO_REQUEST 15
#define ICMP_INFO_REPLY 16
#define ICMP_ADDRESS 17
#define ICMP_ADDRESSREPLY 18
#define NR_ICMP_TYPES 18

struct icmphdr {
	u8 type;
	u8 code;
	u16 checksum;
	u16 id;
	u16 sequence;
} __packed;

static inline u16 htons(u16 x)
{
	return __builtin_bswap16(x);
}

static inline u16 ntohs(u16 x)
{
	return __builtin_bswap16(x);
}

static inline u32 htonl(u32 x)
{
	return __builtin_bswap32(x);
}

static inline u32 ntohl(u32 x)
{
	return __builtin_bswap32(x);
}

static inline bool is_broadcast_ether_addr(const u8 *addr)
{
	return (addr[0] & addr[1] & addr[2] & addr[3] & addr[4] & addr[5]) == 0xff;
}

static inline bool is_multicast_ether_addr(const u8 *addr)
{
	return addr[0] & 0x01;
}

static inline bool ether_addr_equal(const u8 *a, const u8 *b)
{
	/* Two loads each, as Linux does with CONFIG_HAVE_EFFICIENT_UNALIGNED_ACCESS. */
	return ((*(const u32 *)a ^ *(const u32 *)b) | (*(const u16 *)(a + 4) ^ *(const u16 *)(b + 4))) ==
	       0;
}

#endif /* _GUEST_IF_ETHER_H */
