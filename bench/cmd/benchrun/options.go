package main

import (
	"flag"
	"fmt"
	"net/netip"
	"time"
)

// options are benchrun's flags.
type options struct {
	repo, out, otelcol, benchserver, sinkBin string
	configs                                  string
	rounds                                   int
	duration                                 time.Duration
	wrkThreads, wrkConns                     int
	fixedRate                                float64
	fixedConns                               int
	fidelityRate                             float64
	fidelityTime                             time.Duration
	fidelityConns                            int
	micro                                    bool
	redisRequests                            int
	timeout, quietWait                       time.Duration
	serverAddr, sinkAddr, downstreamAddr     string
	telemetryPort                            int
	collectorEnv                             string
	queueRates                               string
	queueWork, queueDuration                 time.Duration
	queueConns                               int
	node                                     string
	probeStats                               bool
	bpftool                                  string
	perf, otelcolSymbols                     string
}

func parseFlags() options {
	var o options
	flag.StringVar(&o.repo, "repo", ".", "repository root")
	flag.StringVar(&o.out, "out", "bench/out", "directory for the report, plots and logs")
	flag.StringVar(&o.otelcol, "otelcol", "bin/otelcol-custom", "collector binary")
	flag.StringVar(&o.benchserver, "benchserver", "bench/out/bin/benchserver", "benchserver binary")
	flag.StringVar(&o.sinkBin, "sink", "bench/out/bin/sink", "sink binary")
	flag.StringVar(&o.configs, "configs", "abcdefghi", "configurations to run, a subset of abcdefghi")
	flag.IntVar(&o.rounds, "rounds", 3, "rounds; each runs every configuration once")
	flag.DurationVar(&o.duration, "duration", 10*time.Second, "length of each measured window")
	flag.IntVar(&o.wrkThreads, "wrk-threads", 2, "wrk threads")
	flag.IntVar(&o.wrkConns, "wrk-conns", 50, "wrk connections")
	flag.Float64Var(&o.fixedRate, "rate", 10000, "fixed rate in requests per second")
	flag.IntVar(&o.fixedConns, "rate-conns", 16, "connections of the fixed-rate load")
	flag.Float64Var(&o.fidelityRate, "fidelity-rate", 50000, "rate of the fidelity run with (c)")
	flag.DurationVar(&o.fidelityTime, "fidelity-duration", 30*time.Second, "length of the fidelity run; 0 skips it")
	flag.IntVar(&o.fidelityConns, "fidelity-conns", 64, "connections of the fidelity run")
	flag.BoolVar(&o.micro, "micro", true, "run the main module's micro-benchmarks")
	flag.IntVar(&o.redisRequests, "redis-requests", 200000, "requests of each redis-benchmark test (SET, GET) per Redis run; 0 skips Redis")
	flag.DurationVar(&o.timeout, "timeout", 27*time.Minute, "stop everything after this long")
	flag.DurationVar(&o.quietWait, "quiet-wait", 2*time.Minute, "longest total wait for other processes to go quiet before runs")
	flag.StringVar(&o.serverAddr, "server-addr", "127.0.0.1:18080", "benchserver address")
	flag.StringVar(&o.sinkAddr, "sink-addr", "127.0.0.1:14318", "sink address")
	flag.StringVar(&o.downstreamAddr, "downstream-addr", "127.0.0.1:18081", "address of the downstream benchserver of (e) and (f)")
	flag.IntVar(&o.telemetryPort, "telemetry-port", 18888, "collector self-metrics port on 127.0.0.1")
	flag.StringVar(&o.collectorEnv, "collector-env", "GOMEMLIMIT=410MiB",
		"the collector's Go runtime settings, as deploy/kubernetes/daemonset.yaml sets them; \"\" for the defaults")
	flag.StringVar(&o.queueRates, "queue-rates", "0.25,0.5,0.75,0.9,1,1.2",
		"loads of the queue time section, as fractions of the node server's capacity (1/-queue-work); \"\" skips it")
	flag.DurationVar(&o.queueWork, "queue-work", time.Millisecond, "time the queue time section's server holds its event loop per request")
	flag.DurationVar(&o.queueDuration, "queue-duration", 5*time.Second, "length of each load of the queue time section")
	flag.BoolVar(&o.probeStats, "probe-stats", true, "run (c) once more with the kernel's BPF statistics on, to see what each program costs")
	flag.StringVar(&o.bpftool, "bpftool", "/usr/sbin/bpftool", "bpftool, which reads the BPF statistics")
	flag.StringVar(&o.otelcolSymbols, "otelcol-symbols", "bench/out/bin/otelcol-symbols",
		"the collector binary built with its symbols (run.sh builds it), which the profile reads")
	flag.StringVar(&o.perf, "perf", "/usr/bin/perf", "perf, which profiles the collector in the probe statistics run; \"\" skips the profile")
	flag.StringVar(&o.node, "node", "/usr/bin/node", "node, the queue time section's server")
	flag.IntVar(&o.queueConns, "queue-conns", 16, "keep-alive connections of the queue time section's load")
	flag.Parse()
	return o
}

// loopback parses a flag's host:port and insists on 127.0.0.0/8: every
// byte of load stays on this machine.
func loopback(name, value string) (netip.AddrPort, error) {
	addr, err := netip.ParseAddrPort(value)
	if err != nil || !addr.Addr().IsLoopback() || !addr.Addr().Is4() {
		return netip.AddrPort{}, fmt.Errorf("parse -%s %q: want a 127.0.0.0/8 address and port", name, value)
	}
	return addr, nil
}
