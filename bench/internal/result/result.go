// Package result holds what one `make bench` measured, for the report and
// the plots to read.
package result

import "time"

// Config describes one benchmark configuration.
type Config struct {
	ID    string // "a", "b", …
	Name  string // what a reader sees, e.g. "uninstrumented"
	Short string // a plot's axis label, e.g. "none"
	// Collector is true when otelcol-custom with the ebpf receiver runs.
	Collector bool
	// Spans is true when the configuration exports spans.
	Spans bool
	// SpansPerRequest is how many spans one request makes when every call
	// is captured: 0 stands for 1.
	SpansPerRequest int
	// Baseline is the configuration whose runs this one's ratios and
	// differences are taken against, round by round: empty for (a).
	Baseline string
}

// Base returns the ID of the configuration c is compared with.
func (c Config) Base() string {
	if c.Baseline == "" {
		return "a"
	}
	return c.Baseline
}

// ExpectedSpans is how many spans requests make when every call is
// captured.
func (c Config) ExpectedSpans(requests int64) int64 {
	return requests * int64(max(c.SpansPerRequest, 1))
}

// Window is one measured load window of one run.
type Window struct {
	Requests int64         // successful responses
	Errors   int64         // failed requests and non-2xx responses
	Elapsed  time.Duration // length of the load
	RPS      float64       // successful responses per second

	// TargetRPS is the fixed rate asked for; zero at saturation.
	TargetRPS float64
	// Late counts fixed-rate sends that left more than 1 ms behind schedule;
	// Unsent those never sent because the run overran its time bound.
	Late, Unsent int64

	// Latency percentiles. Saturation (wrk) has P50, P90 and P99; fixed rate
	// has P50, P99 and P999 measured from the scheduled send time.
	P50, P90, P99, P999 time.Duration

	// CPU used by the server and the collector over the window and the
	// flush that follows it.
	ServerCPU, CollectorCPU time.Duration

	// Spans and DataPoints the sink received for the window.
	Spans, DataPoints int64

	// Receiver self-metrics over the window (increase of the counters).
	Lost, CallsDropped, CallsEmitted, SpansDropped, DecodeErrors, ExportFailed float64
}

// PerRequest divides d by the window's successful requests.
func (w Window) PerRequest(d time.Duration) time.Duration {
	if w.Requests == 0 {
		return 0
	}
	return d / time.Duration(w.Requests)
}

// Collector is what one collector process showed over its life.
type Collector struct {
	// CaptureStarted and Ready are the times from exec to the receiver's
	// "eBPF capture started" and the collector's "Everything is ready".
	CaptureStarted, Ready time.Duration
	// PeakRSSAtReady is VmHWM when ready: the start-up peak.
	PeakRSSAtReady uint64
	// PeakRSS is VmHWM and RSS is VmRSS at the end of the run.
	PeakRSS, RSS uint64
	// ProbesAttached and ProbesFailed from the receiver's self-metrics.
	ProbesAttached, ProbesFailed float64
}

// Run is one configuration in one round.
type Run struct {
	Round      int
	Config     string // Config.ID
	Saturation Window
	Fixed      Window
	Collector  *Collector // nil without a collector
	// Others is the CPU time processes outside the benchmark used during
	// the run's windows, Wall their wall time.
	Others, Wall time.Duration
}

// OthersShare is the share of the machine's CPU that processes outside the
// benchmark used while wall passed.
func OthersShare(others, wall time.Duration, cpus int) float64 {
	if wall <= 0 {
		return 0
	}
	return float64(others) / (float64(wall) * float64(max(cpus, 1)))
}

// Fidelity is the separate high-rate run with configuration (c).
type Fidelity struct {
	Conns     int
	Window    Window
	Collector Collector
}

// Machine names where the benchmark ran.
type Machine struct {
	CPUs       int
	CPUModel   string
	Kernel     string
	GoVersion  string
	WrkVersion string
	Commit     string
	Date       time.Time
}

// Settings are the knobs of the run, printed in the report.
type Settings struct {
	Rounds       int
	Duration     time.Duration
	WrkThreads   int
	WrkConns     int
	FixedRate    float64
	FixedConns   int
	FidelityRate float64
	FidelityTime time.Duration
	// CollectorEnv is the collector's Go runtime settings
	// ("GOMEMLIMIT=410MiB"), empty for the defaults.
	CollectorEnv string
	QueueConns   int // keep-alive connections of the queue time section
}

// Suite is everything one `make bench` measured.
type Suite struct {
	Machine  Machine
	Settings Settings
	Configs  []Config
	Runs     []Run
	Fidelity *Fidelity   // nil when skipped
	Redis    []RedisRun  // empty when skipped
	Queue    []QueueRun  // empty when skipped
	Probes   *ProbeStats // nil when skipped
	// Micro is the go test -bench output; MicroErr says why it failed.
	Micro    string
	MicroErr string
	Warnings []string // odd things seen during the run
	// Others is the CPU time processes outside the benchmark used while it
	// measured, over Measuring of wall time.
	Others, Measuring time.Duration
	Elapsed           time.Duration // wall time of the whole run
}

// RunsOf returns the runs of configuration id in round order.
func (s *Suite) RunsOf(id string) []Run {
	var runs []Run
	for _, r := range s.Runs {
		if r.Config == id {
			runs = append(runs, r)
		}
	}
	return runs
}

// Run returns configuration id's run in round, if there is one.
func (s *Suite) Run(id string, round int) (Run, bool) {
	for _, r := range s.Runs {
		if r.Config == id && r.Round == round {
			return r, true
		}
	}
	return Run{}, false
}

// ProbeStats is what the receiver's programs cost, by the kernel's BPF
// statistics, in one extra run of (c).
type ProbeStats struct {
	Windows []ProbeWindow
	// Components and Functions are the collector's CPU profile in the
	// first window (`perf record`): shares of its samples by component,
	// and its functions' own shares, largest first; empty without perf.
	Components, Functions []Share
}

// Share is one part's share of a CPU profile's samples, 0..1.
type Share struct {
	Name  string
	Share float64
}

// ProbeWindow is one window of the probe statistics run.
type ProbeWindow struct {
	Name     string
	Window   Window
	Programs []ProgramCost
}

// ProgramCost is how often one program ran in a window and the time it
// took, in all.
type ProgramCost struct {
	Name   string
	Runs   uint64
	TimeNs uint64
}

// QueueRun is one load of the queue time section: a node server whose
// handler holds its event loop for Work per request, loaded at TargetRPS
// over keep-alive connections, the receiver capturing it.
type QueueRun struct {
	Work      time.Duration
	TargetRPS float64
	Window    Window // what the load generator saw
	// From the receiver's histograms: the requests with a queue time, and
	// the means of their queue time and of the requests' durations (read
	// to response, the processing).
	Queued                  uint64
	Requests                uint64
	MeanQueue, MeanDuration time.Duration
}

// RedisRun is one run of redis-server under redis-benchmark (SET then GET,
// Requests each) in one of the Redis configurations.
type RedisRun struct {
	Config         string // "none", "T+M" or "M"
	Round          int
	Requests       int
	SetRPS, GetRPS float64
	CollectorCPU   time.Duration // the collector's CPU over both tests, 0 without one
	// From the collector's self-metrics and the sink: calls the receiver
	// emitted and lost, spans that reached the sink.
	CallsEmitted, CallsDropped, SpansDropped, Lost float64
	Spans                                          int64
}
