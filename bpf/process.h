/* Process lifecycle: user space learns of every exec, listen, exit, and
 * fork of a captured process, and the kernel keeps each process's verdict
 * (pid_verdicts) in step: pending from exec until judged, inherited by forked
 * children, gone at exit. Uses capture_all, set by user space before load. */
#pragma once

#include "maps.h"
#include "output.h"
#include "syscall_args.h"

/* pid_selected tells whether the programs capture process tgid: its
 * verdict, or capture_all for a process without one. */
static __always_inline bool pid_selected(__u32 tgid)
{
	__u8 *verdict = bpf_map_lookup_elem(&pid_verdicts, &tgid);
	if (!verdict)
		return capture_all;
	return *verdict != VERDICT_IGNORE;
}

static __always_inline int emit_proc(void *ctx, __u8 kind, __u32 tgid, __u16 port)
{
	struct process_event e = {
		.kind = kind,
		.port = port,
		.pid = tgid,
		.ts_ns = bpf_ktime_get_ns(),
	};
	if (output(ctx, &e, sizeof(e)))
		count(COUNTER_LOST_CONTROL);
	return 0;
}

/* emit_exec reports an exec with the program's path and the start of its
 * command line, read from the new program's stack. */
static __always_inline void emit_exec(void *ctx, struct task_struct *task, struct linux_binprm *bprm, __u32 tgid)
{
	__u32 zero = 0;
	/* Too large for the stack: built in the per-CPU scratch record. */
	struct exec_event *e = bpf_map_lookup_elem(&scratch, &zero);
	if (!e)
		return;
	e->hdr = (struct process_event){.kind = EVENT_EXEC, .pid = tgid, .ts_ns = bpf_ktime_get_ns()};
	bpf_probe_read_kernel_str(e->filename, sizeof(e->filename), BPF_CORE_READ(bprm, filename));
	unsigned long start = BPF_CORE_READ(task, mm, arg_start);
	unsigned long end = BPF_CORE_READ(task, mm, arg_end);
	__u32 n = end > start ? end - start : 0;
	if (n > EXEC_ARGS_LEN)
		n = EXEC_ARGS_LEN;
	if (bpf_probe_read_user(e->args, n, (void *)start))
		n = 0;
	e->args_len = n;
	if (output(ctx, e, sizeof(*e)))
		count(COUNTER_LOST_CONTROL);
}

/* handle_process_exec reports an exec and captures the process until user
 * space has judged the new program: always when not everything is captured,
 * and when everything is, if it had a verdict (inherited from its parent, or
 * set for the program it ran before). */
static __always_inline int handle_process_exec(void *ctx, struct task_struct *task, struct linux_binprm *bprm)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	__u8 pending = VERDICT_PENDING;

	if (!capture_all || bpf_map_lookup_elem(&pid_verdicts, &tgid))
		bpf_map_update_elem(&pid_verdicts, &tgid, &pending, BPF_ANY);
	bpf_map_delete_elem(&go_layouts, &tgid);
	if (propagate)
		bpf_map_delete_elem(&ctx_threads, &tgid);
	emit_exec(ctx, task, bprm, tgid);
	return 0;
}

/* emit_fork tells user space that a captured process forked, so a child
 * that serves one connection and exits is still described (as its parent). */
static __always_inline void emit_fork(void *ctx, struct task_struct *child, __u32 parent, __u32 tgid,
				      __u8 verdict)
{
	struct process_event e = {
		.kind = EVENT_FORK,
		.verdict = verdict,
		.pid = tgid,
		.ts_ns = bpf_ktime_get_ns(),
		.ppid = parent,
		.start_ns = BPF_CORE_READ(child, start_boottime),
	};
	if (output(ctx, &e, sizeof(e)))
		count(COUNTER_LOST_CONTROL);
}

/* handle_process_fork gives a new process (not a thread) its parent's
 * verdict: the workers a selected server forks without exec (nginx,
 * PostgreSQL backends) are selected with it, and the child of a process
 * still waiting for judgement waits with it. User space hears of the forks
 * of processes that are, or may be, captured, and judges a child left
 * waiting unless it execs first. */
static __always_inline int handle_process_fork(void *ctx, struct task_struct *child)
{
	__u32 parent = bpf_get_current_pid_tgid() >> 32;
	__u32 tgid = BPF_CORE_READ(child, tgid);

	if (tgid == parent || BPF_CORE_READ(child, pid) != tgid)
		return 0;
	__u8 *verdict = bpf_map_lookup_elem(&pid_verdicts, &parent);
	if (!verdict) {
		if (capture_all)
			emit_fork(ctx, child, parent, tgid, 0);
		return 0;
	}
	/* A pending child is told from one that exec'ed since: user space
	 * judges only the former. */
	__u8 inherited = *verdict == VERDICT_PENDING ? VERDICT_PENDING_FORK : *verdict;
	bpf_map_update_elem(&pid_verdicts, &tgid, &inherited, BPF_ANY);
	if (inherited != VERDICT_IGNORE)
		emit_fork(ctx, child, parent, tgid, inherited);
	return 0;
}

/* handle_process_exit forgets a thread's request when it exits, and a
 * process when its thread group leader exits. */
static __always_inline int handle_process_exit(void *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32;

	if (propagate)
		bpf_map_delete_elem(&thread_traces, &id);
	forget_args(id);
	if ((__u32)id != tgid)
		return 0;
	bpf_map_delete_elem(&pid_verdicts, &tgid);
	bpf_map_delete_elem(&go_layouts, &tgid);
	if (propagate)
		bpf_map_delete_elem(&ctx_threads, &tgid);
	return emit_proc(ctx, EVENT_EXIT, tgid, 0);
}
