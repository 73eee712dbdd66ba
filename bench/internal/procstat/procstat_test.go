package procstat

import (
	"os"
	"testing"
	"time"
)

func TestParseStat(t *testing.T) {
	// A command name with a space and a parenthesis, parent 1, utime 1234,
	// stime 567, cutime 10, cstime 20.
	stat := "4242 (otel col) x) S 1 4242 4242 0 -1 4194560 5000 0 0 0 1234 567 10 20 20 0 12 0 100 2000000 3000 18446744073709551615\n"
	got, err := ParseStat([]byte(stat), 10*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	want := Stat{PPID: 1, Flags: 4194560, CPU: 18010 * time.Millisecond, Children: 300 * time.Millisecond}
	if got != want {
		t.Errorf("ParseStat = %+v, want %+v", got, want)
	}
	if got.KernelThread() {
		t.Error("a user process parsed as a kernel thread")
	}
	kthread := "2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 0 3 0 0 20 0 1 0 1 0 0 18446744073709551615\n"
	if k, err := ParseStat([]byte(kthread), time.Millisecond); err != nil || !k.KernelThread() {
		t.Errorf("ParseStat(kthreadd) = %+v, %v; want a kernel thread", k, err)
	}
}

func TestParseStatErrors(t *testing.T) {
	for name, stat := range map[string]string{
		"no name":      "4242 S 1 2 3",
		"short":        "4242 (a) S 1 2 3",
		"not a number": "1 (a) S 1 1 1 0 -1 0 0 0 0 0 x 5 0 0",
	} {
		if _, err := ParseStat([]byte(stat), time.Millisecond); err == nil {
			t.Errorf("%s: ParseStat(%q) returned no error", name, stat)
		}
	}
}

func TestParseStatus(t *testing.T) {
	status := "Name:\totelcol-custom\nVmPeak:\t 2000000 kB\nVmHWM:\t   81920 kB\nVmRSS:\t   65536 kB\nThreads:\t12\n"
	got, err := ParseStatus([]byte(status))
	if err != nil {
		t.Fatal(err)
	}
	if want := (Memory{RSS: 64 << 20, PeakRSS: 80 << 20}); got != want {
		t.Errorf("ParseStatus = %+v, want %+v", got, want)
	}
	if _, err := ParseStatus([]byte("Name:\tx\nVmRSS:\t1 kB\n")); err == nil {
		t.Error("ParseStatus without VmHWM returned no error")
	}
}

// TestSelf reads this test process's own figures, which exist and grow.
func TestSelf(t *testing.T) {
	pid := os.Getpid()
	if _, err := CPU(pid, ClockTick()); err != nil {
		t.Fatal(err)
	}
	m, err := ReadMemory(pid)
	if err != nil {
		t.Fatal(err)
	}
	if m.RSS == 0 || m.PeakRSS < m.RSS {
		t.Errorf("ReadMemory = %+v, want 0 < RSS <= PeakRSS", m)
	}
	if tick := ClockTick(); tick <= 0 || tick > time.Second {
		t.Errorf("ClockTick = %v", tick)
	}
}
