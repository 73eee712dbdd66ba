package tracer

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/btf"
	"github.com/cilium/ebpf/link"
)

// openPropagation loads the sockops program that writes and reads the
// trace option and attaches it to cgroup directory root, by default the
// cgroup v2 root, so it sees every TCP socket of the machine.
func (t *Tracer) openPropagation(spec *ebpf.CollectionSpec, root string) error {
	if err := CheckNetAdmin(); err != nil {
		return fmt.Errorf("trace propagation: %w", err)
	}
	var err error
	if root == "" {
		if root, err = cgroup2Root("/proc/self/mounts"); err != nil {
			return fmt.Errorf("trace propagation: %w", err)
		}
	}
	p := &Probe{hook: hook{Name: captureProgOnSockops}}
	t.wire = p
	if err := p.load(spec, ebpf.CollectionOptions{MapReplacements: t.maps, Cache: btf.NewCache()}); err != nil {
		return fmt.Errorf("trace propagation: %w", err)
	}
	p.link, err = link.AttachCgroup(link.CgroupOptions{Path: root, Attach: ebpf.AttachCGroupSockOps, Program: p.prog})
	if err != nil {
		if errors.Is(err, os.ErrPermission) {
			err = fmt.Errorf("%w (attaching sockops to a cgroup needs CAP_NET_ADMIN and CAP_BPF, and the host's cgroup namespace to reach the root)", err)
		}
		return fmt.Errorf("trace propagation: attach sockops program to cgroup %s: %w", root, err)
	}
	return nil
}

// cgroup2Root finds where the cgroup v2 hierarchy is mounted, from a
// mounts table: /sys/fs/cgroup on most systems, /sys/fs/cgroup/unified on
// hybrid ones.
func cgroup2Root(mounts string) (string, error) {
	f, err := os.Open(mounts)
	if err != nil {
		return "", fmt.Errorf("find the cgroup v2 mount: %w", err)
	}
	defer f.Close()
	return findCgroup2(f)
}

func findCgroup2(r io.Reader) (string, error) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) >= 3 && f[2] == "cgroup2" {
			return f[1], nil
		}
	}
	if err := sc.Err(); err != nil {
		return "", fmt.Errorf("find the cgroup v2 mount: %w", err)
	}
	return "", errors.New("no cgroup v2 hierarchy is mounted, and the sockops program attaches to one: mount it (mount -t cgroup2 none /sys/fs/cgroup/unified) or turn traces.propagation off")
}

// SetThreadContext says whether each thread of process pid handles one
// request at a time, so the trace options of the requests a thread sends
// carry the trace of the request it is handling (bpf/wire.h). The kernel
// forgets it when the process execs or exits.
func (t *Tracer) SetThreadContext(pid uint32, on bool) error {
	m := t.maps[captureMapCtxThreads]
	if on {
		if err := m.Put(pid, uint8(1)); err != nil {
			return fmt.Errorf("set thread context of pid %d: %w", pid, err)
		}
		return nil
	}
	if err := m.Delete(pid); err != nil && !errors.Is(err, ebpf.ErrKeyNotExist) {
		return fmt.Errorf("forget thread context of pid %d: %w", pid, err)
	}
	return nil
}
