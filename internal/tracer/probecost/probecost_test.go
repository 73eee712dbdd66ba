package probecost

import (
	"os"
	"testing"

	"github.com/cilium/ebpf/link"
	"github.com/cilium/ebpf/rlimit"
	"golang.org/x/sys/unix"
)

// BenchmarkWrite measures one write(2) of 64 bytes to /dev/null with no
// hook, with the raw tracepoint on sys_exit and with the per-syscall
// tracepoint. The difference to "none" is the hook's cost per syscall.
func BenchmarkWrite(b *testing.B) {
	if os.Geteuid() != 0 {
		b.Skip("needs root to load BPF programs")
	}
	if err := rlimit.RemoveMemlock(); err != nil {
		b.Fatal(err)
	}
	ensureTracefs(b)
	for _, hook := range []string{"none", "raw_tracepoint", "tracepoint"} {
		b.Run(hook, func(b *testing.B) {
			objs := load(b)
			defer objs.Close()
			if l := attach(b, hook, &objs); l != nil {
				defer l.Close()
			}
			runWrites(b)
			if hook != "none" && hits(b, &objs) < uint64(b.N) {
				b.Fatalf("hook saw %d of %d writes", hits(b, &objs), b.N)
			}
		})
	}
}

func load(b *testing.B) probecostObjects {
	spec, err := loadProbecost()
	if err != nil {
		b.Fatal(err)
	}
	if err := spec.Variables["target_tgid"].Set(uint32(os.Getpid())); err != nil {
		b.Fatal(err)
	}
	var objs probecostObjects
	if err := spec.LoadAndAssign(&objs, nil); err != nil {
		b.Fatal(err)
	}
	return objs
}

func attach(b *testing.B, hook string, objs *probecostObjects) link.Link {
	var (
		l   link.Link
		err error
	)
	switch hook {
	case "raw_tracepoint":
		l, err = link.AttachRawTracepoint(link.RawTracepointOptions{Name: "sys_exit", Program: objs.RawSysExit})
	case "tracepoint":
		l, err = link.Tracepoint("syscalls", "sys_exit_write", objs.TpSysExitWrite, nil)
	default:
		return nil
	}
	if err != nil {
		b.Fatal(err)
	}
	return l
}

func runWrites(b *testing.B) {
	f, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	fd := int(f.Fd())
	buf := make([]byte, 64)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := unix.Write(fd, buf); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
}

func hits(b *testing.B, objs *probecostObjects) uint64 {
	var perCPU []uint64
	if err := objs.Hits.Lookup(uint32(0), &perCPU); err != nil {
		b.Fatal(err)
	}
	var n uint64
	for _, v := range perCPU {
		n += v
	}
	return n
}

// ensureTracefs mounts tracefs when it is missing: the per-syscall
// tracepoint is attached by its id, which only tracefs tells.
func ensureTracefs(b *testing.B) {
	if _, err := os.Stat("/sys/kernel/tracing/events"); err == nil {
		return
	}
	if err := unix.Mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, ""); err != nil {
		b.Fatalf("mount tracefs: %v", err)
	}
}
