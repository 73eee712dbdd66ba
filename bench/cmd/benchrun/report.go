package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"

	"github.com/ebpfreceiver/ebpfreceiver/bench/internal/chart"
	"github.com/ebpfreceiver/ebpfreceiver/bench/internal/report"
	"github.com/ebpfreceiver/ebpfreceiver/bench/internal/result"
)

// Files written into the output directory.
const (
	reportFile = "report.md"
	microFile  = "micro.txt"
	latencyPNG = "latency.png"
	costPNG    = "throughput.png"
	queuePNG   = "queue.png"
)

// writeReport draws the plots, writes report.md beside them and prints the
// report on stdout.
func (b *bench) writeReport(s *result.Suite) error {
	if err := chart.Latency(filepath.Join(b.opts.out, latencyPNG), s); err != nil {
		return fmt.Errorf("plot latency: %w", err)
	}
	if err := chart.Cost(filepath.Join(b.opts.out, costPNG), s); err != nil {
		return fmt.Errorf("plot throughput: %w", err)
	}
	plots := []string{latencyPNG, costPNG}
	if len(s.Queue) > 0 {
		if err := chart.Queue(filepath.Join(b.opts.out, queuePNG), s); err != nil {
			return fmt.Errorf("plot queue time: %w", err)
		}
		plots = append(plots, queuePNG)
	}
	if s.Micro != "" {
		if err := os.WriteFile(filepath.Join(b.opts.out, microFile), []byte(s.Micro), 0o644); err != nil {
			return fmt.Errorf("write micro-benchmark output: %w", err)
		}
	}
	var md bytes.Buffer
	report.Write(&md, s, plots)
	path := filepath.Join(b.opts.out, reportFile)
	if err := os.WriteFile(path, md.Bytes(), 0o644); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	if _, err := os.Stdout.Write(md.Bytes()); err != nil {
		return fmt.Errorf("print report: %w", err)
	}
	b.progress("report written to %s", path)
	return nil
}
