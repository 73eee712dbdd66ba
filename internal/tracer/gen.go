package tracer

//go:generate go tool -modfile=../../tools/go.mod bpf2go -cc clang-16 -cflags "-O2 -g -Wall -Werror" -target amd64,arm64 -type conn_event -type process_event -type exec_event -type data_record -type counter -type event_kind -type direction -type conn_role -type protocol -type data_flags -type verdict -type go_layout capture ../../bpf/capture.c
