// Package report writes the markdown report of `make bench`.
package report

import (
	"fmt"
	"io"
	"time"

	"github.com/ebpfreceiver/ebpfreceiver/bench/internal/result"
)

// Write writes the whole report; plots are image paths relative to the
// report, embedded after the tables.
func Write(w io.Writer, s *result.Suite, plots []string) {
	sums := summarize(s)
	header(w, s)
	targets(w, s, sums)
	saturation(w, s, sums)
	fixedRate(w, s, sums)
	cpuCost(w, sums)
	probes(w, s)
	collectorCost(w, sums)
	downstream(w, sums)
	fidelity(w, s)
	highRate(w, s)
	redis(w, s)
	queue(w, s)
	fmt.Fprintln(w, "## Plots")
	fmt.Fprintln(w)
	for _, p := range plots {
		fmt.Fprintf(w, "![%s](%s)\n\n", p, p)
	}
	micro(w, s)
	everyRun(w, s)
	if len(s.Warnings) > 0 {
		fmt.Fprintln(w, "## Warnings")
		fmt.Fprintln(w)
		for _, m := range s.Warnings {
			fmt.Fprintf(w, "- %s\n", m)
		}
		fmt.Fprintln(w)
	}
}

func header(w io.Writer, s *result.Suite) {
	m, st := s.Machine, s.Settings
	fmt.Fprintln(w, "# `make bench` report")
	fmt.Fprintln(w)
	t := newTable(w, "", "")
	t.row("date", m.Date.Format("2006-01-02 15:04 MST"))
	t.row("machine", fmt.Sprintf("%d × %s, kernel %s", m.CPUs, m.CPUModel, m.Kernel))
	t.row("toolchain", fmt.Sprintf("%s; %s", m.GoVersion, m.WrkVersion))
	t.row("commit", m.Commit)
	if s.Measuring > 0 {
		t.row("other processes", fmt.Sprintf("%.1f s of CPU over %s of measuring (%.1f%% of the machine)",
			s.Others.Seconds(), s.Measuring.Round(time.Second), 100*result.OthersShare(s.Others, s.Measuring, m.CPUs)))
	}
	t.row("rounds", fmt.Sprintf("%d × (%s), %s windows; whole run %s", st.Rounds, ids(s), st.Duration, s.Elapsed.Round(time.Second)))
	t.row("saturation", fmt.Sprintf("`wrk -t%d -c%d -d%s --latency`", st.WrkThreads, st.WrkConns, st.Duration))
	t.row("fixed rate", fmt.Sprintf("%s req/s on %d connections, paced load generator", count(st.FixedRate), st.FixedConns))
	if st.CollectorEnv != "" {
		t.row("collector runtime", "`"+st.CollectorEnv+"`, as in deploy/kubernetes/daemonset.yaml")
	} else {
		t.row("collector runtime", "Go's defaults")
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Configurations, all serving the same `GET /json` handler of `bench/cmd/benchserver`")
	fmt.Fprintln(w, "((e) and (f) after a call of their own to a downstream benchserver):")
	fmt.Fprintln(w)
	for _, c := range s.Configs {
		fmt.Fprintf(w, "- (%s) %s\n", c.ID, c.Name)
	}
	fmt.Fprintln(w)
	fmt.Fprint(w, howToRead)
}

const howToRead = `**How to read it.** Each round runs every configuration once, one after
the other, with fresh processes and a 2 s warm-up. A figure is the median over
the rounds; a ratio or a difference to the base ((a), or (e) for (f)) is taken within each round first
(the machine is most alike within a round), then the median, with [lowest–highest]
where shown. Fixed-rate latency is measured from each request's scheduled send
time, so a server that falls behind cannot hide its queue. CPU per request is
the process's CPU time (utime + stime from /proc/<pid>/stat) over the window and
the telemetry flush after it, divided by the requests served. The probes run in
the kernel inside the server's own syscalls, so their cost shows up as server
CPU: (c) − (a) is what the probes cost the application. Load generator, server,
collector and sink share the same cores, so at saturation every microsecond
spent elsewhere is lost throughput.

`

func ids(s *result.Suite) string {
	out := ""
	for i, c := range s.Configs {
		if i > 0 {
			out += " "
		}
		out += c.ID
	}
	return out
}
