#ifndef _GUEST_CHECKSUM_H
#define _GUEST_CHECKSUM_H

/* The Internet checksum (RFC 1071), as Linux's include/net/checksum.h and
 * arch/x86/include/asm/checksum_64.h. */

#include "types.h"

/*
 * The 32-bit partial one's-complement sum of len bytes, as big-endian 16-bit
 * words, added to sum. Summed a dword at a time in host (little-endian) order
 * into 64 bits and folded, then byte-swapped: RFC 1071 section 2(B),
 * byte-order independence.
 */
static inline u32 csum_partial(const void *data, unsigned int len, u32 sum)
{
	const u8 *p = data;
	u64 acc = 0;
	u16 folded;

	for (; len >= 4; len -= 4, p += 4)
		acc += *(const u32 *)p;
	if (len >= 2) {
		acc += *(const u16 *)p;
		p += 2;
		len -= 2;
	}
	if (len)
		acc += *p;
	acc = (acc & 0xffffffff) + (acc >> 32);
	acc = (acc & 0xffffffff) + (acc >> 32);
	acc = (acc & 0xffff) + (acc >> 16);
	acc = (acc & 0xffff) + (acc >> 16);
	acc = (acc & 0xffff) + (acc >> 16);
	folded = (u16)acc;
	return sum + (u16)(folded >> 8 | folded << 8);
}

/* The 16-bit checksum of a partial sum (host order): 0 when the summed data was correct. */
static inline u16 csum_fold(u32 sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (u16)~sum;
}

/*
 * Linux's ip_fast_csum(): the checksum of an IPv4 header of ihl 32-bit
 * words, 0 for a correct header. A one's-complement sum is byte-order
 * independent (RFC 1071), so the dwords are added in host order and the
 * result needs no swap to be compared with 0.
 */
static inline u16 ip_fast_csum(const void *iph, unsigned int ihl)
{
	const u32 *w = iph;
	u64 sum = 0;

	while (ihl--)
		sum += *w++;
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (u16)~sum;
}

/*
 * The partial sum of the TCP/UDP pseudo-header (RFC 793, RFC 768): addresses
 * in network order, protocol and length in host order.
 */
static inline u32 csum_tcpudp_nofold(u32 saddr, u32 daddr, u32 len, u8 proto, u32 sum)
{
	u8 pseudo[12];
	u32 *w = (u32 *)pseudo;

	w[0] = saddr;
	w[1] = daddr;
	pseudo[8] = 0;
	pseudo[9] = proto;
	pseudo[10] = len >> 8;
	pseudo[11] = len;
	return csum_partial(pseudo, sizeof(pseudo), sum);
}

#endif /* _GUEST_CHECKSUM_H */
