#ifndef _GUEST_SELFTEST_H
#define _GUEST_SELFTEST_H

/* kernel/selftest.c: the SMP self-tests ("selftest" on the command line), after bring-up. */
void run_selftests(void);

#endif /* _GUEST_SELFTEST_H */
