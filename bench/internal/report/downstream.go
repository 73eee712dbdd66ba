package report

import (
	"fmt"
	"io"
	"time"
)

// downstream compares what the receiver costs a server that calls a
// downstream service per request, (f) against (e), with what it costs the
// plain server, (c) against (a): the difference is the cost of the client
// call and of linking it to the request and to the downstream's server
// span.
func downstream(w io.Writer, sums []summary) {
	c, hasC := find(sums, "c")
	f, hasF := find(sums, "f")
	if !hasF {
		return
	}
	fmt.Fprintln(w, "## A downstream call per request")
	fmt.Fprintln(w)
	t := newTable(w, "", "(c) ÷ (a): one server", "(f) ÷ (e): server + downstream", "difference")
	cRatio, cSat, cFix, cP50 := "–", "–", "–", "–"
	if hasC {
		cRatio, cSat, cFix, cP50 = ratio(c.satRatio), cpuDelta(c.dServerSat), cpuDelta(c.dServerFix), delta(c.dP50)
	}
	diff := func(a, b time.Duration, format func(time.Duration) string) string {
		if !hasC {
			return "–"
		}
		return format(a - b)
	}
	ratioDiff := "–"
	if hasC {
		ratioDiff = fmt.Sprintf("%+.2f", f.satRatio.Median-c.satRatio.Median)
	}
	t.row("throughput at saturation", cRatio, ratio(f.satRatio), ratioDiff)
	t.row("server CPU/req Δ, saturation", cSat, cpuDelta(f.dServerSat), diff(f.dServerSat, c.dServerSat, cpuDelta))
	t.row("server CPU/req Δ, fixed rate", cFix, cpuDelta(f.dServerFix), diff(f.dServerFix, c.dServerFix, cpuDelta))
	t.row("p50 Δ, fixed rate", cP50, delta(f.dP50), diff(f.dP50, c.dP50, delta))
	fmt.Fprintln(w)
	fmt.Fprintln(w, "(e) and (f) serve `GET /json` after a `GET /json` of their own to a second benchserver")
	fmt.Fprintln(w, "through one keep-alive pool; (f) captures both processes, so each request makes three")
	fmt.Fprintln(w, "calls (server, client, downstream server) and the client call must be linked to both.")
	fmt.Fprintln(w, "The difference column is what the client call and its links cost beyond a plain request.")
	fmt.Fprintln(w)
}
