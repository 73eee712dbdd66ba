package discovery

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/ebpfreceiver/ebpfreceiver/internal/call"
)

// ReadProcess describes process pid from the procfs mounted at procRoot
// (normally "/proc"). Only stat is required; what the collector may not read
// (another user's exe or environ when not root) is left empty, and a kernel
// thread or zombie, which has no executable, is named by its comm. When the
// process has gone, the error wraps fs.ErrNotExist.
func ReadProcess(procRoot string, pid uint32) (*call.Process, error) {
	p, err := readProcess(procDir(procRoot, pid), pid)
	if err != nil {
		return nil, fmt.Errorf("read process %d: %w", pid, err)
	}
	return p, nil
}

func readProcess(dir string, pid uint32) (*call.Process, error) {
	st, err := readStat(dir)
	if err != nil {
		return nil, err
	}
	p := &call.Process{PID: pid, ParentPID: st.ppid, StartTime: st.startTime}
	if p.ExecutablePath, err = readExe(dir); err != nil {
		return nil, err
	}
	if p.Command, p.CommandLine, err = readCmdline(dir); err != nil {
		return nil, err
	}
	p.ExecutableName = executableName(p.ExecutablePath, st.comm)
	environ, err := readReadable(filepath.Join(dir, "environ"))
	if err != nil {
		return nil, err
	}
	var envName string
	envName, p.ResourceAttributes = parseEnviron(environ)
	p.ServiceName = serviceName(envName, p.ResourceAttributes, p.ExecutableName)
	p.ServiceNameDeclared = envName != "" || p.ResourceAttributes[attrServiceName] != ""
	cgroup, err := readReadable(filepath.Join(dir, "cgroup"))
	if err != nil {
		return nil, err
	}
	p.ContainerID = parseContainerID(cgroup)
	p.CgroupPath = parseCgroupPath(cgroup)
	p.RuntimeName = detectRuntime(p.ExecutableName, dir)
	return p, nil
}

// readExe resolves dir/exe. The link is absent for kernel threads and
// zombies and unreadable for other users' processes when not root; both give
// "". A vanished process is caught by the reads that follow, whose files
// always exist while the process does. The kernel appends " (deleted)" when
// the file was removed or replaced, as package upgrades do.
func readExe(dir string) (string, error) {
	target, err := os.Readlink(filepath.Join(dir, "exe"))
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return strings.TrimSuffix(target, " (deleted)"), nil
}

// readCmdline returns argv[0] and every argument joined by spaces from
// dir/cmdline, the NUL-separated argument list (empty for kernel threads and
// zombies).
func readCmdline(dir string) (arg0, line string, err error) {
	b, err := os.ReadFile(filepath.Join(dir, "cmdline"))
	if err != nil {
		return "", "", err
	}
	b = bytes.TrimRight(b, "\x00")
	first, _, _ := bytes.Cut(b, []byte{0})
	return string(first), string(bytes.ReplaceAll(b, []byte{0}, []byte{' '})), nil
}

// readReadable reads a file the collector may lack permission for, treating
// that as empty.
func readReadable(name string) ([]byte, error) {
	b, err := os.ReadFile(name)
	if errors.Is(err, fs.ErrPermission) {
		return nil, nil
	}
	return b, err
}

func executableName(exePath, comm string) string {
	if exePath == "" {
		return comm
	}
	return filepath.Base(exePath)
}

// ListPIDs returns the PIDs of the processes (thread groups, not threads)
// visible under procRoot, in ascending order.
func ListPIDs(procRoot string) ([]uint32, error) {
	entries, err := os.ReadDir(procRoot)
	if err != nil {
		return nil, fmt.Errorf("list processes: %w", err)
	}
	pids := make([]uint32, 0, len(entries))
	for _, e := range entries {
		pid, err := strconv.ParseUint(e.Name(), 10, 32)
		if err == nil && pid != 0 {
			pids = append(pids, uint32(pid))
		}
	}
	slices.Sort(pids)
	return pids, nil
}

func procDir(procRoot string, pid uint32) string {
	return filepath.Join(procRoot, strconv.FormatUint(uint64(pid), 10))
}

// ProcessFromExec describes a process from what its execve was given, for a
// process that exited before procfs could be read: path as passed (not
// resolved), argv, and what follows from them. Environment, cgroup and
// parent are unknown.
func ProcessFromExec(pid uint32, path string, argv []string) *call.Process {
	return fromExec(&call.Process{PID: pid}, path, argv)
}

// CompleteFromExec completes the description of a process read after it
// exited but before it was reaped: a zombie's procfs has no executable and
// no command line, so what execve was given stands in for them. A
// description that has them is returned as it is.
func CompleteFromExec(p *call.Process, path string, argv []string) *call.Process {
	if p.ExecutablePath != "" || path == "" {
		return p
	}
	q := *p
	return fromExec(&q, path, argv)
}

func fromExec(p *call.Process, path string, argv []string) *call.Process {
	p.ExecutablePath, p.CommandLine = path, strings.Join(argv, " ")
	if len(argv) > 0 {
		p.Command = argv[0]
	}
	p.ExecutableName = executableName(path, p.Command)
	if !p.ServiceNameDeclared {
		p.ServiceName = p.ExecutableName
	}
	p.RuntimeName = runtimeFromName(p.ExecutableName)
	return p
}
