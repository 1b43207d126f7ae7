/*
 * sk_buff heads and data buffers from two slab-style object caches (mm/slab.c);
 * the skb helpers that are not inline; drop reasons counted per CPU. The
 * caches grow only in skb_pool_grow() (process context).
 */

#include "checksum.h"
#include "skbuff.h"
#include "asm/percpu.h"
#include "asm/processor.h"
#include "cpumask.h"
#include "errno.h"
#include "if_ether.h"
#include "kernel.h"
#include "mm.h"
#include "slab.h"
#include "spinlock.h"
#include "string.h"

_Static_assert(SKB_MAX_HEAD >= 1522 + 64, "a buffer holds a tagged frame and headroom");

static struct kmem_cache skb_head_cache = KMEM_CACHE_INIT("skbuff_head", 128);
static struct kmem_cache skb_buf_cache = KMEM_CACHE_INIT("skbuff_buf", SKB_BUF_SIZE);

_Static_assert(sizeof(struct sk_buff) <= 128, "sk_buff must fit its 128-byte cache objects");

void skb_pool_grow(unsigned int heads, unsigned int bufs)
{
	kmem_cache_grow(&skb_head_cache, heads);
	kmem_cache_grow(&skb_buf_cache, bufs);
}

void skb_cache_in_use(unsigned int *heads, unsigned int *bufs)
{
	*heads = kmem_cache_in_use(&skb_head_cache);
	*bufs = kmem_cache_in_use(&skb_buf_cache);
}

unsigned long skb_alloc_failures(void)
{
	return kmem_cache_failures(&skb_head_cache) + kmem_cache_failures(&skb_buf_cache);
}

void *netdev_alloc_buf(void)
{
	return kmem_cache_alloc(&skb_buf_cache);
}

void netdev_free_buf(void *buf)
{
	kmem_cache_free(&skb_buf_cache, buf);
}

struct sk_buff *build_skb(void *buf, unsigned int len)
{
	struct sk_buff *skb = kmem_cache_alloc(&skb_head_cache);

	if (!skb)
		return NULL;
	/*
	 * A compound literal: gcc stores each field (zeroes included) directly, no
	 * memset call. Unlike Linux, skb_shared_info is not touched here (the receive
	 * path would pay a store to a cold cache line per frame): while an skb is not
	 * cloned it is the buffer's only user and dataref is implicitly 1, so
	 * skb_clone() writes it the first time and only cloned skbs read it.
	 */
	*skb = (struct sk_buff){
		.head = buf, .data = buf, .len = len, .tail = len, .end = SKB_MAX_HEAD
	};
	return skb;
}

struct sk_buff *alloc_skb(unsigned int size)
{
	void *buf;
	struct sk_buff *skb;

	if (size > SKB_MAX_HEAD)
		return NULL;
	buf = netdev_alloc_buf();
	if (!buf)
		return NULL;
	skb = build_skb(buf, 0);
	if (!skb)
		netdev_free_buf(buf);
	return skb;
}

u8 *skb_put(struct sk_buff *skb, unsigned int len)
{
	u8 *tail = skb_tail_pointer(skb);

	if (unlikely(len > (unsigned int)skb_tailroom(skb)))
		panic("skb_over_panic: put %u bytes with %d of tailroom\n", len, skb_tailroom(skb));
	skb->tail += len;
	skb->len += len;
	return tail;
}

u8 *skb_push(struct sk_buff *skb, unsigned int len)
{
	if (unlikely(len > skb_headroom(skb)))
		panic("skb_under_panic: push %u bytes with %u of headroom\n", len,
		      skb_headroom(skb));
	skb->data -= len;
	skb->len += len;
	return skb->data;
}

struct sk_buff *skb_clone(struct sk_buff *skb)
{
	struct sk_buff *n = kmem_cache_alloc(&skb_head_cache);

	if (!n)
		return NULL;
	*n = *skb;
	n->next = NULL;
	n->cloned = 1;
	nf_conntrack_get(skb_nfct(n));
	if (skb->cloned) {
		atomic_inc(&skb_shinfo(skb)->dataref);
	} else {
		/* The only user so far: nobody else reads dataref until skb->cloned is set. */
		atomic_set(&skb_shinfo(skb)->dataref, 2);
		skb->cloned = 1;
	}
	return n;
}

struct sk_buff *skb_copy(const struct sk_buff *skb)
{
	unsigned int headlen = skb_headlen(skb);
	struct sk_buff *n;

	/* Linearising: the whole packet must fit one buffer behind the same headroom. */
	if (skb_is_nonlinear(skb) && skb->data + skb->len > skb->head + SKB_MAX_HEAD)
		return NULL;
	n = alloc_skb(skb->end);
	if (!n)
		return NULL;
	memcpy(n->head, skb->head, skb_headroom(skb) + headlen);
	n->dev = skb->dev;
	n->data = n->head + skb_headroom(skb);
	n->len = skb->len;
	n->tail = skb->data + skb->len - skb->head;
	if (skb_is_nonlinear(skb))
		skb_copy_bits(skb, headlen, n->data + headlen, skb->data_len);
	n->hash = skb->hash;
	n->protocol = skb->protocol;
	n->queue_mapping = skb->queue_mapping;
	n->mac_header = skb->mac_header;
	n->network_header = skb->network_header;
	n->transport_header = skb->transport_header;
	n->vlan_tci = skb->vlan_tci;
	n->frag_max_size = skb->frag_max_size;
	n->pkt_type = skb->pkt_type;
	n->ip_summed = skb->ip_summed;
	n->l4_hash = skb->l4_hash;
	n->vlan_present = skb->vlan_present;
	n->vlan_8021ad = skb->vlan_8021ad;
	n->ignore_df = skb->ignore_df;
	n->frag_pmtu = skb->frag_pmtu;
	n->_nfct = skb->_nfct;
	nf_conntrack_get(skb_nfct(n));
	return n;
}

int skb_copy_bits(const struct sk_buff *skb, int offset, void *to, int len)
{
	unsigned int headlen = skb_headlen(skb), copy;
	const struct sk_buff *frag;
	u8 *dst = to;

	if (offset < 0 || len < 0 || (unsigned int)offset > skb->len ||
	    (unsigned int)len > skb->len - offset)
		return -EFAULT;
	if ((unsigned int)offset < headlen) {
		copy = min(headlen - offset, (unsigned int)len);
		memcpy(dst, skb->data + offset, copy);
		dst += copy;
		len -= copy;
		offset += copy;
	}
	offset -= headlen; /* now relative to the frag_list */
	skb_walk_frags(skb, frag)
	{
		if (!len)
			break;
		if ((unsigned int)offset >= frag->len) {
			offset -= frag->len;
			continue;
		}
		/* A frag_list skb is linear itself here (no nested frag_lists). */
		copy = min(frag->len - offset, (unsigned int)len);
		memcpy(dst, frag->data + offset, copy);
		dst += copy;
		len -= copy;
		offset = 0;
	}
	return len ? -EFAULT : 0;
}

/* The buffer goes when its last head does (Linux's skb_release_data()). */
static inline void skb_release_data(struct sk_buff *skb)
{
	if (skb->cloned && atomic_dec_return(&skb_shinfo(skb)->dataref))
		return;
	if (skb_has_frag_list(skb))
		kfree_skb_list(skb_shinfo(skb)->frag_list);
	netdev_free_buf(skb->head);
}

void kfree_skb_list(struct sk_buff *segs)
{
	while (segs) {
		struct sk_buff *next = segs->next;

		consume_skb(segs);
		segs = next;
	}
}

int ___pskb_trim(struct sk_buff *skb, unsigned int len)
{
	unsigned int headlen = skb_headlen(skb), offset;
	struct sk_buff **fragp, *frag;

	if (skb_cloned(skb))
		return -ENOMEM;
	if (len <= headlen) {
		/* Everything in the frag_list goes. */
		kfree_skb_list(skb_shinfo(skb)->frag_list);
		skb_frag_list_init(skb);
		skb->data_len = 0;
		skb->len = headlen;
		__skb_trim(skb, len);
		return 0;
	}
	offset = headlen;
	for (fragp = &skb_shinfo(skb)->frag_list; (frag = *fragp); fragp = &frag->next) {
		if (offset + frag->len >= len) {
			int err = pskb_trim(frag, len - offset);

			if (err)
				return err;
			kfree_skb_list(frag->next);
			frag->next = NULL;
			break;
		}
		offset += frag->len;
	}
	skb->data_len = len - headlen;
	skb->len = len;
	return 0;
}

int __skb_linearize(struct sk_buff *skb)
{
	unsigned int headlen = skb_headlen(skb);

	if (skb_cloned(skb) || (unsigned int)skb_tailroom(skb) < skb->data_len)
		return -ENOMEM;
	skb_copy_bits(skb, headlen, skb_tail_pointer(skb), skb->data_len);
	kfree_skb_list(skb_shinfo(skb)->frag_list);
	skb_frag_list_init(skb);
	skb->tail += skb->data_len;
	skb->data_len = 0;
	return 0;
}

/*
 * The sum of a piece that starts pos bytes into the summed range: at an odd
 * pos its bytes are the other halves of their 16-bit words, so its sum is
 * byte-swapped (Linux's csum_block_add() rotates by 8 bits).
 */
static inline u32 csum_block_add(u32 sum, u32 piece, unsigned int pos)
{
	if (pos & 1)
		piece = (u16)(piece >> 8 | piece << 8);
	return sum + piece;
}

u32 skb_checksum(const struct sk_buff *skb, unsigned int offset, unsigned int len, u32 sum)
{
	unsigned int headlen = skb_headlen(skb), pos = 0, copy;
	const struct sk_buff *frag;

	if (offset > skb->len || len > skb->len - offset)
		len = offset > skb->len ? 0 : skb->len - offset;
	if (offset < headlen) {
		copy = min(headlen - offset, len);
		sum = csum_block_add(sum, csum_partial(skb->data + offset, copy, 0), 0);
		pos = copy;
		offset += copy;
	}
	offset -= headlen;
	skb_walk_frags(skb, frag)
	{
		if (pos == len)
			break;
		if (offset >= frag->len) {
			offset -= frag->len;
			continue;
		}
		copy = min(frag->len - offset, len - pos);
		sum = csum_block_add(sum, csum_partial(frag->data + offset, copy, 0), pos);
		pos += copy;
		offset = 0;
	}
	return sum;
}

void consume_skb(struct sk_buff *skb)
{
	if (!skb)
		return;
	nf_reset_ct(skb);
	if (skb->head)
		skb_release_data(skb);
	kmem_cache_free(&skb_head_cache, skb);
}

struct sk_buff *skb_vlan_untag(struct sk_buff *skb)
{
	const struct vlan_hdr *vhdr;
	u16 proto;

	if (unlikely(skb->vlan_present))
		return skb;
	/* The encapsulated protocol is read too (vlan_set_encap_proto()). */
	if (unlikely(!pskb_may_pull(skb, VLAN_HLEN + sizeof(u16))))
		goto err_free;
	vhdr = (const struct vlan_hdr *)skb->data;
	skb->vlan_tci = ntohs(vhdr->h_vlan_TCI);
	skb->vlan_present = 1;
	skb->vlan_8021ad = skb->protocol == ETH_P_8021AD;
	proto = ntohs(vhdr->h_vlan_encapsulated_proto);
	__skb_pull(skb, VLAN_HLEN);
	/* vlan_set_encap_proto(): below 0x600 the field is an 802.3 length. */
	if (proto >= ETH_P_802_3_MIN)
		skb->protocol = proto;
	else if (*(const u16 *)skb->data == 0xffff)
		skb->protocol = ETH_P_802_3; /* raw 802.3 (Novell) */
	else
		skb->protocol = ETH_P_802_2;
	/* skb_reorder_vlan_header(): the MAC addresses move up over the tag. */
	memmove(skb_mac_header(skb) + VLAN_HLEN, skb_mac_header(skb), 2 * ETH_ALEN);
	skb->mac_header += VLAN_HLEN;
	skb_reset_network_header(skb);
	skb_reset_transport_header(skb);
	return skb;

err_free:
	kfree_skb(skb);
	return NULL;
}

/* --- Drop reasons ---------------------------------------------------------------------------- */

struct skb_drop_stats {
	unsigned long count[SKB_DROP_REASON_MAX];
} __aligned(64);

static DEFINE_PER_CPU(struct skb_drop_stats, skb_drop_stats);

static const char *const drop_reason_names[SKB_DROP_REASON_MAX] = { [SKB_NOT_DROPPED_YET] =
									    "NOT_DROPPED_YET",
#define FN(reason) [SKB_DROP_REASON_##reason] = #reason,
								    DEFINE_DROP_REASON(FN)
#undef FN
};

void kfree_skb_reason(struct sk_buff *skb, enum skb_drop_reason reason)
{
	if (!skb)
		return;
	if (reason <= SKB_NOT_DROPPED_YET || reason >= SKB_DROP_REASON_MAX)
		reason = SKB_DROP_REASON_NOT_SPECIFIED;
	this_cpu_ptr(&skb_drop_stats)->count[reason]++;
	consume_skb(skb);
}

const char *skb_drop_reason_name(enum skb_drop_reason reason)
{
	return reason < SKB_DROP_REASON_MAX ? drop_reason_names[reason] : "?";
}

unsigned long skb_drop_reason_count(enum skb_drop_reason reason)
{
	unsigned long sum = 0;
	unsigned int cpu;

	if (reason >= SKB_DROP_REASON_MAX)
		return 0;
	for_each_possible_cpu(cpu) sum += per_cpu_ptr(&skb_drop_stats, cpu)->count[reason];
	return sum;
}

/*
 * Linux has no file for these (they are the skb:kfree_skb tracepoint that
 * dropwatch and perf read); this view sums them the way those tools do: one
 * line per reason with drops, the total and the per-CPU split. Which CPU
 * dropped a frame depends on the machine, so the lines are "~ " lines.
 */
void skb_drop_reason_show(void)
{
	unsigned int reason, cpu;
	char buf[256];

	printk(MACHINE_DEPENDENT "net: drop reasons (kfree_skb_reason):\n");
	for (reason = SKB_DROP_REASON_NOT_SPECIFIED; reason < SKB_DROP_REASON_MAX; reason++) {
		unsigned long total = skb_drop_reason_count(reason);
		int len;

		if (!total)
			continue;
		len = snprintf(buf, sizeof(buf), "%s  SKB_DROP_REASON_%s %lu:", MACHINE_DEPENDENT,
			       drop_reason_names[reason], total);
		for_each_online_cpu(cpu) len +=
			snprintf(buf + len, sizeof(buf) - len, " cpu%u=%lu", cpu,
				 per_cpu_ptr(&skb_drop_stats, cpu)->count[reason]);
		printk("%s\n", buf);
	}
}
