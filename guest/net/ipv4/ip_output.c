/*
 * IPv4 output, the little of it there is: locally generated replies (the ICMP
 * echo reply), already with their Ethernet and IPv4 headers, counted as
 * Linux's ip_output() (OutRequests) and ip_finish_output2() (OutTransmits)
 * count them, and handed to the device.
 */

#include "ip.h"
#include "netdevice.h"
#include "snmp.h"

int ip_send_reply_skb(struct sk_buff *skb)
{
	__IP_INC_STATS(IPSTATS_MIB_OUTREQUESTS);
	__IP_INC_STATS(IPSTATS_MIB_OUTPKTS);
	return dev_queue_xmit(skb);
}
