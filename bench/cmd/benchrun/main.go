// Command benchrun is `make bench`: it measures what instrumenting a small
// Go HTTP server costs, side by side in one run, and writes a markdown
// report with plots.
//
// Configurations, alternated a b c d a b c d … for -rounds rounds:
//
//	(a) benchserver uninstrumented
//	(b) benchserver -otel: the OpenTelemetry Go SDK (otelhttp) exporting to the sink
//	(c) benchserver uninstrumented + otelcol-custom, ebpf receiver, traces and metrics
//	(d) as (c) with a metrics pipeline only
//	(e) as (a), the server calling a second benchserver per request
//	(f) as (c) with that downstream call, compared with (e)
//
// Each run saturates the server with wrk, then loads it at a fixed rate
// with the paced load generator, reading the CPU time the server and the
// collector used and what reached the sink. A final run loads (c) at a
// high fixed rate to compare spans with requests. It must run as root for
// (c) and (d), and every process it starts is stopped when it ends, fails,
// times out or is interrupted.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/ebpfreceiver/ebpfreceiver/bench/internal/procstat"
	"github.com/ebpfreceiver/ebpfreceiver/bench/internal/result"
	"github.com/ebpfreceiver/ebpfreceiver/bench/internal/sink"
)

func main() {
	if err := run(parseFlags()); err != nil {
		fmt.Fprintf(os.Stderr, "benchrun: %v\n", err)
		os.Exit(1)
	}
}

func run(opts options) (err error) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeoutCause(ctx, opts.timeout, fmt.Errorf("benchmark exceeded -timeout %s", opts.timeout))
	defer cancel()

	b, err := newBench(opts)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, b.children.stopAll()) }()
	suite, err := b.runAll(ctx)
	if err != nil {
		if cause := context.Cause(ctx); cause != nil {
			err = fmt.Errorf("%w (%w)", err, cause)
		}
		return err
	}
	return b.writeReport(suite)
}

// bench is one benchmark session.
type bench struct {
	opts           options
	selected       []configuration
	serverAddrPort netip.AddrPort
	tick           time.Duration
	children       children
	sink           *sink.Client
	http           *http.Client
	warnings       []string
	quietBudget    time.Duration // what is left of -quiet-wait
	queueRates     []float64     // -queue-rates
}

func newBench(opts options) (*bench, error) {
	selected, err := selectConfigs(opts.configs)
	if err != nil {
		return nil, err
	}
	addr, err := loopback("server-addr", opts.serverAddr)
	if err != nil {
		return nil, err
	}
	if _, err := loopback("sink-addr", opts.sinkAddr); err != nil {
		return nil, err
	}
	if _, err := loopback("downstream-addr", opts.downstreamAddr); err != nil {
		return nil, err
	}
	if err := checkPrerequisites(opts, selected); err != nil {
		return nil, err
	}
	queueRates, err := parseQueueRates(opts.queueRates)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(opts.out, "logs"), 0o755); err != nil {
		return nil, fmt.Errorf("create output directory: %w", err)
	}
	return &bench{
		opts: opts, selected: selected, serverAddrPort: addr, tick: procstat.ClockTick(), quietBudget: opts.quietWait,
		queueRates: queueRates,
		sink:       sink.NewClient(opts.sinkAddr), http: &http.Client{Timeout: 5 * time.Second},
	}, nil
}

func selectConfigs(ids string) ([]configuration, error) {
	var selected []configuration
	for _, c := range configurations {
		if strings.Contains(ids, c.ID) {
			selected = append(selected, c)
		}
	}
	if len(selected) == 0 || selected[0].ID != "a" {
		return nil, fmt.Errorf("select configurations %q: (a) is the baseline every ratio needs", ids)
	}
	for _, c := range selected {
		if !strings.Contains(ids, c.Base()) {
			return nil, fmt.Errorf("select configurations %q: (%s) is compared with (%s), select both", ids, c.ID, c.Base())
		}
	}
	return selected, nil
}

// checkPrerequisites fails early, naming what is missing.
func checkPrerequisites(opts options, selected []configuration) error {
	var errs []error
	needCollector := opts.fidelityTime > 0
	for _, c := range selected {
		needCollector = needCollector || c.Collector
	}
	bins := []string{opts.benchserver, opts.sinkBin}
	if needCollector {
		bins = append(bins, opts.otelcol)
		if os.Geteuid() != 0 {
			errs = append(errs, errors.New("configurations (c) and (d) load eBPF programs: run as root"))
		}
	}
	if opts.redisRequests > 0 {
		bins = append(bins, "/usr/bin/redis-server", "/usr/bin/redis-benchmark", opts.otelcol)
	}
	if opts.queueRates != "" {
		bins = append(bins, opts.node, opts.otelcol)
	}
	if opts.probeStats {
		bins = append(bins, opts.bpftool, opts.otelcol)
		if opts.perf != "" {
			bins = append(bins, opts.perf, opts.otelcolSymbols)
		}
	}
	for _, bin := range bins {
		if _, err := os.Stat(bin); err != nil {
			errs = append(errs, fmt.Errorf("find %s: %w (run `make bench`, which builds it)", bin, err))
		}
	}
	return errors.Join(errs...)
}

// runAll runs every round, the fidelity run and the micro-benchmarks.
func (b *bench) runAll(ctx context.Context) (*result.Suite, error) {
	start := time.Now()
	suite := &result.Suite{Machine: describeMachine(b.opts.repo), Settings: b.settings()}
	for _, c := range b.selected {
		suite.Configs = append(suite.Configs, c.Config)
	}
	if err := b.startSink(ctx); err != nil {
		return nil, err
	}
	b.progress("warming the machine up")
	if err := b.warmMachine(ctx); err != nil {
		return nil, fmt.Errorf("warm up: %w", err)
	}
	measuring, othersBefore := time.Now(), b.others()
	for round := 1; round <= b.opts.rounds; round++ {
		for _, cfg := range b.selected {
			b.progress("round %d/%d (%s) %s", round, b.opts.rounds, cfg.ID, cfg.Name)
			run, err := b.runConfig(ctx, round, cfg)
			if err != nil {
				return nil, fmt.Errorf("round %d (%s): %w", round, cfg.ID, err)
			}
			suite.Runs = append(suite.Runs, run)
		}
	}
	if b.opts.fidelityTime > 0 {
		b.progress("fidelity: (c) at %.0f req/s for %s", b.opts.fidelityRate, b.opts.fidelityTime)
		f, err := b.fidelity(ctx)
		if err != nil {
			return nil, err
		}
		suite.Fidelity = f
	}
	if b.opts.redisRequests > 0 {
		runs, err := b.redisBench(ctx)
		if err != nil {
			return nil, err
		}
		suite.Redis = runs
	}
	if b.opts.probeStats {
		b.progress("probe statistics: (c) with the kernel's BPF statistics on")
		probes, err := b.probeStats(ctx)
		if err != nil {
			return nil, err
		}
		suite.Probes = probes
	}
	if len(b.queueRates) > 0 {
		runs, err := b.queueBench(ctx, b.queueRates)
		if err != nil {
			return nil, err
		}
		suite.Queue = runs
	}
	suite.Others, suite.Measuring = b.others()-othersBefore, time.Since(measuring)
	b.checkOthers(suite)
	if b.opts.micro {
		b.progress("micro-benchmarks")
		suite.Micro, suite.MicroErr = runMicro(ctx, b.opts.repo)
	}
	suite.Warnings = b.warnings
	suite.Elapsed = time.Since(start)
	return suite, nil
}

func (b *bench) settings() result.Settings {
	return result.Settings{
		Rounds: b.opts.rounds, Duration: b.opts.duration,
		WrkThreads: b.opts.wrkThreads, WrkConns: b.opts.wrkConns,
		FixedRate: b.opts.fixedRate, FixedConns: b.opts.fixedConns,
		FidelityRate: b.opts.fidelityRate, FidelityTime: b.opts.fidelityTime,
		CollectorEnv: b.opts.collectorEnv, QueueConns: b.opts.queueConns,
	}
}

// logFile creates bench/out/logs/<name>.log; it is closed when benchrun
// exits.
func (b *bench) logFile(name string) (io.Writer, error) {
	f, err := os.Create(filepath.Join(b.opts.out, "logs", name+".log"))
	if err != nil {
		return nil, fmt.Errorf("create log file: %w", err)
	}
	return f, nil
}

// others returns otherCPU, or 0 when /proc cannot be read.
func (b *bench) others() time.Duration {
	d, err := otherCPU(b.tick)
	if err != nil {
		b.warn("cannot tell what other processes used: %v", err)
	}
	return d
}

// checkOthers warns when other processes used more than 3% of the
// machine's CPU while the benchmark measured.
func (b *bench) checkOthers(s *result.Suite) {
	if share := result.OthersShare(s.Others, s.Measuring, s.Machine.CPUs); share > 0.03 {
		b.warn("other processes used %.1f%% of the machine's CPU while the benchmark measured: figures are disturbed", 100*share)
	}
}

// progress tells the person waiting where the run is.
func (b *bench) progress(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
}

// warn notes something odd for the report and says it now.
func (b *bench) warn(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	b.warnings = append(b.warnings, msg)
	b.progress("warning: %s", msg)
}
