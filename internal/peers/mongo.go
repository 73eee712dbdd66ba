package peers

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/ebpfreceiver/ebpfreceiver/internal/privtest"
)

// MongoProgram builds a program of the test/mongopeers module
// ("./cmd/ferretdb", "./cmd/mongoclient") once per test binary and
// returns its path.
func MongoProgram(t testing.TB, pkg string) string {
	t.Helper()
	return buildIn(t, filepath.Join(peersDir(), "..", "..", "test", "mongopeers"), pkg, "ebpfreceiver-mongo-"+filepath.Base(pkg))
}

// FerretDB starts FerretDB, a real MongoDB wire protocol server, on
// 127.0.0.1 over a throw-away SQLite directory.
func FerretDB(t testing.TB) *Server {
	t.Helper()
	port := FreePort(t)
	srv := Start(t, port, MongoProgram(t, "./cmd/ferretdb"), "-listen-addr", "127.0.0.1:"+strconv.Itoa(port), "-sqlite-dir", t.TempDir())
	waitListening(t, port, "ferretdb")
	return srv
}

// MongoNodeClient runs the Node driver's client session
// (test/mongopeers/node/client.js) against uri and returns what it
// printed; its modules come from scripts/setup.sh (npm ci).
func MongoNodeClient(t testing.TB, uri string) string {
	t.Helper()
	privtest.RequireTool(t, "/usr/bin/node")
	dir := filepath.Join(peersDir(), "..", "..", "test", "mongopeers", "node")
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "mongodb")); err != nil {
		t.Fatalf("the Node MongoDB driver is not installed (run scripts/setup.sh): %v", err)
	}
	return runTool(t, "/usr/bin/node", filepath.Join(dir, "client.js"), uri)
}

// MongoClientReport is what a driver's client session printed: commands
// sent and failed by name, the connections its pool opened, its pid.
type MongoClientReport struct {
	Commands, Failed map[string]int
	Connections, PID int
}

// ParseMongoClient reads the lines of mongoclient and client.js.
func ParseMongoClient(t testing.TB, out string) MongoClientReport {
	t.Helper()
	r := MongoClientReport{Commands: map[string]int{}, Failed: map[string]int{}}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		f := strings.Fields(line)
		n, err := strconv.Atoi(f[len(f)-1])
		switch {
		case err != nil:
			t.Fatalf("client line %q", line)
		case f[0] == "command" && len(f) == 3:
			r.Commands[f[1]] = n
		case f[0] == "failed" && len(f) == 3:
			r.Failed[f[1]] = n
		case f[0] == "connections":
			r.Connections = n
		case f[0] == "pid":
			r.PID = n
		}
	}
	return r
}
