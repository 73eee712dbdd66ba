package discovery

import (
	"errors"
	"fmt"

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

// Selected reports whether p is instrumented: it is not the collector nor a
// child of it, no exclude rule matches it, and some instrument rule matches
// it or there are none. Exclusion wins over instrumentation.
func (s *Selector) Selected(p *call.Process) bool {
	if p == nil || s.isCollector(p) || anyMatches(s.exclude, p) {
		return false
	}
	return len(s.instrument) == 0 || anyMatches(s.instrument, p)
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

func anyMatches(rules []Rule, p *call.Process) bool {
	for i := range rules {
		if rules[i].matches(p) {
			return true
		}
	}
	return false
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
