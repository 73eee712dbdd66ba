package discovery

import (
	"errors"
	"path"
	"testing"
	"time"

	"github.com/ebpfreceiver/ebpfreceiver/internal/call"
)

func TestRuleValidate(t *testing.T) {
	tests := []struct {
		name    string
		rule    Rule
		wantErr string // "" for valid
	}{
		{"exe path", Rule{ExePath: "*/python3*"}, ""},
		{"pids", Rule{PIDs: []uint32{1, 42}}, ""},
		{"both", Rule{ExePath: "/usr/bin/node", PIDs: []uint32{7}}, ""},
		{"empty", Rule{}, "rule sets no field: set one of exe_path, cmd_args, open_ports, pids, container_id, cgroup_path, languages, min_process_age"},
		{"empty pid list", Rule{PIDs: []uint32{}}, "rule sets no field: set one of exe_path, cmd_args, open_ports, pids, container_id, cgroup_path, languages, min_process_age"},
		{"open class", Rule{ExePath: "/usr/bin/[a"}, `exe_path "/usr/bin/[a": syntax error in pattern`},
		{"bad class after star", Rule{ExePath: "*/x[]"}, `exe_path "*/x[]": syntax error in pattern`},
		{"trailing escape", Rule{ExePath: `/bin/sh\`}, `exe_path "/bin/sh\\": syntax error in pattern`},
		{"pid zero", Rule{PIDs: []uint32{3, 0}}, "pids[1]: 0 is not a process id"},
		{"every field", Rule{
			ExePath: "*", CmdArgs: "*x*", OpenPorts: []PortRange{{80, 80}}, PIDs: []uint32{1},
			ContainerID: "abc*", CgroupPath: "/kubepods*", Languages: []string{"go", "other"},
			MinProcessAge: time.Second,
		}, ""},
		{"names only", Rule{ServiceName: "x"}, "rule sets no field: set one of exe_path, cmd_args, open_ports, pids, container_id, cgroup_path, languages, min_process_age"},
		{"bad cmd_args", Rule{CmdArgs: "["}, `cmd_args "[": syntax error in pattern`},
		{"bad cgroup_path", Rule{CgroupPath: "["}, `cgroup_path "[": syntax error in pattern`},
		{"bad container_id", Rule{ContainerID: "["}, `container_id "[": syntax error in pattern`},
		{"unknown language", Rule{Languages: []string{"cobol"}}, `languages[0]: "cobol" is not one of [go python node java ruby dotnet other]`},
		{"negative age", Rule{MinProcessAge: -time.Second}, "min_process_age: must not be negative, got -1s"},
		{
			"both wrong", Rule{ExePath: "[", PIDs: []uint32{0}},
			"exe_path \"[\": syntax error in pattern\npids[0]: 0 is not a process id",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.rule.Validate()
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if err == nil || err.Error() != tt.wantErr {
				t.Fatalf("Validate() = %v, want %q", err, tt.wantErr)
			}
		})
	}
}

func TestRuleValidateWrapsBadPattern(t *testing.T) {
	if err := (Rule{ExePath: "["}).Validate(); !errors.Is(err, path.ErrBadPattern) {
		t.Fatalf("Validate() = %v, want path.ErrBadPattern", err)
	}
}

func TestRuleMatches(t *testing.T) {
	python := &call.Process{PID: 10, ExecutablePath: "/usr/bin/python3.11"}
	tests := []struct {
		name string
		rule Rule
		want bool
	}{
		{"exe path matches", Rule{ExePath: "*/python3*"}, true},
		{"exe path differs", Rule{ExePath: "*/node"}, false},
		{"pid listed", Rule{PIDs: []uint32{9, 10}}, true},
		{"pid not listed", Rule{PIDs: []uint32{9}}, false},
		{"every field matches", Rule{ExePath: "*python*", PIDs: []uint32{10}}, true},
		{"one field differs", Rule{ExePath: "*python*", PIDs: []uint32{11}}, false},
	}
	for _, tt := range tests {
		if got := tt.rule.matches(python); got != tt.want {
			t.Errorf("%s: matches = %v, want %v", tt.name, got, tt.want)
		}
	}
}
