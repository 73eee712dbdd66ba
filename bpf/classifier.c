// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The capture's protocol classifier (classify.h) as a socket filter, so
 * that recorded openings of real programs can be run through the very code
 * the kernel runs (BPF_PROG_TEST_RUN) and held against the decoders in
 * user space. Never attached: tracer.Classifier loads it for that alone. */
#include "headers/vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "sizes.h"
#include "event.h"
#include "classify.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* classify_bytes returns the enum protocol whose message the packet's
 * bytes open, as classify_user would for bytes in user memory. */
SEC("socket")
int classify_bytes(struct __sk_buff *skb)
{
	__u8 head[CLASSIFY_LEN] = {};
	__u32 len = skb->len;

	if (len < 4)
		return PROTO_UNKNOWN;
	if (bpf_skb_load_bytes(skb, 0, head, len < CLASSIFY_LEN ? len : CLASSIFY_LEN))
		return PROTO_UNKNOWN;
	return classify_head(head, len);
}
