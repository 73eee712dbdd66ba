package discovery

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/ebpfreceiver/ebpfreceiver/internal/call"
)

func TestParsePorts(t *testing.T) {
	got, err := ParsePorts(" 8080, 9000-9100 ,443")
	if err != nil {
		t.Fatal(err)
	}
	want := []PortRange{{8080, 8080}, {9000, 9100}, {443, 443}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("ParsePorts = %v, want %v", got, want)
	}
	for s, msg := range map[string]string{
		"":          `port list "": empty item`,
		"80,":       `port list "80,": empty item`,
		"0":         `port "0": must be a number from 1 to 65535`,
		"70000":     `port "70000": must be a number from 1 to 65535`,
		"http":      `port "http": must be a number from 1 to 65535`,
		"9100-9000": `port range "9100-9000": ends before it starts`,
		"1-2-3":     `port "2-3": must be a number from 1 to 65535`,
	} {
		if _, err := ParsePorts(s); err == nil || err.Error() != msg {
			t.Errorf("ParsePorts(%q) = %v, want %q", s, err, msg)
		}
	}
}

func TestRuleMatchesEveryField(t *testing.T) {
	p := &call.Process{
		PID: 10, ExecutablePath: "/usr/bin/python3.11", CommandLine: "python3 -m http.server 8001",
		ListenPorts: []uint16{8001}, ContainerID: "abc123", CgroupPath: "/kubepods/pod1/abc123",
		RuntimeName: "python",
	}
	tests := []struct {
		name string
		rule Rule
		want bool
	}{
		{"cmd_args", Rule{CmdArgs: "*http.server 8001*"}, true},
		{"cmd_args other port", Rule{CmdArgs: "*http.server 8002*"}, false},
		{"port in range", Rule{OpenPorts: []PortRange{{8000, 8010}}}, true},
		{"port outside", Rule{OpenPorts: []PortRange{{80, 80}}}, false},
		{"container", Rule{ContainerID: "abc*"}, true},
		{"cgroup", Rule{CgroupPath: "/kubepods/*"}, true},
		{"cgroup other", Rule{CgroupPath: "/system.slice/*"}, false},
		{"language", Rule{Languages: []string{"go", "python"}}, true},
		{"language other", Rule{Languages: []string{LanguageOther}}, false},
		{"all fields", Rule{ExePath: "*/python3*", CmdArgs: "*8001", OpenPorts: []PortRange{{8001, 8001}}, Languages: []string{"python"}}, true},
		{"one field fails", Rule{ExePath: "*/python3*", OpenPorts: []PortRange{{9000, 9000}}}, false},
	}
	for _, tt := range tests {
		if got := tt.rule.matches(p); got != tt.want {
			t.Errorf("%s: matches = %v, want %v", tt.name, got, tt.want)
		}
	}
	if !(&Rule{Languages: []string{LanguageOther}}).matches(&call.Process{}) {
		t.Error("a process of no known runtime is not matched by languages: [other]")
	}
}

func TestSelectorJudgeAge(t *testing.T) {
	s, err := NewSelector([]Rule{{ExePath: "*/app", MinProcessAge: 10 * time.Second, ServiceName: "svc"}}, nil, testSelf)
	if err != nil {
		t.Fatal(err)
	}
	p := &call.Process{PID: 10, ExecutablePath: "/bin/app"}
	v := s.Judge(p, 3*time.Second)
	if v.Selected || v.Recheck != 7*time.Second {
		t.Fatalf("young: Judge = %+v, want unselected, recheck in 7s", v)
	}
	v = s.Judge(p, 12*time.Second)
	if !v.Selected || v.Rule == nil || v.Rule.ServiceName != "svc" || v.Recheck != 0 {
		t.Fatalf("old: Judge = %+v, want selected by the rule", v)
	}
	if v := s.Judge(&call.Process{PID: 11, ExecutablePath: "/bin/other"}, time.Second); v.Selected || v.Recheck != 0 {
		t.Fatalf("never matching: Judge = %+v, want no recheck", v)
	}
	if !s.NeedsAge() || s.NeedsPorts() {
		t.Fatal("NeedsAge/NeedsPorts wrong")
	}
}

func TestSelectorExcludeByAge(t *testing.T) {
	s, _ := NewSelector(nil, []Rule{{MinProcessAge: time.Hour}}, testSelf)
	if v := s.Judge(&call.Process{PID: 10}, time.Minute); !v.Selected || v.Recheck != 59*time.Minute {
		t.Fatalf("Judge = %+v, want selected until it is an hour old", v)
	}
}

func TestReadListenPorts(t *testing.T) {
	dir := t.TempDir()
	fd := filepath.Join(dir, "fd")
	mustMkdir(t, fd)
	mustSymlink(t, "socket:[1001]", filepath.Join(fd, "3"))
	mustSymlink(t, "socket:[1002]", filepath.Join(fd, "4"))
	mustSymlink(t, "/dev/null", filepath.Join(fd, "0"))
	header := "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
	tcp := header +
		"   0: 00000000:1F41 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1001 1 0 100 0 0 10 0\n" +
		"   1: 0100007F:1F42 0100007F:9C40 01 00000000:00000000 00:00000000 00000000     0        0 1002 1 0 100 0 0 10 0\n" +
		"   2: 00000000:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 9999 1 0 100 0 0 10 0\n"
	tcp6 := header +
		"   0: 00000000000000000000000000000000:1F41 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1001 1 0 100 0 0 10 0\n"
	mustMkdir(t, filepath.Join(dir, "net"))
	mustWrite(t, filepath.Join(dir, "net", "tcp"), tcp)
	mustWrite(t, filepath.Join(dir, "net", "tcp6"), tcp6)
	ports, err := readListenPorts(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(ports, []uint16{8001}) {
		t.Fatalf("ports = %v, want [8001] (listening and ours only)", ports)
	}
}

func TestRegistryListenPortAndName(t *testing.T) {
	root := t.TempDir()
	writeFakeProc(t, root, fakeProc{pid: 40, comm: "app", ppid: 1, start: 100, exe: "/usr/bin/app"})
	r := NewRegistry(root, false)
	before, err := r.Lookup(40)
	if err != nil {
		t.Fatal(err)
	}
	after, ok := r.AddListenPort(40, 8080)
	if !ok || !reflect.DeepEqual(after.ListenPorts, []uint16{8080}) || len(before.ListenPorts) != 0 {
		t.Fatalf("AddListenPort: %v %v, before %v", after.ListenPorts, ok, before.ListenPorts)
	}
	named, _ := r.Name(40, "shop", "team-a")
	if named.ServiceName != "shop" || named.ServiceNamespace != "team-a" || before.ServiceName != "app" {
		t.Fatalf("Name: %q/%q, before %q", named.ServiceName, named.ServiceNamespace, before.ServiceName)
	}
	if _, ok := r.AddListenPort(41, 1); ok {
		t.Fatal("AddListenPort of an unknown PID reported success")
	}
	writeFakeProc(t, root, fakeProc{pid: 42, comm: "app", ppid: 1, start: 100, exe: "/usr/bin/app",
		environ: "OTEL_SERVICE_NAME=own\x00"})
	if _, err := r.Lookup(42); err != nil {
		t.Fatal(err)
	}
	if p, _ := r.Name(42, "shop", ""); p.ServiceName != "own" {
		t.Fatalf("a rule overrode the process's own service name: %q", p.ServiceName)
	}
}

func TestParseCgroupPath(t *testing.T) {
	for in, want := range map[string]string{
		"0::/system.slice/nginx.service\n":                    "/system.slice/nginx.service",
		"12:cpu,cpuacct:/docker/abc\n11:memory:/docker/abc\n": "/docker/abc",
		"12:cpu:/v1\n0::/v2\n":                                "/v2",
		"":                                                    "",
	} {
		if got := parseCgroupPath([]byte(in)); got != want {
			t.Errorf("parseCgroupPath(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRuntimeFromMaps(t *testing.T) {
	maps := "7f0000000000-7f0000001000 r-xp 00000000 08:01 123 /usr/lib/x86_64-linux-gnu/libc.so.6\n" +
		"7f0000002000-7f0000003000 r-xp 00000000 08:01 124 /usr/lib/jvm/java-17/lib/server/libjvm.so\n"
	if got := runtimeFromMaps([]byte(maps)); got != runtimeJava {
		t.Fatalf("runtimeFromMaps = %q, want java", got)
	}
	if got := runtimeFromMaps([]byte("00-01 r-xp 0 0 0 [vdso]\n")); got != "" {
		t.Fatalf("runtimeFromMaps = %q, want none", got)
	}
}

func TestProcessAge(t *testing.T) {
	root := t.TempDir()
	mustWrite(t, filepath.Join(root, "uptime"), "1000.50 1900.00\n")
	if got := ProcessAge(root, &call.Process{StartTime: 90000}); got != 100500*time.Millisecond {
		t.Fatalf("ProcessAge = %s, want 100.5s", got)
	}
}

func mustMkdir(t *testing.T, dir string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
}

func mustSymlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}

func mustWrite(t *testing.T, name, content string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestRegistryInherit(t *testing.T) {
	root := t.TempDir()
	writeFakeProc(t, root, fakeProc{pid: 50, comm: "srv", ppid: 1, start: 100, exe: "/usr/bin/srv",
		environ: "OTEL_SERVICE_NAME=web\x00"})
	r := NewRegistry(root, false)
	if _, err := r.Lookup(50); err != nil {
		t.Fatal(err)
	}
	if !r.Inherit(51, 50, 2_500_000_000) {
		t.Fatal("Inherit of a cached parent failed")
	}
	c, ok := r.Cached(51)
	if !ok || c.PID != 51 || c.ParentPID != 50 || c.StartTime != 250 || c.ServiceName != "web" {
		t.Fatalf("child %+v", c)
	}
	if r.Inherit(52, 49, 0) {
		t.Fatal("Inherit of an unknown parent succeeded")
	}
	if r.Inherit(51, 50, 2_500_000_000) {
		t.Fatal("Inherit replaced a cached child")
	}
	// PID 51 reused by a later fork: the old identity goes.
	if !r.Inherit(51, 50, 9_000_000_000) {
		t.Fatal("Inherit kept the identity of an exited process")
	}
	if c, _ := r.Cached(51); c.StartTime != 900 {
		t.Fatalf("reused PID start %d, want 900", c.StartTime)
	}
}
