package mysql

import (
	"strings"
	"testing"

	rec "github.com/ebpfreceiver/ebpfreceiver/internal/recording"
)

// recording returns the reads of a recorded client connection.
func recording(t testing.TB, path string) [][]byte {
	t.Helper()
	reads, err := rec.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	segs := make([][]byte, len(reads))
	for i, r := range reads {
		segs[i] = r.Data
	}
	return segs
}

func TestHandshakeFromRecording(t *testing.T) {
	for _, path := range []string{"testdata/mariadb.seg", "testdata/gomysql.seg"} {
		segs := recording(t, path)
		greeting, response := segs[0], segs[1]
		if !LooksLikeGreeting(greeting) || LooksLikeCommand(greeting) {
			t.Fatalf("%s: greeting not recognised", path)
		}
		g, ok := ParseGreeting(greeting[HeaderLen:])
		if !ok || !g.MariaDB() || !strings.Contains(string(g.Version), "10.11") || g.Capabilities&ClientProtocol41 == 0 {
			t.Errorf("%s: greeting %q %x %v", path, g.Version, g.Capabilities, ok)
		}
		seq, n, _ := ParseHeader(response)
		r, ok := ParseHandshakeResponse(response[HeaderLen:], n)
		if seq != 1 || !ok || r.SSLRequest || string(r.Database) != "app" {
			t.Errorf("%s: response seq %d %+v %v", path, seq, r, ok)
		}
	}
}

func TestCommandsAndAnswers(t *testing.T) {
	if !LooksLikeCommand([]byte("\x09\x00\x00\x00\x03SELECT 1")) || LooksLikeCommand([]byte("\x09\x00\x00\x01\x03SELECT 1")) ||
		LooksLikeCommand([]byte("\x09\x00\x00\x00\x03\x00\x01\x02\x03")) || !LooksLikeCommand([]byte("\x01\x00\x00\x00\x0e")) {
		t.Error("LooksLikeCommand")
	}
	errPkt := []byte("\xff\x7a\x04#42S02Table 'app.x' doesn't exist")
	if code := ErrorCode(errPkt, nil); string(code) != "1146" {
		t.Errorf("error code %q", code)
	}
	if h, affected, status, ok := ParseOK([]byte("\x00\x02\x00\x02\x00\x00\x00")); !ok || h != 0 || affected != 2 || status != 2 {
		t.Errorf("OK: %d %d %v", affected, status, ok)
	}
	if st, ok := Status([]byte("\xfe\x00\x00\x0a\x00")); !ok || st&ServerMoreResultsExists == 0 {
		t.Errorf("EOF status %x", st)
	}
	if p, ok := ParsePrepareOK([]byte("\x00\x01\x00\x00\x00\x01\x00\x01\x00\x00\x00\x00")); !ok || p != (PrepareOK{StatementID: 1, Columns: 1, Params: 1}) {
		t.Errorf("prepare OK %+v", p)
	}
	for in, want := range map[string][2]any{"\x01": {uint64(1), true}, "\x01\x00": {uint64(1), false}, "\xfc\x00\x01": {uint64(256), true}} {
		n, defs, _ := ColumnCount([]byte(in))
		if n != want[0] || defs != want[1] {
			t.Errorf("column count %q: %d %v", in, n, defs)
		}
	}
	if !IsTerminator([]byte("\xfe\x00\x00\x02\x00"), 5) || IsTerminator([]byte("\xfe"), MaxPayload) || !IsEOF([]byte("\xfe"), 5) {
		t.Error("terminators")
	}
}

func TestEndOfResult(t *testing.T) {
	rows := "\x02\x00\x00\x05\x01\x37" + "\x05\x00\x00\x06\xfe\x00\x00\x22\x00"
	if p := LastPacket([]byte(rows)); len(p) != 5 || p[0] != EOFHeader {
		t.Errorf("LastPacket %q", p)
	}
	if !TailEndsResult([]byte(rows[len(rows)-8:])) {
		t.Error("classic EOF tail")
	}
	okEnd := "\x07\x00\x00\x09\xfe\x00\x00\x02\x00\x00\x00"
	if !TailEndsResult([]byte(okEnd[len(okEnd)-8:])) || TailEndsResult([]byte("abcdefgh")) {
		t.Error("OK tail")
	}
}

func FuzzPackets(f *testing.F) {
	for _, path := range []string{"testdata/mariadb.seg", "testdata/gomysql.seg"} {
		segs := recording(f, path)
		for _, s := range segs {
			f.Add(s[:min(len(s), 2048)])
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		LooksLikeGreeting(b)
		LooksLikeCommand(b)
		LastPacket(b)
		TailEndsResult(b)
		for pos := 0; pos+HeaderLen <= len(b); {
			_, n, _ := ParseHeader(b[pos:])
			p := b[pos+HeaderLen : min(len(b), pos+HeaderLen+n)]
			ParseGreeting(p)
			ParseHandshakeResponse(p, n)
			ParseOK(p)
			Status(p)
			ErrorCode(p, nil)
			ColumnCount(p)
			ParsePrepareOK(p)
			StatementID(p)
			pos += HeaderLen + n
		}
	})
}
