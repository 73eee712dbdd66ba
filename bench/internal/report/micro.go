package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/ebpfreceiver/ebpfreceiver/bench/internal/result"
)

// benchLine is one result line of go test -bench.
type benchLine struct {
	pkg, name                  string
	nsPerOp, bytesOp, allocsOp string
	other                      []string // metrics a benchmark reports itself, "value unit"
}

// parseBench reads go test -bench -benchmem output: "pkg:" lines name the
// package of the Benchmark lines that follow.
func parseBench(out string) []benchLine {
	var lines []benchLine
	pkg := ""
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		switch {
		case len(f) == 2 && f[0] == "pkg:":
			pkg = f[1]
		case len(f) >= 4 && strings.HasPrefix(f[0], "Benchmark"):
			l := benchLine{pkg: pkg, name: f[0]}
			for i := 2; i+1 < len(f); i += 2 {
				switch f[i+1] {
				case "ns/op":
					l.nsPerOp = f[i]
				case "B/op":
					l.bytesOp = f[i]
				case "allocs/op":
					l.allocsOp = f[i]
				default:
					l.other = append(l.other, f[i]+" "+f[i+1])
				}
			}
			lines = append(lines, l)
		}
	}
	return lines
}

func micro(w io.Writer, s *result.Suite) {
	if s.Micro == "" && s.MicroErr == "" {
		return
	}
	fmt.Fprintln(w, "## Micro-benchmarks")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "`go test -run '^$' -bench . -benchmem` over ./internal/protocol/..., ./internal/stream/...")
	fmt.Fprintln(w, "and ./receiver/ebpfreceiver/... of the main module.")
	fmt.Fprintln(w)
	if s.MicroErr != "" {
		fmt.Fprintf(w, "**Failed**: %s\n\n```text\n%s\n```\n\n", s.MicroErr, strings.TrimSpace(s.Micro))
	}
	lines := parseBench(s.Micro)
	if len(lines) == 0 {
		return
	}
	t := newTable(w, "package", "benchmark", "ns/op", "B/op", "allocs/op", "reported by the benchmark")
	for _, l := range lines {
		t.row(strings.TrimPrefix(l.pkg, "github.com/ebpfreceiver/ebpfreceiver/"), l.name, l.nsPerOp, l.bytesOp,
			l.allocsOp, strings.Join(l.other, ", "))
	}
	fmt.Fprintln(w)
}
