package main

import (
	"bufio"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"

	"github.com/ebpfreceiver/ebpfreceiver/bench/internal/result"
)

// describeMachine names the machine and the code the report is about.
func describeMachine(repo string) result.Machine {
	return result.Machine{
		CPUs:       runtime.NumCPU(),
		CPUModel:   cpuModel(),
		Kernel:     firstLine(os.ReadFile("/proc/sys/kernel/osrelease")),
		GoVersion:  runtime.Version(),
		WrkVersion: wrkVersion(),
		Commit:     commit(repo),
		Date:       time.Now().UTC(),
	}
}

// cpuModel returns the first "model name" of /proc/cpuinfo.
func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return "unknown"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if key, value, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(key) == "model name" {
			return strings.TrimSpace(value)
		}
	}
	return "unknown"
}

// wrkVersion returns wrk's name and version, the start of the line it
// prints before its usage.
func wrkVersion() string {
	out, _ := exec.Command("wrk", "--version").CombinedOutput() // exits 1 after printing
	f := strings.Fields(firstLine(out, nil))
	return strings.Join(f[:min(2, len(f))], " ")
}

// commit returns the repository's HEAD, marked when the tree has changes.
func commit(repo string) string {
	head := firstLine(exec.Command("git", "-C", repo, "rev-parse", "--short", "HEAD").Output())
	if head == "unknown" {
		return head
	}
	if out, err := exec.Command("git", "-C", repo, "status", "--porcelain", "--untracked-files=no").Output(); err == nil && len(out) > 0 {
		head += " (with uncommitted changes)"
	}
	return head
}

// firstLine returns the first line of a command's or a file's output, or
// "unknown" when there is none; the error is ignored because wrk prints its
// version and fails.
func firstLine(b []byte, _ error) string {
	line, _, _ := strings.Cut(strings.TrimSpace(string(b)), "\n")
	if line = strings.TrimSpace(line); line == "" {
		return "unknown"
	}
	return line
}
