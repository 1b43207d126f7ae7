#ifndef _GUEST_SKBUFF_H
#define _GUEST_SKBUFF_H

/*
 * Socket buffers (net/core/skbuff.c), linear ones as Linux has them: a head
 * (struct sk_buff) with the packet's metadata and four marks into a data
 * buffer of SKB_BUF_SIZE bytes,
 *
 *   head          data               tail            end
 *    | headroom    | packet (len)     | tailroom      | struct skb_shared_info |
 *
 * tail and end are offsets from head, as Linux's sk_buff_data_t on 64-bit.
 * The buffer ends in a struct skb_shared_info whose dataref counts the heads
 * that share it: skb_clone() makes a second head on the same buffer (both
 * marked cloned, dataref 2), skb_copy() a private buffer. dataref is valid
 * only while skb->cloned is set (an skb never cloned is its buffer's only
 * user): build_skb() leaves the cold end of the buffer alone. There are no paged
 * fragments, but a head may carry a frag_list (IPv4 reassembly): further skbs
 * whose data follows its own, as Linux's. Then len covers the whole packet,
 * data_len the part in the frag_list and skb_headlen() the linear part;
 * skb_shinfo()->frag_list is valid only while data_len != 0 (build_skb() does
 * not write it either). Freeing the buffer frees the frag_list with it.
 *
 * Heads and buffers come from two slab-style object caches with per-CPU
 * magazines, filled from the page allocator only in process context
 * (skb_pool_grow(): the page allocator takes no lock), so interrupt and
 * softirq code never reaches it. A NIC driver hands its RX buffers out with
 * build_skb() and takes new ones with netdev_alloc_buf(). consume_skb() frees
 * a packet that was used; kfree_skb_reason() one that was dropped, counted per
 * CPU under its reason (skb_drop_reason_show() prints the counts).
 */

#include "atomic.h"
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

/* Linux's struct inet_skb_parm (IPCB(skb)): what IPv4 keeps per packet. */
struct inet_skb_parm {
	u16 flags; /* IPSKB_* (include/route.h) */
};

#define IPCB(skb) (&(skb)->ipcb)

/* At the end of every data buffer (Linux's skb_shinfo()). */
struct skb_shared_info {
	atomic_t dataref; /* heads using this buffer; valid while they are marked cloned */
	u8 nr_frags;	  /* always 0: no paged fragments */
	u8 tx_flags;
	u16 gso_size;
	u16 gso_segs;
	struct sk_buff *frag_list; /* valid only while the head's data_len != 0 */
};

#define SKB_DATA_ALIGN(x) (((x) + 63) & ~63U)
/* Bytes of a buffer of size x available for the packet. */
#define SKB_WITH_OVERHEAD(x) ((x)-SKB_DATA_ALIGN(sizeof(struct skb_shared_info)))
/* The longest packet an skb holds (headroom included). */
#define SKB_MAX_HEAD SKB_WITH_OVERHEAD(SKB_BUF_SIZE)

/* Why a packet was dropped: the subset of Linux's enum skb_drop_reason used here, same names. */
#define DEFINE_DROP_REASON(FN)                                                                     \
	FN(NOT_SPECIFIED)                                                                          \
	FN(NO_SOCKET)                                                                              \
	FN(PKT_TOO_SMALL)                                                                          \
	FN(UDP_CSUM)                                                                               \
	FN(OTHERHOST)                                                                              \
	FN(IP_CSUM)                                                                                \
	FN(IP_INHDR)                                                                               \
	FN(IP_RPFILTER)                                                                            \
	FN(IP_INADDRERRORS)                                                                        \
	FN(IP_INVALID_SOURCE)                                                                      \
	FN(IP_NOPROTO)                                                                             \
	FN(TCP_CSUM)                                                                               \
	FN(ICMP_CSUM)                                                                              \
	FN(UNHANDLED_PROTO)                                                                        \
	FN(INVALID_PROTO)                                                                          \
	FN(NOMEM)                                                                                  \
	FN(DEV_READY)                                                                              \
	FN(FULL_RING)                                                                              \
	FN(PKT_TOO_BIG)                                                                            \
	FN(VLAN_FILTER)                                                                            \
	FN(DUP_FRAG)                                                                               \
	FN(FRAG_REASM_TIMEOUT)                                                                     \
	FN(NETFILTER_DROP)                                                                         \
	FN(CPU_BACKLOG)                                                                            \
	FN(IP_INNOROUTES)                                                                          \
	FN(IP_INVALID_DEST)                                                                        \
	FN(NEIGH_FAILED)

enum skb_drop_reason {
	SKB_NOT_DROPPED_YET = 0,
#define FN(reason) SKB_DROP_REASON_##reason,
	DEFINE_DROP_REASON(FN)
#undef FN
		SKB_DROP_REASON_MAX,
};

struct sk_buff {
	struct sk_buff *next; /* free lists, queues */
	struct net_device *dev;
	u8 *head;	       /* the buffer */
	u8 *data;	       /* current start of the packet */
	unsigned int len;      /* bytes of the packet from data: skb_headlen() + data_len */
	unsigned int data_len; /* bytes in the frag_list; 0 for a linear skb */
	u32 tail;	       /* offsets from head */
	u32 end;	       /* where skb_shared_info starts */
	u32 hash;	       /* RSS hash from the NIC */
	unsigned long _nfct;   /* nf_conn pointer | enum ip_conntrack_info (nf_ct_get()); 0: none */
	unsigned long _skb_refdst; /* the route (struct rtable *, skb_rtable()); 0: none yet */
	struct inet_skb_parm ipcb;
	u16 protocol;	       /* ethertype, host byte order (eth_type_trans) */
	u16 queue_mapping;     /* RX queue it came from / TX queue it goes to */
	u16 mac_header;	       /* offsets from head */
	u16 network_header;
	u16 transport_header;
	u16 vlan_tci;	    /* tag taken off by skb_vlan_untag(), if vlan_present */
	u16 frag_max_size;  /* reassembled: largest fragment received (IPCB()->frag_max_size) */
	u8 pkt_type;	    /* PACKET_* */
	u8 ip_summed;	    /* CHECKSUM_* */
	u8 l4_hash : 1,	    /* hash covers the ports */
		cloned : 1, /* the buffer may be shared: look at dataref */
		vlan_present : 1, /* vlan_tci holds a tag */
		vlan_8021ad : 1,  /* the tag was 802.1ad (vlan_proto) */
		ignore_df : 1,	  /* may be fragmented despite DF (conntrack reassembled it) */
		frag_pmtu : 1;	  /* reassembled with DF: refragment with DF (IPSKB_FRAG_PMTU) */
	u16 smpsim_rx;		  /* 0, or SMPSIM_RX_MARKED | the RX queue and descriptor
				   * it came in on, for the simulator's per-packet markers */
	u8 cb[8] __aligned(4);	  /* private to the layer holding the skb (Linux's skb->cb) */
};

/* skb->smpsim_rx holds a frame's id (asm/smpsim.h: SMPSIM_RX_ID, queues 0-7). */
#define SMPSIM_RX_MARKED 0x8000

static inline struct skb_shared_info *skb_shinfo(const struct sk_buff *skb)
{
	return (struct skb_shared_info *)(skb->head + skb->end);
}

/* An skb with an empty buffer for size bytes (at most SKB_MAX_HEAD), data = head; NULL if none. */
struct sk_buff *alloc_skb(unsigned int size);
/* An skb around buf (a netdev_alloc_buf() buffer) that holds len bytes (at most SKB_MAX_HEAD);
 * NULL if no head left. */
struct sk_buff *build_skb(void *buf, unsigned int len);
/* A second head on the same buffer (dataref + 1); NULL if no head left. */
struct sk_buff *skb_clone(struct sk_buff *skb);
/*
 * A private copy of head and buffer, same offsets; NULL if out of memory. A
 * frag_list is copied into the linear buffer (linearised) if the packet and
 * its headroom fit SKB_MAX_HEAD, else NULL.
 */
struct sk_buff *skb_copy(const struct sk_buff *skb);
/*
 * The one's-complement sum (csum_partial()) of len bytes of the packet from
 * offset (relative to skb->data), added to sum; bytes at odd offsets are summed
 * as the low half of their 16-bit word, wherever a piece of the packet starts.
 */
u32 skb_checksum(const struct sk_buff *skb, unsigned int offset, unsigned int len, u32 sum);
/* Frees a dropped packet, counted under reason on this CPU. */
void kfree_skb_reason(struct sk_buff *skb, enum skb_drop_reason reason);
/* Frees a packet that was used (not a drop). */
void consume_skb(struct sk_buff *skb);
/* Frees a chain of packets linked by ->next (a frag_list), as consumed. */
void kfree_skb_list(struct sk_buff *segs);
/* Copies len bytes of the packet from offset (relative to data) to to, across the frag_list;
 * 0, or -EFAULT if the packet is shorter. */
int skb_copy_bits(const struct sk_buff *skb, int offset, void *to, int len);

static inline void kfree_skb(struct sk_buff *skb)
{
	kfree_skb_reason(skb, SKB_DROP_REASON_NOT_SPECIFIED);
}

/* Linux's name of a reason without the prefix ("IP_CSUM"). */
const char *skb_drop_reason_name(enum skb_drop_reason reason);
/* Drops under reason so far, summed over the CPUs. */
unsigned long skb_drop_reason_count(enum skb_drop_reason reason);
/* The drop counts per reason, total and per CPU ("~ " lines). */
void skb_drop_reason_show(void);

/*
 * Takes the 802.1Q/802.1ad tag at skb->data (skb->protocol is the tag's type)
 * into vlan_tci, as Linux's skb_vlan_untag(): protocol becomes the inner
 * ethertype, the MAC addresses move up over the tag. A tag already present is
 * left alone. NULL (the skb freed) if the frame is too short for the tag.
 */
struct sk_buff *skb_vlan_untag(struct sk_buff *skb);

static inline u16 skb_vlan_tag_get_id(const struct sk_buff *skb)
{
	return skb->vlan_tci & 0x0fff;
}

/* A data buffer of SKB_BUF_SIZE bytes (physically contiguous), or NULL. */
void *netdev_alloc_buf(void);
void netdev_free_buf(void *buf);

/* Fills the caches from the page allocator: process context, nobody else allocating pages. */
void skb_pool_grow(unsigned int heads, unsigned int bufs);
/* Heads and buffers handed out; exact only while no other CPU uses the caches (self-tests). */
void skb_cache_in_use(unsigned int *heads, unsigned int *bufs);
/* Allocation failures so far (heads and buffers). */
unsigned long skb_alloc_failures(void);

static inline u8 *skb_tail_pointer(const struct sk_buff *skb)
{
	return skb->head + skb->tail;
}

static inline u8 *skb_end_pointer(const struct sk_buff *skb)
{
	return skb->head + skb->end;
}

static inline unsigned int skb_headlen(const struct sk_buff *skb)
{
	return skb->len - skb->data_len;
}

static inline bool skb_is_nonlinear(const struct sk_buff *skb)
{
	return skb->data_len != 0;
}

static inline bool skb_has_frag_list(const struct sk_buff *skb)
{
	return skb_is_nonlinear(skb) && skb_shinfo(skb)->frag_list != NULL;
}

/* Each skb of skb's frag_list (none for a linear skb). */
#define skb_walk_frags(skb, iter)                                                                  \
	for (iter = skb_has_frag_list(skb) ? skb_shinfo(skb)->frag_list : NULL; iter;              \
	     iter = iter->next)

static inline void skb_frag_list_init(struct sk_buff *skb)
{
	skb_shinfo(skb)->frag_list = NULL;
}

static inline unsigned int skb_headroom(const struct sk_buff *skb)
{
	return skb->data - skb->head;
}

static inline int skb_tailroom(const struct sk_buff *skb)
{
	return skb->end - skb->tail;
}

static inline bool skb_cloned(const struct sk_buff *skb)
{
	return skb->cloned && atomic_read(&skb_shinfo(skb)->dataref) != 1;
}

/* Empty skb: moves data and tail len bytes on, to leave headroom. */
static inline void skb_reserve(struct sk_buff *skb, int len)
{
	skb->data += len;
	skb->tail += len;
}

/* Adds len bytes at the tail; returns where they start. No room is a bug (Linux: skb_over_panic).
 */
u8 *skb_put(struct sk_buff *skb, unsigned int len);
/* Adds len bytes in front of data; returns the new data. No room is a bug (skb_under_panic). */
u8 *skb_push(struct sk_buff *skb, unsigned int len);

/* As skb_push(), without the check (the caller knows there is headroom). */
static inline u8 *__skb_push(struct sk_buff *skb, unsigned int len)
{
	skb->data -= len;
	skb->len += len;
	return skb->data;
}

/* len must not exceed skb_headlen() (Linux BUGs if it does). */
static inline u8 *__skb_pull(struct sk_buff *skb, unsigned int len)
{
	skb->len -= len;
	return skb->data += len;
}

/* Removes len bytes from the front; the new data, or NULL (nothing changed) if len > skb->len. */
static inline u8 *skb_pull(struct sk_buff *skb, unsigned int len)
{
	return len > skb->len ? NULL : __skb_pull(skb, len);
}

/* Linear skbs only (Linux warns on a nonlinear one): use pskb_trim() for those. */
static inline void __skb_trim(struct sk_buff *skb, unsigned int len)
{
	skb->len = len;
	skb->tail = skb->data + len - skb->head;
}

/* Cuts the packet to len bytes if it is longer. */
static inline void skb_trim(struct sk_buff *skb, unsigned int len)
{
	if (skb->len > len)
		__skb_trim(skb, len);
}

/*
 * As Linux's: true if the first len bytes are in the linear part. Linux would
 * pull them out of the frag_list into the head; here headers are always in the
 * linear part (a reassembled datagram's head is its first fragment), so a
 * length beyond it is refused.
 */
static inline bool pskb_may_pull(struct sk_buff *skb, unsigned int len)
{
	return len <= skb_headlen(skb);
}

/* Cuts a packet with a frag_list to len bytes (the pieces beyond are freed); 0, or -ENOMEM
 * when the buffer is shared (a clone: Linux would copy it first). */
int ___pskb_trim(struct sk_buff *skb, unsigned int len);

static inline int pskb_trim(struct sk_buff *skb, unsigned int len)
{
	if (len >= skb->len)
		return 0;
	if (!skb_is_nonlinear(skb)) {
		__skb_trim(skb, len);
		return 0;
	}
	return ___pskb_trim(skb, len);
}

/*
 * Copies the frag_list into the linear buffer's tailroom and frees it (Linux's
 * __skb_linearize()); 0, or -ENOMEM when it does not fit or the buffer is
 * shared (Linux would reallocate).
 */
int __skb_linearize(struct sk_buff *skb);

static inline int skb_linearize(struct sk_buff *skb)
{
	return skb_is_nonlinear(skb) ? __skb_linearize(skb) : 0;
}

/* Trims to len; 0 (no CHECKSUM_COMPLETE here), or pskb_trim()'s error. */
static inline int pskb_trim_rcsum(struct sk_buff *skb, unsigned int len)
{
	return pskb_trim(skb, len);
}

static inline u8 *skb_mac_header(const struct sk_buff *skb)
{
	return skb->head + skb->mac_header;
}

static inline u8 *skb_network_header(const struct sk_buff *skb)
{
	return skb->head + skb->network_header;
}

static inline u8 *skb_transport_header(const struct sk_buff *skb)
{
	return skb->head + skb->transport_header;
}

static inline void skb_reset_mac_header(struct sk_buff *skb)
{
	skb->mac_header = skb->data - skb->head;
}

static inline void skb_reset_network_header(struct sk_buff *skb)
{
	skb->network_header = skb->data - skb->head;
}

static inline void skb_reset_transport_header(struct sk_buff *skb)
{
	skb->transport_header = skb->data - skb->head;
}

static inline void skb_set_transport_header(struct sk_buff *skb, int offset)
{
	skb->transport_header = skb->data - skb->head + offset;
}

static inline unsigned int skb_network_offset(const struct sk_buff *skb)
{
	return skb->network_header - (skb->data - skb->head);
}

/* Conntrack's reference on an skb's entry (net/netfilter/nf_conntrack_core.c). */
struct nf_conn;
void nf_conntrack_get(struct nf_conn *ct);
void nf_conntrack_put(struct nf_conn *ct);

static inline struct nf_conn *skb_nfct(const struct sk_buff *skb)
{
	return (struct nf_conn *)(skb->_nfct & ~7UL);
}

/* Drops the skb's entry (Linux's nf_reset_ct()). */
static inline void nf_reset_ct(struct sk_buff *skb)
{
	nf_conntrack_put(skb_nfct(skb));
	skb->_nfct = 0;
}

#endif /* _GUEST_SKBUFF_H */
