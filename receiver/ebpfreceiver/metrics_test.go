package ebpfreceiver

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/golden"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/pdatatest/pmetrictest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/ebpfreceiver/ebpfreceiver/internal/call"
)

const secNs = uint64(time.Second)

// twoIntervals records the golden calls, flushes at 10s, records one more
// call and returns the metrics of the flush at 20s.
func twoIntervals(delta bool) pmetric.Metrics {
	agg := newAggregator(delta, baseNs)
	conv := newMetricConverter(testHost, testVersion, delta)
	for _, c := range goldenCalls() {
		agg.record(c)
	}
	conv.convert(agg.collect(baseNs+10*secNs), baseNs+10*secNs)
	agg.record(httpCall(pythonApp, call.KindServer, 15_000, 80, call.HTTP{
		Method: "GET", Path: "/users/43", Route: "/users/{id}", Version: "1.1", Host: "api.example.com:8080", Status: 200,
	}))
	return conv.convert(agg.collect(baseNs+20*secNs), baseNs+20*secNs)
}

func TestMetricsGolden(t *testing.T) {
	for name, delta := range map[string]bool{"cumulative": false, "delta": true} {
		t.Run(name, func(t *testing.T) {
			checkGoldenMetrics(t, filepath.Join("testdata", "golden", "metrics_"+name+".yaml"), twoIntervals(delta))
		})
	}
}

// checkGoldenMetrics compares actual with the golden file, rewriting it
// first under -update.
func checkGoldenMetrics(t *testing.T, file string, actual pmetric.Metrics) {
	t.Helper()
	if *update {
		require.NoError(t, golden.WriteMetrics(t, file, actual, golden.SkipMetricTimestampNormalization()))
	}
	expected, err := golden.ReadMetrics(file)
	require.NoError(t, err)
	require.NoError(t, pmetrictest.CompareMetrics(expected, actual,
		pmetrictest.IgnoreResourceMetricsOrder(), pmetrictest.IgnoreMetricsOrder(),
		pmetrictest.IgnoreMetricDataPointsOrder()))
}

func TestMetricsCumulativeKeepsStartTime(t *testing.T) {
	md := twoIntervals(false)
	forEachDataPoint(md, func(name string, dp pmetric.HistogramDataPoint) {
		assert.Less(t, uint64(dp.StartTimestamp()), baseNs+secNs, "%s: start is the first observation", name)
		assert.Equal(t, baseNs+20*secNs, uint64(dp.Timestamp()))
	})
}

func TestMetricsDeltaResets(t *testing.T) {
	md := twoIntervals(true)
	require.Equal(t, 1, md.DataPointCount(), "only the series observed in the second interval")
	forEachDataPoint(md, func(_ string, dp pmetric.HistogramDataPoint) {
		assert.Equal(t, uint64(1), dp.Count())
		assert.Equal(t, baseNs+10*secNs, uint64(dp.StartTimestamp()))
	})
}

func TestMetricsNeverCarryPathOrQuery(t *testing.T) {
	forEachDataPoint(twoIntervals(false), func(name string, dp pmetric.HistogramDataPoint) {
		for _, key := range []string{"url.path", "url.query", "url.full", "user_agent.original"} {
			_, ok := dp.Attributes().Get(key)
			assert.False(t, ok, "%s carries %s", name, key)
		}
	})
}

func TestMetricsOverflow(t *testing.T) {
	agg := newAggregator(false, baseNs)
	const extra = 5
	for i := range defaultSeriesLimit + extra {
		agg.record(httpCall(goClient, call.KindClient, 0, 1, call.HTTP{
			Method: "GET", Version: "1.1", Host: fmt.Sprintf("host-%d", i), Status: 200,
		}))
	}
	md := newMetricConverter(testHost, testVersion, false).convert(agg.collect(baseNs+secNs), baseNs+secNs)
	assert.Equal(t, defaultSeriesLimit+1, md.DataPointCount())
	assert.Equal(t, int64(extra), agg.overflows.Load())
	found := false
	forEachDataPoint(md, func(_ string, dp pmetric.HistogramDataPoint) {
		if v, ok := dp.Attributes().Get(overflowAttribute); ok {
			found = true
			assert.True(t, v.Bool())
			assert.Equal(t, 1, dp.Attributes().Len())
			assert.Equal(t, uint64(extra), dp.Count())
		}
	})
	assert.True(t, found, "overflow series exported")
}

func TestMetricsOverflowCountsEveryCall(t *testing.T) {
	agg := newAggregator(false, baseNs)
	hostCall := func(host string) *call.Call {
		return httpCall(goClient, call.KindClient, 0, 1, call.HTTP{Method: "GET", Version: "1.1", Host: host, Status: 200})
	}
	for i := range defaultSeriesLimit {
		agg.record(hostCall(fmt.Sprintf("host-%d", i)))
	}
	late := hostCall("late")
	for range 3 { // the same series again and again: folded each time
		agg.record(late)
	}
	agg.record(hostCall("host-0")) // an existing series still counts there
	assert.Equal(t, int64(3), agg.overflows.Load())
}

func TestMetricsForgetIdleProcesses(t *testing.T) {
	agg := newAggregator(false, baseNs)
	agg.record(goldenCalls()[0])
	// The flush after the observation, then staleFlushes idle ones; the
	// last still exports the cumulative series before forgetting them.
	for i := range staleFlushes + 1 {
		require.NotEmpty(t, agg.collect(baseNs+uint64(i+1)*secNs), "flush %d exports the series", i)
		require.Equal(t, i < staleFlushes, len(agg.procs) == 1, "flush %d", i)
	}
	assert.Empty(t, agg.collect(baseNs+100*secNs))
}

func TestMetricsRecordDoesNotAllocate(t *testing.T) {
	agg := newAggregator(false, baseNs)
	server := goldenCalls()[0]
	client := goldenCalls()[2]
	agg.record(server)
	agg.record(client)
	allocs := testing.AllocsPerRun(1000, func() {
		agg.record(server)
		agg.record(client)
	})
	assert.Zero(t, allocs)
}

func TestHistogramBuckets(t *testing.T) {
	var h histogram
	for _, s := range []float64{0, 0.005, 0.0051, 0.3, 10, 11} {
		h.observe(s)
	}
	want := [len(durationBounds) + 1]uint64{}
	want[0] = 2  // 0 and 0.005: bounds are inclusive upper limits
	want[1] = 1  // 0.0051
	want[7] = 1  // 0.3 in (0.25, 0.5]
	want[13] = 1 // 10 in (7.5, 10]
	want[14] = 1 // 11 above the last bound
	assert.Equal(t, want, h.counts)
	assert.Equal(t, uint64(6), h.count)
	assert.InDelta(t, 21.3101, h.sum, 1e-9)
	assert.Equal(t, 0.0, h.min)
	assert.Equal(t, 11.0, h.max)
}

func BenchmarkAggregatorRecord(b *testing.B) {
	agg := newAggregator(false, baseNs)
	c := goldenCalls()[2]
	b.ReportAllocs()
	for b.Loop() {
		agg.record(c)
	}
}

func forEachDataPoint(md pmetric.Metrics, f func(string, pmetric.HistogramDataPoint)) {
	for _, rm := range md.ResourceMetrics().All() {
		for _, sm := range rm.ScopeMetrics().All() {
			for _, m := range sm.Metrics().All() {
				for _, dp := range m.Histogram().DataPoints().All() {
					f(m.Name(), dp)
				}
			}
		}
	}
}

func TestMetricsSchemeOfTLSCalls(t *testing.T) {
	agg := newAggregator(false, baseNs)
	plain := httpCall(pythonApp, call.KindServer, 0, 1, call.HTTP{Method: "GET", Path: "/", Version: "1.1", Status: 200})
	secure := httpCall(pythonApp, call.KindServer, 0, 1, call.HTTP{Method: "GET", Path: "/", Version: "1.1", Status: 200, TLS: true})
	agg.record(plain)
	agg.record(secure)
	md := newMetricConverter(testHost, testVersion, false).convert(agg.collect(baseNs+secNs), baseNs+secNs)
	schemes := map[string]uint64{}
	forEachDataPoint(md, func(_ string, dp pmetric.HistogramDataPoint) {
		v, _ := dp.Attributes().Get("url.scheme")
		schemes[v.Str()] += dp.Count()
	})
	assert.Equal(t, map[string]uint64{"http": 1, "https": 1}, schemes)
}
