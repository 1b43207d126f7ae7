#ifndef _GUEST_NETDEVICE_H
#define _GUEST_NETDEVICE_H

/*
 * Network devices, NAPI and the receive path (net/core/dev.c), after Linux's
 * net/core/dev.c:
 *
 *   - A driver's interrupt handler calls napi_schedule(): the napi_struct goes
 *     on this CPU's softnet_data.poll_list and NET_RX_SOFTIRQ is raised.
 *   - net_rx_action() (NET_RX softirq) polls each scheduled napi with its
 *     weight (64) until the budget (300 packets) or 2 jiffies are used up; then
 *     time_squeeze++ and the softirq is raised again for the rest. A poll that
 *     did less than its weight has called napi_complete_done() and re-enabled
 *     its interrupt; one that did its whole weight is polled again.
 *   - The driver's poll hands each frame to netif_receive_skb(): eth_type_trans()
 *     has set skb->protocol, the frame is counted per protocol on this CPU and
 *     given to the packet_type handler of its ethertype (ARP, IPv4), or freed.
 *
 * /proc/net/softnet_stat is printed in Linux's format, one line of hex fields
 * per CPU (processed, dropped, time_squeeze, 0 x 6, received_rps,
 * flow_limit_count, backlog length, CPU index).
 */

#include "asm/percpu.h"
#include "list.h"
#include "skbuff.h"
#include "smp.h"
#include "spinlock.h"
#include "types.h"

#define IFNAMSIZ 16
#define NET_RX_SUCCESS 0
#define NET_RX_DROP 1
#define NAPI_POLL_WEIGHT 64
#define NETDEV_BUDGET 300
#define NETDEV_BUDGET_JIFFIES 2

struct net_device {
	char name[IFNAMSIZ];
	u8 dev_addr[6];
	u32 ip_addr; /* our IPv4 address, network byte order (option ip=) */
	unsigned int mtu;
	unsigned int num_rx_queues;
	unsigned int num_tx_queues;
	bool carrier;
	/* Queues skb for transmission on skb->queue_mapping; consumes it. 0 or -1 (dropped). */
	int (*start_xmit)(struct sk_buff *skb, struct net_device *dev);
	void *priv;
	struct net_device *next;
};

enum { NAPI_STATE_SCHED = 0 };

struct napi_struct {
	struct list_head poll_list;
	unsigned long state;
	int weight;
	int (*poll)(struct napi_struct *napi, int budget);
	struct net_device *dev;
	unsigned int index;
};

/* What each protocol counter in softnet_data.rx_proto counts. */
enum net_proto_class {
	NET_PROTO_IPV4,
	NET_PROTO_IPV6,
	NET_PROTO_ARP,
	NET_PROTO_VLAN,
	NET_PROTO_OTHER,
	NR_NET_PROTO_CLASSES,
};

/* Per-CPU state of the receive path (Linux's softnet_data, with its statistics). */
struct softnet_data {
	struct list_head poll_list; /* napi_structs scheduled on this CPU */
	unsigned int processed;	    /* frames given to netif_receive_skb */
	unsigned int dropped;	    /* frames dropped by the stack (a full backlog) */
	unsigned int time_squeeze;  /* net_rx_action ran out of budget or time with work left */
	unsigned int received_rps;  /* RPS IPIs that scheduled this CPU's backlog */
	unsigned int rx_nohandler; /* no packet_type for the ethertype */
	unsigned long rx_proto[NR_NET_PROTO_CLASSES];
	unsigned long rx_bytes;
	unsigned long napi_polls;
	unsigned long
		rxwork_sink; /* result of the rxwork= busy work, so it is not optimised away */
	/* RPS (net/core/rps.c): packets steered here wait in input_pkt_queue for the backlog napi. */
	spinlock_t input_pkt_lock;
	struct sk_buff *input_pkt_head, *input_pkt_tail;
	unsigned int input_pkt_qlen;
	unsigned int cpu;
	bool in_net_rx_action;
	struct napi_struct backlog;
	struct softnet_data *rps_ipi_list; /* CPUs whose backlog this CPU must wake (IPI) */
	struct softnet_data *rps_ipi_next;
	call_single_data_t csd; /* the IPI that wakes this CPU's backlog */
	unsigned long rps_enqueued; /* packets this CPU put on a backlog (its own included) */
} __aligned(64);

DECLARE_PER_CPU(struct softnet_data, softnet_data);

/* Handler of one ethertype (host byte order); consumes the skb. */
struct packet_type {
	u16 type;
	int (*func)(struct sk_buff *skb, struct net_device *dev, struct packet_type *pt);
	struct packet_type *next;
};

#define NET_MAX_ROUTES 16
#define NET_MAX_NEIGHS 16

/* route=PREFIX/LEN,via,GW (host byte order) */
struct net_route_option {
	u32 dst;
	u32 gw;
	u8 prefixlen;
};

/* neigh=A.B.C.D,xx:xx:xx:xx:xx:xx: a permanent neighbour entry */
struct net_neigh_option {
	u32 addr; /* host byte order */
	u8 ha[6];
};

/* Network options from the kernel command line (kernel/params.c -> net_parse_option()). */
struct net_options {
	bool replay;  /* replay: wait for the end of a traffic replay (link down), then report */
	bool procnet; /* procnet: print the net views after bring-up too */
	unsigned long rxwork;	 /* rxwork=N: N iterations of busy work per received frame */
	u32 ip_addr;		 /* ip=a.b.c.d (host byte order), default 10.0.0.2 */
	u32 ip_netmask;		/* ip=...:netmask (host order); 0: the address's class (ipconfig) */
	u32 ip_gateway;		/* ip=...:gw: the default route's gateway (host order); 0: none */
	bool ip_forward;	/* ip_forward=1: net.ipv4.ip_forward (default 0) */
	unsigned int nr_routes; /* route= options */
	struct net_route_option routes[NET_MAX_ROUTES];
	unsigned int nr_neighs; /* neigh= options */
	struct net_neigh_option neighs[NET_MAX_NEIGHS];
	int igb_msix;		 /* igb.msix=0: MSI instead of MSI-X (default 1) */
	unsigned int igb_queues; /* igb.queues=N (0: number of online CPUs, at most 8) */
	int igb_itr_us; /* igb.itr=N microseconds between interrupts per vector; 0 none; -1 default
			 */
	bool igb_bad_dma; /* igb.baddma: fault injection, RX queue 0's ring at 1 TiB (no memory) */
	bool igb_rxvlan;  /* igb.rxvlan=1: the NIC strips 802.1Q tags (CTRL.VME), as ethtool's rxvlan */
};

extern struct net_options net_options;

void net_options_init(void);
/* true if the word (len bytes) is a net or igb option; parses it. */
bool net_parse_option(const char *word, size_t len);

/* Registers NET_RX, the ARP and IPv4 handlers. Boot CPU, after the CPUs are up. */
void net_dev_init(void);
int register_netdev(struct net_device *dev);
/* The first registered device, or NULL. */
struct net_device *first_net_device(void);

void netif_napi_add(struct net_device *dev, struct napi_struct *napi,
		    int (*poll)(struct napi_struct *, int), int weight);
/* Claims the napi for polling: false if it is already scheduled. */
bool napi_schedule_prep(struct napi_struct *napi);
/* Puts it on this CPU's poll list and raises NET_RX (interrupts off). */
void __napi_schedule(struct napi_struct *napi);

static inline void napi_schedule(struct napi_struct *napi)
{
	if (napi_schedule_prep(napi))
		__napi_schedule(napi);
}

/* The poll is done (work_done < weight): the napi is no longer scheduled; true if so. */
bool napi_complete_done(struct napi_struct *napi, int work_done);
static inline bool napi_is_scheduled(const struct napi_struct *napi)
{
	return __atomic_load_n(&napi->state, __ATOMIC_RELAXED) & (1UL << NAPI_STATE_SCHED);
}

/* Sets skb->protocol and pkt_type, pulls the Ethernet header; returns the protocol. */
u16 eth_type_trans(struct sk_buff *skb, struct net_device *dev);
int netif_receive_skb(struct sk_buff *skb);
/* Transmits on queue skb->queue_mapping (or this CPU's); consumes skb. */
int dev_queue_xmit(struct sk_buff *skb);

void dev_add_pack(struct packet_type *pt);
void dev_remove_pack(struct packet_type *pt);

/* net/ipv4/arp.c: registers the ARP and IPv4 handlers; the gratuitous ARP. */
void net_proto_init(void);
void arp_send_gratuitous(struct net_device *dev);
/* A frame from dev to dest of ethertype proto with the Ethernet header put, on rx's queue index. */
struct sk_buff *eth_reply_skb(struct net_device *dev, const struct sk_buff *rx, const u8 *dest,
			      u16 proto);
/* Pads a frame to the 60-byte Ethernet minimum. */
void eth_pad_to_min(struct sk_buff *skb);

/* The end of a replay (link down with "replay"): the driver reports it, kernel_main waits for it.
 */
void net_replay_link_down(void);
/* Waits (interrupts on) until the replay ends; false if there is no device to wait for. */
bool net_wait_replay_end(void);

/* Waits up to 1 s (interrupts on) until no CPU has NAPI work scheduled; false on timeout. */
bool net_wait_idle(void);

/* drivers/net/igb: registers the 82576 driver (probes the devices found by pci_init()). */
void igb_init_module(void);

/* /proc/net/softnet_stat and the per-CPU, per-protocol receive counts ("~ " lines). */
void net_show_softnet_stat(void);
void net_show_views(void);

/*
 * RPS, Receive Packet Steering (net/core/rps.c), after Linux's net/core/dev.c:
 * rps_cpus=Q:MASK (the hex CPU mask of /sys/class/net/eth0/queues/rx-Q/rps_cpus)
 * gives RX queue Q a map of CPUs; netif_receive_skb() then hands each packet
 * of that queue to map->cpus[reciprocal_scale(skb->hash, map->len)] through
 * that CPU's backlog (at most netdev_max_backlog = 1000 packets; more are
 * dropped, counted in softnet_stat's dropped column). A CPU that queued packets
 * for others sends each of them an IPI when its NET_RX softirq ends; the IPI
 * schedules the target's backlog napi and counts received_rps there.
 * rps_flow_cnt=Q:N sizes the queue's RFS flow table as Linux's sysfs file does;
 * the guest has no sockets, so RFS never has a desired CPU and steering stays
 * by hash (as on Linux with rps_sock_flow_entries = 0).
 */
#define RPS_MAX_RX_QUEUES 16
#define NETDEV_MAX_BACKLOG 1000
bool rps_parse_option(const char *word, size_t len);
/* Builds the maps from the options once the CPUs are online; sets up every CPU's backlog. */
void net_rps_init(void);
/* The CPU a packet of RX queue queue with this hash is steered to, or -1 (no RPS on the queue). */
int rps_target_cpu(unsigned int queue, u32 hash);
/* Installs (mask non-empty) or removes the map of an RX queue; self-tests. Process context. */
void rps_set_map(unsigned int queue, const cpumask_t *mask);
/* Steers skb if its queue has a map: NET_RX_SUCCESS/NET_RX_DROP, or -1 if it was not steered. */
int netif_rps_steer(struct sk_buff *skb);
/* Called by net_rx_action() with interrupts off: sends the IPIs it queued, enables interrupts. */
void net_rps_action_and_irq_enable(struct softnet_data *sd);
/* The receive path proper, on the CPU that processes the packet (RPS target or not). */
int __netif_receive_skb(struct sk_buff *skb);
/* Driver hook for its own lines in net_show_views(). */
extern void (*net_driver_show_stats)(void);

#endif /* _GUEST_NETDEVICE_H */
