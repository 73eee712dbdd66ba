package sqltext

import "hash/maphash"

// Cache remembers the descriptions of recent statement texts in a
// direct-mapped table: a text whose slot holds another is described again
// and replaces it. Memory is bounded by cacheSlots × maxCachedText. A Cache
// is used by one goroutine.
type Cache struct {
	seed  maphash.Seed
	desc  *describer
	slots [cacheSlots]entry
}

type entry struct {
	text string
	st   Statement
}

const (
	cacheSlots    = 1024
	maxCachedText = 4096 // longer texts are described every time
)

// NewCache returns an empty cache for dialect d.
func NewCache(d Dialect) *Cache {
	return &Cache{seed: maphash.MakeSeed(), desc: newDescriber(d)}
}

// Lookup returns the description of text, describing it only when the
// cache does not hold it. A hit allocates nothing.
func (c *Cache) Lookup(text []byte) Statement {
	if len(text) == 0 {
		return Statement{}
	}
	if len(text) > maxCachedText {
		return c.desc.describe(string(text))
	}
	e := &c.slots[maphash.Bytes(c.seed, text)%cacheSlots]
	if e.text != string(text) {
		s := string(text)
		*e = entry{text: s, st: c.desc.describe(s)}
	}
	return e.st
}
