// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Socket capture for selected processes.
 *
 * The exit tracepoints of the read- and write-family syscalls, accept and
 * connect (syscalls/sys_exit_*) see each of those syscalls return; the
 * caller's arguments come from its saved user registers, or, on kernels
 * before 5.15, from the syscall's entry tracepoint (syscall_args.h). For TCP sockets of
 * selected processes they send the connection, the byte count and the first
 * bytes moved to user space; accept and connect give a connection its role.
 * The kernel runs these programs only for the syscalls they hook, so the
 * rest of the machine's syscalls pay nothing but the tracepoint check.
 * Attaching them needs tracefs; where it cannot be had, one raw tracepoint
 * on sys_exit (on_sys_exit) does the same work for every syscall, filtering
 * on the syscall number, at a higher cost per syscall (see the README).
 *
 * listen's exit reports ports processes start listening on, for rules on
 * open ports. inet_sock_set_state says when a connection is done, and
 * sk_data_ready when bytes began to wait in a server's socket (queue.h);
 * sched_process_exec, sched_process_fork and sched_process_exit let user
 * space select new processes, give forked workers their parent's verdict,
 * and forget old ones (process.h). Which connections are sent at all is
 * decided from their first bytes (classify.h).
 */
#include "headers/vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>

#include "sizes.h"
#include "event.h"
#include "maps.h"
#include "sock.h"
#include "syscall_regs.h"
#include "tls.h"
#include "output.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Configuration, set by user space before load; the classifier's is in
 * classify.h. */
volatile const __u32 max_payload = 1024; /* bytes captured per syscall, <= MAX_PAYLOAD */
volatile const __u8 capture_all = 1;     /* processes without a verdict are captured */

/* These use the configuration above. */
#include "classify_conn.h"
#include "process.h"
#include "record.h"

/* Force these types into BTF so bpf2go generates their Go counterparts. */
const enum event_kind *unused_event_kind __attribute__((unused));
const enum direction *unused_direction __attribute__((unused));
const enum conn_role *unused_conn_role __attribute__((unused));
const enum protocol *unused_protocol __attribute__((unused));
const enum data_flags *unused_data_flags __attribute__((unused));
const enum counter *unused_counter __attribute__((unused));
const enum verdict *unused_verdict __attribute__((unused));
const struct process_event *unused_process_event __attribute__((unused));
const struct exec_event *unused_exec_event __attribute__((unused));

/* Set by user space before load: the kernel has atomic fetch-and-add
 * (5.12). */
volatile const __u8 atomic_ids = 0;

/* Source of connection ids where the kernel has atomic fetch-and-add. */
__u64 next_conn_id = 0;

/* next_id_atomic numbers a connection from one counter. Not inlined: a
 * kernel before 5.12 refuses the instruction even where it would never
 * run, so there user space removes this function and its calls before
 * load (tracer.dropFunctions). */
static __noinline __u64 next_id_atomic(void)
{
	return __sync_fetch_and_add(&next_conn_id, 1) + 1;
}

/* conn_ids: per CPU, how many connections this CPU has numbered, for
 * kernels without atomic fetch-and-add. Fixed size. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} conn_ids SEC(".maps");

/* CPU numbers take the low bits of a per-CPU connection id. */
#define CONN_ID_CPU_BITS 12

/* new_conn_id returns an id no other connection has, for the lifetime of
 * the loaded programs. Without atomic fetch-and-add, an id is this CPU's
 * count and the CPU's number: kernels before 5.12 run these programs with
 * preemption off, so no other program numbers a connection on this CPU
 * meanwhile. */
static __always_inline __u64 new_conn_id(void)
{
	if (atomic_ids)
		return next_id_atomic();
	__u32 zero = 0;
	__u64 *n = bpf_map_lookup_elem(&conn_ids, &zero);
	if (!n)
		return 0;
	*n += 1;
	return *n << CONN_ID_CPU_BITS | (bpf_get_smp_processor_id() & ((1 << CONN_ID_CPU_BITS) - 1));
}

/* How a syscall passes its buffer. */
enum buffer_kind {
	BUF_PLAIN = 1, /* (fd, buf, count) */
	BUF_IOVEC = 2, /* (fd, iov, iovcnt) */
	BUF_MSG = 3,   /* (fd, msghdr, flags) */
	BUF_NONE = 4,  /* sendfile(out_fd, in_fd, ...) */
};

/* conn_open starts a connection seen at accept or connect: always a new one,
 * even if a stale entry for a reused socket address is still there. */
static __always_inline void conn_open(struct sock *sk, __u8 role)
{
	__u64 key = (__u64)sk;
	struct conn_state fresh = {
		.id = new_conn_id(),
		.role = role,
	};
	bpf_map_update_elem(&conns, &key, &fresh, BPF_ANY);
	if (role == ROLE_SERVER)
		queue_accepted(sk);
}

/* conn_get returns the state of a connection, creating it for sockets that
 * were opened before capture started. */
static __always_inline struct conn_state *conn_get(struct sock *sk)
{
	__u64 key = (__u64)sk;
	struct conn_state *c = bpf_map_lookup_elem(&conns, &key);
	if (c)
		return c;
	struct conn_state fresh = {
		.id = new_conn_id(),
	};
	bpf_map_update_elem(&conns, &key, &fresh, BPF_NOEXIST);
	return bpf_map_lookup_elem(&conns, &key);
}

/* first_buffer finds the user buffer holding a syscall's first bytes and
 * how many of them it holds. */
static __always_inline const void *first_buffer(enum buffer_kind kind, __u64 arg, __u32 *avail)
{
	struct iovec iov = {};
	struct user_msghdr msg = {};

	switch (kind) {
	case BUF_PLAIN:
		return (const void *)arg;
	case BUF_MSG:
		if (bpf_probe_read_user(&msg, sizeof(msg), (void *)arg))
			return NULL;
		arg = (__u64)msg.msg_iov;
		/* fallthrough */
	case BUF_IOVEC:
		if (bpf_probe_read_user(&iov, sizeof(iov), (void *)arg))
			return NULL;
		if (iov.iov_len < *avail)
			*avail = iov.iov_len;
		return iov.iov_base;
	default:
		return NULL;
	}
}

/* HTTP/2 connections send frame pieces (h2walk.h). */
#include "h2walk.h"

/* iov_array returns the user address of a syscall's iovec array, 0 for a
 * plain buffer. */
static __always_inline __u64 iov_array(enum buffer_kind kind, __u64 arg)
{
	struct user_msghdr msg = {};

	if (kind == BUF_IOVEC)
		return arg;
	if (kind != BUF_MSG || bpf_probe_read_user(&msg, sizeof(msg), (void *)arg))
		return 0;
	return (__u64)msg.msg_iov;
}

/* handle_data sends what a data syscall on fd moved; arg is its buffer,
 * iovec array or msghdr (see enum buffer_kind). */
static __always_inline int handle_data(void *ctx, __u64 fd, __u64 arg, long ret, __u8 dir,
				       enum buffer_kind kind)
{
	struct sock *sk = tcp_sock_of_fd(fd);
	if (!sk)
		return 0;
	struct conn_state *c = conn_get(sk);
	if (!c)
		return 0;
	/* A connection seen carrying cleartext HTTP never turns into TLS; the
	 * database protocols can (SSLRequest), and unknown ones may be TLS. */
	if (enable_tls && c->protocol != PROTO_HTTP1 && c->protocol != PROTO_HTTP2 && tls_claim(sk, c)) {
		if (propagate)
			wire_skip(sk);
		if (dir == DIR_INGRESS)
			queue_pass(sk, c);
		return 0;
	}

	__u32 len = ret;
	__u32 avail = len;
	const void *buf = first_buffer(kind, arg, &avail);
	if (!classify(c, buf, avail)) {
		count(COUNTER_UNCLASSIFIED);
		if (dir == DIR_INGRESS)
			queue_pass(sk, c);
		return 0;
	}
	if (c->protocol == PROTO_HTTP2 &&
	    h2_emit(ctx, sk, c, dir, len, buf, avail, iov_array(kind, arg), 0))
		return 0;
	emit_data(ctx, sk, c, dir, len, buf, avail, kind == BUF_PLAIN, 0);
	return 0;
}

static __always_inline int handle_accept(long ret)
{
	if (ret < 0)
		return 0;
	struct sock *sk = tcp_sock_of_fd(ret);
	if (sk)
		conn_open(sk, ROLE_SERVER);
	return 0;
}

/* handle_listen reports every process, selected or not, that starts
 * listening on a TCP socket: selection rules on open ports are judged again
 * then. Listening is rare, so this costs nothing measurable. */
static __always_inline int handle_listen(void *ctx, __u64 fd, long ret)
{
	if (ret != 0)
		return 0;
	struct sock *sk = tcp_sock_of_fd(fd);
	if (!sk)
		return 0;
	__u16 port = BPF_CORE_READ(sk, __sk_common.skc_num);
	return emit_proc(ctx, EVENT_LISTEN, bpf_get_current_pid_tgid() >> 32, port);
}

static __always_inline int handle_connect(__u64 fd, long ret)
{
	/* A non-blocking connect returns -EINPROGRESS (-115) and completes later. */
	if (ret != 0 && ret != -115)
		return 0;
	struct sock *sk = tcp_sock_of_fd(fd);
	if (sk) {
		conn_open(sk, ROLE_CLIENT);
		note_client_tuple(sk);
	}
	return 0;
}

/* handle_sys_exit filters on the syscall number first (the tracepoint fires
 * for every syscall on the machine), then on the process. */
static __always_inline int handle_sys_exit(void *ctx, struct pt_regs *regs, long ret)
{
	long nr = regs_syscall_nr(regs);
	__u8 dir = DIR_INGRESS;
	enum buffer_kind kind;

	switch (nr) {
	case NR_READ:
	case NR_RECVFROM:
		kind = BUF_PLAIN;
		break;
	case NR_WRITE:
	case NR_SENDTO:
		dir = DIR_EGRESS;
		kind = BUF_PLAIN;
		break;
	case NR_READV:
		kind = BUF_IOVEC;
		break;
	case NR_WRITEV:
		dir = DIR_EGRESS;
		kind = BUF_IOVEC;
		break;
	case NR_RECVMSG:
		kind = BUF_MSG;
		break;
	case NR_SENDMSG:
		dir = DIR_EGRESS;
		kind = BUF_MSG;
		break;
	case NR_SENDFILE:
		dir = DIR_EGRESS;
		kind = BUF_NONE;
		break;
	case NR_ACCEPT:
	case NR_ACCEPT4:
	case NR_CONNECT:
		break;
	case NR_LISTEN:
		return handle_listen(ctx, regs_arg0(regs), ret);
	default:
		return 0;
	}
	if (!pid_selected(bpf_get_current_pid_tgid() >> 32))
		return 0;
	if (nr == NR_ACCEPT || nr == NR_ACCEPT4)
		return handle_accept(ret);
	if (nr == NR_CONNECT)
		return handle_connect(regs_arg0(regs), ret);
	if (ret <= 0)
		return 0;
	return handle_data(ctx, regs_arg0(regs), regs_arg1(regs), ret, dir, kind);
}

/* on_data_exit is the body of the data syscalls' exit tracepoints. Failed
 * and empty transfers (EAGAIN reads are common) are dropped before anything
 * else, being cheaper to test than the process. */
static __always_inline int on_data_exit(struct trace_event_raw_sys_exit *ctx, __u8 dir, enum buffer_kind kind)
{
	struct syscall_args a;

	if (ctx->ret <= 0 || !pid_selected(bpf_get_current_pid_tgid() >> 32))
		return 0;
	if (!current_args(&a, ctx->id))
		return 0;
	return handle_data(ctx, a.fd, a.arg, ctx->ret, dir, kind);
}

static __always_inline int on_accept_exit(long ret)
{
	if (ret < 0 || !pid_selected(bpf_get_current_pid_tgid() >> 32))
		return 0;
	return handle_accept(ret);
}

static __always_inline int on_connect_exit(struct trace_event_raw_sys_exit *ctx)
{
	struct syscall_args a;

	if (!pid_selected(bpf_get_current_pid_tgid() >> 32) || !current_args(&a, ctx->id))
		return 0;
	return handle_connect(a.fd, ctx->ret);
}

static __always_inline int on_listen_exit(struct trace_event_raw_sys_exit *ctx)
{
	struct syscall_args a;

	if (ctx->ret != 0 || !current_args(&a, ctx->id))
		return 0;
	return handle_listen(ctx, a.fd, ctx->ret);
}

/* handle_sock_state ends a connection once the process can no longer move
 * data on it: it closed first (FIN_WAIT1), closed after the peer did
 * (LAST_ACK), or the socket is gone (CLOSE). CLOSE_WAIT is not an end: the
 * process may still read what the peer sent before its FIN. Runs in any
 * context, including softirq, so it builds its event on the stack. */
static __always_inline int handle_sock_state(void *ctx, struct sock *sk, int oldstate, int state)
{
	queue_state(sk, oldstate, state);
	if (state != TCP_FIN_WAIT1 && state != TCP_LAST_ACK && state != TCP_CLOSE)
		return 0;
	if (propagate && state == TCP_CLOSE)
		wire_forget(sk);
	__u64 key = (__u64)sk;
	struct conn_state *c = bpf_map_lookup_elem(&conns, &key);
	if (!c)
		return 0;
	if (!c->ended && c->protocol != PROTO_UNKNOWN) {
		struct conn_event e = {
			.kind = EVENT_CLOSE,
			.role = c->role,
			.conn_id = c->id,
			.ts_ns = bpf_ktime_get_ns(),
		};
		c->ended = 1;
		if (output(ctx, &e, sizeof(e)))
			count(COUNTER_LOST_CONTROL);
	}
	if (c->tls_records && c->protocol != PROTO_TLS) {
		c->tls_records = 0;
		count(COUNTER_TLS_UNDECODED);
	}
	if (state == TCP_CLOSE) {
		if (c->role == ROLE_CLIENT)
			forget_client_tuple(sk);
		bpf_map_delete_elem(&conns, &key);
	}
	return 0;
}

/* Entry tracepoints of the hooked syscalls, attached only on kernels
 * without bpf_task_pt_regs (syscall_args.h): one program for the data
 * syscalls and connect of selected processes, one for listen, which every
 * process reports. accept needs no arguments: its result is the socket. */
SEC("tracepoint")
int tp_enter_args(struct trace_event_raw_sys_enter *ctx)
{
	if (!pid_selected(bpf_get_current_pid_tgid() >> 32))
		return 0;
	return save_args(ctx);
}

SEC("tracepoint")
int tp_enter_listen(struct trace_event_raw_sys_enter *ctx)
{
	return save_args(ctx);
}

/* Exit tracepoints of the hooked syscalls: the kernel runs each only for
 * its own syscall. */
SEC("tracepoint/syscalls/sys_exit_read")
int tp_exit_read(struct trace_event_raw_sys_exit *ctx)
{
	return on_data_exit(ctx, DIR_INGRESS, BUF_PLAIN);
}

SEC("tracepoint/syscalls/sys_exit_recvfrom")
int tp_exit_recvfrom(struct trace_event_raw_sys_exit *ctx)
{
	return on_data_exit(ctx, DIR_INGRESS, BUF_PLAIN);
}

SEC("tracepoint/syscalls/sys_exit_readv")
int tp_exit_readv(struct trace_event_raw_sys_exit *ctx)
{
	return on_data_exit(ctx, DIR_INGRESS, BUF_IOVEC);
}

SEC("tracepoint/syscalls/sys_exit_recvmsg")
int tp_exit_recvmsg(struct trace_event_raw_sys_exit *ctx)
{
	return on_data_exit(ctx, DIR_INGRESS, BUF_MSG);
}

SEC("tracepoint/syscalls/sys_exit_write")
int tp_exit_write(struct trace_event_raw_sys_exit *ctx)
{
	return on_data_exit(ctx, DIR_EGRESS, BUF_PLAIN);
}

SEC("tracepoint/syscalls/sys_exit_sendto")
int tp_exit_sendto(struct trace_event_raw_sys_exit *ctx)
{
	return on_data_exit(ctx, DIR_EGRESS, BUF_PLAIN);
}

SEC("tracepoint/syscalls/sys_exit_writev")
int tp_exit_writev(struct trace_event_raw_sys_exit *ctx)
{
	return on_data_exit(ctx, DIR_EGRESS, BUF_IOVEC);
}

SEC("tracepoint/syscalls/sys_exit_sendmsg")
int tp_exit_sendmsg(struct trace_event_raw_sys_exit *ctx)
{
	return on_data_exit(ctx, DIR_EGRESS, BUF_MSG);
}

SEC("tracepoint/syscalls/sys_exit_sendfile64")
int tp_exit_sendfile(struct trace_event_raw_sys_exit *ctx)
{
	return on_data_exit(ctx, DIR_EGRESS, BUF_NONE);
}

SEC("tracepoint/syscalls/sys_exit_accept")
int tp_exit_accept(struct trace_event_raw_sys_exit *ctx)
{
	return on_accept_exit(ctx->ret);
}

SEC("tracepoint/syscalls/sys_exit_accept4")
int tp_exit_accept4(struct trace_event_raw_sys_exit *ctx)
{
	return on_accept_exit(ctx->ret);
}

SEC("tracepoint/syscalls/sys_exit_connect")
int tp_exit_connect(struct trace_event_raw_sys_exit *ctx)
{
	return on_connect_exit(ctx);
}

SEC("tracepoint/syscalls/sys_exit_listen")
int tp_exit_listen(struct trace_event_raw_sys_exit *ctx)
{
	return on_listen_exit(ctx);
}

/* sys_exit(struct pt_regs *regs, long ret): every syscall's return; the
 * fallback when the per-syscall tracepoints cannot be attached. */
SEC("raw_tracepoint/sys_exit")
int on_sys_exit(struct bpf_raw_tracepoint_args *ctx)
{
	return handle_sys_exit(ctx, (struct pt_regs *)ctx->args[0], (long)ctx->args[1]);
}

/* inet_sock_set_state(const struct sock *sk, int oldstate, int newstate). */
SEC("raw_tracepoint/inet_sock_set_state")
int on_sock_state(struct bpf_raw_tracepoint_args *ctx)
{
	return handle_sock_state(ctx, (struct sock *)ctx->args[0], (int)ctx->args[1], (int)ctx->args[2]);
}

/* sk_data_ready(const struct sock *sk), kernel 6.3: data was queued on a
 * socket (queue.h). Attached only when queue time is measured. */
SEC("raw_tracepoint/sk_data_ready")
int on_sk_data_ready(struct bpf_raw_tracepoint_args *ctx)
{
	queue_data_ready(ctx->args[0]);
	return 0;
}

/* sched_process_exec(struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm). */
SEC("raw_tracepoint/sched_process_exec")
int on_sched_exec(struct bpf_raw_tracepoint_args *ctx)
{
	return handle_process_exec(ctx, (struct task_struct *)ctx->args[0], (struct linux_binprm *)ctx->args[2]);
}

/* sched_process_fork(struct task_struct *parent, struct task_struct *child). */
SEC("raw_tracepoint/sched_process_fork")
int on_sched_fork(struct bpf_raw_tracepoint_args *ctx)
{
	return handle_process_fork(ctx, (struct task_struct *)ctx->args[1]);
}

/* sched_process_exit(struct task_struct *p, bool group_dead). */
SEC("raw_tracepoint/sched_process_exit")
int on_sched_exit(struct bpf_raw_tracepoint_args *ctx)
{
	return handle_process_exit(ctx);
}

/* The trace option's TCP side (wire.h), attached to the cgroup v2 root
 * when propagation is on. */
SEC("sockops")
int on_sockops(struct bpf_sock_ops *skops)
{
	switch (skops->op) {
	case BPF_SOCK_OPS_TCP_CONNECT_CB:
		wire_client_open(skops);
		break;
	case BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB:
		wire_server_open(skops);
		break;
	case BPF_SOCK_OPS_HDR_OPT_LEN_CB:
		wire_reserve(skops);
		break;
	case BPF_SOCK_OPS_WRITE_HDR_OPT_CB:
		wire_write(skops);
		break;
	case BPF_SOCK_OPS_PARSE_HDR_OPT_CB:
		wire_parse(skops);
		break;
	}
	return 1;
}
