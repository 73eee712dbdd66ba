package discovery

import (
	"errors"
	"fmt"
	"path"
	"slices"
	"time"

	"github.com/ebpfreceiver/ebpfreceiver/internal/call"
)

// Rule selects processes. Every field that is set must match for the rule to
// match; a rule with no selecting field set is invalid. Globs are written as
// for path.Match except that '*' also matches '/' (see matchGlob), '!' also
// negates a class, and '{a,b}' alternates (see expandGlob).
type Rule struct {
	// ExePath is a glob on the resolved executable path: "*/python3*"
	// matches /usr/bin/python3.11.
	ExePath string
	// CmdArgs is a glob on the command line, arguments joined by spaces:
	// "*http.server 8001*".
	CmdArgs string
	// OpenPorts matches a process listening on a TCP port in one of the
	// ranges; see ParsePorts.
	OpenPorts []PortRange
	// PIDs matches a process whose PID is in the list.
	PIDs []uint32
	// ContainerID is a glob on the container ID ("" outside containers).
	ContainerID string
	// CgroupPath is a glob on the cgroup path: "/kubepods*".
	CgroupPath string
	// Languages matches a process whose runtime is one of these (see
	// Languages; "other" is a process of no known runtime).
	Languages []string
	// MinProcessAge matches processes at least this old: short-lived
	// commands are left alone.
	MinProcessAge time.Duration

	// ServiceName and ServiceNamespace name the service of the processes an
	// instrument rule selects, unless a process names itself through its
	// OTEL_* environment. They do not take part in matching.
	ServiceName      string
	ServiceNamespace string

	// globs are the compiled globs, set when the rule is copied into a
	// Selector; nil in a rule built elsewhere, which compiles them on use.
	globs *ruleGlobs
}

// Validate reports what is wrong with the rule, naming the configuration key
// at fault.
func (r Rule) Validate() error {
	if !r.selects() {
		return errors.New("rule sets no field: set one of exe_path, cmd_args, open_ports, pids, " +
			"container_id, cgroup_path, languages, min_process_age")
	}
	errs := []error{
		validateGlob("exe_path", r.ExePath),
		validateGlob("cmd_args", r.CmdArgs),
		validateGlob("container_id", r.ContainerID),
		validateGlob("cgroup_path", r.CgroupPath),
	}
	for i, pid := range r.PIDs {
		if pid == 0 {
			errs = append(errs, fmt.Errorf("pids[%d]: 0 is not a process id", i))
		}
	}
	for i, lang := range r.Languages {
		if !slices.Contains(Languages, lang) {
			errs = append(errs, fmt.Errorf("languages[%d]: %q is not one of %v", i, lang, Languages))
		}
	}
	if r.MinProcessAge < 0 {
		errs = append(errs, fmt.Errorf("min_process_age: must not be negative, got %s", r.MinProcessAge))
	}
	return errors.Join(errs...)
}

func (r Rule) selects() bool {
	return r.ExePath != "" || r.CmdArgs != "" || len(r.OpenPorts) > 0 || len(r.PIDs) > 0 ||
		r.ContainerID != "" || r.CgroupPath != "" || len(r.Languages) > 0 || r.MinProcessAge != 0
}

// validateGlob checks a glob's syntax: its alternations, then each
// alternative with path.Match, which checks the whole pattern even when it
// does not match; our matcher shares that syntax.
func validateGlob(key, pattern string) error {
	if pattern == "" {
		return nil
	}
	alternatives, err := expandGlob(pattern)
	if err != nil {
		return fmt.Errorf("%s %q: %w", key, pattern, err)
	}
	for _, p := range alternatives {
		if _, err := path.Match(p, ""); err != nil {
			return fmt.Errorf("%s %q: %w", key, pattern, err)
		}
	}
	return nil
}

// matchesAt tells whether r matches p, age old: 0 when it does, a negative
// value when it does not and never will, and, when only the age is short,
// how much older p must be.
func (r *Rule) matchesAt(p *call.Process, age time.Duration) time.Duration {
	if !r.matches(p) {
		return -1
	}
	if age < r.MinProcessAge {
		return r.MinProcessAge - age
	}
	return 0
}

// matches reports whether every field set in r but the age matches p.
func (r *Rule) matches(p *call.Process) bool {
	g := r.globs
	if g == nil {
		g = compileRuleGlobs(r)
	}
	return g.exePath.matches(p.ExecutablePath) &&
		g.cmdArgs.matches(p.CommandLine) &&
		(len(r.OpenPorts) == 0 || anyPortIn(p.ListenPorts, r.OpenPorts)) &&
		(len(r.PIDs) == 0 || slices.Contains(r.PIDs, p.PID)) &&
		g.containerID.matches(p.ContainerID) &&
		g.cgroupPath.matches(p.CgroupPath) &&
		(len(r.Languages) == 0 || slices.Contains(r.Languages, language(p)))
}

// language is p's runtime as a languages rule names it.
func language(p *call.Process) string {
	if p.RuntimeName == "" {
		return LanguageOther
	}
	return p.RuntimeName
}

// clone returns a copy of r that shares no memory with it, its globs
// compiled.
func (r Rule) clone() Rule {
	r.globs = compileRuleGlobs(&r)
	r.PIDs = slices.Clone(r.PIDs)
	r.OpenPorts = slices.Clone(r.OpenPorts)
	r.Languages = slices.Clone(r.Languages)
	return r
}

// ruleGlobs holds the compiled globs of a rule.
type ruleGlobs struct {
	exePath, cmdArgs, containerID, cgroupPath globSet
}

// compileRuleGlobs compiles the globs of r.
func compileRuleGlobs(r *Rule) *ruleGlobs {
	return &ruleGlobs{
		exePath:     compileGlob(r.ExePath),
		cmdArgs:     compileGlob(r.CmdArgs),
		containerID: compileGlob(r.ContainerID),
		cgroupPath:  compileGlob(r.CgroupPath),
	}
}
