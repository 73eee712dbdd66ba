package tracer

import (
	"testing"
	"unsafe"
)

func connRecord(ts uint64, payload string) []byte {
	ev := ConnEvent{Kind: EventData, TsNs: ts}
	raw := unsafe.Slice((*byte)(unsafe.Pointer(&ev)), unsafe.Sizeof(ev))
	return append(append([]byte(nil), raw...), payload...)
}

func processRecord(ts uint64) []byte {
	ev := ProcessEvent{Kind: EventExit, TsNs: ts}
	return append([]byte(nil), unsafe.Slice((*byte)(unsafe.Pointer(&ev)), unsafe.Sizeof(ev))...)
}

func TestPerfBatchOrdersByKernelTime(t *testing.T) {
	var b perfBatch
	// Two CPUs' buffers, each in order, read one after the other.
	b.add(connRecord(10, "a"))
	b.add(connRecord(30, "c"))
	b.add(processRecord(20))
	b.add(connRecord(30, "d")) // same time as "c": stays after it
	b.add(connRecord(5, "z"))
	b.sort()
	var got []uint64
	for i := range b.spans {
		got = append(got, recordTime(b.record(i)))
	}
	want := []uint64{5, 10, 20, 30, 30}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("times %v, want %v", got, want)
		}
	}
	if last := b.record(4); string(last[len(last)-1]) != "d" {
		t.Fatalf("records of equal time reordered")
	}
	b.reset()
	if len(b.spans) != 0 || len(b.arena) != 0 {
		t.Fatal("reset kept records")
	}
	if recordTime([]byte{EventData, 1}) != 0 {
		t.Fatal("a short record has a time")
	}
}
