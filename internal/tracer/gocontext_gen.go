package tracer

//go:generate go tool -modfile=../../tools/go.mod bpf2go -cc clang-16 -cflags "-O2 -g -Wall -Werror" -target amd64,arm64 -type handoff_event gocontext ../../bpf/gocontext.c
