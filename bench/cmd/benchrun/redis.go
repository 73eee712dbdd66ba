package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/ebpfreceiver/ebpfreceiver/bench/internal/procstat"
	"github.com/ebpfreceiver/ebpfreceiver/bench/internal/result"
)

// redisConfigs are the Redis rows: redis-server saturated by
// redis-benchmark, uninstrumented and with the receiver capturing both
// (traces and metrics, then metrics only), alternated in every round.
var redisConfigs = []struct{ short, collectorFile string }{
	{"none", ""}, {"T+M", "redis-traces-metrics.yaml"}, {"M", "redis-metrics-only.yaml"},
}

// redisBench runs the Redis rounds.
func (b *bench) redisBench(ctx context.Context) ([]result.RedisRun, error) {
	var runs []result.RedisRun
	for round := 1; round <= b.opts.rounds; round++ {
		for _, cfg := range redisConfigs {
			b.progress("redis round %d/%d (%s)", round, b.opts.rounds, cfg.short)
			if err := b.awaitQuiet(ctx); err != nil {
				return nil, err
			}
			run, err := b.redisRun(ctx, round, cfg.short, cfg.collectorFile)
			if err != nil {
				return nil, fmt.Errorf("redis round %d (%s): %w", round, cfg.short, err)
			}
			runs = append(runs, run)
		}
	}
	return runs, nil
}

func (b *bench) redisRun(ctx context.Context, round int, short, collectorFile string) (run result.RedisRun, err error) {
	run = result.RedisRun{Config: short, Round: round, Requests: b.opts.redisRequests}
	tag := fmt.Sprintf("redis-%s-%d", strings.ReplaceAll(strings.ToLower(short), "+", ""), round)
	var col *collector
	if collectorFile != "" {
		if err := b.sink.Reset(ctx); err != nil {
			return run, err
		}
		if col, err = b.startCollector(ctx, "", collectorFile, "collector-"+tag); err != nil {
			return run, err
		}
		defer func() {
			if col != nil {
				err = errors.Join(err, col.proc.stop())
			}
		}()
	}
	out, err := b.logFile("server-" + tag)
	if err != nil {
		return run, err
	}
	port := strconv.Itoa(int(b.serverAddrPort.Port()))
	srv, err := b.children.start("redis-server", out, nil, "/usr/bin/redis-server", "--port", port,
		"--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", b.opts.out)
	if err != nil {
		return run, err
	}
	defer func() { err = errors.Join(err, srv.stop()) }()
	if err := waitListening(ctx, srv, b.opts.serverAddr); err != nil {
		return run, err
	}
	var cpuBefore time.Duration
	if col != nil {
		if cpuBefore, err = b.cpuOf(col.proc); err != nil {
			return run, err
		}
	}
	cmd := exec.CommandContext(ctx, "/usr/bin/redis-benchmark", "-p", port, "-c", "50",
		"-n", strconv.Itoa(b.opts.redisRequests), "-t", "set,get", "--csv")
	report, err := cmd.Output()
	if err != nil {
		return run, fmt.Errorf("redis-benchmark: %w", err)
	}
	if run.SetRPS, run.GetRPS, err = parseRedisCSV(report); err != nil {
		return run, err
	}
	if col == nil {
		return run, nil
	}
	cpuAfter, err := b.cpuOf(col.proc)
	if err != nil {
		return run, err
	}
	run.CollectorCPU = cpuAfter - cpuBefore
	if collectorFile == redisConfigs[1].collectorFile {
		counts, err := b.sink.Settle(ctx, int64(2*b.opts.redisRequests), 1500*time.Millisecond, 20*time.Second)
		if err != nil {
			return run, err
		}
		run.Spans = counts.Spans
	}
	self, err := col.scrape(ctx, b)
	if err != nil {
		return run, err
	}
	run.CallsEmitted, run.CallsDropped, run.SpansDropped, run.Lost = self.callsEmitted, self.callsDropped, self.spansDropped, self.lost
	return run, nil
}

// cpuOf reads the CPU time a process used so far.
func (b *bench) cpuOf(p *process) (time.Duration, error) {
	st, err := procstat.ReadStat(p.pid(), b.tick)
	if err != nil {
		return 0, err
	}
	return st.CPU, nil
}

// parseRedisCSV reads the requests per second of SET and GET from
// redis-benchmark --csv: a header, then "test","rps",... per test.
func parseRedisCSV(out []byte) (set, get float64, err error) {
	rows, err := csv.NewReader(bytes.NewReader(out)).ReadAll()
	if err != nil {
		return 0, 0, fmt.Errorf("parse redis-benchmark output: %w", err)
	}
	for _, r := range rows {
		if len(r) < 2 {
			continue
		}
		rps, err := strconv.ParseFloat(r[1], 64)
		if err != nil {
			continue // the header
		}
		switch r[0] {
		case "SET":
			set = rps
		case "GET":
			get = rps
		}
	}
	if set == 0 || get == 0 {
		return 0, 0, fmt.Errorf("parse redis-benchmark output: no SET and GET rates in %q", out)
	}
	return set, get, nil
}
