package main

import (
	"time"

	"github.com/ebpfreceiver/ebpfreceiver/bench/internal/result"
)

// configuration is one way of running the reference server.
type configuration struct {
	result.Config
	otel          bool          // benchserver -otel: the Go SDK in the process
	downstream    bool          // the server calls a second benchserver per request
	collectorFile string        // bench/collector/<file> when the collector runs
	quiet         time.Duration // how long the sink must be still before a window's telemetry is all in
	// collectorBin, when set, is the collector binary to run instead of
	// -otelcol: the same build with its symbols, for a profile.
	collectorBin string
}

// telemetry reports whether anything exports to the sink.
func (c configuration) telemetry() bool { return c.otel || c.collectorFile != "" }

// configurations are (a)…(d), (e)…(g), (h) and (i), in the
// order every round runs them. The SDK's batch span processor exports
// every 5 s, so its window waits longer for the last spans. (e) and (f)
// are (a) and (c) with a downstream call per request, compared with each
// other: what the receiver costs when a request makes a client call that
// must be linked to it and to the downstream's server span. (g) is (c)
// with trace context off: (c) - (g) is what linking costs. (h) is (f) with
// traces::propagation tcp_option: every downstream request carries the
// trace option, written and read by sockops; (h) - (f) is what that costs.
// (i) is (c) with queue time off: (c) - (i) is what queue time costs.
var configurations = []configuration{{
	Config: result.Config{ID: "a", Name: "uninstrumented", Short: "none"},
}, {
	Config: result.Config{ID: "b", Name: "OTel Go SDK (otelhttp)", Short: "Go SDK", Spans: true},
	otel:   true, quiet: 5500 * time.Millisecond,
}, {
	Config:        result.Config{ID: "c", Name: "ebpf receiver, traces + metrics", Short: "ebpf T+M", Collector: true, Spans: true},
	collectorFile: "traces-metrics.yaml", quiet: 1500 * time.Millisecond,
}, {
	Config:        result.Config{ID: "d", Name: "ebpf receiver, metrics only", Short: "ebpf M", Collector: true},
	collectorFile: "metrics-only.yaml", quiet: 1500 * time.Millisecond,
}, {
	Config:     result.Config{ID: "e", Name: "uninstrumented, downstream call per request", Short: "none, call", Baseline: "e"},
	downstream: true,
}, {
	Config: result.Config{ID: "f", Name: "ebpf receiver, traces + metrics, downstream call per request", Short: "ebpf T+M, call",
		Collector: true, Spans: true, SpansPerRequest: 3, Baseline: "e"},
	downstream: true, collectorFile: "traces-metrics.yaml", quiet: 1500 * time.Millisecond,
}, {
	Config:        result.Config{ID: "g", Name: "ebpf receiver, traces + metrics, trace context off", Short: "ebpf T+M, no ctx", Collector: true, Spans: true},
	collectorFile: "traces-metrics-no-context.yaml", quiet: 1500 * time.Millisecond,
}, {
	Config: result.Config{ID: "h", Name: "ebpf receiver, traces + metrics, downstream call per request, trace option on the wire", Short: "ebpf T+M, call, option",
		Collector: true, Spans: true, SpansPerRequest: 3, Baseline: "e"},
	downstream: true, collectorFile: "traces-metrics-propagation.yaml", quiet: 1500 * time.Millisecond,
}, {
	Config:        result.Config{ID: "i", Name: "ebpf receiver, traces + metrics, queue time off", Short: "ebpf T+M, no queue", Collector: true, Spans: true},
	collectorFile: "traces-metrics-no-queue.yaml", quiet: 1500 * time.Millisecond,
}}
