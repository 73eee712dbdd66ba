package report

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/ebpfreceiver/ebpfreceiver/bench/internal/result"
)

// usec formats a latency in microseconds, from 1 ms up in milliseconds
// and from 1 s up in seconds.
func usec(d time.Duration) string { return latency(d, "%") }

// delta formats a signed latency difference like usec.
func delta(d time.Duration) string { return latency(d, "%+") }

func latency(d time.Duration, verb string) string {
	a := d.Abs()
	switch {
	case a >= time.Second:
		return fmt.Sprintf(verb+".2f s", d.Seconds())
	case a >= time.Millisecond:
		return fmt.Sprintf(verb+".2f ms", float64(d)/1e6)
	default:
		return fmt.Sprintf(verb+".1f µs", float64(d)/1e3)
	}
}

// cpu formats a CPU time per request with two decimals.
func cpu(d time.Duration) string { return fmt.Sprintf("%.2f µs", float64(d)/1e3) }

// cpuDelta formats a signed CPU difference per request.
func cpuDelta(d time.Duration) string { return fmt.Sprintf("%+.2f µs", float64(d)/1e3) }

// mb formats bytes in MB (10⁶ bytes, the unit of the targets).
func mb(b uint64) string { return fmt.Sprintf("%.1f MB", float64(b)/1e6) }

// count formats a count with thousands separators.
func count(n float64) string {
	s := fmt.Sprintf("%.0f", n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// ratio formats a spread of ratios: the median, then [min–max].
func ratio(s result.Spread) string {
	if s.N == 0 {
		return "–"
	}
	if s.N == 1 {
		return fmt.Sprintf("%.2f×", s.Median)
	}
	return fmt.Sprintf("%.2f× [%.2f–%.2f]", s.Median, s.Min, s.Max)
}

// table writes a markdown table.
type table struct {
	w    io.Writer
	cols int
}

func newTable(w io.Writer, header ...string) *table {
	t := &table{w: w, cols: len(header)}
	t.row(header...)
	fmt.Fprintln(w, "|"+strings.Repeat("---|", len(header)))
	return t
}

func (t *table) row(cells ...string) {
	fmt.Fprintln(t.w, "| "+strings.Join(cells, " | ")+" |")
}

// yesNo marks whether a target is met.
func yesNo(ok bool) string {
	if ok {
		return "yes"
	}
	return "**no**"
}
