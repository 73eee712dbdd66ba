package wrk

import (
	"os"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	tests := []struct {
		file string
		want Result
	}{{
		file: "testdata/ok.txt",
		want: Result{
			Requests: 82504, Elapsed: 2010 * time.Millisecond, RPS: 41105.32,
			P50: 1010 * time.Microsecond, P75: 1750 * time.Microsecond,
			P90: 2860 * time.Microsecond, P99: 6030 * time.Microsecond,
		},
	}, {
		file: "testdata/errors.txt",
		want: Result{
			Requests: 819833, Elapsed: 10 * time.Second, RPS: 81974.51, Errors: 13,
			P50: 515 * time.Microsecond, P75: 697 * time.Microsecond,
			P90: 960 * time.Microsecond, P99: 2020 * time.Millisecond,
		},
	}}
	for _, tt := range tests {
		out, err := os.ReadFile(tt.file)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Parse(string(out))
		if err != nil {
			t.Fatalf("%s: %v", tt.file, err)
		}
		if got != tt.want {
			t.Errorf("%s:\n got %+v\nwant %+v", tt.file, got, tt.want)
		}
	}
}

func TestParseRejectsFailedRun(t *testing.T) {
	if _, err := Parse("unable to connect to 127.0.0.1:18081 Connection refused\n"); err == nil {
		t.Error("Parse of a failed run returned no error")
	}
}

func TestParseDuration(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"515.00us": 515 * time.Microsecond,
		"1.01ms":   1010 * time.Microsecond,
		"2.02s":    2020 * time.Millisecond,
		"1.50m":    90 * time.Second,
	} {
		got, err := ParseDuration(in)
		if err != nil || got != want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if _, err := ParseDuration("3 parsecs"); err == nil {
		t.Error("ParseDuration of an unknown unit returned no error")
	}
}
