#ifndef _GUEST_ASM_TIMER_H
#define _GUEST_ASM_TIMER_H

#include "../types.h"

#define HZ 100
#define PIT_TICK_RATE 1193182 /* Hz */
#define LATCH ((PIT_TICK_RATE + HZ / 2) / HZ)

#define PIT_CH0 0x40
#define PIT_MODE 0x43

/* Ticks since the timer started; CPU 0 counts them. */
extern volatile unsigned long jiffies;
/* TSC cycles per jiffy (0 before calibration). */
extern u64 tsc_per_jiffy;

/* PIT channel 0, mode 2 (rate generator) at HZ; IRQ0 on the 8259A counts jiffies. */
void setup_pit_timer(void);
/* PIT channel 0 to a one-shot that ends (the local APIC timer is the tick). */
void pit_stop(void);
/* Latches and reads the PIT channel 0 count. */
unsigned int pit_read_count(void);
/*
 * Waits for nticks jiffies with interrupts on; false if the PIT counter shows
 * that 4 * nticks + 10 periods passed without them.
 */
bool wait_for_ticks(unsigned int nticks);
/* Busy-waits with the calibrated TSC. */
void udelay(unsigned long usecs);
void mdelay(unsigned long msecs);
/* Requests IRQ0 for the PIT tick. */
void setup_default_timer_irq(void);
/* The local APIC timer interrupt (all CPUs). */
void local_apic_timer_interrupt(void);

#endif /* _GUEST_ASM_TIMER_H */
