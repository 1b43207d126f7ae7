#ifndef _GUEST_IGB_REGS_H
#define _GUEST_IGB_REGS_H

/*
 * Intel 82576 registers and descriptor formats used by the driver (82576 GbE
 * Controller Datasheet; the same offsets and bits as Linux's
 * drivers/net/ethernet/intel/igb/e1000_regs.h, e1000_defines.h and
 * e1000_82575.h). Queue registers use the 82576's own layout, 0xC000 + 0x40 n
 * (RX) and 0xE000 + 0x40 n (TX), not the 0x2800/0x3800 aliases of queues 0-3.
 */

#define E1000_CTRL 0x00000
#define E1000_STATUS 0x00008
#define E1000_EECD 0x00010
#define E1000_EERD 0x00014
#define E1000_CTRL_EXT 0x00018
#define E1000_ICR 0x000c0
#define E1000_ICS 0x000c8
#define E1000_IMS 0x000d0
#define E1000_IMC 0x000d8
#define E1000_IAM 0x000e0
#define E1000_RCTL 0x00100
#define E1000_TCTL 0x00400
#define E1000_GPIE 0x01514
#define E1000_EICS 0x01520
#define E1000_EIMS 0x01524
#define E1000_EIMC 0x01528
#define E1000_EIAC 0x0152c
#define E1000_EIAM 0x01530
#define E1000_EICR 0x01580
#define E1000_EITR(n) (0x01680 + 4 * (n))
#define E1000_IVAR0 0x01700
#define E1000_IVAR(n) (E1000_IVAR0 + 4 * (n))
#define E1000_IVAR_MISC 0x01740
#define E1000_RXCSUM 0x05000
#define E1000_RLPML 0x05004
#define E1000_RAL(n) (0x05400 + 8 * (n))
#define E1000_RAH(n) (0x05404 + 8 * (n))
#define E1000_MRQC 0x05818
#define E1000_RETA(n) (0x05c00 + 4 * (n))
#define E1000_RSSRK(n) (0x05c80 + 4 * (n))
#define E1000_RDBAL(n) (0x0c000 + 0x40 * (n))
#define E1000_RDBAH(n) (0x0c004 + 0x40 * (n))
#define E1000_RDLEN(n) (0x0c008 + 0x40 * (n))
#define E1000_SRRCTL(n) (0x0c00c + 0x40 * (n))
#define E1000_RDH(n) (0x0c010 + 0x40 * (n))
#define E1000_RDT(n) (0x0c018 + 0x40 * (n))
#define E1000_RXDCTL(n) (0x0c028 + 0x40 * (n))
#define E1000_TDBAL(n) (0x0e000 + 0x40 * (n))
#define E1000_TDBAH(n) (0x0e004 + 0x40 * (n))
#define E1000_TDLEN(n) (0x0e008 + 0x40 * (n))
#define E1000_TDH(n) (0x0e010 + 0x40 * (n))
#define E1000_TDT(n) (0x0e018 + 0x40 * (n))
#define E1000_TXDCTL(n) (0x0e028 + 0x40 * (n))
#define E1000_MPC 0x04010  /* missed packets (clear on read) */
#define E1000_GPRC 0x04074 /* good packets received */
#define E1000_GPTC 0x04080 /* good packets transmitted */
#define E1000_RNBC 0x040a0 /* no RX buffer */

#define E1000_CTRL_SLU 0x00000040 /* set link up */
#define E1000_CTRL_RST 0x04000000 /* device reset, self-clearing */
#define E1000_CTRL_VME 0x40000000 /* VLAN mode: strip 802.1Q tags into the RX descriptor */
#define E1000_STATUS_FD 0x00000001
#define E1000_STATUS_LU 0x00000002
#define E1000_STATUS_SPEED_1000 0x00000080
#define E1000_CTRL_EXT_DRV_LOAD 0x10000000

/* EERD: write address << 2 | START, poll DONE, data in bits 31:16. */
#define E1000_EERD_START 0x00000001
#define E1000_EERD_DONE 0x00000002
#define E1000_EERD_ADDR_SHIFT 2
#define E1000_EERD_DATA_SHIFT 16

#define E1000_ICR_TXDW 0x00000001
#define E1000_ICR_LSC 0x00000004
#define E1000_ICR_RXSEQ 0x00000008
#define E1000_ICR_RXDMT0 0x00000010
#define E1000_ICR_RXO 0x00000040
#define E1000_ICR_RXT0 0x00000080 /* RX descriptor written back (82576: RXDW) */
#define E1000_ICR_INT_ASSERTED 0x80000000
#define E1000_EICR_OTHER 0x80000000

#define E1000_GPIE_NSICR 0x00000001
#define E1000_GPIE_MSIX_MODE 0x00000010
#define E1000_GPIE_EIAME 0x40000000
#define E1000_GPIE_PBA 0x80000000
#define E1000_IVAR_VALID 0x80
#define E1000_EITR_INTERVAL_MASK 0x7ffc /* bits 14:2, microseconds */
#define E1000_EITR_CNT_IGNR 0x80000000

#define E1000_RCTL_EN 0x00000002
#define E1000_RCTL_UPE 0x00000008
#define E1000_RCTL_MPE 0x00000010
#define E1000_RCTL_LPE 0x00000020
#define E1000_RCTL_BAM 0x00008000
#define E1000_RCTL_SECRC 0x04000000
#define E1000_RAH_AV 0x80000000

#define E1000_TCTL_EN 0x00000002
#define E1000_TCTL_PSP 0x00000008
#define E1000_TCTL_CT_SHIFT 4
#define E1000_TCTL_COLD_SHIFT 12
#define E1000_COLLISION_THRESHOLD 15
#define E1000_COLLISION_DISTANCE 63

#define E1000_SRRCTL_BSIZEPKT_SHIFT 10 /* buffer size in KiB */
#define E1000_SRRCTL_DESCTYPE_ADV_ONEBUF 0x02000000
#define E1000_SRRCTL_DROP_EN 0x80000000
#define E1000_RXDCTL_QUEUE_ENABLE 0x02000000
#define E1000_TXDCTL_QUEUE_ENABLE 0x02000000
/* Prefetch, host and write-back thresholds (bits 4:0, 12:8, 20:16). */
#define IGB_RX_PTHRESH 8
#define IGB_RX_HTHRESH 8
#define IGB_RX_WTHRESH 1
#define IGB_TX_PTHRESH 8
#define IGB_TX_HTHRESH 1
#define IGB_TX_WTHRESH 1

#define E1000_RXCSUM_IPOFL 0x00000100
#define E1000_RXCSUM_TUOFL 0x00000200
#define E1000_RXCSUM_PCSD 0x00002000 /* the descriptor carries the RSS hash */

#define E1000_MRQC_ENABLE_RSS_MQ 0x00000002
#define E1000_MRQC_RSS_FIELD_IPV4_TCP 0x00010000
#define E1000_MRQC_RSS_FIELD_IPV4 0x00020000
#define E1000_MRQC_RSS_FIELD_IPV4_UDP 0x00400000

/* Advanced RX descriptor, write-back status and errors. */
#define E1000_RXD_STAT_DD 0x01
#define E1000_RXD_STAT_EOP 0x02
#define E1000_RXD_STAT_VP 0x08
#define E1000_RXD_STAT_UDPCS 0x10
#define E1000_RXD_STAT_TCPCS 0x20 /* L4 checksum computed */
#define E1000_RXD_STAT_IPCS 0x40
#define E1000_RXDEXT_STATERR_TCPE 0x20000000
#define E1000_RXDEXT_STATERR_IPE 0x40000000
#define E1000_RXDEXT_ERR_FRAME_ERR_MASK 0x97000000 /* CE SE SEQ CXE RXE */
#define E1000_RXDADV_RSSTYPE_MASK 0x000f

/* Advanced TX data descriptor. */
#define E1000_ADVTXD_DTYP_DATA 0x00300000
#define E1000_ADVTXD_DCMD_EOP 0x01000000
#define E1000_ADVTXD_DCMD_IFCS 0x02000000
#define E1000_ADVTXD_DCMD_RS 0x08000000
#define E1000_ADVTXD_DCMD_DEXT 0x20000000
#define E1000_ADVTXD_PAYLEN_SHIFT 14
#define E1000_TXD_STAT_DD 0x00000001

union igb_adv_rx_desc {
	struct {
		u64 pkt_addr;
		u64 hdr_addr; /* 0: one buffer; overlays status_error, so it clears DD */
	} read;
	struct {
		u16 pkt_info; /* RSS type 3:0, packet type 16:4 */
		u16 hdr_info;
		u32 rss; /* RSS hash */
		u32 status_error;
		u16 length;
		u16 vlan;
	} wb;
};

union igb_adv_tx_desc {
	struct {
		u64 buffer_addr;
		u32 cmd_type_len;
		u32 olinfo_status;
	} read;
	struct {
		u64 rsvd;
		u32 nxtseq_seed;
		u32 status;
	} wb;
};

#endif /* _GUEST_IGB_REGS_H */
