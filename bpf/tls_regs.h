/* Function arguments and results in the user registers a uprobe sees: the C
 * calling convention (libssl) and Go's register ABI (ABIInternal), which
 * also keeps the current goroutine in a fixed register. */
#pragma once

#if defined(__TARGET_ARCH_x86)

/* C: rdi, rsi, rdx, rcx; result in rax. */
static __always_inline __u64 c_arg(struct pt_regs *regs, int i)
{
	switch (i) {
	case 0:
		return BPF_CORE_READ(regs, di);
	case 1:
		return BPF_CORE_READ(regs, si);
	case 2:
		return BPF_CORE_READ(regs, dx);
	default:
		return BPF_CORE_READ(regs, cx);
	}
}

static __always_inline long c_ret(struct pt_regs *regs)
{
	return BPF_CORE_READ(regs, ax);
}

/* Go: rax, rbx, rcx, ... for arguments and results; r14 holds the g. */
static __always_inline __u64 go_arg(struct pt_regs *regs, int i)
{
	switch (i) {
	case 0:
		return BPF_CORE_READ(regs, ax);
	case 1:
		return BPF_CORE_READ(regs, bx);
	default:
		return BPF_CORE_READ(regs, cx);
	}
}

static __always_inline __u64 go_g(struct pt_regs *regs)
{
	return BPF_CORE_READ(regs, r14);
}

static __always_inline __u64 go_sp(struct pt_regs *regs)
{
	return BPF_CORE_READ(regs, sp);
}

#elif defined(__TARGET_ARCH_arm64)

/* C and Go alike pass arguments and results in x0..x7; Go keeps the g in
 * x28. struct pt_regs___arm64 comes from syscall_regs.h. */
static __always_inline __u64 c_arg(struct pt_regs *regs, int i)
{
	struct pt_regs___arm64 *r = (struct pt_regs___arm64 *)regs;
	switch (i) {
	case 0:
		return BPF_CORE_READ(r, regs[0]);
	case 1:
		return BPF_CORE_READ(r, regs[1]);
	case 2:
		return BPF_CORE_READ(r, regs[2]);
	default:
		return BPF_CORE_READ(r, regs[3]);
	}
}

static __always_inline long c_ret(struct pt_regs *regs)
{
	return c_arg(regs, 0);
}

static __always_inline __u64 go_arg(struct pt_regs *regs, int i)
{
	return c_arg(regs, i);
}

static __always_inline __u64 go_g(struct pt_regs *regs)
{
	return BPF_CORE_READ((struct pt_regs___arm64 *)regs, regs[28]);
}

/* The stack pointer, which pt_regs___arm64 (syscall_regs.h) leaves out. */
struct pt_regs___arm64_sp {
	__u64 sp;
} __attribute__((preserve_access_index));

static __always_inline __u64 go_sp(struct pt_regs *regs)
{
	return BPF_CORE_READ((struct pt_regs___arm64_sp *)regs, sp);
}

#else
#error "unsupported architecture"
#endif
