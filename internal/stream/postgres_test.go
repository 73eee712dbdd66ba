package stream

import (
	"strings"
	"testing"

	"github.com/ebpfreceiver/ebpfreceiver/internal/call"
	"github.com/ebpfreceiver/ebpfreceiver/internal/recording"
)

// recorded is one syscall of a client recorded from a real connection:
// '>' for bytes it wrote, '<' for bytes it read.
type recorded struct {
	dir  Direction
	data string
}

// loadRecording reads a recorded connection (internal/recording) as seen
// from its client.
func loadRecording(t testing.TB, path string) []recorded {
	t.Helper()
	reads, err := recording.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]recorded, len(reads))
	for i, r := range reads {
		out[i] = recorded{dir: Ingress, data: string(r.Data)}
		if r.FromClient {
			out[i].dir = Egress
		}
	}
	return out
}

// replay feeds a recording as segments captured up to capture bytes, and
// returns the calls.
func replay(t *testing.T, path string, role Role, capture int, mode QueryTextMode) ([]*call.Call, *harness) {
	t.Helper()
	h := newHarness(t, role)
	switch h.protocol = call.ProtocolPostgres; {
	case strings.Contains(path, "mysql"):
		h.protocol = call.ProtocolMySQL
	case strings.Contains(path, "redis"):
		h.protocol = call.ProtocolRedis
	case strings.Contains(path, "mongo"):
		h.protocol = call.ProtocolMongoDB
	case strings.Contains(path, "kafka"):
		h.protocol = call.ProtocolKafka
	}
	h.tr = NewTracker(Config{DBQueryText: mode}, func(c *call.Call) { h.calls = append(h.calls, c) })
	for _, r := range loadRecording(t, path) {
		h.cut(r.dir, r.data, capture)
	}
	return h.calls, h
}

// dbWant is what a test expects of one database call.
type dbWant struct {
	summary, collection, errCode string
	rows                         int64
}

func checkDBCalls(t *testing.T, calls []*call.Call, system, namespace string, want []dbWant, secrets ...string) {
	t.Helper()
	if len(calls) != len(want) {
		for _, c := range calls {
			t.Logf("%+v", c.DB)
		}
		t.Fatalf("%d calls, want %d", len(calls), len(want))
	}
	for i, c := range calls {
		w, db := want[i], c.DB
		if db.System != system || db.Namespace != namespace || db.Summary != w.summary ||
			db.Collection != w.collection || db.ErrorCode != w.errCode || (w.rows != -2 && db.Rows != w.rows) {
			t.Errorf("call %d: %+v, want %s/%s %+v", i, db, system, namespace, w)
		}
		if c.Kind != call.KindClient || c.End < c.Start || c.Start == 0 {
			t.Errorf("call %d: kind %v, %d..%d", i, c.Kind, c.Start, c.End)
		}
		for _, s := range secrets {
			if strings.Contains(db.QueryText, s) || strings.Contains(db.Summary, s) {
				t.Errorf("call %d: literal %q in %q", i, s, db.QueryText)
			}
		}
	}
}

// The psql recording: SSLRequest refused, then one simple query per
// statement. CREATE and INSERT fail (they ran before), COPY and a
// 3000-row SELECT return rows.
var psqlWant = []dbWant{
	{"CREATE items", "items", "42P07", -1},
	{"INSERT items", "items", "23505", -1},
	{"SELECT items", "items", "", 1},
	{"SELECT missing_table", "missing_table", "42P01", -1},
	{"COPY", "", "", 2},
	{"SELECT generate_series", "generate_series", "", 3000},
	{"SELECT", "", "", 1},
}

func TestPostgresPsqlRecording(t *testing.T) {
	calls, h := replay(t, "../protocol/postgres/testdata/psql.seg", RoleClient, 1<<20, QueryTextSanitized)
	checkDBCalls(t, calls, "postgresql", "postgres", psqlWant, "alpha-secret", "beta-secret")
	if st := h.tr.Stats(); st.Desyncs != 0 || st.PendingDropped != 0 {
		t.Errorf("stats %+v", st)
	}
}

func TestPostgresPsqlRecordingCutCapture(t *testing.T) {
	calls, _ := replay(t, "../protocol/postgres/testdata/psql.seg", RoleClient, 1024, QueryTextSanitized)
	want := append([]dbWant(nil), psqlWant...)
	want[5].rows = -1 // the tag was in bytes never captured
	checkDBCalls(t, calls, "postgresql", "postgres", want, "alpha-secret", "beta-secret")
}

// The pgx recording: extended protocol throughout; a named prepared
// statement executed 3 times; a 2000-row result.
var pgxWant = []dbWant{
	{"CREATE pgx_items", "pgx_items", "", -1},
	{"INSERT pgx_items", "pgx_items", "", 2},
	{"SELECT pgx_items", "pgx_items", "", 1},
	{"SELECT pgx_items", "pgx_items", "", 1},
	{"SELECT pgx_items", "pgx_items", "", 1},
	{"SELECT pgx_items", "pgx_items", "", 1},
	{"SELECT pgx_missing", "pgx_missing", "42P01", -1},
	{"SELECT generate_series", "generate_series", "", 2000},
	{"UPDATE pgx_items", "pgx_items", "", 1},
}

func TestPostgresPgxRecording(t *testing.T) {
	for _, capture := range []int{1 << 20, 1024, 256} {
		calls, _ := replay(t, "../protocol/postgres/testdata/pgx.seg", RoleClient, capture, QueryTextSanitized)
		want := append([]dbWant(nil), pgxWant...)
		if capture < 1<<20 {
			want[7].rows = -2 // any: the tag may lie beyond the capture
		}
		checkDBCalls(t, calls, "postgresql", "postgres", want, "pgx-secret", "'7'", "= 7")
	}
}

func TestPostgresServerSideIgnored(t *testing.T) {
	h := newHarness(t, RoleUnknown)
	h.protocol = call.ProtocolPostgres
	for _, r := range loadRecording(t, "../protocol/postgres/testdata/psql.seg") {
		h.send(r.dir^3, r.data) // as the server saw it: reads and writes swapped
	}
	if len(h.calls) != 0 || h.tr.Stats().DBServerSessions != 1 {
		t.Fatalf("server side: %d calls, stats %+v", len(h.calls), h.tr.Stats())
	}
}

func TestPostgresTLSSkipped(t *testing.T) {
	h := newHarness(t, RoleClient)
	h.protocol = call.ProtocolPostgres
	h.send(Egress, "\x00\x00\x00\x08\x04\xd2\x16\x2f")
	h.send(Ingress, "S")
	h.send(Egress, "\x16\x03\x01\x00\xf4\x01\x00\x00\xf0\x03\x03")
	h.send(Ingress, "\x16\x03\x03\x00\x7a\x02\x00\x00\x76\x03\x03")
	if len(h.calls) != 0 || h.tr.Stats().EncryptedSkipped != 1 || h.tr.Stats().Desyncs != 0 {
		t.Fatalf("calls %d stats %+v", len(h.calls), h.tr.Stats())
	}
}

func TestPostgresQueryTextModes(t *testing.T) {
	for mode, want := range map[QueryTextMode]string{
		QueryTextSanitized: "SELECT name FROM items WHERE id = ?",
		QueryTextRaw:       "SELECT name FROM items WHERE id = 2",
		QueryTextOff:       "",
	} {
		calls, _ := replay(t, "../protocol/postgres/testdata/psql.seg", RoleClient, maxCaptured, mode)
		if len(calls) < 3 || calls[2].DB.QueryText != want {
			t.Errorf("mode %d: %q, want %q", mode, calls[2].DB.QueryText, want)
		}
	}
}

// pgPrepared replays the pgx recording into a tracker that lends calls and
// returns it with the segments of one execution of its named prepared
// statement, and a pointer to the count of calls for that statement.
func pgPrepared(t testing.TB) (h *harness, out, in Segment, n *int) {
	rec := loadRecording(t, "../protocol/postgres/testdata/pgx.seg")
	h = &harness{now: 1_000_000, role: RoleClient, protocol: call.ProtocolPostgres}
	n = new(int)
	h.tr = NewTracker(Config{LendCalls: true}, func(c *call.Call) {
		if c.DB.Summary == "SELECT pgx_items" && c.DB.QueryText == "SELECT name FROM pgx_items WHERE id = $1" {
			*n++
		}
	})
	var exec, answer string
	for i, r := range rec {
		h.send(r.dir, r.data)
		if r.dir == Egress && strings.Contains(r.data, "item_by_id") && strings.HasPrefix(r.data, "B") {
			exec, answer = r.data, rec[i+1].data
		}
	}
	if exec == "" {
		t.Fatal("no execution of the prepared statement in the recording")
	}
	out = Segment{Protocol: call.ProtocolPostgres, ConnID: 1, PID: testPID, Dir: Egress, Role: RoleClient, Len: uint32(len(exec)), Data: []byte(exec)}
	in = Segment{Protocol: call.ProtocolPostgres, ConnID: 1, PID: testPID, Dir: Ingress, Role: RoleClient, Len: uint32(len(answer)), Data: []byte(answer)}
	return h, out, in, n
}

// execute feeds one execution and its answer.
func (h *harness) execute(out, in *Segment) {
	out.Time, in.Time = h.now+1, h.now+2
	h.now += 2
	h.tr.Segment(out)
	h.tr.Segment(in)
}

func TestPostgresPreparedExecuteAllocatesNothing(t *testing.T) {
	h, out, in, n := pgPrepared(t)
	before := *n
	allocs := testing.AllocsPerRun(100, func() { h.execute(&out, &in) })
	if allocs != 0 || *n-before != 101 {
		t.Errorf("%v allocations per execution, %d calls for 101 executions", allocs, *n-before)
	}
}

func BenchmarkPostgresPreparedExecute(b *testing.B) {
	h, out, in, n := pgPrepared(b)
	before := *n
	for b.Loop() {
		h.execute(&out, &in)
	}
	if *n-before != b.N {
		b.Fatalf("%d calls for %d executions", *n-before, b.N)
	}
}

func TestPostgresJoinedMidConnection(t *testing.T) {
	rec := loadRecording(t, "../protocol/postgres/testdata/psql.seg")
	h := newHarness(t, RoleUnknown)
	h.protocol = call.ProtocolPostgres
	// From the answer to the INSERT on: the first segment is the server's.
	start := 0
	for i, r := range rec {
		if r.dir == Egress && strings.Contains(r.data, "INSERT") {
			start = i + 1
		}
	}
	for _, r := range rec[start:] {
		h.send(r.dir, r.data)
	}
	if len(h.calls) != len(psqlWant)-2 || h.tr.Stats().DBServerSessions != 0 {
		t.Fatalf("%d calls, stats %+v", len(h.calls), h.tr.Stats())
	}
	checkDBCalls(t, h.calls, "postgresql", "", psqlWant[2:])
}

// pgMsg frames one PostgreSQL message.
func pgMsg(typ byte, body string) string {
	n := len(body) + 4
	return string([]byte{typ, byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}) + body
}

// pgExec is the extended-protocol sequence for one unnamed statement.
func pgExec(text string) string {
	return pgMsg('P', "\x00"+text+"\x00\x00\x00") + pgMsg('B', "\x00\x00\x00\x00\x00\x00\x00\x00") +
		pgMsg('D', "P\x00") + pgMsg('E', "\x00\x00\x00\x00\x00")
}

func TestPostgresPipelinedBatch(t *testing.T) {
	h := newHarness(t, RoleClient)
	h.protocol = call.ProtocolPostgres
	h.send(Egress, pgExec("SELECT * FROM a WHERE x = 1")+pgExec("UPDATE b SET y = 'z'")+pgMsg('S', ""))
	h.send(Ingress, pgMsg('1', "")+pgMsg('2', "")+pgMsg('T', "\x00\x00")+pgMsg('D', "\x00\x00")+pgMsg('C', "SELECT 1\x00")+
		pgMsg('1', "")+pgMsg('2', "")+pgMsg('n', "")+pgMsg('C', "UPDATE 4\x00")+pgMsg('Z', "I"))
	// A failing first statement: the server skips the rest up to Sync.
	h.send(Egress, pgExec("SELECT * FROM nope")+pgExec("DELETE FROM b")+pgMsg('S', ""))
	h.send(Ingress, pgMsg('E', "SERROR\x00C42P01\x00Mno\x00\x00")+pgMsg('Z', "I"))
	checkDBCalls(t, h.calls, "postgresql", "", []dbWant{
		{"SELECT a", "a", "", 1}, {"UPDATE b", "b", "", 4}, {"SELECT nope", "nope", "42P01", -1},
	}, "'z'", "= 1")
	if st := h.tr.Stats(); st.PendingDropped != 0 || st.Desyncs != 0 {
		t.Errorf("stats %+v", st)
	}
}
