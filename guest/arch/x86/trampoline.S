/*
 * Real-mode start-up code of the application processors. The BSP copies
 * trampoline_start..trampoline_end to TRAMPOLINE_BASE (a page below 1 MiB)
 * and sends a start-up IPI with vector TRAMPOLINE_BASE >> 12: the AP starts
 * here in real mode with CS = TRAMPOLINE_BASE >> 4, IP = 0.
 *
 * Real mode: load the kernel GDT, set CR0.PE, far jump to 32-bit code.
 * 32-bit:    CR4.PAE, CR3 = the BSP's page tables, EFER.LME, CR0.PG, far jump
 *            to secondary_startup_64 (head.S) in the kernel's 64-bit code,
 *            with ESI pointing at the trampoline header.
 *
 * The code runs at TRAMPOLINE_BASE, not where it is linked: addresses in it
 * are offsets from trampoline_start, plus TRAMPOLINE_BASE where linear.
 */

#include "asm/processor-flags.h"
#include "asm/segment.h"
#include "asm/smp.h"

#define TR_OFFSET(sym) ((sym) - trampoline_start)
#define TR_LINEAR(sym) (TRAMPOLINE_BASE + TR_OFFSET(sym))

	.section .rodata
	.balign 16
	.globl trampoline_start
trampoline_start:
	.code16
	cli
	cld
	movw %cs, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	lgdtl TR_OFFSET(tr_gdt_descr)

	movl $X86_CR0_PE, %eax
	movl %eax, %cr0
	ljmpl $__KERNEL32_CS, $TR_LINEAR(tr_startup_32)

	.code32
	.balign 4
tr_startup_32:
	movl $__KERNEL_DS, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss

	movl $X86_CR4_PAE, %eax
	movl %eax, %cr4
	movl TR_LINEAR(trampoline_header), %eax		/* cr3 */
	movl %eax, %cr3

	movl $MSR_EFER, %ecx
	rdmsr
	orl $EFER_LME, %eax
	wrmsr

	movl $BOOT_CR0, %eax
	movl %eax, %cr0

	movl $TR_LINEAR(trampoline_header), %esi
	ljmp $__KERNEL_CS, $secondary_startup_64

	/* struct trampoline_header (asm/smp.h) */
	.balign 8
	.globl trampoline_header
trampoline_header:
	.quad 0				/* cr3 */
	.quad 0				/* stack */
	.quad 0				/* gs_base */
tr_gdt_descr:
	.word GDT_ENTRIES * 8 - 1	/* gdt_limit */
	.long gdt_table			/* gdt_base */
	.globl trampoline_end
trampoline_end:

	.section .note.GNU-stack, "", @progbits
