package discovery

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/ebpfreceiver/ebpfreceiver/internal/call"
)

// procStat holds the fields of /proc/<pid>/stat that discovery uses.
type procStat struct {
	comm      string // thread name, at most 15 bytes, set freely by the process
	ppid      uint32
	startTime uint64 // clock ticks since boot
}

// Positions in /proc/<pid>/stat as numbered by proc(5), which starts at 1
// with the PID; comm is field 2.
const (
	statFieldComm      = 2
	statFieldPPID      = 4
	statFieldStartTime = 22
)

// readStat reads and parses dir/stat, dir being /proc/<pid>.
func readStat(dir string) (procStat, error) {
	b, err := os.ReadFile(filepath.Join(dir, "stat"))
	if err != nil {
		return procStat{}, err
	}
	st, err := parseStat(b)
	if err != nil {
		return procStat{}, fmt.Errorf("parse %s: %w", filepath.Join(dir, "stat"), err)
	}
	return st, nil
}

// parseStat parses the contents of /proc/<pid>/stat. comm is written in
// parentheses but may itself hold spaces, parentheses and newlines (any
// process can name itself "a) R 1 (b"), so it runs from the first '(' to the
// last ')', and the numeric fields are counted from there.
func parseStat(b []byte) (procStat, error) {
	open := bytes.IndexByte(b, '(')
	end := bytes.LastIndexByte(b, ')')
	if open < 0 || end < open {
		return procStat{}, errors.New("no comm in parentheses")
	}
	fields := bytes.Fields(b[end+1:])
	index := func(field int) int { return field - statFieldComm - 1 }
	if len(fields) <= index(statFieldStartTime) {
		return procStat{}, fmt.Errorf("%d fields, want at least %d", len(fields)+statFieldComm, statFieldStartTime)
	}
	ppid, err := strconv.ParseUint(string(fields[index(statFieldPPID)]), 10, 32)
	if err != nil {
		return procStat{}, fmt.Errorf("ppid: %w", err)
	}
	start, err := strconv.ParseUint(string(fields[index(statFieldStartTime)]), 10, 64)
	if err != nil {
		return procStat{}, fmt.Errorf("starttime: %w", err)
	}
	return procStat{comm: string(b[open+1 : end]), ppid: uint32(ppid), startTime: start}, nil
}

// clockTicks is USER_HZ, the unit of the start time in /proc/<pid>/stat: 100
// on every Linux architecture the receiver runs on.
const clockTicks = 100

// ProcessAge returns how long ago process p started, from the system uptime
// in procRoot/uptime; 0 when the uptime cannot be read.
func ProcessAge(procRoot string, p *call.Process) time.Duration {
	b, err := os.ReadFile(filepath.Join(procRoot, "uptime"))
	if err != nil {
		return 0
	}
	first, _, _ := bytes.Cut(b, []byte{' '})
	up, err := strconv.ParseFloat(string(first), 64)
	if err != nil {
		return 0
	}
	started := time.Duration(p.StartTime) * time.Second / clockTicks
	return max(time.Duration(up*float64(time.Second))-started, 0)
}
