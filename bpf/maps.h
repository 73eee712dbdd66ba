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
	__u8 role;
	__u8 protocol;
	__u8 ended;
	__u8 tuple_sent; /* user space has this connection's addresses */
	__u16 lost;      /* records dropped since the last one sent, saturating */
	__u8 last_dir;   /* direction of the latest data record, sent or dropped */
	__u8 tls_records; /* began with TLS records: counted at its end if no plaintext came */
	struct h2_walk h2[2]; /* HTTP/2 connections: by direction - 1 */
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
