package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/ebpfreceiver/ebpfreceiver/bench/internal/procstat"
)

// otherCPU returns the CPU time used so far by the user-space processes
// outside benchrun's own tree, including the children they have reaped:
// its growth over the measurements tells whether other work disturbed them.
// Kernel threads are left out, since the benchmark's own network and
// scheduling work runs partly in them.
func otherCPU(tick time.Duration) (time.Duration, error) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0, fmt.Errorf("list processes: %w", err)
	}
	stats := make(map[int]procstat.Stat, len(entries))
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if s, err := procstat.ReadStat(pid, tick); err == nil { // it may have exited
			stats[pid] = s
		}
	}
	self := os.Getpid()
	var total time.Duration
	for pid, s := range stats {
		if !s.KernelThread() && !descends(pid, self, stats) {
			total += s.CPU + s.Children
		}
	}
	return total, nil
}

// descends reports whether pid is root or one of its descendants.
func descends(pid, root int, stats map[int]procstat.Stat) bool {
	for depth := 0; pid > 1 && depth < 128; depth++ {
		if pid == root {
			return true
		}
		pid = stats[pid].PPID
	}
	return pid == root
}

// Quiet means processes outside the benchmark used less than a tenth of
// one core over a one-second sample.
const (
	quietSample = time.Second
	quietCPU    = 100 * time.Millisecond
)

// awaitQuiet waits until the machine is quiet before a run, drawing on a
// budget for the whole session (-quiet-wait); once it is spent, runs start
// regardless and the report says how busy the machine was.
func (b *bench) awaitQuiet(ctx context.Context) error {
	waited := false
	for {
		before := b.others()
		if err := sleepCtx(ctx, quietSample); err != nil {
			return err
		}
		used := b.others() - before
		if used < quietCPU {
			return nil
		}
		if b.quietBudget <= 0 {
			if !waited {
				b.progress("  machine busy (%v of CPU per second elsewhere); not waiting any longer", used)
			}
			return nil
		}
		if !waited {
			b.progress("  waiting for a quiet machine: other processes use %v of CPU per second", used)
			waited = true
		}
		b.quietBudget -= quietSample
	}
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
