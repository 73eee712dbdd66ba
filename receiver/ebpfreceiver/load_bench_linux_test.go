//go:build linux

package ebpfreceiver

import (
	"context"
	"errors"
	"regexp"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/receiver"
	"go.uber.org/zap"

	"github.com/ebpfreceiver/ebpfreceiver/internal/call"
	"github.com/ebpfreceiver/ebpfreceiver/internal/engine"
	"github.com/ebpfreceiver/ebpfreceiver/internal/peers"
	"github.com/ebpfreceiver/ebpfreceiver/internal/privtest"
)

// loadVariant is one pipeline configuration of the load benchmark.
type loadVariant struct {
	name    string
	traces  bool
	metrics bool
	otlp    bool // the sinks marshal to OTLP protobuf, as an OTLP exporter would
	noLinks bool // traces.context off: every span a root
}

// BenchmarkReceiverUnderLoad measures the CPU this process (playing the
// collector: reader, tracker, emit, batcher, aggregator and sinks) spends
// per request while wrk drives a separate Go net/http server on loopback.
// Start-up is not counted; the final flush at Shutdown is. Run it alone:
//
//	go test -run '^$' -bench ReceiverUnderLoad -benchtime 1x ./receiver/ebpfreceiver/
func BenchmarkReceiverUnderLoad(b *testing.B) {
	privtest.Require(b)
	privtest.RequireTool(b, "/usr/bin/wrk")
	port := peers.FreePort(b)
	srv := peers.Start(b, port, peers.GoProgram(b, "httpserver"), "127.0.0.1:"+strconv.Itoa(port))
	// The PID keeps out the peers of tests running beside the benchmark.
	rule := RuleConfig{ExePath: "*ebpfreceiver-peer-*", PIDs: []uint32{uint32(srv.PID)}}
	url := "http://127.0.0.1:" + strconv.Itoa(port) + "/"
	for _, v := range []loadVariant{
		{name: "traces_metrics", traces: true, metrics: true},
		{name: "traces_metrics_no_context", traces: true, metrics: true, noLinks: true},
		{name: "metrics", metrics: true},
		{name: "traces", traces: true},
		{name: "traces_metrics_otlp", traces: true, metrics: true, otlp: true},
	} {
		b.Run(v.name, func(b *testing.B) { benchLoad(b, v, rule, url) })
	}
}

func benchLoad(b *testing.B, v loadVariant, rule RuleConfig, url string) {
	var totals loadTotals
	for b.Loop() {
		totals.add(runLoad(b, v, rule, url))
	}
	totals.report(b, v)
}

// loadTotals is what one or more load runs measured.
type loadTotals struct {
	requests, spans, points int64
	events, lost, dropped   uint64
	cpu, sys, wall          time.Duration
}

func (t *loadTotals) add(r loadTotals) {
	t.requests, t.spans, t.points = t.requests+r.requests, t.spans+r.spans, t.points+r.points
	t.events, t.lost, t.dropped = t.events+r.events, t.lost+r.lost, t.dropped+r.dropped
	t.cpu, t.sys, t.wall = t.cpu+r.cpu, t.sys+r.sys, t.wall+r.wall
}

func (t *loadTotals) report(b *testing.B, v loadVariant) {
	perRequest := func(x float64) float64 { return x / float64(t.requests) }
	b.ReportMetric(perRequest(float64(t.cpu.Nanoseconds())/1e3), "µs-cpu/req")
	b.ReportMetric(perRequest(float64(t.sys.Nanoseconds())/1e3), "µs-sys/req")
	b.ReportMetric(float64(t.requests)/t.wall.Seconds(), "req/s")
	b.ReportMetric(perRequest(float64(t.events)), "events/req")
	b.ReportMetric(float64(t.lost), "lost")
	b.ReportMetric(float64(t.dropped), "queue-drops")
	if v.traces {
		b.ReportMetric(perRequest(float64(t.spans)), "spans/req")
	}
	if v.metrics {
		b.ReportMetric(perRequest(float64(t.points)), "observations/req")
	}
}

// runLoad starts a receiver, drives the server with wrk, and stops the
// receiver, which flushes what it holds; the CPU is counted from the first
// request to the end of the flush.
func runLoad(b *testing.B, v loadVariant, rule RuleConfig, url string) loadTotals {
	sink := &countingSink{otlp: v.otlp}
	var c capture
	f := newFactory(func(cfg engine.Config, logger *zap.Logger, emit func(*call.Call)) (capture, error) {
		var err error
		c, err = newEngineCapture(cfg, logger, emit)
		return c, err
	})
	cfg := f.CreateDefaultConfig().(*Config)
	cfg.Discovery.Instrument = []RuleConfig{rule}
	cfg.Traces.Context = !v.noLinks
	rcv, stop := startPipelines(b, f, cfg, v, sink)
	before, start := processCPU(), time.Now()
	r := loadTotals{requests: runWrk(b, url)}
	r.wall = time.Since(start)
	stats := c.Stats()
	if err := stop(); err != nil {
		b.Fatal(err)
	}
	after := processCPU()
	r.cpu, r.sys = after.total()-before.total(), after.sys-before.sys
	r.spans, r.points = sink.spans.Load(), sink.points.Load()
	r.events, r.lost = stats.Events, stats.LostSamples
	r.dropped = uint64(rcv.drops.queueFull.Load())
	return r
}

// startPipelines creates and starts the variant's pipelines from factory f,
// all feeding sink, and returns their shared receiver and a function that
// shuts them down.
func startPipelines(b *testing.B, f receiver.Factory, cfg *Config, v loadVariant, sink *countingSink) (*ebpfReceiver, func() error) {
	b.Helper()
	ctx := context.Background()
	var handles []component.Component
	if v.traces {
		r, err := f.CreateTraces(ctx, settings(), cfg, sink.tracesConsumer())
		if err != nil {
			b.Fatal(err)
		}
		handles = append(handles, r)
	}
	if v.metrics {
		r, err := f.CreateMetrics(ctx, settings(), cfg, sink.metricsConsumer())
		if err != nil {
			b.Fatal(err)
		}
		handles = append(handles, r)
	}
	for _, h := range handles {
		if err := h.Start(ctx, componenttest.NewNopHost()); err != nil {
			b.Fatal(err)
		}
	}
	stop := func() error {
		var err error
		for _, h := range handles {
			err = errors.Join(err, h.Shutdown(ctx))
		}
		return err
	}
	return handles[0].(*sharedHandle).rcv, stop
}

// countingSink counts what reaches the next consumers, optionally after
// marshalling it to protobuf (TracesData and MetricsData have the wire
// format of the OTLP export requests).
type countingSink struct {
	otlp   bool
	spans  atomic.Int64
	points atomic.Int64 // the latest sum of histogram counts (cumulative)
}

func (s *countingSink) tracesConsumer() consumer.Traces {
	c, _ := consumer.NewTraces(func(_ context.Context, td ptrace.Traces) error {
		s.spans.Add(int64(td.SpanCount()))
		if s.otlp {
			_, err := (&ptrace.ProtoMarshaler{}).MarshalTraces(td)
			return err
		}
		return nil
	})
	return c
}

func (s *countingSink) metricsConsumer() consumer.Metrics {
	c, _ := consumer.NewMetrics(func(_ context.Context, md pmetric.Metrics) error {
		var n int64
		forEachDataPoint(md, func(_ string, dp pmetric.HistogramDataPoint) { n += int64(dp.Count()) })
		s.points.Store(n)
		if s.otlp {
			_, err := (&pmetric.ProtoMarshaler{}).MarshalMetrics(md)
			return err
		}
		return nil
	})
	return c
}

// cpuTimes are the user and system CPU time a process used so far.
type cpuTimes struct{ user, sys time.Duration }

func (c cpuTimes) total() time.Duration { return c.user + c.sys }

// processCPU returns this process's CPU times.
func processCPU() cpuTimes {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return cpuTimes{}
	}
	return cpuTimes{user: time.Duration(ru.Utime.Nano()), sys: time.Duration(ru.Stime.Nano())}
}

var wrkRequests = regexp.MustCompile(`(\d+) requests in`)

// runWrk drives url for five seconds with two threads and 50 connections
// and returns how many requests completed.
func runWrk(b *testing.B, url string) int64 {
	b.Helper()
	out := peers.Run(b, "/usr/bin/wrk", "-t2", "-c50", "-d5s", url)
	m := wrkRequests.FindStringSubmatch(out)
	if m == nil {
		b.Fatalf("wrk output without a request count:\n%s", out)
	}
	n, _ := strconv.ParseInt(m[1], 10, 64)
	return n
}
