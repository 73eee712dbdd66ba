/* HTTP/2 frame walk: what an HTTP/2 connection's syscalls send.
 *
 * A prefix of each syscall's bytes is not enough for HTTP/2: one write may
 * carry many frames (a server-streaming call's messages and its trailers,
 * responses of several streams), and a frame header past the prefix is
 * lost, with it the end of a stream or its status. So, for connections the
 * classifier named HTTP/2, the programs walk the frame headers of every
 * buffer the syscall moved (each iovec in turn), copying each frame header
 * and the payload of HEADERS, CONTINUATION, PUSH_PROMISE and RST_STREAM
 * frames, and skipping the payload of the others (DATA above all) by
 * length. Where the walk stands (payload bytes of the current frame still
 * to come, a frame header split across buffers) is kept per direction in
 * conn_state, so the next syscall starts where this one ended.
 *
 * The record's payload (FLAG_H2_FRAMES) is a little-endian u32, the offset
 * in the syscall's bytes of the first frame header that starts in them
 * (H2_NONE if none does), then pieces: a u32 offset in the syscall's bytes,
 * a u16 length, and that many bytes. Every byte carries its offset, so user
 * space knows where each frame lies in the syscall's bytes (and so in the
 * TCP stream). Pieces are in order; adjacent ones are merged. A walk that
 * finds no frame boundary (a connection joined mid-frame), a header no peer
 * sends (frames of unknown types are skipped, as peers must), or more buffers or frames than it may walk, gives up; the
 * direction then goes back to plain prefixes until a syscall's bytes start
 * with the preface or a plausible frame header again, as user space does.
 *
 * Uses bpf_loop (kernel 5.17) so that hundreds of frames cost one verified
 * callback; user space turns the walk off where the helper is missing.
 */
#pragma once

#include "sizes.h"
#include "event.h"
#include "maps.h"
#include "classify.h"
#include "record.h"

/* Set by user space before load: the kernel has bpf_loop. */
volatile const __u8 enable_h2_walk = 1;

#define H2_NONE 0xffffffff
#define H2_PIECE_HDR 6 /* u32 offset, u16 length */
#define H2_PREFACE_LEN 24

/* One walk, passed to the bpf_loop callback. */
struct h2_walker {
	__u64 buf;     /* user address of the buffer walked */
	__u32 len;     /* its bytes */
	__u32 pos;     /* the next of them to walk */
	__u32 base;    /* offset of the buffer in the syscall's bytes */
	__u32 out;     /* record payload bytes used */
	__u32 run;     /* payload offset of the latest piece's header */
	__u32 run_len; /* its length */
	__u32 run_end; /* syscall offset where it ends, H2_NONE before the first */
	__u32 first;   /* syscall offset of the first frame header begun */
	__u8 full;     /* the record had no room for a piece: nothing more is copied */
	__u8 _pad[7];
	struct h2_walk w;
};

/* A frame record: header, then the first-frame offset and the pieces (twice
 * the walk's bytes so that masked copies stay inside), and, not sent, the
 * walk that builds it. The walk lives in the map value rather than on the
 * stack so that the verifier sees its fields as unknown values and checks
 * the loop's callback once instead of following every value they take. */
struct h2_record {
	struct conn_event hdr;
	__u8 payload[2 * H2_WALK_BYTES];
	struct h2_walker x;
};

/* h2_scratch: one h2_record per CPU, where a frame record is built (too
 * large for the stack). Fixed size. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct h2_record);
} h2_scratch SEC(".maps");

/* h2_put stores the low bytes of v little-endian at p[o], o masked into the record. */
static __always_inline void h2_put(__u8 *p, __u32 o, __u32 v, int bytes)
{
#pragma unroll
	for (int i = 0; i < 4; i++)
		if (i < bytes)
			p[(o + i) & (2 * H2_WALK_BYTES - 1)] = v >> (8 * i);
}

/* h2_piece copies k bytes at the walk's position into the record, merged
 * with the latest piece when it ends there. What does not fit is left out,
 * and so is everything after it: user space sees where bytes are missing. */
static __always_inline void h2_piece(struct h2_record *r, __u32 k)
{
	struct h2_walker *x = &r->x;
	__u32 at = x->base + x->pos;
	if (x->full || !k)
		return;
	if (x->run_end != at) {
		if (x->out + H2_PIECE_HDR >= H2_WALK_BYTES) {
			x->full = 1;
			return;
		}
		x->run = x->out;
		x->run_len = 0;
		h2_put(r->payload, x->run, at, 4);
		x->out += H2_PIECE_HDR;
	}
	__u32 room = H2_WALK_BYTES - x->out;
	if (k > room) {
		k = room;
		x->full = 1;
	}
	__u32 o = x->out & (H2_WALK_BYTES - 1);
	k &= H2_WALK_BYTES - 1;
	if (k)
		bpf_probe_read_user(r->payload + o, k, (const void *)(x->buf + x->pos));
	x->out += k;
	x->run_len += k;
	x->run_end = at + k;
	h2_put(r->payload, x->run + 4, x->run_len, 2);
}

/* h2_valid tells whether a frame header is one a peer may send: a known
 * type, and a stream id that is zero exactly for the connection-level
 * frames (WINDOW_UPDATE may be either). */
static __always_inline bool h2_valid(const __u8 *h)
{
	if (h[3] > H2_MAX_FRAME_TYPE)
		return false;
	bool conn_level = h[3] == 4 || h[3] == 6 || h[3] == 7;
	bool stream_zero = (h[5] & 0x7f) == 0 && h[6] == 0 && h[7] == 0 && h[8] == 0;
	return h[3] == 8 || conn_level == stream_zero;
}

/* h2_header walks the bytes of a frame header at the walk's position, of
 * which left bytes remain in the buffer; a header split across buffers is
 * completed from the bytes kept in the walk state. Returns 1 to stop. */
static __always_inline long h2_header(struct h2_record *r, __u32 left)
{
	struct h2_walker *x = &r->x;
	__u8 h[H2_FRAME_HEADER] = {};
	__u32 hn = x->w.hn;
	__u32 k = H2_FRAME_HEADER - hn;
	if (k > left)
		k = left;
	if (hn == 0 && x->first == H2_NONE)
		x->first = x->base + x->pos;
	h2_piece(r, k);
	if (hn == 0 && k == H2_FRAME_HEADER) {
		bpf_probe_read_user(h, H2_FRAME_HEADER, (const void *)(x->buf + x->pos));
	} else {
#pragma unroll
		for (int j = 0; j < H2_FRAME_HEADER; j++) {
			if (j < hn)
				h[j] = x->w.hdr[j];
			else if (j < hn + k)
				bpf_probe_read_user(&h[j], 1, (const void *)(x->buf + x->pos + j - hn));
		}
	}
	x->pos += k;
	if (hn + k < H2_FRAME_HEADER) {
		__builtin_memcpy(x->w.hdr, h, H2_FRAME_HEADER);
		x->w.hn = hn + k;
		return 0;
	}
	x->w.hn = 0;
	/* Frames of unknown types (extensions) are skipped, as peers must. */
	if (h[3] <= H2_MAX_FRAME_TYPE && !h2_valid(h)) {
		x->w.synced = 0;
		return 1;
	}
	x->w.rest = (__u32)h[0] << 16 | (__u32)h[1] << 8 | h[2];
	x->w.copy = h[3] == 1 || h[3] == 3 || h[3] == 5 || h[3] == 9;
	return 0;
}

/* h2_step is one step of the walk: a frame header, or the payload of the
 * current frame as far as the buffer holds it. */
static long h2_step(__u64 i, void *ctx)
{
	__u32 zero = 0;
	struct h2_record *r = bpf_map_lookup_elem(&h2_scratch, &zero);
	if (!r)
		return 1;
	struct h2_walker *x = &r->x;
	if (x->pos >= x->len)
		return 1;
	__u32 left = x->len - x->pos;
	if (!x->w.rest)
		return h2_header(r, left);
	__u32 k = x->w.rest < left ? x->w.rest : left;
	if (x->w.copy)
		h2_piece(r, k);
	x->pos += k;
	x->w.rest -= k;
	return 0;
}

/* h2_walk_buffer walks len bytes at buf, the next of the syscall's
 * buffers; a walk that cannot finish it loses the framing. */
static __always_inline void h2_walk_buffer(struct h2_walker *x, __u64 buf, __u32 len)
{
	x->buf = buf;
	x->len = len;
	x->pos = 0;
	bpf_loop(H2_WALK_STEPS, h2_step, NULL, 0);
	if (x->pos < x->len)
		x->w.synced = 0;
	x->base += len;
}

/* h2_walk_iovecs walks len bytes spread over the iovec array at iov. */
static __always_inline void h2_walk_iovecs(struct h2_walker *x, __u64 iov, __u32 len)
{
	for (int i = 0; i < H2_WALK_IOVS; i++) {
		struct iovec v = {};
		if (!len || !x->w.synced)
			return;
		if (bpf_probe_read_user(&v, sizeof(v), (const void *)(iov + i * sizeof(v)))) {
			x->w.synced = 0;
			return;
		}
		__u32 n = v.iov_len < len ? v.iov_len : len;
		h2_walk_buffer(x, (__u64)v.iov_base, n);
		len -= n;
	}
	if (len)
		x->w.synced = 0;
}

/* h2_skip moves the walk over len bytes it cannot read (sendfile): they
 * must all be the current frame's payload. */
static __always_inline void h2_skip(struct h2_walker *x, __u32 len)
{
	if (x->w.rest < len || x->w.hn) {
		x->w.synced = 0;
		return;
	}
	x->w.rest -= len;
}

/* h2_sync starts the walk of a direction that does not know where frames
 * start, from the first avail bytes at head: the client preface (copied as
 * a piece of its own), or a plausible frame header; with opening, only the
 * preface or a SETTINGS frame, which open each direction of a connection:
 * TLS plaintext of other protocols is never taken for frames mid-stream. */
static __always_inline bool h2_sync(struct h2_walk *w, const void *head, __u32 avail, bool opening)
{
	__u8 p[CLASSIFY_LEN] = {};
	if (!head || avail < H2_FRAME_HEADER)
		return false;
	bpf_probe_read_user(p, avail < CLASSIFY_LEN ? avail : CLASSIFY_LEN, head);
	bool preface = starts_with4(p, 'P', 'R', 'I', ' ');
	if (!looks_like_http2(p, avail) || (!preface && !h2_valid(p)) || (opening && !preface && p[3] != 4))
		return false;
	__builtin_memset(w, 0, sizeof(*w));
	w->synced = 1;
	if (preface) {
		w->rest = H2_PREFACE_LEN;
		w->copy = 1;
	}
	return true;
}

/* h2_emit sends the frame record of a syscall (or TLS library call) that
 * moved len bytes in direction dir of connection c: from buf (avail bytes,
 * the first buffer), the iovec array iov when not 0, or no user memory at
 * all when buf is NULL. flags are the record's other data flags; FLAG_TLS
 * also means the connection's protocol is not known to be HTTP/2, so the
 * walk starts only where a direction opens. False when the walk cannot
 * start here: the caller sends a plain prefix instead. */
static __always_inline bool h2_emit(void *ctx, struct sock *sk, struct conn_state *c, __u8 dir, __u32 len,
				    const void *buf, __u32 avail, __u64 iov, __u8 flags)
{
	__u32 zero = 0;
	struct h2_walk *w = &c->h2[dir == DIR_EGRESS];
	if (!enable_h2_walk || (!w->synced && !h2_sync(w, buf, avail, flags & FLAG_TLS)))
		return false;
	struct h2_record *r = bpf_map_lookup_elem(&h2_scratch, &zero);
	if (!r)
		return false;
	struct h2_walker *x = &r->x;
	__builtin_memset(x, 0, sizeof(*x));
	x->run_end = x->first = H2_NONE;
	x->out = 4;
	x->w = *w;
	if (!buf)
		h2_skip(x, len);
	else if (iov)
		h2_walk_iovecs(x, iov, len);
	else
		h2_walk_buffer(x, (__u64)buf, len);
	*w = x->w;

	struct conn_event *e = &r->hdr;
	data_header(e, sk, c, dir, len, flags | FLAG_H2_FRAMES | (buf ? 0 : FLAG_NO_PAYLOAD));
	e->protocol = PROTO_HTTP2;
	h2_put(r->payload, 0, x->first, 4);
	__u32 n = x->out & (2 * H2_WALK_BYTES - 1);
	if (n > H2_WALK_BYTES)
		n = H2_WALK_BYTES;
	e->captured = n;
	send_data(ctx, c, e, sizeof(*e) + n, starts_request(c, dir, r->payload, 0));
	return true;
}
