package discovery

import (
	"debug/elf"
	"strings"
)

// Values of call.Process.RuntimeName.
const (
	runtimeGo     = "go"
	runtimePython = "python"
	runtimeNode   = "node"
	runtimeJava   = "java"
	runtimeRuby   = "ruby"
	runtimeDotnet = "dotnet"
)

// detectRuntime names the language runtime of a process, best effort: first
// from the executable's name, which is enough for interpreters and virtual
// machines, then, for a compiled program, by looking for the Go linker's
// mark in the ELF file at exe. exe should be /proc/<pid>/exe rather than the
// path it points to: the kernel opens the very file the process runs, even
// when it was deleted or lives in another mount namespace.
func detectRuntime(exeName, exe string) string {
	if r := runtimeFromName(exeName); r != "" {
		return r
	}
	if isGoBinary(exe) {
		return runtimeGo
	}
	return ""
}

// runtimeFromName recognises interpreters by their usual executable names
// ("python3.11", "node", "java", "ruby3.1", "dotnet").
func runtimeFromName(name string) string {
	switch {
	case strings.HasPrefix(name, "python"):
		return runtimePython
	case name == "node" || name == "nodejs":
		return runtimeNode
	case name == "java":
		return runtimeJava
	case strings.HasPrefix(name, "ruby"):
		return runtimeRuby
	case name == "dotnet":
		return runtimeDotnet
	}
	return ""
}

// isGoBinary reports whether the ELF file at path was linked by the Go
// toolchain: since Go 1.13 the linker always writes a .go.buildinfo section,
// which stripping keeps because the runtime reads it. elf.Open reads only the
// headers and the table of section names, never the code or data.
func isGoBinary(path string) bool {
	f, err := elf.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	return f.Section(".go.buildinfo") != nil
}
