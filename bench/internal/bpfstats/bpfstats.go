// Package bpfstats reads what the kernel's BPF statistics say the
// receiver's programs cost: how many times each ran and the time spent in
// it. The kernel keeps them only while kernel.bpf_stats_enabled is 1, at
// the price of two clock reads per program run, so they are switched on
// only around the windows that read them. Programs are read with
// `bpftool -j prog show` and recognised by the maps they use.
package bpfstats

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
)

// sysctl is the switch of the kernel's BPF statistics.
const sysctl = "/proc/sys/kernel/bpf_stats_enabled"

// receiverMaps are maps of the receiver's capture objects: a program that
// uses one is one of the receiver's.
var receiverMaps = map[string]bool{"conns": true, "pid_verdicts": true, "unaccepted": true}

// Program is what one program (or every program of one name) cost.
type Program struct {
	Name   string
	Runs   uint64
	TimeNs uint64
}

// Enable switches the statistics on and returns a function that restores
// the previous setting.
func Enable() (restore func() error, err error) {
	old, err := os.ReadFile(sysctl)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", sysctl, err)
	}
	if err := os.WriteFile(sysctl, []byte("1\n"), 0o644); err != nil {
		return nil, fmt.Errorf("enable BPF statistics: %w", err)
	}
	return func() error { return os.WriteFile(sysctl, old, 0o644) }, nil
}

// Read returns the run counts and times of the receiver's programs so
// far, by program name.
func Read(ctx context.Context, bpftool string) (map[string]Program, error) {
	var maps []struct {
		ID   uint32 `json:"id"`
		Name string `json:"name"`
	}
	if err := bpftoolJSON(ctx, bpftool, &maps, "map", "show"); err != nil {
		return nil, err
	}
	ours := map[uint32]bool{}
	for _, m := range maps {
		if receiverMaps[m.Name] {
			ours[m.ID] = true
		}
	}
	var progs []struct {
		Name   string   `json:"name"`
		Runs   uint64   `json:"run_cnt"`
		TimeNs uint64   `json:"run_time_ns"`
		Maps   []uint32 `json:"map_ids"`
	}
	if err := bpftoolJSON(ctx, bpftool, &progs, "prog", "show"); err != nil {
		return nil, err
	}
	out := map[string]Program{}
	for _, p := range progs {
		if !usesAny(p.Maps, ours) {
			continue
		}
		sum := out[p.Name]
		sum.Name = p.Name
		sum.Runs += p.Runs
		sum.TimeNs += p.TimeNs
		out[p.Name] = sum
	}
	if len(out) == 0 {
		return nil, errors.New("read BPF statistics: no program of the receiver is loaded")
	}
	return out, nil
}

// Delta is what each program cost between two reads.
func Delta(before, after map[string]Program) []Program {
	var out []Program
	for name, a := range after {
		b := before[name]
		if a.Runs > b.Runs {
			out = append(out, Program{Name: name, Runs: a.Runs - b.Runs, TimeNs: a.TimeNs - b.TimeNs})
		}
	}
	return out
}

func usesAny(ids []uint32, set map[uint32]bool) bool {
	for _, id := range ids {
		if set[id] {
			return true
		}
	}
	return false
}

func bpftoolJSON(ctx context.Context, bpftool string, v any, args ...string) error {
	out, err := exec.CommandContext(ctx, bpftool, append([]string{"-j"}, args...)...).Output()
	if err != nil {
		return fmt.Errorf("bpftool %s: %w", strings.Join(args, " "), err)
	}
	if err := json.Unmarshal(out, v); err != nil {
		return fmt.Errorf("parse bpftool %s: %w", strings.Join(args, " "), err)
	}
	return nil
}
