/*
 * Receive Packet Steering, after Linux's net/core/dev.c (get_rps_cpu,
 * enqueue_to_backlog, napi_schedule_rps, net_rps_send_ipi, rps_trigger_softirq,
 * process_backlog) and net/core/net-sysfs.c (rps_cpus, rps_flow_cnt): see
 * include/netdevice.h.
 */

#include "asm/percpu.h"
#include "asm/smp.h"
#include "asm/smpsim.h"
#include "bitops.h"
#include "cpumask.h"
#include "ctype.h"
#include "interrupt.h"
#include "kernel.h"
#include "netdevice.h"
#include "rcupdate.h"
#include "string.h"

struct rps_map {
	unsigned int len;
	u16 cpus[NR_CPUS];
};

/* Per RX queue: the map (RCU-published) and the options it is built from. */
static struct rps_map rps_map_storage[RPS_MAX_RX_QUEUES][2];
static struct rps_map *rps_maps[RPS_MAX_RX_QUEUES];
static cpumask_t rps_cpus_option[RPS_MAX_RX_QUEUES];
static unsigned int rps_flow_cnt_option[RPS_MAX_RX_QUEUES];
static bool rps_any_map;

/* "Q:HEXMASK" or "Q:N" after the option name. */
static bool parse_queue_value(const char *p, const char *end, bool hex, unsigned int *queue,
			      unsigned long long *value)
{
	const char *q;

	if (p >= end || !isdigit(*p))
		return false;
	*queue = simple_strtoull(p, &q, 10);
	if (q >= end || *q != ':' || *queue >= RPS_MAX_RX_QUEUES)
		return false;
	p = q + 1;
	if (p >= end || !isxdigit(*p))
		return false;
	*value = simple_strtoull(p, &q, hex ? 16 : 10);
	return q == end;
}

bool rps_parse_option(const char *word, size_t len)
{
	const char *end = word + len;
	unsigned long long value;
	unsigned int queue, cpu;

	if (len > 9 && !strncmp(word, "rps_cpus=", 9)) {
		if (!parse_queue_value(word + 9, end, true, &queue, &value)) {
			printk("Malformed option \"%.*s\" (rps_cpus=QUEUE:HEXMASK, queue < %u), "
			       "ignored\n",
			       (int)len, word, RPS_MAX_RX_QUEUES);
			return true;
		}
		memset(&rps_cpus_option[queue], 0, sizeof(cpumask_t));
		for (cpu = 0; cpu < 64 && cpu < NR_CPUS; cpu++)
			if (value >> cpu & 1)
				cpumask_set_cpu(cpu, &rps_cpus_option[queue]);
		return true;
	}
	if (len > 13 && !strncmp(word, "rps_flow_cnt=", 13)) {
		if (!parse_queue_value(word + 13, end, false, &queue, &value) ||
		    value > (1U << 29)) {
			printk("Malformed option \"%.*s\" (rps_flow_cnt=QUEUE:N), ignored\n",
			       (int)len, word);
			return true;
		}
		/* Linux rounds the table up to a power of two (roundup_pow_of_two()). */
		rps_flow_cnt_option[queue] =
			value <= 1 ? value : 1U << (64 - __builtin_clzll(value - 1));
		return true;
	}
	return false;
}

void rps_set_map(unsigned int queue, const cpumask_t *mask)
{
	struct rps_map *old = rps_maps[queue], *map = NULL;
	unsigned int cpu;

	if (queue >= RPS_MAX_RX_QUEUES)
		return;
	if (cpumask_weight(mask)) {
		map = &rps_map_storage[queue][old == &rps_map_storage[queue][0]];
		map->len = 0;
		for_each_online_cpu(cpu) if (cpumask_test_cpu(cpu, mask)) map->cpus[map->len++] =
			cpu;
		if (!map->len)
			map = NULL;
	}
	rcu_assign_pointer(rps_maps[queue], map);
	if (map)
		WRITE_ONCE(rps_any_map, true);
	/* The replaced map's storage is reused by the next change: no reader may still see it. */
	if (old)
		synchronize_rcu();
}

static void rps_trigger_softirq(void *data);
static int process_backlog(struct napi_struct *napi, int quota);

void net_rps_init(void)
{
	unsigned int cpu, queue;

	for_each_possible_cpu(cpu)
	{
		struct softnet_data *sd = per_cpu_ptr(&softnet_data, cpu);

		spin_lock_init(&sd->input_pkt_lock);
		sd->cpu = cpu;
		netif_napi_add(NULL, &sd->backlog, process_backlog, NAPI_POLL_WEIGHT);
		sd->csd.func = rps_trigger_softirq;
		sd->csd.info = sd;
	}
	for (queue = 0; queue < RPS_MAX_RX_QUEUES; queue++) {
		if (!cpumask_weight(&rps_cpus_option[queue]))
			continue;
		rps_set_map(queue, &rps_cpus_option[queue]);
		printk("net: RX queue %u: rps_cpus %d CPUs, rps_flow_cnt %u\n", queue,
		       rps_maps[queue] ? (int)rps_maps[queue]->len : 0, rps_flow_cnt_option[queue]);
	}
}

/* Linux's reciprocal_scale(): hash into [0, len) without a division. */
static inline unsigned int reciprocal_scale(u32 val, u32 len)
{
	return (u32)(((u64)val * len) >> 32);
}

int rps_target_cpu(unsigned int queue, u32 hash)
{
	const struct rps_map *map;
	int cpu = -1;

	if (queue >= RPS_MAX_RX_QUEUES)
		return -1;
	rcu_read_lock();
	map = rcu_dereference(rps_maps[queue]);
	/* get_rps_cpu(): a map of one CPU steers everything there, a zero hash nowhere. */
	if (map && (map->len == 1 || hash))
		cpu = map->cpus[map->len == 1 ? 0 : reciprocal_scale(hash, map->len)];
	rcu_read_unlock();
	if (cpu >= 0 && !cpumask_test_cpu(cpu, &cpu_online_mask))
		cpu = -1;
	return cpu;
}

/* IPI handler on the target CPU (hard irq): its backlog gets polled in NET_RX. */
static void rps_trigger_softirq(void *data)
{
	struct softnet_data *sd = data;

	__napi_schedule(&sd->backlog);
	sd->received_rps++;
}

/*
 * napi_schedule_rps(): the backlog of another CPU is woken by IPI at the end of
 * this CPU's NET_RX softirq (so a burst costs one IPI per target); our own is
 * scheduled at once. Interrupts are off.
 */
static void napi_schedule_rps(struct softnet_data *sd)
{
	struct softnet_data *mysd = this_cpu_ptr(&softnet_data);

	if (sd != mysd) {
		sd->rps_ipi_next = mysd->rps_ipi_list;
		mysd->rps_ipi_list = sd;
		if (!mysd->in_net_rx_action)
			raise_softirq_irqoff(NET_RX_SOFTIRQ);
		return;
	}
	__napi_schedule(&mysd->backlog);
}

/* enqueue_to_backlog() */
static int enqueue_to_backlog(struct sk_buff *skb, unsigned int cpu)
{
	struct softnet_data *sd = per_cpu_ptr(&softnet_data, cpu);
	unsigned long flags = local_irq_save();

	spin_lock(&sd->input_pkt_lock);
	if (sd->input_pkt_qlen < NETDEV_MAX_BACKLOG) {
		skb->next = NULL;
		if (sd->input_pkt_tail)
			sd->input_pkt_tail->next = skb;
		else
			sd->input_pkt_head = skb;
		sd->input_pkt_tail = skb;
		sd->input_pkt_qlen++;
		/* The first packet wakes the backlog, unless it is already scheduled. */
		if (!test_and_set_bit(NAPI_STATE_SCHED, &sd->backlog.state))
			napi_schedule_rps(sd);
		spin_unlock(&sd->input_pkt_lock);
		this_cpu_ptr(&softnet_data)->rps_enqueued++;
		local_irq_restore(flags);
		return NET_RX_SUCCESS;
	}
	sd->dropped++;
	spin_unlock(&sd->input_pkt_lock);
	local_irq_restore(flags);
	kfree_skb_reason(skb, SKB_DROP_REASON_CPU_BACKLOG);
	return NET_RX_DROP;
}

int netif_rps_steer(struct sk_buff *skb)
{
	int cpu;

	if (!READ_ONCE(rps_any_map))
		return -1;
	cpu = rps_target_cpu(skb->queue_mapping, skb->hash);
	if (cpu < 0)
		return -1;
	return enqueue_to_backlog(skb, cpu);
}

/* The backlog napi's poll: up to quota packets from input_pkt_queue through the stack. */
static int process_backlog(struct napi_struct *napi, int quota)
{
	struct softnet_data *sd = container_of(napi, struct softnet_data, backlog);
	unsigned int from_driver = 0;
	int work = 0;

	while (work < quota) {
		struct sk_buff *skb;

		local_irq_disable();
		spin_lock(&sd->input_pkt_lock);
		skb = sd->input_pkt_head;
		if (!skb) {
			/* Empty: done; the next enqueue schedules the napi again. */
			clear_bit(NAPI_STATE_SCHED, &napi->state);
			spin_unlock(&sd->input_pkt_lock);
			local_irq_enable();
			break;
		}
		sd->input_pkt_head = skb->next;
		if (!sd->input_pkt_head)
			sd->input_pkt_tail = NULL;
		sd->input_pkt_qlen--;
		spin_unlock(&sd->input_pkt_lock);
		local_irq_enable();
		skb->next = NULL;
		from_driver += skb->dev != NULL;
		__netif_receive_skb(skb);
		work++;
	}
	/* The replay's consumption count follows a driver's frames to the CPU that processed them. */
	if (from_driver)
		smpsim_rx_done(smp_processor_id(), from_driver);
	return work;
}

void net_rps_action_and_irq_enable(struct softnet_data *sd)
{
	struct softnet_data *remsd = sd->rps_ipi_list;

	sd->rps_ipi_list = NULL;
	local_irq_enable();
	while (remsd) {
		struct softnet_data *next = remsd->rps_ipi_next;

		smp_call_function_single_async(remsd->cpu, &remsd->csd);
		remsd = next;
	}
}
