/* The classifier (classify.h) applied to connections: a connection's
 * protocol is decided once, from the first segment (or TLS plaintext) whose
 * bytes it recognises. */
#pragma once

#include "maps.h"
#include "classify.h"

/* classify gives an unknown connection a protocol from the first bytes of a
 * segment; it stays unknown (and its data unsent) until one matches. The
 * protocol travels in every record (conn_event.protocol) and starts the
 * decoder in user space. A connection that opens with TLS records is noted,
 * so that its end is counted when no TLS probe ever sent its plaintext. */
static __always_inline bool classify(struct conn_state *c, const void *buf, __u32 len)
{
	__u8 head[CLASSIFY_LEN] = {};

	if (c->protocol != PROTO_UNKNOWN)
		return true;
	c->protocol = classify_user(head, buf, len);
	if (c->protocol == PROTO_UNKNOWN && looks_like_tls_record(head))
		c->tls_records = 1;
	return c->protocol != PROTO_UNKNOWN;
}

/* classify_plaintext does for the plaintext of a TLS connection what
 * classify does for a socket's bytes, in conn_state.tls_protocol. */
static __always_inline bool classify_plaintext(struct conn_state *c, const void *buf, __u32 len)
{
	__u8 head[CLASSIFY_LEN] = {};

	if (c->tls_protocol == PROTO_UNKNOWN)
		c->tls_protocol = classify_user(head, buf, len);
	return c->tls_protocol != PROTO_UNKNOWN;
}
