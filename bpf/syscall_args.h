/* A hooked syscall's arguments, at its exit.
 *
 * From kernel 5.15 every program can read the task's saved user registers
 * (bpf_task_pt_regs), which still hold the arguments when the syscall
 * returns, so the exit tracepoints need nothing else. Older kernels lack
 * that helper: there the entry tracepoints of the hooked syscalls keep each
 * thread's arguments in entry_args, and the exit reads them back. User
 * space sets args_at_entry before load, and attaches the entry tracepoints
 * only then; the verifier prunes the branch not taken, so an older kernel
 * never checks the helpers it does not have. The raw tracepoint on sys_exit
 * needs neither: it is handed the registers. */
#pragma once

#include "sizes.h"
#include "maps.h"
#include "syscall_regs.h"

volatile const __u8 args_at_entry = 0;

struct syscall_args {
	__u64 fd;  /* the first argument */
	__u64 arg; /* the second: a buffer, an iovec array or a msghdr */
	__s32 nr;  /* the syscall */
	__u32 _pad;
};

/* entry_args: pid_tgid -> the arguments of the hooked syscall the thread
 * made last. Used only with args_at_entry. Set by the entry tracepoints, for
 * threads of selected processes (of every process for listen); a thread's
 * entry is overwritten by its next hooked syscall, and deleted by
 * on_sched_exit when the thread exits. An LRU, so entries of threads whose
 * exit was missed are evicted. An exit takes an entry only when it holds
 * its own syscall's number, so an entry left by another syscall (one made
 * before the programs were attached, say) is never taken for it. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, MAX_THREADS);
	__type(key, __u64);
	__type(value, struct syscall_args);
} entry_args SEC(".maps");

/* save_args keeps the arguments of the syscall entering now for its exit.
 * The per-syscall tracepoints' record holds the number as an int. */
static __always_inline int save_args(struct trace_event_raw_sys_enter *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct syscall_args a = {
		.fd = ctx->args[0],
		.arg = ctx->args[1],
		.nr = (__s32)ctx->id,
	};
	bpf_map_update_elem(&entry_args, &id, &a, BPF_ANY);
	return 0;
}

/* current_args reads the arguments of syscall nr, which the current thread
 * is in; nr < 0 stands for whichever syscall it is in (or made last), whose
 * number is then read too. False when they are not known. */
static __always_inline bool current_args(struct syscall_args *a, long nr)
{
	if (!args_at_entry) {
		struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
		a->fd = regs_arg0(regs);
		a->arg = regs_arg1(regs);
		a->nr = nr < 0 ? regs_syscall_nr(regs) : nr;
		return true;
	}
	__u64 id = bpf_get_current_pid_tgid();
	struct syscall_args *saved = bpf_map_lookup_elem(&entry_args, &id);
	if (!saved || (nr >= 0 && saved->nr != (__s32)nr))
		return false;
	*a = *saved;
	return true;
}

/* forget_args drops the arguments kept for an exiting thread. */
static __always_inline void forget_args(__u64 pid_tgid)
{
	if (args_at_entry)
		bpf_map_delete_elem(&entry_args, &pid_tgid);
}
