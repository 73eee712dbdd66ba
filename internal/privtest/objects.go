package privtest

import (
	"errors"
	"os"
	"slices"
	"testing"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
)

// Objects lists the ids of the BPF programs, maps and links in the kernel.
type Objects struct {
	Programs, Maps, Links []uint32
}

// KernelObjects asks the kernel for every BPF program, map and link id.
func KernelObjects(t testing.TB) Objects {
	t.Helper()
	var o Objects
	for id, err := ebpf.ProgramGetNextID(0); err == nil; id, err = ebpf.ProgramGetNextID(id) {
		o.Programs = append(o.Programs, uint32(id))
	}
	for id, err := ebpf.MapGetNextID(0); err == nil; id, err = ebpf.MapGetNextID(id) {
		o.Maps = append(o.Maps, uint32(id))
	}
	it := new(link.Iterator)
	defer it.Close()
	for it.Next() {
		o.Links = append(o.Links, uint32(it.ID))
	}
	if err := it.Err(); err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("list BPF links: %v", err)
	}
	return o
}

// Added returns the ids in o that were not in before.
func (o Objects) Added(before Objects) Objects {
	return Objects{
		Programs: added(o.Programs, before.Programs),
		Maps:     added(o.Maps, before.Maps),
		Links:    added(o.Links, before.Links),
	}
}

// Empty reports whether no id is listed.
func (o Objects) Empty() bool {
	return len(o.Programs)+len(o.Maps)+len(o.Links) == 0
}

func added(now, before []uint32) []uint32 {
	var out []uint32
	for _, id := range now {
		if !slices.Contains(before, id) {
			out = append(out, id)
		}
	}
	return out
}
