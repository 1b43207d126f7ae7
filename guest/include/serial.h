#ifndef _GUEST_SERIAL_H
#define _GUEST_SERIAL_H

#include "types.h"

#define COM1_BASE 0x3f8

void serial_init(void);
void serial_putc(char c);
/* Writes len bytes, turning "\n" into "\r\n". */
void serial_write(const char *s, size_t len);

#endif /* _GUEST_SERIAL_H */
