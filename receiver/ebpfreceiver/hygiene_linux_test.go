//go:build linux

package ebpfreceiver

import (
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/ebpfreceiver/ebpfreceiver/internal/peers"
	"github.com/ebpfreceiver/ebpfreceiver/internal/privtest"
)

// cookieServer is python's http.server answering every GET with a
// Set-Cookie header that carries a secret.
const cookieServer = `import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Set-Cookie", "session=SECRET-SET-COOKIE; HttpOnly")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")
    def log_message(self, *args):
        pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
`

// TestSecretsAreNeverExported sends secrets in the query string and in
// every credential header, request and response, between curl and python,
// then searches everything the receiver exported for them.
func TestSecretsAreNeverExported(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		privtest.RequireTool(t, "python3")
	}
	c := startCapture(t, nil, "*python3*", "*/curl")
	port := peers.FreePort(t)
	srv := peers.Start(t, port, python, "-c", cookieServer, strconv.Itoa(port))
	secrets := []string{"SECRET-QUERY-VALUE", "SECRET-AUTHORIZATION", "SECRET-COOKIE", "SECRET-PROXY-AUTH", "SECRET-SET-COOKIE"}
	peers.Curl(t, "-o", "/dev/null",
		"-H", "Authorization: Bearer SECRET-AUTHORIZATION",
		"-H", "Cookie: sid=SECRET-COOKIE",
		"-H", "Proxy-Authorization: Basic SECRET-PROXY-AUTH",
		"http://127.0.0.1:"+strconv.Itoa(port)+"/search?token=SECRET-QUERY-VALUE&q=1")

	c.waitSpans(t, 1, func(s span) bool { return s.kind == ptrace.SpanKindServer && s.pid == int64(srv.PID) })
	c.waitSpans(t, 1, func(s span) bool { return s.kind == ptrace.SpanKindClient && s.path() == "/search" })
	c.waitHistogramCount(t, "http.server.request.duration", srv.PID, 1)
	exported := exportedText(t, c)
	if !strings.Contains(exported, "/search") {
		t.Fatal("the exported data does not hold the request at all")
	}
	for _, secret := range secrets {
		if i := strings.Index(exported, secret); i >= 0 {
			t.Errorf("%s exported: …%s…", secret, exported[max(0, i-80):min(len(exported), i+40)])
		}
	}
}

// exportedText renders every span and metric the receiver exported as
// OTLP JSON.
func exportedText(t *testing.T, c *captured) string {
	t.Helper()
	var b strings.Builder
	var tm ptrace.JSONMarshaler
	for _, td := range c.traces.AllTraces() {
		out, err := tm.MarshalTraces(td)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(out)
	}
	var mm pmetric.JSONMarshaler
	for _, md := range c.metrics.AllMetrics() {
		out, err := mm.MarshalMetrics(md)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(out)
	}
	return b.String()
}
