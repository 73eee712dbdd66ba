package engine

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/ebpfreceiver/ebpfreceiver/internal/call"
	"github.com/ebpfreceiver/ebpfreceiver/internal/discovery"
	"github.com/ebpfreceiver/ebpfreceiver/internal/peers"
	"github.com/ebpfreceiver/ebpfreceiver/internal/privtest"
	"github.com/ebpfreceiver/ebpfreceiver/internal/stream"
)

type calls struct {
	mu  sync.Mutex
	all []*call.Call
}

// add keeps a copy: emit only borrows the call.
func (c *calls) add(x *call.Call) {
	kept := *x
	c.mu.Lock()
	defer c.mu.Unlock()
	c.all = append(c.all, &kept)
}

func (c *calls) snapshot() []*call.Call {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]*call.Call(nil), c.all...)
}

// startEngine starts an engine selecting processes by rules; it is shut
// down when the test ends.
func startEngine(t *testing.T, rules ...discovery.Rule) (*Engine, *calls) {
	t.Helper()
	privtest.Require(t)
	got := &calls{}
	e, err := New(Config{Instrument: rules, Protocols: stream.Protocols{HTTP1: true}, MaxPayloadBytes: 1024, BufferSize: 1 << 20}, zaptest.NewLogger(t), got.add)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := e.Shutdown(context.Background()); err != nil {
			t.Error(err)
		}
	})
	return e, got
}

func TestEngineTracesPythonAndCurl(t *testing.T) {
	privtest.Require(t)
	e, got := startEngine(t, discovery.Rule{ExePath: "*python3*"}, discovery.Rule{ExePath: "*/curl"})

	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.txt"), []byte("a"), 0o644); err != nil {
		t.Fatal(err)
	}
	srv := peers.PythonHTTPServer(t, dir)
	peers.Curl(t, "-o", "/dev/null", "http://127.0.0.1:"+strconv.Itoa(srv.Port)+"/a.txt")

	deadline := time.Now().Add(10 * time.Second)
	for len(got.snapshot()) < 2 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	kinds := map[call.Kind]*call.Call{}
	for _, c := range got.snapshot() {
		kinds[c.Kind] = c
	}
	server, client := kinds[call.KindServer], kinds[call.KindClient]
	if server == nil || client == nil {
		t.Fatalf("want a server and a client call, got %d calls; stats %+v", len(got.snapshot()), e.Stats())
	}
	for _, c := range []*call.Call{server, client} {
		if c.HTTP.Method != "GET" || c.HTTP.Path != "/a.txt" || c.HTTP.Status != 200 || c.End < c.Start || c.Process == nil {
			t.Errorf("call %+v", c)
		}
	}
	if server.PID != uint32(srv.PID) || server.Local.Port() != uint16(srv.Port) || client.Peer.Port() != uint16(srv.Port) {
		t.Errorf("server pid %d local %v, client peer %v; want pid %d port %d", server.PID, server.Local, client.Peer, srv.PID, srv.Port)
	}
	if s := e.Stats(); s.ProbesAttached < 4 || s.ProbesFailed != 0 || s.Events == 0 {
		t.Errorf("stats %+v", s)
	}
}

func TestEngineDropsProcessesJudgedUnselectedAtExec(t *testing.T) {
	privtest.Require(t)
	port := peers.FreePort(t)
	server := peers.GoProgram(t, "httpserver")
	_, got := startEngine(t, discovery.Rule{ExePath: server})

	srv := peers.Start(t, port, server, "127.0.0.1:"+strconv.Itoa(port))
	// The client matches no rule and sends as soon as it starts: the kernel
	// captures it until its exec is judged; those records must be dropped.
	peers.Run(t, peers.GoProgram(t, "httpclient"), "-n", "50", "-c", "2", "http://127.0.0.1:"+strconv.Itoa(port)+"/r")
	deadline := time.Now().Add(10 * time.Second)
	for len(got.snapshot()) < 50 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond)
	servers := 0
	for _, c := range got.snapshot() {
		if c.PID != uint32(srv.PID) {
			t.Errorf("call of an unselected process: pid %d kind %d %s", c.PID, c.Kind, c.HTTP.Path)
			continue
		}
		servers++
	}
	if servers != 50 {
		t.Errorf("%d server calls, want 50", servers)
	}
}
