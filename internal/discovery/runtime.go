package discovery

import (
	"bytes"
	"debug/elf"
	"os"
	"path/filepath"
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

// LanguageOther is the languages rule value for a process of no known
// runtime.
const LanguageOther = "other"

// Languages are the values a languages rule accepts.
var Languages = []string{runtimeGo, runtimePython, runtimeNode, runtimeJava, runtimeRuby, runtimeDotnet, LanguageOther}

// detectRuntime names the language runtime of the process at dir
// (/proc/<pid>), best effort: first from the executable's name, which is
// enough for interpreters and virtual machines, then, for a compiled
// program, by looking for the Go linker's mark in its ELF file, then by the
// runtime libraries it has mapped (an embedded interpreter, a JVM or .NET
// host under another name). dir/exe is opened rather than the path it points
// to: the kernel opens the very file the process runs, even when it was
// deleted or lives in another mount namespace.
func detectRuntime(exeName, dir string) string {
	if r := runtimeFromName(exeName); r != "" {
		return r
	}
	if isGoBinary(filepath.Join(dir, "exe")) {
		return runtimeGo
	}
	maps, err := os.ReadFile(filepath.Join(dir, "maps"))
	if err != nil {
		return ""
	}
	return runtimeFromMaps(maps)
}

// runtimeLibraries are the shared libraries that give a runtime away, by
// the start of their file name.
var runtimeLibraries = []struct{ prefix, runtime string }{
	{"libpython", runtimePython},
	{"libjvm.so", runtimeJava},
	{"libnode.so", runtimeNode},
	{"libruby", runtimeRuby},
	{"libcoreclr.so", runtimeDotnet},
	{"libhostfxr.so", runtimeDotnet},
}

// runtimeFromMaps looks for a runtime library among the mapped files in the
// contents of /proc/<pid>/maps (the path is the last field of a line).
func runtimeFromMaps(maps []byte) string {
	for line := range bytes.SplitSeq(maps, []byte{'\n'}) {
		slash := bytes.LastIndexByte(line, '/')
		if slash < 0 {
			continue
		}
		name := line[slash+1:]
		for _, lib := range runtimeLibraries {
			if bytes.HasPrefix(name, []byte(lib.prefix)) {
				return lib.runtime
			}
		}
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
