//go:build linux

package ebpfreceiver

import (
	"context"
	"os"
	"runtime"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/receiver/receivertest"

	"github.com/ebpfreceiver/ebpfreceiver/internal/privtest"
)

// TestHundredStartShutdownCycles starts and shuts down a receiver with
// both pipelines 100 times in one process: file descriptors, goroutines and
// the kernel's BPF programs, maps and links must not grow.
func TestHundredStartShutdownCycles(t *testing.T) {
	privtest.Require(t)
	before := privtest.KernelObjects(t)
	cycle := func() {
		f := NewFactory()
		cfg := f.CreateDefaultConfig().(*Config)
		cfg.Discovery.Instrument = []RuleConfig{{ExePath: "/nonexistent/*"}}
		set := receivertest.NewNopSettings(f.Type())
		tr, err := f.CreateTraces(context.Background(), set, cfg, consumertest.NewNop())
		if err != nil {
			t.Fatal(err)
		}
		mr, err := f.CreateMetrics(context.Background(), set, cfg, consumertest.NewNop())
		if err != nil {
			t.Fatal(err)
		}
		host := componenttest.NewNopHost()
		if err := tr.Start(context.Background(), host); err != nil {
			t.Fatal(err)
		}
		if err := mr.Start(context.Background(), host); err != nil {
			t.Fatal(err)
		}
		if err := tr.Shutdown(context.Background()); err != nil {
			t.Fatal(err)
		}
		if err := mr.Shutdown(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	// The first cycles create what the runtime and libraries keep for the
	// process's life (kernel BTF, epoll instances); growth is measured after.
	for range 5 {
		cycle()
	}
	fds, goroutines := openFDs(t), settledGoroutines()
	for range 95 {
		cycle()
	}
	if now := openFDs(t); now > fds {
		t.Errorf("open file descriptors grew from %d to %d over 95 cycles", fds, now)
	}
	if now := settledGoroutines(); now > goroutines {
		t.Errorf("goroutines grew from %d to %d over 95 cycles", goroutines, now)
	}
	// The kernel frees closed objects from deferred work, later on a busy
	// machine.
	deadline := time.Now().Add(10 * time.Second)
	left := leftBehind(t, before)
	for !left.Empty() && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
		left = leftBehind(t, before)
	}
	if !left.Empty() {
		t.Errorf("after 100 cycles the kernel holds %+v more", left)
	}
}

func openFDs(t *testing.T) int {
	t.Helper()
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(entries)
}

// settledGoroutines counts goroutines once exiting ones had time to end.
func settledGoroutines() int {
	n := runtime.NumGoroutine()
	for range 50 {
		time.Sleep(10 * time.Millisecond)
		m := runtime.NumGoroutine()
		if m == n {
			return n
		}
		n = m
	}
	return n
}

// TestShutdownUnderLoadIsPromptAndFlushes shuts the receiver down while a
// real server is under load: Shutdown must return within 2 s, and every
// call decoded before it must reach the next consumers, as a span or a
// counted drop and in the histograms.
func TestShutdownUnderLoadIsPromptAndFlushes(t *testing.T) {
	srv := goServer(t)
	metrics := new(consumertest.MetricsSink)
	r := newRig(t, rigOptions{metrics: metrics, config: func(c *Config) { c.Metrics.Interval = time.Hour }}, srv.exe)
	r.start(t)
	stop := make(chan struct{})
	var load sync.WaitGroup
	for range 8 {
		load.Go(func() { hammer(srv.url, stop) })
	}
	defer load.Wait()
	defer close(stop)
	time.Sleep(2 * time.Second)

	began := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := r.rcv.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	took := time.Since(began)
	emitted := r.engine.Load().Stats().CallsEmitted
	dropped := r.rcv.drops.queueFull.Load() + r.rcv.drops.exportFailed.Load()
	spans := r.serverSpans(srv.PID)
	t.Logf("Shutdown under load took %v; %d calls decoded, %d spans, %d dropped", took, emitted, spans, dropped)
	if took > 2*time.Second {
		t.Errorf("Shutdown took %v, want at most 2s", took)
	}
	if emitted == 0 {
		t.Fatal("no call decoded under load")
	}
	if int64(spans)+dropped != int64(emitted) {
		t.Errorf("%d spans + %d dropped, want the %d calls decoded", spans, dropped, emitted)
	}
	if n := histogramTotal(metrics, "http.server.request.duration", 0); n != emitted {
		t.Errorf("histograms flushed at Shutdown count %d calls, want %d", n, emitted)
	}
}

// hammer sends requests until stop is closed, ignoring errors: the
// receiver, not the server, is being shut down.
func hammer(url string, stop <-chan struct{}) {
	client := newKeepAliveClient(1)
	defer client.CloseIdleConnections()
	for {
		select {
		case <-stop:
			return
		default:
			request(client, url+"/load", nil)
		}
	}
}
