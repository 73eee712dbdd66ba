// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The capture's protocol classifier (classify.h) as a program of its own, so
 * that recorded openings of real programs can be run through the very code
 * the kernel runs (BPF_PROG_TEST_RUN) and held against the decoders in
 * user space. Never attached: tracer.Classifier loads it for that alone. */
#include "headers/vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "sizes.h"
#include "event.h"
#include "classify.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* What BPF_PROG_TEST_RUN requires before the bytes: an Ethernet header. */
#define ETH_HEADER 14

/* classify_bytes returns the enum protocol whose message the bytes after
 * the first ETH_HEADER open, as classify_user would for bytes in user
 * memory. An XDP program, whose context holds no pointer types, so that
 * its object does not depend on where it was built. */
SEC("xdp")
int classify_bytes(struct xdp_md *ctx)
{
	__u8 head[CLASSIFY_LEN] = {};
	__u32 len = ctx->data_end - ctx->data - ETH_HEADER;
	__u32 n = len;

	if (n > CLASSIFY_LEN)
		n = CLASSIFY_LEN;
	if (len > ctx->data_end - ctx->data || n < 4) /* shorter than a header, or than 4 bytes */
		return PROTO_UNKNOWN;
	if (bpf_xdp_load_bytes(ctx, ETH_HEADER, head, n))
		return PROTO_UNKNOWN;
	return classify_head(head, len);
}
