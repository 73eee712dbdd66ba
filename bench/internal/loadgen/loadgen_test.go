package loadgen

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
	"time"
)

func TestParseResponse(t *testing.T) {
	tests := []struct {
		in       string
		status   int
		complete bool
		wantErr  bool
	}{
		{in: "HTTP/1.1 200 OK\r\nContent-Len", complete: false},
		{in: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel", status: 200, complete: false},
		{in: "HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello", status: 200, complete: true},
		{in: "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", status: 404, complete: true},
		{in: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", wantErr: true},
		{in: "SSH-2.0-OpenSSH\r\n\r\n", wantErr: true},
		{in: "HTTP/1.1 2x0 OK\r\nContent-Length: 0\r\n\r\n", wantErr: true},
	}
	for _, tt := range tests {
		status, complete, err := parseResponse([]byte(tt.in))
		if (err != nil) != tt.wantErr {
			t.Errorf("parseResponse(%q) error = %v, want error %v", tt.in, err, tt.wantErr)
			continue
		}
		if !tt.wantErr && (status != tt.status || complete != tt.complete) {
			t.Errorf("parseResponse(%q) = %d, %v; want %d, %v", tt.in, status, complete, tt.status, tt.complete)
		}
	}
}

func TestParseResponseDoesNotAllocate(t *testing.T) {
	resp := []byte("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}")
	if n := testing.AllocsPerRun(100, func() { _, _, _ = parseResponse(resp) }); n != 0 {
		t.Errorf("parseResponse allocates %v times per call", n)
	}
}

// TestRun paces requests to a real server on loopback and counts them.
func TestRun(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, `{"ok":true}`)
	}))
	defer srv.Close()
	addr := netip.MustParseAddrPort(srv.Listener.Addr().String())

	res, err := Run(context.Background(), Options{
		Addr: addr, Path: "/json", Rate: 2000, Duration: 500 * time.Millisecond, Conns: 4,
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests != 1000 || res.Errors != 0 {
		t.Errorf("Run = %d requests, %d errors; want 1000, 0", res.Requests, res.Errors)
	}
	if got := res.Latency.TotalCount(); got != 1000 {
		t.Errorf("latency histogram holds %d values, want 1000", got)
	}
	if res.Elapsed < 450*time.Millisecond || res.Elapsed > 5*time.Second {
		t.Errorf("Elapsed = %v, want about 500ms", res.Elapsed)
	}
	if res.Quantile(50) <= 0 || res.Quantile(50) > res.Quantile(99.9) {
		t.Errorf("quantiles out of order: p50 %v, p99.9 %v", res.Quantile(50), res.Quantile(99.9))
	}
}

func TestRunRejectsBadOptions(t *testing.T) {
	if _, err := Run(context.Background(), Options{Rate: 0, Duration: time.Second, Conns: 1}); err == nil {
		t.Error("Run with rate 0 returned no error")
	}
}

// TestRunStopsWhenServerIsTooSlow checks the time bound: a server that
// needs 5 ms per request cannot serve 1000 req/s on one connection, so the
// run ends after a quarter more than its duration with requests unsent.
func TestRunStopsWhenServerIsTooSlow(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		time.Sleep(5 * time.Millisecond)
		_, _ = io.WriteString(w, "{}")
	}))
	defer srv.Close()
	addr := netip.MustParseAddrPort(srv.Listener.Addr().String())

	start := time.Now()
	res, err := Run(context.Background(), Options{
		Addr: addr, Path: "/", Rate: 1000, Duration: 200 * time.Millisecond, Conns: 1,
	})
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("Run took %v, want about 250ms", took)
	}
	if res.Unsent == 0 || res.Requests+res.Unsent != 200 {
		t.Errorf("Run = %d requests, %d unsent; want some unsent and 200 in all", res.Requests, res.Unsent)
	}
}
