package report

import (
	"fmt"
	"io"

	"github.com/ebpfreceiver/ebpfreceiver/bench/internal/result"
)

// everyRun lists the raw figures of every run, in the order they ran, with
// the share of the machine other processes took meanwhile.
func everyRun(w io.Writer, s *result.Suite) {
	fmt.Fprintln(w, "## Every run")
	fmt.Fprintln(w)
	t := newTable(w, "round", "config", "wrk req/s", "wrk p99", "fixed req/s", "fixed p50", "fixed p99",
		"fixed p99.9", "server CPU/req (sat, fixed)", "collector CPU/req (sat, fixed)", "spans/requests (sat, fixed)",
		"other processes")
	for _, r := range s.Runs {
		sat, fix := r.Saturation, r.Fixed
		t.row(fmt.Sprint(r.Round), r.Config, count(sat.RPS), usec(sat.P99), count(fix.RPS), usec(fix.P50),
			usec(fix.P99), usec(fix.P999),
			cpu(sat.PerRequest(sat.ServerCPU))+", "+cpu(fix.PerRequest(fix.ServerCPU)),
			cpu(sat.PerRequest(sat.CollectorCPU))+", "+cpu(fix.PerRequest(fix.CollectorCPU)),
			spanShare(sat)+", "+spanShare(fix),
			fmt.Sprintf("%.1f%%", 100*result.OthersShare(r.Others, r.Wall, s.Machine.CPUs)))
	}
	fmt.Fprintln(w)
}

func spanShare(w result.Window) string {
	if w.Requests == 0 {
		return "–"
	}
	return fmt.Sprintf("%.4f", float64(w.Spans)/float64(w.Requests))
}
