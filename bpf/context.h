/* Where a record's bytes sit in their request and which execution context
 * moved them: the facts user space links spans with (see the README's
 * "Trace context").
 *
 * The TCP sequence number of a segment's first byte is the same in the
 * process that wrote it and in the one that read it: a client's request
 * and the server's read of it carry the same number, whatever else the
 * connection carries and however it was pooled. At a syscall's exit the
 * socket has already advanced past the bytes moved, so the first byte is
 * the current number less the count: write_seq for writes, copied_seq for
 * reads.
 *
 * The goroutine of a Go program is read from its g, which Go keeps in
 * thread-local storage (amd64: fsbase + g_offset, -8 without cgo) or in
 * register x28 (arm64), at the offset of g.goid user space found for the
 * program's Go version. */
#pragma once

#include "maps.h"
#include "sock.h"
#include "syscall_args.h"

/* stream_seq is the sequence number of the first of the len bytes a
 * syscall that just returned moved in direction dir on TCP socket sk. */
static __always_inline __u32 stream_seq(struct sock *sk, __u8 dir, __u32 len)
{
	struct tcp_sock *tp = (struct tcp_sock *)sk;
	__u32 end = dir == DIR_EGRESS ? BPF_CORE_READ(tp, write_seq) : BPF_CORE_READ(tp, copied_seq);
	return end - len;
}

#if defined(__TARGET_ARCH_x86)
/* current_g is the g pointer of the goroutine running on this thread. */
static __always_inline __u64 current_g(const struct go_layout *l)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	__u64 g = 0;
	bpf_probe_read_user(&g, sizeof(g), (void *)(BPF_CORE_READ(task, thread.fsbase) + (__s64)l->g_offset));
	return g;
}
#elif defined(__TARGET_ARCH_arm64)
struct pt_regs___arm64_g {
	__u64 regs[31];
} __attribute__((preserve_access_index));

/* The registers need bpf_task_pt_regs (5.15): before it, no goroutine ids. */
static __always_inline __u64 current_g(const struct go_layout *l)
{
	if (args_at_entry)
		return 0;
	struct pt_regs___arm64_g *regs =
		(struct pt_regs___arm64_g *)bpf_task_pt_regs(bpf_get_current_task_btf());
	return BPF_CORE_READ(regs, regs[28]);
}
#endif

/* goid_of reads the id of goroutine g; 0 when it cannot. */
static __always_inline __u64 goid_of(const struct go_layout *l, __u64 g)
{
	__u64 goid = 0;
	if (g)
		bpf_probe_read_user(&goid, sizeof(goid), (void *)(g + l->goid_offset));
	return goid;
}

/* current_goid is the id of the goroutine making this syscall, 0 when the
 * process is no Go program of known layout. */
static __always_inline __u64 current_goid(__u32 tgid)
{
	const struct go_layout *l = bpf_map_lookup_elem(&go_layouts, &tgid);
	if (!l)
		return 0;
	return goid_of(l, current_g(l));
}

/* sock_addr copies an address of sk into a as IPv6, mapping IPv4. */
static __always_inline void sock_addr(__u8 a[16], struct sock *sk, bool remote)
{
	if (BPF_CORE_READ(sk, __sk_common.skc_family) == AF_INET) {
		a[10] = a[11] = 0xff;
		if (remote)
			bpf_core_read(a + 12, 4, &sk->__sk_common.skc_daddr);
		else
			bpf_core_read(a + 12, 4, &sk->__sk_common.skc_rcv_saddr);
		return;
	}
	if (remote)
		bpf_core_read(a, 16, &sk->__sk_common.skc_v6_daddr);
	else
		bpf_core_read(a, 16, &sk->__sk_common.skc_v6_rcv_saddr);
}

/* client_tuple is the tuple of connection sk, whose client end is the
 * local one when client is true. */
static __always_inline void client_tuple(struct tuple_key *k, struct sock *sk, bool client)
{
	__u16 local = BPF_CORE_READ(sk, __sk_common.skc_num);
	__u16 remote = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	sock_addr(client ? k->client : k->server, sk, false);
	sock_addr(client ? k->server : k->client, sk, true);
	k->client_port = client ? local : remote;
	k->server_port = client ? remote : local;
}

/* note_client_tuple makes a connection a captured process opened known to
 * the server end on this node. */
static __always_inline void note_client_tuple(struct sock *sk)
{
	struct tuple_key k = {};
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	client_tuple(&k, sk, true);
	bpf_map_update_elem(&client_tuples, &k, &tgid, BPF_ANY);
}

/* forget_client_tuple drops a client connection that closed. */
static __always_inline void forget_client_tuple(struct sock *sk)
{
	struct tuple_key k = {};
	client_tuple(&k, sk, true);
	bpf_map_delete_elem(&client_tuples, &k);
}

