#ifndef _GUEST_ASM_SEGMENT_H
#define _GUEST_ASM_SEGMENT_H

/*
 * GDT layout, shared by head.S and C code. The selectors match the ones
 * Linux uses on x86-64, so an oops reads "RIP: 0010:..." as there.
 */
#define GDT_ENTRY_KERNEL32_CS 1
#define GDT_ENTRY_KERNEL_CS 2
#define GDT_ENTRY_KERNEL_DS 3
#define GDT_ENTRIES 4

#define __KERNEL32_CS (GDT_ENTRY_KERNEL32_CS * 8)
#define __KERNEL_CS (GDT_ENTRY_KERNEL_CS * 8)
#define __KERNEL_DS (GDT_ENTRY_KERNEL_DS * 8)

#endif /* _GUEST_ASM_SEGMENT_H */
