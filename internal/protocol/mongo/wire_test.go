package mongo

import (
	"testing"

	"github.com/ebpfreceiver/ebpfreceiver/internal/recording"
)

// The Go driver's recording against FerretDB: its handshake is an
// OP_QUERY isMaster on admin.$cmd, its commands OP_MSG with a body section
// first, and FerretDB's replies OP_REPLY, then OP_MSG.
func TestRecordedMessages(t *testing.T) {
	reads, err := recording.Load("testdata/go-driver-2.seg")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	var codes []int64
	for _, r := range reads {
		h, ok := ParseHeader(r.Data)
		if !ok || h.Length != len(r.Data) {
			t.Fatalf("header %+v of a %d-byte read", h, len(r.Data))
		}
		body := r.Data[HeaderLen:]
		switch {
		case r.FromClient && h.OpCode == OpQuery:
			full, doc, ok := QueryBody(body)
			if !ok || string(full) != "admin.$cmd" {
				t.Errorf("OP_QUERY on %q", full)
			}
			names = append(names, string(ParseCommand(doc).Name))
		case r.FromClient:
			_, doc, ok := MsgBody(body)
			if !ok || !LooksLikeRequest(r.Data) || LooksLikeReply(r.Data) {
				t.Errorf("OP_MSG request not read")
			}
			names = append(names, string(ParseCommand(doc).Name))
		case h.OpCode == OpReply:
			doc, _ := ReplyBody(body)
			codes = append(codes, ParseReply(doc).Code)
		default:
			_, doc, _ := MsgBody(body)
			if o := ParseReply(doc); !o.Seen || !o.OK {
				codes = append(codes, o.Code)
			}
		}
	}
	if got := len(names); got != 12 || names[0] != "isMaster" || names[4] != "find" || names[10] != "noSuchCommand" {
		t.Errorf("commands %q", names)
	}
	if len(codes) != 3 || codes[1] != 59 || codes[2] != 59 {
		t.Errorf("failure codes %v: want the handshake's 0, then 59 twice", codes)
	}
}

// FuzzMessages: whatever the bytes, reading them never panics.
func FuzzMessages(f *testing.F) {
	for _, path := range []string{"testdata/go-driver-2.seg", "testdata/node-driver-2.seg"} {
		reads, err := recording.Load(path)
		if err != nil {
			f.Fatal(err)
		}
		for _, r := range reads {
			f.Add(r.Data[:min(len(r.Data), 2048)])
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		LooksLikeRequest(b)
		LooksLikeReply(b)
		if len(b) < HeaderLen {
			return
		}
		body := b[HeaderLen:]
		_, doc, _ := MsgBody(body)
		ParseCommand(doc)
		ParseReply(doc)
		_, doc, _ = QueryBody(body)
		ParseCommand(doc)
		doc, _ = ReplyBody(body)
		ParseReply(doc)
		ParseCommand(body)
		ParseReply(body)
	})
}
