#ifndef _GUEST_SKBUFF_H
#define _GUEST_SKBUFF_H

/*
 * Socket buffers (net/core/skbuff.c), the minimum of Linux's: a head with the
 * packet's metadata pointing into a data buffer of SKB_BUF_SIZE bytes. Heads
 * and buffers come from two slab-style object caches with per-CPU magazines,
 * filled from the page allocator only in process context (skb_pool_grow():
 * the page allocator takes no lock), so interrupt and softirq code never
 * reaches it. A NIC driver hands its RX buffers out with build_skb() and takes
 * new ones with netdev_alloc_buf(); kfree_skb() returns both parts.
 */

#include "types.h"

/* One RX buffer: half a page, what the 82576 gets per descriptor (SRRCTL.BSIZEPACKET = 2 KiB). */
#define SKB_BUF_SIZE 2048

/* skb->pkt_type, as Linux's PACKET_*. */
#define PACKET_HOST 0
#define PACKET_BROADCAST 1
#define PACKET_MULTICAST 2
#define PACKET_OTHERHOST 3

/* skb->ip_summed */
#define CHECKSUM_NONE 0
#define CHECKSUM_UNNECESSARY 1

struct net_device;

struct sk_buff {
	struct sk_buff *next; /* free lists, queues */
	struct net_device *dev;
	u8 *head;	   /* the buffer */
	u8 *data;	   /* current start of the packet */
	unsigned int len;  /* bytes from data */
	u16 protocol;	   /* ethertype, host byte order (eth_type_trans) */
	u16 queue_mapping; /* RX queue it came from / TX queue it goes to */
	u32 hash;	   /* RSS hash from the NIC */
	u16 mac_header;	   /* offsets from head */
	u16 network_header;
	u8 pkt_type;  /* PACKET_* */
	u8 ip_summed; /* CHECKSUM_* */
	u8 l4_hash;   /* hash covers the ports */
};

/* An skb with an empty buffer of SKB_BUF_SIZE bytes (data = head + headroom); NULL if none left. */
struct sk_buff *alloc_skb(unsigned int headroom);
/* An skb around buf (a netdev_alloc_buf() buffer) that holds len bytes; NULL if no head left. */
struct sk_buff *build_skb(void *buf, unsigned int len);
/* Frees the head and its buffer. */
void kfree_skb(struct sk_buff *skb);
#define consume_skb kfree_skb

/* A data buffer of SKB_BUF_SIZE bytes (physically contiguous), or NULL. */
void *netdev_alloc_buf(void);
void netdev_free_buf(void *buf);

/* Fills the caches from the page allocator: process context, nobody else allocating pages. */
void skb_pool_grow(unsigned int heads, unsigned int bufs);
/* Allocation failures so far (heads and buffers). */
unsigned long skb_alloc_failures(void);

static inline u8 *skb_put(struct sk_buff *skb, unsigned int len)
{
	u8 *tail = skb->data + skb->len;

	skb->len += len;
	return tail;
}

static inline u8 *skb_pull(struct sk_buff *skb, unsigned int len)
{
	if (len > skb->len)
		return NULL;
	skb->len -= len;
	skb->data += len;
	return skb->data;
}

static inline u8 *skb_push(struct sk_buff *skb, unsigned int len)
{
	skb->data -= len;
	skb->len += len;
	return skb->data;
}

static inline u8 *skb_mac_header(const struct sk_buff *skb)
{
	return skb->head + skb->mac_header;
}

static inline u8 *skb_network_header(const struct sk_buff *skb)
{
	return skb->head + skb->network_header;
}

static inline void skb_reset_network_header(struct sk_buff *skb)
{
	skb->network_header = skb->data - skb->head;
}

#endif /* _GUEST_SKBUFF_H */
