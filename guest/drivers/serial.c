/*
 * 16550A UART on COM1, polled: 115200 baud, 8 data bits, no parity, one
 * stop bit, FIFOs enabled, no interrupts.
 */

#include "serial.h"
#include "asm/io.h"
#include "asm/processor.h"

#define UART_TX 0  /* transmit holding register (write) */
#define UART_IER 1 /* interrupt enable */
#define UART_FCR 2 /* FIFO control (write) */
#define UART_LCR 3 /* line control */
#define UART_MCR 4 /* modem control */
#define UART_LSR 5 /* line status */
#define UART_DLL 0 /* divisor latch, low byte (DLAB=1) */
#define UART_DLM 1 /* divisor latch, high byte (DLAB=1) */

#define UART_LCR_WLEN8 0x03 /* 8 data bits, 1 stop bit, no parity */
#define UART_LCR_DLAB 0x80  /* divisor latch access */
#define UART_FCR_ENABLE_FIFO 0x01
#define UART_FCR_CLEAR_RCVR 0x02
#define UART_FCR_CLEAR_XMIT 0x04
#define UART_FCR_TRIGGER_14 0xc0
#define UART_MCR_DTR 0x01
#define UART_MCR_RTS 0x02
#define UART_MCR_OUT2 0x08
#define UART_LSR_THRE 0x20 /* transmit holding register empty */

#define UART_CLOCK_BAUD 115200 /* 1.8432 MHz / 16 */
#define SERIAL_BAUD 115200

/* Give up waiting for THRE after this many polls (no UART present). */
#define THRE_POLL_LIMIT 1000000

static const u16 serial_base = COM1_BASE;

void serial_init(void)
{
	unsigned int divisor = UART_CLOCK_BAUD / SERIAL_BAUD;

	outb(0, serial_base + UART_IER);
	outb(UART_LCR_DLAB, serial_base + UART_LCR);
	outb(divisor & 0xff, serial_base + UART_DLL);
	outb((divisor >> 8) & 0xff, serial_base + UART_DLM);
	outb(UART_LCR_WLEN8, serial_base + UART_LCR);
	outb(UART_FCR_ENABLE_FIFO | UART_FCR_CLEAR_RCVR | UART_FCR_CLEAR_XMIT | UART_FCR_TRIGGER_14,
	     serial_base + UART_FCR);
	outb(UART_MCR_DTR | UART_MCR_RTS | UART_MCR_OUT2, serial_base + UART_MCR);
}

void serial_putc(char c)
{
	unsigned int polls = 0;

	while (!(inb(serial_base + UART_LSR) & UART_LSR_THRE)) {
		if (++polls == THRE_POLL_LIMIT)
			break;
		cpu_relax();
	}
	outb(c, serial_base + UART_TX);
}

void serial_write(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (s[i] == '\n')
			serial_putc('\r');
		serial_putc(s[i]);
	}
}
