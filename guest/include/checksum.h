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

/*
 * Incremental updates (RFC 1624), as Linux's csum_add()/csum_sub()/
 * csum_replace4()/csum_replace2(). Like Linux on x86, the values are summed
 * as they lie in memory (network order), which the one's-complement sum
 * allows.
 */
static inline u32 csum_add(u32 csum, u32 addend)
{
	u32 res = csum + addend;

	return res + (res < addend);
}

static inline u32 csum_sub(u32 csum, u32 addend)
{
	return csum_add(csum, ~addend);
}

static inline u32 csum_unfold(u16 n)
{
	return n;
}

/* *sum covered from; it now covers to instead (HC' = ~(~HC + ~m + m')). */
static inline void csum_replace4(u16 *sum, u32 from, u32 to)
{
	u32 tmp = csum_sub(~csum_unfold(*sum), from);

	*sum = csum_fold(csum_add(tmp, to));
}

static inline void csum_replace2(u16 *sum, u16 from, u16 to)
{
	csum_replace4(sum, from, to);
}

/* A UDP checksum that computes to 0 is sent as 0xffff: 0 means "none" (RFC 768). */
#define CSUM_MANGLED_0 ((u16)0xffff)

struct sk_buff;

/*
 * Linux's inet_proto_csum_replace4()/2() (net/core/utils.c) for a transport
 * checksum; pseudohdr says the field is part of the pseudo-header. The guest
 * has neither CHECKSUM_PARTIAL nor CHECKSUM_COMPLETE, so the checksum field
 * itself is always the one to update.
 */
static inline void inet_proto_csum_replace4(u16 *sum, struct sk_buff *skb, u32 from, u32 to,
					    bool pseudohdr)
{
	(void)skb;
	(void)pseudohdr;
	csum_replace4(sum, from, to);
}

static inline void inet_proto_csum_replace2(u16 *sum, struct sk_buff *skb, u16 from, u16 to,
					    bool pseudohdr)
{
	inet_proto_csum_replace4(sum, skb, from, to, pseudohdr);
}

#endif /* _GUEST_CHECKSUM_H */
