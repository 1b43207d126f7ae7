/*
 * The receive path: NAPI scheduling and net_rx_action (NET_RX softirq),
 * netif_receive_skb with per-CPU protocol counts and the packet_type
 * dispatch, transmission through the device, the command-line options of
 * the network code and the /proc/net views.
 */

#include "asm/percpu.h"
#include "asm/processor.h"
#include "asm/smpsim.h"
#include "asm/smp.h"
#include "asm/timer.h"
#include "barrier.h"
#include "bitops.h"
#include "cmdline.h"
#include "ctype.h"
#include "if_ether.h"
#include "interrupt.h"
#include "ip_tables.h"
#include "kernel.h"
#include "neighbour.h"
#include "netdevice.h"
#include "nf_conntrack.h"
#include "nf_nat.h"
#include "rcupdate.h"
#include "smp.h"
#include "snmp.h"
#include "spinlock.h"
#include "string.h"
#include "timer.h"

DEFINE_PER_CPU(struct softnet_data, softnet_data);

struct net_options net_options;
void (*net_driver_show_stats)(void);

static struct net_device *dev_base;
static struct packet_type *ptype_base; /* RCU-protected list of handlers */
static DEFINE_SPINLOCK(ptype_lock);
static volatile bool replay_ended;

/* --- Options --------------------------------------------------------------------------------- */

void net_options_init(void)
{
	memset(&net_options, 0, sizeof(net_options));
	net_options.ip_addr = 10U << 24 | 2; /* 10.0.0.2 */
	net_options.igb_msix = 1;
	net_options.igb_itr_us = -1;
}

/* "a.b.c.d" in [p, end) into host byte order; false if malformed. */
static bool parse_ipv4(const char *p, const char *end, u32 *addr)
{
	u32 value = 0;
	unsigned int part;

	for (part = 0; part < 4; part++) {
		const char *q;
		unsigned long long n;

		if (p >= end || !isdigit(*p))
			return false;
		n = simple_strtoull(p, &q, 10);
		if (n > 255 || q > end)
			return false;
		value = value << 8 | n;
		p = q;
		if (part < 3) {
			if (p >= end || *p != '.')
				return false;
			p++;
		}
	}
	if (p != end)
		return false;
	*addr = value;
	return true;
}

/* [p, end) up to the first c (or end). */
static const char *field_end(const char *p, const char *end, char c)
{
	while (p < end && *p != c)
		p++;
	return p;
}

/* A netmask of contiguous ones ("255.255.255.252"), host order. */
static bool netmask_valid(u32 mask)
{
	return mask && (~mask & (~mask + 1)) == 0;
}

/*
 * Linux's nfsroot-style ip= (net/ipv4/ipconfig.c, ip_auto_config_setup()):
 * <client-ip>:<server-ip>:<gw-ip>:<netmask>:<hostname>:<device>:<autoconf>,
 * every field optional. Only the static configuration exists: autoconf must be
 * empty, off, none or static; the server and hostname are accepted and unused;
 * the device must be empty or eth0 (the one NIC). Nothing is changed unless the
 * whole option is valid.
 */
static bool parse_ip_config(const char *p, const char *end)
{
	u32 addr = net_options.ip_addr, gw = net_options.ip_gateway, mask = net_options.ip_netmask;
	unsigned int field;

	for (field = 0; field < 7; field++) {
		const char *q = field_end(p, end, ':');
		size_t n = q - p;
		u32 value;

		if (n && field < 4 && !parse_ipv4(p, q, &value))
			return false;
		if (field == 0 && n)
			addr = value;
		else if (field == 2)
			gw = n ? value : 0;
		else if (field == 3 && n) {
			if (!netmask_valid(value))
				return false;
			mask = value;
		} else if (field == 5 && n && !(n == 4 && !strncmp(p, "eth0", 4)))
			return false;
		else if (field == 6 && n &&
			 !((n == 3 && !strncmp(p, "off", 3)) ||
			   (n == 4 && !strncmp(p, "none", 4)) ||
			   (n == 6 && !strncmp(p, "static", 6))))
			return false;
		if (q == end) {
			p = q;
			break;
		}
		p = q + 1;
	}
	if (p != end)
		return false;
	net_options.ip_addr = addr;
	net_options.ip_gateway = gw;
	net_options.ip_netmask = mask;
	return true;
}

/* "A.B.C.D/LEN" (the host bits must be zero) into host order. */
static bool parse_prefix(const char *p, const char *end, u32 *prefix, u8 *len)
{
	const char *slash = field_end(p, end, '/');
	unsigned long long n;
	const char *q;

	if (slash == end || !parse_ipv4(p, slash, prefix) || slash + 1 == end || !isdigit(slash[1]))
		return false;
	n = simple_strtoull(slash + 1, &q, 10);
	if (q != end || n > 32)
		return false;
	if (n < 32 && (*prefix & (0xffffffffU >> n)))
		return false;
	*len = n;
	return true;
}

/* route=PREFIX/LEN,via,GW */
static bool parse_route(const char *p, const char *end)
{
	const char *c1 = field_end(p, end, ',');
	struct net_route_option r;

	if (c1 == end || !parse_prefix(p, c1, &r.dst, &r.prefixlen))
		return false;
	p = c1 + 1;
	if (end - p < 5 || strncmp(p, "via,", 4) || !parse_ipv4(p + 4, end, &r.gw))
		return false;
	if (net_options.nr_routes == NET_MAX_ROUTES) {
		printk("route=: at most %u routes\n", NET_MAX_ROUTES);
		return false;
	}
	net_options.routes[net_options.nr_routes++] = r;
	return true;
}

static int hex_digit(char c)
{
	if (isdigit(c))
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* neigh=A.B.C.D,xx:xx:xx:xx:xx:xx */
static bool parse_neigh(const char *p, const char *end)
{
	const char *comma = field_end(p, end, ',');
	struct net_neigh_option nb;
	unsigned int i;

	if (comma == end || !parse_ipv4(p, comma, &nb.addr) || end - comma != 1 + 17)
		return false;
	p = comma + 1;
	for (i = 0; i < 6; i++, p += 3) {
		int hi = hex_digit(p[0]), lo = hex_digit(p[1]);

		if (hi < 0 || lo < 0 || (i < 5 && p[2] != ':'))
			return false;
		nb.ha[i] = hi << 4 | lo;
	}
	if (net_options.nr_neighs == NET_MAX_NEIGHS) {
		printk("neigh=: at most %u entries\n", NET_MAX_NEIGHS);
		return false;
	}
	net_options.neighs[net_options.nr_neighs++] = nb;
	return true;
}


bool net_parse_option(const char *word, size_t len)
{
	unsigned long long n;

	if (cmdline_word_is(word, len, "replay")) {
		net_options.replay = true;
	} else if (cmdline_word_is(word, len, "procnet")) {
		net_options.procnet = true;
	} else if (cmdline_word_is(word, len, "igb.baddma")) {
		net_options.igb_bad_dma = true;
	} else if (cmdline_option_number(word, len, "rxwork", &n)) {
		if (n != ~0ULL)
			net_options.rxwork = n;
	} else if (cmdline_option_number(word, len, "igb.msix", &n)) {
		if (n != ~0ULL)
			net_options.igb_msix = n != 0;
	} else if (cmdline_option_number(word, len, "igb.rxvlan", &n)) {
		if (n != ~0ULL)
			net_options.igb_rxvlan = n != 0;
	} else if (cmdline_option_number(word, len, "igb.queues", &n)) {
		if (n != ~0ULL && (n < 1 || n > 8))
			printk("igb.queues=%llu: must be 1-8, ignored\n", n);
		else if (n != ~0ULL)
			net_options.igb_queues = n;
	} else if (cmdline_option_number(word, len, "igb.itr", &n)) {
		if (n != ~0ULL && n > 8191)
			printk("igb.itr=%llu: at most 8191 microseconds, ignored\n", n);
		else if (n != ~0ULL)
			net_options.igb_itr_us = n;
	} else if (rps_parse_option(word, len)) {
		/* rps_cpus=, rps_flow_cnt= */
	} else if (cmdline_option_number(word, len, "ip_forward", &n)) {
		if (n != ~0ULL && n > 1)
			printk("ip_forward=%llu: must be 0 or 1, ignored\n", n);
		else if (n != ~0ULL)
			net_options.ip_forward = n;
	} else if (len > 3 && !strncmp(word, "ip=", 3)) {
		if (!parse_ip_config(word + 3, word + len))
			printk("Malformed option \"%.*s\", ignored\n", (int)len, word);
	} else if (len > 6 && !strncmp(word, "route=", 6)) {
		if (!parse_route(word + 6, word + len))
			printk("Malformed option \"%.*s\" (route=PREFIX/LEN,via,GW), ignored\n",
			       (int)len, word);
	} else if (len > 6 && !strncmp(word, "neigh=", 6)) {
		if (!parse_neigh(word + 6, word + len))
			printk("Malformed option \"%.*s\" (neigh=A.B.C.D,xx:xx:xx:xx:xx:xx), "
			       "ignored\n",
			       (int)len, word);
	} else if (ipt_filter_parse_option(word, len)) {
		/* nf.filter= and nf.policy=: net/ipv4/netfilter/iptable_filter.c */
	} else if (nf_conntrack_parse_option(word, len)) {
		/* conntrack's own words */
	} else {
		return false;
	}
	return true;
}

/* --- Devices and handlers -------------------------------------------------------------------- */

int register_netdev(struct net_device *dev)
{
	struct net_device **p = &dev_base;

	while (*p)
		p = &(*p)->next;
	dev->next = NULL;
	if (!dev->mtu)
		dev->mtu = ETH_DATA_LEN;
	dev->ip_addr = htonl(net_options.ip_addr);
	*p = dev;
	return 0;
}

struct net_device *first_net_device(void)
{
	return dev_base;
}

void dev_add_pack(struct packet_type *pt)
{
	unsigned long flags = spin_lock_irqsave(&ptype_lock);

	pt->next = ptype_base;
	rcu_assign_pointer(ptype_base, pt);
	spin_unlock_irqrestore(&ptype_lock, flags);
}

void dev_remove_pack(struct packet_type *pt)
{
	unsigned long flags = spin_lock_irqsave(&ptype_lock);
	struct packet_type **p;

	for (p = &ptype_base; *p; p = &(*p)->next) {
		if (*p == pt) {
			rcu_assign_pointer(*p, pt->next);
			break;
		}
	}
	spin_unlock_irqrestore(&ptype_lock, flags);
	/* Readers may still be in the handler. */
	synchronize_rcu();
}

/* --- NAPI ------------------------------------------------------------------------------------ */

void netif_napi_add(struct net_device *dev, struct napi_struct *napi,
		    int (*poll)(struct napi_struct *, int), int weight)
{
	INIT_LIST_HEAD(&napi->poll_list);
	napi->state = 0;
	napi->weight = weight;
	napi->poll = poll;
	napi->dev = dev;
}

bool napi_schedule_prep(struct napi_struct *napi)
{
	return !test_and_set_bit(NAPI_STATE_SCHED, &napi->state);
}

void __napi_schedule(struct napi_struct *napi)
{
	unsigned long flags = local_irq_save();

	list_add_tail(&napi->poll_list, &this_cpu_ptr(&softnet_data)->poll_list);
	raise_softirq_irqoff(NET_RX_SOFTIRQ);
	local_irq_restore(flags);
}

bool napi_complete_done(struct napi_struct *napi, int work_done)
{
	/*
	 * The driver re-enables its interrupt after this returns: everything it
	 * did with the ring must be visible before another CPU may claim the napi.
	 */
	smp_mb__before_atomic();
	clear_bit(NAPI_STATE_SCHED, &napi->state);
	return true;
}

/* Moves every entry of from to the front (tail: back) of to; from ends up empty. */
static void list_splice_init_at(struct list_head *from, struct list_head *to, bool tail)
{
	struct list_head *first = from->next, *last = from->prev;
	struct list_head *prev = tail ? to->prev : to;
	struct list_head *next = tail ? to : to->next;

	if (list_empty(from))
		return;
	first->prev = prev;
	prev->next = first;
	last->next = next;
	next->prev = last;
	INIT_LIST_HEAD(from);
}

static int napi_poll(struct napi_struct *napi, struct list_head *repoll)
{
	int weight = napi->weight;
	int work = 0;

	if (napi_is_scheduled(napi)) {
		unsigned int cpu = smp_processor_id();

		smpsim_region_begin(cpu, SMPSIM_REGION_NAPI_POLL);
		work = napi->poll(napi, weight);
		smpsim_region_end(cpu, SMPSIM_REGION_NAPI_POLL);
		this_cpu_ptr(&softnet_data)->napi_polls++;
	}
	if (work < weight)
		return work; /* the driver called napi_complete_done() */
	/* Used its whole weight: still scheduled, polled again after the others. */
	list_add_tail(&napi->poll_list, repoll);
	return work;
}

static void net_rx_action(void)
{
	struct softnet_data *sd = this_cpu_ptr(&softnet_data);
	unsigned long time_limit = jiffies + NETDEV_BUDGET_JIFFIES;
	int budget = NETDEV_BUDGET;
	LIST_HEAD(list);
	LIST_HEAD(repoll);

	local_irq_disable();
	sd->in_net_rx_action = true;
	list_splice_init_at(&sd->poll_list, &list, false);
	local_irq_enable();

	for (;;) {
		struct napi_struct *napi;

		if (list_empty(&list))
			break;
		napi = list_first_entry(&list, struct napi_struct, poll_list);
		list_del_init(&napi->poll_list);
		budget -= napi_poll(napi, &repoll);
		/* As Linux: out of budget or time counts as a squeeze, left work or not. */
		if (budget <= 0 || time_after_eq(jiffies, time_limit)) {
			sd->time_squeeze++;
			break;
		}
	}

	local_irq_disable();
	/* Order: what was left, what must be polled again, what interrupts added meanwhile. */
	list_splice_init_at(&repoll, &list, true);
	list_splice_init_at(&sd->poll_list, &list, true);
	list_splice_init_at(&list, &sd->poll_list, false);
	if (!list_empty(&sd->poll_list))
		raise_softirq_irqoff(NET_RX_SOFTIRQ);
	sd->in_net_rx_action = false;
	/* The IPIs to the CPUs whose backlogs got packets from this one (RPS). */
	net_rps_action_and_irq_enable(sd);
}

/* --- Receive --------------------------------------------------------------------------------- */

u16 eth_type_trans(struct sk_buff *skb, struct net_device *dev)
{
	const struct ethhdr *eth = (const struct ethhdr *)skb->data;

	skb->dev = dev;
	skb->mac_header = skb->data - skb->head;
	if (skb->len < ETH_HLEN) {
		skb->protocol = 0;
		return 0;
	}
	if (is_multicast_ether_addr(eth->h_dest))
		skb->pkt_type =
			is_broadcast_ether_addr(eth->h_dest) ? PACKET_BROADCAST : PACKET_MULTICAST;
	else if (!ether_addr_equal(eth->h_dest, dev->dev_addr))
		skb->pkt_type = PACKET_OTHERHOST;
	else
		skb->pkt_type = PACKET_HOST;
	skb->protocol = ntohs(eth->h_proto);
	skb_pull(skb, ETH_HLEN);
	skb_reset_network_header(skb);
	return skb->protocol;
}

static enum net_proto_class proto_class(u16 protocol)
{
	switch (protocol) {
	case ETH_P_IP:
		return NET_PROTO_IPV4;
	case ETH_P_IPV6:
		return NET_PROTO_IPV6;
	case ETH_P_ARP:
		return NET_PROTO_ARP;
	case ETH_P_8021Q:
	case ETH_P_8021AD:
		return NET_PROTO_VLAN;
	default:
		return NET_PROTO_OTHER;
	}
}

/* rxwork=N: a dependent chain of N multiply-adds over the frame's bytes, like per-packet
 * processing. */
static void rx_busy_work(struct softnet_data *sd, const struct sk_buff *skb)
{
	unsigned long acc = sd->rxwork_sink, i;
	unsigned int len = skb->len ? skb->len : 1;

	for (i = 0; i < net_options.rxwork; i++) {
		acc = acc * 31 + (skb->len ? skb->data[i % len] : i);
		barrier();
	}
	sd->rxwork_sink = acc;
}

static inline bool eth_type_vlan(u16 ethertype)
{
	return ethertype == ETH_P_8021Q || ethertype == ETH_P_8021AD;
}

/*
 * A VLAN-tagged frame on a device with no VLAN device on top, as Linux 6.18's
 * __netif_receive_skb_core() (net/core/dev.c) handles it when the NIC has not
 * stripped the tag (the igb driver does not enable CTRL.VME):
 *
 *   - skb_vlan_untag() takes the tag into skb->vlan_tci and sets
 *     skb->protocol to the inner ethertype (a frame too short for the tag is
 *     freed there);
 *   - vlan_do_receive() (net/8021q/vlan_core.c) finds no VLAN device for
 *     (vlan_proto, VID) and returns false with the skb untouched (since Linux
 *     3.x it no longer sets PACKET_OTHERHOST itself);
 *   - at check_vlan_id, a VID != 0 makes the frame PACKET_OTHERHOST ("Vlan id
 *     is non 0 and vlan_do_receive() above couldn't find vlan device"); a
 *     priority tag (VID 0) over another 802.1Q/802.1ad tag is untagged again
 *     and checked again; then the tag is cleared (__vlan_hwaccel_clear_tag()).
 *
 * The frame then goes to the handler of its inner ethertype: with VID != 0,
 * ip_rcv() drops it as OTHERHOST before InReceives and arp_rcv() ignores it;
 * a priority-tagged (VID 0) frame is received as if untagged.
 */
static struct sk_buff *netif_receive_vlan(struct sk_buff *skb)
{
	/* A tag the NIC stripped (CTRL.VME) is already in skb->vlan_tci, as
	 * __vlan_hwaccel_put_tag(). */
	if (!skb->vlan_present) {
		skb = skb_vlan_untag(skb);
		if (unlikely(!skb))
			return NULL;
	}
	/* vlan_do_receive(&skb): no VLAN device, false. */
	for (;;) {
		if (skb_vlan_tag_get_id(skb)) {
			skb->pkt_type = PACKET_OTHERHOST;
		} else if (eth_type_vlan(skb->protocol)) {
			skb->vlan_present = 0;
			skb = skb_vlan_untag(skb);
			if (unlikely(!skb))
				return NULL;
			continue;
		}
		break;
	}
	skb->vlan_present = 0;
	return skb;
}

/* netif_receive_skb(): steered to another CPU's backlog by RPS, or received here. */
int netif_receive_skb(struct sk_buff *skb)
{
	int ret = netif_rps_steer(skb);

	return ret >= 0 ? ret : __netif_receive_skb(skb);
}

static int __netif_receive_skb_core(struct sk_buff *skb)
{
	struct softnet_data *sd = this_cpu_ptr(&softnet_data);
	struct packet_type *pt;
	u16 protocol = skb->protocol;

	sd->processed++;
	sd->rx_bytes += skb->len + ETH_HLEN;
	sd->rx_proto[proto_class(protocol)]++;
	if (net_options.rxwork)
		rx_busy_work(sd, skb);
	if (unlikely(eth_type_vlan(protocol) || skb->vlan_present)) {
		skb = netif_receive_vlan(skb);
		if (!skb)
			return NET_RX_DROP;
		protocol = skb->protocol;
	}

	rcu_read_lock();
	for (pt = rcu_dereference(ptype_base); pt; pt = rcu_dereference(pt->next)) {
		if (pt->type == protocol) {
			int ret = pt->func(skb, skb->dev, pt);

			rcu_read_unlock();
			return ret;
		}
	}
	rcu_read_unlock();
	sd->rx_nohandler++;
	kfree_skb_reason(skb, SKB_DROP_REASON_UNHANDLED_PROTO);
	return 0;
}

/*
 * The stack is done with a frame from a NIC ring when this returns (forwarded,
 * delivered or dropped): the simulator's per-packet latency ends here.
 */
int __netif_receive_skb(struct sk_buff *skb)
{
	u16 rx = skb->smpsim_rx;
	int ret = __netif_receive_skb_core(skb);

	if (rx & SMPSIM_RX_MARKED)
		smpsim_rx_skb_done(smp_processor_id(), rx & ~SMPSIM_RX_MARKED);
	return ret;
}

int dev_queue_xmit(struct sk_buff *skb)
{
	struct net_device *dev = skb->dev;

	if (!dev || !dev->start_xmit || !dev->carrier || !dev->num_tx_queues) {
		this_cpu_ptr(&softnet_data)->dropped++;
		kfree_skb_reason(skb, SKB_DROP_REASON_DEV_READY);
		return -1;
	}
	/* validate_xmit_skb(): no device here takes a frag_list (NETIF_F_FRAGLIST): linearise. */
	if (unlikely(skb_linearize(skb))) {
		this_cpu_ptr(&softnet_data)->dropped++;
		kfree_skb(skb);
		return -1;
	}
	if (skb->queue_mapping >= dev->num_tx_queues)
		skb->queue_mapping = smp_processor_id() % dev->num_tx_queues;
	return dev->start_xmit(skb, dev);
}

/* --- Replay ---------------------------------------------------------------------------------- */

void net_replay_link_down(void)
{
	replay_ended = true;
	smp_wmb();
	/* kernel_main waits in hlt on CPU 0: wake it now rather than at its next tick. */
	if (smp_processor_id() != 0)
		smp_send_reschedule(0);
}

bool net_wait_replay_end(void)
{
	if (!dev_base) {
		printk(MACHINE_DEPENDENT "net: replay: no network device, nothing to wait for\n");
		return false;
	}
	printk(MACHINE_DEPENDENT "net: replay: waiting for the link to go down\n");
	while (!READ_ONCE(replay_ended))
		cpu_idle_once();
	smp_rmb();
	return true;
}

bool net_wait_idle(void)
{
	unsigned long start = jiffies;

	for (;;) {
		unsigned int cpu;
		bool busy = false;

		for_each_online_cpu(cpu)
		{
			const struct softnet_data *sd = per_cpu_ptr(&softnet_data, cpu);

			if (READ_ONCE(sd->poll_list.next) != &sd->poll_list)
				busy = true;
		}
		if (!busy)
			return true;
		if (jiffies - start > HZ)
			return false;
		cpu_idle_once();
	}
}

/* --- Views ----------------------------------------------------------------------------------- */

void net_show_softnet_stat(void)
{
	unsigned int cpu;

	printk(MACHINE_DEPENDENT "/proc/net/softnet_stat:\n");
	for_each_online_cpu(cpu)
	{
		const struct softnet_data *sd = per_cpu_ptr(&softnet_data, cpu);

		/* Linux 5.x columns: processed dropped time_squeeze 0 0 0 0 0 0 received_rps
		 * flow_limit_count backlog_len cpu. */
		printk(MACHINE_DEPENDENT
		       "%08x %08x %08x %08x %08x %08x %08x %08x %08x %08x %08x %08x %08x\n",
		       sd->processed, sd->dropped, sd->time_squeeze, 0, 0, 0, 0, 0, 0,
		       sd->received_rps, 0, READ_ONCE(sd->input_pkt_qlen), cpu);
	}
}

static const char *const proto_class_names[NR_NET_PROTO_CLASSES] = {
	[NET_PROTO_IPV4] = "ipv4", [NET_PROTO_IPV6] = "ipv6",	[NET_PROTO_ARP] = "arp",
	[NET_PROTO_VLAN] = "vlan", [NET_PROTO_OTHER] = "other",
};

void net_show_views(void)
{
	unsigned long totals[NR_NET_PROTO_CLASSES] = { 0 };
	unsigned long all = 0;
	unsigned int cpu, i;
	char buf[256];
	int len;

	if (net_driver_show_stats)
		net_driver_show_stats();
	len = snprintf(buf, sizeof(buf), "%snet: per-cpu received:", MACHINE_DEPENDENT);
	for_each_online_cpu(cpu)
	{
		const struct softnet_data *sd = per_cpu_ptr(&softnet_data, cpu);

		len += snprintf(buf + len, sizeof(buf) - len, " cpu%u=%u", cpu, sd->processed);
		all += sd->processed;
		for (i = 0; i < NR_NET_PROTO_CLASSES; i++)
			totals[i] += sd->rx_proto[i];
	}
	printk("%s (total %lu)\n", buf, all);
	len = snprintf(buf, sizeof(buf), "%snet: per-protocol received:", MACHINE_DEPENDENT);
	for (i = 0; i < NR_NET_PROTO_CLASSES; i++)
		len += snprintf(buf + len, sizeof(buf) - len, " %s=%lu", proto_class_names[i],
				totals[i]);
	printk("%s\n", buf);
	for_each_online_cpu(cpu)
	{
		const struct softnet_data *sd = per_cpu_ptr(&softnet_data, cpu);

		len = snprintf(buf, sizeof(buf), "%snet: cpu%u:", MACHINE_DEPENDENT, cpu);
		for (i = 0; i < NR_NET_PROTO_CLASSES; i++)
			len += snprintf(buf + len, sizeof(buf) - len, " %s=%lu",
					proto_class_names[i], sd->rx_proto[i]);
		printk("%s nohandler=%u polls=%lu squeezed=%u\n", buf, sd->rx_nohandler,
		       sd->napi_polls, sd->time_squeeze);
	}
	if (skb_alloc_failures())
		printk(MACHINE_DEPENDENT "net: skb allocation failures: %lu\n",
		       skb_alloc_failures());
	net_show_softnet_stat();
	skb_drop_reason_show();
	snmp_seq_show();
	if (neigh_unres_discards())
		printk("net: neighbour: %lu packets dropped unresolved (ARP sent instead of "
		       "queueing)\n",
		       neigh_unres_discards());
	ipt_filter_show();
	if (nf_nat_rule_count()) {
		printk("iptables -t nat -L -v -n (table nat):\n");
		nf_nat_show_rules();
	}
	nf_conntrack_show_views();
}

void net_dev_init(void)
{
	static bool done;
	unsigned int cpu;

	/* Self-tests that need the receive path call it before net_init() does. */
	if (done)
		return;
	done = true;

	for_each_possible_cpu(cpu) INIT_LIST_HEAD(&per_cpu_ptr(&softnet_data, cpu)->poll_list);
	net_rps_init();
	open_softirq(NET_RX_SOFTIRQ, net_rx_action);
	net_proto_init();
	if (nf_conntrack_enabled)
		nf_conntrack_init();
	/* As Linux loads iptable_nat (and with it nf_nat) for a ruleset that has a nat table. */
	if (nf_nat_rule_count()) {
		if (nf_conntrack_initialized())
			nf_nat_init();
		else
			printk("nf_nat: NAT needs connection tracking (%s): the nat rules are not "
			       "used\n",
			       nf_conntrack_enabled ? "it did not start" : "conntrack=0");
	}
}
