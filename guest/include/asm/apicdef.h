#ifndef _GUEST_ASM_APICDEF_H
#define _GUEST_ASM_APICDEF_H

/* Local APIC registers (xAPIC, offsets in the 4 KiB page at the APIC base), SDM vol. 3 ch. 10. */

#define APIC_DEFAULT_PHYS_BASE 0xfee00000UL
#define APIC_BASE_MSR_ENABLE 0x800 /* IA32_APIC_BASE: APIC global enable */
#define APIC_BASE_MSR_BSP 0x100	   /* IA32_APIC_BASE: this is the bootstrap processor */

#define APIC_ID 0x20
#define GET_APIC_ID(x) (((x) >> 24) & 0xff)
#define APIC_LVR 0x30
#define GET_APIC_VERSION(x) ((x) & 0xff)
#define GET_APIC_MAXLVT(x) (((x) >> 16) & 0xff)
#define APIC_TASKPRI 0x80
#define APIC_PROCPRI 0xa0
#define APIC_EOI 0xb0
#define APIC_LDR 0xd0
#define SET_APIC_LOGICAL_ID(x) ((x) << 24)
#define APIC_DFR 0xe0
#define APIC_DFR_FLAT 0xffffffffU
#define APIC_SPIV 0xf0
#define APIC_SPIV_APIC_ENABLED (1 << 8)
#define APIC_ISR 0x100
#define APIC_TMR 0x180
#define APIC_IRR 0x200
#define APIC_ESR 0x280
#define APIC_ICR 0x300
#define APIC_DEST_ALLBUT 0xc0000 /* destination shorthand: all excluding self */
#define APIC_DEST_SELF 0x40000
#define APIC_DEST_ALLINC 0x80000 /* destination shorthand: all including self */
#define APIC_INT_LEVELTRIG 0x08000
#define APIC_INT_ASSERT 0x04000
#define APIC_ICR_BUSY 0x01000
#define APIC_DEST_LOGICAL 0x00800
#define APIC_DM_FIXED 0x00000
#define APIC_DM_NMI 0x00400
#define APIC_DM_INIT 0x00500
#define APIC_DM_STARTUP 0x00600
#define APIC_DM_EXTINT 0x00700
#define APIC_ICR2 0x310
#define SET_APIC_DEST_FIELD(x) ((x) << 24)
#define APIC_LVTT 0x320
#define APIC_LVT_TIMER_PERIODIC (1 << 17)
#define APIC_LVTTHMR 0x330
#define APIC_LVTPC 0x340
#define APIC_LVT0 0x350
#define APIC_LVT1 0x360
#define APIC_LVTERR 0x370
#define APIC_LVT_MASKED (1 << 16)
#define APIC_LVT_LEVEL_TRIGGER (1 << 15)
#define APIC_TMICT 0x380
#define APIC_TMCCT 0x390
#define APIC_TDCR 0x3e0
#define APIC_TDR_DIV_16 0x3

#endif /* _GUEST_ASM_APICDEF_H */
