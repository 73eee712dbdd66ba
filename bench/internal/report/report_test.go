package report

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/ebpfreceiver/ebpfreceiver/bench/internal/result"
)

// suite is two rounds in which (c) serves 90 and 80 percent of (a)'s
// requests: the ratio must be taken within each round, so its median is
// 0.85, not the ratio of the medians.
func suite() *result.Suite {
	s := &result.Suite{
		Settings: result.Settings{Rounds: 2, Duration: 10 * time.Second, FixedRate: 10000, WrkConns: 50},
		Configs: []result.Config{
			{ID: "a", Name: "uninstrumented", Short: "none"},
			{ID: "c", Name: "ebpf receiver", Short: "ebpf", Collector: true, Spans: true},
		},
	}
	window := func(rps float64, p50 time.Duration) result.Window {
		return result.Window{Requests: int64(rps * 10), Spans: int64(rps * 10), RPS: rps, P50: p50, P99: 4 * p50,
			P999: 8 * p50, ServerCPU: time.Duration(rps*10) * 15 * time.Microsecond}
	}
	for round, base := range []float64{50000, 60000} {
		s.Runs = append(s.Runs,
			result.Run{Round: round + 1, Config: "a", Saturation: window(base, time.Millisecond), Fixed: window(10000, 80*time.Microsecond)},
			result.Run{Round: round + 1, Config: "c", Saturation: window(base*(0.9-0.1*float64(round)), time.Millisecond),
				Fixed: window(10000, 83*time.Microsecond), Collector: &result.Collector{Ready: 90 * time.Millisecond, RSS: 60e6, PeakRSS: 80e6}},
		)
	}
	s.Micro = "pkg: github.com/ebpfreceiver/ebpfreceiver/internal/protocol/http1\n" +
		"BenchmarkParseRequestHead-2   7000000   161.8 ns/op   0 B/op   0 allocs/op\n" +
		"BenchmarkUnderLoad-2   1   5000 ns/op   1.25 µs/call   10 B/op   1 allocs/op\n"
	return s
}

func TestWrite(t *testing.T) {
	var b bytes.Buffer
	Write(&b, suite(), []string{"latency.png"})
	out := b.String()
	for _, want := range []string{
		"| (c) throughput ≥ 0.85× (a) at saturation | 0.85× [0.80–0.90] | yes |",
		"| fixed rate: (c) p50 within 5 µs of (a) | +3.0 µs | yes |",
		"| internal/protocol/http1 | BenchmarkParseRequestHead-2 | 161.8 | 0 | 0 |  |",
		"| internal/protocol/http1 | BenchmarkUnderLoad-2 | 5000 | 10 | 1 | 1.25 µs/call |",
		"![latency.png](latency.png)",
		"| (c) ebpf receiver | 1 | fixed rate | 100,000 | 100,000 | 0 | 0 | 0 | 0 | 0 | nothing missing |",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if t.Failed() {
		t.Log(out)
	}
}

func TestFormat(t *testing.T) {
	for d, want := range map[time.Duration]string{
		87600 * time.Nanosecond:    "87.6 µs",
		2243 * time.Microsecond:    "2.24 ms",
		6601830 * time.Microsecond: "6.60 s",
	} {
		if got := usec(d); got != want {
			t.Errorf("usec(%v) = %q, want %q", d, got, want)
		}
	}
	if got := delta(-1500 * time.Microsecond); got != "-1.50 ms" {
		t.Errorf("delta = %q", got)
	}
	if got := count(-1234567); got != "-1,234,567" {
		t.Errorf("count = %q", got)
	}
}

// TestDownstream adds (e) and (f), a server with a downstream call per
// request with and without the receiver: (f) is compared with (e), and the
// section sets that against (c) ÷ (a).
func TestDownstream(t *testing.T) {
	s := suite()
	s.Configs = append(s.Configs,
		result.Config{ID: "e", Name: "uninstrumented, call", Short: "none, call", Baseline: "e"},
		result.Config{ID: "f", Name: "ebpf receiver, call", Short: "ebpf, call", Collector: true, Spans: true, SpansPerRequest: 3, Baseline: "e"},
	)
	for round := range 2 {
		e := result.Window{Requests: 300000, RPS: 30000, P50: 100 * time.Microsecond, ServerCPU: 300000 * 30 * time.Microsecond}
		f := result.Window{Requests: 240000, Spans: 720000, RPS: 24000, P50: 106 * time.Microsecond, ServerCPU: 240000 * 34 * time.Microsecond}
		s.Runs = append(s.Runs,
			result.Run{Round: round + 1, Config: "e", Saturation: e, Fixed: e},
			result.Run{Round: round + 1, Config: "f", Saturation: f, Fixed: f, Collector: &result.Collector{}})
	}
	var b bytes.Buffer
	Write(&b, s, nil)
	out := b.String()
	for _, want := range []string{
		"| throughput at saturation | 0.85× [0.80–0.90] | 0.80× [0.80–0.80] | -0.05 |",
		"| server CPU/req Δ, saturation | +0.00 µs | +4.00 µs | +4.00 µs |",
		"| p50 Δ, fixed rate | +3.0 µs | +6.0 µs | +3.0 µs |",
		"| (f) ebpf receiver, call | 2 | fixed rate | 240,000 | 720,000 | 0 |",
		"base: (a), except (f) against (e); each pair serves the same handler.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if t.Failed() {
		t.Log(out)
	}
}
