package stream

import (
	"strings"
	"testing"

	"github.com/ebpfreceiver/ebpfreceiver/internal/call"
)

// The mariadb client recording: CREATE and INSERT fail (they ran before),
// a 3000-row SELECT.
var mariadbCLIWant = []dbWant{
	{"CREATE items", "items", "1050", -1},
	{"INSERT items", "items", "1062", -1},
	{"SELECT items", "items", "", 1},
	{"SELECT missing_table", "missing_table", "1146", -1},
	{"SELECT seq_1_to_3000", "seq_1_to_3000", "", 3000},
	{"SELECT", "", "", 1},
}

func TestMySQLMariaDBClientRecording(t *testing.T) {
	for _, capture := range []int{1 << 20, 1024, 256} {
		calls, h := replay(t, "../protocol/mysql/testdata/mariadb.seg", RoleClient, capture, QueryTextSanitized)
		want := append([]dbWant(nil), mariadbCLIWant...)
		if capture < 1<<20 {
			want[4].rows = -1
		}
		checkDBCalls(t, calls, "mariadb", "app", want, "alpha-secret", "beta-secret")
		if st := h.tr.Stats(); capture == 1<<20 && (st.Desyncs != 0 || st.PendingDropped != 0) {
			t.Errorf("stats %+v", st)
		}
	}
}

// The go-sql-driver recording: text queries, a server-side prepared
// statement executed 3 times, a 2000-row result.
var goMySQLWant = []dbWant{
	{"CREATE my_items", "my_items", "", 0},
	{"INSERT my_items", "my_items", "", 2},
	{"SELECT my_items", "my_items", "", 1},
	{"SELECT my_items", "my_items", "", 1},
	{"SELECT my_items", "my_items", "", 1},
	{"SELECT my_items", "my_items", "", 1},
	{"SELECT my_missing", "my_missing", "1146", -1},
	{"SELECT seq_1_to_2000", "seq_1_to_2000", "", 2000},
	{"UPDATE my_items", "my_items", "", 1},
}

func TestMySQLGoDriverRecording(t *testing.T) {
	for _, capture := range []int{1 << 20, 1024, 256} {
		calls, _ := replay(t, "../protocol/mysql/testdata/gomysql.seg", RoleClient, capture, QueryTextSanitized)
		want := append([]dbWant(nil), goMySQLWant...)
		if capture < 1<<20 {
			want[7].rows = -1
		}
		checkDBCalls(t, calls, "mariadb", "app", want, "my-secret", "= 7", "= 2")
	}
}

func TestMySQLServerSideIgnored(t *testing.T) {
	h := newHarness(t, RoleUnknown)
	h.protocol = call.ProtocolMySQL
	for _, r := range loadRecording(t, "../protocol/mysql/testdata/mariadb.seg") {
		h.send(r.dir^3, r.data)
	}
	if len(h.calls) != 0 || h.tr.Stats().DBServerSessions != 1 {
		t.Fatalf("server side: %d calls, stats %+v", len(h.calls), h.tr.Stats())
	}
}

func TestMySQLTLSSkipped(t *testing.T) {
	rec := loadRecording(t, "../protocol/mysql/testdata/mariadb.seg")
	h := newHarness(t, RoleClient)
	h.protocol = call.ProtocolMySQL
	h.send(Ingress, rec[0].data) // the greeting
	// SSLRequest: capabilities with CLIENT_SSL, max packet, charset, filler.
	h.send(Egress, "\x20\x00\x00\x01\x00\x0a\xa0\x01\x00\x00\x00\x01\x21"+string(make([]byte, 23)))
	h.send(Egress, "\x16\x03\x01\x00\xf4\x01\x00\x00\xf0\x03\x03")
	h.send(Ingress, "\x16\x03\x03\x00\x7a\x02\x00\x00\x76\x03\x03")
	if len(h.calls) != 0 || h.tr.Stats().EncryptedSkipped != 1 {
		t.Fatalf("calls %d stats %+v", len(h.calls), h.tr.Stats())
	}
}

// FuzzDBSessions feeds segments to the sessions of database and messaging
// clients: a first byte names the protocol the kernel took the connection
// for (modulo 5: PostgreSQL, MySQL, Redis, MongoDB, Kafka), then each segment is a header byte (bit 0 direction, bits
// 1-7 how much of it was captured, in sixteenths), two length bytes, and
// the data. Seeds are the first segments of the recordings.
func FuzzDBSessions(f *testing.F) {
	for _, path := range []string{
		"../protocol/postgres/testdata/psql.seg", "../protocol/postgres/testdata/pgx.seg",
		"../protocol/mysql/testdata/mariadb.seg", "../protocol/mysql/testdata/gomysql.seg",
		"../protocol/redis/testdata/python-redis.seg", "../protocol/redis/testdata/redis-cli-resp3.seg",
		"../protocol/mongo/testdata/go-driver-2.seg", "../protocol/kafka/testdata/kcat-consume.seg",
		"../protocol/kafka/testdata/franz-go-3.seg",
	} {
		seed := []byte{0} // PostgreSQL
		switch {
		case strings.Contains(path, "mysql"):
			seed[0] = 1
		case strings.Contains(path, "redis"):
			seed[0] = 2
		case strings.Contains(path, "mongo"):
			seed[0] = 3
		case strings.Contains(path, "kafka"):
			seed[0] = 4
		}
		for i, r := range loadRecording(f, path) {
			if i == 24 {
				break
			}
			data := r.data[:min(len(r.data), 600)]
			seed = append(seed, byte(r.dir-1)|0xfe, byte(len(data)), byte(len(data)>>8))
			seed = append(seed, data...)
		}
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		h := newHarness(t, RoleClient)
		if len(in) > 0 {
			h.protocol = [...]call.Protocol{call.ProtocolPostgres, call.ProtocolMySQL, call.ProtocolRedis, call.ProtocolMongoDB, call.ProtocolKafka}[in[0]%5]
			in = in[1:]
		}
		for len(in) >= 3 {
			hdr, n := in[0], int(in[1])|int(in[2])<<8
			in = in[3:]
			data := string(in[:min(n, len(in))])
			in = in[len(data):]
			h.cut(Direction(hdr&1)+1, data, len(data)*int(hdr>>1)/127)
		}
		h.tr.Close(1, h.now)
		for _, c := range h.calls {
			if c.End < c.Start || c.Protocol != h.protocol {
				t.Fatalf("call %+v", c)
			}
		}
	})
}

func TestMySQLMultiPacketQuery(t *testing.T) {
	h := newHarness(t, RoleClient)
	h.protocol = call.ProtocolMySQL
	// A COM_QUERY of 16 MiB + 10 bytes: a full packet, then the rest.
	text := "SELECT 'x" + strings.Repeat("y", 0xFFFFFF-10)
	first := "\xff\xff\xff\x00\x03" + text[:0xFFFFFF-1]
	h.cut(Egress, first, 1024)
	h.cut(Egress, "\x0b\x00\x00\x01"+"yyyyyyyyy' ", 1024) // the continuation: seq 1, no command
	h.send(Ingress, "\x07\x00\x00\x02\x00\x00\x00\x02\x00\x00\x00")
	h.send(Egress, "\x09\x00\x00\x00\x03SELECT 1")
	h.send(Ingress, "\x01\x00\x00\x01\x01"+"\x17\x00\x00\x02\x03def\x00\x00\x00\x011\x00\x0c?\x00\x01\x00\x00\x00\x08\x81\x00\x00\x00\x00"+
		"\x02\x00\x00\x03\x011"+"\x07\x00\x00\x04\xfe\x00\x00\x02\x00\x00\x00")
	if len(h.calls) != 2 {
		t.Fatalf("%d calls", len(h.calls))
	}
	if db := h.calls[0].DB; db.Summary != "SELECT" || strings.Contains(db.QueryText, "y") || db.Rows != 0 {
		t.Errorf("long query: %+v", db)
	}
	if db := h.calls[1].DB; db.QueryText != "SELECT ?" || db.Rows != 1 {
		t.Errorf("next query: %+v", db)
	}
}

func TestMySQLPreparedExecuteAllocatesNothing(t *testing.T) {
	rec := loadRecording(t, "../protocol/mysql/testdata/gomysql.seg")
	h := newHarness(t, RoleClient)
	h.protocol = call.ProtocolMySQL
	n := 0
	h.tr = NewTracker(Config{LendCalls: true}, func(c *call.Call) {
		if c.DB.QueryText == "SELECT name FROM my_items WHERE id = ?" {
			n++
		}
	})
	var exec, answer string
	for i, r := range rec {
		h.send(r.dir, r.data)
		if r.dir == Egress && len(r.data) > 4 && r.data[4] == 0x17 && exec == "" {
			exec, answer = r.data, rec[i+1].data
		}
	}
	if exec == "" {
		t.Fatal("no COM_STMT_EXECUTE in the recording")
	}
	// Prepare the statement again under the id the execution names.
	h.send(Egress, "\x27\x00\x00\x00\x16SELECT name FROM my_items WHERE id = ?")
	h.send(Ingress, "\x0c\x00\x00\x01\x00"+exec[5:9]+"\x01\x00\x01\x00\x00\x00\x00")
	before := n
	out := Segment{Protocol: call.ProtocolMySQL, ConnID: 1, PID: testPID, Dir: Egress, Role: RoleClient, Len: uint32(len(exec)), Data: []byte(exec)}
	in := Segment{Protocol: call.ProtocolMySQL, ConnID: 1, PID: testPID, Dir: Ingress, Role: RoleClient, Len: uint32(len(answer)), Data: []byte(answer)}
	allocs := testing.AllocsPerRun(100, func() {
		out.Time, in.Time = h.now+1, h.now+2
		h.now += 2
		h.tr.Segment(&out)
		h.tr.Segment(&in)
	})
	if allocs != 0 || n-before != 101 {
		t.Errorf("%v allocations per execution, %d calls for 101 executions", allocs, n-before)
	}
}
