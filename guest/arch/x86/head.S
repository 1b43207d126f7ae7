/*
 * Boot entry: multiboot v1 header, 32-bit protected-mode entry, switch to
 * long mode with an identity map of the first 4 GiB, then kernel_main().
 *
 * Machine state on entry (multiboot spec): EAX = 0x2BADB002, EBX = physical
 * address of the multiboot information, flat 4 GiB CS/DS/ES/SS, protected
 * mode with paging off, A20 enabled, interrupts disabled, ESP undefined.
 */

#include "asm/processor-flags.h"
#include "asm/segment.h"
#include "exit_status.h"
#include "multiboot.h"

#define MULTIBOOT_HEADER_FLAGS (MULTIBOOT_PAGE_ALIGN | MULTIBOOT_MEMORY_INFO)

#define BOOT_STACK_SIZE 16384

/* Number of 2 MiB pages that map 4 GiB, and the first one above 0xFE000000. */
#define NR_BOOT_PMDS 2048
#define FIRST_UC_PMD (0xFE000000 >> PMD_SHIFT)

/* Offsets in struct trampoline_header (asm/smp.h). */
#define TR_STACK 8
#define TR_GS_BASE 16

#define UART_THR 0x3f8
#define UART_LSR 0x3fd
#define UART_LSR_THRE 0x20

	.section .multiboot, "a"
	.balign 4
multiboot_header:
	.long MULTIBOOT_HEADER_MAGIC
	.long MULTIBOOT_HEADER_FLAGS
	.long -(MULTIBOOT_HEADER_MAGIC + MULTIBOOT_HEADER_FLAGS)

	.section .head.text, "ax"
	.code32
	.globl _start
	.type _start, @function
_start:
	cli
	cld
	movl %eax, %ebp			/* multiboot magic */
	movl %ebx, %esi			/* multiboot information */

	/*
	 * Clear .bss: it holds the stack and the page tables. A multiboot
	 * loader places its own structures outside the image, bss included.
	 */
	movl $__bss_start, %edi
	movl $__bss_stop, %ecx
	subl %edi, %ecx
	shrl $2, %ecx
	xorl %eax, %eax
	rep stosl

	movl $boot_stack_top, %esp

	cmpl $MULTIBOOT_BOOTLOADER_MAGIC, %ebp
	jne .Lno_multiboot

	/* Long mode needs CPUID leaf 0x80000001 with EDX.LM (bit 29). */
	movl %esi, %edi
	movl $0x80000000, %eax
	cpuid
	cmpl $0x80000001, %eax
	jb .Lno_long_mode
	movl $0x80000001, %eax
	cpuid
	btl $29, %edx
	jnc .Lno_long_mode
	movl %edi, %esi

	/* PML4[0] -> PDPT; PDPT[0..3] -> four page directories. */
	movl $(init_pdpt + _PAGE_PRESENT + _PAGE_RW), init_pml4
	movl $(init_pd + _PAGE_PRESENT + _PAGE_RW), %eax
	movl $init_pdpt, %edi
	movl $4, %ecx
1:	movl %eax, (%edi)
	addl $PAGE_SIZE, %eax
	addl $8, %edi
	decl %ecx
	jnz 1b

	/* 2048 identity-mapped 2 MiB pages: 0 .. 4 GiB. */
	movl $init_pd, %edi
	movl $(_PAGE_PRESENT + _PAGE_RW + _PAGE_PSE), %eax
	xorl %ecx, %ecx
2:	movl %eax, (%edi,%ecx,8)
	addl $PMD_SIZE, %eax
	incl %ecx
	cmpl $NR_BOOT_PMDS, %ecx
	jne 2b

	/* Uncached mapping for the top 32 MiB: I/O APIC, local APIC, flash. */
	movl $FIRST_UC_PMD, %ecx
3:	orl $(_PAGE_PCD + _PAGE_PWT), (%edi,%ecx,8)
	incl %ecx
	cmpl $NR_BOOT_PMDS, %ecx
	jne 3b

	lgdt gdt_descr

	movl $X86_CR4_PAE, %eax
	movl %eax, %cr4
	movl $init_pml4, %eax
	movl %eax, %cr3

	movl $MSR_EFER, %ecx
	rdmsr
	orl $EFER_LME, %eax
	wrmsr

	movl $BOOT_CR0, %eax
	movl %eax, %cr0

	ljmp $__KERNEL_CS, $startup_64

	/* Early failures: a message straight to COM1, then the exit port. */
.Lno_multiboot:
	movl $msg_no_multiboot, %esi
	jmp early_fail
.Lno_long_mode:
	movl $msg_no_long_mode, %esi
early_fail:
	movw $UART_LSR, %dx
	inb %dx, %al
	testb $UART_LSR_THRE, %al
	jz early_fail
	lodsb
	testb %al, %al
	jz 4f
	movw $UART_THR, %dx
	outb %al, %dx
	jmp early_fail
4:	movl $EXIT_STATUS_BOOT_FAILURE, %eax
	movw $EXIT_PORT, %dx
	outl %eax, %dx
5:	cli
	hlt
	jmp 5b
	.size _start, . - _start

	.code64
	.type startup_64, @function
startup_64:
	movl $__KERNEL_DS, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	xorl %eax, %eax
	movl %eax, %fs
	movl %eax, %gs

	movq $boot_stack_top, %rsp

	/* Upper halves of the GPRs are undefined after the mode switch. */
	movl %ebp, %edi			/* arg 1: magic */
	movl %esi, %esi			/* arg 2: multiboot information */
	xorl %ebp, %ebp
	call kernel_main
6:	cli
	hlt
	jmp 6b
	.size startup_64, . - startup_64

/*
 * Application processors arrive here from the trampoline (trampoline.S) in
 * long mode, on the boot page tables, with ESI = physical address of the
 * struct trampoline_header the BSP filled for them: stack and GS base.
 */
	.globl secondary_startup_64
	.type secondary_startup_64, @function
secondary_startup_64:
	lgdt gdt_descr
	movl $__KERNEL_DS, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	xorl %eax, %eax
	movl %eax, %fs
	movl %eax, %gs			/* before the GS base: a selector load may clear it */

	movl %esi, %esi			/* upper halves are undefined after the mode switch */
	movq TR_STACK(%rsi), %rsp
	movl $MSR_GS_BASE, %ecx
	movl TR_GS_BASE(%rsi), %eax
	movl TR_GS_BASE+4(%rsi), %edx
	wrmsr

	xorl %ebp, %ebp
	call start_secondary
7:	cli
	hlt
	jmp 7b
	.size secondary_startup_64, . - secondary_startup_64

	.section .rodata
msg_no_multiboot:
	.asciz "Boot failure: not loaded by a multiboot boot loader\r\n"
msg_no_long_mode:
	.asciz "Boot failure: this CPU does not support long mode\r\n"

	.data
	.balign 16
	.globl gdt_table
gdt_table:
	.quad 0					/* null */
	.quad 0x00cf9b000000ffff		/* __KERNEL32_CS: 32-bit code */
	.quad 0x00af9b000000ffff		/* __KERNEL_CS: 64-bit code */
	.quad 0x00cf93000000ffff		/* __KERNEL_DS: data */
gdt_end:

	/* 2-byte limit, then a 32-bit base (32-bit lgdt) or 64-bit base. */
	.balign 16
	.word 0, 0, 0
gdt_descr:
	.word gdt_end - gdt_table - 1
	.quad gdt_table

	.section .bss.page_aligned, "aw", @nobits
	.balign PAGE_SIZE
	.globl init_pml4
init_pml4:
	.skip PAGE_SIZE
init_pdpt:
	.skip PAGE_SIZE
init_pd:
	.skip 4 * PAGE_SIZE
	.globl boot_stack
boot_stack:
	.skip BOOT_STACK_SIZE
	.globl boot_stack_top
boot_stack_top:

	.section .note.GNU-stack, "", @progbits
