/* TLS plaintext: the state the TLS library probes (tls.c) share with the
 * syscall probes (capture.c).
 *
 * A libssl call (SSL_read, SSL_write, their _ex forms, SSL_do_handshake)
 * records itself in tls_calls, keyed by thread, while it runs. The socket
 * syscalls it makes on that thread find the record: they note the socket in
 * it and in tls_handles (so later calls served from the library's buffer,
 * with no syscall, still find their socket), mark the connection as TLS and
 * send nothing. The call's return then sends the plaintext as an ordinary
 * data event of that connection, flagged FLAG_TLS. Go's crypto/tls finds
 * its socket through the tls.Conn itself and needs no syscall (see tls.c).
 */
#pragma once

#include "sizes.h"
#include "event.h"
#include "maps.h"

/* Set by user space before load: the TLS probes are attached. */
volatile const __u8 enable_tls = 0;

/* conn_state.protocol of a connection whose plaintext the TLS probes send;
 * its ciphertext is never sent. Outside enum protocol, whose values name
 * what the kernel recognises in a connection's bytes. */
#define PROTO_TLS 0x80

/* Library calls in progress at once, and connections remembered by their
 * library handle. */
#define MAX_TLS_CALLS 16384
#define MAX_TLS_HANDLES 65536

/* What a call in progress is doing; 0 is a handshake, which moves no
 * plaintext but may be the only call to make a syscall on its connection. */
struct tls_call {
	__u64 buf;     /* the caller's plaintext buffer */
	__u64 handle;  /* SSL * or *tls.Conn */
	__u64 sk;      /* struct sock * of a syscall made during the call, or 0 */
	__u64 len_out; /* SSL_read_ex/SSL_write_ex: where the byte count goes */
	__u8 dir;      /* DIR_INGRESS, DIR_EGRESS, or 0 for a handshake */
	__u8 _pad[7];
};

/* A libssl call is keyed by its thread (goroutine 0); a Go call by its
 * goroutine (tid 0), which may move between threads while it waits. */
struct tls_call_key {
	__u32 tgid;
	__u32 tid;
	__u64 goroutine;
};

/* tls_calls: calls in progress.
 * Inserted by a call's entry probe, deleted by its return probe. A thread
 * killed inside a call leaves its record behind, so it is an LRU: such
 * records are evicted by newer ones. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, MAX_TLS_CALLS);
	__type(key, struct tls_call_key);
	__type(value, struct tls_call);
} tls_calls SEC(".maps");

struct tls_handle_key {
	__u32 tgid;
	__u32 _pad;
	__u64 handle;
};

/* tls_handles: (process, SSL *) -> struct sock * of its connection.
 * Inserted or refreshed by a syscall made inside a library call on that
 * handle; never deleted (the library frees handles without a probe seeing
 * it): an LRU, so the oldest go first. A reused handle is corrected by the
 * first syscall its new connection makes. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, MAX_TLS_HANDLES);
	__type(key, struct tls_handle_key);
	__type(value, __u64);
} tls_handles SEC(".maps");

/* tls_thread_key is the key of a libssl call on the current thread. */
static __always_inline struct tls_call_key tls_thread_key(void)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct tls_call_key key = {.tgid = id >> 32, .tid = (__u32)id};
	return key;
}

/* tls_claim is called by the syscall probes for every segment of a selected
 * process: it returns true when the segment is ciphertext of a connection
 * whose plaintext the TLS probes send, which is then dropped. A syscall made
 * inside a libssl call links the call's handle to the socket and marks the
 * connection. */
static __always_inline bool tls_claim(struct sock *sk, struct conn_state *c)
{
	if (c->protocol != PROTO_TLS) {
		struct tls_call_key key = tls_thread_key();
		struct tls_call *call = bpf_map_lookup_elem(&tls_calls, &key);
		if (!call)
			return false;
		struct tls_handle_key hk = {.tgid = key.tgid, .handle = call->handle};
		__u64 sock = (__u64)sk;
		call->sk = sock;
		bpf_map_update_elem(&tls_handles, &hk, &sock, BPF_ANY);
		c->protocol = PROTO_TLS;
	}
	count(COUNTER_CIPHERTEXT);
	return true;
}
