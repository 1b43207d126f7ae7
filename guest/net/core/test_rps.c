/*
 * RPS self-tests: packets of an RX queue with an rps_cpus map are processed
 * on map->cpus[reciprocal_scale(hash, len)] (each CPU's handler records
 * where it ran), the CPUs woken by IPI count received_rps, and a backlog
 * holds at most netdev_max_backlog packets (the rest is dropped and counted in
 * softnet_stat's dropped column and as CPU_BACKLOG).
 */

#include "asm/percpu.h"
#include "asm/timer.h"
#include "cpumask.h"
#include "interrupt.h"
#include "kernel.h"
#include "netdevice.h"
#include "selftest.h"
#include "skbuff.h"

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond))                                                                       \
			return #cond;                                                              \
	} while (0)

#define RPS_TEST_ETH_P 0x88b5 /* IEEE local experimental ethertype */
#define RPS_TEST_QUEUE (RPS_MAX_RX_QUEUES - 1)
#define RPS_TEST_PACKETS 256

static s16 handled_on[NETDEV_MAX_BACKLOG + 8];
static atomic_t handled;

static int rps_test_rcv(struct sk_buff *skb, struct net_device *dev, struct packet_type *pt)
{
	unsigned int id = *(const u32 *)skb->data;

	if (id < ARRAY_SIZE(handled_on))
		WRITE_ONCE(handled_on[id], smp_processor_id());
	atomic_inc(&handled);
	consume_skb(skb);
	return NET_RX_SUCCESS;
}

static struct packet_type rps_test_type = { .type = RPS_TEST_ETH_P, .func = rps_test_rcv };

static u32 test_hash(unsigned int i)
{
	return (i + 1) * 0x9e3779b1U;
}

/* Sends count packets of queue with bottom halves off (as in a driver's NAPI poll). */
static const char *send_packets(unsigned int queue, unsigned int count)
{
	unsigned int i;

	local_bh_disable();
	for (i = 0; i < count; i++) {
		struct sk_buff *skb = alloc_skb(64);

		if (!skb) {
			local_bh_enable();
			return "out of skbs";
		}
		*(u32 *)skb_put(skb, 46) = i;
		skb->protocol = RPS_TEST_ETH_P;
		skb->queue_mapping = queue;
		skb->hash = test_hash(i);
		netif_receive_skb(skb);
	}
	local_bh_enable();
	return NULL;
}

static bool wait_handled(int want)
{
	unsigned long start = jiffies;

	while (atomic_read(&handled) < want && jiffies - start < HZ)
		cpu_relax();
	return atomic_read(&handled) == want;
}

static const char *rps_steering_checks(void)
{
	unsigned int received_before[NR_CPUS], got[NR_CPUS] = { 0 }, cpus[NR_CPUS], len = 0, i, cpu;
	const char *why;

	for_each_online_cpu(cpu)
	{
		cpus[len++] = cpu;
		received_before[cpu] = per_cpu_ptr(&softnet_data, cpu)->received_rps;
	}
	rps_set_map(RPS_TEST_QUEUE, &cpu_online_mask);
	atomic_set(&handled, 0);
	why = send_packets(RPS_TEST_QUEUE, RPS_TEST_PACKETS);
	if (why)
		return why;
	CHECK(wait_handled(RPS_TEST_PACKETS));
	for (i = 0; i < RPS_TEST_PACKETS; i++) {
		/* Linux's choice, computed here without the kernel's helper. */
		unsigned int want = cpus[(u32)(((u64)test_hash(i) * len) >> 32)];

		CHECK(rps_target_cpu(RPS_TEST_QUEUE, test_hash(i)) == (int)want);
		CHECK(handled_on[i] == (s16)want);
		got[want]++;
	}
	for_each_online_cpu(cpu)
	{
		unsigned int received =
			per_cpu_ptr(&softnet_data, cpu)->received_rps - received_before[cpu];

		/* Every other CPU that got packets was woken by at least one IPI; ours by none. */
		if (cpu == smp_processor_id())
			CHECK(received == 0);
		else
			CHECK(!got[cpu] || received >= 1);
	}
	/* A queue without a map is not steered; a zero hash neither (get_rps_cpu). */
	CHECK(rps_target_cpu(RPS_TEST_QUEUE - 1, 1) == -1);
	CHECK(len == 1 || rps_target_cpu(RPS_TEST_QUEUE, 0) == -1);
	return NULL;
}

static const char *rps_backlog_limit_checks(void)
{
	struct softnet_data *sd = this_cpu_ptr(&softnet_data);
	unsigned long drops_before = skb_drop_reason_count(SKB_DROP_REASON_CPU_BACKLOG);
	unsigned int dropped_before = sd->dropped, i;
	cpumask_t self = { 0 };
	const char *why;

	cpumask_set_cpu(smp_processor_id(), &self);
	rps_set_map(RPS_TEST_QUEUE, &self);
	atomic_set(&handled, 0);
	/* With bottom halves off the backlog cannot drain: 5 packets more than it holds. */
	why = send_packets(RPS_TEST_QUEUE, NETDEV_MAX_BACKLOG + 5);
	if (why)
		return why;
	CHECK(wait_handled(NETDEV_MAX_BACKLOG));
	CHECK(sd->dropped - dropped_before == 5);
	CHECK(skb_drop_reason_count(SKB_DROP_REASON_CPU_BACKLOG) - drops_before == 5);
	for (i = 0; i < NETDEV_MAX_BACKLOG; i++)
		CHECK(handled_on[i] == (s16)smp_processor_id());
	return NULL;
}

static void selftest_rps_run(void)
{
	cpumask_t none = { 0 };
	const char *why;

	net_dev_init();
	/* Other CPUs keep up to two batches of freed objects each in their magazines. */
	skb_pool_grow(NETDEV_MAX_BACKLOG + 16 + 32 * num_online_cpus(),
		      NETDEV_MAX_BACKLOG + 16 + 32 * num_online_cpus());
	dev_add_pack(&rps_test_type);
	why = rps_steering_checks();
	selftest_report("rps_steering", !why, "%s", why);
	why = rps_backlog_limit_checks();
	selftest_report("rps_backlog_limit", !why, "%s", why);
	rps_set_map(RPS_TEST_QUEUE, &none);
	dev_remove_pack(&rps_test_type);
}

DEFINE_SELFTEST(selftest_rps, "rps", selftest_rps_run, 0);
