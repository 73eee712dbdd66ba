package discovery

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"testing"

	"github.com/ebpfreceiver/ebpfreceiver/internal/call"
)

// fakeProc is the content of one /proc/<pid> directory in a fake procfs.
type fakeProc struct {
	pid     uint32
	comm    string
	ppid    uint32
	start   uint64
	exe     string // link target; "" leaves the link out, as for kernel threads
	cmdline string
	environ string
	cgroup  string
}

// writeFakeProc creates root/<pid> with the files ReadProcess reads.
func writeFakeProc(t testing.TB, root string, fp fakeProc) {
	t.Helper()
	dir := filepath.Join(root, strconv.FormatUint(uint64(fp.pid), 10))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"stat":    statLine(int(fp.pid), fp.comm, fp.ppid, fp.start),
		"cmdline": fp.cmdline,
		"environ": fp.environ,
		"cgroup":  fp.cgroup,
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	exe := filepath.Join(dir, "exe")
	if err := os.Remove(exe); err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	if fp.exe != "" {
		if err := os.Symlink(fp.exe, exe); err != nil {
			t.Fatal(err)
		}
	}
}

func TestReadProcess(t *testing.T) {
	testBinary, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	notELF := filepath.Join(t.TempDir(), "script")
	if err := os.WriteFile(notELF, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		fp   fakeProc
		want call.Process
	}{
		{
			name: "python in a container",
			fp: fakeProc{
				pid: 10, comm: "python3", ppid: 1, start: 5000, exe: "/usr/bin/python3.11",
				cmdline: "python3\x00app.py\x00", environ: "PATH=/bin\x00OTEL_SERVICE_NAME=cart\x00",
				cgroup: "0::/system.slice/docker-" + testID + ".scope\n",
			},
			want: call.Process{
				PID: 10, ParentPID: 1, StartTime: 5000, ExecutableName: "python3.11",
				ExecutablePath: "/usr/bin/python3.11", Command: "python3", CommandLine: "python3 app.py",
				ServiceName: "cart", ServiceNameDeclared: true, RuntimeName: "python", ContainerID: testID,
				CgroupPath: "/system.slice/docker-" + testID + ".scope",
			},
		},
		{
			name: "service name from resource attributes",
			fp: fakeProc{
				pid: 11, comm: "node", ppid: 10, start: 6000, exe: "/usr/local/bin/node (deleted)",
				cmdline: "/usr/local/bin/node\x00server.js\x00",
				environ: "OTEL_RESOURCE_ATTRIBUTES=service.name=web%20front,team=a\x00",
				cgroup:  "0::/user.slice/user-1000.slice/session-2.scope\n",
			},
			want: call.Process{
				PID: 11, ParentPID: 10, StartTime: 6000, ExecutableName: "node",
				ExecutablePath: "/usr/local/bin/node", Command: "/usr/local/bin/node",
				CommandLine: "/usr/local/bin/node server.js", ServiceName: "web front", ServiceNameDeclared: true,
				RuntimeName: "node", CgroupPath: "/user.slice/user-1000.slice/session-2.scope",
				ResourceAttributes: map[string]string{"service.name": "web front", "team": "a"},
			},
		},
		{
			name: "go binary found from its ELF sections",
			fp:   fakeProc{pid: 12, comm: "server", ppid: 1, start: 7000, exe: testBinary, cmdline: "./server\x00"},
			want: call.Process{
				PID: 12, ParentPID: 1, StartTime: 7000, ExecutableName: filepath.Base(testBinary),
				ExecutablePath: testBinary, Command: "./server", CommandLine: "./server", ServiceName: filepath.Base(testBinary),
				RuntimeName: "go",
			},
		},
		{
			name: "unknown runtime",
			fp:   fakeProc{pid: 13, comm: "script", ppid: 1, start: 8000, exe: notELF, cmdline: "script\x00"},
			want: call.Process{
				PID: 13, ParentPID: 1, StartTime: 8000, ExecutableName: "script",
				ExecutablePath: notELF, Command: "script", CommandLine: "script", ServiceName: "script",
			},
		},
		{
			name: "kernel thread",
			fp:   fakeProc{pid: 14, comm: "kworker/0:1-events", ppid: 2, start: 3},
			want: call.Process{
				PID: 14, ParentPID: 2, StartTime: 3, ExecutableName: "kworker/0:1-events",
				ServiceName: "kworker/0:1-events",
			},
		},
	}
	root := t.TempDir()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			writeFakeProc(t, root, tt.fp)
			got, err := ReadProcess(root, tt.fp.pid)
			if err != nil {
				t.Fatal(err)
			}
			assertProcess(t, got, &tt.want)
		})
	}
}

func assertProcess(t *testing.T, got, want *call.Process) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got  %+v\nwant %+v", *got, *want)
	}
}

func TestReadProcessVanished(t *testing.T) {
	root := t.TempDir()
	writeFakeProc(t, root, fakeProc{pid: 20, comm: "gone", ppid: 1, start: 1, exe: "/bin/gone"})
	for _, file := range []string{"cgroup", "environ", "cmdline", "stat"} {
		// Remove the files one by one, last read first, as an exit races the reads.
		if err := os.Remove(filepath.Join(root, "20", file)); err != nil {
			t.Fatal(err)
		}
		_, err := ReadProcess(root, 20)
		if !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("without %s: ReadProcess = %v, want fs.ErrNotExist", file, err)
		}
	}
	if _, err := ReadProcess(root, 21); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("ReadProcess of a missing pid = %v, want fs.ErrNotExist", err)
	}
}

func TestReadProcessSelf(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("procfs is Linux only")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	pid := uint32(os.Getpid())
	p, err := ReadProcess("/proc", pid)
	if err != nil {
		t.Fatal(err)
	}
	if p.PID != pid || p.ParentPID != uint32(os.Getppid()) || p.StartTime == 0 {
		t.Errorf("pid %d, parent %d, start %d; want %d, %d, > 0", p.PID, p.ParentPID, p.StartTime, pid, os.Getppid())
	}
	if p.ExecutableName != filepath.Base(exe) || p.ExecutablePath != exe {
		t.Errorf("executable %q at %q, want %q", p.ExecutableName, p.ExecutablePath, exe)
	}
	if p.Command != os.Args[0] || p.RuntimeName != "go" {
		t.Errorf("command %q, runtime %q; want %q, go", p.Command, p.RuntimeName, os.Args[0])
	}
}

func TestListPIDs(t *testing.T) {
	root := t.TempDir()
	for _, name := range []string{"1", "42", "7", "0", "self", "net", "4294967296", "-3"} {
		if err := os.Mkdir(filepath.Join(root, name), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	got, err := ListPIDs(root)
	if err != nil {
		t.Fatal(err)
	}
	if want := []uint32{1, 7, 42}; !slices.Equal(got, want) {
		t.Fatalf("ListPIDs = %v, want %v", got, want)
	}
	if _, err := ListPIDs(filepath.Join(root, "missing")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("ListPIDs of a missing root = %v, want fs.ErrNotExist", err)
	}
}

func TestListPIDsSelf(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("procfs is Linux only")
	}
	pids, err := ListPIDs("/proc")
	if err != nil {
		t.Fatal(err)
	}
	if _, found := slices.BinarySearch(pids, uint32(os.Getpid())); !found {
		t.Fatalf("own pid %d not among %d listed", os.Getpid(), len(pids))
	}
}

func TestCompleteFromExecFillsWhatAZombieLost(t *testing.T) {
	zombie := &call.Process{PID: 7, ParentPID: 3, ExecutableName: "wget", ServiceName: "wget"}
	p := CompleteFromExec(zombie, "/bin/busybox", []string{"busybox", "wget", "-q", "http://127.0.0.1/"})
	if p.ExecutablePath != "/bin/busybox" || p.ExecutableName != "busybox" || p.ServiceName != "busybox" ||
		p.ParentPID != 3 || p.CommandLine != "busybox wget -q http://127.0.0.1/" {
		t.Fatalf("completed %+v", p)
	}
	if zombie.ExecutablePath != "" {
		t.Fatal("the cached description was changed in place")
	}
	whole := &call.Process{PID: 8, ExecutablePath: "/usr/bin/curl", ExecutableName: "curl"}
	if CompleteFromExec(whole, "/bin/busybox", nil) != whole {
		t.Fatal("a description with its executable was replaced")
	}
}
