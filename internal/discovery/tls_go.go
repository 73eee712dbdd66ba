package discovery

import (
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"
)

// Symbols of the crypto/tls methods that move plaintext in a Go program.
const (
	GoTLSRead  = "crypto/tls.(*Conn).Read"
	GoTLSWrite = "crypto/tls.(*Conn).Write"
)

// errNoGoTLS says a file is no Go program using crypto/tls.
var errNoGoTLS = errors.New("no crypto/tls in executable")

// GoTLS locates crypto/tls's Read in a Go executable (Write needs only its
// entry): uprobes go on each of Read's RET instructions (a uretprobe would
// rewrite the return address on a goroutine stack, which Go moves).
type GoTLS struct {
	ReadRets []uint64 // offsets of the RET instructions from the start of GoTLSRead
	// ReadSpilled says Read stores its receiver and buffer pointer in
	// their spill slots before any call, so at each RET they sit just
	// above the return address and no entry probe is needed.
	ReadSpilled bool
}

// arm64Ret is the arm64 RET (to x30), a fixed 4-byte instruction.
const arm64Ret = 0xd65f03c0

// ReadGoTLS reads the crypto/tls functions of the Go executable at path; a
// file that is not a Go program with crypto/tls gives an error wrapping
// errNoGoTLS.
func ReadGoTLS(path string) (*GoTLS, error) {
	f, err := elf.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open executable %s: %w", path, err)
	}
	defer f.Close()
	if f.Section(".gopclntab") == nil && f.Section(".go.buildinfo") == nil {
		return nil, fmt.Errorf("read %s: %w", path, errNoGoTLS)
	}
	syms, err := f.Symbols()
	if err != nil {
		return nil, fmt.Errorf("read symbols of %s: %w", path, err)
	}
	g := &GoTLS{}
	found := 0
	for _, s := range syms {
		switch s.Name {
		case GoTLSRead:
			if err := g.readFunc(f, s); err != nil {
				return nil, fmt.Errorf("find returns of %s in %s: %w", s.Name, path, err)
			}
		case GoTLSWrite:
		default:
			continue
		}
		found++
	}
	if found != 2 {
		return nil, fmt.Errorf("read %s: %w", path, errNoGoTLS)
	}
	return g, nil
}

// readFunc finds Read's return instructions and whether it spills its
// arguments.
func (g *GoTLS) readFunc(f *elf.File, s elf.Symbol) error {
	code, err := funcCode(f, s)
	if err != nil {
		return err
	}
	switch f.Machine {
	case elf.EM_X86_64:
		g.ReadRets, err = x86Rets(code)
		g.ReadSpilled = err == nil && x86SpillsArgs(code)
	case elf.EM_AARCH64:
		g.ReadRets = arm64Rets(code)
	default:
		return fmt.Errorf("machine %s: not supported", f.Machine)
	}
	if err == nil && len(g.ReadRets) == 0 {
		err = errors.New("no return instruction")
	}
	return err
}

// funcCode returns the bytes of a function symbol.
func funcCode(f *elf.File, s elf.Symbol) ([]byte, error) {
	if int(s.Section) >= len(f.Sections) || s.Size == 0 {
		return nil, errors.New("symbol has no code")
	}
	sec := f.Sections[s.Section]
	if s.Value < sec.Addr || s.Value+s.Size > sec.Addr+sec.Size {
		return nil, errors.New("symbol outside its section")
	}
	code := make([]byte, s.Size)
	if _, err := sec.ReadAt(code, int64(s.Value-sec.Addr)); err != nil {
		return nil, fmt.Errorf("read code: %w", err)
	}
	return code, nil
}

// arm64Rets returns the offsets of the RET instructions of arm64 code.
func arm64Rets(code []byte) []uint64 {
	var rets []uint64
	for off := 0; off+4 <= len(code); off += 4 {
		if binary.LittleEndian.Uint32(code[off:]) == arm64Ret {
			rets = append(rets, uint64(off))
		}
	}
	return rets
}
