package kafka

import "encoding/binary"

// reader reads the fields of a message in order. A read past the end of
// what was captured, or of a length that cannot be, sets bad; every read
// after that returns zero, so loops over counts end.
type reader struct {
	b    []byte
	off  int
	flex bool // compact encodings and tagged fields
	bad  bool
}

// maxItems bounds the elements a reader walks in one array: a hostile
// count costs no more than this.
const maxItems = 10000

func (r *reader) take(n int) []byte {
	if r.bad || n < 0 || n > len(r.b)-r.off {
		r.bad = true
		return nil
	}
	p := r.b[r.off : r.off+n]
	r.off += n
	return p
}

func (r *reader) skip(n int) { r.take(n) }

func (r *reader) int16() int16 {
	if p := r.take(2); p != nil {
		return int16(binary.BigEndian.Uint16(p))
	}
	return 0
}

func (r *reader) int32() int32 {
	if p := r.take(4); p != nil {
		return int32(binary.BigEndian.Uint32(p))
	}
	return 0
}

func (r *reader) uvarint() int {
	if r.bad {
		return 0
	}
	v, n := binary.Uvarint(r.b[r.off:])
	if n <= 0 || v > MaxMessage {
		r.bad = true
		return 0
	}
	r.off += n
	return int(v)
}

// length reads the length of a string, bytes or array field: a compact
// one (length plus one, zero for null) in flexible versions, else an
// int16 (strings) or int32 (bytes, arrays); -1 for null.
func (r *reader) length(wide bool) int {
	switch {
	case r.flex:
		return r.uvarint() - 1
	case wide:
		return int(r.int32())
	}
	return int(r.int16())
}

// str reads a string or nullable string; nil for null.
func (r *reader) str() []byte {
	n := r.length(false)
	if n < 0 {
		return nil
	}
	return r.take(n)
}

// legacyString reads a nullable string with an int16 length whatever the
// version (the client id of a request header).
func (r *reader) legacyString() []byte {
	n := int(r.int16())
	if n < 0 {
		return nil
	}
	return r.take(n)
}

// array reads the element count of an array, bounded; 0 for null.
func (r *reader) array() int {
	n := r.length(true)
	if n < 0 {
		return 0
	}
	if n > maxItems {
		r.bad = true
		return 0
	}
	return n
}

// tags skips the tagged fields of a flexible structure.
func (r *reader) tags() {
	for n := r.uvarint(); n > 0 && !r.bad; n-- {
		r.uvarint()
		r.skip(r.uvarint())
	}
}

// endStruct skips the tagged fields that end a structure of a flexible
// version.
func (r *reader) endStruct() {
	if r.flex {
		r.tags()
	}
}

// topic reads a topic's name (versions before 13) or id.
func (r *reader) topic(byID bool, name *[]byte, id *[16]byte) {
	if byID {
		if p := r.take(16); p != nil {
			copy(id[:], p)
		}
		return
	}
	*name = r.str()
}
