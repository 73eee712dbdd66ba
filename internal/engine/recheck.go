package engine

import (
	"slices"
	"time"

	"github.com/ebpfreceiver/ebpfreceiver/internal/call"
	"github.com/ebpfreceiver/ebpfreceiver/internal/tracer"
)

// recheck is a process to judge again at a given time: a min_process_age
// rule would match it once it is older.
type recheck struct {
	pid   uint32
	start uint64 // the process's start time, telling it from a reuse of its PID
	due   time.Time
}

// maxRechecks bounds the processes waiting to be judged again; a fork storm
// of young processes cannot grow the list without bound. Beyond it the
// youngest are not judged again (and stay unselected).
const maxRechecks = 4096

// scheduleRecheck judges p again after wait.
func (e *Engine) scheduleRecheck(p *call.Process, wait time.Duration) {
	if len(e.rd.rechecks) >= maxRechecks {
		return
	}
	r := recheck{pid: p.PID, start: p.StartTime, due: time.Now().Add(wait)}
	i, _ := slices.BinarySearchFunc(e.rd.rechecks, r.due, func(r recheck, due time.Time) int {
		return r.due.Compare(due)
	})
	e.rd.rechecks = slices.Insert(e.rd.rechecks, i, r)
}

// runRechecks judges again the processes whose time has come and that still
// run.
func (e *Engine) runRechecks(t *tracer.Tracer, now time.Time) {
	n := 0
	for n < len(e.rd.rechecks) && !e.rd.rechecks[n].due.After(now) {
		r := e.rd.rechecks[n]
		if p, ok := e.registry.Cached(r.pid); ok && p.StartTime == r.start {
			e.judge(t, p, true)
		}
		n++
	}
	e.rd.rechecks = slices.Delete(e.rd.rechecks, 0, n)
}
