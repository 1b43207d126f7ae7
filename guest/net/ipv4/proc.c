/*
 * /proc/net/snmp (Linux's net/ipv4/proc.c: snmp_seq_show_ipstats(),
 * icmp_put(), icmpmsg_put(), snmp_seq_show_tcp_udp()): per protocol a line of
 * field names, then a line of values, the fields and their order as Linux
 * 6.18 prints them. The counters are per CPU (net/ipv4/ip_input.c) and summed
 * here; the sums do not depend on which CPU counted what.
 */

#include "asm/percpu.h"
#include "cpumask.h"
#include "kernel.h"
#include "route.h"
#include "snmp.h"

static const char *const snmp4_ipstats_list[IPSTATS_MIB_SNMP_MAX] = {
	"InReceives",	"InHdrErrors", "InAddrErrors", "ForwDatagrams", "InUnknownProtos",
	"InDiscards",	"InDelivers",  "OutRequests",  "OutDiscards",	"OutNoRoutes",
	"ReasmTimeout", "ReasmReqds",  "ReasmOKs",     "ReasmFails",	"FragOKs",
	"FragFails",	"FragCreates", "OutTransmits",
};

/* icmpmibmap: the ICMP types with their own In/Out columns, in Linux's order. */
static const struct {
	const char *name;
	unsigned int index;
} icmpmibmap[] = {
	{ "DestUnreachs", 3 },	 { "TimeExcds", 11 }, { "ParmProbs", 12 },    { "SrcQuenchs", 4 },
	{ "Redirects", 5 },	 { "Echos", 8 },      { "EchoReps", 0 },      { "Timestamps", 13 },
	{ "TimestampReps", 14 }, { "AddrMasks", 17 }, { "AddrMaskReps", 18 },
};

static const char *const snmp4_tcp_list[] = {
	"RtoAlgorithm", "RtoMin",	"RtoMax",      "MaxConn",   "ActiveOpens",
	"PassiveOpens", "AttemptFails", "EstabResets", "CurrEstab", "InSegs",
	"OutSegs",	"RetransSegs",	"InErrs",      "OutRsts",   "InCsumErrors",
};

static const char *const snmp4_udp_list[UDP_MIB_MAX] = {
	"InDatagrams",	"NoPorts",	"InErrors",	"OutDatagrams", "RcvbufErrors",
	"SndbufErrors", "InCsumErrors", "IgnoredMulti", "MemErrors",
};

unsigned long snmp_fold_field(size_t mib_offset, unsigned int field)
{
	unsigned long sum = 0;
	unsigned int cpu;

	for_each_possible_cpu(cpu) {
		const unsigned long *mib = (const void *)((const char *)per_cpu_ptr(&ipv4_mib, cpu) + mib_offset);

		sum += mib[field];
	}
	return sum;
}

/* Appends to a line buffer; the lines are printed whole so other CPUs' output cannot split them. */
struct line {
	char buf[640];
	int len;
};

__printf(2, 3) static void line_add(struct line *l, const char *fmt, ...)
{
	va_list args;

	if (l->len >= (int)sizeof(l->buf))
		return;
	va_start(args, fmt);
	l->len += vsnprintf(l->buf + l->len, sizeof(l->buf) - l->len, fmt, args);
	va_end(args);
}

static void line_print(struct line *l)
{
	printk("%s\n", l->buf);
	l->len = 0;
	l->buf[0] = 0;
}

static void icmpmsg_put(struct line *names, struct line *values)
{
	unsigned int i, count = 0;

	for (i = 0; i < ICMPMSG_MIB_MAX; i++) {
		s64 val = atomic64_read(&icmpmsg_statistics[i]);

		if (!val)
			continue;
		if (!count) {
			line_add(names, "IcmpMsg:");
			line_add(values, "IcmpMsg:");
		}
		line_add(names, " %sType%u", i & 0x100 ? "Out" : "In", i & 0xff);
		line_add(values, " %lld", val);
		/* Linux starts a new pair of lines every 16 types (PERLINE). */
		if (++count == 16) {
			line_print(names);
			line_print(values);
			count = 0;
		}
	}
	if (count) {
		line_print(names);
		line_print(values);
	}
}

void snmp_seq_show(void)
{
	struct line names = { .len = 0 }, values = { .len = 0 };
	unsigned int i;

	printk("/proc/net/snmp:\n");
	/* Forwarding: 1 = router (net.ipv4.ip_forward=1), 2 = not a router; DefaultTTL 64. */
	line_add(&names, "Ip: Forwarding DefaultTTL");
	line_add(&values, "Ip: %d %d", ipv4_forwarding() ? 1 : 2, 64);
	for (i = 0; i < IPSTATS_MIB_SNMP_MAX; i++) {
		line_add(&names, " %s", snmp4_ipstats_list[i]);
		line_add(&values, " %lu", snmp_fold_ip(i));
	}
	line_print(&names);
	line_print(&values);

	line_add(&names, "Icmp: InMsgs InErrors InCsumErrors");
	line_add(&values, "Icmp: %lu %lu %lu", snmp_fold_icmp(ICMP_MIB_INMSGS),
		 snmp_fold_icmp(ICMP_MIB_INERRORS), snmp_fold_icmp(ICMP_MIB_CSUMERRORS));
	for (i = 0; i < ARRAY_SIZE(icmpmibmap); i++) {
		line_add(&names, " In%s", icmpmibmap[i].name);
		line_add(&values, " %lld", atomic64_read(&icmpmsg_statistics[icmpmibmap[i].index]));
	}
	line_add(&names, " OutMsgs OutErrors OutRateLimitGlobal OutRateLimitHost");
	line_add(&values, " %lu %lu %lu %lu", snmp_fold_icmp(ICMP_MIB_OUTMSGS),
		 snmp_fold_icmp(ICMP_MIB_OUTERRORS), snmp_fold_icmp(ICMP_MIB_RATELIMITGLOBAL),
		 snmp_fold_icmp(ICMP_MIB_RATELIMITHOST));
	for (i = 0; i < ARRAY_SIZE(icmpmibmap); i++) {
		line_add(&names, " Out%s", icmpmibmap[i].name);
		line_add(&values, " %lld",
			 atomic64_read(&icmpmsg_statistics[0x100 + icmpmibmap[i].index]));
	}
	line_print(&names);
	line_print(&values);
	icmpmsg_put(&names, &values);

	line_add(&names, "Tcp:");
	for (i = 0; i < ARRAY_SIZE(snmp4_tcp_list); i++)
		line_add(&names, " %s", snmp4_tcp_list[i]);
	/* RtoAlgorithm 1 (other), RtoMin and RtoMax in ms, MaxConn -1 (dynamic), as Linux. */
	line_add(&values, "Tcp: 1 200 120000 -1");
	for (i = TCP_MIB_ACTIVEOPENS; i < TCP_MIB_MAX; i++)
		line_add(&values, " %lu", snmp_fold_tcp(i));
	line_print(&names);
	line_print(&values);

	line_add(&names, "Udp:");
	line_add(&values, "Udp:");
	for (i = 0; i < UDP_MIB_MAX; i++) {
		line_add(&names, " %s", snmp4_udp_list[i]);
		line_add(&values, " %lu", snmp_fold_udp(i));
	}
	line_print(&names);
	line_print(&values);

	/* No UDP-Lite: its line is all zeros. */
	line_add(&names, "UdpLite:");
	line_add(&values, "UdpLite:");
	for (i = 0; i < UDP_MIB_MAX; i++) {
		line_add(&names, " %s", snmp4_udp_list[i]);
		line_add(&values, " 0");
	}
	line_print(&names);
	line_print(&values);
}
