package discovery

import (
	"bufio"
	"bytes"
	"debug/elf"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/ebpfreceiver/ebpfreceiver/internal/peers"
)

func TestX86Len(t *testing.T) {
	tests := []struct {
		name string
		code []byte
		want int
	}{
		{"ret", []byte{0xc3}, 1},
		{"mov rax, [rsp+8]", []byte{0x48, 0x8b, 0x44, 0x24, 0x08}, 5},
		{"call rel32", []byte{0xe8, 1, 2, 3, 4}, 5},
		{"nopw 0(rax,rax)", []byte{0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00}, 6},
		{"mov rax, imm64", []byte{0x48, 0xb8, 1, 2, 3, 4, 5, 6, 7, 8}, 10},
		{"mov eax, imm32", []byte{0xb8, 1, 2, 3, 4}, 5},
		{"mov ax, imm16", []byte{0x66, 0xb8, 1, 2}, 4},
		{"vzeroupper", []byte{0xc5, 0xf8, 0x77}, 3},
		{"ud2", []byte{0x0f, 0x0b}, 2},
		{"jne rel32", []byte{0x0f, 0x85, 1, 2, 3, 4}, 6},
		{"test byte [rax], imm8", []byte{0xf6, 0x00, 0x01}, 3},
		{"test dword [rax], imm32", []byte{0xf7, 0x00, 1, 2, 3, 4}, 6},
		{"neg dword [rax]", []byte{0xf7, 0x18}, 2},
		{"lea rcx, [rip+disp32]", []byte{0x48, 0x8d, 0x0d, 1, 2, 3, 4}, 7},
		{"mov [rsp+disp32], rax", []byte{0x48, 0x89, 0x84, 0x24, 1, 2, 3, 4}, 8},
		{"pshufd xmm0, xmm1, imm8", []byte{0x66, 0x0f, 0x70, 0xc1, 0x1b}, 5},
		{"movups [rax], xmm15", []byte{0x44, 0x0f, 0x11, 0x38}, 4},
	}
	for _, tt := range tests {
		got, err := x86Len(tt.code)
		if err != nil || got != tt.want {
			t.Errorf("%s: x86Len(% x) = %d, %v; want %d", tt.name, tt.code, got, err, tt.want)
		}
	}
}

func TestX86LenRejects(t *testing.T) {
	for _, code := range [][]byte{{0x06}, {0x48}, {0xe8, 1, 2}, {0x0f, 0x0f, 0xc0, 0x90}, {0x48, 0x8b}, {0xf3, 0x0f, 0x1e, 0xfa}} {
		if n, err := x86Len(code); err == nil {
			t.Errorf("x86Len(% x) = %d, want an error", code, n)
		}
	}
}

// TestX86RetsMatchObjdump decodes the functions of crypto/tls and net in
// a Go program and compares every instruction boundary and RET with
// what objdump finds.
func TestX86RetsMatchObjdump(t *testing.T) {
	objdump, err := exec.LookPath("objdump")
	if err != nil {
		t.Skip("objdump (binutils) is missing")
	}
	exe := goTLSProgram(t)
	f, err := elf.Open(exe)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.Machine != elf.EM_X86_64 {
		t.Skip("not an x86-64 binary")
	}
	starts, rets := objdumpInstructions(t, objdump, exe)
	syms, err := f.Symbols()
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, s := range syms {
		if elf.ST_TYPE(s.Info) != elf.STT_FUNC || !(strings.HasPrefix(s.Name, "crypto/tls.") || strings.HasPrefix(s.Name, "net.")) {
			continue
		}
		compareFunc(t, f, s, starts, rets)
		checked++
	}
	if checked < 100 {
		t.Fatalf("checked %d functions, want at least 100", checked)
	}
}

func compareFunc(t *testing.T, f *elf.File, s elf.Symbol, starts, rets map[uint64]bool) {
	t.Helper()
	code, err := funcCode(f, s)
	if err != nil {
		t.Fatalf("%s: %v", s.Name, err)
	}
	for off := 0; off < len(code); {
		addr := s.Value + uint64(off)
		if !starts[addr] {
			t.Fatalf("%s+%#x: objdump sees no instruction start here", s.Name, off)
		}
		n, err := x86Len(code[off:])
		if err != nil {
			t.Fatalf("%s+%#x: %v", s.Name, off, err)
		}
		off += n
	}
	got, err := x86Rets(code)
	if err != nil {
		t.Fatal(err)
	}
	var want []uint64
	for addr := range rets {
		if addr >= s.Value && addr < s.Value+s.Size {
			want = append(want, addr-s.Value)
		}
	}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("%s: RETs at %#x, objdump says %#x", s.Name, got, want)
	}
}

// objdumpInstructions returns the address of every instruction of exe, and
// of every RET, as objdump decodes them.
func objdumpInstructions(t *testing.T, objdump, exe string) (starts, rets map[uint64]bool) {
	t.Helper()
	out, err := exec.Command(objdump, "-d", "--no-show-raw-insn", "-j", ".text", exe).Output()
	if err != nil {
		t.Fatalf("objdump: %v", err)
	}
	starts, rets = make(map[uint64]bool), make(map[uint64]bool)
	scan := bufio.NewScanner(bytes.NewReader(out))
	for scan.Scan() {
		addrText, insn, ok := strings.Cut(strings.TrimSpace(scan.Text()), ":\t")
		if !ok {
			continue
		}
		addr, err := strconv.ParseUint(addrText, 16, 64)
		if err != nil {
			continue
		}
		starts[addr] = true
		if fields := strings.Fields(insn); len(fields) > 0 && fields[0] == "ret" {
			rets[addr] = true
		}
	}
	return starts, rets
}

// goTLSProgram builds a Go HTTPS server, a program linking crypto/tls.
func goTLSProgram(t *testing.T) string {
	t.Helper()
	return peers.GoProgram(t, "httpsserver")
}
