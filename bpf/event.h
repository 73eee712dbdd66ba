/* Records sent to user space. Go types are generated from these structs by
 * bpf2go (-type), so they are the one definition of the layout; padding is
 * explicit. */
#pragma once

enum event_kind {
	EVENT_DATA = 1,  /* a read or write on a tracked connection */
	EVENT_CLOSE = 2, /* the process is done with a connection */
	EVENT_EXEC = 3,  /* a process called execve */
	EVENT_EXIT = 4,  /* a thread group leader exited */
	EVENT_LISTEN = 5, /* a process started listening on a TCP port */
	EVENT_FORK = 6,   /* a captured process forked a new process */
	EVENT_HANDOFF = 7, /* a Go goroutine handed a request to another (gocontext.c) */
};

enum direction {
	DIR_INGRESS = 1, /* read by the process */
	DIR_EGRESS = 2,  /* written by the process */
};

enum conn_role {
	ROLE_UNKNOWN = 0,
	ROLE_CLIENT = 1, /* the process called connect */
	ROLE_SERVER = 2, /* the process got the socket from accept */
};

/* What the classifier (classify.h) takes a connection's bytes for. The ids
 * are user space's (call.Protocol), which tells gRPC (3) from HTTP/2. */
enum protocol {
	PROTO_UNKNOWN = 0,
	PROTO_HTTP1 = 1,
	PROTO_HTTP2 = 2, /* HTTP/2, gRPC included */
	PROTO_POSTGRES = 4,
	PROTO_MYSQL = 5,
	PROTO_REDIS = 6,
	PROTO_MONGODB = 7,
	PROTO_KAFKA = 8,
};

enum data_flags {
	FLAG_NO_PAYLOAD = 1, /* sendfile: the bytes never passed through user memory */
	FLAG_TLS = 2,        /* plaintext a TLS library read or wrote on the connection */
	FLAG_SEQ = 4,        /* seq holds the TCP sequence number of the first byte */
	FLAG_PEER_CAPTURED = 8, /* a server's connection whose client is a captured process here */
	FLAG_H2_FRAMES = 16, /* the payload is HTTP/2 frame pieces at offsets (h2walk.h) */
	FLAG_WIRE = 32,      /* wire holds the trace option of a segment among the bytes (wire.h) */
	FLAG_THREAD_TRACE = 64, /* wire.trace holds the trace the kernel gave the request this begins (wire.h) */
};

/* The trace context a TCP option carried (wire.h): the sequence number of
 * its segment's first byte, the trace id and the client span's id. */
struct wire_ids {
	__u32 seq;
	__u8 set;
	__u8 _pad[3];
	__u8 trace[16];
	__u8 span[8];
};

/* Header of EVENT_DATA and EVENT_CLOSE records; for data, `captured` payload
 * bytes follow it in the record. Addresses are in network byte order, IPv4
 * ones in the first four bytes; ports in host byte order. */
struct conn_event {
	__u8 kind;
	__u8 dir;
	__u8 role;
	__u8 family; /* 4 or 6 */
	__u8 tail_len;
	__u8 flags;
	__u16 captured;
	__u32 pid;
	__u32 len; /* bytes the syscall moved */
	__u64 conn_id;
	__u64 ts_ns; /* CLOCK_MONOTONIC */
	__u16 local_port;
	__u16 remote_port;
	__u16 lost;    /* data records of this connection dropped just before this one */
	__u8 protocol; /* EVENT_DATA: the kernel's enum protocol of the bytes (classify.h) */
	__u8 _pad;
	__u32 tid;  /* the thread that moved the bytes */
	__u32 seq;  /* FLAG_SEQ: TCP sequence number of the first byte moved */
	__u64 goid; /* Go processes with a known layout: the goroutine, else 0 */
	__u64 queued_ns; /* reads of a connection not the process's client: when the bytes began to wait in the socket, 0 unknown (queue.h) */
	__u8 local_addr[16];
	__u8 remote_addr[16];
	struct wire_ids wire; /* FLAG_WIRE */
	__u8 tail[TAIL_LEN];
};

/* EVENT_EXIT, EVENT_LISTEN and EVENT_FORK records, and the start of
 * EVENT_EXEC ones. */
struct process_event {
	__u8 kind;
	__u8 verdict; /* EVENT_FORK: the verdict the child inherited, 0 for none */
	__u16 port;   /* EVENT_LISTEN: the local port, host byte order */
	__u32 pid;
	__u64 ts_ns;
	__u32 ppid; /* EVENT_FORK: the parent */
	__u32 _pad2;
	__u64 start_ns; /* EVENT_FORK: the child's start, boot time in ns */
};

/* EVENT_EXEC records: the process event, then what execve was given. */
struct exec_event {
	struct process_event hdr;
	__u16 args_len;              /* bytes of args, NUL-separated arguments */
	__u8 _pad[6];
	__u8 filename[EXEC_PATH_LEN]; /* as passed to execve, NUL-terminated */
	__u8 args[EXEC_ARGS_LEN];
};

/* EVENT_HANDOFF records: goroutine goid of process pid is about to have
 * its next request on connection conn_id written by another goroutine
 * (net/http's client writes on the connection's writeLoop). */
struct handoff_event {
	__u8 kind;
	__u8 _pad[3];
	__u32 pid;
	__u64 ts_ns;
	__u64 conn_id;
	__u64 goid;
};

/* Indexes of the per-CPU counters map. */
enum counter {
	COUNTER_LOST_DATA = 0,    /* data events the ring buffer had no room for */
	COUNTER_LOST_CONTROL = 1, /* close/exec/exit events with no room */
	COUNTER_UNCLASSIFIED = 2, /* data on connections of no known protocol, not sent */
	COUNTER_CIPHERTEXT = 3,   /* data on TLS connections, not sent: the plaintext is */
	COUNTER_LOST_REQUESTS = 4, /* dropped data records that began an HTTP/1 request */
	COUNTER_TLS_UNDECODED = 5, /* connections that began with TLS records and ended with no plaintext seen */
	COUNTER_WIRE_NO_ROOM = 6,  /* requests whose first segment had no room for the trace option */
	COUNTER_WIRE_OLD_CONN = 7, /* connections opened before capture, whose requests carry no trace option */
	COUNTER_MAX = 8,
};
