// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* TLS plaintext for selected processes, from uprobes on the TLS libraries.
 *
 * The kernel only ever sees ciphertext on a TLS connection; the plaintext
 * exists in user memory, in the buffer the program hands to or gets from its
 * TLS library. Probes on the library's read and write functions record the
 * buffer at entry and send the bytes at return, as data events of the
 * connection the syscall probes track (same maps, shared by name with
 * capture.c), flagged FLAG_TLS.
 *
 * libssl (OpenSSL, BoringSSL): SSL_read, SSL_write, SSL_read_ex,
 * SSL_write_ex and SSL_do_handshake; the return is a uretprobe. The
 * connection comes from a syscall made inside the call (see tls.h).
 *
 * Go crypto/tls: (*Conn).Read and (*Conn).Write. Write is sent at entry,
 * its buffer being written whole. A uretprobe rewrites the return address
 * on the goroutine stack, which Go moves and inspects, so Read's returns are
 * uprobes on its RET instructions, which user space finds. Where Read
 * spills its arguments (amd64), the RET probe alone finds them; elsewhere an
 * entry probe records them, keyed by goroutine, since a goroutine may park
 * and resume on another thread before it returns. The connection comes
 * from the tls.Conn: its net.Conn is a *net.TCPConn, whose netFD holds the
 * file descriptor.
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
#include "tls_regs.h"
#include "gonet.h"
#include "output.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Configuration, set by user space before load, as in capture.c. */
volatile const __u32 max_payload = 1024;
volatile const __u8 capture_all = 1;

/* These use the configuration above. */
#include "process.h"
#include "record.h"
#include "h2walk.h"
#include "classify_conn.h"

/* tls.Conn starts with its net.Conn, an interface: type word, then data
 * word (stable since Go 1.9). */
#define GO_TLS_CONN_DATA 8

/* tls_enter records a call in progress. */
static __always_inline int tls_enter(struct tls_call_key *key, __u64 handle, __u64 buf,
				     __u8 dir, __u64 len_out)
{
	if (!pid_selected(key->tgid))
		return 0;
	struct tls_call call = {
		.buf = buf,
		.handle = handle,
		.len_out = len_out,
		.dir = dir,
	};
	/* A handshake never replaces a read or write it runs inside. */
	bpf_map_update_elem(&tls_calls, key, &call, dir ? BPF_ANY : BPF_NOEXIST);
	return 0;
}

/* tls_emit sends n plaintext bytes of buf as a data event of the connection
 * of sk, and marks the connection so its ciphertext is dropped. HTTP/2
 * plaintext, from its preface or first SETTINGS frame on, is sent as frame
 * pieces (h2walk.h); other plaintext once the classifier has named its
 * protocol, as for sockets. */
static __always_inline void tls_emit(void *ctx, struct sock *sk, __u8 dir, const void *buf, __u32 n)
{
	__u64 key = (__u64)sk;
	struct conn_state *c = bpf_map_lookup_elem(&conns, &key);
	if (!c)
		return;
	c->protocol = PROTO_TLS;
	if (h2_emit(ctx, sk, c, dir, n, buf, n, 0, FLAG_TLS)) {
		c->tls_protocol = PROTO_HTTP2;
		return;
	}
	if (!classify_plaintext(c, buf, n)) {
		count(COUNTER_UNCLASSIFIED);
		return;
	}
	emit_data(ctx, sk, c, dir, n, buf, n, true, FLAG_TLS);
}

/* ssl_sock finds the socket of a libssl call: the one a syscall inside it
 * used, else the one its handle was last seen with. */
static __always_inline struct sock *ssl_sock(__u32 tgid, struct tls_call *call)
{
	if (call->sk)
		return (struct sock *)call->sk;
	struct tls_handle_key hk = {.tgid = tgid, .handle = call->handle};
	__u64 *sk = bpf_map_lookup_elem(&tls_handles, &hk);
	return sk ? (struct sock *)*sk : NULL;
}

/* ssl_leave ends a libssl call that returned ret and sends what it moved. */
static __always_inline int ssl_leave(void *ctx, long ret)
{
	struct tls_call_key key = tls_thread_key();
	struct tls_call *found = bpf_map_lookup_elem(&tls_calls, &key);
	if (!found)
		return 0;
	struct tls_call call = *found;
	bpf_map_delete_elem(&tls_calls, &key);
	if (!call.dir || ret <= 0)
		return 0;

	__u64 n = ret;
	if (call.len_out) { /* the _ex forms return 1 and store the count */
		n = 0;
		bpf_probe_read_user(&n, sizeof(n), (void *)call.len_out);
	}
	struct sock *sk = ssl_sock(key.tgid, &call);
	if (!sk || !n)
		return 0;
	tls_emit(ctx, sk, call.dir, (const void *)call.buf, n);
	return 0;
}

static __always_inline int ssl_enter(struct pt_regs *ctx, __u8 dir, bool ex)
{
	struct tls_call_key key = tls_thread_key();
	return tls_enter(&key, c_arg(ctx, 0), c_arg(ctx, 1), dir, ex ? c_arg(ctx, 3) : 0);
}

/* go_key is the key of a Go call on the current goroutine. */
static __always_inline struct tls_call_key go_key(struct pt_regs *ctx)
{
	struct tls_call_key key = {
		.tgid = bpf_get_current_pid_tgid() >> 32,
		.goroutine = go_g(ctx),
	};
	return key;
}

/* go_sock follows a *tls.Conn to the socket of its *net.TCPConn. */
static __always_inline struct sock *go_sock(__u64 conn)
{
	__u64 tcp = 0;

	bpf_probe_read_user(&tcp, sizeof(tcp), (void *)(conn + GO_TLS_CONN_DATA));
	return go_tcpconn_sock(tcp);
}

/* go_read_enter records a Read in progress, for go_read_leave. */
static __always_inline int go_read_enter(struct pt_regs *ctx)
{
	struct tls_call_key key = go_key(ctx);
	return tls_enter(&key, go_arg(ctx, 0), go_arg(ctx, 1), DIR_INGRESS, 0);
}

/* go_read_leave ends a Read at one of its RET instructions. */
static __always_inline int go_read_leave(struct pt_regs *ctx)
{
	struct tls_call_key key = go_key(ctx);
	struct tls_call *found = bpf_map_lookup_elem(&tls_calls, &key);
	if (!found)
		return 0;
	struct tls_call call = *found;
	bpf_map_delete_elem(&tls_calls, &key);
	long n = go_arg(ctx, 0);
	if (n <= 0)
		return 0;
	struct sock *sk = go_sock(call.handle);
	if (sk)
		tls_emit(ctx, sk, DIR_INGRESS, (const void *)call.buf, n);
	return 0;
}

/* go_read_spilled ends a Read at one of its RET instructions without an
 * entry probe: the function stores its receiver and buffer in the spill
 * slots its caller reserves, which sit just above the return address (user
 * space checked the function's prologue before choosing this). One trap
 * per call instead of two. */
static __always_inline int go_read_spilled(struct pt_regs *ctx)
{
	__u64 args[2] = {}; /* c, b.ptr */
	long n = go_arg(ctx, 0);

	if (n <= 0 || !pid_selected(bpf_get_current_pid_tgid() >> 32))
		return 0;
	if (bpf_probe_read_user(args, sizeof(args), (void *)(go_sp(ctx) + 8)))
		return 0;
	struct sock *sk = go_sock(args[0]);
	if (sk)
		tls_emit(ctx, sk, DIR_INGRESS, (const void *)args[1], n);
	return 0;
}

/* go_write sends a Write's buffer at entry: Write returns only when all of
 * it is written or the connection failed, so no return probe is needed. */
static __always_inline int go_write(struct pt_regs *ctx)
{
	if (!pid_selected(bpf_get_current_pid_tgid() >> 32))
		return 0;
	__u64 len = go_arg(ctx, 2);
	struct sock *sk = go_sock(go_arg(ctx, 0));
	if (sk && len)
		tls_emit(ctx, sk, DIR_EGRESS, (const void *)go_arg(ctx, 1), len);
	return 0;
}

/* int SSL_read(SSL *ssl, void *buf, int num) */
SEC("uprobe/SSL_read")
int ssl_read_enter(struct pt_regs *ctx)
{
	return ssl_enter(ctx, DIR_INGRESS, false);
}

/* int SSL_write(SSL *ssl, const void *buf, int num) */
SEC("uprobe/SSL_write")
int ssl_write_enter(struct pt_regs *ctx)
{
	return ssl_enter(ctx, DIR_EGRESS, false);
}

/* int SSL_read_ex(SSL *ssl, void *buf, size_t num, size_t *readbytes) */
SEC("uprobe/SSL_read_ex")
int ssl_read_ex_enter(struct pt_regs *ctx)
{
	return ssl_enter(ctx, DIR_INGRESS, true);
}

/* int SSL_write_ex(SSL *ssl, const void *buf, size_t num, size_t *written) */
SEC("uprobe/SSL_write_ex")
int ssl_write_ex_enter(struct pt_regs *ctx)
{
	return ssl_enter(ctx, DIR_EGRESS, true);
}

/* int SSL_do_handshake(SSL *ssl): links the handle to its socket before any
 * read, which may be served from what the handshake read. */
SEC("uprobe/SSL_do_handshake")
int ssl_handshake_enter(struct pt_regs *ctx)
{
	return ssl_enter(ctx, 0, false);
}

/* The return of SSL_read, SSL_write and their _ex forms. */
SEC("uretprobe/SSL_io")
int ssl_io_exit(struct pt_regs *ctx)
{
	return ssl_leave(ctx, c_ret(ctx));
}

/* The return of SSL_do_handshake: ends the handshake's record only, not
 * that of a read or write the handshake ran inside. */
SEC("uretprobe/SSL_do_handshake")
int ssl_handshake_exit(struct pt_regs *ctx)
{
	struct tls_call_key key = tls_thread_key();
	struct tls_call *call = bpf_map_lookup_elem(&tls_calls, &key);
	if (call && !call->dir)
		bpf_map_delete_elem(&tls_calls, &key);
	return 0;
}

/* func (c *Conn) Read(b []byte) (int, error) */
SEC("uprobe/go_tls_read")
int go_tls_read_enter(struct pt_regs *ctx)
{
	return go_read_enter(ctx);
}

/* The RET instructions of Read: n is the first result. */
SEC("uprobe/go_tls_read_ret")
int go_tls_read_leave(struct pt_regs *ctx)
{
	return go_read_leave(ctx);
}

/* The RET instructions of a Read that spills its arguments. */
SEC("uprobe/go_tls_read_ret_spilled")
int go_tls_read_spilled(struct pt_regs *ctx)
{
	return go_read_spilled(ctx);
}

/* func (c *Conn) Write(b []byte) (int, error) */
SEC("uprobe/go_tls_write")
int go_tls_write(struct pt_regs *ctx)
{
	return go_write(ctx);
}
