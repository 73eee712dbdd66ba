package ebpfreceiver // import "github.com/ebpfreceiver/ebpfreceiver/receiver/ebpfreceiver"

import "go.opentelemetry.io/collector/pdata/pcommon"

// maxSpanAttributes bounds the attributes of one span: an HTTP span has at
// most 15.
const maxSpanAttributes = 20

// attrList gathers the attributes of one span before they are written, so
// that the span's attribute map is allocated once at its exact size (pdata
// grows a map by reallocating it, and an estimate wastes memory on every
// span). Empty string values are left out. Keep it in a local variable: it
// does not escape.
type attrList struct {
	n     int
	items [maxSpanAttributes]attrItem
}

// attrItem is one attribute: a string, or an integer when isInt.
type attrItem struct {
	key   string
	str   string
	num   int64
	isInt bool
}

// str adds a string attribute unless the value is empty.
func (l *attrList) str(key, value string) {
	if value != "" {
		l.items[l.n] = attrItem{key: key, str: value}
		l.n++
	}
}

// int adds an integer attribute.
func (l *attrList) int(key string, value int64) {
	l.items[l.n] = attrItem{key: key, num: value, isInt: true}
	l.n++
}

// writeTo puts the gathered attributes into m, in the order they were
// added.
func (l *attrList) writeTo(m pcommon.Map) {
	m.EnsureCapacity(m.Len() + l.n)
	for i := range l.items[:l.n] {
		it := &l.items[i]
		if it.isInt {
			m.PutInt(it.key, it.num)
		} else {
			m.PutStr(it.key, it.str)
		}
	}
}
