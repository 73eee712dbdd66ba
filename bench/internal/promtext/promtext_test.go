package promtext

import (
	"strings"
	"testing"
)

const exposition = `# HELP otelcol_ebpf_lost_samples Kernel events the probes could not queue.
# TYPE otelcol_ebpf_lost_samples counter
otelcol_ebpf_lost_samples 12
otelcol_ebpf_spans_dropped{reason="export_failed"} 1
otelcol_ebpf_spans_dropped{reason="queue_full"} 2.5
otelcol_ebpf_decode_errors_total{protocol="odd } \" label"} 3 1700000000000
otelcol_process_memory_rss 6.1648896e+07
`

func TestParse(t *testing.T) {
	s, err := Parse(strings.NewReader(exposition))
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]float64{
		"otelcol_ebpf_lost_samples":  12,
		"otelcol_ebpf_spans_dropped": 3.5,
		"otelcol_ebpf_decode_errors": 3,
		"otelcol_process_memory_rss": 61648896,
		"otelcol_absent":             0,
	} {
		if got := s.Sum(name); got != want {
			t.Errorf("Sum(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, in := range []string{"novalue", `x{a="b" 1`, "x abc"} {
		if _, err := Parse(strings.NewReader(in)); err == nil {
			t.Errorf("Parse(%q) returned no error", in)
		}
	}
}
