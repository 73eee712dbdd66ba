package probecost

import (
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/cilium/ebpf/link"
	"github.com/cilium/ebpf/rlimit"
	"golang.org/x/sys/unix"

	"github.com/ebpfreceiver/ebpfreceiver/internal/peers"
	"github.com/ebpfreceiver/ebpfreceiver/internal/privtest"
)

// BenchmarkHookUnderLoad measures what hooking read(2) and write(2) costs a
// Go net/http server under wrk: no hook, the raw tracepoint on sys_exit, and
// the per-syscall exit tracepoints, each program only filtering and
// counting. It reports the server's CPU time per request and its
// throughput; run it with -benchtime 1x and -count N to alternate the
// configurations. A tight loop of syscalls hides the difference: under load
// the raw tracepoint also runs for the server's futex, epoll and nanosleep
// calls.
func BenchmarkHookUnderLoad(b *testing.B) {
	privtest.Require(b)
	if err := rlimit.RemoveMemlock(); err != nil {
		b.Fatal(err)
	}
	ensureTracefs(b)
	port := peers.FreePort(b)
	srv := peers.Start(b, port, peers.GoProgram(b, "httpserver"), "127.0.0.1:"+strconv.Itoa(port))
	setups := []peers.Setup{{Name: "none", Apply: func(testing.TB) func() { return func() {} }}}
	for _, hook := range []string{"raw_tracepoint", "tracepoint"} {
		setups = append(setups, peers.Setup{Name: hook, Apply: func(tb testing.TB) func() {
			objs := load(b, srv.PID)
			links := attach(b, hook, &objs)
			return func() {
				for _, l := range links {
					l.Close()
				}
				if hits(b, &objs) == 0 {
					b.Errorf("%s saw no syscall", hook)
				}
				objs.Close()
			}
		}})
	}
	peers.Compare(b, 3, srv.PID, "http://127.0.0.1:"+strconv.Itoa(port)+"/", 4*time.Second, setups)
}

func load(b *testing.B, pid int) probecostObjects {
	spec, err := loadProbecost()
	if err != nil {
		b.Fatal(err)
	}
	if err := spec.Variables["target_tgid"].Set(uint32(pid)); err != nil {
		b.Fatal(err)
	}
	var objs probecostObjects
	if err := spec.LoadAndAssign(&objs, nil); err != nil {
		b.Fatal(err)
	}
	return objs
}

func attach(b *testing.B, hook string, objs *probecostObjects) []link.Link {
	var links []link.Link
	add := func(l link.Link, err error) {
		if err != nil {
			b.Fatal(err)
		}
		links = append(links, l)
	}
	switch hook {
	case "raw_tracepoint":
		add(link.AttachRawTracepoint(link.RawTracepointOptions{Name: "sys_exit", Program: objs.RawSysExit}))
	case "tracepoint":
		add(link.Tracepoint("syscalls", "sys_exit_write", objs.TpSysExitWrite, nil))
		add(link.Tracepoint("syscalls", "sys_exit_read", objs.TpSysExitRead, nil))
	}
	return links
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
// tracepoints are attached by id, which only tracefs tells.
func ensureTracefs(b *testing.B) {
	if _, err := os.Stat("/sys/kernel/tracing/events"); err == nil {
		return
	}
	if err := unix.Mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, ""); err != nil {
		b.Fatalf("mount tracefs: %v", err)
	}
}
