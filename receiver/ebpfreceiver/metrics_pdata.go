package ebpfreceiver // import "github.com/ebpfreceiver/ebpfreceiver/receiver/ebpfreceiver"

import (
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/semconv/v1.43.0/httpconv"

	"github.com/ebpfreceiver/ebpfreceiver/internal/call"
	"github.com/ebpfreceiver/ebpfreceiver/receiver/ebpfreceiver/internal/metadata"
)

// overflowAttribute marks the series that collects observations beyond the
// cardinality limit, as the OpenTelemetry metrics SDK specification names it
// (it is not part of the semantic conventions package).
const overflowAttribute = "otel.metric.overflow"

// metricConverter turns aggregated series into pdata histograms, one
// ResourceMetrics per process. It is owned by the metrics flusher.
type metricConverter struct {
	resources    *resourceBuilder
	scopeVersion string
	temporality  pmetric.AggregationTemporality
	optIn        optIn // opt-in attributes switched on
}

func newMetricConverter(host hostInfo, scopeVersion string, delta bool) *metricConverter {
	t := pmetric.AggregationTemporalityCumulative
	if delta {
		t = pmetric.AggregationTemporalityDelta
	}
	return &metricConverter{resources: newResourceBuilder(host), scopeVersion: scopeVersion, temporality: t}
}

// processMetrics is the scope of one process and its histograms, created on
// first use.
type processMetrics struct {
	scope          pmetric.ScopeMetrics
	server, client pmetric.HistogramDataPointSlice
	hasServer      bool
	hasClient      bool
	db             pmetric.HistogramDataPointSlice // db.client.operation.duration
	hasDB          bool
	msg            pmetric.HistogramDataPointSlice // messaging.client.operation.duration
	hasMsg         bool
	rpcServer      pmetric.HistogramDataPointSlice // rpc.server.call.duration
	rpcClient      pmetric.HistogramDataPointSlice // rpc.client.call.duration
	hasRPCServer   bool
	hasRPCClient   bool
	httpQueue      pmetric.HistogramDataPointSlice // ebpf.http.server.request.queue.duration
	rpcQueue       pmetric.HistogramDataPointSlice // ebpf.rpc.server.call.queue.duration
	hasHTTPQueue   bool
	hasRPCQueue    bool
}

// convert builds the metrics of snap, whose series are grouped by process.
func (m *metricConverter) convert(snap []seriesSnapshot, nowNs uint64) pmetric.Metrics {
	md := pmetric.NewMetrics()
	var pm processMetrics
	group := -1
	for i := range snap {
		s := &snap[i]
		if s.group != group {
			group = s.group
			pm = m.newProcess(md, s.process, s.pid)
		}
		if s.key.queue {
			m.fillDataPoint(m.queueDataPoints(&pm, &s.key).AppendEmpty(), s, nowNs)
			continue
		}
		if s.key.msg {
			m.fillDataPoint(m.msgDataPoints(&pm).AppendEmpty(), s, nowNs)
			continue
		}
		if s.key.op.system != "" {
			m.fillDataPoint(m.dbDataPoints(&pm).AppendEmpty(), s, nowNs)
			continue
		}
		if s.key.rpc {
			m.fillDataPoint(m.rpcDataPoints(&pm, s.key.kind).AppendEmpty(), s, nowNs)
			continue
		}
		m.fillDataPoint(m.dataPoints(&pm, s.key.kind).AppendEmpty(), s, nowNs)
	}
	return md
}

func (m *metricConverter) newProcess(md pmetric.Metrics, p *call.Process, pid uint32) processMetrics {
	rm := md.ResourceMetrics().AppendEmpty()
	rm.SetSchemaUrl(schemaURL)
	m.resources.fill(rm.Resource(), p, pid)
	sm := rm.ScopeMetrics().AppendEmpty()
	sm.SetSchemaUrl(schemaURL)
	sm.Scope().SetName(metadata.ScopeName)
	sm.Scope().SetVersion(m.scopeVersion)
	return processMetrics{scope: sm}
}

// dataPoints returns the data points of the histogram for kind, adding the
// metric on first use.
func (m *metricConverter) dataPoints(pm *processMetrics, kind call.Kind) pmetric.HistogramDataPointSlice {
	if kind == call.KindClient {
		if !pm.hasClient {
			d := httpconv.ClientRequestDuration{}
			pm.client, pm.hasClient = m.addHistogram(pm.scope, d.Name(), d.Unit(), d.Description()), true
		}
		return pm.client
	}
	if !pm.hasServer {
		d := httpconv.ServerRequestDuration{}
		pm.server, pm.hasServer = m.addHistogram(pm.scope, d.Name(), d.Unit(), d.Description()), true
	}
	return pm.server
}

func (m *metricConverter) addHistogram(sm pmetric.ScopeMetrics, name, unit, description string) pmetric.HistogramDataPointSlice {
	metric := sm.Metrics().AppendEmpty()
	metric.SetName(name)
	metric.SetUnit(unit)
	metric.SetDescription(description)
	h := metric.SetEmptyHistogram()
	h.SetAggregationTemporality(m.temporality)
	return h.DataPoints()
}

func (m *metricConverter) fillDataPoint(dp pmetric.HistogramDataPoint, s *seriesSnapshot, nowNs uint64) {
	dp.SetStartTimestamp(pcommon.Timestamp(s.h.start))
	dp.SetTimestamp(pcommon.Timestamp(nowNs))
	dp.SetCount(s.h.count)
	dp.SetSum(s.h.sum)
	if s.h.count > 0 {
		dp.SetMin(s.h.min)
		dp.SetMax(s.h.max)
	}
	bounds := s.h.boundaries()
	dp.ExplicitBounds().FromRaw(bounds)
	dp.BucketCounts().FromRaw(s.h.counts[:len(bounds)+1])
	putSeriesAttributes(dp.Attributes(), s.key, &m.optIn)
}

// putSeriesAttributes writes a series' attribute set; url.path and the query
// are never metric attributes, and http.route is a server's only.
func putSeriesAttributes(attrs pcommon.Map, k seriesKey, o *optIn) {
	if k.overflow {
		attrs.PutBool(overflowAttribute, true)
		return
	}
	if k.queue {
		putQueueSeriesAttributes(attrs, &k)
		return
	}
	if k.msg {
		putMsgSeriesAttributes(attrs, &k)
		return
	}
	if k.op.system != "" {
		putDBSeriesAttributes(attrs, &k)
		return
	}
	if k.rpc {
		putRPCSeriesAttributes(attrs, &k)
		return
	}
	attrs.EnsureCapacity(8)
	attrs.PutStr(string(semconv.HTTPRequestMethodKey), k.method)
	if k.kind == call.KindServer || o.clientURLScheme {
		attrs.PutStr(string(semconv.URLSchemeKey), schemeOf(k))
	}
	putNonEmpty(attrs, string(semconv.HTTPRouteKey), k.route)
	if k.status > 0 {
		attrs.PutInt(string(semconv.HTTPResponseStatusCodeKey), int64(k.status))
	}
	putNonEmpty(attrs, string(semconv.NetworkProtocolVersionKey), k.version)
	if isErrorStatus(k.kind, int(k.status)) {
		attrs.PutStr(string(semconv.ErrorTypeKey), errorType(int(k.status)))
	}
	if k.kind == call.KindClient {
		putServer(attrs, k.server)
	}
}

// schemeOf is the url.scheme of an HTTP series.
func schemeOf(k seriesKey) string {
	if k.tls {
		return schemeHTTPS
	}
	return schemeHTTP
}
