#ifndef _GUEST_NEIGHBOUR_H
#define _GUEST_NEIGHBOUR_H

/*
 * The ARP neighbour table (Linux's arp_tbl, net/core/neighbour.c and
 * net/ipv4/arp.c), small and flat: permanent entries from neigh= (as `ip neigh
 * add ... nud permanent`), entries learned from ARP as Linux's arp_process()
 * learns them (a request for our address creates the sender's entry as
 * STALE; a reply to us completes an INCOMPLETE entry as REACHABLE), and
 * INCOMPLETE ones made when a packet needs an address we do not know: then an
 * ARP request is sent and, where Linux would queue the packet until the reply
 * (arp_queue), it is dropped (SKB_DROP_REASON_NEIGH_FAILED, counted in
 * neigh_unres_discards). Learned entries never expire (no timers yet).
 */

#include "skbuff.h"
#include "types.h"

struct net_device;

/* NUD states (Linux's). */
#define NUD_INCOMPLETE 0x01
#define NUD_REACHABLE 0x02
#define NUD_STALE 0x04
#define NUD_PERMANENT 0x80
#define NUD_VALID (NUD_PERMANENT | NUD_REACHABLE | NUD_STALE)

/* true with the hardware address of addr (network order) if it is resolved. */
bool neigh_resolve(u32 addr, u8 *ha);
/*
 * Adds or updates addr's entry. A permanent entry is only replaced by another
 * permanent one; with create false an absent entry is not made. 0, or -1 (table
 * full of permanent entries).
 */
int neigh_update(u32 addr, const u8 *ha, u8 state, bool create);
/* Removes addr's entry (any state). */
void neigh_delete(u32 addr);
/* Loads the neigh= entries (net_proto_init). */
void neigh_init(void);
/* Packets dropped for want of a resolved neighbour, summed over the CPUs. */
unsigned long neigh_unres_discards(void);

/* Sends an ARP request for addr (network order) on dev, on TX queue queue. */
void arp_solicit(struct net_device *dev, u32 addr, u16 queue);
/*
 * neigh_output(): the Ethernet header from dev to addr's neighbour and
 * dev_queue_xmit(); without one, an INCOMPLETE entry, an ARP request and the
 * packet dropped. skb->data is the IPv4 header. Consumes skb.
 */
int neigh_output(struct net_device *dev, u32 addr, struct sk_buff *skb);

#endif /* _GUEST_NEIGHBOUR_H */
