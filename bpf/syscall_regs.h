/* Syscall numbers and argument registers as seen from raw_tracepoint/sys_exit,
 * whose first argument is the task's saved user registers. */
#pragma once

#if defined(__TARGET_ARCH_x86)

#define NR_READ 0
#define NR_WRITE 1
#define NR_READV 19
#define NR_WRITEV 20
#define NR_SENDFILE 40
#define NR_CONNECT 42
#define NR_ACCEPT 43
#define NR_SENDTO 44
#define NR_RECVFROM 45
#define NR_SENDMSG 46
#define NR_RECVMSG 47
#define NR_ACCEPT4 288
#define NR_LISTEN 50

/* orig_ax keeps the syscall number; di, si, dx keep the first three
 * arguments (the return value goes to ax). */
static __always_inline long regs_syscall_nr(struct pt_regs *regs)
{
	return BPF_CORE_READ(regs, orig_ax);
}

static __always_inline __u64 regs_arg0(struct pt_regs *regs)
{
	return BPF_CORE_READ(regs, di);
}

static __always_inline __u64 regs_arg1(struct pt_regs *regs)
{
	return BPF_CORE_READ(regs, si);
}

#elif defined(__TARGET_ARCH_arm64)

#define NR_CONNECT 203
#define NR_ACCEPT 202
#define NR_SENDTO 206
#define NR_RECVFROM 207
#define NR_SENDMSG 211
#define NR_RECVMSG 212
#define NR_ACCEPT4 242
#define NR_LISTEN 201
#define NR_READ 63
#define NR_WRITE 64
#define NR_READV 65
#define NR_WRITEV 66
#define NR_SENDFILE 71

/* The arm64 kernel's pt_regs, named as a CO-RE flavour so it does not clash
 * with the x86 definition in vmlinux.h. x0 holds the return value at exit, so
 * the first argument comes from orig_x0. */
struct pt_regs___arm64 {
	__u64 regs[31];
	__u64 orig_x0;
	__s32 syscallno;
} __attribute__((preserve_access_index));

static __always_inline long regs_syscall_nr(struct pt_regs *regs)
{
	return BPF_CORE_READ((struct pt_regs___arm64 *)regs, syscallno);
}

static __always_inline __u64 regs_arg0(struct pt_regs *regs)
{
	return BPF_CORE_READ((struct pt_regs___arm64 *)regs, orig_x0);
}

static __always_inline __u64 regs_arg1(struct pt_regs *regs)
{
	return BPF_CORE_READ((struct pt_regs___arm64 *)regs, regs[1]);
}

#else
#error "unsupported architecture"
#endif
