#ifndef _GUEST_ASM_PTRACE_H
#define _GUEST_ASM_PTRACE_H

#include "../types.h"

/*
 * Register frame built by the exception entry stubs (arch/x86/entry.S),
 * lowest address first. The stubs push vector and error_code (0 when the
 * CPU pushes none); the CPU pushes rip..ss.
 */
struct pt_regs {
	u64 r15;
	u64 r14;
	u64 r13;
	u64 r12;
	u64 rbp;
	u64 rbx;
	u64 r11;
	u64 r10;
	u64 r9;
	u64 r8;
	u64 rax;
	u64 rcx;
	u64 rdx;
	u64 rsi;
	u64 rdi;
	u64 vector;
	u64 error_code;
	u64 rip;
	u64 cs;
	u64 rflags;
	u64 rsp;
	u64 ss;
};

#endif /* _GUEST_ASM_PTRACE_H */
