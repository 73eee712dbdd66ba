package stream

import (
	"strings"
	"testing"

	"github.com/ebpfreceiver/ebpfreceiver/internal/call"
)

// redisWant is what a test expects of one Redis call.
type redisWant struct {
	op, text, namespace, errCode string
}

func checkRedisCalls(t *testing.T, calls []*call.Call, want []redisWant, secrets ...string) {
	t.Helper()
	for i := range max(len(calls), len(want)) {
		if i >= len(calls) || i >= len(want) {
			t.Errorf("%d calls, want %d", len(calls), len(want))
			break
		}
		c, w := calls[i], want[i]
		got := redisWant{c.DB.Operation, c.DB.QueryText, c.DB.Namespace, c.DB.ErrorCode}
		if got != w || c.DB.System != "redis" || c.Protocol != call.ProtocolRedis || c.Kind != call.KindClient ||
			c.End < c.Start || c.Start == 0 {
			t.Errorf("call %d: %+v %s %v %d..%d, want %+v", i, got, c.DB.System, c.Kind, c.Start, c.End, w)
		}
		for _, s := range secrets {
			if strings.Contains(c.DB.QueryText, s) {
				t.Errorf("call %d: %q in %q", i, s, c.DB.QueryText)
			}
		}
	}
}

// The redis-cli recording (RESP2): COMMAND DOCS, whose answer spans many
// reads, then a command per line: an error of type, an unknown command, a
// transaction, a SELECT that changes the namespace.
var redisCLIWant = []redisWant{
	{"COMMAND", "COMMAND ?", "0", ""},
	{"SET", "SET ? ?", "0", ""},
	{"GET", "GET ?", "0", ""},
	{"LPOP", "LPOP ?", "0", "WRONGTYPE"},
	{"NOSUCHCOMMAND", "NOSUCHCOMMAND ?", "0", "ERR"},
	{"MULTI", "MULTI", "0", ""},
	{"INCR", "INCR ?", "0", ""},
	{"GET", "GET ?", "0", ""},
	{"EXEC", "EXEC", "0", ""},
	{"SELECT", "SELECT ?", "4", ""},
	{"PING", "PING", "4", ""},
}

func TestRedisCLIRecording(t *testing.T) {
	for _, path := range []string{"redis-cli.seg", "redis-cli-resp3.seg"} {
		want := redisCLIWant
		if strings.Contains(path, "resp3") {
			want = append([]redisWant{{"HELLO", "HELLO ?", "0", ""}}, want...)
		}
		for _, capture := range []int{1 << 20, 1024, 256} {
			calls, h := replay(t, "../protocol/redis/testdata/"+path, RoleClient, capture, QueryTextSanitized)
			if st := h.tr.Stats(); st.Desyncs != 0 || st.PendingDropped != 0 || st.DecodeErrors["redis"] != 0 {
				t.Errorf("%s, capture %d: stats %+v", path, capture, st)
			}
			// The answer to COMMAND DOCS holds more headers than a
			// capture of 1024 bytes keeps: it is followed to the last
			// read before the next command, which redis-cli writes once
			// it has read the whole answer.
			docs := len(want) - len(redisCLIWant)
			if len(calls) == len(want) && calls[docs].End != calls[docs+1].Start-1000 {
				t.Errorf("%s, capture %d: COMMAND ends at %d, the next command starts at %d", path, capture,
					calls[docs].End, calls[docs+1].Start)
			}
			checkRedisCalls(t, calls, want, "cli-secret-value", "cli:key")
		}
	}
}

// The python3-redis recording (RESP2): SELECT 2 when connecting, a
// transaction and a pipeline, an error, and a subscription to two
// channels that receives two messages, then is given up.
var pythonRedisWant = []redisWant{
	{"SELECT", "SELECT ?", "2", ""},
	{"SET", "SET ? ?", "2", ""},
	{"GET", "GET ?", "2", ""},
	{"MULTI", "MULTI", "2", ""},
	{"INCRBY", "INCRBY ? ?", "2", ""},
	{"RPUSH", "RPUSH ? ? ?", "2", ""},
	{"EXEC", "EXEC", "2", ""},
	{"GET", "GET ?", "2", ""},
	{"GET", "GET ?", "2", ""},
	{"GET", "GET ?", "2", ""},
	{"GET", "GET ?", "2", ""},
	{"GET", "GET ?", "2", ""},
	{"LPOP", "LPOP ?", "2", "WRONGTYPE"},
	{"SUBSCRIBE", "SUBSCRIBE ? ?", "2", ""},
	{"UNSUBSCRIBE", "UNSUBSCRIBE", "2", ""},
}

func TestRedisPythonRecording(t *testing.T) {
	for _, capture := range []int{1 << 20, 1024, 256} {
		calls, h := replay(t, "../protocol/redis/testdata/python-redis.seg", RoleClient, capture, QueryTextSanitized)
		checkRedisCalls(t, calls, pythonRedisWant, "py-secret-value", "py:key", "first")
		if st := h.tr.Stats(); st.Desyncs != 0 || st.PendingDropped != 0 {
			t.Errorf("capture %d: stats %+v", capture, st)
		}
	}
}

func TestRedisRawText(t *testing.T) {
	calls, _ := replay(t, "../protocol/redis/testdata/python-redis.seg", RoleClient, 1<<20, QueryTextRaw)
	if len(calls) != len(pythonRedisWant) || calls[1].DB.QueryText != "SET py:key py-secret-value" ||
		calls[5].DB.QueryText != "RPUSH py:list a b" {
		t.Fatalf("raw texts: %q", texts(calls))
	}
	calls, _ = replay(t, "../protocol/redis/testdata/python-redis.seg", RoleClient, 1<<20, QueryTextOff)
	for _, c := range calls {
		if c.DB.QueryText != "" {
			t.Errorf("query text off: %q", c.DB.QueryText)
		}
	}
}

func TestRedisServerSideIgnored(t *testing.T) {
	h := newHarness(t, RoleUnknown)
	h.protocol = call.ProtocolRedis
	for _, r := range loadRecording(t, "../protocol/redis/testdata/python-redis.seg") {
		h.send(r.dir^3, r.data) // as the server saw it
	}
	if len(h.calls) != 0 || h.tr.Stats().DBServerSessions != 1 {
		t.Fatalf("server side: %d calls, stats %+v", len(h.calls), h.tr.Stats())
	}
}

func texts(calls []*call.Call) []string {
	var out []string
	for _, c := range calls {
		out = append(out, c.DB.QueryText)
	}
	return out
}

// Messages that arrive while a command waits answer nothing: in RESP2 once
// the connection subscribed, and as RESP3 pushes (an invalidation, here).
func TestRedisMessagesAreNotReplies(t *testing.T) {
	for _, tc := range []struct {
		name     string
		segments []string // alternately written and read, from the first write
	}{
		{"resp2", []string{
			"*2\r\n$9\r\nSUBSCRIBE\r\n$2\r\nch\r\n", "*3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n",
			"*1\r\n$4\r\nPING\r\n", "*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n",
			"", "*2\r\n$4\r\npong\r\n$0\r\n\r\n",
		}},
		{"resp3", []string{
			"*2\r\n$5\r\nHELLO\r\n$1\r\n3\r\n", "%1\r\n$5\r\nproto\r\n:3\r\n",
			"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n", ">2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\nk\r\n",
			"", "$1\r\nv\r\n",
		}},
	} {
		h := newHarness(t, RoleClient)
		h.protocol = call.ProtocolRedis
		var times []uint64
		for i, seg := range tc.segments {
			dir := Egress
			if i%2 == 1 {
				dir = Ingress
			}
			if seg != "" {
				times = append(times, h.send(dir, seg))
			}
		}
		if len(h.calls) != 2 || h.calls[1].End != times[len(times)-1] || h.calls[1].DB.Operation == "" {
			for _, c := range h.calls {
				t.Logf("%s %d..%d", c.DB.Operation, c.Start, c.End)
			}
			t.Errorf("%s: %d calls; the second must end at its reply, %d", tc.name, len(h.calls), times[len(times)-1])
		}
	}
}
