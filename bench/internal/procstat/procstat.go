// Package procstat reads a process's CPU time and memory from /proc.
package procstat

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// defaultTick is USER_HZ on every Linux architecture we build for; used
// when getconf is missing.
const defaultTick = 10 * time.Millisecond

// ClockTick returns the length of the clock tick /proc/<pid>/stat counts in,
// from `getconf CLK_TCK`.
func ClockTick() time.Duration {
	out, err := exec.Command("getconf", "CLK_TCK").Output()
	if err != nil {
		return defaultTick
	}
	hz, err := strconv.Atoi(strings.TrimSpace(string(out)))
	if err != nil || hz <= 0 {
		return defaultTick
	}
	return time.Second / time.Duration(hz)
}

// Stat is what benchrun reads of /proc/<pid>/stat.
type Stat struct {
	PPID  int
	Flags uint64 // PF_* flags; PF_KTHREAD marks a kernel thread
	// CPU is user plus system time of the process's threads; Children is
	// the same for its children that have exited and been waited for.
	CPU, Children time.Duration
}

// pfKthread is the kernel's PF_KTHREAD flag.
const pfKthread = 0x00200000

// KernelThread reports whether the process is a kernel thread.
func (s Stat) KernelThread() bool { return s.Flags&pfKthread != 0 }

// CPU returns the user plus system CPU time that process pid (all its
// threads, not its children) has used.
func CPU(pid int, tick time.Duration) (time.Duration, error) {
	s, err := ReadStat(pid, tick)
	return s.CPU, err
}

// ReadStat reads /proc/<pid>/stat.
func ReadStat(pid int, tick time.Duration) (Stat, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return Stat{}, fmt.Errorf("read process stat: %w", err)
	}
	return ParseStat(data, tick)
}

// ParseStat parses the contents of /proc/<pid>/stat. The command name in
// field 2 may hold spaces and parentheses, so fields are counted from the
// last ')'.
func ParseStat(data []byte, tick time.Duration) (Stat, error) {
	end := bytes.LastIndexByte(data, ')')
	if end < 0 {
		return Stat{}, fmt.Errorf("parse /proc stat: no command name")
	}
	// Field n of proc(5) is fields[n-3]: state(3) ppid(4) … flags(9) …
	// utime(14) stime(15) cutime(16) cstime(17).
	fields := strings.Fields(string(data[end+1:]))
	const ppid, flags, utime, cstime = 4 - 3, 9 - 3, 14 - 3, 17 - 3
	if len(fields) <= cstime {
		return Stat{}, fmt.Errorf("parse /proc stat: %d fields after the name, want at least %d", len(fields), cstime+1)
	}
	var v [cstime + 1]uint64
	for _, i := range []int{ppid, flags, utime, utime + 1, utime + 2, cstime} {
		n, err := strconv.ParseUint(fields[i], 10, 64)
		if err != nil {
			return Stat{}, fmt.Errorf("parse /proc stat field %d: %w", i+3, err)
		}
		v[i] = n
	}
	return Stat{
		PPID:     int(v[ppid]),
		Flags:    v[flags],
		CPU:      time.Duration(v[utime]+v[utime+1]) * tick,
		Children: time.Duration(v[utime+2]+v[cstime]) * tick,
	}, nil
}

// Memory is a process's resident set size, now and at its peak, in bytes.
type Memory struct {
	RSS, PeakRSS uint64
}

// ReadMemory returns VmRSS and VmHWM of process pid.
func ReadMemory(pid int) (Memory, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return Memory{}, fmt.Errorf("read memory: %w", err)
	}
	return ParseStatus(data)
}

// ParseStatus returns VmRSS and VmHWM from the contents of
// /proc/<pid>/status, where they are given in kB.
func ParseStatus(data []byte) (Memory, error) {
	var m Memory
	var found int
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		key, value, ok := strings.Cut(sc.Text(), ":")
		if !ok || (key != "VmRSS" && key != "VmHWM") {
			continue
		}
		kb, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 10, 64)
		if err != nil {
			return Memory{}, fmt.Errorf("parse /proc status %s: %w", key, err)
		}
		if key == "VmRSS" {
			m.RSS = kb << 10
		} else {
			m.PeakRSS = kb << 10
		}
		found++
	}
	if found != 2 {
		return Memory{}, fmt.Errorf("parse /proc status: VmRSS or VmHWM missing")
	}
	return m, nil
}
