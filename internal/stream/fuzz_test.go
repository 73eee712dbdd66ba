package stream

import (
	"testing"

	"github.com/ebpfreceiver/ebpfreceiver/internal/call"
)

// Each fuzz operation is an op byte, then for segments a length byte and
// that many data bytes. Op bits: 0-1 kind (0, 1 segment; 2 close; 3 evict
// or forget), 2 direction, 3-4 role, 5 connection, 6 capture only the first
// half, 7 one more byte follows that adds n×64 uncaptured bytes (n×64 bytes
// of sendfile when the data is empty).
const (
	opClose   = 2
	opEvict   = 3
	opEgress  = 1 << 2
	opServer  = 2 << 3
	opConn2   = 1 << 5
	opHalf    = 1 << 6
	opLongLen = 1 << 7
)

// encodeSegment writes a segment operation for a seed.
func encodeSegment(op byte, data string, extra byte) []byte {
	b := append([]byte{op, byte(len(data))}, data...)
	if op&opLongLen != 0 {
		b = append(b, extra)
	}
	return b
}

// fuzzSeeds are scenarios from the table tests, encoded.
func fuzzSeeds() [][]byte {
	pair := append(encodeSegment(opServer, get("/a"), 0), encodeSegment(opServer|opEgress, goHello, 0)...)
	chunked := append(encodeSegment(0, get("/c"), 0), encodeSegment(opEgress|opLongLen, goChunkedHead[:100], 3)...)
	chunked = append(chunked, encodeSegment(opEgress, "0\r\n\r\n", 0)...)
	sendfile := append(encodeSegment(opServer, get("/f"), 0), encodeSegment(opServer|opEgress, nginxHead, 0)...)
	sendfile = append(sendfile, encodeSegment(opServer|opEgress|opLongLen, "", 10)...)
	return [][]byte{
		pair, chunked, sendfile,
		append(encodeSegment(opHalf, get("/cut"), 0), opClose),
		append(encodeSegment(opConn2|opEgress, pythonBareHead, 0), opEvict, opClose|opConn2),
		encodeSegment(0, get("/p")+get("/q"), 0),
	}
}

func FuzzTracker(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		emitted := uint64(0)
		tr := NewTracker(Config{MaxPending: 4}, func(c *call.Call) {
			emitted++
			checkCall(t, c)
		})
		runOps(tr, in, call.ProtocolHTTP1)
		tr.Close(1, ^uint64(0))
		tr.Close(2, ^uint64(0))
		if s := tr.Stats(); s.Connections != 0 || s.CallsEmitted != emitted {
			t.Fatalf("after closing every connection: %+v, emitted %d", s, emitted)
		}
	})
}

// runOps decodes and applies fuzz operations to connections the kernel
// took for protocol p.
func runOps(tr *Tracker, in []byte, p call.Protocol) {
	now := uint64(1000)
	for len(in) > 0 {
		op := in[0]
		in = in[1:]
		now += uint64(op % 7) // sometimes no progress; never backwards here
		conn := uint64(1 + (op>>5)&1)
		switch op & 3 {
		case opClose:
			tr.Close(conn, now)
		case opEvict:
			tr.Evict(now)
			tr.Forget(testPID + uint32(op>>7))
		default:
			var s Segment
			s, in = decodeSegment(op, in)
			s.ConnID, s.Time, s.PID, s.Protocol = conn, now, testPID, p
			tr.Segment(&s)
		}
	}
}

// decodeSegment reads one segment's length and data bytes after op.
func decodeSegment(op byte, in []byte) (Segment, []byte) {
	s := Segment{Dir: Ingress, Role: Role((op >> 3) & 3)}
	if op&opEgress != 0 {
		s.Dir = Egress
	}
	if len(in) == 0 {
		return s, in
	}
	n := min(int(in[0]), len(in)-1)
	data := in[1 : 1+n]
	in = in[1+n:]
	s.Len, s.Data = uint32(n), data
	if op&opHalf != 0 {
		s.Data = data[:n/2]
		s.Tail = data[max(n/2, n-8):]
	}
	if op&opLongLen != 0 && len(in) > 0 {
		s.Len += uint32(in[0]) * 64
		s.Tail = nil
		in = in[1:]
	}
	return s, in
}

// checkCall checks what every emitted call must satisfy.
func checkCall(t *testing.T, c *call.Call) {
	t.Helper()
	h := c.HTTP
	if c.Protocol != call.ProtocolHTTP1 || (c.Kind != call.KindServer && c.Kind != call.KindClient) ||
		c.Start > c.End || c.PID != testPID || h.Method == "" ||
		h.RequestBodySize < -1 || h.ResponseBodySize < -1 || (h.Status != 0 && (h.Status < 100 || h.Status > 999)) {
		t.Fatalf("bad call %+v", c)
	}
}
