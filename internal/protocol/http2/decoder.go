package http2

import "golang.org/x/net/http2/hpack"

const (
	// defaultTableSize is the HPACK dynamic table size every connection
	// starts with (SETTINGS_HEADER_TABLE_SIZE's initial value).
	defaultTableSize = 4096
	// maxTableSize bounds the table size an encoder may switch to.
	maxTableSize = 1 << 16
	// maxFieldLength bounds one decoded name or value; a longer one fails
	// the block.
	maxFieldLength = 16 << 10
)

// Placeholder entries stand for the dynamic table entries a decoder cannot
// know. Each has an empty name, which no HTTP/2 field has, and an empty
// value: at 32 bytes, the smallest an entry can be, a full table holds at
// least as many placeholders as the peer's table holds unknown entries, so
// every index into them resolves to a placeholder rather than failing or
// resolving to a wrong entry.
var (
	// resetTable empties the table and restores its default size: two
	// dynamic table size updates.
	resetTable = []byte{0x20, 0x3f, 0xe1, 0x1f}
	// placeholders fills a default-sized table with placeholder entries:
	// literal fields with incremental indexing, empty name and value.
	placeholders = func() []byte {
		b := make([]byte, 0, 3*defaultTableSize/32)
		for i := 0; i < defaultTableSize/32; i++ {
			b = append(b, 0x40, 0x00, 0x00)
		}
		return b
	}()
)

// Decoder decodes the header blocks of one direction of a connection,
// keeping its HPACK dynamic table in step. Every block must be fed, in
// order, even when its fields are not needed. The zero value is not ready:
// use NewDecoder.
type Decoder struct {
	hp      *hpack.Decoder
	fields  Fields
	failed  bool // the block in progress could not be decoded to its end
	priming bool // placeholders are being written: fields are not recorded
}

// NewDecoder returns a decoder for a direction seen from its first block,
// whose table starts empty.
func NewDecoder() *Decoder {
	d := &Decoder{}
	d.hp = hpack.NewDecoder(defaultTableSize, d.emit)
	d.hp.SetAllowedMaxDynamicTableSize(maxTableSize)
	d.hp.SetMaxStringLength(maxFieldLength)
	return d
}

// Reset readies d for a new connection: an empty table when the connection
// is seen from its start, else a table of unknown entries.
func (d *Decoder) Reset(fromStart bool) {
	d.restart()
	if !fromStart {
		d.forget()
	}
}

func (d *Decoder) emit(f hpack.HeaderField) {
	if !d.priming {
		d.fields.set(f.Name, f.Value)
	}
}

// Write feeds the next captured fragment of the block in progress.
func (d *Decoder) Write(fragment []byte) {
	if d.failed || len(fragment) == 0 {
		return
	}
	if _, err := d.hp.Write(fragment); err != nil {
		d.failed = true
	}
}

// Lose records that bytes of the block in progress were not captured: the
// fields decoded so far stand, the rest of the block is lost.
func (d *Decoder) Lose() { d.failed = true }

// End completes the block in progress and returns its fields. When the
// block could not be decoded to its end (bytes lost, or an entry beyond the
// known table) the rest of it counts as one unknown field, intact is false,
// and, since its changes to the dynamic table are unknown, the table is
// refilled with placeholders: later references to what it held are
// reported as unknown.
func (d *Decoder) End() (f Fields, intact bool) {
	if err := d.hp.Close(); err != nil {
		d.failed = true
	}
	f, intact = d.fields, !d.failed
	if d.failed {
		f.Unknown++
		f.Fields++
		d.restart()
		d.forget()
	}
	d.fields, d.failed = Fields{}, false
	return f, intact
}

// restart empties the table and drops any partial block.
func (d *Decoder) restart() {
	_ = d.hp.Close() // drops a partial field; a second Close then succeeds
	_ = d.hp.Close()
	d.priming = true
	_, _ = d.hp.Write(resetTable)
	_ = d.hp.Close()
	d.priming = false
	d.fields, d.failed = Fields{}, false
}

// forget fills the emptied table with placeholders.
func (d *Decoder) forget() {
	d.priming = true
	_, _ = d.hp.Write(placeholders)
	_ = d.hp.Close()
	d.priming = false
}
