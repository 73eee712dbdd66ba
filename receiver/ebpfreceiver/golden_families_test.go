package ebpfreceiver

import (
	"net/netip"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ebpfreceiver/ebpfreceiver/internal/call"
	"github.com/ebpfreceiver/ebpfreceiver/internal/protocol/http2"
)

// grpcGoldenCalls covers the gRPC mapping rules: statuses that are and are
// not errors on each side, an unimplemented method, a call that ended
// without a status, and an address-only server.
func grpcGoldenCalls() []*call.Call {
	noAuthority := grpcCall(goClient, call.KindClient, 50, 4, "shop.Cart/Add", 0, false)
	noAuthority.HTTP.Host = ""
	return []*call.Call{
		grpcCall(pythonApp, call.KindServer, 0, 5, "helloworld.Greeter/SayHello", http2.StatusOK, true),
		grpcCall(pythonApp, call.KindServer, 10, 2, "helloworld.Greeter/SayHello", http2.StatusNotFound, true),
		grpcCall(pythonApp, call.KindServer, 20, 900, "helloworld.Greeter/SayHello", http2.StatusDeadlineExceeded, true),
		grpcCall(pythonApp, call.KindServer, 30, 1, "helloworld.Greeter/Nope", http2.StatusUnimplemented, true),
		grpcCall(pythonApp, call.KindServer, 40, 3, "helloworld.Greeter/SayHello", 0, false),
		grpcCall(goClient, call.KindClient, 15, 7, "helloworld.Greeter/SayHello", http2.StatusNotFound, true),
		noAuthority,
	}
}

// dbGoldenCalls covers the database mapping rules: PostgreSQL, MySQL,
// Redis and MongoDB, a multi-operation summary, a refused statement, a
// SELECT whose row count is known, a statement the lexer did not
// recognise, Redis commands (named by the command, never by the
// namespace) with an error reply, and MongoDB commands named by command
// and collection, one failed.
func dbGoldenCalls() []*call.Call {
	pg := func(startMs, ms uint64, d call.DB) *call.Call {
		d.System, d.Namespace = "postgresql", "shop"
		return dbGoldenCall(call.ProtocolPostgres, "127.0.0.1:5432", startMs, ms, d)
	}
	my := func(startMs, ms uint64, d call.DB) *call.Call {
		d.System, d.Namespace = "mariadb", "inventory"
		return dbGoldenCall(call.ProtocolMySQL, "10.0.0.5:3306", startMs, ms, d)
	}
	redis := func(startMs, ms uint64, d call.DB) *call.Call {
		d.System, d.Namespace = "redis", "2"
		return dbGoldenCall(call.ProtocolRedis, "127.0.0.1:6379", startMs, ms, d)
	}
	mongodb := func(startMs, ms uint64, d call.DB) *call.Call {
		d.System, d.Namespace = "mongodb", "shop"
		return dbGoldenCall(call.ProtocolMongoDB, "127.0.0.1:27017", startMs, ms, d)
	}
	return []*call.Call{
		pg(0, 2, call.DB{Operation: "SELECT", Summary: "SELECT users", Collection: "users",
			QueryText: "SELECT * FROM users WHERE id = $1", Rows: 1}),
		pg(5, 3, call.DB{Operation: "SELECT", Summary: "SELECT users", Collection: "users",
			QueryText: "SELECT * FROM users WHERE id = $1", Rows: 0}),
		pg(10, 40, call.DB{Operation: "INSERT", Summary: "INSERT shipping_details SELECT orders",
			QueryText: "INSERT INTO shipping_details (order_id, address) SELECT order_id, address FROM orders WHERE order_id = ?",
			Rows:      1}),
		pg(60, 1, call.DB{Operation: "SELECT", Summary: "SELECT missing", Collection: "missing",
			QueryText: "SELECT * FROM missing", ErrorCode: "42P01", Rows: -1}),
		my(0, 6, call.DB{Operation: "UPDATE", Summary: "UPDATE stock", Collection: "stock",
			QueryText: "UPDATE stock SET n = n - ? WHERE sku = ?", Rows: 3}),
		my(10, 1, call.DB{Operation: "PING", Summary: "PING", Rows: -1}),
		redis(0, 1, call.DB{Operation: "SET", QueryText: "SET ? ?", Rows: -1}),
		redis(2, 1, call.DB{Operation: "LPOP", QueryText: "LPOP ?", ErrorCode: "WRONGTYPE", Rows: -1}),
		mongodb(0, 3, call.DB{Operation: "find", Collection: "items", Rows: -1}),
		mongodb(5, 1, call.DB{Operation: "noSuchCommand", ErrorCode: "59", Rows: -1}),
	}
}

// dbGoldenCall is a database call of goClient to server.
func dbGoldenCall(p call.Protocol, server string, startMs, ms uint64, d call.DB) *call.Call {
	return &call.Call{
		Protocol: p, Kind: call.KindClient, PID: goClient.PID, Process: goClient,
		Start: baseNs + startMs*msNs, End: baseNs + (startMs+ms)*msNs,
		Local: netip.MustParseAddrPort("10.0.0.2:41000"), Peer: netip.MustParseAddrPort(server),
		DB: d,
	}
}

// messagingGoldenCalls covers the messaging mapping rules: Kafka sends to
// one topic, to several (no destination) and refused with an error name,
// and polls of one partition that received messages, none, and an unknown
// number.
func messagingGoldenCalls() []*call.Call {
	send := func(startMs, ms uint64, m call.Messaging) *call.Call {
		m.Operation, m.Type, m.ClientID = "send", call.MessagingSend, "loadgen-producer-1"
		return msgGoldenCall(goClient, startMs, ms, m)
	}
	poll := func(startMs, ms uint64, m call.Messaging) *call.Call {
		m.Operation, m.Type = "poll", call.MessagingReceive
		return msgGoldenCall(pythonApp, startMs, ms, m)
	}
	return []*call.Call{
		send(0, 4, call.Messaging{Destination: "orders", Partition: 1, Messages: 3}),
		send(10, 9, call.Messaging{Partition: -1, Messages: 7}),
		send(20, 2, call.Messaging{Destination: "payments", Partition: 0, Messages: 1,
			ErrorCode: "UNKNOWN_TOPIC_OR_PARTITION"}),
		poll(0, 30, call.Messaging{Destination: "orders", Partition: 1, ClientID: "checkout-consumer", Messages: 5}),
		poll(40, 500, call.Messaging{Destination: "orders", Partition: 1, ClientID: "checkout-consumer", Messages: 0}),
		poll(600, 1, call.Messaging{Destination: "audit", Partition: -1, Messages: -1}),
	}
}

// msgGoldenCall is a Kafka call of p to the broker.
func msgGoldenCall(p *call.Process, startMs, ms uint64, m call.Messaging) *call.Call {
	m.System = "kafka"
	return &call.Call{
		Protocol: call.ProtocolKafka, Kind: call.KindClient, PID: p.PID, Process: p,
		Start: baseNs + startMs*msNs, End: baseNs + (startMs+ms)*msNs,
		Local: netip.MustParseAddrPort("10.0.0.2:42000"), Peer: netip.MustParseAddrPort("10.0.0.8:9092"),
		Msg: m,
	}
}

// goldenFamilies are the call sets whose spans and metrics have golden
// files, by file name suffix.
var goldenFamilies = map[string]func() []*call.Call{
	"grpc":      grpcGoldenCalls,
	"db":        dbGoldenCalls,
	"messaging": messagingGoldenCalls,
	"queue":     queueGoldenCalls,
}

func TestSpansGoldenByFamily(t *testing.T) {
	for family, calls := range goldenFamilies {
		t.Run(family, func(t *testing.T) {
			actual := newSpanConverter(testHost, testVersion).convert(callValues(calls()))
			require.Equal(t, len(calls()), actual.SpanCount())
			checkGoldenTraces(t, filepath.Join("testdata", "golden", "traces_"+family+".yaml"), actual)
		})
	}
}

func TestMetricsGoldenByFamily(t *testing.T) {
	for family, calls := range goldenFamilies {
		t.Run(family, func(t *testing.T) {
			agg := newAggregator(false, baseNs)
			for _, c := range calls() {
				agg.record(c)
			}
			now := baseNs + 10*secNs
			actual := newMetricConverter(testHost, testVersion, false).convert(agg.collect(now), now)
			checkGoldenMetrics(t, filepath.Join("testdata", "golden", "metrics_"+family+".yaml"), actual)
		})
	}
}

// TestOptInGolden pins every opt-in attribute switched on, over the calls
// of all three families.
func TestOptInGolden(t *testing.T) {
	var calls []*call.Call
	calls = append(calls, goldenCalls()...)
	calls = append(calls, grpcGoldenCalls()...)
	calls = append(calls, dbGoldenCalls()...)
	all := parseOptIn(optInNames)
	td := newSpanConverter(testHost, testVersion).withOptIn(all).convert(callValues(calls))
	checkGoldenTraces(t, filepath.Join("testdata", "golden", "traces_opt_in.yaml"), td)
	agg := newAggregator(false, baseNs).withOptIn(all)
	for _, c := range calls {
		agg.record(c)
	}
	now := baseNs + 10*secNs
	md := newMetricConverter(testHost, testVersion, false).withOptIn(all).convert(agg.collect(now), now)
	checkGoldenMetrics(t, filepath.Join("testdata", "golden", "metrics_opt_in.yaml"), md)
}
