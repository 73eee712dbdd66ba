package tracectx

import (
	cryptorand "crypto/rand"
	"encoding/binary"
	"math/rand/v2"
)

// ids makes random trace and span ids from a ChaCha8 stream seeded by the
// operating system: cryptographic quality, no lock, no allocation. It is
// owned by one goroutine.
type ids struct{ rng *rand.ChaCha8 }

func newIDs() ids {
	var seed [32]byte
	_, _ = cryptorand.Read(seed[:]) // never fails since Go 1.24
	return ids{rng: rand.NewChaCha8(seed)}
}

func (g ids) traceID() TraceID {
	var id TraceID
	for id.IsZero() {
		binary.LittleEndian.PutUint64(id[:8], g.rng.Uint64())
		binary.LittleEndian.PutUint64(id[8:], g.rng.Uint64())
	}
	return id
}

func (g ids) spanID() SpanID {
	var id SpanID
	for id.IsZero() {
		binary.LittleEndian.PutUint64(id[:], g.rng.Uint64())
	}
	return id
}
