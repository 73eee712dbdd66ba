package engine

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ebpfreceiver/ebpfreceiver/internal/discovery"
	"github.com/ebpfreceiver/ebpfreceiver/internal/peers"
	"github.com/ebpfreceiver/ebpfreceiver/internal/privtest"
)

// leftovers counts the state the kernel and the engine hold for the given
// processes, all exited, and the connections tracked.
type leftovers struct {
	verdicts  int // kernel verdicts of the processes
	processes int // identities of the processes
	conns     int // kernel connection entries
	tracked   int // connections with user-space state
}

func leftoversOf(t *testing.T, e *Engine, gone map[uint32]bool) leftovers {
	t.Helper()
	e.mu.Lock()
	tr := e.tracer
	e.mu.Unlock()
	var l leftovers
	pids, conns, err := tr.VerdictPIDs()
	if err != nil {
		t.Fatal(err)
	}
	l.conns = conns
	for _, pid := range pids {
		if gone[pid] {
			l.verdicts++
		}
	}
	for _, pid := range e.registry.PIDs() {
		if gone[pid] {
			l.processes++
		}
	}
	l.tracked = e.Stats().Connections
	return l
}

// TestShortLivedProcessesLeaveNoState runs 500 curls, each its own process
// and connection, some selected and some not, and checks that once they
// have exited neither the kernel maps nor the engine hold more than before.
func TestShortLivedProcessesLeaveNoState(t *testing.T) {
	privtest.Require(t)
	srv := peers.PythonHTTPServer(t, t.TempDir())
	e, got := startEngine(t, discovery.Rule{ExePath: "*/curl", CmdArgs: "*/selected/*"})
	time.Sleep(time.Second) // let start-up settle
	before := leftoversOf(t, e, nil)

	url := "http://127.0.0.1:" + strconv.Itoa(srv.Port)
	// Each curl runs in the background and is waited for, so the shell can
	// print its PID.
	script := `for i in $(seq 1 250); do
		curl -s -o /dev/null "$1/selected/$i" & echo $!; wait
		curl -s -o /dev/null "$1/other/$i" & echo $!; wait
	done`
	gone := map[uint32]bool{}
	for _, f := range strings.Fields(peers.Run(t, "/bin/sh", "-c", script, "sh", url)) {
		pid, err := strconv.ParseUint(f, 10, 32)
		if err != nil {
			t.Fatalf("pid %q: %v", f, err)
		}
		gone[uint32(pid)] = true
	}
	if len(gone) != 500 {
		t.Fatalf("%d distinct curl processes, want 500", len(gone))
	}

	deadline := time.Now().Add(20 * time.Second)
	for len(got.snapshot()) < 250 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	// Identities of exited processes are kept for a grace period, then
	// dropped on the next idle pass.
	var after leftovers
	for time.Now().Before(deadline) {
		if after = leftoversOf(t, e, gone); after.clean(before) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if !after.clean(before) {
		t.Errorf("state left behind: before %+v, after %+v", before, after)
	}
	// The reader's own verdicts can be read once it has stopped.
	if err := e.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	for pid := range e.rd.ignored {
		if gone[pid] {
			t.Errorf("exec-time verdict kept for exited process %d", pid)
		}
	}
	for _, r := range e.rd.rechecks {
		if gone[r.pid] {
			t.Errorf("re-judgement pending for exited process %d", r.pid)
		}
	}
	calls := got.snapshot()
	for _, c := range calls {
		if len(c.HTTP.Path) < 10 || c.HTTP.Path[:10] != "/selected/" {
			t.Errorf("call of an unselected curl: %s", c.HTTP.Path)
		}
	}
	if len(calls) != 250 {
		t.Errorf("%d calls, want 250 (one per selected curl)", len(calls))
	}
	t.Logf("state before %+v, after %+v", before, after)
}

// clean reports whether nothing is held for dead processes and no more
// connections than before.
func (l leftovers) clean(before leftovers) bool {
	return l.verdicts == 0 && l.processes == 0 &&
		l.conns <= before.conns && l.tracked <= before.tracked
}
