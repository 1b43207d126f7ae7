#ifndef _GUEST_COMPILER_H
#define _GUEST_COMPILER_H

#define __noreturn __attribute__((__noreturn__))
#define __packed __attribute__((__packed__))
#define __aligned(x) __attribute__((__aligned__(x)))
#define __section(s) __attribute__((__section__(s)))
#define __used __attribute__((__used__))
#define __unused __attribute__((__unused__))
#define __noinline __attribute__((__noinline__))
#define __printf(a, b) __attribute__((__format__(printf, a, b)))

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

/* Stops the compiler from moving memory accesses across this point. */
#define barrier() __asm__ __volatile__("" : : : "memory")

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif /* _GUEST_COMPILER_H */
