// Package wrk runs the wrk HTTP benchmarking tool and parses its report.
package wrk

import (
	"bufio"
	"context"
	"fmt"
	"math"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Options are the wrk command-line settings used here.
type Options struct {
	URL      string
	Threads  int
	Conns    int
	Duration time.Duration
}

// Result is what wrk reported.
type Result struct {
	Requests int64         // completed requests
	Elapsed  time.Duration // the run's length as wrk measured it
	RPS      float64       // "Requests/sec"
	Errors   int64         // socket errors plus non-2xx/3xx responses
	// Latency percentiles from --latency: 50, 75, 90 and 99.
	P50, P75, P90, P99 time.Duration
}

// Run runs wrk with --latency and parses its output. It needs wrk on PATH.
func Run(ctx context.Context, opts Options) (Result, error) {
	secs := max(1, int(opts.Duration.Round(time.Second)/time.Second))
	cmd := exec.CommandContext(ctx, "wrk",
		"-t"+strconv.Itoa(opts.Threads), "-c"+strconv.Itoa(opts.Conns),
		"-d"+strconv.Itoa(secs)+"s", "--latency", opts.URL)
	cmd.WaitDelay = 5 * time.Second
	// wrk dies with its parent, so no load outlives the benchmark.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	out, err := cmd.CombinedOutput()
	if err != nil {
		return Result{}, fmt.Errorf("run wrk: %w: %s", err, strings.TrimSpace(string(out)))
	}
	return Parse(string(out))
}

// Parse reads the report wrk prints with --latency.
func Parse(out string) (Result, error) {
	var r Result
	var seen int
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		var err error
		switch {
		case len(f) == 2 && strings.HasSuffix(f[0], "%"):
			err = r.percentile(f[0], f[1])
		case len(f) >= 4 && f[1] == "requests" && f[2] == "in":
			err = r.totals(f[0], f[3])
			seen++
		case len(f) == 2 && f[0] == "Requests/sec:":
			r.RPS, err = strconv.ParseFloat(f[1], 64)
			seen++
		case len(f) > 2 && f[0] == "Socket" && f[1] == "errors:":
			err = r.socketErrors(f[2:])
		case len(f) == 5 && f[0] == "Non-2xx":
			err = r.addErrors(f[4])
		}
		if err != nil {
			return Result{}, fmt.Errorf("parse wrk output %q: %w", sc.Text(), err)
		}
	}
	if seen != 2 || r.P99 == 0 {
		return Result{}, fmt.Errorf("parse wrk output: no totals or no latency distribution in %q", out)
	}
	return r, nil
}

func (r *Result) percentile(p, value string) error {
	d, err := ParseDuration(value)
	if err != nil {
		return err
	}
	switch p {
	case "50%":
		r.P50 = d
	case "75%":
		r.P75 = d
	case "90%":
		r.P90 = d
	case "99%":
		r.P99 = d
	}
	return nil
}

func (r *Result) totals(requests, elapsed string) error {
	n, err := strconv.ParseInt(requests, 10, 64)
	if err != nil {
		return err
	}
	d, err := ParseDuration(strings.TrimSuffix(elapsed, ","))
	if err != nil {
		return err
	}
	r.Requests, r.Elapsed = n, d
	return nil
}

// socketErrors adds up "connect 0, read 3, write 1, timeout 2".
func (r *Result) socketErrors(f []string) error {
	for i := 1; i < len(f); i += 2 {
		if err := r.addErrors(strings.TrimSuffix(f[i], ",")); err != nil {
			return err
		}
	}
	return nil
}

func (r *Result) addErrors(s string) error {
	n, err := strconv.ParseInt(s, 10, 64)
	r.Errors += n
	return err
}

// ParseDuration reads wrk's durations: a number with unit us, ms, s, m or h.
func ParseDuration(s string) (time.Duration, error) {
	units := []struct {
		suffix string
		unit   time.Duration
	}{{"us", time.Microsecond}, {"ms", time.Millisecond}, {"m", time.Minute}, {"h", time.Hour}, {"s", time.Second}}
	for _, u := range units {
		num, ok := strings.CutSuffix(s, u.suffix)
		if !ok {
			continue
		}
		v, err := strconv.ParseFloat(num, 64)
		if err != nil {
			return 0, fmt.Errorf("parse duration %q: %w", s, err)
		}
		return time.Duration(math.Round(v * float64(u.unit))), nil
	}
	return 0, fmt.Errorf("parse duration %q: unknown unit", s)
}
