package discovery

import "golang.org/x/arch/x86/x86asm"

// Go's amd64 prologue, as the compiler emits it for a function with a
// frame: a stack check, PUSHQ BP, MOVQ SP, BP, SUBQ $frame, SP, then, for
// arguments live across calls, MOVQs of their registers into the spill
// slots the caller reserved above the return address. After the epilogue
// (ADDQ $frame, SP; POPQ BP), at RET, SP points at the return address, so
// the first argument's slot is 8(SP) and the second's 16(SP).

// maxPrologue bounds how many instructions are read looking for the spills.
const maxPrologue = 32

// x86SpillsArgs reports whether a Go function stores its first two
// register arguments (AX, BX) in their spill slots before its first call
// or return, so that they can be read there at any of its RETs.
func x86SpillsArgs(code []byte) bool {
	frame, pushedBP := int64(-1), false
	var spilledAX, spilledBX bool
	for off, i := 0, 0; off < len(code) && i < maxPrologue; i++ {
		inst, err := x86Decode(code[off:])
		if err != nil {
			return false
		}
		switch {
		case inst.Op == x86asm.CALL || inst.Op == x86asm.RET: // too late
			return false
		case inst.Op == x86asm.PUSH && inst.Args[0] == x86asm.RBP:
			pushedBP = true
		case frame < 0 && pushedBP:
			frame = subSP(inst)
		case frame >= 0:
			spilledAX = spilledAX || storesToSP(inst, x86asm.RAX, frame+16)
			spilledBX = spilledBX || storesToSP(inst, x86asm.RBX, frame+24)
		}
		if spilledAX && spilledBX {
			return true
		}
		off += inst.Len
	}
	return false
}

// subSP returns the immediate of SUBQ $imm, SP, or -1.
func subSP(inst x86asm.Inst) int64 {
	if inst.Op != x86asm.SUB || inst.Args[0] != x86asm.RSP {
		return -1
	}
	if imm, ok := inst.Args[1].(x86asm.Imm); ok {
		return int64(imm)
	}
	return -1
}

// storesToSP reports whether inst is MOVQ reg, disp(SP).
func storesToSP(inst x86asm.Inst, reg x86asm.Reg, disp int64) bool {
	mem, ok := inst.Args[0].(x86asm.Mem)
	return ok && inst.Op == x86asm.MOV && inst.DataSize == 64 && mem.Base == x86asm.RSP &&
		mem.Index == 0 && mem.Disp == disp && inst.Args[1] == reg
}
