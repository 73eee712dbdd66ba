package discovery

import (
	"errors"
	"fmt"

	"golang.org/x/arch/x86/x86asm"
)

// A uprobe must sit on an instruction's first byte, so the RET instructions
// of a Go function are found by decoding the function from its start with
// the Go project's x86 disassembler, never by searching for the RET byte,
// which also occurs inside other instructions. An instruction that does not
// decode is an error, and no probe is placed in that function.

// x86Decode decodes the instruction at the start of code. The disassembler
// returns a prefix alone, with no operation, for what it cannot decode
// (a truncated instruction, CET's ENDBR64): that is an error here too.
func x86Decode(code []byte) (x86asm.Inst, error) {
	inst, err := x86asm.Decode(code, 64)
	if err == nil && inst.Op == 0 {
		err = errors.New("unrecognized instruction")
	}
	if err != nil {
		return inst, fmt.Errorf("decode x86-64 instruction % x: %w", code[:min(len(code), 15)], err)
	}
	return inst, nil
}

// x86Len returns the length of the instruction at the start of code.
func x86Len(code []byte) (int, error) {
	inst, err := x86Decode(code)
	return inst.Len, err
}

// x86Rets returns the offsets of the near RET instructions of a function's
// code.
func x86Rets(code []byte) ([]uint64, error) {
	var rets []uint64
	for off := 0; off < len(code); {
		inst, err := x86Decode(code[off:])
		if err != nil {
			return nil, fmt.Errorf("at offset %#x: %w", off, err)
		}
		if inst.Op == x86asm.RET {
			rets = append(rets, uint64(off))
		}
		off += inst.Len
	}
	return rets, nil
}
