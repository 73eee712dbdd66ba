package ebpfreceiver // import "github.com/ebpfreceiver/ebpfreceiver/receiver/ebpfreceiver"

import (
	"fmt"
	"math/bits"
	"strconv"
	"strings"
)

// ByteSize is a size in bytes. In configuration it is written either as an
// integer or as a string with a binary unit: "65536", "64KiB", "8MiB", "1GiB".
type ByteSize int64

var byteUnits = []struct {
	suffix string
	shift  uint
}{
	{"GiB", 30},
	{"MiB", 20},
	{"KiB", 10},
	{"B", 0},
}

// UnmarshalText parses a size written as a string.
func (b *ByteSize) UnmarshalText(text []byte) error {
	s := strings.TrimSpace(string(text))
	number, shift := s, uint(0)
	for _, u := range byteUnits {
		if rest, ok := strings.CutSuffix(s, u.suffix); ok {
			number, shift = strings.TrimSpace(rest), u.shift
			break
		}
	}
	n, err := strconv.ParseInt(number, 10, 64)
	if err != nil || n < 0 || n > (1<<62)>>shift {
		return fmt.Errorf("invalid size %q: write a number of bytes, optionally followed by KiB, MiB or GiB", s)
	}
	*b = ByteSize(n << shift)
	return nil
}

// MarshalText writes the size with the largest binary unit that divides it.
func (b ByteSize) MarshalText() ([]byte, error) {
	return []byte(b.String()), nil
}

// String returns the size with the largest binary unit that divides it.
func (b ByteSize) String() string {
	for _, u := range byteUnits {
		if u.shift > 0 && b != 0 && b%(1<<u.shift) == 0 {
			return strconv.FormatInt(int64(b)>>u.shift, 10) + u.suffix
		}
	}
	return strconv.FormatInt(int64(b), 10)
}

// validateBuffer checks the constraints of a kernel buffer size.
func (b ByteSize) validateBuffer() error {
	if b < minBufferSize || b > maxBufferSize {
		return fmt.Errorf("must be between %s and %s, got %s", ByteSize(minBufferSize), ByteSize(maxBufferSize), b)
	}
	if bits.OnesCount64(uint64(b)) != 1 {
		return fmt.Errorf("must be a power of two, got %s (%d bytes)", b, int64(b))
	}
	return nil
}
