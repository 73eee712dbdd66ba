//go:build linux

package ebpfreceiver

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"

	"github.com/ebpfreceiver/ebpfreceiver/internal/peers"
	"github.com/ebpfreceiver/ebpfreceiver/internal/privtest"
)

// serverSpansOf returns the server spans of process pid.
func serverSpansOf(c *captured, pid int) []span {
	return filterSpans(c.spans(), func(s span) bool { return s.kind == ptrace.SpanKindServer && s.pid == int64(pid) })
}

// expectOnlyServer curls both servers and checks that only want is traced.
func expectOnlyServer(t *testing.T, c *captured, want, other *peers.Server) {
	t.Helper()
	for _, s := range []*peers.Server{want, other} {
		peers.Curl(t, "-o", "/dev/null", "http://127.0.0.1:"+strconv.Itoa(s.Port)+"/x")
	}
	c.waitSpans(t, 1, func(s span) bool { return s.kind == ptrace.SpanKindServer && s.pid == int64(want.PID) })
	if n := len(serverSpansOf(c, other.PID)); n != 0 {
		t.Errorf("%d spans of the process no rule selects", n)
	}
}

func TestSelectionRulesOnRealServers(t *testing.T) {
	privtest.Require(t)
	a := peers.PythonHTTPServer(t, t.TempDir())
	b := peers.PythonHTTPServer(t, t.TempDir())
	portA, portB := strconv.Itoa(a.Port), strconv.Itoa(b.Port)

	t.Run("open_ports", func(t *testing.T) {
		c := startCapture(t, func(cfg *Config) {
			cfg.Discovery.Instrument = []RuleConfig{{OpenPorts: portA}}
		})
		expectOnlyServer(t, c, a, b)
	})
	t.Run("exe_path and cmd_args", func(t *testing.T) {
		c := startCapture(t, func(cfg *Config) {
			cfg.Discovery.Instrument = []RuleConfig{{ExePath: "*python3*", CmdArgs: "*http.server " + portB + " *"}}
		})
		expectOnlyServer(t, c, b, a)
	})
	t.Run("exclude wins", func(t *testing.T) {
		c := startCapture(t, func(cfg *Config) {
			cfg.Discovery.Instrument = []RuleConfig{{ExePath: "*python3*"}}
			cfg.Discovery.Exclude = []RuleConfig{{OpenPorts: portB + ",1-3"}}
		})
		expectOnlyServer(t, c, a, b)
	})
}

// delayedListener is a python program that listens on its port only after
// sleeping for the given seconds.
const delayedListener = `import http.server, sys, time
time.sleep(float(sys.argv[2]))
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), http.server.SimpleHTTPRequestHandler).serve_forever()`

func TestLateProcessesAndPortsAreSelectedWithinASecond(t *testing.T) {
	privtest.Require(t)
	late, delayed := peers.FreePort(t), peers.FreePort(t)
	c := startCapture(t, func(cfg *Config) {
		cfg.Discovery.Instrument = []RuleConfig{{OpenPorts: strconv.Itoa(late) + "," + strconv.Itoa(delayed)}}
	})
	time.Sleep(5 * time.Second)
	// Starts now, listens 5 s later: peers.Start waits for the port.
	listener := peers.Start(t, delayed, "/usr/bin/python3", "-c", delayedListener, strconv.Itoa(delayed), "5")
	starter := peers.PythonHTTPServerOn(t, late, t.TempDir())
	for _, srv := range []*peers.Server{listener, starter} {
		base := "http://127.0.0.1:" + strconv.Itoa(srv.Port)
		peers.Curl(t, "-o", "/dev/null", base+"/first")
		time.Sleep(time.Second)
		peers.Curl(t, "-o", "/dev/null", base+"/a", "-o", "/dev/null", base+"/b")
		c.waitSpans(t, 2, func(s span) bool {
			return s.kind == ptrace.SpanKindServer && s.pid == int64(srv.PID) && s.path() != "/first"
		})
	}
}

// resourceOf returns the resource attributes of process pid's spans.
func (c *captured) resourceOf(t *testing.T, pid int) pcommon.Map {
	t.Helper()
	for _, td := range c.traces.AllTraces() {
		for _, rs := range td.ResourceSpans().All() {
			if p, _ := rs.Resource().Attributes().Get(string(semconv.ProcessPIDKey)); p.Int() == int64(pid) {
				return rs.Resource().Attributes()
			}
		}
	}
	t.Fatalf("no spans of process %d", pid)
	return pcommon.Map{}
}

// cgroup2Root returns where the cgroup v2 hierarchy is mounted.
func cgroup2Root(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("/proc/self/mounts")
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if f := strings.Fields(line); len(f) > 2 && f[2] == "cgroup2" {
			return f[1]
		}
	}
	t.Fatal("no cgroup2 hierarchy mounted")
	return ""
}

// containerCgroup creates a cgroup named as a container runtime names its
// containers' ones and returns its directory and the container id.
func containerCgroup(t *testing.T) (dir, id string) {
	t.Helper()
	raw := make([]byte, 32)
	_, _ = rand.Read(raw)
	id = hex.EncodeToString(raw)
	parent := filepath.Join(cgroup2Root(t), "ebpfreceiver-test-"+strconv.Itoa(os.Getpid()))
	dir = filepath.Join(parent, "docker-"+id+".scope")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { // after the process in it is stopped
		for _, d := range []string{dir, parent} {
			if err := os.Remove(d); err != nil {
				t.Errorf("remove cgroup: %v", err)
			}
		}
	})
	return dir, id
}

func TestIdentityOfRealProcesses(t *testing.T) {
	privtest.Require(t)
	cg, containerID := containerCgroup(t)
	named, plain := peers.FreePort(t), peers.FreePort(t)
	c := startCapture(t, func(cfg *Config) {
		cfg.Discovery.Instrument = []RuleConfig{
			{CmdArgs: "*http.server " + strconv.Itoa(named) + " *", ServiceName: "ignored", ServiceNamespace: "shop"},
			{CmdArgs: "*http.server " + strconv.Itoa(plain) + " *", ServiceName: "web", ServiceNamespace: "shop"},
		}
	})
	// The shell moves itself into the cgroup, then becomes the server, as a
	// container runtime does.
	script := `echo $$ > "$1/cgroup.procs" && cd "$2" && OTEL_SERVICE_NAME=checkout exec python3 -m http.server "$3" --bind 127.0.0.1`
	checkout := peers.Start(t, named, "/bin/sh", "-c", script, "sh", cg, t.TempDir(), strconv.Itoa(named))
	web := peers.PythonHTTPServerOn(t, plain, t.TempDir())
	for _, s := range []*peers.Server{checkout, web} {
		peers.Curl(t, "-o", "/dev/null", "http://127.0.0.1:"+strconv.Itoa(s.Port)+"/")
		c.waitSpans(t, 1, func(sp span) bool { return sp.kind == ptrace.SpanKindServer && sp.pid == int64(s.PID) })
	}
	want := map[int]map[string]string{
		checkout.PID: {"service.name": "checkout", "container.id": containerID, "service.namespace": "shop"},
		web.PID:      {"service.name": "web", "service.namespace": "shop"},
	}
	machineID, _ := os.ReadFile("/etc/machine-id")
	for pid, attrs := range want {
		res := c.resourceOf(t, pid)
		attrs["os.type"] = "linux"
		attrs["process.executable.name"] = "python3.11"
		if len(machineID) > 0 {
			attrs["host.id"] = strings.TrimSpace(string(machineID))
		}
		for k, v := range attrs {
			got, _ := res.Get(k)
			if k == "process.executable.name" {
				if !strings.HasPrefix(got.AsString(), "python3") {
					t.Errorf("pid %d: %s = %q, want python3*", pid, k, got.AsString())
				}
				continue
			}
			if got.AsString() != v {
				t.Errorf("pid %d: %s = %q, want %q", pid, k, got.AsString(), v)
			}
		}
		for _, k := range []string{"service.instance.id", "process.parent_pid", "process.executable.path", "process.command", "host.name"} {
			if _, ok := res.Get(k); !ok {
				t.Errorf("pid %d: no %s", pid, k)
			}
		}
		if _, ok := res.Get("container.id"); ok && pid == web.PID {
			t.Errorf("pid %d outside containers has a container.id", pid)
		}
	}
}

// routeSeries returns the http.route of each http.server.request.duration
// series of process pid in the latest export, "overflow" for the overflow
// series, and their total count.
func (c *captured) routeSeries(pid int) (counts map[string]uint64, total uint64) {
	all := c.metrics.AllMetrics()
	counts = map[string]uint64{}
	if len(all) == 0 {
		return counts, 0
	}
	for _, rm := range all[len(all)-1].ResourceMetrics().All() {
		if p, _ := rm.Resource().Attributes().Get("process.pid"); p.Int() != int64(pid) {
			continue
		}
		for _, sm := range rm.ScopeMetrics().All() {
			for _, m := range sm.Metrics().All() {
				if m.Name() != "http.server.request.duration" || m.Type() != pmetric.MetricTypeHistogram {
					continue
				}
				for _, dp := range m.Histogram().DataPoints().All() {
					key := "overflow"
					if r, ok := dp.Attributes().Get("http.route"); ok {
						key = r.Str()
					} else if o, ok := dp.Attributes().Get(overflowAttribute); !ok || !o.Bool() {
						key = "none"
					}
					counts[key] += dp.Count()
					total += dp.Count()
				}
			}
		}
	}
	return counts, total
}

func TestRouteCardinalityIsBounded(t *testing.T) {
	privtest.Require(t)
	const requests = 5000
	for _, tc := range []struct {
		name   string
		mutate func(*Config)
		check  func(t *testing.T, counts map[string]uint64)
	}{
		{"heuristic", nil, func(t *testing.T, counts map[string]uint64) {
			if len(counts) != 1 || counts["/users/{id}"] != requests {
				t.Errorf("series %v, want only /users/{id} with %d", counts, requests)
			}
		}},
		{"path with a limit", func(cfg *Config) {
			cfg.Routes.Unmatched = RoutesPath
			cfg.Metrics.CardinalityLimit = 100
		}, func(t *testing.T, counts map[string]uint64) {
			if len(counts) != 101 || counts["overflow"] != requests-100 {
				t.Errorf("%d series, overflow %d; want 101 series and %d in the overflow", len(counts), counts["overflow"], requests-100)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			server := peers.GoProgram(t, "httpserver")
			c := startCapture(t, tc.mutate, server)
			port := peers.FreePort(t)
			srv := peers.Start(t, port, server, "127.0.0.1:"+strconv.Itoa(port))
			peers.Run(t, peers.GoProgram(t, "httpclient"), "-n", strconv.Itoa(requests), "-c", "4",
				"http://127.0.0.1:"+strconv.Itoa(port)+"/users")
			deadline := time.Now().Add(20 * time.Second)
			counts, total := c.routeSeries(srv.PID)
			for total < requests && time.Now().Before(deadline) {
				time.Sleep(100 * time.Millisecond)
				counts, total = c.routeSeries(srv.PID)
			}
			if total != requests {
				t.Fatalf("counted %d requests, want %d", total, requests)
			}
			tc.check(t, counts)
			spans := c.waitSpans(t, requests, func(s span) bool { return s.kind == ptrace.SpanKindServer })
			if tc.name == "heuristic" && (spans[0].name != "GET /users/{id}" || spans[0].str("http.route") != "/users/{id}") {
				t.Errorf("span name %q route %q, want GET /users/{id}", spans[0].name, spans[0].str("http.route"))
			}
		})
	}
}

// forkingServer is a python server that forks a child per connection, as
// pre-fork servers do, without exec.
const forkingServer = `import http.server, socketserver, sys
class Server(socketserver.ForkingMixIn, http.server.HTTPServer): pass
Server(("127.0.0.1", int(sys.argv[1])), http.server.SimpleHTTPRequestHandler).serve_forever()`

func TestForkedWorkersAreSelectedWithTheirParent(t *testing.T) {
	privtest.Require(t)
	port := peers.FreePort(t)
	c := startCapture(t, func(cfg *Config) {
		cfg.Discovery.Instrument = []RuleConfig{{CmdArgs: "*ForkingMixIn*"}}
	})
	srv := peers.Start(t, port, "/usr/bin/python3", "-c", forkingServer, strconv.Itoa(port))
	peers.Curl(t, "-o", "/dev/null", "http://127.0.0.1:"+strconv.Itoa(port)+"/a")
	spans := c.waitSpans(t, 1, func(s span) bool { return s.kind == ptrace.SpanKindServer && s.path() == "/a" })
	if spans[0].pid == int64(srv.PID) {
		t.Errorf("the request was served by the parent %d, not a forked worker", srv.PID)
	}
	if res := c.resourceOf(t, int(spans[0].pid)); res.Len() == 0 {
		t.Error("the worker has no resource")
	} else if ppid, _ := res.Get("process.parent_pid"); ppid.Int() != int64(srv.PID) {
		t.Errorf("worker's parent %d, want %d", ppid.Int(), srv.PID)
	}
}
