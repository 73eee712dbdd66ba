//go:build linux

package ebpfreceiver

import (
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/ebpfreceiver/ebpfreceiver/internal/peers"
	"github.com/ebpfreceiver/ebpfreceiver/internal/privtest"
)

// nginxH2CPaths are the requests made of NginxH2C, with their statuses.
var nginxH2CPaths = []struct {
	path   string
	status int64
}{{"/", 200}, {"/status/201", 201}, {"/missing", 404}}

// TestNginxHTTP2MultiplexedRequests sends three requests over one HTTP/2
// cleartext connection to nginx, which writes its frames with writev (the
// HEADERS frame of a response in iovecs after the first): with nghttp, all
// three at once; with curl, one after the other. Every request a client
// completed is exactly one server span and one client span with its status.
func TestNginxHTTP2MultiplexedRequests(t *testing.T) {
	nghttp := "/usr/bin/nghttp"
	privtest.RequireTool(t, nghttp)
	c := startCapture(t, nil, "*/nginx", "*/nghttp", "*/curl")
	srv := peers.NginxH2C(t)
	base := "http://127.0.0.1:" + strconv.Itoa(srv.Port)
	var urls []string
	for _, p := range nginxH2CPaths {
		urls = append(urls, base+p.path)
	}

	peers.Run(t, nghttp, append([]string{"-n"}, urls...)...)
	checkNginxH2C(t, c, srv, "nghttp", len(urls))

	completed := curlSequential(t, urls)
	checkNginxH2C(t, c, srv, "curl", completed)
}

// curlSequential fetches urls with one curl over one prior-knowledge
// connection and returns how many requests completed. curl 7.88 fails to
// reuse such a connection: it sends the first request only and fails the
// others ("Error in the HTTP2 framing layer") without sending them, so
// they are not requests the receiver could see.
func curlSequential(t *testing.T, urls []string) int {
	t.Helper()
	curl, err := exec.LookPath("curl")
	if err != nil {
		privtest.RequireTool(t, "curl")
	}
	args := []string{"-sS", "--http2-prior-knowledge", "-w", "%{http_code}\n"}
	for _, u := range urls {
		args = append(args, "-o", "/dev/null", u)
	}
	out, _ := peers.RunStatus(t, curl, args...)
	completed := 0
	for _, line := range strings.Split(out, "\n") {
		if code, err := strconv.Atoi(strings.TrimSpace(line)); err == nil && code > 0 {
			completed++
		}
	}
	t.Logf("curl completed %d of %d requests on one connection:\n%s", completed, len(urls), out)
	if completed == 0 {
		t.Fatalf("curl completed no request:\n%s", out)
	}
	return completed
}

// checkNginxH2C waits for want server and client spans of the client
// program's requests and checks their statuses, then that no more come.
func checkNginxH2C(t *testing.T, c *captured, srv *peers.Server, client string, want int) {
	t.Helper()
	byClient := func(kind ptrace.SpanKind) func(span) bool {
		return func(s span) bool {
			if s.kind != kind || attrStr(s, "network.protocol.version") != "2" {
				return false
			}
			if kind == ptrace.SpanKindServer {
				return s.pid == int64(srv.PID) && strings.HasPrefix(attrStr(s, "user_agent.original"), client)
			}
			return s.service == client
		}
	}
	statuses := map[string]int64{}
	for _, p := range nginxH2CPaths {
		statuses[p.path] = p.status
	}
	for _, kind := range []ptrace.SpanKind{ptrace.SpanKindServer, ptrace.SpanKindClient} {
		c.waitSpansAtLeast(t, want, byClient(kind))
		time.Sleep(500 * time.Millisecond)
		got := filterSpans(c.spans(), byClient(kind))
		if len(got) != want {
			t.Errorf("%s: %d %s spans, want %d", client, len(got), kind, want)
		}
		seen := map[string]int{}
		for _, s := range got {
			path := s.url().Path
			seen[path]++
			if attrInt(s, "http.response.status_code") != statuses[path] {
				t.Errorf("%s %s span %s: status %d, want %d", client, kind, path, attrInt(s, "http.response.status_code"), statuses[path])
			}
		}
		for _, n := range seen {
			if n != 1 {
				t.Errorf("%s %s spans by path %v: want each path once", client, kind, fmt.Sprint(seen))
				break
			}
		}
	}
}
