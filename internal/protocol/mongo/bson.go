package mongo

import (
	"encoding/binary"
	"math"
)

// BSON element types whose size the walk must know.
const (
	typeDouble     = 0x01
	typeString     = 0x02
	typeDocument   = 0x03
	typeArray      = 0x04
	typeBinary     = 0x05
	typeUndefined  = 0x06
	typeObjectID   = 0x07
	typeBool       = 0x08
	typeDate       = 0x09
	typeNull       = 0x0a
	typeRegex      = 0x0b
	typeDBPointer  = 0x0c
	typeJavaScript = 0x0d
	typeSymbol     = 0x0e
	typeCodeScope  = 0x0f
	typeInt32      = 0x10
	typeTimestamp  = 0x11
	typeInt64      = 0x12
	typeDecimal    = 0x13
	typeMinKey     = 0xff
	typeMaxKey     = 0x7f
)

// Element is one field of a document: its type, name and raw value.
type Element struct {
	Type  byte
	Name  []byte
	Value []byte
}

// Str returns a string element's value.
func (e Element) Str() ([]byte, bool) {
	if e.Type != typeString || len(e.Value) < 5 {
		return nil, false
	}
	n := int(int32(binary.LittleEndian.Uint32(e.Value)))
	if n < 1 || 4+n > len(e.Value) {
		return nil, false
	}
	return e.Value[4 : 4+n-1], true
}

// Number returns a numeric element's value (double, int32, int64, bool).
func (e Element) Number() (float64, bool) {
	switch e.Type {
	case typeDouble:
		return math.Float64frombits(binary.LittleEndian.Uint64(e.Value)), true
	case typeInt32:
		return float64(int32(binary.LittleEndian.Uint32(e.Value))), true
	case typeInt64:
		return float64(int64(binary.LittleEndian.Uint64(e.Value))), true
	case typeBool:
		if e.Value[0] != 0 {
			return 1, true
		}
		return 0, true
	}
	return 0, false
}

// Elements calls f with each top-level element of the document at the
// start of b, as far as b holds whole elements, until f returns false.
func Elements(b []byte, f func(Element) bool) {
	if len(b) < 5 {
		return
	}
	end := min(len(b), int(int32(binary.LittleEndian.Uint32(b))))
	for pos := 4; pos < end && b[pos] != 0; {
		typ := b[pos]
		name, rest, ok := cstring(b[pos+1 : end])
		if !ok {
			return
		}
		start := end - len(rest)
		size := valueSize(typ, rest)
		if size < 0 || size > len(rest) {
			return
		}
		if !f(Element{Type: typ, Name: name, Value: rest[:size]}) {
			return
		}
		pos = start + size
	}
}

// valueSize returns the size of a value of type typ at the start of b, -1
// when it cannot be told from b.
func valueSize(typ byte, b []byte) int {
	i32 := func() int {
		if len(b) < 4 {
			return -1
		}
		return int(int32(binary.LittleEndian.Uint32(b)))
	}
	switch typ {
	case typeDouble, typeDate, typeTimestamp, typeInt64:
		return 8
	case typeString, typeJavaScript, typeSymbol:
		if n := i32(); n >= 1 {
			return 4 + n
		}
	case typeDocument, typeArray, typeCodeScope:
		if n := i32(); n >= 5 {
			return n
		}
	case typeBinary:
		if n := i32(); n >= 0 {
			return 5 + n
		}
	case typeUndefined, typeNull, typeMinKey, typeMaxKey:
		return 0
	case typeObjectID:
		return 12
	case typeBool:
		return 1
	case typeRegex:
		if _, rest, ok := cstring(b); ok {
			if _, rest2, ok := cstring(rest); ok {
				return len(b) - len(rest2)
			}
		}
	case typeDBPointer:
		if n := i32(); n >= 1 {
			return 4 + n + 12
		}
	case typeInt32:
		return 4
	case typeDecimal:
		return 16
	}
	return -1
}

// Command is what a command document says.
type Command struct {
	Name       []byte // its first field: the command
	Collection []byte // that field's value, when a string: the collection
	Database   []byte // $db
}

// ParseCommand reads a command document, as far as b holds it.
func ParseCommand(b []byte) Command {
	var c Command
	first := true
	Elements(b, func(e Element) bool {
		if first {
			c.Name, first = e.Name, false
			c.Collection, _ = e.Str()
		} else if string(e.Name) == "$db" {
			c.Database, _ = e.Str()
			return false
		}
		return true
	})
	return c
}

// Outcome is what a reply document says of the command's success.
type Outcome struct {
	OK   bool  // ok: 1
	Code int64 // the error code when not ok, 0 when not given
	Seen bool  // the ok field was read
}

// ParseReply reads a reply document, as far as b holds it.
func ParseReply(b []byte) Outcome {
	var o Outcome
	Elements(b, func(e Element) bool {
		switch string(e.Name) {
		case "ok":
			v, ok := e.Number()
			o.OK, o.Seen = ok && v == 1, ok
		case "code":
			if v, ok := e.Number(); ok {
				o.Code = int64(v)
			}
		}
		return true
	})
	return o
}
