//go:build linux

package ebpfreceiver

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/cilium/ebpf"

	"github.com/ebpfreceiver/ebpfreceiver/internal/privtest"
)

// leftBehind lists the BPF objects the kernel holds that it did not hold
// before, except those another process holds a descriptor of (other
// programs may load BPF objects meanwhile); the kernel frees what no
// descriptor, pin or attachment holds.
func leftBehind(t *testing.T, before privtest.Objects) privtest.Objects {
	t.Helper()
	added := privtest.KernelObjects(t).Added(before)
	held := heldByOthers()
	keep := func(ids []uint32, kind string) []uint32 {
		var out []uint32
		for _, id := range ids {
			if !held[kind+strconv.FormatUint(uint64(id), 10)] {
				out = append(out, id)
			}
		}
		return out
	}
	return privtest.Objects{Programs: keep(added.Programs, "prog_id"), Maps: keep(added.Maps, "map_id"), Links: keep(added.Links, "link_id")}
}

// heldByOthers reads the BPF object ids in other processes' fdinfo, as
// "prog_id12", "map_id7", "link_id3", with the maps their programs use;
// processes it may not read are skipped.
func heldByOthers() map[string]bool {
	held := map[string]bool{}
	self := strconv.Itoa(os.Getpid())
	infos, _ := filepath.Glob("/proc/[0-9]*/fdinfo/*")
	for _, path := range infos {
		if strings.HasPrefix(path, "/proc/"+self+"/") {
			continue
		}
		b, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		for line := range strings.Lines(string(b)) {
			key, value, ok := strings.Cut(strings.TrimSpace(line), ":\t")
			if ok && (key == "prog_id" || key == "map_id" || key == "link_id") {
				held[key+value] = true
			}
		}
	}
	// Maps used by their programs are theirs too.
	for key := range held {
		id, ok := strings.CutPrefix(key, "prog_id")
		if !ok {
			continue
		}
		n, _ := strconv.ParseUint(id, 10, 32)
		prog, err := ebpf.NewProgramFromID(ebpf.ProgramID(n))
		if err != nil {
			continue
		}
		if info, err := prog.Info(); err == nil {
			maps, _ := info.MapIDs()
			for _, m := range maps {
				held["map_id"+strconv.FormatUint(uint64(m), 10)] = true
			}
		}
		prog.Close()
	}
	return held
}
