package ebpfreceiver // import "github.com/ebpfreceiver/ebpfreceiver/receiver/ebpfreceiver"

import (
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"

	"github.com/ebpfreceiver/ebpfreceiver/internal/call"
)

// Queue time: how long a server's request waited in its socket before the
// process read it (call.Call.Queued). The semantic conventions have no
// metric for it, so its histograms carry the receiver's prefix and the
// attributes of the family's duration metric that name the operation.
const (
	queueEventQueued     = "in queue"
	queueEventProcessing = "processing"

	httpQueueMetric      = "ebpf.http.server.request.queue.duration"
	httpQueueDescription = "Time HTTP server requests waited in the socket before the process read them."
	rpcQueueMetric       = "ebpf.rpc.server.call.queue.duration"
	rpcQueueDescription  = "Time RPC server calls waited in the socket before the process read them."
	queueUnit            = "s"
)

// queueBounds are the bucket boundaries, in seconds, of the queue time
// histograms: finer than the request durations', since a request that did
// not wait for a worker still waits for the process to be scheduled, tens
// of microseconds.
var queueBounds = [...]float64{0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10}

// queued reports whether c is a server call whose queue time is known.
func queued(c *call.Call) bool {
	return c.Kind == call.KindServer && c.Queued != 0 && c.Queued <= c.Start
}

// spanStart is when c's span starts: when its request began to wait, if
// known, so that the span covers what its client waited for.
func spanStart(c *call.Call) uint64 {
	if queued(c) {
		return c.Queued
	}
	return c.Start
}

// addQueueEvents marks on a server span that waited where the wait ended
// and processing began: an "in queue" event at the span's start and a
// "processing" event when the process read the request.
func addQueueEvents(span ptrace.Span, c *call.Call) {
	if !queued(c) {
		return
	}
	events := span.Events()
	events.EnsureCapacity(2)
	in := events.AppendEmpty()
	in.SetName(queueEventQueued)
	in.SetTimestamp(pcommon.Timestamp(c.Queued))
	processing := events.AppendEmpty()
	processing.SetName(queueEventProcessing)
	processing.SetTimestamp(pcommon.Timestamp(c.Start))
}

// queueSeriesKey is the series of the queue time of a server call whose
// duration series is key: the operation's attributes, without the outcome,
// which the wait precedes.
func queueSeriesKey(key seriesKey) seriesKey {
	key.queue, key.status = true, 0
	return key
}

// queueSeconds is c's queue time in seconds.
func queueSeconds(c *call.Call) float64 {
	return float64(c.Start-c.Queued) / 1e9
}

// queueDataPoints returns the data points of the queue time histogram of
// a series' family, adding the metric on first use.
func (m *metricConverter) queueDataPoints(pm *processMetrics, k *seriesKey) pmetric.HistogramDataPointSlice {
	if k.rpc {
		if !pm.hasRPCQueue {
			pm.rpcQueue, pm.hasRPCQueue = m.addHistogram(pm.scope, rpcQueueMetric, queueUnit, rpcQueueDescription), true
		}
		return pm.rpcQueue
	}
	if !pm.hasHTTPQueue {
		pm.httpQueue, pm.hasHTTPQueue = m.addHistogram(pm.scope, httpQueueMetric, queueUnit, httpQueueDescription), true
	}
	return pm.httpQueue
}

// putQueueSeriesAttributes writes the attribute set of a queue time
// series: the operation, no outcome.
func putQueueSeriesAttributes(attrs pcommon.Map, k *seriesKey) {
	if k.rpc {
		attrs.EnsureCapacity(4)
		attrs.PutStr(string(semconv.RPCSystemNameKey), rpcSystemGRPC)
		attrs.PutStr(string(semconv.RPCMethodKey), k.method)
		putServer(attrs, k.server)
		return
	}
	attrs.EnsureCapacity(4)
	attrs.PutStr(string(semconv.HTTPRequestMethodKey), k.method)
	attrs.PutStr(string(semconv.URLSchemeKey), schemeOf(*k))
	putNonEmpty(attrs, string(semconv.HTTPRouteKey), k.route)
	putNonEmpty(attrs, string(semconv.NetworkProtocolVersionKey), k.version)
}
