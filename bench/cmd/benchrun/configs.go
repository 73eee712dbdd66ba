package main

import (
	"time"

	"github.com/ebpfreceiver/ebpfreceiver/bench/internal/result"
)

// configuration is one way of running the reference server.
type configuration struct {
	result.Config
	otel          bool          // benchserver -otel: the Go SDK in the process
	collectorFile string        // bench/collector/<file> when the collector runs
	quiet         time.Duration // how long the sink must be still before a window's telemetry is all in
}

// telemetry reports whether anything exports to the sink.
func (c configuration) telemetry() bool { return c.otel || c.collectorFile != "" }

// configurations are (a)…(d) of issue 3, in the order every round runs
// them. The SDK's batch span processor exports every 5 s, so its window
// waits longer for the last spans.
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
}}
