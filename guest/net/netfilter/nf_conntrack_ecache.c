/*
 * Event delivery, after Linux 6.18's net/netfilter/nf_conntrack_ecache.c with
 * ctnetlink as the one listener: the events a packet caused are cached on the
 * entry and reported together when the packet leaves conntrack
 * (nf_conntrack_confirm()); a deletion is reported at once. With ct.events on
 * the command line each report is printed as `conntrack -E` prints it.
 */

#include "asm/timer.h"
#include "kernel.h"
#include "nf_conntrack.h"

#define NF_CT_EVENT_LINE 320

static void nf_ct_print_event(const char *type, const struct nf_conn *ct, bool with_timeout)
{
	char line[NF_CT_EVENT_LINE];

	nf_ct_snprint(line, sizeof(line), ct, with_timeout, false);
	printk("[%s] %s\n", type, line);
}

void nf_ct_deliver_cached_events(struct nf_conn *ct)
{
	unsigned int events;

	if (!nf_ct_is_confirmed(ct))
		return;
	events = __atomic_exchange_n(&ct->ecache, (u16)0, __ATOMIC_ACQ_REL);
	if (!events || !nf_conntrack_events)
		return;
	/* ctnetlink: a new (or related) entry is NEW, any other change an UPDATE. */
	if (events & ((1U << IPCT_NEW) | (1U << IPCT_RELATED)))
		nf_ct_print_event("NEW", ct, true);
	else
		nf_ct_print_event("UPDATE", ct, true);
}

int nf_conntrack_event_report(enum ip_conntrack_events event, struct nf_conn *ct)
{
	/* What was cached goes with this report. */
	__atomic_exchange_n(&ct->ecache, (u16)0, __ATOMIC_ACQ_REL);
	if (!nf_conntrack_events)
		return 0;
	/* The timeout of a [DESTROY] is left out once it reached zero, as ctnetlink does. */
	if (event == IPCT_DESTROY)
		nf_ct_print_event("DESTROY", ct, nf_ct_expires(ct) / HZ != 0);
	else
		nf_ct_print_event(event == IPCT_NEW ? "NEW" : "UPDATE", ct, true);
	return 0;
}
