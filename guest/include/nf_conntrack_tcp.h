#ifndef _GUEST_NF_CONNTRACK_TCP_H
#define _GUEST_NF_CONNTRACK_TCP_H

/*
 * The TCP connection tracker's per-connection state, after Linux's
 * include/uapi/linux/netfilter/nf_conntrack_tcp.h and
 * include/linux/netfilter/nf_conntrack_tcp.h. The tracker itself is
 * net/netfilter/nf_conntrack_proto_tcp.c.
 */

#include "types.h"

enum tcp_conntrack {
	TCP_CONNTRACK_NONE,
	TCP_CONNTRACK_SYN_SENT,
	TCP_CONNTRACK_SYN_RECV,
	TCP_CONNTRACK_ESTABLISHED,
	TCP_CONNTRACK_FIN_WAIT,
	TCP_CONNTRACK_CLOSE_WAIT,
	TCP_CONNTRACK_LAST_ACK,
	TCP_CONNTRACK_TIME_WAIT,
	TCP_CONNTRACK_CLOSE,
	TCP_CONNTRACK_LISTEN, /* obsolete */
#define TCP_CONNTRACK_SYN_SENT2 TCP_CONNTRACK_LISTEN
	TCP_CONNTRACK_MAX,
	TCP_CONNTRACK_IGNORE,
	TCP_CONNTRACK_RETRANS,
	TCP_CONNTRACK_UNACK,
	TCP_CONNTRACK_TIMEOUT_MAX
};

/* ip_ct_tcp_state.flags */
#define IP_CT_TCP_FLAG_WINDOW_SCALE 0x01
#define IP_CT_TCP_FLAG_SACK_PERM 0x02
#define IP_CT_TCP_FLAG_CLOSE_INIT 0x04
#define IP_CT_TCP_FLAG_BE_LIBERAL 0x08
#define IP_CT_TCP_FLAG_DATA_UNACKNOWLEDGED 0x10
#define IP_CT_TCP_FLAG_MAXACK_SET 0x20
#define IP_CT_EXP_CHALLENGE_ACK 0x40
#define IP_CT_TCP_SIMULTANEOUS_OPEN 0x80

struct ip_ct_tcp_state {
	u32 td_end;    /* max of seq + len */
	u32 td_maxend; /* max of ack + max(win, 1) */
	u32 td_maxwin; /* max(win) */
	u32 td_maxack; /* max of ack */
	u8 td_scale;   /* window scale factor */
	u8 flags;      /* IP_CT_TCP_FLAG_* */
};

struct ip_ct_tcp {
	struct ip_ct_tcp_state seen[2]; /* connection parameters per direction */
	u8 state;			/* enum tcp_conntrack */
	/* For detecting stale connections */
	u8 last_dir;	/* direction of the last packet */
	u8 retrans;	/* number of retransmitted packets */
	u8 last_index;	/* index of the last packet */
	u32 last_seq;	/* last sequence number seen in dir */
	u32 last_ack;	/* last sequence number seen in opposite dir */
	u32 last_end;	/* last seq + len */
	u16 last_win;	/* last window advertisement seen in dir */
	u8 last_wscale; /* last window scaling factor seen */
	u8 last_flags;	/* last flags set */
};

#endif /* _GUEST_NF_CONNTRACK_TCP_H */
