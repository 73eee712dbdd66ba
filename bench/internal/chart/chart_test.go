package chart

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ebpfreceiver/ebpfreceiver/bench/internal/result"
)

// TestPlots draws the PNGs from a small suite and checks they are PNGs.
func TestPlots(t *testing.T) {
	s := &result.Suite{Settings: result.Settings{FixedRate: 10000}}
	for i, id := range []string{"a", "b", "c", "d"} {
		s.Configs = append(s.Configs, result.Config{ID: id, Short: id, Collector: id >= "c"})
		w := result.Window{Requests: 1000, RPS: 50000 - 5000*float64(i), P50: time.Duration(80+i) * time.Microsecond,
			P90: time.Millisecond, P99: 2 * time.Millisecond, P999: 4 * time.Millisecond,
			ServerCPU: 15 * time.Millisecond, CollectorCPU: time.Duration(i) * time.Millisecond}
		s.Runs = append(s.Runs, result.Run{Round: 1, Config: id, Saturation: w, Fixed: w})
	}
	for i, q := range []time.Duration{100 * time.Microsecond, time.Millisecond, 15 * time.Millisecond} {
		s.Queue = append(s.Queue, result.QueueRun{Work: time.Millisecond, TargetRPS: float64(500 * (i + 1)),
			MeanQueue: q, MeanDuration: time.Millisecond, Window: result.Window{P50: 2 * q}})
	}
	dir := os.Getenv("CHART_DIR") // set it to look at the plots
	if dir == "" {
		dir = t.TempDir()
	}
	for name, draw := range map[string]func(string, *result.Suite) error{"latency.png": Latency, "cost.png": Cost, "queue.png": Queue} {
		path := filepath.Join(dir, name)
		if err := draw(path, s); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(b, []byte("\x89PNG\r\n")) {
			t.Errorf("%s is not a PNG", name)
		}
	}
}
