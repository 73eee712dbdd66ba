/* Where records go: the ring buffer (kernel 5.8 and later), or, on kernels
 * without one, a perf event array of per-CPU buffers. User space sets
 * use_perf before load; the verifier prunes the branch not taken, so a
 * kernel without ring buffer never checks the ring buffer helper, and the
 * events map is then a placeholder of another type. */
#pragma once

#include "maps.h"

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
