package otlpcount

import (
	"fmt"
	"math"

	"google.golang.org/protobuf/encoding/protowire"
)

// Field numbers of metrics/v1 that HistogramTotals reads.
const (
	fieldMetricName protowire.Number = 1 // Metric.name
	fieldHistogram  protowire.Number = 9 // Metric.histogram
	fieldCount      protowire.Number = 4 // HistogramDataPoint.count, fixed64
	fieldSum        protowire.Number = 5 // HistogramDataPoint.sum, double
)

// Total is what the data points of one histogram add up to.
type Total struct {
	Count uint64  `json:"count"`
	Sum   float64 `json:"sum"`
}

// HistogramTotals adds the count and sum of every data point of every
// histogram metric in an ExportMetricsServiceRequest into totals, by
// metric name. Sums of delta data points add up to the observations of
// the intervals exported.
func HistogramTotals(req []byte, totals map[string]Total) error {
	err := eachScope(req, func(scope []byte) error {
		return each(scope, fieldItems, func(metric []byte) error {
			name, err := stringField(metric, fieldMetricName)
			if err != nil {
				return err
			}
			return each(metric, fieldHistogram, func(h []byte) error {
				return each(h, fieldDataPoints, func(dp []byte) error {
					c, s, err := countAndSum(dp)
					t := totals[name]
					t.Count += c
					t.Sum += s
					totals[name] = t
					return err
				})
			})
		})
	})
	if err != nil {
		return fmt.Errorf("read histograms: %w", err)
	}
	return nil
}

// stringField returns the last value of string field num of msg.
func stringField(msg []byte, num protowire.Number) (string, error) {
	var s string
	err := each(msg, num, func(v []byte) error { s = string(v); return nil })
	return s, err
}

// countAndSum reads a HistogramDataPoint's count and sum.
func countAndSum(dp []byte) (count uint64, sum float64, err error) {
	for len(dp) > 0 {
		n, typ, l := protowire.ConsumeTag(dp)
		if l < 0 {
			return 0, 0, protowire.ParseError(l)
		}
		dp = dp[l:]
		if typ == protowire.Fixed64Type && (n == fieldCount || n == fieldSum) {
			v, l := protowire.ConsumeFixed64(dp)
			if l < 0 {
				return 0, 0, protowire.ParseError(l)
			}
			if n == fieldCount {
				count = v
			} else {
				sum = math.Float64frombits(v)
			}
			dp = dp[l:]
			continue
		}
		l = protowire.ConsumeFieldValue(n, typ, dp)
		if l < 0 {
			return 0, 0, protowire.ParseError(l)
		}
		dp = dp[l:]
	}
	return count, sum, nil
}
