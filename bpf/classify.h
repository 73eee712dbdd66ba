/* Which protocol a connection speaks, from the first bytes of one of its
 * segments. Connections of no enabled protocol send nothing to user space;
 * user space decodes, and may still reject, what these checks let through:
 * they only need to be cheap and rarely wrong. */
#pragma once

#include "http1.h"

/* Protocols to let through, set by user space before load: bit 1 << id of
 * each enum protocol enabled. */
volatile const __u32 enabled_protocols = ~0u;

static __always_inline bool enabled(enum protocol p)
{
	return enabled_protocols & (1u << p);
}

#define H2_FRAME_HEADER 9
#define H2_MAX_FRAME_TYPE 9 /* CONTINUATION */

/* looks_like_http2 matches the client connection preface, or, for
 * connections joined mid-stream, a plausible frame header: a length within
 * the default maximum frame size, a known type, and a stream id that is zero
 * exactly for the connection-level frames (SETTINGS, PING, GOAWAY). */
static __always_inline bool looks_like_http2(const __u8 *p, __u32 len)
{
	if (starts_with4(p, 'P', 'R', 'I', ' ') && starts_with4(p + 4, '*', ' ', 'H', 'T'))
		return true;
	if (len < H2_FRAME_HEADER || p[0] != 0 || p[1] > 0x40 || p[3] > H2_MAX_FRAME_TYPE)
		return false;
	bool conn_level = p[3] == 4 || p[3] == 6 || p[3] == 7;
	bool stream_zero = (p[5] & 0x7f) == 0 && p[6] == 0 && p[7] == 0 && p[8] == 0;
	return conn_level == stream_zero;
}

/* looks_like_postgres matches a startup message (protocol 3.0), an
 * SSLRequest or GSSENCRequest, or, mid-stream, a simple query, Parse or
 * Bind message of sane length, or ReadyForQuery. */
static __always_inline bool looks_like_postgres(const __u8 *p, __u32 len)
{
	if (len < 8)
		return false;
	if (p[0] == 0 && p[1] == 0 && p[4] == 0 && p[5] == 3 && p[6] == 0 && p[7] == 0)
		return true;
	if (starts_with4(p, 0, 0, 0, 8) && p[4] == 0x04 && p[5] == 0xd2 && p[6] == 0x16 &&
	    (p[7] == 0x2f || p[7] == 0x30))
		return true;
	if ((p[0] == 'Q' || p[0] == 'P' || p[0] == 'B') && p[1] == 0 && p[2] < 0x10)
		return true;
	return p[0] == 'Z' && starts_with4(p + 1, 0, 0, 0, 5);
}

/* looks_like_mysql matches the server greeting (sequence 0, protocol 10,
 * a version string starting with a digit) or, mid-stream, a command packet
 * (sequence 0) of a command the decoder knows. */
static __always_inline bool looks_like_mysql(const __u8 *p, __u32 len)
{
	if (len < 5 || p[2] != 0 || p[3] != 0)
		return false;
	if (p[4] == 10)
		return len >= 6 && p[5] >= '0' && p[5] <= '9';
	switch (p[4]) {
	case 0x02: /* COM_INIT_DB */
	case 0x03: /* COM_QUERY */
	case 0x16: /* COM_STMT_PREPARE */
	case 0x17: /* COM_STMT_EXECUTE */
		return true;
	}
	return false;
}

/* is_digit tells whether c is a decimal digit. */
static __always_inline bool is_digit(__u8 c)
{
	return c >= '0' && c <= '9';
}

/* looks_like_redis matches a command as Redis clients send them: an array
 * of bulk strings ("*3\r\n$3\r\nSET..."), with up to three digits of
 * count. Replies are not matched: the client speaks first. */
static __always_inline bool looks_like_redis(const __u8 *p, __u32 len)
{
	if (len < 8 || p[0] != '*' || p[1] < '1' || p[1] > '9')
		return false;
	/* Read once: compared in place, the three cases below compile to an
	 * address computed from the case, which the verifier refuses. */
	__u8 c2 = p[2], c3 = p[3], c4 = p[4], c5 = p[5], c6 = p[6], c7 = p[7];
	bool one = c2 == '\r' && c3 == '\n' && c4 == '$' && is_digit(c5);
	bool two = is_digit(c2) && c3 == '\r' && c4 == '\n' && c5 == '$' && is_digit(c6);
	bool three = is_digit(c2) && is_digit(c3) && c4 == '\r' && c5 == '\n' && c6 == '$' && is_digit(c7);
	return one || two || three;
}

/* looks_like_mongodb matches a MongoDB message header: a length under the
 * server's 48 MiB limit, and either a request (OP_MSG 2013, OP_QUERY 2004
 * of the legacy handshake, OP_COMPRESSED 2012) that answers nothing, or a
 * reply (OP_MSG, OP_REPLY 1) that answers a request, for connections
 * joined mid-stream. */
static __always_inline bool looks_like_mongodb(const __u8 *p, __u32 len)
{
	if (len < 16 || p[3] != 0 || p[2] > 0x03 || (p[2] == 0 && p[1] == 0 && p[0] < 16) || p[14] || p[15])
		return false;
	bool answers = p[8] || p[9] || p[10] || p[11];
	if (p[13] == 0x07)
		return p[12] == 0xdd || (!answers && (p[12] == 0xd4 || p[12] == 0xdc));
	return answers && p[12] == 1 && p[13] == 0;
}

#define KAFKA_MAX_API_KEY 100
#define KAFKA_MAX_API_VERSION 31

/* looks_like_kafka matches a request as Kafka clients write one, whole in
 * a write: a length under 64 MiB that the write holds, an API key and
 * version in today's ranges, a correlation id that is not negative, and a
 * client id that is null or fits the request and starts printable. The
 * first bytes of a PostgreSQL startup message read as a Metadata v0
 * request, which no client of the last decade sends: left to PostgreSQL.
 * Responses are not matched: the client speaks first. */
static __always_inline bool looks_like_kafka(const __u8 *p, __u32 len)
{
	if (len < 14 || p[0] > 3 || p[4] != 0 || p[5] > KAFKA_MAX_API_KEY || p[6] != 0 ||
	    p[7] > KAFKA_MAX_API_VERSION || p[8] & 0x80 || (p[5] == 3 && p[7] == 0))
		return false;
	__u32 size = (__u32)p[0] << 24 | (__u32)p[1] << 16 | (__u32)p[2] << 8 | p[3];
	if (size < 10 || size > len - 4)
		return false;
	__u32 id = (__u32)p[12] << 8 | p[13];
	if (id == 0xffff || id == 0)
		return true;
	return id <= size - 10 && p[14] >= 0x20 && p[14] < 0x7f;
}

/* classify_head names the enabled protocol whose message starts with the
 * len bytes of p (p holds CLASSIFY_LEN bytes, zeroed past len), most
 * specific first. */
static __always_inline __u8 classify_head(const __u8 *p, __u32 len)
{
	if (enabled(PROTO_HTTP1) && looks_like_http1(p))
		return PROTO_HTTP1;
	/* Before HTTP/2, whose check for a frame joined mid-stream one
	 * Kafka request in a few dozen passes; a run of HTTP/2 frames passes
	 * Kafka's only when a write holds 256 times the first frame's length. */
	if (enabled(PROTO_KAFKA) && looks_like_kafka(p, len))
		return PROTO_KAFKA;
	if (enabled(PROTO_HTTP2) && looks_like_http2(p, len))
		return PROTO_HTTP2;
	if (enabled(PROTO_POSTGRES) && looks_like_postgres(p, len))
		return PROTO_POSTGRES;
	/* Before MySQL, whose check a MongoDB header under 64 KiB with a
	 * small request id passes (the classifier corpus shows it). */
	if (enabled(PROTO_MONGODB) && looks_like_mongodb(p, len))
		return PROTO_MONGODB;
	if (enabled(PROTO_MYSQL) && looks_like_mysql(p, len))
		return PROTO_MYSQL;
	if (enabled(PROTO_REDIS) && looks_like_redis(p, len))
		return PROTO_REDIS;
	return PROTO_UNKNOWN;
}

/* looks_like_tls_record matches the header of a TLS handshake record (a
 * ClientHello or ServerHello opens every TLS connection). */
static __always_inline bool looks_like_tls_record(const __u8 *p)
{
	return p[0] == 0x16 && p[1] == 3 && p[2] <= 4;
}

/* classify_user names the protocol whose message starts at buf, len bytes
 * of user memory; head receives their first CLASSIFY_LEN. */
static __always_inline __u8 classify_user(__u8 head[CLASSIFY_LEN], const void *buf, __u32 len)
{
	if (!buf || len < 4)
		return PROTO_UNKNOWN;
	__u32 n = len;
	if (n > CLASSIFY_LEN)
		n = CLASSIFY_LEN;
	bpf_probe_read_user(head, n, buf);
	return classify_head(head, len);
}
