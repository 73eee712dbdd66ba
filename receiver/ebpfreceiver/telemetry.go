package ebpfreceiver // import "github.com/ebpfreceiver/ebpfreceiver/receiver/ebpfreceiver"

import (
	"context"
	"errors"
	"sync/atomic"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/ebpfreceiver/ebpfreceiver/internal/engine"
	"github.com/ebpfreceiver/ebpfreceiver/receiver/ebpfreceiver/internal/metadata"
)

// dropCounters counts spans lost in the receiver, by reason.
type dropCounters struct {
	queueFull    atomic.Int64 // the batcher's queue was full when a call arrived
	exportFailed atomic.Int64 // the next consumer returned an error
}

// telemetrySources are what the self-telemetry callbacks read. Every
// instrument is observable, so nothing is counted twice on the hot path.
type telemetrySources struct {
	stats     func() engine.Stats
	drops     *dropCounters
	overflows func() int64 // nil without a metrics pipeline
}

// registerTelemetry registers a callback per self-telemetry instrument;
// tb.Shutdown unregisters them.
func registerTelemetry(tb *metadata.TelemetryBuilder, src telemetrySources) error {
	observe := func(read func(engine.Stats) int64) metric.Int64Callback {
		return func(_ context.Context, o metric.Int64Observer) error {
			o.Observe(read(src.stats()))
			return nil
		}
	}
	return errors.Join(
		tb.RegisterEbpfLostSamplesCallback(observe(func(s engine.Stats) int64 { return int64(s.LostSamples) })),
		tb.RegisterEbpfRequestsLostCallback(observe(func(s engine.Stats) int64 { return int64(s.LostRequests) })),
		tb.RegisterEbpfCallsEmittedCallback(observe(func(s engine.Stats) int64 { return int64(s.CallsEmitted) })),
		tb.RegisterEbpfCallsDroppedCallback(observe(func(s engine.Stats) int64 { return int64(s.CallsDropped) })),
		tb.RegisterEbpfCallsIgnoredCallback(observe(func(s engine.Stats) int64 { return int64(s.CallsIgnored) })),
		tb.RegisterEbpfConnectionsSkippedCallback(byAttribute(src.stats, "reason", map[string]func(engine.Stats) uint64{
			"encrypted":       func(s engine.Stats) uint64 { return s.EncryptedSkipped },
			"database_server": func(s engine.Stats) uint64 { return s.DBServerSessions },
			"tls_undecoded":   func(s engine.Stats) uint64 { return s.TLSUndecoded },
		})),
		tb.RegisterEbpfHTTP2UnknownCallback(byAttribute(src.stats, "item", map[string]func(engine.Stats) uint64{
			"header_field": func(s engine.Stats) uint64 { return s.HeaderFieldsUnknown },
			"header_table": func(s engine.Stats) uint64 { return s.HeaderTablesLost },
			"stream":       func(s engine.Stats) uint64 { return s.StreamsUnidentified },
		})),
		tb.RegisterEbpfTraceLinksCallback(countsByAttribute(src.stats, "mechanism", func(s engine.Stats) map[string]uint64 { return s.Trace.Linked })),
		tb.RegisterEbpfTraceOptionsCallback(byAttribute(src.stats, "outcome", map[string]func(engine.Stats) uint64{
			"sent":                    func(s engine.Stats) uint64 { return s.Trace.OptionsSent },
			"trace_apart":             func(s engine.Stats) uint64 { return s.Trace.OptionsApart },
			"no_room":                 func(s engine.Stats) uint64 { return s.OptionNoRoom },
			"connection_before_start": func(s engine.Stats) uint64 { return s.OptionOldConns },
		})),
		tb.RegisterEbpfTraceRootsCallback(countsByAttribute(src.stats, "reason", func(s engine.Stats) map[string]uint64 { return s.Trace.Roots })),
		tb.RegisterEbpfProbesAttachedCallback(observe(func(s engine.Stats) int64 { return int64(s.ProbesAttached) })),
		tb.RegisterEbpfProbesFailedCallback(observe(func(s engine.Stats) int64 { return int64(s.ProbesFailed) })),
		tb.RegisterEbpfDecodeErrorsCallback(decodeErrorsCallback(src.stats)),
		tb.RegisterEbpfSpansDroppedCallback(spansDroppedCallback(src.drops)),
		tb.RegisterEbpfMetricOverflowCallback(func(_ context.Context, o metric.Int64Observer) error {
			if src.overflows != nil {
				o.Observe(src.overflows())
			}
			return nil
		}),
	)
}

// countsByAttribute observes each count of a map the stats hold, with its
// key as attribute name.
func countsByAttribute(stats func() engine.Stats, name string, counts func(engine.Stats) map[string]uint64) metric.Int64Callback {
	return func(_ context.Context, o metric.Int64Observer) error {
		for key, n := range counts(stats()) {
			o.Observe(int64(n), metric.WithAttributes(attribute.String(name, key)))
		}
		return nil
	}
}

func decodeErrorsCallback(stats func() engine.Stats) metric.Int64Callback {
	return func(_ context.Context, o metric.Int64Observer) error {
		for protocol, n := range stats().DecodeErrors {
			o.Observe(int64(n), metric.WithAttributes(attribute.String("protocol", protocol)))
		}
		return nil
	}
}

func spansDroppedCallback(drops *dropCounters) metric.Int64Callback {
	queueFull := metric.WithAttributeSet(attribute.NewSet(attribute.String("reason", "queue_full")))
	exportFailed := metric.WithAttributeSet(attribute.NewSet(attribute.String("reason", "export_failed")))
	return func(_ context.Context, o metric.Int64Observer) error {
		o.Observe(drops.queueFull.Load(), queueFull)
		o.Observe(drops.exportFailed.Load(), exportFailed)
		return nil
	}
}

// byAttribute observes one engine counter per value of attribute key, from
// one read of the engine's stats.
func byAttribute(stats func() engine.Stats, key string, values map[string]func(engine.Stats) uint64) metric.Int64Callback {
	opts := make(map[string]metric.ObserveOption, len(values))
	for v := range values {
		opts[v] = metric.WithAttributeSet(attribute.NewSet(attribute.String(key, v)))
	}
	return func(_ context.Context, o metric.Int64Observer) error {
		s := stats()
		for v, read := range values {
			o.Observe(int64(read(s)), opts[v])
		}
		return nil
	}
}
