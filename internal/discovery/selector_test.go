package discovery

import (
	"strings"
	"testing"

	"github.com/ebpfreceiver/ebpfreceiver/internal/call"
)

const testSelf = 500 // the collector's PID in these tests

func TestSelectorSelected(t *testing.T) {
	python := &call.Process{PID: 10, ParentPID: 1, ExecutablePath: "/usr/bin/python3.11"}
	node := &call.Process{PID: 11, ParentPID: 1, ExecutablePath: "/usr/bin/node"}
	collector := &call.Process{PID: testSelf, ParentPID: 1, ExecutablePath: "/opt/otelcol-custom"}
	child := &call.Process{PID: 501, ParentPID: testSelf, ExecutablePath: "/usr/bin/python3.11"}
	tests := []struct {
		name                string
		instrument, exclude []Rule
		p                   *call.Process
		want                bool
	}{
		{"no rules selects all", nil, nil, python, true},
		{"instrument matches", []Rule{{ExePath: "*/python3*"}}, nil, python, true},
		{"instrument does not match", []Rule{{ExePath: "*/python3*"}}, nil, node, false},
		{"any instrument rule", []Rule{{ExePath: "*/java"}, {PIDs: []uint32{11}}}, nil, node, true},
		{"exclude wins", []Rule{{ExePath: "*/python3*"}}, []Rule{{PIDs: []uint32{10}}}, python, false},
		{"exclude without instrument", nil, []Rule{{ExePath: "*/node"}}, node, false},
		{"exclude elsewhere", nil, []Rule{{ExePath: "*/node"}}, python, true},
		{"self excluded", nil, nil, collector, false},
		{"self excluded even when named", []Rule{{PIDs: []uint32{testSelf}}}, nil, collector, false},
		{"child of self excluded", []Rule{{ExePath: "*/python3*"}}, nil, child, false},
		{"nil process", nil, nil, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := NewSelector(tt.instrument, tt.exclude, testSelf)
			if err != nil {
				t.Fatal(err)
			}
			if got := s.Selected(tt.p); got != tt.want {
				t.Fatalf("Selected = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestSelectorSelfUnknown(t *testing.T) {
	s, err := NewSelector(nil, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	// PID 1 has parent 0: an unknown self PID must not exclude it.
	if !s.Selected(&call.Process{PID: 1, ParentPID: 0}) {
		t.Fatal("init not selected with selfPID 0")
	}
}

func TestSelectorMatchAll(t *testing.T) {
	all, _ := NewSelector(nil, []Rule{{ExePath: "*/node"}}, testSelf)
	some, _ := NewSelector([]Rule{{PIDs: []uint32{3}}}, nil, testSelf)
	if !all.MatchAll() || some.MatchAll() {
		t.Fatalf("MatchAll: no instrument rules = %v, one rule = %v", all.MatchAll(), some.MatchAll())
	}
}

func TestNewSelectorErrors(t *testing.T) {
	_, err := NewSelector([]Rule{{ExePath: "*"}, {}}, []Rule{{ExePath: "["}}, testSelf)
	if err == nil {
		t.Fatal("NewSelector accepted invalid rules")
	}
	for _, want := range []string{
		"instrument[1]: rule sets no field",
		`exclude[0]: exe_path "[": syntax error in pattern`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

func TestNewSelectorCopiesRules(t *testing.T) {
	rules := []Rule{{PIDs: []uint32{10}}}
	s, err := NewSelector(rules, nil, testSelf)
	if err != nil {
		t.Fatal(err)
	}
	rules[0].PIDs[0] = 11
	if !s.Selected(&call.Process{PID: 10}) {
		t.Fatal("selector changed with the caller's slice")
	}
}
