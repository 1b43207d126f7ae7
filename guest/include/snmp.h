#ifndef _GUEST_SNMP_H
#define _GUEST_SNMP_H

/*
 * The SNMP MIB counters of IPv4, ICMP, TCP and UDP (Linux's
 * include/uapi/linux/snmp.h and include/net/snmp.h), per CPU, summed by the
 * /proc/net/snmp view (net/ipv4/proc.c: snmp_seq_show()). Only the receive
 * side of the stack exists so far: the counters it does not reach stay 0 and
 * are printed all the same, in Linux's order.
 */

#include "asm/percpu.h"
#include "atomic.h"
#include "types.h"

/* /proc/net/snmp "Ip:" fields after Forwarding and DefaultTTL, in Linux's order. */
enum {
	IPSTATS_MIB_INPKTS,	      /* InReceives */
	IPSTATS_MIB_INHDRERRORS,      /* InHdrErrors */
	IPSTATS_MIB_INADDRERRORS,     /* InAddrErrors */
	IPSTATS_MIB_OUTFORWDATAGRAMS, /* ForwDatagrams */
	IPSTATS_MIB_INUNKNOWNPROTOS,  /* InUnknownProtos */
	IPSTATS_MIB_INDISCARDS,	      /* InDiscards */
	IPSTATS_MIB_INDELIVERS,	      /* InDelivers */
	IPSTATS_MIB_OUTREQUESTS,      /* OutRequests */
	IPSTATS_MIB_OUTDISCARDS,      /* OutDiscards */
	IPSTATS_MIB_OUTNOROUTES,      /* OutNoRoutes */
	IPSTATS_MIB_REASMTIMEOUT,     /* ReasmTimeout */
	IPSTATS_MIB_REASMREQDS,	      /* ReasmReqds */
	IPSTATS_MIB_REASMOKS,	      /* ReasmOKs */
	IPSTATS_MIB_REASMFAILS,	      /* ReasmFails */
	IPSTATS_MIB_FRAGOKS,	      /* FragOKs */
	IPSTATS_MIB_FRAGFAILS,	      /* FragFails */
	IPSTATS_MIB_FRAGCREATES,      /* FragCreates */
	IPSTATS_MIB_OUTPKTS,	      /* OutTransmits */
	/* /proc/net/netstat "IpExt:" ones, counted but not in /proc/net/snmp. */
	IPSTATS_MIB_INTRUNCATEDPKTS, /* InTruncatedPkts */
	IPSTATS_MIB_CSUMERRORS,	     /* InCsumErrors */
	IPSTATS_MIB_INNOROUTES,	     /* InNoRoutes */
	IPSTATS_MIB_INBCASTPKTS,     /* InBcastPkts */
	IPSTATS_MIB_INMCASTPKTS,     /* InMcastPkts */
	IPSTATS_MIB_REASM_OVERLAPS,  /* ReasmOverlaps */
	IPSTATS_MIB_MAX
};
#define IPSTATS_MIB_SNMP_MAX (IPSTATS_MIB_OUTPKTS + 1)

/* "Icmp:": InMsgs InErrors InCsumErrors, the In per type, OutMsgs OutErrors ..., the Out per type.
 */
enum {
	ICMP_MIB_INMSGS,
	ICMP_MIB_INERRORS,
	ICMP_MIB_CSUMERRORS,
	ICMP_MIB_OUTMSGS,
	ICMP_MIB_OUTERRORS,
	ICMP_MIB_RATELIMITGLOBAL,
	ICMP_MIB_RATELIMITHOST,
	ICMP_MIB_MAX
};
/* "IcmpMsg:": InType0..255, then OutType0..255. */
#define ICMPMSG_MIB_MAX 512

enum {
	TCP_MIB_ACTIVEOPENS,
	TCP_MIB_PASSIVEOPENS,
	TCP_MIB_ATTEMPTFAILS,
	TCP_MIB_ESTABRESETS,
	TCP_MIB_CURRESTAB,
	TCP_MIB_INSEGS,
	TCP_MIB_OUTSEGS,
	TCP_MIB_RETRANSSEGS,
	TCP_MIB_INERRS,
	TCP_MIB_OUTRSTS,
	TCP_MIB_CSUMERRORS,
	TCP_MIB_MAX
};

enum {
	UDP_MIB_INDATAGRAMS,
	UDP_MIB_NOPORTS,
	UDP_MIB_INERRORS,
	UDP_MIB_OUTDATAGRAMS,
	UDP_MIB_RCVBUFERRORS,
	UDP_MIB_SNDBUFERRORS,
	UDP_MIB_CSUMERRORS,
	UDP_MIB_IGNOREDMULTI,
	UDP_MIB_MEMERRORS,
	UDP_MIB_MAX
};

struct ipv4_mib {
	unsigned long ip[IPSTATS_MIB_MAX];
	unsigned long icmp[ICMP_MIB_MAX];
	unsigned long tcp[TCP_MIB_MAX];
	unsigned long udp[UDP_MIB_MAX];
} __aligned(64);

DECLARE_PER_CPU(struct ipv4_mib, ipv4_mib);
/* Per ICMP type, shared by the CPUs as Linux's icmpmsg_statistics (rare: ICMP only). */
extern atomic64_t icmpmsg_statistics[ICMPMSG_MIB_MAX];

/* Softirq or interrupts off: this CPU's counters, no atomics (Linux's __*_INC_STATS). */
#define __IP_INC_STATS(field) (this_cpu_ptr(&ipv4_mib)->ip[field]++)
#define __ICMP_INC_STATS(field) (this_cpu_ptr(&ipv4_mib)->icmp[field]++)
#define ICMPMSGIN_INC_STATS(type) atomic64_inc(&icmpmsg_statistics[(type)])
#define ICMPMSGOUT_INC_STATS(type) atomic64_inc(&icmpmsg_statistics[0x100 + (type)])
#define __TCP_INC_STATS(field) (this_cpu_ptr(&ipv4_mib)->tcp[field]++)
#define __UDP_INC_STATS(field) (this_cpu_ptr(&ipv4_mib)->udp[field]++)

/* A counter summed over the CPUs (Linux's snmp_fold_field()); the MIB is picked by its offset. */
unsigned long snmp_fold_field(size_t mib_offset, unsigned int field);
#define snmp_fold_ip(field) snmp_fold_field(offsetof(struct ipv4_mib, ip), (field))
#define snmp_fold_icmp(field) snmp_fold_field(offsetof(struct ipv4_mib, icmp), (field))
#define snmp_fold_tcp(field) snmp_fold_field(offsetof(struct ipv4_mib, tcp), (field))
#define snmp_fold_udp(field) snmp_fold_field(offsetof(struct ipv4_mib, udp), (field))

/* Prints /proc/net/snmp in Linux's format (Ip, Icmp, IcmpMsg if any, Tcp, Udp, UdpLite). */
void snmp_seq_show(void);

#endif /* _GUEST_SNMP_H */
