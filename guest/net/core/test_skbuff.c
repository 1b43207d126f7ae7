/*
 * sk_buff self-tests, on the boot CPU before the NIC is up (nobody else uses
 * the skb caches, so the objects in use can be counted exactly): the marks
 * moved by skb_reserve/put/push/pull/trim, pskb_may_pull, skb_shared_info at
 * the end of the buffer, skb_clone sharing the buffer under dataref, skb_copy
 * owning its own, and kfree_skb_reason counting drops by reason.
 */

#include "kernel.h"
#include "selftest.h"
#include "skbuff.h"
#include "string.h"

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond))                                                                       \
			return #cond;                                                              \
	} while (0)

static const char *skb_helper_checks(void)
{
	struct sk_buff *skb = alloc_skb(256);
	u8 *p, *data;
	unsigned int i;

	CHECK(skb);
	CHECK(skb->len == 0 && skb_headroom(skb) == 0 && skb_tailroom(skb) == SKB_MAX_HEAD);
	CHECK((u8 *)skb_shinfo(skb) == skb_end_pointer(skb));
	CHECK(skb_end_pointer(skb) + sizeof(struct skb_shared_info) <= skb->head + SKB_BUF_SIZE);
	skb_reserve(skb, 64);
	CHECK(skb_headroom(skb) == 64 && skb_tailroom(skb) == SKB_MAX_HEAD - 64 && !skb->len);
	p = skb_put(skb, 100);
	CHECK(p == skb->data && skb->len == 100 && skb_tail_pointer(skb) == p + 100);
	for (i = 0; i < 100; i++)
		p[i] = i;
	data = skb_push(skb, 14);
	CHECK(data == p - 14 && skb->data == data && skb->len == 114 && skb_headroom(skb) == 50);
	CHECK(skb_pull(skb, 14) == p && skb->len == 100);
	CHECK(!skb_pull(skb, 101) && skb->data == p && skb->len == 100);
	CHECK(pskb_may_pull(skb, 100) && !pskb_may_pull(skb, 101));
	skb_trim(skb, 120);
	CHECK(skb->len == 100);
	skb_trim(skb, 60);
	CHECK(skb->len == 60 && skb_tail_pointer(skb) == p + 60 &&
	      skb_tailroom(skb) == SKB_MAX_HEAD - 124);
	CHECK(pskb_trim_rcsum(skb, 40) == 0 && skb->len == 40);
	CHECK(!pskb_may_pull(skb, 41) && p[39] == 39);
	consume_skb(skb);
	CHECK(!alloc_skb(SKB_MAX_HEAD + 1));
	return NULL;
}

static const char *skb_clone_checks(void)
{
	unsigned int heads0, bufs0, heads, bufs;
	struct sk_buff *skb, *clone, *clone2, *copy;

	skb_cache_in_use(&heads0, &bufs0);
	skb = alloc_skb(SKB_MAX_HEAD);
	CHECK(skb);
	skb_reserve(skb, 32);
	memset(skb_put(skb, 64), 0xab, 64);
	skb->protocol = 0x0800;
	skb->pkt_type = PACKET_HOST;
	CHECK(!skb->cloned && !skb_cloned(skb));

	clone = skb_clone(skb);
	CHECK(clone && clone != skb);
	CHECK(clone->head == skb->head && clone->data == skb->data && clone->len == skb->len &&
	      clone->protocol == 0x0800);
	CHECK(skb_cloned(skb) && skb_cloned(clone));
	CHECK(atomic_read(&skb_shinfo(skb)->dataref) == 2);
	skb_cache_in_use(&heads, &bufs);
	CHECK(heads == heads0 + 2 && bufs == bufs0 + 1);
	/* A clone moves its own marks only. */
	skb_pull(clone, 14);
	CHECK(skb->len == 64 && clone->len == 50 && skb->data + 14 == clone->data);

	clone2 = skb_clone(clone);
	CHECK(clone2 && atomic_read(&skb_shinfo(skb)->dataref) == 3);
	consume_skb(clone);
	consume_skb(skb);
	CHECK(atomic_read(&skb_shinfo(clone2)->dataref) == 1 && !skb_cloned(clone2));
	skb_cache_in_use(&heads, &bufs);
	CHECK(heads == heads0 + 1 && bufs == bufs0 + 1);
	CHECK(clone2->data[0] == 0xab && clone2->data[49] == 0xab);

	copy = skb_copy(clone2);
	CHECK(copy && copy->head != clone2->head && !copy->cloned);
	CHECK(copy->len == clone2->len && skb_headroom(copy) == skb_headroom(clone2) &&
	      !memcmp(copy->data, clone2->data, copy->len) && copy->protocol == 0x0800);
	copy->data[0] = 0;
	CHECK(clone2->data[0] == 0xab);
	skb_cache_in_use(&heads, &bufs);
	CHECK(heads == heads0 + 2 && bufs == bufs0 + 2);
	consume_skb(copy);
	consume_skb(clone2);
	skb_cache_in_use(&heads, &bufs);
	CHECK(heads == heads0 && bufs == bufs0);
	return NULL;
}

static const char *skb_drop_reason_checks(void)
{
	unsigned long small = skb_drop_reason_count(SKB_DROP_REASON_PKT_TOO_SMALL);
	unsigned long unspec = skb_drop_reason_count(SKB_DROP_REASON_NOT_SPECIFIED);
	struct sk_buff *a = alloc_skb(64), *b = alloc_skb(64), *c = alloc_skb(64);

	CHECK(a && b && c);
	kfree_skb_reason(a, SKB_DROP_REASON_PKT_TOO_SMALL);
	kfree_skb(b);
	consume_skb(c);
	CHECK(skb_drop_reason_count(SKB_DROP_REASON_PKT_TOO_SMALL) == small + 1);
	CHECK(skb_drop_reason_count(SKB_DROP_REASON_NOT_SPECIFIED) == unspec + 1);
	CHECK(!strcmp(skb_drop_reason_name(SKB_DROP_REASON_IP_CSUM), "IP_CSUM"));
	CHECK(!strcmp(skb_drop_reason_name(SKB_DROP_REASON_OTHERHOST), "OTHERHOST"));
	return NULL;
}

static void selftest_skbuff_run(void)
{
	const char *why;

	/* The NIC has not grown the caches yet. */
	skb_pool_grow(8, 8);
	why = skb_helper_checks();
	selftest_report("skb_helpers", !why, "%s", why);
	why = skb_clone_checks();
	selftest_report("skb_clone_copy", !why, "%s", why);
	why = skb_drop_reason_checks();
	selftest_report("skb_drop_reason", !why, "%s", why);
}

DEFINE_SELFTEST(selftest_skbuff, "skbuff", selftest_skbuff_run, 0);
