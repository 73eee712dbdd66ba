package stream

import "hash/maphash"

// interner turns captured bytes into strings, reusing the previous string
// for equal bytes. Hosts, user agents and most paths repeat from call to
// call, so a small direct-mapped table saves one allocation per field; a
// collision just allocates. Memory is bounded by slots × maxInterned.
type interner struct {
	seed  maphash.Seed
	slots [internSlots]string
}

const (
	internSlots = 1024
	maxInterned = 256 // longer strings are allocated, not kept
)

func newInterner() *interner { return &interner{seed: maphash.MakeSeed()} }

// string returns b as a string, allocating only when the slot for b holds
// something else.
func (in *interner) string(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if len(b) > maxInterned {
		return string(b)
	}
	slot := &in.slots[maphash.Bytes(in.seed, b)%internSlots]
	if *slot != string(b) {
		*slot = string(b)
	}
	return *slot
}
