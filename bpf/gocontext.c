// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Go hand-offs the syscall probes cannot see, from one uprobe.
 *
 * net/http's client does not write a request on the goroutine that asked
 * for it: (*persistConn).roundTrip runs on the caller's goroutine, queues
 * the request for the connection's writeLoop goroutine, which makes the
 * write syscall, and waits. A persistConn carries one request at a time, so
 * the next request written on its connection is the caller's. The probe on
 * roundTrip's entry sends which goroutine asked and on which connection
 * (EVENT_HANDOFF); user space gives that connection's next request the
 * caller's goroutine. One trap per client request, only in selected Go
 * programs whose layout user space knows (go_layouts); the connection must
 * be a plain *net.TCPConn (its itab hash is checked), so a TLS or wrapped
 * connection sends nothing rather than a wrong socket.
 *
 * Shares its maps with capture.c by name.
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
#include "tls_regs.h"
#include "output.h"
#include "context.h"
#include "gonet.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Force the record type into BTF for bpf2go. */
const struct handoff_event *unused_handoff_event __attribute__((unused));

/* pconn_sock follows a *persistConn to the socket of its net.Conn, when
 * that is a *net.TCPConn. */
static __always_inline struct sock *pconn_sock(const struct go_layout *l, __u64 pc)
{
	struct {
		__u64 itab;
		__u64 data;
	} conn = {};
	__u32 hash = 0;

	if (bpf_probe_read_user(&conn, sizeof(conn), (void *)(pc + l->pconn_conn)) || !conn.itab)
		return NULL;
	if (bpf_probe_read_user(&hash, sizeof(hash), (void *)(conn.itab + GO_ITAB_HASH)) ||
	    hash != l->tcpconn_hash)
		return NULL;
	return go_tcpconn_sock(conn.data);
}

/* handoff_http1 reports that the current goroutine's request goes out on
 * persistConn pc's connection. */
static __always_inline int handoff_http1(void *ctx, __u64 pc, __u64 g)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	const struct go_layout *l = bpf_map_lookup_elem(&go_layouts, &tgid);
	if (!l || !l->pconn_conn || !l->tcpconn_hash)
		return 0;
	struct sock *sk = pconn_sock(l, pc);
	if (!sk)
		return 0;
	__u64 key = (__u64)sk;
	struct conn_state *c = bpf_map_lookup_elem(&conns, &key);
	if (!c)
		return 0;
	struct handoff_event e = {
		.kind = EVENT_HANDOFF,
		.pid = tgid,
		.ts_ns = bpf_ktime_get_ns(),
		.conn_id = c->id,
		.goid = goid_of(l, g),
	};
	if (!e.goid)
		return 0;
	if (output(ctx, &e, sizeof(e)))
		count(COUNTER_LOST_CONTROL);
	return 0;
}

/* net/http.(*persistConn).roundTrip(pc *persistConn, req *transportRequest). */
SEC("uprobe/go_http_roundtrip")
int go_http_roundtrip(struct pt_regs *ctx)
{
	return handoff_http1(ctx, go_arg(ctx, 0), go_g(ctx));
}
