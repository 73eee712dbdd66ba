package stream

import (
	"fmt"
	"testing"

	"github.com/ebpfreceiver/ebpfreceiver/internal/call"
)

// kafkaReplay feeds the connections of one client's recording (files
// path, path-2, ... as scripts/record-openings.sh writes them) to one
// tracker, in turn, each cut to capture bytes per read, as the client saw
// them.
func kafkaReplay(t *testing.T, capture int, paths ...string) ([]*call.Call, *harness) {
	return kafkaReplaySplit(t, capture, 0, paths...)
}

// kafkaReplaySplit is kafkaReplay with each response read split after
// its first split bytes, when not 0: librdkafka reads a response's length
// and correlation id first (8 bytes), then its body.
func kafkaReplaySplit(t *testing.T, capture, split int, paths ...string) ([]*call.Call, *harness) {
	t.Helper()
	h := newHarness(t, RoleClient)
	h.protocol = call.ProtocolKafka
	for i, path := range paths {
		var reads []recorded
		for _, r := range loadRecording(t, "../protocol/kafka/testdata/"+path) {
			if split > 0 && r.dir == Ingress && len(r.data) > split {
				reads = append(reads, recorded{r.dir, r.data[:split]}, recorded{r.dir, r.data[split:]})
				continue
			}
			reads = append(reads, r)
		}
		for _, r := range reads {
			h.now += 1000
			data := r.data[:min(capture, len(r.data))]
			var tail []byte
			if len(data) < len(r.data) {
				tail = []byte(r.data[max(len(data), len(r.data)-8):])
			}
			h.tr.Segment(&Segment{
				ConnID: uint64(i + 1), PID: testPID, Role: RoleClient, Dir: r.dir, Time: h.now,
				Len: uint32(len(r.data)), Data: []byte(data), Tail: tail, Local: testLocal, Peer: testPeer,
				Protocol: call.ProtocolKafka,
			})
		}
		h.now += 1000
		h.tr.Close(uint64(i+1), h.now)
	}
	return h.calls, h
}

// kafkaWant is what a test expects of one Kafka call.
type kafkaWant struct {
	op, topic string
	partition int32
	messages  int64
	errCode   string
}

func (w kafkaWant) String() string {
	return fmt.Sprintf("%s %q p%d n%d %s", w.op, w.topic, w.partition, w.messages, w.errCode)
}

func kafkaGot(c *call.Call) kafkaWant {
	m := &c.Msg
	return kafkaWant{m.Operation, m.Destination, m.Partition, m.Messages, m.ErrorCode}
}

// The recordings of scripts/record-openings.sh against kfake. kcat
// (librdkafka 2.0.2: Produce v7 and Fetch v11, topics by name) produces
// three lines in one batch, then consumes them: two Fetch requests, the
// second in flight when it exits. franz-go (Produce v13 and Fetch v18,
// topics by id, named by a Metadata response on another connection) sends
// five records one by one, a batch of 20, two records to a second topic,
// and a Produce to a partition that does not exist; its consumer fetches
// both topics in one request, then ends its fetch session with a Fetch
// that returns nothing, and leaves one more in flight.
func kafkaRecordings() map[string]struct {
	files []string
	want  []kafkaWant
	open  uint64 // requests in flight at the close
} {
	one := kafkaWant{"send", "orders", 0, 1, ""}
	return map[string]struct {
		files []string
		want  []kafkaWant
		open  uint64
	}{
		"kcat produce": {[]string{"kcat-produce.seg"}, []kafkaWant{{"send", "orders", 0, 3, ""}}, 0},
		"kcat consume": {[]string{"kcat-consume.seg"}, []kafkaWant{{"poll", "orders", 0, 3, ""}}, 1},
		"franz-go": {
			[]string{"franz-go.seg", "franz-go-2.seg", "franz-go-3.seg", "franz-go-4.seg", "franz-go-5.seg", "franz-go-6.seg", "franz-go-7.seg"},
			[]kafkaWant{
				one, one, one, one, one, {"send", "orders", 0, 20, ""}, {"send", "audit", 0, 2, ""},
				{"send", "orders", 1, 1, "UNKNOWN_TOPIC_OR_PARTITION"},
				{"poll", "", -1, 27, ""}, {"poll", "", -1, 0, ""},
			},
			1,
		},
	}
}

func TestKafkaRecordings(t *testing.T) {
	for name, r := range kafkaRecordings() {
		for _, run := range []struct{ capture, split int }{{1 << 20, 0}, {1024, 0}, {256, 0}, {1024, 8}, {256, 8}} {
			capture := run.capture
			calls, h := kafkaReplaySplit(t, capture, run.split, r.files...)
			if len(calls) != len(r.want) {
				t.Errorf("%s, capture %d: %d calls, want %d", name, capture, len(calls), len(r.want))
				continue
			}
			for i, c := range calls {
				want := r.want[i]
				if capture == 256 && name == "franz-go" && i == 8 {
					want.messages = -1 // the second topic's batches lie past the capture
				}
				wantType := call.MessagingSend
				if want.op == "poll" {
					wantType = call.MessagingReceive
				}
				if got := kafkaGot(c); got != want || c.Msg.System != "kafka" || c.Msg.Type != wantType ||
					c.Protocol != call.ProtocolKafka || c.Kind != call.KindClient || c.End < c.Start {
					t.Errorf("%s, capture %d, call %d: %v, want %v", name, capture, i, got, want)
				}
				if id := c.Msg.ClientID; id != "rdkafka" && id != "kgo" {
					t.Errorf("%s: client id %q", name, id)
				}
			}
			if st := h.tr.Stats(); st.Desyncs != 0 || st.PendingDropped != r.open || st.DecodeErrors["kafka"] != 0 {
				t.Errorf("%s, capture %d: stats %+v", name, capture, st)
			}
		}
	}
}

// A Produce of acks 0 is answered by nothing: it ends when written.
func TestKafkaProduceWithoutAcks(t *testing.T) {
	h := newHarness(t, RoleClient)
	h.protocol = call.ProtocolKafka
	for _, r := range loadRecording(t, "../protocol/kafka/testdata/kcat-produce.seg") {
		data := []byte(r.data)
		produce := r.dir == Egress && data[4] == 0 && data[5] == 0
		if produce { // acks follow the client id and a null transactional id
			at := 12 + 2 + len("rdkafka") + 2
			data[at], data[at+1] = 0, 0
		}
		written := h.send(r.dir, string(data))
		if produce {
			if len(h.calls) != 1 || h.calls[0].End != written || h.calls[0].Msg.Messages != 3 {
				t.Fatalf("%d calls when the Produce was written", len(h.calls))
			}
			return
		}
	}
	t.Fatal("no Produce in the recording")
}

// The broker's side makes no call.
func TestKafkaServerSideIgnored(t *testing.T) {
	h := newHarness(t, RoleUnknown)
	h.protocol = call.ProtocolKafka
	for _, r := range loadRecording(t, "../protocol/kafka/testdata/kcat-produce.seg") {
		h.send(r.dir^3, r.data) // as the broker saw it
	}
	if len(h.calls) != 0 || h.tr.Stats().DBServerSessions != 1 {
		t.Fatalf("server side: %d calls, stats %+v", len(h.calls), h.tr.Stats())
	}
}
