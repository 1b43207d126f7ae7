#ifndef _GUEST_TYPES_H
#define _GUEST_TYPES_H

/* Freestanding headers provided by the compiler itself. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef unsigned long long u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef long long s64;

typedef long ssize_t;
typedef u64 phys_addr_t;

#endif /* _GUEST_TYPES_H */
