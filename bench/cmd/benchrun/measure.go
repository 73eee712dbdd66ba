package main

import (
	"context"
	"fmt"
	"time"

	"github.com/ebpfreceiver/ebpfreceiver/bench/internal/loadgen"
	"github.com/ebpfreceiver/ebpfreceiver/bench/internal/procstat"
	"github.com/ebpfreceiver/ebpfreceiver/bench/internal/result"
	"github.com/ebpfreceiver/ebpfreceiver/bench/internal/wrk"
)

// settleLimit bounds the wait for a window's telemetry to reach the sink.
const settleLimit = 15 * time.Second

// load applies one window's load and reports what the client saw.
type load func(ctx context.Context) (result.Window, error)

// target is what a window measures: the server, its downstream and the
// collector if they run.
type target struct {
	cfg        configuration
	server     *process
	downstream *process   // nil without one; its CPU counts as the server's
	collector  *collector // nil without one
}

// snapshot is the state of the counters a window reads before and after.
type snapshot struct {
	serverCPU, collectorCPU time.Duration
	self                    selfMetrics
}

// measure applies l with the sink reset before it, waits for the
// telemetry of the window to reach the sink, and fills in the server's and
// the collector's CPU and the receiver's counters over the window and that
// flush.
func (b *bench) measure(ctx context.Context, t target, l load) (result.Window, error) {
	if err := b.sink.Reset(ctx); err != nil {
		return result.Window{}, err
	}
	before, err := b.snapshot(ctx, t)
	if err != nil {
		return result.Window{}, err
	}
	w, err := l(ctx)
	if err != nil {
		return result.Window{}, err
	}
	if t.cfg.telemetry() {
		var want int64
		if t.cfg.Spans {
			want = t.cfg.ExpectedSpans(w.Requests)
		}
		counts, err := b.sink.Settle(ctx, want, t.cfg.quiet, settleLimit)
		if err != nil {
			return result.Window{}, err
		}
		w.Spans, w.DataPoints = counts.Spans, counts.DataPoints
	}
	after, err := b.snapshot(ctx, t)
	if err != nil {
		return result.Window{}, err
	}
	w.ServerCPU = after.serverCPU - before.serverCPU
	w.CollectorCPU = after.collectorCPU - before.collectorCPU
	d := after.self
	w.Lost, w.CallsDropped = d.lost-before.self.lost, d.callsDropped-before.self.callsDropped
	w.CallsEmitted, w.SpansDropped = d.callsEmitted-before.self.callsEmitted, d.spansDropped-before.self.spansDropped
	w.DecodeErrors, w.ExportFailed = d.decodeErrors-before.self.decodeErrors, d.exportFailed-before.self.exportFailed
	return w, nil
}

func (b *bench) snapshot(ctx context.Context, t target) (snapshot, error) {
	var s snapshot
	var err error
	if s.serverCPU, err = procstat.CPU(t.server.pid(), b.tick); err != nil {
		return s, fmt.Errorf("read server CPU: %w", err)
	}
	if t.downstream != nil {
		d, err := procstat.CPU(t.downstream.pid(), b.tick)
		if err != nil {
			return s, fmt.Errorf("read downstream CPU: %w", err)
		}
		s.serverCPU += d
	}
	if t.collector == nil {
		return s, nil
	}
	if s.collectorCPU, err = procstat.CPU(t.collector.proc.pid(), b.tick); err != nil {
		return s, fmt.Errorf("read collector CPU: %w", err)
	}
	s.self, err = t.collector.scrape(ctx, b)
	return s, err
}

// saturate is wrk at full speed for the window's duration.
func (b *bench) saturate(d time.Duration) load {
	return func(ctx context.Context) (result.Window, error) {
		r, err := wrk.Run(ctx, wrk.Options{
			URL: "http://" + b.opts.serverAddr + "/json", Threads: b.opts.wrkThreads,
			Conns: b.opts.wrkConns, Duration: d,
		})
		if err != nil {
			return result.Window{}, err
		}
		return result.Window{
			Requests: r.Requests, Errors: r.Errors, Elapsed: r.Elapsed, RPS: r.RPS,
			P50: r.P50, P90: r.P90, P99: r.P99,
		}, nil
	}
}

// paced is the load generator at a fixed rate.
func (b *bench) paced(rate float64, d time.Duration, conns int) load {
	return func(ctx context.Context) (result.Window, error) {
		r, err := loadgen.Run(ctx, loadgen.Options{
			Addr: b.serverAddrPort, Path: "/json", Rate: rate, Duration: d, Conns: conns,
		})
		if err != nil {
			return result.Window{}, err
		}
		return result.Window{
			Requests: r.Requests, Errors: r.Errors, Elapsed: r.Elapsed, RPS: r.Rate(),
			TargetRPS: rate, Late: r.Late, Unsent: r.Unsent,
			P50: r.Quantile(50), P99: r.Quantile(99), P999: r.Quantile(99.9),
		}, nil
	}
}
