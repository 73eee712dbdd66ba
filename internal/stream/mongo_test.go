package stream

import (
	"testing"

	"github.com/ebpfreceiver/ebpfreceiver/internal/call"
)

// mongoWant is what a test expects of one MongoDB call.
type mongoWant struct {
	op, collection, namespace, errCode string
}

// The pool connection of each driver's recording against FerretDB: the
// legacy handshake (OP_QUERY), then drop, two inserts (the second a
// document sequence of 250 documents, far beyond a capture), a find whose
// cursor needs two getMore, an update, a delete, an aggregation, a command
// the server does not know (59, CommandNotFound) and endSessions at the
// close, which this FerretDB does not know either: the Go driver waits for
// its reply, the Node driver sends it with moreToCome (no reply wanted),
// so its call ends when it is written.
func mongoDriverWant(hello, collection, endSessions string) []mongoWant {
	return []mongoWant{
		{hello, "", "admin", ""},
		{"drop", collection, "shop", ""},
		{"insert", collection, "shop", ""},
		{"insert", collection, "shop", ""},
		{"find", collection, "shop", ""},
		{"getMore", "", "shop", ""},
		{"getMore", "", "shop", ""},
		{"update", collection, "shop", ""},
		{"delete", collection, "shop", ""},
		{"aggregate", collection, "shop", ""},
		{"noSuchCommand", "", "shop", "59"},
		{"endSessions", "", "admin", endSessions},
	}
}

func TestMongoDriverRecordings(t *testing.T) {
	for path, want := range map[string][]mongoWant{
		"go-driver-2.seg":   mongoDriverWant("isMaster", "items", "59"),
		"node-driver-2.seg": mongoDriverWant("ismaster", "nodeitems", ""),
	} {
		for _, capture := range []int{1 << 20, 1024, 256} {
			calls, h := replay(t, "../protocol/mongo/testdata/"+path, RoleClient, capture, QueryTextSanitized)
			for i := range max(len(calls), len(want)) {
				if i >= len(calls) || i >= len(want) {
					t.Errorf("%s, capture %d: %d calls, want %d", path, capture, len(calls), len(want))
					break
				}
				c := calls[i]
				got := mongoWant{c.DB.Operation, c.DB.Collection, c.DB.Namespace, c.DB.ErrorCode}
				if got != want[i] || c.DB.System != "mongodb" || c.Protocol != call.ProtocolMongoDB ||
					c.Kind != call.KindClient || c.End < c.Start || c.DB.QueryText != "" {
					t.Errorf("%s, capture %d, call %d: %+v %q, want %+v", path, capture, i, got, c.DB.QueryText, want[i])
				}
			}
			if st := h.tr.Stats(); st.Desyncs != 0 || st.PendingDropped != 0 || st.DecodeErrors["mongodb"] != 0 {
				t.Errorf("%s, capture %d: stats %+v", path, capture, st)
			}
		}
	}
}

// The monitoring connection makes its handshake only.
func TestMongoMonitoringConnection(t *testing.T) {
	calls, _ := replay(t, "../protocol/mongo/testdata/go-driver.seg", RoleClient, 1024, QueryTextSanitized)
	if len(calls) != 1 || calls[0].DB.Operation != "isMaster" {
		t.Fatalf("%d calls", len(calls))
	}
}

func TestMongoServerSideIgnored(t *testing.T) {
	h := newHarness(t, RoleUnknown)
	h.protocol = call.ProtocolMongoDB
	for _, r := range loadRecording(t, "../protocol/mongo/testdata/go-driver-2.seg") {
		h.send(r.dir^3, r.data) // as the server saw it
	}
	if len(h.calls) != 0 || h.tr.Stats().DBServerSessions != 1 {
		t.Fatalf("server side: %d calls, stats %+v", len(h.calls), h.tr.Stats())
	}
}
