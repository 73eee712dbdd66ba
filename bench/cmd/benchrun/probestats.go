package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/ebpfreceiver/ebpfreceiver/bench/internal/bpfstats"
	"github.com/ebpfreceiver/ebpfreceiver/bench/internal/perfprof"
	"github.com/ebpfreceiver/ebpfreceiver/bench/internal/result"
)

// probeStats runs configuration (c) once more with the kernel's BPF
// statistics on, which cost two clock reads per program run and so stay
// off while the rounds measure, and reads what each of the receiver's
// programs cost in a saturation and a fixed-rate window: where the probes'
// share of the server's CPU goes, at both loads. The collector is profiled
// with perf in the saturation window.
func (b *bench) probeStats(ctx context.Context) (stats *result.ProbeStats, err error) {
	restore, err := bpfstats.Enable()
	if err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, restore()) }()
	cfg := configurations[2]
	if b.opts.perf != "" {
		cfg.collectorBin = b.opts.otelcolSymbols
	}
	t, err := b.startTarget(ctx, cfg, "probe-stats")
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
	for i, win := range windows {
		before, err := bpfstats.Read(ctx, b.opts.bpftool)
		if err != nil {
			return nil, err
		}
		var rec *perfprof.Recording
		if i == 0 && b.opts.perf != "" {
			if rec, err = perfprof.Start(b.opts.perf, t.collector.proc.pid(), filepath.Join(b.opts.out, "collector.perf.data")); err != nil {
				return nil, err
			}
		}
		w, err := b.measure(ctx, t, win.l)
		if rec != nil {
			err = errors.Join(err, rec.Stop())
		}
		if err != nil {
			return nil, fmt.Errorf("probe statistics, %s: %w", win.name, err)
		}
		if rec != nil {
			if err := profile(ctx, rec, stats); err != nil {
				return nil, err
			}
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

// profile reads the collector's CPU profile into stats.
func profile(ctx context.Context, rec *perfprof.Recording, stats *result.ProbeStats) error {
	fns, err := rec.Functions(ctx)
	if err != nil {
		return err
	}
	for _, c := range perfprof.ByComponent(fns) {
		stats.Components = append(stats.Components, result.Share{Name: c.Name, Share: c.Share})
	}
	for _, f := range fns[:min(len(fns), 25)] {
		stats.Functions = append(stats.Functions, result.Share{Name: f.Name, Share: f.Share})
	}
	return nil
}
