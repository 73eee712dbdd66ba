package perfprof

import (
	"math"
	"testing"
)

func TestParseReportAndComponents(t *testing.T) {
	out := []byte(`
    20.00%  otelcol-custom  [.] runtime.mallocgc
    15.50%  otelcol-custom  [.] github.com/ebpfreceiver/ebpfreceiver/internal/stream.(*h1Session).readRequests
    10.00%  [kernel.kallsyms]  [k] copy_user_enhanced_fast_string
     9.50%  otelcol-custom  [.] go.opentelemetry.io/collector/pdata/internal.(*Span).MarshalProto
     5.00%  otelcol-custom  [.] runtime.scanobject
     4.00%  otelcol-custom  [.] github.com/ebpfreceiver/ebpfreceiver/receiver/ebpfreceiver.(*spanConverter).convert
     1.00%  libc.so.6  [.] 0x000000000009a1b2
`)
	fns, err := parseReport(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(fns) != 7 || fns[0].Name != "runtime.mallocgc" || fns[0].Share != 0.2 {
		t.Fatalf("functions %+v", fns)
	}
	want := map[string]float64{
		"Go runtime: allocation":         0.20,
		"receiver: capture and decoding": 0.155,
		"kernel (syscalls, page faults)": 0.10,
		"pdata: OTLP encoding":           0.095,
		"Go runtime: garbage collection": 0.05,
		"receiver: calls to pdata":       0.04,
		"other":                          0.01,
	}
	got := ByComponent(fns)
	if len(got) != len(want) {
		t.Fatalf("components %+v", got)
	}
	for _, c := range got {
		if math.Abs(c.Share-want[c.Name]) > 1e-9 {
			t.Errorf("%s: %.3f, want %.3f", c.Name, c.Share, want[c.Name])
		}
	}
}
