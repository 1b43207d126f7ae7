#ifndef _GUEST_IP_TABLES_H
#define _GUEST_IP_TABLES_H

/*
 * The filter table (net/ipv4/netfilter/iptable_filter.c), after iptables'
 * filter table: chains INPUT, FORWARD and OUTPUT on NF_INET_LOCAL_IN,
 * NF_INET_FORWARD and NF_INET_LOCAL_OUT at NF_IP_PRI_FILTER, each a list of
 * rules walked in order (first match decides) ending in the chain's policy.
 * Rules come from the command line:
 *
 *   nf.filter=CHAIN,MATCH,...,ACCEPT|DROP   CHAIN: INPUT, FORWARD, OUTPUT;
 *       MATCH: src=A.B.C.D[/LEN] dst=A.B.C.D[/LEN] proto=tcp|udp|icmp|N
 *              sport=N dport=N (with proto=tcp or udp)
 *              ctstate=S[+S...] S: new, established, related, invalid, untracked
 *   nf.policy=CHAIN,ACCEPT|DROP
 *
 * Each rule and policy counts packets and bytes per CPU (Linux's xt_counters).
 */

#include "types.h"

enum ipt_chain { IPT_INPUT, IPT_FORWARD, IPT_OUTPUT, IPT_NR_CHAINS };

/* true if word is nf.filter= or nf.policy=; parses it (a bad rule is reported and ignored). */
bool ipt_filter_parse_option(const char *word, size_t len);
/* One rule in the option's syntax after "nf.filter=" ([p, end)); 0, or -1 (reported) if bad. */
int ipt_filter_add_rule(const char *p, const char *end);
/* Registers the table's hooks if any rule or non-ACCEPT policy exists (net_proto_init). */
void iptable_filter_init(void);
/* Unregisters the hooks and empties the table (policies back to ACCEPT, counters 0). */
void iptable_filter_flush(void);
/* A rule's counters (index in its chain, or -1 for the policy), summed over the CPUs. */
void ipt_filter_counters(enum ipt_chain chain, int index, u64 *pkts, u64 *bytes);
/* iptables -L -v -n -x style listing of the chains. */
void ipt_filter_show(void);

#endif /* _GUEST_IP_TABLES_H */
