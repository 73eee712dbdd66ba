package discovery

import "testing"

func TestX86SpillsArgs(t *testing.T) {
	stackCheck := []byte{0x49, 0x3b, 0x66, 0x10, 0x0f, 0x86, 1, 2, 3, 4} // CMPQ SP, 16(R14); JLS
	prologue := []byte{0x55, 0x48, 0x89, 0xe5, 0x48, 0x83, 0xec, 0x58}   // PUSHQ BP; MOVQ SP, BP; SUBQ $0x58, SP
	spillAX := []byte{0x48, 0x89, 0x44, 0x24, 0x68}                      // MOVQ AX, 0x68(SP)
	spillBX := []byte{0x48, 0x89, 0x5c, 0x24, 0x70}                      // MOVQ BX, 0x70(SP)
	wrongBX := []byte{0x48, 0x89, 0x5c, 0x24, 0x78}                      // MOVQ BX, 0x78(SP)
	call := []byte{0xe8, 1, 2, 3, 4}
	cat := func(parts ...[]byte) []byte {
		var out []byte
		for _, p := range parts {
			out = append(out, p...)
		}
		return out
	}
	tests := []struct {
		name string
		code []byte
		want bool
	}{
		{"spills both", cat(stackCheck, prologue, spillAX, spillBX, call), true},
		{"wrong slot", cat(stackCheck, prologue, spillAX, wrongBX, call), false},
		{"after a call", cat(stackCheck, prologue, spillAX, call, spillBX), false},
		{"no frame", cat(stackCheck, spillAX, spillBX, call), false},
	}
	for _, tt := range tests {
		if got := x86SpillsArgs(tt.code); got != tt.want {
			t.Errorf("%s: x86SpillsArgs = %v, want %v", tt.name, got, tt.want)
		}
	}
}
