/* Go's net package seen from a probe: offsets in its structures, stable
 * since Go 1.9, and the walk from a *net.TCPConn to its socket. */
#pragma once

#include "sock.h"

/* An itab keeps its type's hash after two pointers. */
#define GO_ITAB_HASH 16
/* net.TCPConn starts with the *netFD; netFD starts with a poll.FD, whose
 * Sysfd follows a 16-byte fdMutex. */
#define GO_POLL_FD_SYSFD 16

/* go_tcpconn_sock follows a *net.TCPConn to its TCP socket, or NULL. */
static __always_inline struct sock *go_tcpconn_sock(__u64 tcp)
{
	__u64 fd_ptr = 0;
	__s64 fd = -1;

	if (!tcp || bpf_probe_read_user(&fd_ptr, sizeof(fd_ptr), (void *)tcp) || !fd_ptr)
		return NULL;
	if (bpf_probe_read_user(&fd, sizeof(fd), (void *)(fd_ptr + GO_POLL_FD_SYSFD)) || fd < 0)
		return NULL;
	return tcp_sock_of_fd(fd);
}
