// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Two ways to see read(2) and write(2) return, with the same body, so a
 * benchmark can compare what each hook costs: the raw tracepoint on sys_exit
 * (fires for every syscall; filters on the number) and the per-syscall
 * tracepoints syscalls/sys_exit_read and sys_exit_write (need tracefs to
 * attach). The body filters on the process, as the capture programs do, and
 * counts. */
#include "headers/vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#include "syscall_regs.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

volatile const __u32 target_tgid = 0;

/* hits: one per-CPU counter of writes seen from target_tgid. Fixed size. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} hits SEC(".maps");

static __always_inline int count_target(void)
{
	__u32 zero = 0;
	__u64 *v;

	if (bpf_get_current_pid_tgid() >> 32 != target_tgid)
		return 0;
	v = bpf_map_lookup_elem(&hits, &zero);
	if (v)
		*v += 1;
	return 0;
}

SEC("raw_tracepoint/sys_exit")
int raw_sys_exit(struct bpf_raw_tracepoint_args *ctx)
{
	long nr = regs_syscall_nr((struct pt_regs *)ctx->args[0]);

	if (nr != NR_READ && nr != NR_WRITE)
		return 0;
	return count_target();
}

SEC("tracepoint/syscalls/sys_exit_read")
int tp_sys_exit_read(void *ctx)
{
	return count_target();
}

SEC("tracepoint/syscalls/sys_exit_write")
int tp_sys_exit_write(void *ctx)
{
	return count_target();
}
