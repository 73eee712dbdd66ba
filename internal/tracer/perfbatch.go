package tracer

import (
	"encoding/binary"
	"slices"
	"unsafe"
)

// perfBatch holds copies of the records of one drain, to be handed out in
// time order. Its memory is reused from drain to drain.
type perfBatch struct {
	arena []byte
	spans []recordSpan
}

// recordSpan locates one record in the arena.
type recordSpan struct {
	at, size int
	ts       uint64
}

// Offsets of the kernel timestamp in each record layout.
var (
	connTimeOffset    = int(unsafe.Offsetof(ConnEvent{}.TsNs))
	processTimeOffset = int(unsafe.Offsetof(ProcessEvent{}.TsNs))
)

func (b *perfBatch) reset() {
	b.arena = b.arena[:0]
	b.spans = b.spans[:0]
}

func (b *perfBatch) add(raw []byte) {
	b.spans = append(b.spans, recordSpan{at: len(b.arena), size: len(raw), ts: recordTime(raw)})
	b.arena = append(b.arena, raw...)
}

// sort orders the records by kernel time; records of equal time keep their
// order, which within one CPU's buffer is the order they were written.
func (b *perfBatch) sort() {
	slices.SortStableFunc(b.spans, func(x, y recordSpan) int {
		switch {
		case x.ts < y.ts:
			return -1
		case x.ts > y.ts:
			return 1
		}
		return 0
	})
}

func (b *perfBatch) record(i int) []byte {
	s := b.spans[i]
	return b.arena[s.at : s.at+s.size]
}

// recordTime reads a record's kernel timestamp; records too short for
// their header sort first and are ignored by dispatch.
func recordTime(raw []byte) uint64 {
	off := processTimeOffset
	if len(raw) > 0 && (raw[0] == EventData || raw[0] == EventClose) {
		off = connTimeOffset
	}
	if len(raw) < off+8 {
		return 0
	}
	return binary.NativeEndian.Uint64(raw[off:])
}
