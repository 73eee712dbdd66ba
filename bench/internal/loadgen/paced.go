// Package loadgen sends HTTP/1.1 GET requests at a fixed rate over
// keep-alive connections and records their latency in HDR histograms.
//
// One event loop on one OS thread drives every connection, like wrk does:
// non-blocking sockets, epoll, and a nanosecond wait (epoll_pwait2 with a
// 1 µs timer slack) until the next request is due. So requests leave on
// schedule rather than in the 1 ms bursts Go's timers would produce, and the
// generator costs a few microseconds of CPU per request. Latency is measured
// from each request's scheduled send time, so a server that falls behind
// cannot hide its queue (no coordinated omission), and also from the actual
// send.
package loadgen

import (
	"context"
	"fmt"
	"net/netip"
	"runtime"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
	"golang.org/x/sys/unix"
)

// lateAfter is how far behind schedule a send must leave to count as late.
const lateAfter = time.Millisecond

// Histogram range: 1 µs to 10 s in nanoseconds, three significant digits.
const (
	histMin     = int64(time.Microsecond)
	histMax     = int64(10 * time.Second)
	histSigFigs = 3
)

// Options describe one fixed-rate run.
type Options struct {
	Addr     netip.AddrPort // server address, IPv4
	Path     string         // request target, e.g. "/json"
	Rate     float64        // requests per second
	Duration time.Duration  // how long to send
	Conns    int            // keep-alive connections
}

// Result is what one run measured.
type Result struct {
	Requests int64         // responses with a 2xx status
	Errors   int64         // failed round trips and other statuses
	Late     int64         // sends that left more than 1 ms behind schedule
	Unsent   int64         // requests not sent because the run overran by 25%
	Elapsed  time.Duration // from the first scheduled send to the last response
	// Latency is measured from each request's scheduled send time, Service
	// from its actual send time; both in nanoseconds.
	Latency, Service *hdrhistogram.Histogram
}

// Rate is the rate of successful responses achieved.
func (r Result) Rate() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Requests) / r.Elapsed.Seconds()
}

// Quantile returns the latency at quantile q (0..100) from the scheduled
// send time.
func (r Result) Quantile(q float64) time.Duration {
	return time.Duration(r.Latency.ValueAtQuantile(q))
}

// Run sends opts.Rate×opts.Duration requests on schedule and waits for every
// response. It stops early, returning what it measured, when ctx ends or
// when the run has lasted a quarter longer than asked (the server is too
// slow for the rate); requests not sent by then are counted as Unsent.
func Run(ctx context.Context, opts Options) (Result, error) {
	if opts.Rate <= 0 || opts.Duration <= 0 || opts.Conns <= 0 {
		return Result{}, fmt.Errorf("run load: rate, duration and connections must be positive")
	}
	req := fmt.Appendf(nil, "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: benchrun\r\n\r\n", opts.Path, opts.Addr)
	conns := make([]*conn, 0, opts.Conns)
	defer func() {
		for _, c := range conns {
			c.close()
		}
	}()
	for range opts.Conns {
		c, err := dial(opts.Addr, req)
		if err != nil {
			return Result{}, err
		}
		conns = append(conns, c)
	}
	// The loop keeps its thread while it changes the thread's timer slack,
	// and puts the default back before handing the thread back to the
	// runtime. The thread must not exit instead: a child process started
	// from it earlier with Pdeathsig would be killed.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	_ = unix.Prctl(unix.PR_SET_TIMERSLACK, 1000, 0, 0, 0) // best effort
	defer unix.Prctl(unix.PR_SET_TIMERSLACK, 0, 0, 0, 0)  // 0: the default
	return runLoop(ctx, conns, opts)
}

func newHistogram() *hdrhistogram.Histogram {
	return hdrhistogram.New(histMin, histMax, histSigFigs)
}
