package discovery

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// buildPeer builds the Go program in ../peers/cmd/<name> with extra go
// build flags.
func buildPeer(t *testing.T, name string, env []string, flags ...string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), name)
	args := append([]string{"build", "-o", out}, flags...)
	cmd := exec.Command("go", append(args, "../peers/cmd/"+name)...)
	cmd.Env = append(os.Environ(), env...)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build %s: %v\n%s", name, err, msg)
	}
	return out
}

func TestReadGoLayoutOfRealPrograms(t *testing.T) {
	if runtime.GOARCH != "amd64" {
		t.Skip("layouts are checked on amd64")
	}
	for _, tc := range []struct {
		name  string
		env   []string
		flags []string
	}{
		{"static", []string{"CGO_ENABLED=0"}, nil},
		{"cgo", []string{"CGO_ENABLED=1"}, []string{"-tags", "netcgo"}},
		{"no DWARF", []string{"CGO_ENABLED=0"}, []string{"-ldflags=-w"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, err := ReadGoLayout(buildPeer(t, "httpclient", tc.env, tc.flags...))
			if err != nil {
				t.Fatal(err)
			}
			if l.GOffset != -8 || l.GoidOffset != goidByVersion[majorMinor(runtime.Version())] {
				t.Errorf("layout %+v: want g at fsbase-8 and goid at %d", l, goidByVersion[majorMinor(runtime.Version())])
			}
			if tc.name != "no DWARF" && (!l.HasHTTPClient() || l.PconnConn == 0) {
				t.Errorf("layout %+v: net/http client not found", l)
			}
			if tc.name == "no DWARF" && l.HasHTTPClient() {
				t.Errorf("layout %+v: a client layout without DWARF", l)
			}
		})
	}
}

func TestReadGoLayoutRefusesOtherFiles(t *testing.T) {
	_, err := ReadGoLayout("/bin/sh")
	if !errors.Is(err, errNoGoLayout) {
		t.Fatalf("/bin/sh: %v, want errNoGoLayout", err)
	}
}

func TestMajorMinor(t *testing.T) {
	for in, want := range map[string]string{"go1.26.8": "go1.26", "go1.26": "go1.26", "devel": "devel"} {
		if got := majorMinor(in); got != want {
			t.Errorf("majorMinor(%q) = %q, want %q", in, got, want)
		}
	}
}
