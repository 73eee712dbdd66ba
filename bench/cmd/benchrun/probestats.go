package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/ebpfreceiver/ebpfreceiver/bench/internal/bpfstats"
	"github.com/ebpfreceiver/ebpfreceiver/bench/internal/result"
)

// probeStats runs configuration (c) once more with the kernel's BPF
// statistics on, which cost two clock reads per program run and so stay
// off while the rounds measure, and reads what each of the receiver's
// programs cost in a saturation and a fixed-rate window: where the probes'
// share of the server's CPU goes, at both loads.
func (b *bench) probeStats(ctx context.Context) (stats *result.ProbeStats, err error) {
	restore, err := bpfstats.Enable()
	if err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, restore()) }()
	t, err := b.startTarget(ctx, configurations[2], "probe-stats")
	if err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, t.stop()) }()
	stats = &result.ProbeStats{}
	windows := []struct {
		name string
		l    load
	}{
		{"saturation (wrk)", b.saturate(b.opts.duration)},
		{fmt.Sprintf("%.0f req/s", b.opts.fixedRate), b.paced(b.opts.fixedRate, b.opts.duration, b.opts.fixedConns)},
	}
	for _, win := range windows {
		before, err := bpfstats.Read(ctx, b.opts.bpftool)
		if err != nil {
			return nil, err
		}
		w, err := b.measure(ctx, t, win.l)
		if err != nil {
			return nil, fmt.Errorf("probe statistics, %s: %w", win.name, err)
		}
		after, err := bpfstats.Read(ctx, b.opts.bpftool)
		if err != nil {
			return nil, err
		}
		pw := result.ProbeWindow{Name: win.name, Window: w}
		for _, p := range bpfstats.Delta(before, after) {
			pw.Programs = append(pw.Programs, result.ProgramCost{Name: p.Name, Runs: p.Runs, TimeNs: p.TimeNs})
		}
		stats.Windows = append(stats.Windows, pw)
	}
	return stats, nil
}
