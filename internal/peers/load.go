package peers

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// LoadResult is what one wrk run measured.
type LoadResult struct {
	Requests  int
	PerSecond float64
	CPUPerReq time.Duration // CPU time of the server process per request
}

// Load runs `wrk -t2 -c50` against url for d and measures the CPU time the
// server process pid spent meanwhile.
func Load(tb testing.TB, pid int, url string, d time.Duration) LoadResult {
	tb.Helper()
	wrk := lookPath(tb, "wrk")
	before := cpuTime(tb, pid)
	ctx, cancel := context.WithTimeout(context.Background(), d+30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, wrk, "-t2", "-c50", fmt.Sprintf("-d%ds", int(d.Seconds())), url).Output()
	if err != nil {
		tb.Fatalf("wrk: %v", err)
	}
	spent := cpuTime(tb, pid) - before
	r := LoadResult{Requests: wrkRequests(string(out))}
	if r.Requests == 0 {
		tb.Fatalf("wrk made no request:\n%s", out)
	}
	r.PerSecond = float64(r.Requests) / d.Seconds()
	r.CPUPerReq = spent / time.Duration(r.Requests)
	return r
}

// wrkRequests finds "N requests in" in wrk's output.
func wrkRequests(out string) int {
	for _, line := range strings.Split(out, "\n") {
		if f := strings.Fields(line); len(f) > 2 && f[1] == "requests" && f[2] == "in" {
			n, _ := strconv.Atoi(f[0])
			return n
		}
	}
	return 0
}

// cpuTime is the user and system time of a process, from /proc/<pid>/stat
// (clock ticks of 10 ms, the USER_HZ Linux exports on every architecture).
func cpuTime(tb testing.TB, pid int) time.Duration {
	tb.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		tb.Fatal(err)
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	utime, _ := strconv.Atoi(f[11])
	stime, _ := strconv.Atoi(f[12])
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

// Setup prepares one configuration of a comparison and returns what undoes it.
type Setup struct {
	Name  string
	Apply func(testing.TB) (undo func())
}

// Compare measures each setup under the same load, alternating A B C A B C
// for rounds rounds so that a noisy neighbour hurts all alike, and reports
// per setup the median server CPU per request and throughput, and the
// median throughput ratio to the first setup, computed round by round.
func Compare(b *testing.B, rounds int, pid int, url string, d time.Duration, setups []Setup) {
	b.Helper()
	cpu := make([][]float64, len(setups))
	rps := make([][]float64, len(setups))
	ratio := make([][]float64, len(setups))
	for round := range rounds {
		for i, s := range setups {
			undo := s.Apply(b)
			r := Load(b, pid, url, d)
			undo()
			cpu[i] = append(cpu[i], float64(r.CPUPerReq.Nanoseconds())/1000)
			rps[i] = append(rps[i], r.PerSecond)
			ratio[i] = append(ratio[i], r.PerSecond/rps[0][round])
			b.Logf("round %d %-16s %8.0f req/s %6.2f server-µs/req", round+1, s.Name, r.PerSecond, cpu[i][round])
		}
	}
	for i, s := range setups {
		b.ReportMetric(median(cpu[i]), s.Name+"-µs/req")
		b.ReportMetric(median(ratio[i]), s.Name+"-ratio")
	}
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}
