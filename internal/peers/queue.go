package peers

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

// The queue time tests run servers with a fixed, small number of workers
// whose every request takes a fixed time, so that concurrent requests
// wait for a worker.

// pythonQueue is python's http.server in its single-threaded form
// (HTTPServer): one connection at a time, closed after each response
// (HTTP/1.0), the others waiting in the accept queue.
const pythonQueue = `
import http.server, sys, time
work = float(sys.argv[2])
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        time.sleep(work)
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")
    def log_message(self, *args):
        pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
`

// nodeQueue is node's http module with keep-alive (the default) and a
// handler that holds the event loop for the work's time: requests of the
// other connections wait unread in their sockets.
const nodeQueue = `
const http = require("http");
const work = Number(process.argv[2]);
http.createServer((req, res) => {
  const end = Date.now() + work;
  while (Date.now() < end) {}
  res.writeHead(200, {"content-type": "text/plain", "content-length": "2"});
  res.end("ok");
}).listen(Number(process.argv[1]), "127.0.0.1");
`

// PythonQueueServer runs python's single-threaded http.server, each
// request taking work.
func PythonQueueServer(t testing.TB, work time.Duration) *Server {
	t.Helper()
	python := lookPath(t, "python3")
	port := FreePort(t)
	return Start(t, port, python, "-c", pythonQueue, strconv.Itoa(port), strconv.FormatFloat(work.Seconds(), 'f', -1, 64))
}

// NodeQueueServer runs a node server whose handler holds the event loop
// for work.
func NodeQueueServer(t testing.TB, work time.Duration) *Server {
	t.Helper()
	node := lookPath(t, "node")
	port := FreePort(t)
	return Start(t, port, node, "-e", nodeQueue, strconv.Itoa(port), strconv.FormatInt(work.Milliseconds(), 10))
}

// GoQueueServer runs cmd/queueserver: workers connections served at once,
// each request taking work.
func GoQueueServer(t testing.TB, workers int, work time.Duration) *Server {
	t.Helper()
	exe := GoProgram(t, "queueserver")
	port := FreePort(t)
	return Start(t, port, exe, "127.0.0.1:"+strconv.Itoa(port), strconv.Itoa(workers), work.String())
}

// CurlWaits fetches urls in order with one curl process, reusing its
// connection where the server keeps it, and returns, by URL, how long
// curl waited from sending the request (its connection ready) to the
// response's end.
func CurlWaits(t testing.TB, urls []string) map[string]time.Duration {
	t.Helper()
	args := []string{"-w", `%{url_effective} %{time_pretransfer} %{time_total}\n`}
	for _, u := range urls {
		args = append(args, "-o", "/dev/null", u)
	}
	out := Curl(t, args...)
	waits := make(map[string]time.Duration, len(urls))
	for line := range strings.Lines(out) {
		f := strings.Fields(line)
		if len(f) != 3 {
			t.Fatalf("curl -w: unexpected line %q", line)
		}
		pre, err1 := strconv.ParseFloat(f[1], 64)
		total, err2 := strconv.ParseFloat(f[2], 64)
		if err1 != nil || err2 != nil {
			t.Fatalf("curl -w: unexpected line %q", line)
		}
		waits[f[0]] = time.Duration((total - pre) * float64(time.Second))
	}
	if len(waits) != len(urls) {
		t.Fatalf("curl reported %d of %d URLs:\n%s", len(waits), len(urls), out)
	}
	return waits
}
