// Package recording reads recorded connections: the bytes real clients and
// servers exchanged, one line per read, "> hex" for what the client sent
// and "< hex" for what the server sent (scripts/record.py writes them).
// The decoders' tests replay them, and the classifier corpus runs them
// through the kernel's classifier.
package recording

import (
	"bufio"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
)

// Read is what one read of the relay got.
type Read struct {
	FromClient bool
	Data       []byte
}

// Load reads the recording at path.
func Load(path string) ([]Read, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []Read
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<22)
	for line := 1; sc.Scan(); line++ {
		mark, hexed, ok := strings.Cut(sc.Text(), " ")
		b, err := hex.DecodeString(hexed)
		if !ok || err != nil || (mark != ">" && mark != "<") {
			return nil, fmt.Errorf("%s:%d: not a recorded read: %.40q", path, line, sc.Text())
		}
		out = append(out, Read{FromClient: mark == ">", Data: b})
	}
	return out, sc.Err()
}
