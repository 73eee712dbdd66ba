/* Maps shared by the capture programs. Each says who inserts, who deletes,
 * and why it cannot grow without bound. */
#pragma once

#include "sizes.h"
#include "event.h"

enum verdict {
	VERDICT_CAPTURE = 1,
	VERDICT_IGNORE = 2,
	VERDICT_PENDING = 3, /* execed, not yet judged by user space: captured */
	VERDICT_PENDING_FORK = 4, /* forked by a pending process, not yet judged: captured */
};

/* pid_verdicts: thread group id -> enum verdict.
 * User space inserts an entry when discovery selects or excludes a process;
 * on_sched_exec sets VERDICT_PENDING when not everything is captured, or
 * when the process had an entry, so a new program is captured from its first
 * syscall until user space, which reads its exec record before any of its
 * data, judges it. on_sched_fork copies a parent's entry to a new child
 * process. on_sched_exit deletes the entry when the thread group
 * leader exits, so entries live no longer than their process. Processes
 * without an entry follow capture_all. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_PIDS);
	__type(key, __u32);
	__type(value, __u8);
} pid_verdicts SEC(".maps");

/* Where the HTTP/2 frame walk (h2walk.h) stands in one direction of a
 * connection, between syscalls. */
struct h2_walk {
	__u32 rest;   /* payload bytes of the current frame still to come */
	__u8 hdr[9];  /* the bytes of a frame header split across buffers */
	__u8 hn;      /* how many of them were seen */
	__u8 copy;    /* the current frame's payload is copied */
	__u8 synced;  /* the walk knows where frames start */
};

struct conn_state {
	__u64 id;
	__u64 last_ns; /* time of the latest event sent */
	__u64 queued_ns; /* not a client's: when bytes the process has not read yet began to wait (queue.h) */
	__u8 role;
	__u8 protocol;
	__u8 ended;
	__u8 tuple_sent; /* user space has this connection's addresses */
	__u16 lost;      /* records dropped since the last one sent, saturating */
	__u8 last_dir;   /* direction of the latest data record, sent or dropped */
	__u8 peer_local; /* server: enum peer_local, whether its client is captured here */
	__u8 tls_records; /* began with TLS records: counted at its end if no plaintext came */
	__u8 wire_noted;  /* counted as carrying no trace option (wire.h) */
	__u8 tls_protocol; /* PROTO_TLS connections: the enum protocol of the plaintext */
	__u8 queue_watched; /* its socket's slot is marked in queue_sockets (queue.h) */
	__u8 _pad2[4];
	struct h2_walk h2[2]; /* HTTP/2 connections: by direction - 1 */
};

enum peer_local {
	PEER_UNKNOWN = 0,
	PEER_CAPTURED = 1, /* the client end is a connection of a captured process of this node */
	PEER_OTHER = 2,
};

/* conns: struct sock address -> conn_state.
 * Inserted when a selected process accepts or connects a TCP socket, or
 * first moves data on one that existed before capture started; deleted by
 * on_sock_state when the socket reaches TCP_CLOSE. An LRU, so sockets whose
 * end we never see are evicted rather than filling it. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, MAX_CONNS);
	__type(key, __u64);
	__type(value, struct conn_state);
} conns SEC(".maps");

/* The layout of a Go program, for reading the current goroutine's id and
 * following net/http's connections; offsets in bytes. */
struct go_layout {
	__s32 g_offset;     /* amd64: the g pointer is at fsbase + g_offset */
	__u32 goid_offset;  /* runtime.g.goid */
	__u32 pconn_conn;   /* net/http.persistConn.conn (a net.Conn), 0 unknown */
	__u32 tcpconn_hash; /* itab hash of *net.TCPConn as a net.Conn, 0 unknown */
};

/* go_layouts: thread group id -> struct go_layout.
 * User space inserts an entry when it selects a Go program whose layout it
 * knows; on_sched_exec deletes it (a new program runs) and on_sched_exit
 * when the thread group leader exits, so entries live no longer than their
 * program. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_PIDS);
	__type(key, __u32);
	__type(value, struct go_layout);
} go_layouts SEC(".maps");

/* A connection as its client sees it; addresses as IPv6, IPv4 ones mapped
 * (::ffff:a.b.c.d), so a dual-stack server finds an IPv4 client. */
struct tuple_key {
	__u8 client[16];
	__u8 server[16];
	__u16 client_port;
	__u16 server_port;
	__u32 _pad;
};

/* client_tuples: connections captured processes opened, by tuple, and the
 * process (tgid) that opened each. Inserted when a selected process
 * connects, so before any byte of the connection is written; deleted by
 * on_sock_state when the socket reaches TCP_CLOSE. An LRU, so missed ends
 * are evicted. The server end of a connection on this node looks itself up
 * here, to know whether its client's records are to come (see context.h):
 * once, or until a process that connected before it was judged is. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, MAX_CONNS);
	__type(key, struct tuple_key);
	__type(value, __u32);
} client_tuples SEC(".maps");

/* Set by user space before load: the trace option is on (wire.h). */
volatile const __u8 propagate = 0;

/* ctx_threads: thread group id -> 1 for the processes whose threads each
 * handle one request at a time (the thread policy of trace context), so
 * the trace a thread's request is in is the one its calls' trace options
 * carry (wire.h). User space inserts an entry when it selects such a
 * process, and deletes it when the process turns out to serve several
 * requests on one thread; on_sched_exec and on_sched_exit delete it, so
 * entries live no longer than their program. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_PIDS);
	__type(key, __u32);
	__type(value, __u8);
} ctx_threads SEC(".maps");

/* The request a thread of a ctx_threads process is handling: its trace and
 * its connection. */
struct thread_trace {
	__u8 trace[16];
	__u64 conn_id;
};

/* thread_traces: pid_tgid -> struct thread_trace.
 * Set when a thread of a ctx_threads process reads a request; deleted when
 * it begins the answer, and by on_sched_exit when the thread exits. An LRU,
 * so what was missed is evicted. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, MAX_CONNS);
	__type(key, __u64);
	__type(value, struct thread_trace);
} thread_traces SEC(".maps");

/* events: every record for user space. Size set by user space before load;
 * producers never block: a full buffer drops the record and counts it. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20);
} events SEC(".maps");

/* A data record: header and the captured payload. */
struct data_record {
	struct conn_event hdr;
	__u8 payload[MAX_PAYLOAD];
};

/* scratch: one data_record per CPU, where a data event is built before it is
 * copied to the ring buffer (too large for the 512-byte stack). Fixed size. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct data_record);
} scratch SEC(".maps");

/* counters: per-CPU enum counter values, summed by user space. Fixed size. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, COUNTER_MAX);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

/* count adds one to a counter of this CPU. */
static __always_inline void count(__u32 counter)
{
	__u64 *v = bpf_map_lookup_elem(&counters, &counter);
	if (v)
		*v += 1;
}
