package discovery

import (
	"debug/buildinfo"
	"debug/dwarf"
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
)

// Symbols and types of a Go program that trace context needs.
const (
	// GoHTTPRoundTrip runs on the goroutine that asked for an HTTP/1
	// request, once per request, before the connection's writeLoop
	// writes it.
	GoHTTPRoundTrip = "net/http.(*persistConn).roundTrip"
	goTCPConnItab   = "go:itab.*net.TCPConn,net.Conn"
	goTLSGSymbol    = "runtime.tlsg"
)

// errNoGoLayout says a file is no Go program whose layout is known.
var errNoGoLayout = errors.New("no known Go layout")

// GoLayout is where a Go program keeps what trace context reads: the
// current goroutine's id, and the socket of a net/http client connection.
// Offsets are in bytes; zero means unknown.
type GoLayout struct {
	// GOffset locates the g pointer in thread-local storage (amd64):
	// fsbase + GOffset; -8 in programs without cgo.
	GOffset int32
	// GoidOffset is runtime.g.goid.
	GoidOffset uint32
	// PconnConn is net/http.persistConn.conn; TCPConnHash is the itab
	// hash of *net.TCPConn as a net.Conn. Both are zero when the program
	// has no net/http client.
	PconnConn   uint32
	TCPConnHash uint32
	GoVersion   string
}

// HasHTTPClient says the net/http client hand-off can be followed.
func (l *GoLayout) HasHTTPClient() bool { return l.PconnConn != 0 && l.TCPConnHash != 0 }

// goidByVersion holds runtime.g.goid for Go versions checked against their
// DWARF, used when a program was built without it (-ldflags=-w).
var goidByVersion = map[string]uint32{
	"go1.26": 152,
}

// ReadGoLayout reads the layout of the Go executable at path: from its DWARF
// where it has some, else from the table of checked Go versions. A file
// that is no Go program, or whose layout is unknown, gives an error
// wrapping errNoGoLayout.
func ReadGoLayout(path string) (*GoLayout, error) {
	info, err := buildinfo.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w: %w", path, errNoGoLayout, err)
	}
	f, err := elf.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open executable %s: %w", path, err)
	}
	defer f.Close()
	l := &GoLayout{GoVersion: info.GoVersion}
	if l.GOffset, err = gOffset(f); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if d, err := f.DWARF(); err == nil {
		l.GoidOffset, l.PconnConn = dwarfOffsets(d)
	}
	if l.GoidOffset == 0 {
		l.GoidOffset = goidByVersion[majorMinor(info.GoVersion)]
	}
	if l.GoidOffset == 0 {
		return nil, fmt.Errorf("read %s (%s): %w: no DWARF and no known goid offset", path, info.GoVersion, errNoGoLayout)
	}
	if l.PconnConn != 0 {
		l.TCPConnHash = itabHash(f, goTCPConnItab)
	}
	return l, nil
}

// majorMinor turns "go1.26.8" into "go1.26".
func majorMinor(v string) string {
	if i := strings.IndexByte(v, '.'); i >= 0 {
		if j := strings.IndexByte(v[i+1:], '.'); j >= 0 {
			return v[:i+1+j]
		}
	}
	return v
}

// gOffset finds g in thread-local storage on amd64. runtime.tlsg, where
// the symbol table has it (cgo), is a symbol of the executable's TLS block,
// which ends at the thread pointer (variant II): g is at fsbase - the
// block's aligned size + the symbol's offset. A program with no TLS block
// of its own, or only Go's 8-byte one, keeps g at fsbase - 8.
func gOffset(f *elf.File) (int32, error) {
	if f.Machine != elf.EM_X86_64 {
		return 0, nil // arm64 keeps g in a register
	}
	var tls *elf.Prog
	for _, p := range f.Progs {
		if p.Type == elf.PT_TLS {
			tls = p
		}
	}
	if tls == nil {
		return -8, nil
	}
	align := max(tls.Align, 1)
	size := (tls.Memsz + align - 1) / align * align
	syms, _ := f.Symbols()
	for _, s := range syms {
		if s.Name == goTLSGSymbol && elf.ST_TYPE(s.Info) == elf.STT_TLS {
			return int32(int64(s.Value) - int64(size)), nil
		}
	}
	if size == 8 {
		return -8, nil
	}
	return 0, fmt.Errorf("%w: a %d-byte TLS block without %s", errNoGoLayout, size, goTLSGSymbol)
}

// dwarfMembers are the struct members whose offsets trace context reads,
// by struct type.
var dwarfMembers = map[string]string{"runtime.g": "goid", "net/http.persistConn": "conn"}

// dwarfOffsets reads runtime.g.goid and net/http.persistConn.conn. Go's
// linker writes the type entries into the runtime package's compile units,
// so only those are read.
func dwarfOffsets(d *dwarf.Data) (goid, conn uint32) {
	found := make(map[string]uint32, len(dwarfMembers))
	r := d.Reader()
	for len(found) < len(dwarfMembers) {
		cu, err := r.Next()
		if err != nil || cu == nil {
			break
		}
		if name, _ := cu.Val(dwarf.AttrName).(string); cu.Tag != dwarf.TagCompileUnit || name != "runtime" {
			r.SkipChildren()
			continue
		}
		readStructs(r, found)
	}
	return found["runtime.g"], found["net/http.persistConn"]
}

// readStructs reads the rest of the compile unit r is in and records, in
// found, the offset of the member dwarfMembers names for each struct type
// it lists. It leaves r after the unit.
func readStructs(r *dwarf.Reader, found map[string]uint32) {
	for {
		e, err := r.Next()
		if err != nil || e == nil || e.Tag == 0 {
			return
		}
		name, _ := e.Val(dwarf.AttrName).(string)
		if member, wanted := dwarfMembers[name]; wanted && e.Tag == dwarf.TagStructType && e.Children {
			if off := structMember(r, member); off != 0 {
				found[name] = off
			}
			continue
		}
		if e.Children {
			r.SkipChildren()
		}
	}
}

// structMember reads the members of the struct r just entered and returns
// the offset of field.
func structMember(r *dwarf.Reader, field string) uint32 {
	var off uint32
	for {
		e, err := r.Next()
		if err != nil || e == nil || e.Tag == 0 {
			return off
		}
		if e.Tag == dwarf.TagMember && e.Val(dwarf.AttrName) == field {
			if v, ok := e.Val(dwarf.AttrDataMemberLoc).(int64); ok && v > 0 {
				off = uint32(v)
			}
		}
		if e.Children {
			r.SkipChildren()
		}
	}
}

// itabHash reads the type hash stored in a static itab (after its two
// pointers); 0 when the symbol is missing.
func itabHash(f *elf.File, symbol string) uint32 {
	syms, err := f.Symbols()
	if err != nil {
		return 0
	}
	for _, s := range syms {
		if s.Name != symbol || int(s.Section) >= len(f.Sections) {
			continue
		}
		sec := f.Sections[s.Section]
		var b [4]byte
		if _, err := sec.ReadAt(b[:], int64(s.Value-sec.Addr)+16); err != nil {
			return 0
		}
		return binary.LittleEndian.Uint32(b[:])
	}
	return 0
}
