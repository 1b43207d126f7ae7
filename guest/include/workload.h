#ifndef _GUEST_WORKLOAD_H
#define _GUEST_WORKLOAD_H

/* kernel/workload.c: fill, CRC-32 and heapsort a buffer of kib KiB. */
void run_workload(unsigned long kib);

#endif /* _GUEST_WORKLOAD_H */
