//go:build linux

package ebpfreceiver

import (
	"fmt"
	"testing"

	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/ebpfreceiver/ebpfreceiver/internal/peers"
)

// TestMongoClientsAreTraced runs FerretDB, a real MongoDB wire protocol
// server, and two official drivers we did not write, Go's (v2) and Node's,
// each making a session of inserts, a find with getMore, an update, a
// delete, an aggregation and a command the server does not know. Every
// command a driver's own command monitor saw must be exactly one client
// span of its process, failures with the server's code, plus one
// handshake per connection it opened (its pool's and its monitor's); the
// server's side makes none, and no document value leaves the node.
func TestMongoClientsAreTraced(t *testing.T) {
	goClient := peers.MongoProgram(t, "./cmd/mongoclient")
	c := startCapture(t, nil, "*/ebpfreceiver-mongo-*", "*/node")
	srv := peers.FerretDB(t)
	uri := fmt.Sprintf("mongodb://127.0.0.1:%d/?directConnection=true", srv.Port)

	goOut := peers.Run(t, goClient, "-uri", uri)
	logOnFailure(t, "mongoclient", goOut)
	nodeOut := peers.MongoNodeClient(t, uri)
	logOnFailure(t, "client.js", nodeOut)
	for name, out := range map[string]string{"go": goOut, "node": nodeOut} {
		r := peers.ParseMongoClient(t, out)
		handshakes := r.Connections + 1 // and the monitor's
		total := handshakes
		for _, n := range r.Commands {
			total += n
		}
		spans := c.waitSpans(t, total, func(s span) bool { return s.pid == int64(r.PID) })
		got, failed := map[string]int{}, map[string]int{}
		for _, s := range spans {
			op := dbAttr(s, "db.operation.name")
			switch op {
			case "isMaster", "ismaster", "hello":
				handshakes--
				continue
			}
			got[op]++
			if code := dbAttr(s, "db.response.status_code"); code != "" {
				failed[op]++
				if dbAttr(s, "error.type") != code || s.status != ptrace.StatusCodeError {
					t.Errorf("%s: %q failed with %q but error.type %q, status %v", name, op, code, dbAttr(s, "error.type"), s.status)
				}
			}
			if dbAttr(s, "db.system.name") != "mongodb" || s.kind != ptrace.SpanKindClient || s.int("server.port") != int64(srv.Port) {
				t.Errorf("%s: span %q %v", name, s.name, s.attrs.AsRaw())
			}
			if coll := dbAttr(s, "db.collection.name"); (coll != "") != (s.name == op+" "+coll) || (coll == "" && s.name != op) {
				t.Errorf("%s: span %q of %s on collection %q", name, s.name, op, coll)
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(r.Commands) || handshakes != 0 {
			t.Errorf("%s: spans by command %v, %d handshakes unaccounted for\nthe driver sent %v", name, got, handshakes, r.Commands)
		}
		// The server's error code, where it answered: noSuchCommand
		// always; endSessions when the driver asked for a reply.
		if failed["noSuchCommand"] != 1 || failed["noSuchCommand"] != r.Failed["noSuchCommand"] {
			t.Errorf("%s: failed spans %v, the driver saw %v", name, failed, r.Failed)
		}
		for _, s := range spans {
			if op := dbAttr(s, "db.operation.name"); op == "find" &&
				(dbAttr(s, "db.namespace") != "shop" || dbAttr(s, "db.collection.name") == "") {
				t.Errorf("%s: find span %v", name, s.attrs.AsRaw())
			}
		}
	}
	if server := filterSpans(c.spans(), func(s span) bool { return s.pid == int64(srv.PID) }); len(server) != 0 {
		t.Errorf("%d spans from the server", len(server))
	}
	checkNoLiterals(t, c, "go-secret-value", "node-secret-value")
}
