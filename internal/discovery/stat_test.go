package discovery

import (
	"fmt"
	"strings"
	"testing"
)

// statLine builds a /proc/<pid>/stat line as the kernel writes it, 52
// fields, with the given comm, ppid and start time.
func statLine(pid int, comm string, ppid uint32, start uint64) string {
	return fmt.Sprintf("%d (%s) S %d 100 100 0 -1 4194560 1000 0 0 0 12 3 0 0 20 0 4 0 %d "+
		"123456789 2000 18446744073709551615 1 1 0 0 0 0 0 4096 17410 0 0 0 17 1 0 0 0 0 0 "+
		"0 0 0 0 0 0 0\n", pid, comm, ppid, start)
}

func TestParseStat(t *testing.T) {
	for _, comm := range []string{
		"python3", "", "with space", "a) S 1 2 (b", ")", "((", "x)", "tab\there", "new\nline", ") 9 9 9 9",
	} {
		st, err := parseStat([]byte(statLine(42, comm, 7, 123456)))
		if err != nil {
			t.Errorf("comm %q: %v", comm, err)
			continue
		}
		if st.comm != comm || st.ppid != 7 || st.startTime != 123456 {
			t.Errorf("comm %q: got %+v", comm, st)
		}
	}
}

func TestParseStatErrors(t *testing.T) {
	full := statLine(42, "ok", 7, 1)
	for _, tt := range []struct{ name, in, want string }{
		{"empty", "", "no comm in parentheses"},
		{"no parentheses", "42 ok S 7", "no comm in parentheses"},
		{"closing before opening", "42 )ok( S 7", "no comm in parentheses"},
		{"truncated", full[:40], "fields, want at least 22"},
		{"bad ppid", strings.Replace(full, "S 7 ", "S x ", 1), "ppid:"},
		{"bad start time", "42 (ok) S 7 1 1 0 -1 0 0 0 0 0 0 0 0 0 0 0 1 0 -5 0", "starttime:"},
	} {
		_, err := parseStat([]byte(tt.in))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: parseStat = %v, want error containing %q", tt.name, err, tt.want)
		}
	}
}
