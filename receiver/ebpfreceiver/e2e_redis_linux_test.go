//go:build linux

package ebpfreceiver

import (
	"fmt"
	"strconv"
	"testing"
	"time"

	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/ebpfreceiver/ebpfreceiver/internal/peers"
)

// TestRedisClientsAreTraced runs a real redis-server and four clients we
// did not write: redis-cli (RESP2 and RESP3), redis-benchmark (pipelining
// 16 commands on each of 4 connections), python3-redis (RESP2: a
// transaction, a pipeline, a subscription receiving messages) and go-redis
// v9 (RESP3: HELLO, pipelines, a subscription whose messages are pushes).
// Every command the server ran or rejected must be exactly one client
// span, counted per command against the server's own statistics; the
// server's side makes none, and no argument leaves the node.
func TestRedisClientsAreTraced(t *testing.T) {
	metrics := new(consumertest.MetricsSink)
	r := newRig(t, rigOptions{metrics: metrics, config: func(cfg *Config) { cfg.Metrics.Interval = 100 * time.Millisecond }},
		"*/redis-cli", "*/redis-benchmark", "*/redis-server", "*/python3*", peers.GoProgramGlob())
	r.start(t)
	c := &captured{traces: r.sink, metrics: metrics}
	srv := peers.Redis(t)
	if _, err := peers.RedisCommand(srv.Port, "CONFIG", "RESETSTAT"); err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(srv.Port)
	// The commands of the redis-cli recordings: an error of type, an
	// unknown command (which the server rejects without counting it), a
	// transaction, a SELECT; once over RESP2, once over RESP3.
	logOnFailure(t, "redis-cli", peers.RedisCLI(t, "-p", port))
	logOnFailure(t, "redis-cli -3", peers.RedisCLI(t, "-3", "-p", port))
	logOnFailure(t, "python3-redis", peers.RedisPython(t, srv.Port))
	logOnFailure(t, "go-redis", peers.Run(t, peers.GoProgram(t, "redisclient"), "-addr", "127.0.0.1:"+port, "-publish", "127.0.0.1:"+port))
	// Fewer calls than the receiver's span queue holds (4096), so that a
	// consumer goroutine kept off the two cores by the burst drops none.
	logOnFailure(t, "redis-benchmark", peers.RedisBenchmark(t, "-p", port, "-n", "400", "-c", "4", "-P", "16", "-t", "set,get,incr,lpush", "-q"))

	want := peers.RedisCommandStats(t, srv.Port)
	want["CONFIG"]--           // the RESETSTAT above, from this process
	want["NOSUCHCOMMAND"] += 2 // rejected before the server counts it, once per redis-cli
	total := 0
	for op, n := range want {
		if n == 0 {
			delete(want, op)
		}
		total += n
	}
	isRedis := func(s span) bool { return dbAttr(s, "db.system.name") == "redis" }
	done := func() bool { return len(filterSpans(c.spans(), isRedis)) >= total }
	for deadline := time.Now().Add(20 * time.Second); !done() && time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond) // and no more come
	spans := filterSpans(c.spans(), isRedis)
	got := map[string]int{}
	for _, s := range spans {
		got[dbAttr(s, "db.operation.name")]++
		if s.kind != ptrace.SpanKindClient || s.service == "redis-server" || s.int("server.port") != int64(srv.Port) {
			t.Errorf("span %q of %s: kind %v, server port %d", s.name, s.service, s.kind, s.int("server.port"))
		}
		if op := dbAttr(s, "db.operation.name"); s.name != op {
			t.Errorf("span %q: db.operation.name %q", s.name, op)
		}
		status := dbAttr(s, "db.response.status_code")
		if (status != "") != (s.status == ptrace.StatusCodeError) || dbAttr(s, "error.type") != status {
			t.Errorf("span %q: status code %q, status %v", s.name, status, s.status)
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("spans by command %v\nthe server ran %v\nengine counters %+v, spans dropped %d",
			got, want, r.engine.Load().Stats(), r.counter(t, "spans_dropped"))
	}

	// What each client's spans say.
	errorsOf := map[string]int{}
	for _, s := range spans {
		errorsOf[dbAttr(s, "db.operation.name")+" "+dbAttr(s, "db.response.status_code")]++
	}
	for key, n := range map[string]int{"LPOP WRONGTYPE": 4, "NOSUCHCOMMAND ERR": 2} {
		if errorsOf[key] != n {
			t.Errorf("%d spans %q, want %d; all %v", errorsOf[key], key, n, errorsOf)
		}
	}
	namespaces := map[string]map[string]bool{}
	for _, s := range spans {
		if namespaces[s.service] == nil {
			namespaces[s.service] = map[string]bool{}
		}
		namespaces[s.service][dbAttr(s, "db.namespace")] = true
	}
	for service, want := range map[string]string{"redis-cli": "map[0:true 4:true]", "redis-benchmark": "map[0:true]"} {
		if fmt.Sprint(namespaces[service]) != want {
			t.Errorf("%s: namespaces %v, want %s", service, namespaces[service], want)
		}
	}
	checkNoLiterals(t, c, "cli-secret-value", "py-secret-value", "go-secret-value", "cli:key", "py:key", "go:key")
	pids := map[int64]bool{}
	for _, s := range spans {
		pids[s.pid] = true
	}
	checkHistogramCounts(t, c.metrics, "db.client.operation.duration", pids, total)
}
