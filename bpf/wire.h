/* Trace context on the wire, across nodes: a TCP header option on the
 * segment that begins each request a captured client sends, read on the
 * receiving node to make its server span the remote client span's child.
 *
 * The option is kind 25, 26 bytes: kind, length, then the trace id (16
 * bytes) and the client span's id (8 bytes), as OpenTelemetry eBPF
 * Instrumentation writes it, so fleets running either join up. The ids are
 * drawn here, when the segment is built: user space learns them from the
 * record of the write that carried it, by the TCP sequence number of the
 * segment's first byte, and the server's node from the record of the read
 * that returns that byte.
 *
 * One sockops program (on_sockops), attached to the cgroup v2 root, does
 * the TCP side:
 * - at connect, in the connecting process, it turns option writing on for
 *   sockets of captured processes;
 * - every accepted socket asks to see options TCP does not know;
 * - a data segment begins a request when nothing was sent before on the
 *   connection, or bytes arrived since the last one that did: room is
 *   reserved for it, and the option written;
 * - a received option is kept per socket with the sequence number of its
 *   segment.
 * The syscall programs then put the ids in the data record whose bytes hold
 * that sequence number (wire_attach).
 *
 * The trace id of a request a thread writes is the one of the request the
 * thread is handling, in processes whose threads each handle one request
 * at a time (ctx_threads): the trace its option carried, or one drawn when
 * the request was read, which user space gives the server span when it
 * starts a trace (wire_thread). So every call a request makes carries its
 * trace. Elsewhere each request's trace id is drawn anew. */
#pragma once

#include "maps.h"
#include "process.h"
#include "sock.h"
#include "syscall_regs.h"

#define WIRE_OPT_KIND 25
#define WIRE_OPT_LEN 26
#define TCPHDR_SYN 0x02

/* The option as it is on the wire. */
struct wire_opt {
	__u8 kind;
	__u8 len;
	__u8 trace[16];
	__u8 span[8];
} __attribute__((packed));

/* The client end of a connection whose requests carry the option. */
struct wire_client {
	__u32 rcv_mark;  /* rcv_nxt when the latest request began */
	__u32 start_seq; /* the sequence number of the segment that begins it */
	__u8 started;    /* a request began on the connection */
	__u8 pending;    /* room is reserved on the segment at start_seq */
	__u8 skip;       /* HTTP/2 or TLS: no option (a segment begins no request, or has no position) */
	__u8 reserved;   /* the room on that segment is this program's */
	struct wire_ids sent; /* the latest option written */
};

/* wire_out: socket cookie -> struct wire_client.
 * Inserted at connect for sockets of captured processes; deleted by
 * on_sock_state at TCP_CLOSE. An LRU, so missed ends are evicted. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, MAX_CONNS);
	__type(key, __u64);
	__type(value, struct wire_client);
} wire_out SEC(".maps");

/* wire_in: socket cookie -> the latest option received on it.
 * Inserted when an accepted socket receives the option; deleted by
 * on_sock_state at TCP_CLOSE. An LRU, so missed ends are evicted. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, MAX_CONNS);
	__type(key, __u64);
	__type(value, struct wire_ids);
} wire_in SEC(".maps");

/* sock_cookie returns a socket's cookie, 0 when none was ever given (the
 * socket predates the sockops program). */
static __always_inline __u64 sock_cookie(struct sock *sk)
{
	return BPF_CORE_READ(sk, __sk_common.skc_cookie.counter);
}

/* wire_client_open turns the option on for a socket a process that may be
 * selected connects (the program runs in that process here): one selected,
 * or not judged yet. A process judged not selected afterwards may so have
 * sent options in its first milliseconds naming spans no collector sends:
 * their remote spans have a parent that is not exported, as behind any
 * caller that propagates context without exporting. */
static __always_inline void wire_client_open(struct bpf_sock_ops *skops)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	if (!pid_selected(tgid))
		return;
	__u64 cookie = bpf_get_socket_cookie(skops);
	struct wire_client fresh = {};
	if (bpf_map_update_elem(&wire_out, &cookie, &fresh, BPF_ANY))
		return;
	bpf_sock_ops_cb_flags_set(skops, skops->bpf_sock_ops_cb_flags | BPF_SOCK_OPS_WRITE_HDR_OPT_CB_FLAG);
}

/* wire_server_open asks to see unknown options on an accepted socket, and
 * gives it the cookie the syscall programs look it up by. */
static __always_inline void wire_server_open(struct bpf_sock_ops *skops)
{
	bpf_get_socket_cookie(skops);
	bpf_sock_ops_cb_flags_set(skops, skops->bpf_sock_ops_cb_flags | BPF_SOCK_OPS_PARSE_UNKNOWN_HDR_OPT_CB_FLAG);
}

/* wire_reserve makes room for the option on a segment that begins a
 * request, and on every segment when TCP sizes them (no segment yet), so
 * a full segment still fits the path's MTU with it. */
static __always_inline void wire_reserve(struct bpf_sock_ops *skops)
{
	if (skops->skb_tcp_flags & TCPHDR_SYN)
		return;
	__u64 cookie = bpf_get_socket_cookie(skops);
	struct wire_client *w = bpf_map_lookup_elem(&wire_out, &cookie);
	if (!w || w->skip)
		return;
	if (skops->skb_tcp_flags == 0 && skops->skb_len == 0) { /* sizing */
		bpf_reserve_hdr_opt(skops, WIRE_OPT_LEN, 0);
		return;
	}
	if (skops->skb_len == 0)
		return;
	/* Each context field is read once, into a register: the verifier
	 * refuses a pointer into the context computed from a branch. */
	__u32 seq = skops->snd_nxt;
	__u32 rcv = skops->rcv_nxt;
	barrier_var(rcv);
	if (!w->started || w->rcv_mark != rcv) {
		w->started = 1;
		w->rcv_mark = rcv;
		w->start_seq = seq;
		w->pending = 1;
		w->reserved = 0;
	}
	if (!w->pending || w->start_seq != seq)
		return;
	if (bpf_reserve_hdr_opt(skops, WIRE_OPT_LEN, 0) == 0)
		w->reserved = 1;
	else if (!w->reserved)
		count(COUNTER_WIRE_NO_ROOM);
}

/* random_bytes fills n bytes (a multiple of 4) with random ones. */
static __always_inline void random_bytes(__u8 *b, int n)
{
	for (int i = 0; i < n; i += 4) {
		__u32 r = bpf_get_prandom_u32();
		__builtin_memcpy(b + i, &r, 4);
	}
}

/* writer_trace copies into trace the trace of the request the thread
 * writing this segment handles, if it is known and this program runs in
 * that thread: a segment may also leave from another context (softirq),
 * so the current thread must be in a write-family syscall on socket
 * cookie itself. */
static __always_inline bool writer_trace(__u64 cookie, __u8 trace[16])
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32;
	if (!bpf_map_lookup_elem(&ctx_threads, &tgid))
		return false;
	struct thread_trace *t = bpf_map_lookup_elem(&thread_traces, &id);
	if (!t)
		return false;
	struct syscall_args a;
	if (!current_args(&a, -1))
		return false;
	long nr = a.nr;
	if (nr != NR_WRITE && nr != NR_WRITEV && nr != NR_SENDTO && nr != NR_SENDMSG && nr != NR_SENDFILE)
		return false;
	struct sock *sk = tcp_sock_of_fd(a.fd);
	if (!sk || sock_cookie(sk) != cookie)
		return false;
	__builtin_memcpy(trace, t->trace, sizeof(t->trace));
	return true;
}

/* wire_write writes the option on the segment that begins a request, with
 * new ids, and keeps them for the record of the write. When another
 * program (a second collector, or OpenTelemetry eBPF Instrumentation) wrote
 * one on it already, its ids are the request's: one option per segment. */
static __always_inline void wire_write(struct bpf_sock_ops *skops)
{
	__u64 cookie = bpf_get_socket_cookie(skops);
	struct wire_client *w = bpf_map_lookup_elem(&wire_out, &cookie);
	if (!w || !w->pending)
		return;
	struct tcphdr *th = (void *)(long)skops->skb_data;
	if ((void *)(th + 1) > (void *)(long)skops->skb_data_end)
		return;
	__u32 seq = bpf_ntohl(th->seq);
	if (seq != w->start_seq)
		return;
	w->pending = 0;
	__u8 buf[WIRE_OPT_LEN + 2] = {WIRE_OPT_KIND};
	struct wire_opt *opt = (struct wire_opt *)buf;
	long n = bpf_load_hdr_opt(skops, buf, sizeof(buf), 0);
	if (n < WIRE_OPT_LEN || buf[1] != n) {
		if (!w->reserved)
			return;
		opt->len = WIRE_OPT_LEN;
		if (!writer_trace(cookie, opt->trace))
			random_bytes(opt->trace, sizeof(opt->trace));
		random_bytes(opt->span, sizeof(opt->span));
		opt->span[0] |= 1; /* never the invalid all-zero id */
		if (bpf_store_hdr_opt(skops, opt, WIRE_OPT_LEN, 0))
			return;
	}
	w->sent.seq = seq;
	__builtin_memcpy(w->sent.trace, opt->trace, sizeof(opt->trace));
	__builtin_memcpy(w->sent.span, opt->span, sizeof(opt->span));
	w->sent.set = 1;
}

/* wire_parse keeps an option a socket received, with its segment's
 * sequence number. A segment split by segmentation offload carries the
 * same option on each piece: the first is kept. OpenTelemetry eBPF
 * Instrumentation may add a flags byte (27 bytes): the ids are the same. */
static __always_inline void wire_parse(struct bpf_sock_ops *skops)
{
	__u8 buf[WIRE_OPT_LEN + 2] = {WIRE_OPT_KIND};
	long n = bpf_load_hdr_opt(skops, buf, sizeof(buf), 0);
	if (n < WIRE_OPT_LEN || buf[1] != n)
		return;
	struct tcphdr *th = (void *)(long)skops->skb_data;
	if ((void *)(th + 1) > (void *)(long)skops->skb_data_end)
		return;
	struct wire_opt *opt = (struct wire_opt *)buf;
	__u64 cookie = bpf_get_socket_cookie(skops);
	struct wire_ids *cur = bpf_map_lookup_elem(&wire_in, &cookie);
	if (cur && !__builtin_memcmp(cur->span, opt->span, sizeof(opt->span)) &&
	    !__builtin_memcmp(cur->trace, opt->trace, sizeof(opt->trace)))
		return;
	struct wire_ids ids = {.seq = bpf_ntohl(th->seq), .set = 1};
	__builtin_memcpy(ids.trace, opt->trace, sizeof(ids.trace));
	__builtin_memcpy(ids.span, opt->span, sizeof(ids.span));
	bpf_map_update_elem(&wire_in, &cookie, &ids, BPF_ANY);
}

/* wire_attach puts in data record e (connection c, socket sk) the option
 * sent or received on the segment whose first byte is among the record's;
 * a connection older than the program is counted once. */
static __always_inline void wire_attach(struct conn_event *e, struct conn_state *c, struct sock *sk)
{
	/* Options are written on what clients send, read on what servers
	 * receive: the other directions have none to look up. */
	if (c->role == (e->dir == DIR_EGRESS ? ROLE_SERVER : ROLE_CLIENT))
		return;
	__u64 cookie = sock_cookie(sk);
	struct wire_ids *ids = NULL;
	if (e->dir == DIR_EGRESS) {
		struct wire_client *w = cookie ? bpf_map_lookup_elem(&wire_out, &cookie) : NULL;
		if (w) {
			if (c->protocol == PROTO_HTTP2)
				w->skip = 1;
			ids = &w->sent;
		} else if (c->role == ROLE_UNKNOWN && !c->wire_noted) {
			c->wire_noted = 1;
			count(COUNTER_WIRE_OLD_CONN);
		}
	} else if (cookie) {
		ids = bpf_map_lookup_elem(&wire_in, &cookie);
	}
	if (!ids || !ids->set || ids->seq - e->seq >= e->len)
		return;
	e->wire = *ids;
	e->flags |= FLAG_WIRE;
}

/* wire_skip stops the option on a client connection whose bytes are TLS:
 * its spans come from the plaintext, which has no sequence number to find
 * the option's segment by, so its ids would name spans never sent. */
static __always_inline void wire_skip(struct sock *sk)
{
	__u64 cookie = sock_cookie(sk);
	struct wire_client *w = cookie ? bpf_map_lookup_elem(&wire_out, &cookie) : NULL;
	if (w)
		w->skip = 1;
}

/* wire_forget drops what is kept of a closed socket. */
static __always_inline void wire_forget(struct sock *sk)
{
	__u64 cookie = sock_cookie(sk);
	if (!cookie)
		return;
	bpf_map_delete_elem(&wire_out, &cookie);
	bpf_map_delete_elem(&wire_in, &cookie);
}

/* wire_thread keeps the trace of the request a thread of a ctx_threads
 * process begins to read, in data record e of server connection c
 * (started: it begins a request): the trace its option carried, else one
 * drawn now, which the record carries (FLAG_THREAD_TRACE). The thread's
 * answer (turn: the first bytes written after a read) ends it. Other
 * records look nothing up. */
static __always_inline void wire_thread(struct conn_event *e, struct conn_state *c, bool started, bool turn)
{
	if (c->role != ROLE_SERVER || !(e->flags & FLAG_SEQ) || !(e->dir == DIR_EGRESS ? turn : started))
		return;
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32;
	if (!bpf_map_lookup_elem(&ctx_threads, &tgid))
		return;
	if (e->dir == DIR_EGRESS) {
		struct thread_trace *t = bpf_map_lookup_elem(&thread_traces, &id);
		if (t && t->conn_id == c->id)
			bpf_map_delete_elem(&thread_traces, &id);
		return;
	}
	struct thread_trace t = {.conn_id = c->id};
	if (e->flags & FLAG_WIRE) {
		__builtin_memcpy(t.trace, e->wire.trace, sizeof(t.trace));
	} else {
		random_bytes(t.trace, sizeof(t.trace));
		e->wire = (struct wire_ids){.seq = e->seq};
		__builtin_memcpy(e->wire.trace, t.trace, sizeof(t.trace));
		e->flags |= FLAG_THREAD_TRACE;
	}
	bpf_map_update_elem(&thread_traces, &id, &t, BPF_ANY);
}
