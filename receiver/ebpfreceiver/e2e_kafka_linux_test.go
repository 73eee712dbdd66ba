//go:build linux

package ebpfreceiver

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/ebpfreceiver/ebpfreceiver/internal/peers"
)

// TestKafkaClientsAreTraced runs kfake, franz-go's implementation of the
// Kafka broker (Apache Kafka itself is not packaged here), and two clients
// we did not write: kcat (librdkafka 2.0.2: Produce v7 and Fetch v11, topics
// by name) producing a batch with a record of 240 kB and consuming it, and franz-go's kgo (Produce
// v13 and Fetch v18, topics by id) producing records one by one, a batch,
// records to a second topic and one to a partition the broker lacks, then
// consuming both topics. Every Produce and every Fetch a client had
// answered must be exactly one span of its process, as the client's own
// counts say (librdkafka's protocol log, kgo's request hooks): send spans
// PRODUCER, poll spans CLIENT, with the topic, the messages they carried,
// the broker's error; the broker makes none, and no record value leaves
// the node.
func TestKafkaClientsAreTraced(t *testing.T) {
	metrics := new(consumertest.MetricsSink)
	client := peers.KafkaProgram(t, "./cmd/kafkaclient")
	r := newRig(t, rigOptions{metrics: metrics, config: func(cfg *Config) { cfg.Metrics.Interval = 100 * time.Millisecond }},
		"*/kcat", "*/ebpfreceiver-kafka-*")
	r.start(t)
	c := &captured{traces: r.sink, metrics: metrics}
	srv := peers.Kfake(t, "orders", "audit", "events") // kcat's is events: kgo expects the others empty
	brokers := "127.0.0.1:" + strconv.Itoa(srv.Port)

	produce := peers.KcatProduce(t, brokers, "events", "one", strings.Repeat("large ", 40000), "kcat-secret-value")
	consume := peers.KcatConsume(t, brokers, "events", 3)
	out := peers.Run(t, client, "-brokers", brokers)
	logOnFailure(t, "kafkaclient", out)
	kgo := peers.ParseKafkaClient(t, out)

	type want struct {
		sends, polls     int
		sent, received   int64 // messages
		errors           int   // sends failed UNKNOWN_TOPIC_OR_PARTITION
		destinations     map[string]int
		pollDestinations map[string]int
	}
	clients := map[string]struct {
		pid  int
		want want
	}{
		"kcat produce": {produce.PID, want{
			sends: produce.Responses["Produce"], sent: 3, destinations: map[string]int{"events": produce.Responses["Produce"]},
		}},
		"kcat consume": {consume.PID, want{
			polls: consume.Responses["Fetch"], received: 3, pollDestinations: map[string]int{"events": consume.Responses["Fetch"]},
		}},
		// The records sent include the one refused; the first poll
		// returns both topics, so it names none.
		"kgo": {kgo.PID, want{
			sends: kgo.Requests["Produce"], polls: kgo.Requests["Fetch"],
			sent: int64(kgo.Produced + 1), received: int64(kgo.Consumed), errors: 1,
			destinations: map[string]int{"orders": kgo.Requests["Produce"] - 1, "audit": 1},
		}},
	}
	total := 0
	for _, cl := range clients {
		total += cl.want.sends + cl.want.polls
	}
	isKafka := func(s span) bool { return s.str("messaging.system") == "kafka" }
	for deadline := time.Now().Add(20 * time.Second); len(filterSpans(c.spans(), isKafka)) < total && time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond) // and no more come
	spans := filterSpans(c.spans(), isKafka)
	if len(spans) != total {
		t.Errorf("%d Kafka spans, want %d; engine counters %+v", len(spans), total, r.engine.Load().Stats())
	}
	for name, cl := range clients {
		var got want
		got.destinations, got.pollDestinations = map[string]int{}, map[string]int{}
		for _, s := range filterSpans(spans, func(s span) bool { return s.pid == int64(cl.pid) }) {
			op, dest := s.str("messaging.operation.name"), s.str("messaging.destination.name")
			switch op {
			case "send":
				got.sends++
				got.sent += s.int("messaging.batch.message_count")
				got.destinations[dest]++
				if s.kind != ptrace.SpanKindProducer || s.str("messaging.operation.type") != "send" {
					t.Errorf("%s: send span %q: kind %v, %v", name, s.name, s.kind, s.attrs.AsRaw())
				}
			case "poll":
				got.polls++
				got.received += s.int("messaging.batch.message_count")
				if dest != "" {
					got.pollDestinations[dest]++
				}
				if s.kind != ptrace.SpanKindClient || s.str("messaging.operation.type") != "receive" {
					t.Errorf("%s: poll span %q: kind %v, %v", name, s.name, s.kind, s.attrs.AsRaw())
				}
			default:
				t.Errorf("%s: span %q of operation %q", name, s.name, op)
			}
			if e := s.str("error.type"); e != "" {
				got.errors++
				if e != "UNKNOWN_TOPIC_OR_PARTITION" || s.status != ptrace.StatusCodeError {
					t.Errorf("%s: span %q error %q, status %v", name, s.name, e, s.status)
				}
			}
			if wantName := op + " " + dest; dest == "" && s.name != op || dest != "" && s.name != wantName {
				t.Errorf("%s: span %q of %s to %q", name, s.name, op, dest)
			}
			if s.int("server.port") != int64(srv.Port) {
				t.Errorf("%s: span %q server port %d", name, s.name, s.int("server.port"))
			}
		}
		if len(cl.want.pollDestinations) == 0 {
			cl.want.pollDestinations = map[string]int{}
		}
		if len(cl.want.destinations) == 0 {
			cl.want.destinations = map[string]int{}
		}
		if fmt.Sprint(got) != fmt.Sprint(cl.want) {
			t.Errorf("%s (pid %d): spans say\n  %+v\nthe client says\n  %+v", name, cl.pid, got, cl.want)
		}
	}
	if broker := filterSpans(c.spans(), func(s span) bool { return s.pid == int64(srv.PID) }); len(broker) != 0 {
		t.Errorf("%d spans from the broker", len(broker))
	}
	checkNoLiterals(t, c, "kcat-secret-value", "franz-secret-value")

	// messaging.client.operation.duration counts every span.
	pids := map[int64]bool{int64(produce.PID): true, int64(consume.PID): true, int64(kgo.PID): true}
	checkHistogramCounts(t, c.metrics, "messaging.client.operation.duration", pids, total)
}
