//go:build linux

package ebpfreceiver

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/ebpfreceiver/ebpfreceiver/internal/peers"
)

// These tests run real database servers and clients on 127.0.0.1 and check
// the client spans, the histogram, and that no literal leaves the node.

// clientSteps parses the output of pgclient and mysqlclient: the process
// id, then "step nanoseconds failed" per step.
func clientSteps(t *testing.T, out string) (pid int, steps map[string]time.Duration) {
	t.Helper()
	steps = map[string]time.Duration{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		f := strings.Fields(line)
		if len(f) != 3 {
			t.Fatalf("client line %q", line)
		}
		n, _ := strconv.ParseInt(f[1], 10, 64)
		if f[0] == "pid" {
			pid = int(n)
			continue
		}
		if (f[2] == "true") != (f[0] == "missing") {
			t.Fatalf("client step %q failed=%s", f[0], f[2])
		}
		steps[f[0]] = time.Duration(n)
	}
	return pid, steps
}

// spanWant is what one span of a sequence must say.
type spanWant struct {
	name, collection, status string
}

// checkSequence checks spans, in start order, against want; a want of
// count n>1 stands for n equal spans.
func checkSequence(t *testing.T, who string, spans []span, want []spanWant, system, namespace string, port int) {
	t.Helper()
	sortByStart(spans)
	if len(spans) != len(want) {
		t.Fatalf("%s: %d spans, want %d", who, len(spans), len(want))
	}
	for i, s := range spans {
		w := want[i]
		op, _, _ := strings.Cut(w.name, " ")
		if s.name != w.name || dbAttr(s, "db.query.summary") != w.name || dbAttr(s, "db.operation.name") != op ||
			dbAttr(s, "db.collection.name") != w.collection || dbAttr(s, "db.response.status_code") != w.status ||
			dbAttr(s, "error.type") != w.status || dbAttr(s, "db.system.name") != system || s.kind != ptrace.SpanKindClient {
			t.Errorf("%s span %d: %q %v, want %+v", who, i, s.name, s.attrs.AsRaw(), w)
		}
		if dbAttr(s, "db.namespace") != namespace || s.int("server.port") != int64(port) || dbAttr(s, "server.address") != "127.0.0.1" {
			t.Errorf("%s span %d: namespace %q server %s:%d", who, i, dbAttr(s, "db.namespace"), dbAttr(s, "server.address"), s.int("server.port"))
		}
		if (w.status != "") != (s.status == ptrace.StatusCodeError) || !s.end.After(s.start) {
			t.Errorf("%s span %d: status %v, %v..%v", who, i, s.status, s.start, s.end)
		}
	}
}

// logOnFailure logs what a client printed if the test fails.
func logOnFailure(t *testing.T, name, out string) {
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("%s printed:\n%s", name, out)
		}
	})
}

// dbAttr returns a span attribute as a string, empty when absent.
func dbAttr(s span, key string) string {
	v, ok := s.attrs.Get(key)
	if !ok {
		return ""
	}
	return v.AsString()
}

func sortByStart(spans []span) {
	for i := 1; i < len(spans); i++ {
		for j := i; j > 0 && spans[j].start.Before(spans[j-1].start); j-- {
			spans[j], spans[j-1] = spans[j-1], spans[j]
		}
	}
}

// checkNoLiterals fails when any exported span or metric attribute holds
// one of the literals.
func checkNoLiterals(t *testing.T, c *captured, literals ...string) {
	t.Helper()
	var values []string
	for _, s := range c.spans() {
		values = append(values, s.name)
		s.attrs.Range(func(_ string, v pcommon.Value) bool { values = append(values, v.AsString()); return true })
	}
	for _, md := range c.metrics.AllMetrics() {
		for _, rm := range md.ResourceMetrics().All() {
			for _, sm := range rm.ScopeMetrics().All() {
				for _, m := range sm.Metrics().All() {
					if m.Name() != "db.client.operation.duration" {
						continue
					}
					for _, dp := range m.Histogram().DataPoints().All() {
						dp.Attributes().Range(func(_ string, v pcommon.Value) bool { values = append(values, v.AsString()); return true })
					}
				}
			}
		}
	}
	for _, v := range values {
		for _, l := range literals {
			if strings.Contains(v, l) {
				t.Errorf("literal %q exported in %q", l, v)
			}
		}
	}
}

// checkLargeThenNext checks the span of the large result against what the
// client observed, and that the statement after it was decoded.
func checkLargeThenNext(t *testing.T, spans []span, large int, observed time.Duration) {
	t.Helper()
	d := spans[large].end.Sub(spans[large].start)
	if d <= 0 || d > observed || d < observed/4 {
		t.Errorf("large result span lasted %v, client observed %v", d, observed)
	}
	if next := spans[large+1]; next.start.Before(spans[large].end) {
		t.Errorf("statement after the large result starts before it ended")
	}
}

func TestPostgresClientsAreTraced(t *testing.T) {
	c := startCapture(t, nil, "*/psql", "*/postgres", peers.GoProgramGlob())
	srv := peers.Postgres(t)
	out := peers.Psql(t, srv.Port, "postgres",
		"CREATE TABLE items (id int PRIMARY KEY, name text)",
		"INSERT INTO items VALUES (1, 'alpha-secret-1'), (2, 'beta-secret-2')",
		"SELECT name FROM items WHERE id = 2",
		"SELECT * FROM missing_table WHERE code = 'gamma-secret'",
		"SELECT g FROM generate_series(1, 10000) g",
		"SELECT 4242")
	logOnFailure(t, "psql", out)
	psql := c.waitSpans(t, 6, func(s span) bool { return s.service == "psql" })
	checkSequence(t, "psql", psql, []spanWant{
		{"CREATE items", "items", ""}, {"INSERT items", "items", ""}, {"SELECT items", "items", ""},
		{"SELECT missing_table", "missing_table", "42P01"}, {"SELECT generate_series", "generate_series", ""},
		{"SELECT", "", ""},
	}, "postgresql", "postgres", srv.Port)

	pid := checkGoDBClient(t, c, goDBClient{
		program: "pgclient", dsn: "postgres://postgres@127.0.0.1:" + strconv.Itoa(srv.Port) + "/postgres?sslmode=disable",
		prefix: "pgx", large: "generate_series", errCode: "42P01", system: "postgresql", namespace: "postgres",
	}, srv.Port)

	if server := filterSpans(c.spans(), func(s span) bool { return s.service == "postgres" }); len(server) != 0 {
		t.Errorf("%d spans from the server's processes", len(server))
	}
	checkNoLiterals(t, c, "alpha-secret", "beta-secret", "gamma-secret", "pgx-secret", "= 2", "= 7", "4242")
	c.waitHistogramCount(t, "db.client.operation.duration", pid, 106)
}

func TestMariaDBClientsAreTraced(t *testing.T) {
	c := startCapture(t, nil, "*/mariadb", "*/mariadbd", peers.GoProgramGlob())
	srv := peers.MariaDB(t)
	out := peers.MariaDBClient(t, srv.Port, "", `CREATE DATABASE app;
USE app;
CREATE TABLE items (id int PRIMARY KEY, name text);
INSERT INTO items VALUES (1, 'alpha-secret-1'), (2, 'beta-secret-2');
SELECT name FROM items WHERE id = 2;
SELECT * FROM missing_table WHERE code = 'gamma-secret';
SELECT seq FROM seq_1_to_10000;
SELECT 4242;
`)
	logOnFailure(t, "mariadb", out)
	// The client runs USE as SELECT DATABASE(), then COM_INIT_DB, which
	// sets the namespace of what follows.
	cli := c.waitSpans(t, 8, func(s span) bool { return s.service == "mariadb" })
	sortByStart(cli)
	checkSequence(t, "mariadb before USE", cli[:2], []spanWant{{"CREATE", "", ""}, {"SELECT", "", ""}}, "mariadb", "", srv.Port)
	checkSequence(t, "mariadb", cli[2:], []spanWant{
		{"CREATE items", "items", ""}, {"INSERT items", "items", ""}, {"SELECT items", "items", ""},
		{"SELECT missing_table", "missing_table", "1146"}, {"SELECT seq_1_to_10000", "seq_1_to_10000", ""},
		{"SELECT", "", ""},
	}, "mariadb", "app", srv.Port)

	pid := checkGoDBClient(t, c, goDBClient{
		program: "mysqlclient", dsn: "root@tcp(127.0.0.1:" + strconv.Itoa(srv.Port) + ")/app",
		prefix: "my", large: "seq_1_to_10000", errCode: "1146", system: "mariadb", namespace: "app",
	}, srv.Port)

	if server := filterSpans(c.spans(), func(s span) bool { return s.service == "mariadbd" }); len(server) != 0 {
		t.Errorf("%d spans from the server's process", len(server))
	}
	checkNoLiterals(t, c, "alpha-secret", "beta-secret", "gamma-secret", "my-secret", "= 2", "= 7", "4242")
	c.waitHistogramCount(t, "db.client.operation.duration", pid, 106)
}

func TestPostgresTLSConnectionIsSkipped(t *testing.T) {
	c := startCapture(t, nil, "*/psql")
	srv := peers.PostgresTLS(t)
	peers.Psql(t, srv.Port, "dbname=postgres sslmode=require", "SELECT 'tls-secret'")
	// A plain connection after it: decoded, and a barrier for the capture.
	peers.Psql(t, srv.Port, "dbname=postgres sslmode=disable", "SELECT 1")
	spans := c.waitSpans(t, 1, func(s span) bool { return s.service == "psql" })
	if spans[0].name != "SELECT" || dbAttr(spans[0], "db.query.text") != "SELECT ?" {
		t.Errorf("plain connection span %q %v", spans[0].name, spans[0].attrs.AsRaw())
	}
	checkNoLiterals(t, c, "tls-secret")
}

func TestMariaDBTLSConnectionIsSkipped(t *testing.T) {
	c := startCapture(t, nil, "*/mariadb")
	srv := peers.MariaDBTLS(t)
	out := peers.MariaDBClientTLS(t, srv.Port, "SHOW STATUS LIKE 'Ssl_cipher';\nSELECT 'tls-secret';\n")
	logOnFailure(t, "mariadb over TLS", out)
	if !strings.Contains(out, "TLS") {
		t.Fatalf("the client did not use TLS: %q", out)
	}
	// A plain connection after it: decoded, and a barrier for the capture.
	peers.MariaDBClient(t, srv.Port, "", "SELECT 1;\n")
	spans := c.waitSpans(t, 1, func(s span) bool { return s.service == "mariadb" })
	if spans[0].name != "SELECT" || dbAttr(spans[0], "db.query.text") != "SELECT ?" {
		t.Errorf("plain connection span %q %v", spans[0].name, spans[0].attrs.AsRaw())
	}
	checkNoLiterals(t, c, "tls-secret", "Ssl_cipher")
}

// goDBClient describes a run of one of the Go client programs
// (cmd/pgclient, cmd/mysqlclient): create and fill PREFIX_items, a prepared
// select run 100 times and once more, a query of the missing PREFIX_missing,
// a large result from the large table, an update.
type goDBClient struct {
	program, dsn, prefix, large, errCode, system, namespace string
}

// checkGoDBClient runs the client and checks its 106 spans in order, and
// that the large result's span ends before the next statement; it returns
// the client's PID.
func checkGoDBClient(t *testing.T, c *captured, g goDBClient, port int) int {
	t.Helper()
	out := peers.Run(t, peers.GoProgram(t, g.program), "-n", "100", "-rows", "10000", g.dsn)
	pid, steps := clientSteps(t, out)
	spans := c.waitSpans(t, 106, func(s span) bool { return s.pid == int64(pid) })
	items, missing := g.prefix+"_items", g.prefix+"_missing"
	want := []spanWant{{"CREATE " + items, items, ""}, {"INSERT " + items, items, ""}}
	for range 101 {
		want = append(want, spanWant{"SELECT " + items, items, ""})
	}
	want = append(want, spanWant{"SELECT " + missing, missing, g.errCode},
		spanWant{"SELECT " + g.large, g.large, ""}, spanWant{"UPDATE " + items, items, ""})
	checkSequence(t, g.program, spans, want, g.system, g.namespace, port)
	sortByStart(spans)
	checkLargeThenNext(t, spans, 104, steps["large"])
	return pid
}
