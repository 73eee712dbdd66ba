package engine

import (
	"testing"

	"github.com/ebpfreceiver/ebpfreceiver/internal/call"
	"github.com/ebpfreceiver/ebpfreceiver/internal/privtest"
	"github.com/ebpfreceiver/ebpfreceiver/internal/recording"
	"github.com/ebpfreceiver/ebpfreceiver/internal/stream"
	"github.com/ebpfreceiver/ebpfreceiver/internal/tracer"
)

// openings is the classifier corpus: connections between real clients and
// servers (scripts/record-openings.sh and the SQL recordings), the
// protocol the kernel must take each for, and the calls their client side
// decodes to.
var openings = []struct {
	path  string
	proto call.Protocol
	calls int
}{
	{"../protocol/http1/testdata/curl-python.seg", call.ProtocolHTTP1, 1},
	{"../protocol/http1/testdata/node-nginx.seg", call.ProtocolHTTP1, 3},
	{"../protocol/http2/testdata/nghttp-nginx-h2c.seg", call.ProtocolHTTP2, 3},
	{"../protocol/http2/testdata/grpc-greeter.seg", call.ProtocolHTTP2, 1},
	{"../protocol/postgres/testdata/psql.seg", call.ProtocolPostgres, 7},
	{"../protocol/postgres/testdata/pgx.seg", call.ProtocolPostgres, 9},
	{"../protocol/mysql/testdata/mariadb.seg", call.ProtocolMySQL, 6},
	{"../protocol/mysql/testdata/gomysql.seg", call.ProtocolMySQL, 9},
	{"../protocol/redis/testdata/redis-cli.seg", call.ProtocolRedis, 11},
	{"../protocol/redis/testdata/redis-cli-resp3.seg", call.ProtocolRedis, 12},
	{"../protocol/redis/testdata/python-redis.seg", call.ProtocolRedis, 15},
	{"../protocol/mongo/testdata/go-driver.seg", call.ProtocolMongoDB, 1},
	{"../protocol/mongo/testdata/go-driver-2.seg", call.ProtocolMongoDB, 12},
	{"../protocol/mongo/testdata/node-driver.seg", call.ProtocolMongoDB, 1},
	{"../protocol/mongo/testdata/node-driver-2.seg", call.ProtocolMongoDB, 12},
	{"../protocol/kafka/testdata/kcat-produce.seg", call.ProtocolKafka, 1},
	{"../protocol/kafka/testdata/kcat-consume.seg", call.ProtocolKafka, 1},
	{"../protocol/kafka/testdata/franz-go.seg", call.ProtocolKafka, 0},
	{"../protocol/kafka/testdata/franz-go-3.seg", call.ProtocolKafka, 8},
	{"../protocol/kafka/testdata/franz-go-5.seg", call.ProtocolKafka, 0},
}

// TestClassifierCorpus holds the kernel's classifier (bpf/classify.h, run
// through BPF_PROG_TEST_RUN) and the decoders to one corpus, so that they
// cannot drift apart. Each recorded connection must be taken for its
// protocol from its first read on; no read of it where a decoder would
// start, taken as the first bytes of a connection joined mid-stream, may be
// taken for another; and, replayed as the kernel sends it (nothing before
// the classifier names it, that protocol in every record after), it
// decodes to its calls.
func TestClassifierCorpus(t *testing.T) {
	privtest.Require(t)
	cl, err := tracer.NewClassifier()
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	reads, misread := 0, 0
	for _, o := range openings {
		recorded, err := recording.Load(o.path)
		if err != nil {
			t.Fatal(err)
		}
		var got []*call.Call
		tr := stream.NewTracker(stream.Config{}, func(c *call.Call) { got = append(got, c) })
		verdict := call.ProtocolUnknown
		reads += len(recorded)
		for i, r := range recorded {
			k, err := cl.Classify(r.Data)
			if err != nil {
				t.Fatal(err)
			}
			p := call.Protocol(k) // as the engine takes records
			if p != call.ProtocolUnknown && p != o.proto {
				// Bytes in the middle of a message can look like
				// anything; where a decoder would start, they must not.
				if stream.StartsMessage(o.proto, r.Data) {
					t.Errorf("%s read %d (%.16q): starts a %s message, and the kernel takes it for %s", o.path, i, r.Data, o.proto, p)
				}
				misread++
			}
			if i == 0 && p != o.proto {
				t.Errorf("%s: its first read (%.16q) is taken for %q, not %s", o.path, r.Data, p, o.proto)
			}
			if verdict == call.ProtocolUnknown {
				verdict = p
			}
			if verdict == call.ProtocolUnknown {
				continue // the kernel sends nothing of it yet
			}
			s := stream.Segment{
				ConnID: 1, PID: 1, Role: stream.RoleClient, Dir: stream.Ingress, Time: uint64(i + 1),
				Len: uint32(len(r.Data)), Data: r.Data, Protocol: verdict,
			}
			if r.FromClient {
				s.Dir = stream.Egress
			}
			tr.Segment(&s)
		}
		tr.Close(1, uint64(len(recorded)+1))
		if len(got) != o.calls {
			t.Errorf("%s: %d calls decoded, want %d", o.path, len(got), o.calls)
		}
		for _, c := range got {
			if c.Protocol != o.proto && !(o.proto == call.ProtocolHTTP2 && c.Protocol == call.ProtocolGRPC) {
				t.Errorf("%s: a %s call", o.path, c.Protocol)
			}
		}
	}
	t.Logf("%d recorded reads; %d of them, in the middle of a message, would have a connection joined there taken for another protocol", reads, misread)
}
