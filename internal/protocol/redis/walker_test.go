package redis

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ebpfreceiver/ebpfreceiver/internal/recording"
)

// trace records what a walker reports, as text; brief keeps only what a
// walker reports alike wherever its input was cut: the first 32 bytes of
// payloads, and no Cut flag.
type trace struct {
	strings.Builder
	brief bool
}

func (tr *trace) Item(it *Item) {
	if tr.brief {
		fmt.Fprintf(tr, "%c%d.%d:%q/%d ", it.Type, it.Depth, it.Index, it.Payload[:min(len(it.Payload), 32)], it.Count)
		return
	}
	fmt.Fprintf(tr, "%c%d.%d:%q/%v/%d ", it.Type, it.Depth, it.Index, it.Payload, it.Cut, it.Count)
}

func (tr *trace) End() { tr.WriteString("| ") }

// walk feeds b to a new walker in pieces cut at the given offsets, each
// captured up to capture bytes, and returns what it reported and the
// error that stopped it.
func walk(b []byte, inline bool, capture int, cuts ...int) (string, error) {
	return walkTrace(&trace{}, b, inline, capture, cuts...)
}

func walkTrace(tr *trace, b []byte, inline bool, capture int, cuts ...int) (string, error) {
	w := NewWalker(inline)
	prev := 0
	for _, at := range append(cuts, len(b)) {
		if at < prev || at > len(b) {
			continue
		}
		piece := b[prev:at]
		if err := w.Feed(piece[:min(len(piece), capture)], len(piece), tr); err != nil {
			return tr.String(), err
		}
		prev = at
	}
	return tr.String(), nil
}

func TestWalker(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		inline   bool
		want     string
	}{
		{"command", "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nvalue\r\n", true,
			`*0.0:""/false/3 $1.0:"SET"/false/3 $1.1:"k"/false/1 $1.2:"value"/false/5 | `},
		{"inline", "PING\r\n\r\nECHO hi\n", true, `i0.0:"PING"/false/0 | i0.0:"ECHO hi"/false/0 | `},
		{"replies", "+OK\r\n-ERR no\r\n:42\r\n$-1\r\n*-1\r\n*0\r\n", false,
			`+0.0:"OK"/false/0 | -0.0:"ERR no"/false/0 | :0.0:"42"/false/0 | $0.0:""/false/-1 | *0.0:""/false/-1 | *0.0:""/false/0 | `},
		{"resp3 map with an attribute", "|1\r\n+ttl\r\n:3\r\n%1\r\n+a\r\n~2\r\n_\r\n#t\r\n", false,
			`|0.0:""/false/2 +1.0:"ttl"/false/0 :1.1:"3"/false/0 %0.0:""/false/2 +1.0:"a"/false/0 ~1.1:""/false/2 _2.0:""/false/0 #2.1:"t"/false/0 | `},
		{"push", ">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n", false,
			`>0.0:""/false/3 $1.0:"message"/false/7 $1.1:"ch"/false/2 $1.2:"hi"/false/2 | `},
		{"verbatim and blob error", "=8\r\ntxt:abcd\r\n!5\r\nERR x\r\n", false,
			`=0.0:"txt:abcd"/false/8 | !0.0:"ERR x"/false/5 | `},
	} {
		got, err := walk([]byte(tc.in), tc.inline, 1<<20)
		if err != nil || got != tc.want {
			t.Errorf("%s: %v\n got %s\nwant %s", tc.name, err, got, tc.want)
		}
		// Cut anywhere, fully captured: the same report.
		for cut := 1; cut < len(tc.in); cut++ {
			if split, err := walk([]byte(tc.in), tc.inline, 1<<20, cut); err != nil || split != got {
				t.Errorf("%s cut at %d: %v\n got %s\nwant %s", tc.name, cut, err, split, got)
			}
		}
	}
}

// A long bulk string is skipped by its length: only its first bytes were
// captured, and the value after it comes in the next segment.
func TestWalkerSkipsUncapturedBulk(t *testing.T) {
	value := strings.Repeat("v", 5000)
	in := "$5000\r\n" + value + "\r\n"
	got, err := walk([]byte(in+"+OK\r\n"), false, 64, len(in))
	want := fmt.Sprintf(`$0.0:%q/true/5000 | +0.0:"OK"/false/0 | `, value[:57])
	if err != nil || got != want {
		t.Errorf("%v\n got %s\nwant %s", err, got, want)
	}
	// A header in bytes not captured cannot be read.
	if _, err := walk([]byte(in+"+OK\r\n"), false, 64); err != ErrLost {
		t.Errorf("a header beyond the capture: %v, want ErrLost", err)
	}
	if _, err := walk([]byte("?1\r\n"), false, 64); err != ErrProtocol {
		t.Errorf("an unknown type: %v, want ErrProtocol", err)
	}
}

func TestLooksLikeCommand(t *testing.T) {
	for in, want := range map[string]bool{
		"*1\r\n$4\r\nPING\r\n": true, "*12\r\n$4\r\nMSET\r\n": true, "*0\r\n": false,
		"*1\r\n:1\r\n": false, "+OK\r\n": false, "GET / HTTP/1.1": false, "*": false,
	} {
		if LooksLikeCommand([]byte(in)) != want {
			t.Errorf("LooksLikeCommand(%q) != %v", in, want)
		}
	}
	for in, want := range map[string]string{"ERR unknown": "ERR", "WRONGTYPE Operation": "WRONGTYPE", "oops": "", "ERR": "ERR", "NOAUTH\r": ""} {
		if got := string(ErrorPrefix([]byte(in))); got != want {
			t.Errorf("ErrorPrefix(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzWalker feeds any bytes whole and cut in two: the walker never
// panics, and where both are fully captured they report the same.
func FuzzWalker(f *testing.F) {
	for _, path := range []string{"testdata/redis-cli.seg", "testdata/redis-cli-resp3.seg", "testdata/python-redis.seg"} {
		reads, err := recording.Load(path)
		if err != nil {
			f.Fatal(err)
		}
		for _, r := range reads {
			f.Add(r.Data[:min(len(r.Data), 4096)], uint16(len(r.Data)/2), r.FromClient)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte, cut uint16, inline bool) {
		whole, errWhole := walkTrace(&trace{brief: true}, b, inline, 1<<20)
		split, errSplit := walkTrace(&trace{brief: true}, b, inline, 1<<20, int(cut))
		if int(cut) <= len(b) && errWhole == nil && errSplit == nil && whole != split {
			t.Fatalf("whole %s\nsplit at %d %s", whole, cut, split)
		}
		walk(b, inline, int(cut)%200, len(b)/3, 2*len(b)/3) // cut captures: must not panic
	})
}
