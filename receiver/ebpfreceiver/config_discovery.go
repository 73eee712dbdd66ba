package ebpfreceiver // import "github.com/ebpfreceiver/ebpfreceiver/receiver/ebpfreceiver"

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/ebpfreceiver/ebpfreceiver/internal/discovery"
)

// DiscoveryConfig selects the processes to instrument. A process is selected
// when any Instrument rule matches it (or Instrument is empty) and no Exclude
// rule matches it. The collector itself and its children are never
// selected; processes a selected process forks without exec are selected
// with it.
type DiscoveryConfig struct {
	Instrument []RuleConfig `mapstructure:"instrument"`
	Exclude    []RuleConfig `mapstructure:"exclude"`
}

// RuleConfig matches processes; every field that is set must match. Globs
// are in path.Match syntax except that `*` also matches `/`.
type RuleConfig struct {
	// ExePath is a glob on the resolved executable path: "*/python3*"
	// matches "/usr/bin/python3.11".
	ExePath string `mapstructure:"exe_path"`
	// CmdArgs is a glob on the command line, arguments joined by spaces.
	CmdArgs string `mapstructure:"cmd_args"`
	// OpenPorts lists ports and ranges, "8080,9000-9100": the process
	// listens on one of them (also when it starts listening later).
	OpenPorts string `mapstructure:"open_ports"`
	// PIDs matches any of these process IDs.
	PIDs []uint32 `mapstructure:"pids"`
	// ContainerID is a glob on the container ID.
	ContainerID string `mapstructure:"container_id"`
	// CgroupPath is a glob on the cgroup (v2) path.
	CgroupPath string `mapstructure:"cgroup_path"`
	// Languages: go, python, node, java, ruby, dotnet, other.
	Languages []string `mapstructure:"languages"`
	// MinProcessAge matches processes at least this old.
	MinProcessAge time.Duration `mapstructure:"min_process_age"`
	// ServiceName and ServiceNamespace name the service of the processes
	// this instrument rule selects, unless a process sets OTEL_SERVICE_NAME
	// or service.name / service.namespace in OTEL_RESOURCE_ATTRIBUTES.
	ServiceName      string `mapstructure:"service_name"`
	ServiceNamespace string `mapstructure:"service_namespace"`
}

func validateRules(key string, rules []RuleConfig) error {
	var errs []error
	for i, r := range rules {
		errs = append(errs, r.validate(fmt.Sprintf("%s::%d", key, i)))
	}
	return errors.Join(errs...)
}

// validate delegates to the engine's rule check, which names the field at
// fault, and prefixes the rule's key path.
func (r RuleConfig) validate(key string) error {
	rule, err := r.engineRule()
	if err == nil {
		err = rule.Validate()
	}
	if err != nil {
		return fmt.Errorf("%s: %w", key, err)
	}
	return nil
}

// engineRules converts validated rules.
func engineRules(rules []RuleConfig) []discovery.Rule {
	if len(rules) == 0 {
		return nil
	}
	out := make([]discovery.Rule, len(rules))
	for i, r := range rules {
		out[i], _ = r.engineRule() // Validate has checked the ports
	}
	return out
}

func (r RuleConfig) engineRule() (discovery.Rule, error) {
	rule := discovery.Rule{
		ExePath: r.ExePath, CmdArgs: r.CmdArgs, PIDs: slices.Clone(r.PIDs),
		ContainerID: r.ContainerID, CgroupPath: r.CgroupPath, Languages: slices.Clone(r.Languages),
		MinProcessAge: r.MinProcessAge, ServiceName: r.ServiceName, ServiceNamespace: r.ServiceNamespace,
	}
	if r.OpenPorts == "" {
		return rule, nil
	}
	ports, err := discovery.ParsePorts(r.OpenPorts)
	if err != nil {
		return rule, fmt.Errorf("open_ports: %w", err)
	}
	rule.OpenPorts = ports
	return rule, nil
}
