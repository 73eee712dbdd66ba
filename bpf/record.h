/* Data records: one per syscall (or TLS library call) that moved bytes on a
 * tracked connection, built in the per-CPU scratch record. Uses max_payload,
 * set by user space before load. */
#pragma once

#include "maps.h"
#include "output.h"
#include "process.h"
#include "sock.h"
#include "context.h"
#include "wire.h"
#include "queue.h"

/* peer_captured tells whether a server connection's client is a
 * connection of a captured process of this node: the client's records of
 * a request are then to come, if not read yet. A client that connected
 * before user space judged it counts as captured until it is judged, and
 * is asked about again at each record until then: one that turns out to be
 * ignored (a load generator left out by the rules) sends no records to
 * wait for. */
static __always_inline bool peer_captured(struct conn_state *c, struct sock *sk)
{
	if (c->role != ROLE_SERVER)
		return false;
	if (c->peer_local == PEER_UNKNOWN) {
		struct tuple_key k = {};
		client_tuple(&k, sk, false);
		__u32 *tgid = bpf_map_lookup_elem(&client_tuples, &k);
		if (!tgid) {
			c->peer_local = PEER_OTHER;
			return false;
		}
		__u8 *verdict = bpf_map_lookup_elem(&pid_verdicts, tgid);
		if (verdict && (*verdict == VERDICT_PENDING || *verdict == VERDICT_PENDING_FORK))
			return true;
		c->peer_local = pid_selected(*tgid) ? PEER_CAPTURED : PEER_OTHER;
	}
	return c->peer_local == PEER_CAPTURED;
}

/* data_header fills the header of a data record of connection c (socket
 * sk) moving len bytes in direction dir. The addresses go only in records
 * until one has reached user space (which keeps them per connection), and
 * again after a quiet spell. */
static __always_inline void data_header(struct conn_event *e, struct sock *sk, struct conn_state *c, __u8 dir,
					__u32 len, __u8 flags)
{
	__builtin_memset(e, 0, sizeof(*e));
	e->kind = EVENT_DATA;
	e->flags = flags;
	e->dir = dir;
	e->role = c->role;
	e->pid = bpf_get_current_pid_tgid() >> 32;
	e->len = len;
	e->conn_id = c->id;
	e->tid = (__u32)bpf_get_current_pid_tgid();
	e->goid = current_goid(e->pid);
	if (!(flags & FLAG_TLS)) { /* plaintext offsets are not the socket's */
		e->seq = stream_seq(sk, dir, len);
		e->flags |= FLAG_SEQ;
	}
	if (dir == DIR_INGRESS) {
		if (peer_captured(c, sk))
			e->flags |= FLAG_PEER_CAPTURED;
		queue_take(e, sk, c, flags);
	}
	if (propagate && !(flags & FLAG_TLS))
		wire_attach(e, c, sk);
	e->ts_ns = bpf_ktime_get_ns();
	e->lost = c->lost;
	e->protocol = flags & FLAG_TLS ? c->tls_protocol : c->protocol;
	if (!c->tuple_sent || e->ts_ns - c->last_ns > TUPLE_REFRESH_NS)
		fill_tuple(e, sk);
}

/* send_data queues a data record of size bytes whose header is e, and
 * keeps c's loss bookkeeping; started says the record begins a request. */
static __always_inline void send_data(void *ctx, struct conn_state *c, struct conn_event *e, __u64 size, bool started)
{
	if (output(ctx, e, size)) {
		note_lost(c, started);
		return;
	}
	c->lost = 0;
	c->last_ns = e->ts_ns;
	if (e->family)
		c->tuple_sent = 1;
}

/* emit_data sends one data event of connection c (socket sk): header, then
 * the first of the avail bytes at buf and, for a plain buffer (contiguous,
 * len bytes) longer than the capture, its last TAIL_LEN bytes; no buf means
 * the bytes never passed through user memory. */
static __always_inline void emit_data(void *ctx, struct sock *sk, struct conn_state *c, __u8 dir,
				      __u32 len, const void *buf, __u32 avail, bool plain, __u8 flags)
{
	__u32 zero = 0;
	struct data_record *r = bpf_map_lookup_elem(&scratch, &zero);
	if (!r)
		return;

	struct conn_event *e = &r->hdr;
	data_header(e, sk, c, dir, len, flags);

	__u32 n = avail < max_payload ? avail : max_payload;
	if (!buf) {
		e->flags |= FLAG_NO_PAYLOAD;
		n = 0;
	}
	n &= 2 * MAX_PAYLOAD - 1;
	if (n > MAX_PAYLOAD)
		n = MAX_PAYLOAD;
	if (n)
		bpf_probe_read_user(r->payload, n, buf);
	if (plain && len > n && len >= TAIL_LEN) {
		bpf_probe_read_user(e->tail, TAIL_LEN, buf + len - TAIL_LEN);
		e->tail_len = TAIL_LEN;
	}
	e->captured = n;
	bool turn = c->last_dir != dir;
	bool started = starts_request(c, dir, r->payload, n);
	if (propagate)
		wire_thread(e, c, started, turn);
	send_data(ctx, c, e, sizeof(*e) + n, started);
}
