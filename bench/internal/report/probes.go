package report

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/ebpfreceiver/ebpfreceiver/bench/internal/result"
)

// probes writes what the receiver's programs cost by the kernel's BPF
// statistics: per window, each program's runs and time per request.
func probes(w io.Writer, s *result.Suite) {
	if s.Probes == nil {
		return
	}
	fmt.Fprintln(w, "## Where the probes' time goes")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "(c) once more, with the kernel's BPF statistics on (`kernel.bpf_stats_enabled`), which")
	fmt.Fprintln(w, "time every run of every program; they add two clock reads per run, so the rounds above")
	fmt.Fprintln(w, "run without them. Time is the programs' own, per request served; what the tracepoints")
	fmt.Fprintln(w, "cost around them, and what the programs' memory traffic costs the server afterwards, is")
	fmt.Fprintln(w, "the rest of the server's CPU difference to (a).")
	fmt.Fprintln(w)
	for _, win := range s.Probes.Windows {
		req := float64(win.Window.Requests)
		if req == 0 {
			continue
		}
		fmt.Fprintf(w, "**%s**: %s requests at %s req/s, server CPU %s per request.\n\n", win.Name,
			count(req), count(win.Window.RPS), cpu(win.Window.PerRequest(win.Window.ServerCPU)))
		progs := slices.Clone(win.Programs)
		slices.SortFunc(progs, func(a, b result.ProgramCost) int { return cmp.Compare(b.TimeNs, a.TimeNs) })
		t := newTable(w, "program", "runs per request", "ns per run", "ns per request")
		var runs, ns uint64
		for _, p := range progs {
			runs, ns = runs+p.Runs, ns+p.TimeNs
			t.row(p.Name, fmt.Sprintf("%.2f", float64(p.Runs)/req), fmt.Sprintf("%.0f", float64(p.TimeNs)/float64(p.Runs)),
				fmt.Sprintf("%.0f", float64(p.TimeNs)/req))
		}
		if runs > 0 {
			t.row("all", fmt.Sprintf("%.2f", float64(runs)/req), fmt.Sprintf("%.0f", float64(ns)/float64(runs)),
				fmt.Sprintf("%.0f (%s)", float64(ns)/req, cpu(time.Duration(float64(ns)/req))))
		}
		fmt.Fprintln(w)
	}
	profile(w, s.Probes)
}

// profile writes the collector's CPU profile: by component, then the
// functions that took the most.
func profile(w io.Writer, p *result.ProbeStats) {
	if len(p.Components) == 0 {
		return
	}
	fmt.Fprintln(w, "### The collector's CPU at saturation, by `perf record`")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Each function's own samples (not its callees'), summed by the package it belongs to:")
	fmt.Fprintln(w, "allocation and garbage collection are the runtime's wherever they were caused.")
	fmt.Fprintln(w)
	t := newTable(w, "component", "share of samples")
	for _, c := range p.Components {
		t.row(c.Name, fmt.Sprintf("%.1f%%", 100*c.Share))
	}
	fmt.Fprintln(w)
	t = newTable(w, "function", "share of samples")
	for _, f := range p.Functions {
		t.row("`"+f.Name+"`", fmt.Sprintf("%.1f%%", 100*f.Share))
	}
	fmt.Fprintln(w)
}
