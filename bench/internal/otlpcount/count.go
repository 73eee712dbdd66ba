// Package otlpcount counts the spans and metric data points in OTLP
// protobuf export requests by walking the wire format, without decoding
// the messages: the sink must stay cheap on a machine whose cores the
// benchmark shares.
package otlpcount

import (
	"fmt"

	"google.golang.org/protobuf/encoding/protowire"
)

// Field numbers from opentelemetry-proto (collector/trace/v1,
// collector/metrics/v1, trace/v1, metrics/v1).
const (
	fieldResourceItems protowire.Number = 1 // Export*ServiceRequest.resource_{spans,metrics}
	fieldScopeItems    protowire.Number = 2 // Resource{Spans,Metrics}.scope_{spans,metrics}
	fieldItems         protowire.Number = 2 // Scope{Spans,Metrics}.{spans,metrics}
	fieldDataPoints    protowire.Number = 1 // Gauge, Sum, Histogram, ExponentialHistogram, Summary
)

// metricDataFields are Metric's oneof data fields: gauge, sum, histogram,
// exponential_histogram and summary.
var metricDataFields = [...]protowire.Number{5, 7, 9, 10, 11}

// Spans counts the spans in an ExportTraceServiceRequest.
func Spans(req []byte) (int, error) {
	n := 0
	err := eachScope(req, func(scope []byte) error {
		c, err := count(scope, fieldItems)
		n += c
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("count spans: %w", err)
	}
	return n, nil
}

// DataPoints counts the data points of every metric in an
// ExportMetricsServiceRequest.
func DataPoints(req []byte) (int, error) {
	n := 0
	err := eachScope(req, func(scope []byte) error {
		return each(scope, fieldItems, func(metric []byte) error {
			for _, f := range metricDataFields {
				if err := each(metric, f, func(data []byte) error {
					c, err := count(data, fieldDataPoints)
					n += c
					return err
				}); err != nil {
					return err
				}
			}
			return nil
		})
	})
	if err != nil {
		return 0, fmt.Errorf("count data points: %w", err)
	}
	return n, nil
}

// eachScope calls fn with every Scope{Spans,Metrics} message of a request.
func eachScope(req []byte, fn func([]byte) error) error {
	return each(req, fieldResourceItems, func(res []byte) error {
		return each(res, fieldScopeItems, fn)
	})
}

// count returns how many times field num occurs in msg.
func count(msg []byte, num protowire.Number) (int, error) {
	n := 0
	err := each(msg, num, func([]byte) error { n++; return nil })
	return n, err
}

// each calls fn with the value of every length-delimited field num of msg,
// skipping the other fields.
func each(msg []byte, num protowire.Number, fn func([]byte) error) error {
	for len(msg) > 0 {
		n, typ, l := protowire.ConsumeTag(msg)
		if l < 0 {
			return protowire.ParseError(l)
		}
		msg = msg[l:]
		if n == num && typ == protowire.BytesType {
			v, l := protowire.ConsumeBytes(msg)
			if l < 0 {
				return protowire.ParseError(l)
			}
			if err := fn(v); err != nil {
				return err
			}
			msg = msg[l:]
			continue
		}
		l = protowire.ConsumeFieldValue(n, typ, msg)
		if l < 0 {
			return protowire.ParseError(l)
		}
		msg = msg[l:]
	}
	return nil
}
