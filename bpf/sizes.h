/* Every size the programs depend on, in one place. */
#pragma once

/* Upper bound of payload bytes captured per syscall; the configured size
 * (max_payload) may be smaller. A power of two so copies can be masked. */
#define MAX_PAYLOAD 4096

/* Bytes captured from the end of a buffer larger than the capture size, so
 * user space can see the end of a chunked HTTP body it did not capture. */
#define TAIL_LEN 8

/* Bytes of a connection's first segments read to classify it. */
#define CLASSIFY_LEN 16

/* Bytes of the executable path and of the command line sent with an exec,
 * so a process that exits before user space reads /proc is still known. */
#define EXEC_PATH_LEN 160
#define EXEC_ARGS_LEN 256

/* Processes with a verdict (selected or excluded). */
#define MAX_PIDS 32768

/* Threads whose syscall arguments are kept between a syscall's entry and
 * its exit, on kernels where the exit cannot read them (syscall_args.h). */
#define MAX_THREADS 65536

/* Connections tracked at once; the map is an LRU, so a full map evicts the
 * least recently used connection instead of failing. */
#define MAX_CONNS 65536

/* A connection quiet for this long gets its addresses sent again with its
 * next event: user space may have evicted it as idle (after 2 minutes). */
#define TUPLE_REFRESH_NS (30ULL * 1000 * 1000 * 1000)

/* HTTP/2 frame walk (h2walk.h): bytes of frame headers and header blocks
 * one record carries (a power of two, so copies can be masked), buffers
 * (iovecs) of one syscall walked, and steps (a frame header or a run of
 * payload) walked per buffer. */
#define H2_WALK_BYTES 4096
#define H2_WALK_IOVS 8
#define H2_WALK_STEPS 1024
