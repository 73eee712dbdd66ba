//go:build linux

package ebpfreceiver

import (
	"bufio"
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cilium/ebpf"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/ebpfreceiver/ebpfreceiver/internal/engine"
	"github.com/ebpfreceiver/ebpfreceiver/internal/privtest"
)

const (
	shortConnections = 100_000
	idleConnections  = 10_000
	// maxRSSGrowth bounds the collector's memory growth over the test.
	maxRSSGrowth = 96 << 20
)

// TestMemoryStaysBounded opens 100,000 short connections, then holds
// 10,000 idle ones, to a captured server: user-space connection state must
// go on close and on idle timeout, the kernel's connection map must stay
// within its size and let go of closed sockets, and RSS must stay bounded.
func TestMemoryStaysBounded(t *testing.T) {
	privtest.RequireTool(t, "/usr/bin/wrk")
	srv := goServer(t)
	var spans atomic.Int64
	count, _ := consumer.NewTraces(func(_ context.Context, td ptrace.Traces) error {
		spans.Add(int64(td.SpanCount()))
		return nil
	})
	r := newRig(t, rigOptions{next: count, engine: func(c *engine.Config) { c.IdleTimeout = 2 * time.Second }}, srv.exe)
	before := privtest.KernelObjects(t)
	r.start(t)
	conns := connMap(t, before)
	stats := func() engine.Stats { return r.engine.Load().Stats() }
	rss0 := rss(t)

	for spans.Load() < shortConnections {
		out, err := exec.Command("/usr/bin/wrk", "-t2", "-c16", "-d3s", "-H", "Connection: close", srv.url+"/short").CombinedOutput()
		if err != nil {
			t.Fatalf("wrk: %v\n%s", err, out)
		}
	}
	waitUntil(t, 10*time.Second, func() bool { return stats().Connections < 100 })
	entries := mapEntries(t, conns)
	rss1 := rss(t)
	t.Logf("RSS %d MiB at start; after %d short connections: %d in user space, %d in the kernel map (max %d), RSS %d MiB",
		rss0>>20, spans.Load(), stats().Connections, entries, conns.MaxEntries(), rss1>>20)
	if entries > 1000 {
		t.Errorf("the kernel keeps %d connections after they closed", entries)
	}

	idle := openIdle(t, srv.url, idleConnections)
	waitUntil(t, 10*time.Second, func() bool { return stats().Connections >= idleConnections })
	peak, rss2 := mapEntries(t, conns), rss(t)
	t.Logf("%d idle connections: %d in user space, %d in the kernel map, RSS %d MiB", len(idle), stats().Connections, peak, rss2>>20)
	if peak < idleConnections || peak > int(conns.MaxEntries()) {
		t.Errorf("kernel map holds %d connections, want %d..%d", peak, idleConnections, conns.MaxEntries())
	}
	waitUntil(t, 10*time.Second, func() bool { return stats().Connections == 0 })
	rss3 := rss(t)
	t.Logf("after the idle timeout: %d in user space, RSS %d MiB", stats().Connections, rss3>>20)
	for _, c := range idle {
		c.Close()
	}
	waitUntil(t, 10*time.Second, func() bool { return mapEntries(t, conns) < 100 })
	if grown := max(rss1, rss2, rss3) - rss0; grown > maxRSSGrowth {
		t.Errorf("RSS grew by %d MiB (from %d MiB), want at most %d MiB", grown>>20, rss0>>20, maxRSSGrowth>>20)
	}
}

// connMap finds the capture's connection map among the maps created since
// before.
func connMap(t *testing.T, before privtest.Objects) *ebpf.Map {
	t.Helper()
	for _, id := range privtest.KernelObjects(t).Added(before).Maps {
		m, err := ebpf.NewMapFromID(ebpf.MapID(id))
		if err != nil {
			continue
		}
		if info, err := m.Info(); err == nil && info.Name == "conns" {
			t.Cleanup(func() { m.Close() })
			return m
		}
		m.Close()
	}
	t.Fatal("no conns map loaded")
	return nil
}

// mapEntries counts the keys of a hash map.
func mapEntries(t *testing.T, m *ebpf.Map) int {
	t.Helper()
	n := 0
	var key uint64
	var err error
	for err = m.NextKey(nil, &key); err == nil; err = m.NextKey(key, &key) {
		n++
	}
	if !errors.Is(err, ebpf.ErrKeyNotExist) {
		t.Fatalf("iterate %s: %v", m, err)
	}
	return n
}

// rss returns the process's resident set size after a garbage collection.
func rss(t *testing.T) uint64 {
	t.Helper()
	debug.FreeOSMemory()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.Lines(string(b)) {
		if kb, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(kb), " kB"), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return n << 10
		}
	}
	t.Fatal("no VmRSS")
	return 0
}

// openIdle opens n connections, makes one request on each and leaves them
// open and silent; they are closed when the test ends.
func openIdle(t *testing.T, url string, n int) []net.Conn {
	t.Helper()
	addr := strings.TrimPrefix(url, "http://")
	conns := make([]net.Conn, n)
	var failed atomic.Value
	var next atomic.Int64
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for i := next.Add(1) - 1; i < int64(n); i = next.Add(1) - 1 {
				c, err := oneRequest(addr)
				if err != nil {
					failed.Store(err)
					return
				}
				conns[i] = c
			}
		})
	}
	wg.Wait()
	t.Cleanup(func() {
		for _, c := range conns {
			if c != nil {
				c.Close()
			}
		}
	})
	if err, _ := failed.Load().(error); err != nil {
		t.Fatal(err)
	}
	return conns
}

// oneRequest connects, sends a GET and reads its response, keeping the
// connection open.
func oneRequest(addr string) (net.Conn, error) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	if _, err := c.Write([]byte("GET /idle HTTP/1.1\r\nHost: " + addr + "\r\n\r\n")); err != nil {
		c.Close()
		return nil, err
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		c.Close()
		return nil, err
	}
	resp.Body.Close()
	return c, nil
}
