package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/ebpfreceiver/ebpfreceiver/bench/internal/procstat"
	"github.com/ebpfreceiver/ebpfreceiver/bench/internal/promtext"
	"github.com/ebpfreceiver/ebpfreceiver/bench/internal/result"
)

// readyTimeout bounds the wait for "Everything is ready".
const readyTimeout = 60 * time.Second

// Log lines that mark the collector's start-up, in the order they appear.
const (
	phraseCapture = iota // the ebpf receiver attached its probes
	phraseReady          // the collector runs every pipeline
)

var startupPhrases = []string{"eBPF capture started", "Everything is ready"}

// collector is a running otelcol-custom with the ebpf receiver.
type collector struct {
	proc       *process
	log        *logWatch
	metricsURL string
	info       result.Collector
}

// startCollector runs otelcol-custom (bin, or -otelcol when empty) with
// configFile from bench/collector and waits until it is ready, noting how
// long that took and the memory peak of the start-up.
func (b *bench) startCollector(ctx context.Context, bin, configFile, logName string) (*collector, error) {
	if bin == "" {
		bin = b.opts.otelcol
	}
	out, err := b.logFile(logName)
	if err != nil {
		return nil, err
	}
	watch := newLogWatch(out, startupPhrases...)
	env := []string{
		"BENCH_SINK_ENDPOINT=http://" + b.opts.sinkAddr,
		"BENCH_TELEMETRY_PORT=" + strconv.Itoa(b.opts.telemetryPort),
	}
	env = append(env, strings.Fields(b.opts.collectorEnv)...)
	p, err := b.children.start("collector", watch, env,
		bin, "--config="+filepath.Join(b.opts.repo, "bench", "collector", configFile))
	if err != nil {
		return nil, err
	}
	c := &collector{proc: p, log: watch,
		metricsURL: fmt.Sprintf("http://127.0.0.1:%d/metrics", b.opts.telemetryPort)}
	if err := c.waitReady(ctx); err != nil {
		return nil, errors.Join(err, p.stop())
	}
	mem, err := procstat.ReadMemory(p.pid())
	if err != nil {
		return nil, errors.Join(err, p.stop())
	}
	c.info.PeakRSSAtReady = mem.PeakRSS
	c.info.CaptureStarted = watch.seenAt(phraseCapture).Sub(p.started)
	c.info.Ready = watch.seenAt(phraseReady).Sub(p.started)
	return c, nil
}

func (c *collector) waitReady(ctx context.Context) error {
	select {
	case <-c.log.appeared(phraseReady):
		return nil
	case <-c.proc.done:
		return fmt.Errorf("start collector: exited (%v) before it was ready:\n%s", c.proc.waitErr, c.log.lastLines())
	case <-time.After(readyTimeout):
		return fmt.Errorf("start collector: not ready after %s:\n%s", readyTimeout, c.log.lastLines())
	case <-ctx.Done():
		return ctx.Err()
	}
}

// selfMetrics are the counters and gauges benchrun reads from the
// collector's own telemetry.
type selfMetrics struct {
	lost, callsDropped, callsEmitted, spansDropped, decodeErrors, exportFailed float64
	probesAttached, probesFailed                                               float64
}

// scrape reads the collector's self-metrics.
func (c *collector) scrape(ctx context.Context, b *bench) (selfMetrics, error) {
	s, err := promtext.Scrape(ctx, b.http, c.metricsURL)
	if err != nil {
		return selfMetrics{}, err
	}
	return selfMetrics{
		lost:           s.Sum("otelcol_ebpf_lost_samples"),
		callsDropped:   s.Sum("otelcol_ebpf_calls_dropped"),
		callsEmitted:   s.Sum("otelcol_ebpf_calls_emitted"),
		spansDropped:   s.Sum("otelcol_ebpf_spans_dropped"),
		decodeErrors:   s.Sum("otelcol_ebpf_decode_errors"),
		exportFailed:   s.Sum("otelcol_exporter_send_failed_spans") + s.Sum("otelcol_exporter_enqueue_failed_spans"),
		probesAttached: s.Sum("otelcol_ebpf_probes_attached"),
		probesFailed:   s.Sum("otelcol_ebpf_probes_failed"),
	}, nil
}

// finish records the end-of-run memory and probe counts, then stops the
// collector.
func (c *collector) finish(ctx context.Context, b *bench) (*result.Collector, error) {
	info := c.info
	mem, err := procstat.ReadMemory(c.proc.pid())
	if err != nil {
		return nil, errors.Join(err, c.proc.stop())
	}
	info.PeakRSS, info.RSS = mem.PeakRSS, mem.RSS
	self, err := c.scrape(ctx, b)
	if err != nil {
		return nil, errors.Join(err, c.proc.stop())
	}
	info.ProbesAttached, info.ProbesFailed = self.probesAttached, self.probesFailed
	return &info, c.proc.stop()
}
