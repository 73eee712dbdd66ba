/* Where records go: the ring buffer (kernel 5.8 and later), or, on kernels
 * without one, a perf event array of per-CPU buffers. User space sets
 * use_perf before load; the verifier prunes the branch not taken, so a
 * kernel without ring buffer never checks the ring buffer helper, and the
 * events map is then a placeholder of another type. */
#pragma once

#include "maps.h"
#include "http1.h"

volatile const __u8 use_perf = 0;

/* Records never wake the reader: it drains the buffer every few
 * milliseconds (tracer.PollInterval), which the buffer is sized to hold. A
 * wake-up per record would cost more than the capture itself. In perf mode
 * user space sets a wake-up watermark instead. */
#define RB_FLAGS BPF_RB_NO_WAKEUP

/* perf_events: one perf buffer per CPU, used only with use_perf; user
 * space opens the buffers and closes them with the map. */
struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} perf_events SEC(".maps");

/* output queues one record of size bytes; ctx is the program's context,
 * which the perf helper needs. Non-zero means the record was dropped. */
static __always_inline long output(void *ctx, void *data, __u64 size)
{
	if (use_perf)
		return bpf_perf_event_output(ctx, &perf_events, BPF_F_CURRENT_CPU, data, size);
	return bpf_ringbuf_output(&events, data, size, RB_FLAGS);
}

/* starts_request tells whether a data record moving dir on c, whose n
 * captured bytes are at p, begins a request: the first bytes a server
 * reads, or a client writes, after bytes went the other way (or none did),
 * or bytes in that direction that start like an HTTP/1 request (a read-ahead
 * byte may be seen before the response that preceded it). Requests
 * pipelined without waiting for their answers are not told apart. */
static __always_inline bool starts_request(struct conn_state *c, __u8 dir, const __u8 *p, __u32 n)
{
	__u8 request_dir = c->role == ROLE_SERVER ? DIR_INGRESS : c->role == ROLE_CLIENT ? DIR_EGRESS : 0;
	bool flip = c->last_dir != dir;
	c->last_dir = dir;
	if (!request_dir || dir != request_dir)
		return false;
	return flip || (n >= 4 ? looks_like_http1_request(p) : n > 0 && may_start_method(p[0]));
}

/* note_lost records that a data record of connection c was dropped. The
 * next record sent on c carries the count (conn_event.lost), so user space
 * gives up what it was waiting for there. A dropped record that began a
 * cleartext HTTP/1 request is counted, so that every such request ends as
 * a span, a dropped call or a lost request (multiplexed protocols, and
 * TLS connections, whose protocol the kernel does not know, are not
 * counted this way). */
static __always_inline void note_lost(struct conn_state *c, bool started_request)
{
	count(COUNTER_LOST_DATA);
	if (c->lost < 0xffff)
		c->lost++;
	if (started_request && c->protocol == PROTO_HTTP1)
		count(COUNTER_LOST_REQUESTS);
}
