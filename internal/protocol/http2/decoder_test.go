package http2

import (
	"bytes"
	"fmt"
	"testing"

	"golang.org/x/net/http2/hpack"
)

// encoder encodes header blocks as a real peer's HPACK encoder does.
type encoder struct {
	buf bytes.Buffer
	enc *hpack.Encoder
}

func newEncoder() *encoder {
	e := &encoder{}
	e.enc = hpack.NewEncoder(&e.buf)
	return e
}

// block encodes fields (name, value pairs) as one header block.
func (e *encoder) block(kv ...string) []byte {
	e.buf.Reset()
	for i := 0; i+1 < len(kv); i += 2 {
		_ = e.enc.WriteField(hpack.HeaderField{Name: kv[i], Value: kv[i+1]})
	}
	return bytes.Clone(e.buf.Bytes())
}

// grpcRequest is the request block grpc-go sends for a unary call.
func grpcRequest(method, timeout string) []string {
	return []string{":method", "POST", ":scheme", "http", ":path", "/" + method,
		":authority", "localhost:50051", "content-type", "application/grpc",
		"user-agent", "grpc-go/1.85.0", "te", "trailers", "grpc-timeout", timeout}
}

func decode(d *Decoder, block []byte, pieces int) (Fields, bool) {
	step := max(1, len(block)/pieces)
	for i := 0; i < len(block); i += step {
		d.Write(block[i:min(len(block), i+step)])
	}
	return d.End()
}

func TestDecoderFromStart(t *testing.T) {
	e, d := newEncoder(), NewDecoder()
	for i := range 20 {
		method := fmt.Sprintf("helloworld.Greeter/Say%d", i%3)
		f, ok := decode(d, e.block(grpcRequest(method, fmt.Sprintf("%dm", 900+i))...), 1+i%4)
		want := Fields{Method: "POST", Path: "/" + method, Authority: "localhost:50051",
			ContentType: "application/grpc", UserAgent: "grpc-go/1.85.0", Fields: 8}
		if !ok || f != want {
			t.Fatalf("block %d: %+v intact=%v, want %+v", i, f, ok, want)
		}
		if f.Kind() != BlockRequest || !f.GRPC() {
			t.Fatalf("block %d: kind %v grpc %v", i, f.Kind(), f.GRPC())
		}
		f, ok = decode(d, e.block(":status", "200", "content-type", "application/grpc"), 1)
		if !ok || f.Status != 200 || f.Kind() != BlockResponse {
			t.Fatalf("response %d: %+v", i, f)
		}
		f, ok = decode(d, e.block("grpc-status", fmt.Sprint(i%2*5), "grpc-message", ""), 1)
		if !ok || !f.HasGRPCStatus || f.GRPCStatus != uint32(i%2*5) || f.Kind() != BlockTrailers {
			t.Fatalf("trailers %d: %+v", i, f)
		}
	}
}

// checkNeverWrong fails when a decoded fact differs from the encoded one;
// an unknown fact must be empty and counted.
func checkNeverWrong(t *testing.T, got, want Fields) {
	t.Helper()
	for _, p := range [][2]string{{got.Method, want.Method}, {got.Path, want.Path},
		{got.Authority, want.Authority}, {got.ContentType, want.ContentType}, {got.UserAgent, want.UserAgent}} {
		if p[0] != p[1] && (p[0] != "" || got.Unknown == 0) {
			t.Fatalf("decoded %+v, encoded %+v", got, want)
		}
	}
	if got.HasGRPCStatus && got.GRPCStatus != want.GRPCStatus {
		t.Fatalf("decoded %+v, encoded %+v", got, want)
	}
}

func TestDecoderJoinedMidStreamNeverWrong(t *testing.T) {
	for _, tc := range []struct {
		name      string
		tableSize uint32 // the encoder's table size; 0 keeps the default
		skip      int    // blocks encoded before the decoder joins
		lose      int    // every lose-th block is cut short (0: none)
		unknowns  bool   // some paths must be unknown
		knowns    bool   // some paths must be known
	}{
		{"joined after 5", 0, 5, 0, true, true},
		{"joined after 200", 0, 200, 0, true, true},
		{"joined after 200 with cut blocks", 0, 200, 7, true, true},
		// Entries are never evicted within the run: nothing becomes known.
		{"larger table", 1 << 15, 200, 0, true, false},
		{"smaller table", 256, 50, 0, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, d := newEncoder(), NewDecoder()
			if tc.tableSize != 0 {
				e.enc.SetMaxDynamicTableSizeLimit(tc.tableSize)
				e.enc.SetMaxDynamicTableSize(tc.tableSize)
			}
			d.Reset(false)
			known, unknown := 0, 0
			for i := range 600 {
				method := fmt.Sprintf("pkg.Svc/M%d", i%5)
				kv := grpcRequest(method, fmt.Sprintf("%du", 10000+i*7))
				block := e.block(kv...)
				if i < tc.skip {
					continue
				}
				want := Fields{Method: "POST", Path: "/" + method, Authority: "localhost:50051",
					ContentType: "application/grpc", UserAgent: "grpc-go/1.85.0"}
				var got Fields
				if tc.lose > 0 && i%tc.lose == 0 {
					d.Write(block[:len(block)/2])
					d.Lose()
					got, _ = d.End()
				} else {
					got, _ = decode(d, block, 2)
				}
				checkNeverWrong(t, got, want)
				if got.Path == want.Path {
					known++
				} else {
					unknown++
				}
			}
			if (known == 0) == tc.knowns || (unknown == 0) == tc.unknowns {
				t.Errorf("paths known %d, unknown %d", known, unknown)
			}
		})
	}
}

func TestDecoderResetReusesTable(t *testing.T) {
	d := NewDecoder()
	e := newEncoder()
	decode(d, e.block(":path", "/a.B/C", "x-id", "1"), 1)
	d.Reset(true)
	// A new connection's encoder starts empty too: index 62 is its newest entry.
	e = newEncoder()
	f, ok := decode(d, e.block(":path", "/d.E/F"), 1)
	if !ok || f.Path != "/d.E/F" {
		t.Fatalf("after reset: %+v intact=%v", f, ok)
	}
	if f, ok = decode(d, []byte{0x80 | 63}, 1); ok || f.Path != "" {
		t.Fatalf("index beyond the new table resolved: %+v intact=%v", f, ok)
	}
}

func TestSplitPath(t *testing.T) {
	for in, want := range map[string]struct {
		path  string
		query string
		has   bool
	}{"/a?b=1": {"/a", "b=1", true}, "/x.Y/Z": {"/x.Y/Z", "", false}, "/?": {"/", "", true}, "": {"", "", false}} {
		p, q := SplitPath(in)
		if p != want.path || string(q) != want.query || (q != nil) != want.has {
			t.Errorf("SplitPath(%q) = %q, %v", in, p, q)
		}
	}
}

func FuzzDecoder(f *testing.F) {
	e := newEncoder()
	f.Add(e.block(grpcRequest("a.B/C", "1S")...), uint8(3), false)
	f.Add(e.block(":status", "200", "grpc-status", "0"), uint8(1), true)
	f.Add(placeholders[:30], uint8(7), true)
	f.Fuzz(func(t *testing.T, block []byte, pieces uint8, midStream bool) {
		d := NewDecoder()
		d.Reset(!midStream)
		for range 2 {
			f, _ := decode(d, block, int(pieces%8)+1)
			if f.Unknown > f.Fields {
				t.Fatalf("%d unknown of %d fields", f.Unknown, f.Fields)
			}
		}
	})
}

func FuzzDecoderNeverWrong(f *testing.F) {
	f.Add([]byte("a.B/C"), uint16(3), uint8(2))
	f.Add([]byte{1, 2, 3, 250}, uint16(100), uint8(0))
	f.Fuzz(func(t *testing.T, names []byte, skip uint16, lose uint8) {
		e, d := newEncoder(), NewDecoder()
		d.Reset(false)
		for i, b := range names {
			method := fmt.Sprintf("p.S/%x", b)
			block := e.block(grpcRequest(method, fmt.Sprint(i))...)
			if i < int(skip%64) {
				continue
			}
			if lose != 0 && b%lose == 0 {
				d.Write(block[:int(b)%len(block)])
				d.Lose()
				d.End()
				continue
			}
			got, _ := decode(d, block, int(b%4)+1)
			checkNeverWrong(t, got, Fields{Method: "POST", Path: "/" + method, Authority: "localhost:50051",
				ContentType: "application/grpc", UserAgent: "grpc-go/1.85.0"})
		}
	})
}
