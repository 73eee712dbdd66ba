// Package probecost measures what a syscall pays for each way of hooking it
// (raw tracepoint on sys_exit versus the per-syscall tracepoint). It exists
// for `make bench`; the capture itself does not use it.
package probecost

//go:generate go tool -modfile=../../../tools/go.mod bpf2go -cc clang-16 -cflags "-O2 -g -Wall -Werror" -target amd64,arm64 probecost ../../../bpf/probecost.c
