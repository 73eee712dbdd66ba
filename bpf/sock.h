/* Reading sockets from kernel memory. Every read goes through CO-RE. */
#pragma once

#define AF_INET 2
#define AF_INET6 10
#define S_IFMT 00170000
#define S_IFSOCK 0140000

/* tcp_sock_of_fd returns the TCP socket (IPv4 or IPv6) behind one of the
 * current task's file descriptors, or NULL. Walking files->fdt->fd[fd] works
 * for sockets opened before capture started, so no accept or connect needs
 * to have been seen. */
static __always_inline struct sock *tcp_sock_of_fd(__u64 fd)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **fds;
	struct file *file = NULL;

	if (!fdt || fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	fds = BPF_CORE_READ(fdt, fd);
	bpf_core_read(&file, sizeof(file), &fds[fd]);
	if (!file || (BPF_CORE_READ(file, f_inode, i_mode) & S_IFMT) != S_IFSOCK)
		return NULL;

	struct socket *sock = BPF_CORE_READ(file, private_data);
	struct sock *sk = BPF_CORE_READ(sock, sk);
	if (!sk)
		return NULL;

	__u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (family != AF_INET && family != AF_INET6)
		return NULL;
	if (BPF_CORE_READ(sk, sk_protocol) != IPPROTO_TCP)
		return NULL;
	return sk;
}

/* fill_tuple copies the socket's addresses and ports into an event. */
static __always_inline void fill_tuple(struct conn_event *e, struct sock *sk)
{
	e->local_port = BPF_CORE_READ(sk, __sk_common.skc_num);
	e->remote_port = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	if (BPF_CORE_READ(sk, __sk_common.skc_family) == AF_INET) {
		e->family = 4;
		bpf_core_read(e->local_addr, 4, &sk->__sk_common.skc_rcv_saddr);
		bpf_core_read(e->remote_addr, 4, &sk->__sk_common.skc_daddr);
		return;
	}
	e->family = 6;
	bpf_core_read(e->local_addr, 16, &sk->__sk_common.skc_v6_rcv_saddr);
	bpf_core_read(e->remote_addr, 16, &sk->__sk_common.skc_v6_daddr);
}
