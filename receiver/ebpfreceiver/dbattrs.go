package ebpfreceiver // import "github.com/ebpfreceiver/ebpfreceiver/receiver/ebpfreceiver"

import (
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/semconv/v1.43.0/dbconv"

	"github.com/ebpfreceiver/ebpfreceiver/internal/call"
)

// dbDurationBounds are the bucket boundaries, in seconds, of
// db.client.operation.duration as the semantic conventions advise.
var dbDurationBounds = [...]float64{0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10}

// dbSeriesKey is the series of a database call: the server is the peer.
func dbSeriesKey(c *call.Call) seriesKey {
	d := &c.DB
	return seriesKey{
		kind: c.Kind,
		op: opKey{
			system: d.System, operation: d.Operation, target: d.Collection,
			namespace: d.Namespace, summary: d.Summary, errorCode: d.ErrorCode,
		},
		server: peerServerOf(c),
	}
}

// dbServerOf is the database server of a client call: the other end.
func dbServerOf(c *call.Call) serverEndpoint {
	return serverEndpoint{addr: c.Peer.Addr().Unmap(), port: c.Peer.Port()}
}

// fillDBSpan writes a database call as a CLIENT span named by its summary.
func (s *spanConverter) fillDBSpan(span ptrace.Span, c *call.Call) {
	s.startSpan(span, c) // a database call is always the client's
	span.SetName(dbSpanName(&c.DB))
	var attrs attrList
	s.collectDBAttributes(&attrs, c)
	attrs.writeTo(span.Attributes())
	if c.DB.ErrorCode != "" {
		span.Status().SetCode(ptrace.StatusCodeError)
	}
}

// dbSpanName is the query summary, else the operation and the collection
// it addresses, else the operation, else the system.
func dbSpanName(d *call.DB) string {
	switch {
	case d.Summary != "":
		return d.Summary
	case d.Operation != "" && d.Collection != "":
		return d.Operation + " " + d.Collection
	case d.Operation != "":
		return d.Operation
	}
	return d.System
}

// collectDBAttributes gathers the attributes of a database span in a.
func (s *spanConverter) collectDBAttributes(a *attrList, c *call.Call) {
	d := &c.DB
	a.str(string(semconv.DBSystemNameKey), d.System)
	a.str(string(semconv.DBNamespaceKey), d.Namespace)
	a.str(string(semconv.DBOperationNameKey), d.Operation)
	a.str(string(semconv.DBCollectionNameKey), d.Collection)
	a.str(string(semconv.DBQuerySummaryKey), d.Summary)
	a.str(string(semconv.DBQueryTextKey), d.QueryText)
	if d.ErrorCode != "" {
		a.str(string(semconv.DBResponseStatusCodeKey), d.ErrorCode)
		a.str(string(semconv.ErrorTypeKey), d.ErrorCode)
	} else if s.optIn.dbReturnedRows && d.Rows >= 0 && d.Operation == dbOperationSelect {
		a.int(string(semconv.DBResponseReturnedRowsKey), d.Rows)
	}
	s.collectServer(a, peerServerOf(c))
	s.collectPeerAttributes(a, c)
}

// dbOperationSelect is the operation whose row count is rows returned
// (for others the count is of rows affected).
const dbOperationSelect = "SELECT"

// dbDataPoints returns the data points of db.client.operation.duration,
// adding the metric on first use.
func (m *metricConverter) dbDataPoints(pm *processMetrics) pmetric.HistogramDataPointSlice {
	if !pm.hasDB {
		d := dbconv.ClientOperationDuration{}
		pm.db, pm.hasDB = m.addHistogram(pm.scope, d.Name(), d.Unit(), d.Description()), true
	}
	return pm.db
}

// putDBSeriesAttributes writes the attribute set of a database series.
func putDBSeriesAttributes(attrs pcommon.Map, k *seriesKey) {
	attrs.EnsureCapacity(9)
	attrs.PutStr(string(semconv.DBSystemNameKey), k.op.system)
	putNonEmpty(attrs, string(semconv.DBOperationNameKey), k.op.operation)
	putNonEmpty(attrs, string(semconv.DBQuerySummaryKey), k.op.summary)
	putNonEmpty(attrs, string(semconv.DBCollectionNameKey), k.op.target)
	putNonEmpty(attrs, string(semconv.DBNamespaceKey), k.op.namespace)
	if k.op.errorCode != "" {
		attrs.PutStr(string(semconv.ErrorTypeKey), k.op.errorCode)
		attrs.PutStr(string(semconv.DBResponseStatusCodeKey), k.op.errorCode)
	}
	putServer(attrs, k.server)
}
