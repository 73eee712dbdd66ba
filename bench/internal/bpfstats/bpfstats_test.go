package bpfstats

import (
	"slices"
	"strings"
	"testing"
)

func TestDelta(t *testing.T) {
	before := map[string]Program{"tp_exit_read": {"tp_exit_read", 10, 1000}, "on_sock_state": {"on_sock_state", 5, 50}}
	after := map[string]Program{"tp_exit_read": {"tp_exit_read", 30, 5000}, "on_sock_state": {"on_sock_state", 5, 50},
		"tp_exit_write": {"tp_exit_write", 7, 700}}
	got := Delta(before, after)
	slices.SortFunc(got, func(a, b Program) int { return strings.Compare(a.Name, b.Name) })
	want := []Program{{"tp_exit_read", 20, 4000}, {"tp_exit_write", 7, 700}}
	if !slices.Equal(got, want) {
		t.Errorf("Delta = %v, want %v (programs that did not run are left out)", got, want)
	}
}
