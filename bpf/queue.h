/* Queue time: how long the bytes of a request waited in a server's socket
 * before the process read them. sock:sk_data_ready (kernel 6.3) fires when
 * data is queued on a socket; the first time since the process last read
 * the socket is when the bytes it reads next began to wait. A connection
 * not yet accepted has no conn_state: its stamp waits in unaccepted and
 * moves into the connection's state at accept, so the wait in the accept
 * queue counts for the request that was in it. Reads that bypass the
 * hooked syscalls (io_uring, splice) leave a stamp behind; nothing else
 * does. User space sets queue_time before load, only where the tracepoint
 * exists. */
#pragma once

#include "maps.h"

volatile const __u8 queue_time = 0;

/* unaccepted: struct sock address -> when data first waited on it, 0 for
 * none yet. Inserted when a passive TCP connection completes its
 * handshake, on any process's listener; deleted at accept by a selected
 * process and when the socket reaches TCP_CLOSE. An LRU, so connections
 * accepted by processes not captured, whose accept is not seen, are
 * evicted. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, MAX_CONNS);
	__type(key, __u64);
	__type(value, __u64);
} unaccepted SEC(".maps");

/* queue_sockets: a few bits of the address of every socket that may be
 * stamped (a server connection of a captured process, a connection not
 * yet accepted) mark a slot here, so that sk_data_ready, which fires for every socket of the
 * node, leaves the others after one look at a small array instead of two
 * lookups in large hash tables. A slot is never cleared (another socket
 * may share it): a marked slot only costs the lookups. Fixed size. */
#define QUEUE_SLOTS 16384

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, QUEUE_SLOTS);
	__type(key, __u32);
	__type(value, __u8);
} queue_sockets SEC(".maps");

/* queue_slot is the slot of socket address sk: the bits above its
 * alignment, mixed. */
static __always_inline __u32 queue_slot(__u64 sk)
{
	return ((__u32)(sk >> 6) * 2654435761u) >> 18; /* 32 - log2(QUEUE_SLOTS) */
}

/* queue_watch marks the slot of a socket that may be stamped. */
static __always_inline void queue_watch(__u64 sk)
{
	__u32 slot = queue_slot(sk);
	__u8 *mark = bpf_map_lookup_elem(&queue_sockets, &slot);
	if (mark && !*mark)
		*mark = 1;
}

/* queue_state follows a socket's TCP state: a handshake completed on a
 * listener's behalf starts waiting for accept; a closed socket is
 * forgotten. */
static __always_inline void queue_state(struct sock *sk, int oldstate, int newstate)
{
	if (!queue_time)
		return;
	__u64 key = (__u64)sk;
	__u64 none = 0;
	if (oldstate == TCP_SYN_RECV && newstate == TCP_ESTABLISHED) {
		bpf_map_update_elem(&unaccepted, &key, &none, BPF_ANY);
		queue_watch(key);
	} else if (newstate == TCP_CLOSE)
		bpf_map_delete_elem(&unaccepted, &key);
}

/* queue_data_ready stamps the socket sk with the time data began to wait
 * on it, unless data already waits there. Client connections are not
 * stamped: a client's wait for its response is the call itself. */
static __always_inline void queue_data_ready(__u64 sk)
{
	__u32 slot = queue_slot(sk);
	__u8 *mark = bpf_map_lookup_elem(&queue_sockets, &slot);
	if (!mark || !*mark)
		return;
	struct conn_state *c = bpf_map_lookup_elem(&conns, &sk);
	if (c) {
		if (c->role != ROLE_CLIENT && !c->queued_ns)
			c->queued_ns = bpf_ktime_get_ns();
		return;
	}
	__u64 *at = bpf_map_lookup_elem(&unaccepted, &sk);
	if (at && !*at)
		*at = bpf_ktime_get_ns();
}

/* queue_accepted moves the stamp of a connection a selected process just
 * accepted into its state, which is in conns already: data queued from
 * then on stamps the state itself, data queued before stamped the
 * unaccepted entry, and none is queued in between unseen. The earlier
 * stamp is the first byte's. */
static __always_inline void queue_accepted(struct sock *sk)
{
	if (!queue_time)
		return;
	__u64 key = (__u64)sk;
	__u64 *at = bpf_map_lookup_elem(&unaccepted, &key);
	if (!at)
		return;
	struct conn_state *c = bpf_map_lookup_elem(&conns, &key);
	if (c) {
		c->queue_watched = 1; /* since its handshake */
		if (*at && (!c->queued_ns || *at < c->queued_ns))
			c->queued_ns = *at;
	}
	bpf_map_delete_elem(&unaccepted, &key);
}

/* A connection's stamp when bytes were left unread by the last read: when
 * they began to wait is not known, so the next read gets no stamp. */
#define QUEUE_UNKNOWN 1

/* queue_read starts the wait of a server connection's next bytes anew
 * after a read of socket sk that took the bytes up to sequence number
 * copied: the next bytes queued stamp it if the read drained the socket;
 * if it left bytes behind, including bytes queued while it copied, when
 * they began to wait is not known. */
static __always_inline void queue_read(struct sock *sk, struct conn_state *c, __u32 copied)
{
	if (!c->queue_watched) { /* a connection older than the capture */
		queue_watch((__u64)sk);
		c->queue_watched = 1;
	}
	struct tcp_sock *tp = (struct tcp_sock *)sk;
	c->queued_ns = BPF_CORE_READ(tp, rcv_nxt) == copied ? 0 : QUEUE_UNKNOWN;
}

/* queue_pass forgets the stamp of bytes a read of socket sk took and sent
 * nowhere (bytes of no known protocol, TLS records), so that a later read
 * does not take it for its own. */
static __always_inline void queue_pass(struct sock *sk, struct conn_state *c)
{
	if (queue_time && c->role != ROLE_CLIENT)
		queue_read(sk, c, BPF_CORE_READ((struct tcp_sock *)sk, copied_seq));
}

/* queue_take gives the record e of a read of socket sk the stamp of the
 * bytes it took, when the read began with them: the first bytes queued
 * since the previous read, which drained the socket. Otherwise the
 * request the read begins has no queue time, never a wrong one. TLS
 * plaintext gets none: the bytes that waited were ciphertext, read by the
 * library, handshake included. Other records hold the sequence number of
 * the read's first byte (FLAG_SEQ), so where it ended needs no read. */
static __always_inline void queue_take(struct conn_event *e, struct sock *sk, struct conn_state *c, __u8 flags)
{
	if (!queue_time || c->role == ROLE_CLIENT || (flags & FLAG_TLS))
		return;
	if (c->queued_ns != QUEUE_UNKNOWN)
		e->queued_ns = c->queued_ns;
	queue_read(sk, c, e->seq + e->len);
}
