package ebpfreceiver

import (
	"testing"

	"github.com/ebpfreceiver/ebpfreceiver/internal/call"
)

// BenchmarkSpanConvert measures calls → ptrace for a batch of 512 calls
// (the default batch size); ns/op divided by 512 is the cost per span.
func BenchmarkSpanConvert(b *testing.B) {
	calls := callValues(repeatCalls(512))
	conv := newSpanConverter(hostInfo{name: "bench-host"}, "bench")
	b.ReportAllocs()
	for b.Loop() {
		conv.convert(calls)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(calls)), "ns/span")
}

// BenchmarkMetricsFlush measures one flush: aggregated series → pmetric.
func BenchmarkMetricsFlush(b *testing.B) {
	agg := newAggregator(false, baseNs)
	for _, c := range repeatCalls(512) {
		agg.record(c)
	}
	conv := newMetricConverter(hostInfo{name: "bench-host"}, "bench", false)
	b.ReportAllocs()
	for b.Loop() {
		conv.convert(agg.collect(baseNs+1e9), baseNs+1e9)
	}
}

func repeatCalls(n int) []*call.Call {
	golden := goldenCalls()
	out := make([]*call.Call, n)
	for i := range out {
		out[i] = golden[i%len(golden)]
	}
	return out
}
