package report

import (
	"fmt"
	"io"
	"time"

	"github.com/ebpfreceiver/ebpfreceiver/bench/internal/result"
)

// redis writes the Redis rows: throughput under redis-benchmark with the
// receiver as ratios of the uninstrumented server's in the same round,
// the collector's CPU per command, and where every command went.
func redis(w io.Writer, s *result.Suite) {
	if len(s.Redis) == 0 {
		return
	}
	fmt.Fprintln(w, "## Redis under redis-benchmark")
	fmt.Fprintln(w)
	fmt.Fprintf(w, "redis-server saturated by `redis-benchmark -c 50 -t set,get -n %d`, the receiver capturing both\n",
		s.Redis[0].Requests)
	fmt.Fprintln(w, "(the client's side decoded, the server's read and ignored); ratios are taken against the")
	fmt.Fprintln(w, "uninstrumented run of the same round, medians [min–max] over the rounds.")
	fmt.Fprintln(w)
	base := map[int]result.RedisRun{}
	for _, r := range s.Redis {
		if r.Config == "none" {
			base[r.Round] = r
		}
	}
	t := newTable(w, "configuration", "SET req/s", "GET req/s", "SET vs none", "GET vs none", "collector CPU per command")
	for _, id := range []string{"none", "T+M", "M"} {
		var set, get, setRatio, getRatio []float64
		var perCommand []time.Duration
		for _, r := range s.Redis {
			if r.Config != id {
				continue
			}
			set, get = append(set, r.SetRPS), append(get, r.GetRPS)
			if b, ok := base[r.Round]; ok {
				setRatio, getRatio = append(setRatio, r.SetRPS/b.SetRPS), append(getRatio, r.GetRPS/b.GetRPS)
			}
			if r.CollectorCPU > 0 {
				perCommand = append(perCommand, r.CollectorCPU/time.Duration(2*r.Requests))
			}
		}
		cost := "–"
		if len(perCommand) > 0 {
			cost = cpu(result.MedianDuration(perCommand))
		}
		t.row(id, count(result.Median(set)), count(result.Median(get)),
			ratio(result.NewSpread(setRatio)), ratio(result.NewSpread(getRatio)), cost)
	}
	fmt.Fprintln(w)
	t = newTable(w, "configuration", "round", "commands", "calls emitted", "spans", "calls dropped", "spans dropped", "lost samples")
	for _, r := range s.Redis {
		if r.Config == "none" {
			continue
		}
		spans := "–"
		if r.Config == "T+M" {
			spans = count(float64(r.Spans))
		}
		t.row(r.Config, fmt.Sprint(r.Round), count(float64(2*r.Requests)), count(r.CallsEmitted), spans,
			count(r.CallsDropped), count(r.SpansDropped), count(r.Lost))
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "commands: what redis-benchmark ran; it also sends two CONFIG GET at start, which are")
	fmt.Fprintln(w, "calls too.")
	fmt.Fprintln(w)
}
