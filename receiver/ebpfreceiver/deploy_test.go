//go:build linux

package ebpfreceiver

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/confmap"
	"go.yaml.in/yaml/v3"

	"github.com/ebpfreceiver/ebpfreceiver/internal/tracer"
)

const deployDir = "../../deploy/kubernetes"

// manifest is the part of a Kubernetes object the checks read.
type manifest struct {
	Kind string `yaml:"kind"`
	Spec struct {
		Template struct {
			Spec podSpec `yaml:"spec"`
		} `yaml:"template"`
	} `yaml:"spec"`
	Data map[string]string `yaml:"data"`
}

type podSpec struct {
	HostPID    bool `yaml:"hostPID"`
	Containers []struct {
		Env []struct {
			Name  string `yaml:"name"`
			Value string `yaml:"value"`
		} `yaml:"env"`
		Resources struct {
			Limits map[string]string `yaml:"limits"`
		} `yaml:"resources"`
		SecurityContext struct {
			Privileged   *bool `yaml:"privileged"`
			Capabilities struct {
				Add  []string `yaml:"add"`
				Drop []string `yaml:"drop"`
			} `yaml:"capabilities"`
		} `yaml:"securityContext"`
	} `yaml:"containers"`
}

// readManifests decodes every YAML document of a file.
func readManifests(t *testing.T, name string) []manifest {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(deployDir, name))
	if err != nil {
		t.Fatal(err)
	}
	var out []manifest
	dec := yaml.NewDecoder(bytes.NewReader(b))
	for {
		var m manifest
		err := dec.Decode(&m)
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out = append(out, m)
	}
}

func ofKind(t *testing.T, ms []manifest, kind string) manifest {
	t.Helper()
	for _, m := range ms {
		if m.Kind == kind {
			return m
		}
	}
	t.Fatalf("no %s", kind)
	return manifest{}
}

func requiredCapabilityNames() []string {
	var names []string
	for _, c := range tracer.RequiredCapabilities {
		names = append(names, c.Name)
	}
	return names
}

// TestDaemonSetGrantsExactlyTheRequiredCapabilities checks the manifest
// against the capabilities Start checks for (each proven needed by
// TestEachRequiredCapabilityIsNeeded) and the README's list.
func TestDaemonSetGrantsExactlyTheRequiredCapabilities(t *testing.T) {
	ds := ofKind(t, readManifests(t, "daemonset.yaml"), "DaemonSet").Spec.Template.Spec
	if !ds.HostPID {
		t.Error("hostPID is not true: /proc would not show the node's processes")
	}
	if len(ds.Containers) != 1 {
		t.Fatalf("%d containers, want 1", len(ds.Containers))
	}
	sc := ds.Containers[0].SecurityContext
	if sc.Privileged == nil || *sc.Privileged {
		t.Error("privileged must be set, to false")
	}
	want := requiredCapabilityNames()
	if got := slices.Sorted(slices.Values(sc.Capabilities.Add)); !slices.Equal(got, slices.Sorted(slices.Values(want))) {
		t.Errorf("capabilities added %v, want %v", got, want)
	}
	if !slices.Equal(sc.Capabilities.Drop, []string{"ALL"}) {
		t.Errorf("capabilities dropped %v, want [ALL]", sc.Capabilities.Drop)
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range want {
		if !bytes.Contains(readme, []byte("`CAP_"+name+"`")) {
			t.Errorf("README does not list CAP_%s", name)
		}
	}
	if !bytes.Contains(readme, []byte("deploy/kubernetes/daemonset.yaml")) {
		t.Error("README does not point to the DaemonSet manifest")
	}
}

// TestDaemonSetCollectorConfig checks that the collector configuration of
// the DaemonSet decodes and validates as the collector would decode it, and
// that its pipelines run the receiver through k8sattributes to OTLP.
func TestDaemonSetCollectorConfig(t *testing.T) {
	cm := ofKind(t, readManifests(t, "configmap.yaml"), "ConfigMap")
	var raw map[string]any
	if err := yaml.Unmarshal([]byte(cm.Data["config.yaml"]), &raw); err != nil {
		t.Fatal(err)
	}
	conf := confmap.NewFromStringMap(raw)
	sub, err := conf.Sub("receivers::ebpf")
	if err != nil {
		t.Fatal(err)
	}
	cfg := createDefaultConfig()
	if err := sub.Unmarshal(cfg); err != nil {
		t.Fatal(err)
	}
	if err := confmap.Validate(cfg); err != nil {
		t.Fatal(err)
	}
	for _, pipeline := range []string{"traces", "metrics"} {
		p := "service::pipelines::" + pipeline + "::"
		for key, want := range map[string]string{"receivers": "ebpf", "processors": "k8sattributes", "exporters": "otlp"} {
			got, _ := conf.Get(p + key).([]any)
			if !slices.Contains(got, any(want)) {
				t.Errorf("%s pipeline %s: %v, want %s among them", pipeline, key, got, want)
			}
		}
	}
	for _, pipeline := range []string{"traces", "metrics"} {
		got, _ := conf.Get("service::pipelines::" + pipeline + "::processors").([]any)
		if len(got) == 0 || got[0] != "memory_limiter" {
			t.Errorf("%s pipeline processors %v: want memory_limiter first", pipeline, got)
		}
	}
	if pct, _ := conf.Get("processors::memory_limiter::limit_percentage").(int); pct <= 0 || pct > 90 {
		t.Errorf("memory_limiter limit_percentage %v: want a percentage of the container limit up to 90", conf.Get("processors::memory_limiter::limit_percentage"))
	}
	if ep, _ := conf.Get("exporters::otlp::endpoint").(string); !strings.HasSuffix(ep, ":4317") {
		t.Errorf("otlp exporter endpoint %q: want a gateway's OTLP/gRPC port", ep)
	}
}

// TestDaemonSetGoMemoryLimit checks that GOMEMLIMIT stays at about 80% of
// the container's memory limit, leaving room for BPF memory charged to the
// container and for what the Go heap does not count, and that a GOGC that
// lets the heap grow comes with it.
func TestDaemonSetGoMemoryLimit(t *testing.T) {
	c := ofKind(t, readManifests(t, "daemonset.yaml"), "DaemonSet").Spec.Template.Spec.Containers[0]
	limit, err := parseMemory(c.Resources.Limits["memory"])
	if err != nil {
		t.Fatalf("limits.memory: %v", err)
	}
	var goLimit int64
	gogc := 100
	for _, e := range c.Env {
		switch e.Name {
		case "GOMEMLIMIT":
			if goLimit, err = parseMemory(e.Value); err != nil {
				t.Fatalf("GOMEMLIMIT: %v", err)
			}
		case "GOGC":
			if gogc, err = strconv.Atoi(e.Value); err != nil || gogc < 100 || gogc > 800 {
				t.Fatalf("GOGC %q: want 100 to 800", e.Value)
			}
		}
	}
	if gogc > 100 && goLimit == 0 {
		t.Errorf("GOGC %d without GOMEMLIMIT: nothing bounds the heap", gogc)
	}
	if ratio := float64(goLimit) / float64(limit); ratio < 0.75 || ratio > 0.85 {
		t.Errorf("GOMEMLIMIT is %.0f%% of limits.memory, want 75-85%%", ratio*100)
	}
}

// parseMemory reads a memory size as Kubernetes ("512Mi") or GOMEMLIMIT
// ("410MiB") writes it, in binary units.
func parseMemory(s string) (int64, error) {
	s = strings.TrimSuffix(s, "B")
	for suffix, unit := range map[string]int64{"Ki": 1 << 10, "Mi": 1 << 20, "Gi": 1 << 30} {
		if n, ok := strings.CutSuffix(s, suffix); ok {
			v, err := strconv.ParseInt(n, 10, 64)
			return v * unit, err
		}
	}
	return 0, fmt.Errorf("%q: want Ki, Mi or Gi units", s)
}
