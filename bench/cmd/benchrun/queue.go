package main

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/ebpfreceiver/ebpfreceiver/bench/internal/result"
)

// The queue time section: a server with one worker loaded at rising rates
// up to and past its capacity, the receiver capturing it. Its requests wait
// longer and longer unread in their sockets while the time each takes once
// read stays the same.

// queueServer is node's http module with keep-alive (the default) and a
// handler that holds the event loop for the work's time, busy: one worker,
// whatever the load.
//
//go:embed queueserver.js
var queueServer string

// Metrics the section reads from the sink.
const (
	queueMetric    = "ebpf.http.server.request.queue.duration"
	durationMetric = "http.server.request.duration"
)

// parseQueueRates reads -queue-rates: fractions of the capacity, rising.
func parseQueueRates(s string) ([]float64, error) {
	var rates []float64
	for f := range strings.SplitSeq(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		r, err := strconv.ParseFloat(f, 64)
		if err != nil || r <= 0 {
			return nil, fmt.Errorf("parse -queue-rates %q: %q is not a positive fraction", s, f)
		}
		if len(rates) > 0 && r <= rates[len(rates)-1] {
			return nil, fmt.Errorf("parse -queue-rates %q: the loads must rise", s)
		}
		rates = append(rates, r)
	}
	return rates, nil
}

// queueBench runs the queue time section.
func (b *bench) queueBench(ctx context.Context, fractions []float64) (runs []result.QueueRun, err error) {
	script := filepath.Join(b.opts.out, "queueserver.js")
	if err := os.WriteFile(script, []byte(queueServer), 0o644); err != nil {
		return nil, fmt.Errorf("write queue server: %w", err)
	}
	if err := b.awaitQuiet(ctx); err != nil {
		return nil, err
	}
	out, err := b.logFile("server-queue")
	if err != nil {
		return nil, err
	}
	port := strconv.Itoa(int(b.serverAddrPort.Port()))
	srv, err := b.children.start("node", out, nil, b.opts.node, script, port, strconv.FormatInt(b.opts.queueWork.Microseconds(), 10))
	if err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, srv.stop()) }()
	if err := waitListening(ctx, srv, b.opts.serverAddr); err != nil {
		return nil, err
	}
	col, err := b.startCollector(ctx, "", "queue-time.yaml", "collector-queue")
	if err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, col.proc.stop()) }()
	capacity := float64(time.Second) / float64(b.opts.queueWork)
	for _, f := range fractions {
		rate := f * capacity
		b.progress("queue time: %.0f req/s (%.0f%% of capacity)", rate, 100*f)
		run, err := b.queueRun(ctx, rate)
		if err != nil {
			return nil, fmt.Errorf("queue time at %.0f req/s: %w", rate, err)
		}
		runs = append(runs, run)
	}
	return runs, nil
}

// queueRun loads the server at rate and reads the receiver's histograms of
// the window from the sink.
func (b *bench) queueRun(ctx context.Context, rate float64) (result.QueueRun, error) {
	run := result.QueueRun{Work: b.opts.queueWork, TargetRPS: rate}
	if err := b.sink.Reset(ctx); err != nil {
		return run, err
	}
	w, err := b.paced(rate, b.opts.queueDuration, b.opts.queueConns)(ctx)
	if err != nil {
		return run, err
	}
	run.Window = w
	// The histograms are deltas sent every second: still for two, the
	// window's are all in.
	counts, err := b.sink.Settle(ctx, 0, 2*time.Second, settleLimit)
	if err != nil {
		return run, err
	}
	q, d := counts.Histograms[queueMetric], counts.Histograms[durationMetric]
	run.Queued, run.Requests = q.Count, d.Count
	if q.Count > 0 {
		run.MeanQueue = time.Duration(q.Sum / float64(q.Count) * float64(time.Second))
	}
	if d.Count > 0 {
		run.MeanDuration = time.Duration(d.Sum / float64(d.Count) * float64(time.Second))
	}
	return run, nil
}
