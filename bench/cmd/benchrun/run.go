package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ebpfreceiver/ebpfreceiver/bench/internal/result"
)

// Warm-up before every run: wrk at full speed, so the server's and the
// collector's heaps and pools reach their working size before measuring.
const warmup = 2 * time.Second

// machineWarmup is the load before the first round: the first seconds of
// load after an idle spell run markedly slower on a virtual machine.
const machineWarmup = 5 * time.Second

// warmMachine saturates an uninstrumented server once, unmeasured.
func (b *bench) warmMachine(ctx context.Context) error {
	srv, err := b.startServer(ctx, configurations[0], "machine-warm-up")
	if err != nil {
		return err
	}
	_, err = b.saturate(machineWarmup)(ctx)
	return errors.Join(err, srv.stop())
}

// runConfig starts cfg's processes, measures the saturation and the
// fixed-rate windows, and stops them.
func (b *bench) runConfig(ctx context.Context, round int, cfg configuration) (run result.Run, err error) {
	tag := fmt.Sprintf("%s-r%d", cfg.ID, round)
	t, err := b.startTarget(ctx, cfg, tag)
	if err != nil {
		return run, err
	}
	defer func() { err = errors.Join(err, t.stop()) }()
	run = result.Run{Round: round, Config: cfg.ID}
	start, others := time.Now(), b.others()
	if run.Saturation, err = b.measure(ctx, t, b.saturate(b.opts.duration)); err != nil {
		return run, fmt.Errorf("saturation window: %w", err)
	}
	b.progress("  wrk %.0f req/s, p50 %v p99 %v", run.Saturation.RPS, run.Saturation.P50, run.Saturation.P99)
	fixed := b.paced(b.opts.fixedRate, b.opts.duration, b.opts.fixedConns)
	if run.Fixed, err = b.measure(ctx, t, fixed); err != nil {
		return run, fmt.Errorf("fixed-rate window: %w", err)
	}
	b.progress("  %.0f req/s: p50 %v p99 %v p99.9 %v", run.Fixed.RPS, run.Fixed.P50, run.Fixed.P99, run.Fixed.P999)
	run.Others, run.Wall = b.others()-others, time.Since(start)
	if t.collector != nil {
		run.Collector, err = t.collector.finish(ctx, b)
	}
	return run, err
}

// startTarget waits for a quiet machine, starts the server, then the
// collector if cfg has one, and warms them up. On error it stops what it
// started.
func (b *bench) startTarget(ctx context.Context, cfg configuration, tag string) (target, error) {
	t := target{cfg: cfg}
	if err := b.awaitQuiet(ctx); err != nil {
		return t, err
	}
	var err error
	if cfg.downstream {
		if t.downstream, err = b.startDownstream(ctx, tag); err != nil {
			return t, err
		}
	}
	if t.server, err = b.startServer(ctx, cfg, tag); err != nil {
		return t, errors.Join(err, t.stopDownstream())
	}
	if cfg.collectorFile != "" {
		if t.collector, err = b.startCollector(ctx, cfg.collectorBin, cfg.collectorFile, "collector-"+tag); err != nil {
			return t, errors.Join(err, t.server.stop(), t.stopDownstream())
		}
	}
	if err = b.warmUp(ctx, t); err != nil {
		err = errors.Join(err, t.stop())
	}
	return t, err
}

// stop stops the collector, then the server and its downstream; stopping
// twice is harmless.
func (t target) stop() error {
	var err error
	if t.collector != nil {
		err = t.collector.proc.stop()
	}
	return errors.Join(err, t.server.stop(), t.stopDownstream())
}

func (t target) stopDownstream() error {
	if t.downstream == nil {
		return nil
	}
	return t.downstream.stop()
}

// warmUp saturates the server briefly and waits for the telemetry it
// caused; a configuration that should export spans and exported none is
// noted in the report.
func (b *bench) warmUp(ctx context.Context, t target) error {
	if err := b.sink.Reset(ctx); err != nil {
		return err
	}
	if _, err := b.saturate(warmup)(ctx); err != nil {
		return fmt.Errorf("warm up: %w", err)
	}
	if !t.cfg.telemetry() {
		return nil
	}
	counts, err := b.sink.Settle(ctx, 0, t.cfg.quiet, settleLimit)
	if err != nil {
		return err
	}
	if t.cfg.Spans && counts.Spans == 0 {
		b.warn("(%s) exported no spans during the warm-up", t.cfg.ID)
	}
	return nil
}

// fidelity runs configuration (c) at a high fixed rate for a long window
// and compares spans received with requests served.
func (b *bench) fidelity(ctx context.Context) (f *result.Fidelity, err error) {
	cfg := configurations[2]
	t, err := b.startTarget(ctx, cfg, "fidelity")
	if err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, t.stop()) }()
	l := b.paced(b.opts.fidelityRate, b.opts.fidelityTime, b.opts.fidelityConns)
	w, err := b.measure(ctx, t, l)
	if err != nil {
		return nil, fmt.Errorf("fidelity window: %w", err)
	}
	info, err := t.collector.finish(ctx, b)
	if err != nil {
		return nil, err
	}
	return &result.Fidelity{Conns: b.opts.fidelityConns, Window: w, Collector: *info}, nil
}
