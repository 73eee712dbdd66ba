// Package redis follows the Redis serialization protocol (RESP2 and RESP3)
// through captured bytes: where each command and each reply begins and
// ends, the command's name and arguments, and a reply's type, its error
// prefix and the kind of a pub/sub message.
//
// The capture keeps the first bytes of each syscall and counts the rest, so
// a Walker skips the bodies of bulk strings by their declared length and
// reads only the headers it needs; when a header lies in bytes that were
// not captured it reports the direction lost. It allocates nothing in
// steady state, keeps nothing of its input past a call except the
// fragments it was told to hold, and never panics on hostile input.
//
// Calls are made from the client's side of a connection only: the
// server's process sees the same commands, and decoding both would report
// each one twice.
package redis

import (
	"bytes"
	"errors"
)

// RESP type bytes.
const (
	SimpleString   = '+'
	SimpleError    = '-'
	Integer        = ':'
	BulkString     = '$'
	Array          = '*'
	Null           = '_' // RESP3
	Boolean        = '#' // RESP3
	Double         = ',' // RESP3
	BigNumber      = '(' // RESP3
	BulkError      = '!' // RESP3
	VerbatimString = '=' // RESP3
	Map            = '%' // RESP3
	Set            = '~' // RESP3
	Attribute      = '|' // RESP3: facts about the reply that follows it
	Push           = '>' // RESP3: out-of-band data, never a reply
	// Inline is not a RESP type: a command sent as a line of words
	// ("PING\r\n"), which servers accept from a client.
	Inline = 'i'
)

// Limits of what a Walker accepts or keeps.
const (
	maxDepth = 32 // nested aggregates
	// maxLine bounds what is kept of a header line split across
	// segments: a type byte and a number, or the start of a simple
	// string or error, which is all that is read of one.
	maxLine = 64
	// MaxKept bounds the bytes of a bulk string a Walker keeps for its
	// caller when the string spans segments.
	MaxKept = 64
	// maxCount bounds the declared length of an aggregate or bulk string.
	maxCount = 1 << 40
)

// Errors a Walker reports; after either it must be Reset before use.
var (
	// ErrLost says the next header lies in bytes that were not captured.
	ErrLost = errors.New("redis: framing lost in bytes not captured")
	// ErrProtocol says the bytes are not RESP.
	ErrProtocol = errors.New("redis: not RESP")
)

// Item is one element the Walker passed: a value's header (with its
// payload, for the types that carry one) at a depth and an index within
// its parent aggregate.
type Item struct {
	Type  byte
	Depth int // 0 for a top-level value
	Index int // position within the parent aggregate, 0 at the top
	// Payload is the text after the type byte of a simple type's line
	// (strings, errors, numbers) or of an inline command, or the bytes of
	// a bulk string: whole when they were captured, else the first ones
	// kept (Cut is then set). Valid during the callback only.
	Payload []byte
	Cut     bool
	// Count is the declared length of a bulk string, or the declared
	// number of elements of an aggregate (-1 for a null one; a map's and
	// an attribute's pairs count as two each).
	Count int64
}

// Visitor receives what a Walker passes: every item, and the end of each
// top-level value, in the segment being fed (an attribute alone is not a
// value: the value it describes follows it).
type Visitor interface {
	Item(it *Item)
	End()
}

// frame is an aggregate being walked.
type frame struct {
	left  int64 // elements still to come
	index int   // index of the next element
	attr  bool  // an attribute: when done, the value it describes follows
}

// Walker follows one direction of a connection.
type Walker struct {
	inline bool // a top-level line that is no RESP header is an inline command
	stack  [maxDepth]frame
	depth  int
	// A bulk string being read: skip counts its body and CRLF still to
	// come, left its body alone.
	skip, left int64
	bulk       Item // reported when it ends
	kept       [MaxKept]byte
	nkept      int
	// The start of a header line split across segments.
	line  [maxLine]byte
	nline int
	held  bool // a line is being held
	over  bool // it was longer than what is kept
}

// NewWalker returns a walker; inline says the direction is a client's,
// which may send inline commands.
func NewWalker(inline bool) *Walker {
	return &Walker{inline: inline}
}

// Reset forgets where the walker stood: the next byte fed must start a
// top-level value.
func (w *Walker) Reset() {
	inline := w.inline
	*w = Walker{inline: inline}
}

// Idle tells whether the walker stands between top-level values.
func (w *Walker) Idle() bool { return w.depth == 0 && w.skip == 0 && !w.held }

// Feed walks one segment of n bytes whose first len(data) were captured,
// and reports to v. On an error the walker stops where it stood; Reset it
// before the next segment.
func (w *Walker) Feed(data []byte, n int, v Visitor) error {
	data = data[:min(len(data), n)]
	for pos := 0; pos < n; {
		if w.skip > 0 {
			pos = w.skipBulk(data, n, pos, v)
			continue
		}
		if pos >= len(data) {
			return ErrLost
		}
		line, next, cut, ok := w.header(data, n, pos)
		if !ok {
			if len(data) < n {
				return ErrLost // a header cut by the capture
			}
			return nil // held until the next segment
		}
		if err := w.item(line, cut, v); err != nil {
			return err
		}
		pos = next
	}
	return nil
}

// header returns the header line at pos without its CRLF, the offset
// after it, and whether the line was longer than what is kept of a line
// split across segments; false when its end is not in the captured data
// (the part seen is then held when the segment was captured whole).
func (w *Walker) header(data []byte, n, pos int) (line []byte, next int, cut, ok bool) {
	end := bytes.IndexByte(data[pos:], '\n')
	if end < 0 {
		if len(data) == n {
			w.hold(data[pos:])
		}
		return nil, 0, false, false
	}
	end += pos
	line = data[pos:end]
	if w.held {
		w.hold(line)
		line, cut = w.line[:w.nline], w.over
		w.held, w.nline, w.over = false, 0, false
	}
	if len(line) > 0 && line[len(line)-1] == '\r' {
		line = line[:len(line)-1]
	}
	return line, end + 1, cut, true
}

// hold keeps the start of a header line that continues in the next
// segment.
func (w *Walker) hold(b []byte) {
	c := copy(w.line[w.nline:], b)
	w.nline += c
	w.over = w.over || c < len(b)
	w.held = true
}

// item handles one header line.
func (w *Walker) item(line []byte, cut bool, v Visitor) error {
	if len(line) == 0 {
		if w.depth == 0 && w.inline {
			return nil // an empty inline line: servers skip it
		}
		return ErrProtocol
	}
	it := Item{Type: line[0], Depth: w.depth, Payload: line[1:], Cut: cut}
	if w.depth > 0 {
		it.Index = w.stack[w.depth-1].index
	}
	switch it.Type {
	case SimpleString, SimpleError, Integer, Null, Boolean, Double, BigNumber:
		v.Item(&it)
		w.complete(v)
	case BulkString, BulkError, VerbatimString:
		size, ok := count(line[1:])
		if !ok || cut {
			return ErrProtocol
		}
		if size < 0 {
			it.Payload, it.Count = nil, -1
			v.Item(&it)
			w.complete(v)
			return nil
		}
		it.Payload, it.Count = nil, size
		w.bulk, w.nkept, w.skip, w.left = it, 0, size+2, size
	case Array, Set, Push, Map, Attribute:
		size, ok := count(line[1:])
		if !ok || cut {
			return ErrProtocol
		}
		if size > 0 && (it.Type == Map || it.Type == Attribute) {
			size *= 2
		}
		it.Count, it.Payload = size, nil
		v.Item(&it)
		if size <= 0 {
			w.complete(v)
			return nil
		}
		if w.depth == maxDepth {
			return ErrProtocol
		}
		w.stack[w.depth] = frame{left: size, attr: it.Type == Attribute}
		w.depth++
	default:
		if w.depth > 0 || !w.inline {
			return ErrProtocol
		}
		it.Type, it.Payload = Inline, line
		v.Item(&it)
		w.complete(v)
	}
	return nil
}

// skipBulk passes over the body of the bulk string being read, keeping
// what was captured of it, and reports the string when it ends.
func (w *Walker) skipBulk(data []byte, n, pos int, v Visitor) int {
	k := int(min(w.skip, int64(n-pos)))
	body := int(min(w.left, int64(k)))          // body bytes in this segment
	got := max(0, min(len(data), pos+body)-pos) // of them, captured
	ends := int64(k) == w.skip
	fresh := w.left == w.bulk.Count // no byte of the body came before
	if got < body {
		w.bulk.Cut = true
	}
	if ends && fresh && !w.bulk.Cut {
		w.bulk.Payload = data[pos : pos+body] // whole in this segment: no copy
	} else {
		c := copy(w.kept[w.nkept:], data[pos:pos+got])
		if c < got {
			w.bulk.Cut = true
		}
		w.nkept += c
		w.bulk.Payload = w.kept[:w.nkept]
	}
	w.left -= int64(body)
	w.skip -= int64(k)
	if !ends {
		return pos + k
	}
	v.Item(&w.bulk)
	w.complete(v)
	return pos + k
}

// complete records that an element ended, closing the aggregates it
// completes and reporting a top-level value's end.
func (w *Walker) complete(v Visitor) {
	for w.depth > 0 {
		f := &w.stack[w.depth-1]
		f.left--
		f.index++
		if f.left > 0 {
			return
		}
		w.depth--
		if f.attr {
			return // the value the attribute describes follows
		}
	}
	v.End()
}

// count parses a declared length: a decimal number, -1 for null.
func count(b []byte) (int64, bool) {
	if len(b) == 2 && b[0] == '-' && b[1] == '1' {
		return -1, true
	}
	if len(b) == 0 || len(b) > 13 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, n <= maxCount
}
