package discovery

import (
	"errors"
	"fmt"
	"path"
	"slices"

	"github.com/ebpfreceiver/ebpfreceiver/internal/call"
)

// Rule selects processes. Every field that is set must match for the rule to
// match; a rule with no field set is invalid.
type Rule struct {
	// ExePath is a glob on the resolved executable path, written as for
	// path.Match except that '*' also matches '/': "*/python3*" matches
	// /usr/bin/python3.11. See matchGlob.
	ExePath string
	// PIDs matches a process whose PID is in the list.
	PIDs []uint32
}

// Validate reports what is wrong with the rule, naming the configuration key
// (exe_path, pids) at fault.
func (r Rule) Validate() error {
	if r.ExePath == "" && len(r.PIDs) == 0 {
		return errors.New("rule sets no field: set exe_path or pids")
	}
	var errs []error
	if r.ExePath != "" {
		// path.Match checks the whole pattern's syntax even when it does not
		// match; our matcher shares that syntax.
		if _, err := path.Match(r.ExePath, ""); err != nil {
			errs = append(errs, fmt.Errorf("exe_path %q: %w", r.ExePath, err))
		}
	}
	for i, pid := range r.PIDs {
		if pid == 0 {
			errs = append(errs, fmt.Errorf("pids[%d]: 0 is not a process id", i))
		}
	}
	return errors.Join(errs...)
}

// matches reports whether every field set in r matches p.
func (r Rule) matches(p *call.Process) bool {
	if r.ExePath != "" && !matchGlob(r.ExePath, p.ExecutablePath) {
		return false
	}
	if len(r.PIDs) > 0 && !slices.Contains(r.PIDs, p.PID) {
		return false
	}
	return true
}

// clone returns a copy of r that shares no memory with it.
func (r Rule) clone() Rule {
	r.PIDs = slices.Clone(r.PIDs)
	return r
}
