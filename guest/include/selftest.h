#ifndef _GUEST_SELFTEST_H
#define _GUEST_SELFTEST_H

/*
 * The SMP self-tests ("selftest" on the command line), run after bring-up.
 * kernel/selftest.c holds the registry and the runner; each group of tests
 * (kernel/test_*.c: atomics, spinlock, seqlock, rwlock, IPIs, TLB shootdown,
 * message passing, softirqs, timers, RCU, IRQ affinity; net/core/test_skbuff.c: sk_buff;
 * net/ipv4/test_ip_rcv.c: IPv4 receive and VLAN; net/netfilter/test_netfilter.c:
 * the hook core; net/ipv4/test_ip_forward.c: forwarding and the filter table;
 * net/ipv4/test_ip_fragment.c: reassembly and fragmentation; net/core/test_rps.c: RPS; net/netfilter/test_nf_conntrack_tcp.c: the TCP connection
 * tracker; net/netfilter/test_nf_nat.c: NAT) defines its tests with DEFINE_SELFTEST, and the table in kernel/selftest.c runs
 * them in its order, as Linux keeps locktorture and rcutorture apart on a common torture core.
 */

#include "asm/timer.h"
#include "barrier.h"
#include "compiler.h"
#include "types.h"

void run_selftests(void);

struct selftest {
	const char *name;
	void (*run)(void);
	unsigned int variant; /* 0: always run; else the SELFTEST_* debug variant that enables it */
};

#define DEFINE_SELFTEST(ident, _name, _run, _variant)                                              \
	const struct selftest ident = { .name = _name, .run = _run, .variant = _variant }

extern const struct selftest selftest_atomic, selftest_bitops, selftest_spinlock,
	selftest_spinlock_nolock, selftest_seqlock, selftest_rwlock, selftest_mp, selftest_ipi,
	selftest_on_each_cpu, selftest_tlb, selftest_tlb_noshootdown, selftest_irqaffinity,
	selftest_softirq, selftest_timer, selftest_rcu, selftest_rcu_norcu, selftest_skbuff,
	selftest_ip_rcv, selftest_ip_defrag, selftest_ip_fragment, selftest_nf_hooks,
	selftest_ip_forward, selftest_iptable_filter, selftest_rps, selftest_nf_ct_tcp,
	selftest_nf_conntrack, selftest_nf_ct_icmp, selftest_nf_ct_early_drop, selftest_nf_ct_gc,
	selftest_nf_ct_rcu, selftest_nf_ct_rcu_norcu, selftest_nf_nat, selftest_false_sharing,
	selftest_false_sharing_padded;

/* What the tests share (kernel/selftest.c). */
extern unsigned int selftest_nr_cpus; /* online CPUs taking part */

/* Prints "selftest NAME: PASS", or "selftest NAME: FAIL <why>" and counts the failure. */
__printf(3, 4) void selftest_report(const char *name, bool pass, const char *fmt, ...);

/* Lines every CPU up before the racy part of a test (every CPU must call it). */
void selftest_rendezvous(void);

/* A few hundred cycles of nothing, to widen race windows. */
static inline void spin_delay(unsigned int n)
{
	while (n--)
		barrier();
}

static inline u64 ms_to_tsc(unsigned int ms)
{
	return tsc_per_jiffy * ms / (1000 / HZ);
}

#endif /* _GUEST_SELFTEST_H */
