package ebpfreceiver

import (
	"testing"

	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/ebpfreceiver/ebpfreceiver/internal/call"
)

func TestSpanURLSchemeFollowsTLS(t *testing.T) {
	for _, tls := range []bool{false, true} {
		c := httpCall(pythonApp, call.KindServer, 0, 1, call.HTTP{
			Method: "GET", Path: "/", Version: "1.1", Status: 200, TLS: tls,
		})
		want := "http"
		if tls {
			want = "https"
		}
		td := newSpanConverter(testHost, testVersion).convert(callValues([]*call.Call{c}))
		n := 0
		forEachSpan(td, func(s ptrace.Span) {
			n++
			if v, _ := s.Attributes().Get("url.scheme"); v.AsString() != want {
				t.Errorf("TLS %v: url.scheme %q, want %q", tls, v.AsString(), want)
			}
		})
		if n != 1 {
			t.Fatalf("%d spans, want 1", n)
		}
	}
}
