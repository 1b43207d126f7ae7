/*
 * IGMP receive: Linux's igmp_rcv() checks the message and updates group
 * state. The guest joins no group beyond 224.0.0.1, so a message is only
 * checked (length and checksum: dropped if bad) and consumed.
 */

#include "checksum.h"
#include "ip.h"

int igmp_rcv(struct sk_buff *skb)
{
	if (!pskb_may_pull(skb, 8) || csum_fold(skb_checksum(skb, 0, skb->len, 0))) {
		kfree_skb_reason(skb, SKB_DROP_REASON_NOT_SPECIFIED);
		return 0;
	}
	consume_skb(skb);
	return 0;
}
