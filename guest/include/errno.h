#ifndef _GUEST_ERRNO_H
#define _GUEST_ERRNO_H

/* Error numbers, Linux's values (include/uapi/asm-generic/errno-base.h and errno.h). */

#define EPERM 1
#define ENOENT 2
#define E2BIG 7
#define ENOMEM 12
#define EFAULT 14
#define EINVAL 22
#define EMSGSIZE 90
#define ETIMEDOUT 110
#define EINPROGRESS 115

#endif /* _GUEST_ERRNO_H */
