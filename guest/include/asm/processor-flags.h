#ifndef _GUEST_ASM_PROCESSOR_FLAGS_H
#define _GUEST_ASM_PROCESSOR_FLAGS_H

/* Usable from both C and assembly. */

#define X86_CR0_PE 0x00000001 /* protection enable */
#define X86_CR0_MP 0x00000002 /* monitor coprocessor */
#define X86_CR0_ET 0x00000010 /* extension type (hardwired to 1) */
#define X86_CR0_NE 0x00000020 /* native x87 error reporting */
#define X86_CR0_WP 0x00010000 /* supervisor write protect */
#define X86_CR0_PG 0x80000000 /* paging */

/* Paging (PG), write protect, native FPU errors, ET (hardwired), MP, PE: every CPU's CR0. */
#define BOOT_CR0 (X86_CR0_PG | X86_CR0_WP | X86_CR0_NE | X86_CR0_ET | X86_CR0_MP | X86_CR0_PE)

#define X86_CR4_PAE 0x00000020

#define MSR_EFER 0xc0000080
#define EFER_LME 0x00000100
#define MSR_IA32_APICBASE 0x0000001b
#define MSR_GS_BASE 0xc0000101

#define X86_EFLAGS_IF 0x00000200

/* Page table entry bits. */
#define _PAGE_PRESENT 0x001
#define _PAGE_RW 0x002
#define _PAGE_PWT 0x008
#define _PAGE_PCD 0x010
#define _PAGE_PSE 0x080

#define PAGE_SHIFT 12
#define PAGE_SIZE (1 << PAGE_SHIFT)
#define PMD_SHIFT 21
#define PMD_SIZE (1 << PMD_SHIFT)

#endif /* _GUEST_ASM_PROCESSOR_FLAGS_H */
