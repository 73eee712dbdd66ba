package discovery

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/ebpfreceiver/ebpfreceiver/internal/call"
)

// Selector decides from the user's rules which processes are instrumented.
// It is immutable once built and safe for concurrent use.
type Selector struct {
	instrument []Rule
	exclude    []Rule
	self       uint32
}

// NewSelector checks every rule and builds a Selector. selfPID is the
// collector's own PID: the collector and its direct children are never
// selected, whatever the rules say (0 disables that check, for tests). The
// rules are copied.
func NewSelector(instrument, exclude []Rule, selfPID uint32) (*Selector, error) {
	errs := append(validateRules("instrument", instrument), validateRules("exclude", exclude)...)
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return &Selector{
		instrument: cloneRules(instrument),
		exclude:    cloneRules(exclude),
		self:       selfPID,
	}, nil
}

// Verdict is the selector's judgement of one process.
type Verdict struct {
	Selected bool
	// Rule is the instrument rule that selected the process, nil when there
	// are no instrument rules.
	Rule *Rule
	// Recheck, when positive, says the verdict may change once the process
	// is that much older (a min_process_age rule does not match yet).
	Recheck time.Duration
}

// Judge decides whether p, which is age old, is instrumented: it is not the
// collector nor a child of it, no exclude rule matches it, and some
// instrument rule matches it or there are none. Exclusion wins over
// instrumentation.
func (s *Selector) Judge(p *call.Process, age time.Duration) Verdict {
	if p == nil || s.isCollector(p) {
		return Verdict{}
	}
	var v Verdict
	for i := range s.exclude {
		switch wait := s.exclude[i].matchesAt(p, age); {
		case wait == 0:
			return Verdict{}
		case wait > 0:
			v.Recheck = minPositive(v.Recheck, wait)
		}
	}
	if len(s.instrument) == 0 {
		v.Selected = true
		return v
	}
	for i := range s.instrument {
		switch wait := s.instrument[i].matchesAt(p, age); {
		case wait == 0:
			return Verdict{Selected: true, Rule: &s.instrument[i], Recheck: v.Recheck}
		case wait > 0:
			v.Recheck = minPositive(v.Recheck, wait)
		}
	}
	return v
}

// Selected reports whether p is instrumented when age does not matter.
func (s *Selector) Selected(p *call.Process) bool {
	return s.Judge(p, maxAge).Selected
}

// maxAge stands for an age that satisfies every min_process_age.
const maxAge = time.Duration(1<<63 - 1)

// NeedsPorts reports whether a rule matches on listening ports, which are
// then worth reading for every process.
func (s *Selector) NeedsPorts() bool {
	return slices.ContainsFunc(s.instrument, hasPorts) || slices.ContainsFunc(s.exclude, hasPorts)
}

// NeedsAge reports whether a rule matches on process age.
func (s *Selector) NeedsAge() bool {
	return slices.ContainsFunc(s.instrument, hasAge) || slices.ContainsFunc(s.exclude, hasAge)
}

func hasPorts(r Rule) bool { return len(r.OpenPorts) > 0 }
func hasAge(r Rule) bool   { return r.MinProcessAge > 0 }

func minPositive(a, b time.Duration) time.Duration {
	if a <= 0 || b < a {
		return b
	}
	return a
}

// MatchAll reports whether there are no instrument rules, so every process
// but the excluded ones is selected: the kernel may then capture every PID
// instead of consulting a filter map, and user space drops the excluded ones.
func (s *Selector) MatchAll() bool { return len(s.instrument) == 0 }

// isCollector reports whether p is the collector or one of its children
// (an exporter's helper, say): only the parent link is checked, not the
// whole ancestry.
func (s *Selector) isCollector(p *call.Process) bool {
	return s.self != 0 && (p.PID == s.self || p.ParentPID == s.self)
}

func validateRules(list string, rules []Rule) []error {
	var errs []error
	for i, r := range rules {
		if err := r.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("%s[%d]: %w", list, i, err))
		}
	}
	return errs
}

func cloneRules(rules []Rule) []Rule {
	if len(rules) == 0 {
		return nil
	}
	out := make([]Rule, len(rules))
	for i, r := range rules {
		out[i] = r.clone()
	}
	return out
}
