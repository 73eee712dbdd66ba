package postgres

import (
	"bytes"
	"testing"
)

func TestParseHeader(t *testing.T) {
	tests := []struct {
		in       string
		frontend bool
		typ      byte
		n        int
		ok       bool
	}{
		{"Q\x00\x00\x00\x0dSELECT 1\x00", true, 'Q', 9, true},
		{"Z\x00\x00\x00\x05I", false, 'Z', 1, true},
		{"Z\x00\x00\x00\x05I", true, 'Z', 0, false}, // not a client message
		{"Q\x00\x00\x00\x03", true, 'Q', 0, false},  // length below itself
		{"Q\x7f\x00\x00\x00", true, 'Q', 0, false},  // over 1 GiB
		{"Q\x00\x00", true, 0, 0, false},            // short
		{"GET / HTTP/1.1\r\n", true, 'G', 0, false}, // HTTP
		{"D\x00\x00\x00\x04", false, 'D', 0, true},  // empty body
		{"C\x00\x00\x00\x0dSELECT 1\x00", false, 'C', 9, true},
	}
	for _, tt := range tests {
		typ, n, ok := ParseHeader([]byte(tt.in), tt.frontend)
		if ok != tt.ok || (ok && (typ != tt.typ || n != tt.n)) {
			t.Errorf("%q: %c %d %v, want %c %d %v", tt.in, typ, n, ok, tt.typ, tt.n, tt.ok)
		}
	}
}

func TestSniff(t *testing.T) {
	startup := "\x00\x00\x00\x29\x00\x03\x00\x00user\x00postgres\x00database\x00shop\x00\x00"
	for in, want := range map[string][2]bool{
		startup:                            {true, false},
		"\x00\x00\x00\x08\x04\xd2\x16\x2f": {true, false}, // SSLRequest
		"\x00\x00\x00\x10\x04\xd2\x16\x2e\x00\x00":    {false, false}, // CancelRequest
		"Q\x00\x00\x00\x0dSELECT 1\x00":               {false, true},
		"P\x00\x00\x00\x20\x00SELECT $1\x00":          {false, true},
		"Q\x00\x00\x00\x0d\x01\x02\x03":               {false, false},
		"\x16\x03\x01\x02\x00\x01\x00\x01":            {false, false}, // TLS
		"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n":            {false, false},
		"B\x00\x00\x00\x0c\x00s1\x00\x00\x00\x00\x00": {false, true},
	} {
		if got := [2]bool{LooksLikeStartup([]byte(in)), LooksLikeQuery([]byte(in))}; got != want {
			t.Errorf("%q: startup/query %v, want %v", in, got, want)
		}
	}
	if !LooksLikeReady([]byte("Z\x00\x00\x00\x05I")) || LooksLikeReady([]byte("Z\x00\x00\x00\x05X")) || LooksLikeReady([]byte("Q\x00\x00\x00\x05I")) {
		t.Error("LooksLikeReady")
	}
	if db := ParseStartup([]byte(startup[8:])); string(db) != "shop" {
		t.Errorf("database %q", db)
	}
}

func TestBodies(t *testing.T) {
	if name, text, ok := ParseMessage([]byte("s1\x00SELECT * FROM t WHERE id = $1\x00\x00\x01\x00\x00\x00\x17")); !ok || string(name) != "s1" || string(text) != "SELECT * FROM t WHERE id = $1" {
		t.Errorf("Parse: %q %q %v", name, text, ok)
	}
	if text, ok := QueryText([]byte("SELECT 'cut")); ok || string(text) != "SELECT 'cut" {
		t.Errorf("cut query: %q %v", text, ok)
	}
	if portal, stmt, ok := BindMessage([]byte("\x00s1\x00\x00\x00")); !ok || len(portal) != 0 || string(stmt) != "s1" {
		t.Errorf("Bind: %q %q %v", portal, stmt, ok)
	}
	if kind, name, ok := CloseMessage([]byte("Ss1\x00")); !ok || kind != 'S' || string(name) != "s1" {
		t.Errorf("Close: %c %q", kind, name)
	}
	for tag, want := range map[string]int64{"SELECT 3\x00": 3, "INSERT 0 5\x00": 5, "CREATE TABLE\x00": -1, "UPDATE 12\x00": 12, "COPY 2": 2, "SELECT \x00": -1} {
		if _, rows := CommandTag([]byte(tag)); rows != want {
			t.Errorf("tag %q: rows %d, want %d", tag, rows, want)
		}
	}
	if cmd, _ := CommandTag([]byte("CREATE TABLE\x00")); string(cmd) != "CREATE" {
		t.Errorf("command %q", cmd)
	}
	errBody := []byte("SERROR\x00VERROR\x00C42P01\x00Mrelation \"x\" does not exist\x00\x00")
	if code := ErrorCode(errBody); string(code) != "42P01" {
		t.Errorf("SQLSTATE %q", code)
	}
	if code := ErrorCode(errBody[:12]); code != nil {
		t.Errorf("SQLSTATE of a cut body %q", code)
	}
}

func TestEnding(t *testing.T) {
	end := []byte("D\x00\x00\x00\x0b\x00\x01\x00\x00\x00\x01" + "7C\x00\x00\x00\x0dSELECT 1\x00Z\x00\x00\x00\x05I")
	if !EndsWithReady(end) || !EndsWithReady(end[len(end)-8:]) || EndsWithReady(end[:len(end)-1]) {
		t.Fatal("EndsWithReady")
	}
	typ, body, ok := FindEnding(end[4:]) // starts mid-message
	if !ok || typ != 'C' || !bytes.Equal(body, []byte("SELECT 1\x00")) {
		t.Errorf("FindEnding: %c %q %v", typ, body, ok)
	}
}
