package result

import (
	"slices"
	"time"
)

// Median returns the median of xs, or 0 for none.
func Median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if n := len(s); n%2 == 1 {
		return s[n/2]
	} else {
		return (s[n/2-1] + s[n/2]) / 2
	}
}

// MedianDuration is Median over durations.
func MedianDuration(ds []time.Duration) time.Duration {
	xs := make([]float64, len(ds))
	for i, d := range ds {
		xs[i] = float64(d)
	}
	return time.Duration(Median(xs))
}

// Spread is the median, lowest and highest of some values.
type Spread struct {
	Median, Min, Max float64
	N                int
}

// NewSpread summarises xs.
func NewSpread(xs []float64) Spread {
	if len(xs) == 0 {
		return Spread{}
	}
	return Spread{Median: Median(xs), Min: slices.Min(xs), Max: slices.Max(xs), N: len(xs)}
}

// Paired returns f(run of id, run of base) for every round in which both
// configurations ran: ratios and differences are taken pair by pair within
// a round, where the machine's state is most alike.
func (s *Suite) Paired(id, base string, f func(run, baseRun Run) float64) []float64 {
	var xs []float64
	for _, r := range s.RunsOf(id) {
		if b, ok := s.Run(base, r.Round); ok {
			xs = append(xs, f(r, b))
		}
	}
	return xs
}

// Each returns f(run) for every run of configuration id.
func (s *Suite) Each(id string, f func(Run) float64) []float64 {
	var xs []float64
	for _, r := range s.RunsOf(id) {
		xs = append(xs, f(r))
	}
	return xs
}
