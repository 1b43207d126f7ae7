/*
 * The TCP connection tracker, after Linux 6.18's
 * net/netfilter/nf_conntrack_proto_tcp.c (IPv4, one namespace, no NAT
 * sequence adjustment, no per-entry timeout policies, no SYN proxy).
 *
 * Each packet is checked (tcp_error()), a new entry gets its first state
 * (tcp_new()), then the state moves by tcp_conntracks[dir][index][state] and
 * the segment must lie in the window the tracker keeps for each direction
 * (tcp_in_window(), after Rooij's "Real Stateful TCP Packet Filtering in IP
 * Filter"). The special cases are Linux's: packets that may belong to a
 * connection the tracker lost track of are let through without a state change
 * (TCP_CONNTRACK_IGNORE), a SYN on a closed entry kills it so the core looks
 * the packet up again (-NF_REPEAT), and a RST must match the sequence the peer
 * acknowledged.
 */

#include "asm/timer.h"
#include "if_ether.h"
#include "kernel.h"
#include "netdevice.h"
#include "netfilter.h"
#include "cmdline.h"
#include "nf_conntrack.h"
#include "spinlock.h"
#include "string.h"

/* Linux's sysctls with their defaults. */
int nf_ct_tcp_loose = 1;
int nf_ct_tcp_be_liberal;
int nf_ct_tcp_max_retrans = 3;

#define SECS *HZ
#define MINS *60 SECS
#define HOURS *60 MINS
#define DAYS *24 HOURS

u32 nf_ct_tcp_timeouts[TCP_CONNTRACK_TIMEOUT_MAX] = {
	[TCP_CONNTRACK_SYN_SENT] = 2 MINS,    [TCP_CONNTRACK_SYN_RECV] = 60 SECS,
	[TCP_CONNTRACK_ESTABLISHED] = 5 DAYS, [TCP_CONNTRACK_FIN_WAIT] = 2 MINS,
	[TCP_CONNTRACK_CLOSE_WAIT] = 60 SECS, [TCP_CONNTRACK_LAST_ACK] = 30 SECS,
	[TCP_CONNTRACK_TIME_WAIT] = 2 MINS,   [TCP_CONNTRACK_CLOSE] = 10 SECS,
	[TCP_CONNTRACK_SYN_SENT2] = 2 MINS,   [TCP_CONNTRACK_RETRANS] = 5 MINS,
	[TCP_CONNTRACK_UNACK] = 5 MINS,
};

const char *const tcp_conntrack_names[TCP_CONNTRACK_MAX] = {
	"NONE",	      "SYN_SENT", "SYN_RECV",  "ESTABLISHED", "FIN_WAIT",
	"CLOSE_WAIT", "LAST_ACK", "TIME_WAIT", "CLOSE",	      "SYN_SENT2",
};

/* TCP header flag bits (the 14th byte) and options, as Linux's include/net/tcp.h. */
#define TCPHDR_FIN 0x01
#define TCPHDR_SYN 0x02
#define TCPHDR_RST 0x04
#define TCPHDR_PSH 0x08
#define TCPHDR_ACK 0x10
#define TCPHDR_URG 0x20
#define TCPHDR_ECE 0x40
#define TCPHDR_CWR 0x80

#define TCPOPT_EOL 0
#define TCPOPT_NOP 1
#define TCPOPT_WINDOW 3
#define TCPOPT_SACK_PERM 4
#define TCPOPT_SACK 5
#define TCPOPT_TIMESTAMP 8
#define TCPOLEN_WINDOW 3
#define TCPOLEN_SACK_PERM 2
#define TCPOLEN_TIMESTAMP 10
#define TCPOLEN_TSTAMP_ALIGNED 12
#define TCPOLEN_SACK_BASE 2
#define TCPOLEN_SACK_PERBLOCK 8
#define TCP_MAX_WSCALE 14

/* The window an ACK may lag behind by, at least (Linux's MAXACKWINCONST). */
#define MAXACKWINCONST 66000
#define MAXACKWINDOW(sender)                                                                       \
	((sender)->td_maxwin > MAXACKWINCONST ? (sender)->td_maxwin : MAXACKWINCONST)

/* Sequence number comparisons modulo 2^32. */
static inline bool before(u32 seq1, u32 seq2)
{
	return (s32)(seq1 - seq2) < 0;
}
#define after(seq2, seq1) before(seq1, seq2)

/* The flag classes that index tcp_conntracks[][] (Linux's order). */
enum tcp_bit_set {
	TCP_SYN_SET,
	TCP_SYNACK_SET,
	TCP_FIN_SET,
	TCP_ACK_SET,
	TCP_RST_SET,
	TCP_NONE_SET,
};

#define sNO TCP_CONNTRACK_NONE
#define sSS TCP_CONNTRACK_SYN_SENT
#define sSR TCP_CONNTRACK_SYN_RECV
#define sES TCP_CONNTRACK_ESTABLISHED
#define sFW TCP_CONNTRACK_FIN_WAIT
#define sCW TCP_CONNTRACK_CLOSE_WAIT
#define sLA TCP_CONNTRACK_LAST_ACK
#define sTW TCP_CONNTRACK_TIME_WAIT
#define sCL TCP_CONNTRACK_CLOSE
#define sS2 TCP_CONNTRACK_SYN_SENT2
#define sIV TCP_CONNTRACK_MAX
#define sIG TCP_CONNTRACK_IGNORE

/*
 * The new state by direction, flag class and old state: sIV marks the packet
 * invalid, sIG lets it through without a state change (the entry may be out
 * of sync with the endpoints).
 */
static const u8 tcp_conntracks[2][6][TCP_CONNTRACK_MAX] = {
	{
		/* ORIGINAL   sNO  sSS  sSR  sES  sFW  sCW  sLA  sTW  sCL  sS2 */
		/* syn */ { sSS, sSS, sIG, sIG, sIG, sIG, sIG, sSS, sSS, sS2 },
		/* synack */ { sIV, sIV, sSR, sIV, sIV, sIV, sIV, sIV, sIV, sSR },
		/* fin */ { sIV, sIV, sFW, sFW, sLA, sLA, sLA, sTW, sCL, sIV },
		/* ack */ { sES, sIV, sES, sES, sCW, sCW, sTW, sTW, sCL, sIV },
		/* rst */ { sIV, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL },
		/* none */ { sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV },
	},
	{
		/* REPLY      sNO  sSS  sSR  sES  sFW  sCW  sLA  sTW  sCL  sS2 */
		/* syn */ { sIV, sS2, sIV, sIV, sIV, sIV, sIV, sSS, sIV, sS2 },
		/* synack */ { sIV, sSR, sIG, sIG, sIG, sIG, sIG, sIG, sIG, sSR },
		/* fin */ { sIV, sIV, sFW, sFW, sLA, sLA, sLA, sTW, sCL, sIV },
		/* ack */ { sIV, sIG, sSR, sES, sCW, sCW, sTW, sTW, sCL, sIG },
		/* rst */ { sIV, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL },
		/* none */ { sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV },
	},
};

/* Which combinations of FIN, SYN, RST, ACK and URG are valid (PSH, ECE and CWR are masked off). */
static const u8
	tcp_valid_flags[(TCPHDR_FIN | TCPHDR_SYN | TCPHDR_RST | TCPHDR_ACK | TCPHDR_URG) + 1] = {
		[TCPHDR_SYN] = 1,
		[TCPHDR_SYN | TCPHDR_URG] = 1,
		[TCPHDR_SYN | TCPHDR_ACK] = 1,
		[TCPHDR_RST] = 1,
		[TCPHDR_RST | TCPHDR_ACK] = 1,
		[TCPHDR_FIN | TCPHDR_ACK] = 1,
		[TCPHDR_FIN | TCPHDR_ACK | TCPHDR_URG] = 1,
		[TCPHDR_ACK] = 1,
		[TCPHDR_ACK | TCPHDR_URG] = 1,
	};

/* What tcp_in_window() decided. */
enum nf_ct_tcp_action {
	NFCT_TCP_IGNORE, /* let it through, no state change */
	NFCT_TCP_INVALID,
	NFCT_TCP_ACCEPT,
};

static inline unsigned int tcp_doff(const struct tcphdr *th)
{
	return (th->doff_res >> 4) * 4;
}

static unsigned int get_conntrack_index(const struct tcphdr *th)
{
	if (th->flags & TCPHDR_RST)
		return TCP_RST_SET;
	if (th->flags & TCPHDR_SYN)
		return th->flags & TCPHDR_ACK ? TCP_SYNACK_SET : TCP_SYN_SET;
	if (th->flags & TCPHDR_FIN)
		return TCP_FIN_SET;
	if (th->flags & TCPHDR_ACK)
		return TCP_ACK_SET;
	return TCP_NONE_SET;
}

/* The sequence number after the segment: SYN and FIN count as one byte each. */
static u32 segment_seq_plus_len(u32 seq, unsigned int len, unsigned int dataoff,
				const struct tcphdr *th)
{
	return seq + len - dataoff - tcp_doff(th) + !!(th->flags & TCPHDR_SYN) +
	       !!(th->flags & TCPHDR_FIN);
}

/* The TCP options after the fixed header (the header's length was checked by tcp_error()). */
static const u8 *tcp_options_start(const struct sk_buff *skb, unsigned int dataoff, int *length)
{
	const struct tcphdr *th = (const struct tcphdr *)(skb->data + dataoff);

	*length = (int)tcp_doff(th) - (int)sizeof(struct tcphdr);
	return skb->data + dataoff + sizeof(struct tcphdr);
}

/* Window scale and SACK-permitted from a SYN's options; other flags except BE_LIBERAL are reset. */
static void tcp_options(const struct sk_buff *skb, unsigned int dataoff,
			struct ip_ct_tcp_state *state)
{
	int length;
	const u8 *ptr = tcp_options_start(skb, dataoff, &length);

	if (!length)
		return;
	state->td_scale = 0;
	state->flags &= IP_CT_TCP_FLAG_BE_LIBERAL;

	while (length > 0) {
		int opcode = *ptr++;
		int opsize;

		if (opcode == TCPOPT_EOL)
			return;
		if (opcode == TCPOPT_NOP) {
			length--;
			continue;
		}
		if (length < 2)
			return;
		opsize = *ptr++;
		if (opsize < 2 || opsize > length)
			return; /* silly or partial option */
		if (opcode == TCPOPT_SACK_PERM && opsize == TCPOLEN_SACK_PERM) {
			state->flags |= IP_CT_TCP_FLAG_SACK_PERM;
		} else if (opcode == TCPOPT_WINDOW && opsize == TCPOLEN_WINDOW) {
			state->td_scale = *ptr > TCP_MAX_WSCALE ? TCP_MAX_WSCALE : *ptr;
			state->flags |= IP_CT_TCP_FLAG_WINDOW_SCALE;
		}
		ptr += opsize - 2;
		length -= opsize;
	}
}

static u32 get_be32(const u8 *p)
{
	return (u32)p[0] << 24 | (u32)p[1] << 16 | (u32)p[2] << 8 | p[3];
}

/* Raises *sack to the highest right edge of the first SACK option's blocks. */
static void tcp_sack(const struct sk_buff *skb, unsigned int dataoff, u32 *sack)
{
	int length;
	const u8 *ptr = tcp_options_start(skb, dataoff, &length);

	if (!length)
		return;
	/* The usual timestamp-only header carries no SACK. */
	if (length == TCPOLEN_TSTAMP_ALIGNED &&
	    get_be32(ptr) == (TCPOPT_NOP << 24 | TCPOPT_NOP << 16 | TCPOPT_TIMESTAMP << 8 |
			      TCPOLEN_TIMESTAMP))
		return;

	while (length > 0) {
		int opcode = *ptr++;
		int opsize, i;

		if (opcode == TCPOPT_EOL)
			return;
		if (opcode == TCPOPT_NOP) {
			length--;
			continue;
		}
		if (length < 2)
			return;
		opsize = *ptr++;
		if (opsize < 2 || opsize > length)
			return;
		if (opcode == TCPOPT_SACK && opsize >= TCPOLEN_SACK_BASE + TCPOLEN_SACK_PERBLOCK &&
		    !((opsize - TCPOLEN_SACK_BASE) % TCPOLEN_SACK_PERBLOCK)) {
			for (i = 0; i < opsize - TCPOLEN_SACK_BASE; i += TCPOLEN_SACK_PERBLOCK) {
				u32 right = get_be32(ptr + i + 4);

				if (after(right, *sack))
					*sack = right;
			}
			return;
		}
		ptr += opsize - 2;
		length -= opsize;
	}
}

/* A window violation: accepted anyway when the sender or the sysctl is liberal. */
static enum nf_ct_tcp_action nf_tcp_log_invalid(const struct ip_ct_tcp_state *sender,
						enum nf_ct_tcp_action ret)
{
	if ((sender->flags & IP_CT_TCP_FLAG_BE_LIBERAL) || nf_ct_tcp_be_liberal)
		return NFCT_TCP_ACCEPT;
	return ret;
}

/* Starts a direction's window from its SYN (or SYN/ACK). */
static void tcp_init_sender(struct ip_ct_tcp_state *sender, struct ip_ct_tcp_state *receiver,
			    const struct sk_buff *skb, unsigned int dataoff, u32 end, u32 win,
			    enum ip_conntrack_dir dir)
{
	sender->td_end = sender->td_maxend = end;
	sender->td_maxwin = win == 0 ? 1 : win;
	tcp_options(skb, dataoff, sender);
	/* RFC 1323: scaling applies only if both sides offered it. */
	if (dir == IP_CT_DIR_REPLY && !((sender->flags & IP_CT_TCP_FLAG_WINDOW_SCALE) &&
					(receiver->flags & IP_CT_TCP_FLAG_WINDOW_SCALE))) {
		sender->td_scale = 0;
		receiver->td_scale = 0;
	}
}

/*
 * Whether the segment lies in the window of its direction (I: seq below the
 * receiver's max end, II: ack not beyond the data seen, III: end not below
 * what the receiver may still want, IV: ack not too old), and the updates of
 * both directions' td_* from it.
 */
static enum nf_ct_tcp_action tcp_in_window(struct nf_conn *ct, enum ip_conntrack_dir dir,
					   unsigned int index, const struct sk_buff *skb,
					   unsigned int dataoff, const struct tcphdr *th)
{
	struct ip_ct_tcp *state = &ct->proto.tcp;
	struct ip_ct_tcp_state *sender = &state->seen[dir];
	struct ip_ct_tcp_state *receiver = &state->seen[!dir];
	u32 seq, ack, sack, end, win, swin;
	bool in_recv_win, seq_ok;
	u16 win_raw;

	seq = ntohl(th->seq);
	ack = sack = ntohl(th->ack_seq);
	win_raw = ntohs(th->window);
	win = win_raw;
	end = segment_seq_plus_len(seq, skb->len, dataoff, th);

	if (receiver->flags & IP_CT_TCP_FLAG_SACK_PERM)
		tcp_sack(skb, dataoff, &sack);

	if (sender->td_maxwin == 0) {
		if (th->flags & TCPHDR_SYN) {
			/* SYN/ACK answering a SYN, or a SYN of a simultaneous open. */
			tcp_init_sender(sender, receiver, skb, dataoff, end, win, dir);
			if (!(th->flags & TCPHDR_ACK))
				return NFCT_TCP_ACCEPT;
		} else {
			/* Midstream: this direction's history is lost, start from this packet. */
			sender->td_end = end;
			swin = win << sender->td_scale;
			sender->td_maxwin = swin == 0 ? 1 : swin;
			sender->td_maxend = end + sender->td_maxwin;
			if (receiver->td_maxwin == 0) {
				/* Nothing seen the other way yet: let III and IV pass. */
				receiver->td_end = receiver->td_maxend = sack;
			} else if (sack == receiver->td_end + 1) {
				/* Likely the answer to a keepalive (for III). */
				receiver->td_end++;
			}
		}
	} else if ((th->flags & TCPHDR_SYN) && after(end, sender->td_end) &&
		   (state->state == TCP_CONNTRACK_SYN_SENT ||
		    state->state == TCP_CONNTRACK_SYN_RECV)) {
		/* A re-sent SYN or SYN/ACK with new numbers or options (RFC 793 reinit). */
		tcp_init_sender(sender, receiver, skb, dataoff, end, win, dir);
		if (dir == IP_CT_DIR_REPLY && !(th->flags & TCPHDR_ACK))
			return NFCT_TCP_ACCEPT;
	}

	if (!(th->flags & TCPHDR_ACK)) {
		/* No ACK: pretend it acknowledged everything. */
		ack = sack = receiver->td_end;
	} else if ((th->flags & (TCPHDR_ACK | TCPHDR_RST)) == (TCPHDR_ACK | TCPHDR_RST) &&
		   ack == 0) {
		/* Broken stacks send RST+ACK with a zero ack. */
		ack = sack = receiver->td_end;
	}

	if ((th->flags & TCPHDR_RST) && seq == 0 && state->state == TCP_CONNTRACK_SYN_SENT)
		/* RST answering a SYN. */
		seq = end = sender->td_end;

	seq_ok = before(seq, sender->td_maxend + 1);
	if (!seq_ok) {
		u32 overshot = end - sender->td_maxend + 1;
		bool ack_ok;

		ack_ok = after(sack, receiver->td_end - MAXACKWINDOW(sender) - 1);
		in_recv_win =
			receiver->td_maxwin && after(end, sender->td_end - receiver->td_maxwin - 1);
		if (in_recv_win && ack_ok && overshot <= receiver->td_maxwin &&
		    before(sack, receiver->td_end + 1)) {
			/*
			 * More bytes than the receive window allowed: ignored,
			 * but td_end follows, so the peer's ACK of them is not
			 * over the upper bound later.
			 */
			sender->td_end = end;
			sender->flags |= IP_CT_TCP_FLAG_DATA_UNACKNOWLEDGED;
			return nf_tcp_log_invalid(sender, NFCT_TCP_IGNORE);
		}
		/* SEQ is over the upper bound (beyond the receiver's window). */
		return nf_tcp_log_invalid(sender, NFCT_TCP_INVALID);
	}

	/* ACK is over the upper bound (acknowledges data not seen yet). */
	if (!before(sack, receiver->td_end + 1))
		return nf_tcp_log_invalid(sender, NFCT_TCP_INVALID);

	/* SEQ under the lower bound: data already acknowledged, retransmitted. */
	in_recv_win = !receiver->td_maxwin || after(end, sender->td_end - receiver->td_maxwin - 1);
	if (!in_recv_win)
		return nf_tcp_log_invalid(sender, NFCT_TCP_IGNORE);
	/* ACK under the lower bound: an overly delayed ACK. */
	if (!after(sack, receiver->td_end - MAXACKWINDOW(sender) - 1))
		return nf_tcp_log_invalid(sender, NFCT_TCP_IGNORE);

	/* RFC 1323: the window of a SYN is never scaled. */
	if (!(th->flags & TCPHDR_SYN))
		win <<= sender->td_scale;

	/* The sender's side. */
	swin = win + (sack - ack);
	if (sender->td_maxwin < swin)
		sender->td_maxwin = swin;
	if (after(end, sender->td_end)) {
		sender->td_end = end;
		sender->flags |= IP_CT_TCP_FLAG_DATA_UNACKNOWLEDGED;
	}
	if (th->flags & TCPHDR_ACK) {
		if (!(sender->flags & IP_CT_TCP_FLAG_MAXACK_SET)) {
			sender->td_maxack = ack;
			sender->flags |= IP_CT_TCP_FLAG_MAXACK_SET;
		} else if (after(ack, sender->td_maxack)) {
			sender->td_maxack = ack;
		}
	}

	/* The receiver's side. */
	if (receiver->td_maxwin != 0 && after(end, sender->td_maxend))
		receiver->td_maxwin += end - sender->td_maxend;
	if (after(sack + win, receiver->td_maxend - 1)) {
		receiver->td_maxend = sack + win;
		if (win == 0)
			receiver->td_maxend++;
	}
	if (ack == receiver->td_end)
		receiver->flags &= ~IP_CT_TCP_FLAG_DATA_UNACKNOWLEDGED;

	/* The same ACK again from the same side counts as a retransmission. */
	if (index == TCP_ACK_SET) {
		if (state->last_dir == dir && state->last_seq == seq && state->last_ack == ack &&
		    state->last_end == end && state->last_win == win_raw) {
			state->retrans++;
		} else {
			state->last_dir = dir;
			state->last_seq = seq;
			state->last_ack = ack;
			state->last_end = end;
			state->last_win = win_raw;
			state->retrans = 0;
		}
	}
	return NFCT_TCP_ACCEPT;
}

/*
 * An out-of-window FIN or RST on an assured entry answering an out-of-window
 * FIN or RST the other way: the endpoints closed while the tracker lost sync,
 * so the entry gets the shorter UNACK timeout instead of days in ESTABLISHED.
 */
static void nf_tcp_handle_invalid(struct nf_conn *ct, enum ip_conntrack_dir dir, unsigned int index)
{
	u32 expires, timeout;

	if (!(ct->status & IPS_ASSURED) || (ct->status & IPS_FIXED_TIMEOUT))
		return;
	if (index != TCP_RST_SET && index != TCP_FIN_SET)
		return;

	if (ct->proto.tcp.last_dir != dir &&
	    (ct->proto.tcp.last_index == TCP_FIN_SET || ct->proto.tcp.last_index == TCP_RST_SET)) {
		expires = nf_ct_expires(ct);
		if (expires < 120 * HZ)
			return;
		timeout = READ_ONCE(nf_ct_tcp_timeouts[TCP_CONNTRACK_UNACK]);
		if (expires > timeout)
			WRITE_ONCE(ct->timeout, timeout + nfct_time_stamp());
	} else {
		ct->proto.tcp.last_index = index;
		ct->proto.tcp.last_dir = dir;
	}
}

/* Header length, checksum (PRE_ROUTING only) and flags: true if the packet is invalid. */
static bool tcp_error(const struct tcphdr *th, struct sk_buff *skb, unsigned int dataoff,
		      const struct nf_hook_state *state)
{
	unsigned int tcplen = skb->len - dataoff;
	u8 tcpflags;

	/* Truncated or with a data offset below the fixed header. */
	if (tcp_doff(th) < sizeof(struct tcphdr) || tcplen < tcp_doff(th))
		return true;

	/* Outgoing packets are assumed to carry correct checksums. */
	if (nf_conntrack_checksum && state->hook == NF_INET_PRE_ROUTING &&
	    nf_ip_checksum(skb, state->hook, dataoff, IPPROTO_TCP))
		return true;

	tcpflags = th->flags & ~(TCPHDR_ECE | TCPHDR_CWR | TCPHDR_PSH);
	return !tcp_valid_flags[tcpflags];
}

/* The first packet of an unconfirmed entry: false if it cannot start one. */
static bool tcp_new(struct nf_conn *ct, const struct sk_buff *skb, unsigned int dataoff,
		    const struct tcphdr *th)
{
	struct ip_ct_tcp_state *orig = &ct->proto.tcp.seen[0];
	enum tcp_conntrack new_state;

	/* No lock: the entry is not visible to other CPUs yet. */
	new_state = tcp_conntracks[0][get_conntrack_index(th)][TCP_CONNTRACK_NONE];
	if (new_state >= TCP_CONNTRACK_MAX)
		return false;

	if (new_state == TCP_CONNTRACK_SYN_SENT) {
		memset(&ct->proto.tcp, 0, sizeof(ct->proto.tcp));
		orig->td_end = segment_seq_plus_len(ntohl(th->seq), skb->len, dataoff, th);
		orig->td_maxwin = ntohs(th->window);
		if (orig->td_maxwin == 0)
			orig->td_maxwin = 1;
		orig->td_maxend = orig->td_end;
		tcp_options(skb, dataoff, orig);
	} else if (nf_ct_tcp_loose == 0) {
		/* Picking up connections midstream is off. */
		return false;
	} else {
		memset(&ct->proto.tcp, 0, sizeof(ct->proto.tcp));
		/* Midstream: the history is lost, start from this packet. */
		orig->td_end = segment_seq_plus_len(ntohl(th->seq), skb->len, dataoff, th);
		orig->td_maxwin = ntohs(th->window);
		if (orig->td_maxwin == 0)
			orig->td_maxwin = 1;
		orig->td_maxend = orig->td_end + orig->td_maxwin;
		/* The window scale is unknown: assume SACK and check windows liberally. */
		ct->proto.tcp.seen[0].flags = ct->proto.tcp.seen[1].flags =
			IP_CT_TCP_FLAG_SACK_PERM | IP_CT_TCP_FLAG_BE_LIBERAL;
	}
	/* nf_conntrack_tcp_packet() sets the rest. */
	ct->proto.tcp.last_index = TCP_NONE_SET;
	return true;
}

static bool nf_conntrack_tcp_established(const struct nf_conn *ct)
{
	return ct->proto.tcp.state == TCP_CONNTRACK_ESTABLISHED && (ct->status & IPS_ASSURED);
}

/* States where the endpoints are closing: a RST needs no sequence check. */
static bool tcp_can_early_drop(const struct nf_conn *ct)
{
	switch (ct->proto.tcp.state) {
	case TCP_CONNTRACK_FIN_WAIT:
	case TCP_CONNTRACK_LAST_ACK:
	case TCP_CONNTRACK_TIME_WAIT:
	case TCP_CONNTRACK_CLOSE:
	case TCP_CONNTRACK_CLOSE_WAIT:
		return true;
	default:
		return false;
	}
}

/* Notes a packet let through without a state change (TCP_CONNTRACK_IGNORE). */
static void tcp_note_ignored(struct nf_conn *ct, const struct sk_buff *skb, unsigned int dataoff,
			     const struct tcphdr *th, enum ip_conntrack_dir dir, unsigned int index,
			     enum tcp_conntrack old_state)
{
	struct ip_ct_tcp *tcp = &ct->proto.tcp;

	tcp->last_index = index;
	tcp->last_dir = dir;
	tcp->last_seq = ntohl(th->seq);
	tcp->last_end = segment_seq_plus_len(ntohl(th->seq), skb->len, dataoff, th);
	tcp->last_win = ntohs(th->window);

	/*
	 * A SYN in ORIGINAL: the endpoints may be in sync while we are not.
	 * Keep its options; a SYN/ACK answering it resynchronises us (below).
	 * In LAST_ACK the answer may be an RFC 5961 challenge ACK instead.
	 */
	if (index == TCP_SYN_SET && dir == IP_CT_DIR_ORIGINAL) {
		struct ip_ct_tcp_state seen = {};

		tcp->last_flags = tcp->last_wscale = 0;
		tcp_options(skb, dataoff, &seen);
		if (seen.flags & IP_CT_TCP_FLAG_WINDOW_SCALE) {
			tcp->last_flags |= IP_CT_TCP_FLAG_WINDOW_SCALE;
			tcp->last_wscale = seen.td_scale;
		}
		if (seen.flags & IP_CT_TCP_FLAG_SACK_PERM)
			tcp->last_flags |= IP_CT_TCP_FLAG_SACK_PERM;
		if (old_state == TCP_CONNTRACK_LAST_ACK)
			tcp->last_flags |= IP_CT_EXP_CHALLENGE_ACK;
	}

	/* Possibly a challenge ACK answering the SYN. */
	if (old_state == TCP_CONNTRACK_SYN_SENT && index == TCP_ACK_SET && dir == IP_CT_DIR_REPLY)
		tcp->last_ack = ntohl(th->ack_seq);
}

int nf_conntrack_tcp_packet(struct nf_conn *ct, struct sk_buff *skb, unsigned int dataoff,
			    enum ip_conntrack_info ctinfo, const struct nf_hook_state *state)
{
	const u32 *timeouts = nf_ct_tcp_timeouts;
	enum tcp_conntrack new_state, old_state;
	enum nf_ct_tcp_action res;
	enum ip_conntrack_dir dir;
	const struct tcphdr *th;
	unsigned int index;
	u32 timeout;

	if (dataoff > skb->len || skb->len - dataoff < sizeof(struct tcphdr))
		return -NF_ACCEPT;
	th = (const struct tcphdr *)(skb->data + dataoff);

	if (tcp_error(th, skb, dataoff, state))
		return -NF_ACCEPT;

	if (!nf_ct_is_confirmed(ct) && !tcp_new(ct, skb, dataoff, th))
		return -NF_ACCEPT;

	spin_lock_bh(&ct->lock);
	old_state = ct->proto.tcp.state;
	dir = CTINFO2DIR(ctinfo);
	index = get_conntrack_index(th);
	new_state = tcp_conntracks[dir][index][old_state];

	switch (new_state) {
	case TCP_CONNTRACK_SYN_SENT:
		if (old_state < TCP_CONNTRACK_TIME_WAIT)
			break;
		/*
		 * A SYN on TIME_WAIT or CLOSE (RFC 1122 lets a closed
		 * connection be reopened), or after this side aborted with a
		 * RST: drop the old entry and look the packet up again.
		 */
		if (((ct->proto.tcp.seen[dir].flags | ct->proto.tcp.seen[!dir].flags) &
		     IP_CT_TCP_FLAG_CLOSE_INIT) ||
		    (ct->proto.tcp.last_dir == dir && ct->proto.tcp.last_index == TCP_RST_SET)) {
			spin_unlock_bh(&ct->lock);
			/* Somebody else may already be destroying it: let them finish. */
			if (nf_ct_kill(ct))
				return -NF_REPEAT;
			return NF_DROP;
		}
		__attribute__((__fallthrough__));
	case TCP_CONNTRACK_IGNORE:
		/*
		 * The entry may be out of sync: let through what may belong to
		 * the real connection (a SYN in ORIGINAL, a SYN/ACK in REPLY,
		 * an ACK in REPLY after the first SYN) without a state change.
		 * If it is bogus, the receiver's RST is handled below.
		 */
		if (index == TCP_SYNACK_SET && ct->proto.tcp.last_index == TCP_SYN_SET &&
		    ct->proto.tcp.last_dir != dir && ntohl(th->ack_seq) == ct->proto.tcp.last_end) {
			/* This SYN/ACK answers the SYN we ignored: resynchronise from it. */
			struct ip_ct_tcp_state *syn_side =
				&ct->proto.tcp.seen[ct->proto.tcp.last_dir];

			old_state = TCP_CONNTRACK_SYN_SENT;
			new_state = TCP_CONNTRACK_SYN_RECV;
			syn_side->td_end = ct->proto.tcp.last_end;
			syn_side->td_maxend = ct->proto.tcp.last_end;
			syn_side->td_maxwin =
				ct->proto.tcp.last_win == 0 ? 1 : ct->proto.tcp.last_win;
			syn_side->td_scale = ct->proto.tcp.last_wscale;
			ct->proto.tcp.last_flags &= ~IP_CT_EXP_CHALLENGE_ACK;
			syn_side->flags = ct->proto.tcp.last_flags;
			memset(&ct->proto.tcp.seen[dir], 0, sizeof(struct ip_ct_tcp_state));
			break;
		}
		tcp_note_ignored(ct, skb, dataoff, th, dir, index, old_state);
		spin_unlock_bh(&ct->lock);
		return NF_ACCEPT;
	case TCP_CONNTRACK_MAX:
		/* Invalid in this state. */
		spin_unlock_bh(&ct->lock);
		return -NF_ACCEPT;
	case TCP_CONNTRACK_TIME_WAIT:
		/*
		 * An RFC 5961 challenge ACK answering a SYN we let through in
		 * LAST_ACK does not acknowledge the last FIN.
		 */
		if (old_state == TCP_CONNTRACK_LAST_ACK && index == TCP_ACK_SET &&
		    ct->proto.tcp.last_dir != dir && ct->proto.tcp.last_index == TCP_SYN_SET &&
		    (ct->proto.tcp.last_flags & IP_CT_EXP_CHALLENGE_ACK)) {
			ct->proto.tcp.last_flags &= ~IP_CT_EXP_CHALLENGE_ACK;
			spin_unlock_bh(&ct->lock);
			return NF_ACCEPT;
		}
		break;
	case TCP_CONNTRACK_SYN_SENT2:
		/* The table alone cannot follow a simultaneous open. */
		ct->proto.tcp.last_flags |= IP_CT_TCP_SIMULTANEOUS_OPEN;
		break;
	case TCP_CONNTRACK_SYN_RECV:
		if (dir == IP_CT_DIR_REPLY && index == TCP_ACK_SET &&
		    (ct->proto.tcp.last_flags & IP_CT_TCP_SIMULTANEOUS_OPEN))
			new_state = TCP_CONNTRACK_ESTABLISHED;
		break;
	case TCP_CONNTRACK_CLOSE:
		if (index != TCP_RST_SET)
			break;
		/* Closing already: the tuple may be reused, the numbers stale. */
		if (tcp_can_early_drop(ct))
			goto in_window;
		/* td_maxack is stale if the last packet was a SYN we let through. */
		if ((ct->proto.tcp.seen[!dir].flags & IP_CT_TCP_FLAG_MAXACK_SET) &&
		    ct->proto.tcp.last_index != TCP_SYN_SET) {
			u32 seq = ntohl(th->seq);

			/* Not established and seq 0: the answer to a SYN we let through. */
			if (seq == 0 && !nf_conntrack_tcp_established(ct))
				break;
			if (before(seq, ct->proto.tcp.seen[!dir].td_maxack)) {
				/* Invalid RST (ignore_invalid_rst is 0). */
				spin_unlock_bh(&ct->lock);
				return -NF_ACCEPT;
			}
			if (!nf_conntrack_tcp_established(ct) ||
			    seq == ct->proto.tcp.seen[!dir].td_maxack)
				break;
			/* The RST ends a train of this side's data: seq is its end. */
			if (ct->proto.tcp.last_index == TCP_ACK_SET &&
			    ct->proto.tcp.last_dir == dir && seq == ct->proto.tcp.last_end)
				break;
			/* Not exact: stay, so a challenge ACK can follow. */
			new_state = old_state;
		}
		if ((((ct->status & IPS_SEEN_REPLY) && ct->proto.tcp.last_index == TCP_SYN_SET) ||
		     (!(ct->status & IPS_ASSURED) && ct->proto.tcp.last_index == TCP_ACK_SET)) &&
		    ntohl(th->ack_seq) == ct->proto.tcp.last_end) {
			/*
			 * A RST answering a SYN or ACK we let through above: it
			 * may acknowledge segments we ignored, so no window check.
			 */
			goto in_window;
		}
		/* A RST answering a challenge ACK we let through. */
		if (old_state == TCP_CONNTRACK_SYN_SENT &&
		    ct->proto.tcp.last_index == TCP_ACK_SET &&
		    ct->proto.tcp.last_dir == IP_CT_DIR_REPLY &&
		    ntohl(th->seq) == ct->proto.tcp.last_ack)
			goto in_window;
		break;
	default:
		break;
	}

	res = tcp_in_window(ct, dir, index, skb, dataoff, th);
	switch (res) {
	case NFCT_TCP_IGNORE:
		spin_unlock_bh(&ct->lock);
		return NF_ACCEPT;
	case NFCT_TCP_INVALID:
		nf_tcp_handle_invalid(ct, dir, index);
		spin_unlock_bh(&ct->lock);
		return -NF_ACCEPT;
	case NFCT_TCP_ACCEPT:
		break;
	}
in_window:
	ct->proto.tcp.last_index = index;
	ct->proto.tcp.last_dir = dir;

	ct->proto.tcp.state = new_state;
	if (old_state != new_state && new_state == TCP_CONNTRACK_FIN_WAIT)
		ct->proto.tcp.seen[dir].flags |= IP_CT_TCP_FLAG_CLOSE_INIT;

	if (ct->proto.tcp.retrans >= nf_ct_tcp_max_retrans &&
	    timeouts[new_state] > timeouts[TCP_CONNTRACK_RETRANS])
		timeout = timeouts[TCP_CONNTRACK_RETRANS];
	else if (index == TCP_RST_SET)
		timeout = timeouts[TCP_CONNTRACK_CLOSE];
	else if (((ct->proto.tcp.seen[0].flags | ct->proto.tcp.seen[1].flags) &
		  IP_CT_TCP_FLAG_DATA_UNACKNOWLEDGED) &&
		 timeouts[new_state] > timeouts[TCP_CONNTRACK_UNACK])
		timeout = timeouts[TCP_CONNTRACK_UNACK];
	else if (ct->proto.tcp.last_win == 0 &&
		 timeouts[new_state] > timeouts[TCP_CONNTRACK_RETRANS])
		timeout = timeouts[TCP_CONNTRACK_RETRANS];
	else
		timeout = timeouts[new_state];
	spin_unlock_bh(&ct->lock);

	if (new_state != old_state)
		nf_conntrack_event_cache(IPCT_PROTOINFO, ct);

	if (!(READ_ONCE(ct->status) & IPS_SEEN_REPLY)) {
		/* Only a RST came back: no connection, remove the entry now. */
		if (th->flags & TCPHDR_RST) {
			nf_ct_kill_acct(ct, ctinfo, skb);
			return NF_ACCEPT;
		}
		/* A retransmitted SYN does not extend the entry (port reuse would keep it forever).
		 */
		if (index == TCP_SYN_SET && old_state == TCP_CONNTRACK_SYN_SENT)
			return NF_ACCEPT;
		/* Picked up midstream and no reply yet: not five days. */
		if (new_state == TCP_CONNTRACK_ESTABLISHED &&
		    timeout > timeouts[TCP_CONNTRACK_UNACK])
			timeout = timeouts[TCP_CONNTRACK_UNACK];
	} else if (!(READ_ONCE(ct->status) & IPS_ASSURED) &&
		   (old_state == TCP_CONNTRACK_SYN_RECV ||
		    old_state == TCP_CONNTRACK_ESTABLISHED) &&
		   new_state == TCP_CONNTRACK_ESTABLISHED) {
		/* A valid ACK after SYN_RECV, or an answer to a picked-up connection. */
		set_bit(IPS_ASSURED_BIT, &ct->status);
		nf_conntrack_event_cache(IPCT_ASSURED, ct);
	}
	nf_ct_refresh_acct(ct, ctinfo, skb, timeout);
	return NF_ACCEPT;
}

/* "name=N" with N at most 255 into *val; false if word is not name=. */
static bool tcp_option_int(const char *word, size_t len, const char *name, int *val)
{
	unsigned long long n;

	if (!cmdline_option_number(word, len, name, &n))
		return false;
	if (n > 255 && n != ~0ULL)
		printk("Malformed option \"%.*s\", ignored\n", (int)len, word);
	else if (n != ~0ULL)
		*val = (int)n;
	return true;
}

bool nf_ct_tcp_parse_option(const char *word, size_t len)
{
	return tcp_option_int(word, len, "nf_conntrack_tcp_loose", &nf_ct_tcp_loose) ||
	       tcp_option_int(word, len, "nf_conntrack_tcp_be_liberal", &nf_ct_tcp_be_liberal) ||
	       tcp_option_int(word, len, "nf_conntrack_tcp_max_retrans", &nf_ct_tcp_max_retrans);
}
